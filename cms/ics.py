"""iCalendar (RFC 5545) file for a parent class, so parents can add it to their phone's calendar."""

from datetime import timezone as dt_timezone

from django.utils import timezone


def _escape(text):
    return (
        str(text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line):
    """Lines longer than 75 octets are folded (RFC 5545 §3.1), never inside a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > 75:
            out.append(current)
            current = b" "
        current += encoded
    out.append(current)
    return b"\r\n".join(out).decode("utf-8")


def _utc(dt):
    return dt.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def calendar_for(event, request):
    url = request.build_absolute_uri(event.url)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Qujing Childcare//Parent Classes//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:parent-class-{event.pk}@{request.get_host()}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(event.start_at)}",
        f"DTEND:{_utc(event.end_at)}",
        f"SUMMARY:{_escape('家长课堂：' + event.title)}",
        f"LOCATION:{_escape(event.county.name + ' ' + event.place)}",
        f"DESCRIPTION:{_escape((event.summary + chr(10) if event.summary else '') + '主办：' + event.organiser + chr(10) + url)}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
