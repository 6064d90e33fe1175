"""Dates as the platform's users see them: the calendar of Asia/Shanghai (settings.TIME_ZONE)."""

from django.utils import timezone


def local_today():
    """Today's date in Asia/Shanghai; a plain date.today() would follow the server's clock zone."""
    return timezone.localdate()
