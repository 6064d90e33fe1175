"""Self check-in by QR code: the trainer shows a code that rotates; trainees scan it.

The code in the URL is an HMAC of the session and the current time step, so it is useless a
minute later and carries no reusable secret; it works only inside the session's time window
and only for trainees whose enrolment in the run is approved (checked by the view).
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.utils import timezone

# Arriving this long after the start counts as 迟到; the window opens this long before it.
LATE_AFTER = datetime.timedelta(minutes=15)
OPENS_BEFORE = datetime.timedelta(minutes=30)


def rotate_seconds():
    return int(getattr(settings, "TRAINING_CHECKIN_ROTATE_SECONDS", 30))


def _step(at):
    return int(at.timestamp()) // rotate_seconds()


def _code(session_pk, step):
    message = f"training-checkin:{session_pk}:{step}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:16]


def code_for(session, at=None):
    return _code(session.pk, _step(at or timezone.now()))


def code_is_valid(session, code, at=None):
    """The current code or the one just before it (a scan taken as the code rotated)."""
    step = _step(at or timezone.now())
    return any(hmac.compare_digest(_code(session.pk, s), str(code)) for s in (step, step - 1))


def window(session):
    """(opens, closes) as aware datetimes in the site's time zone."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(session.date, session.start_time), tz)
    end = timezone.make_aware(datetime.datetime.combine(session.date, session.end_time), tz)
    return start - OPENS_BEFORE, end


def is_open(session, at=None):
    opens, closes = window(session)
    return opens <= (at or timezone.now()) <= closes


def status_at(session, at=None):
    """出勤 when checking in up to LATE_AFTER past the start, else 迟到."""
    from .models import AttendanceStatus

    opens, _ = window(session)
    start = opens + OPENS_BEFORE
    return AttendanceStatus.PRESENT if (at or timezone.now()) <= start + LATE_AFTER else AttendanceStatus.LATE
