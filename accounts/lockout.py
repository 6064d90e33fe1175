"""The login name django-axes counts failures under.

allauth authenticates with `email=` or `phone=` (not `username=`), so axes, left alone,
stored every failure under username None and locked everyone behind an IP address together.
"""

from core.validators import normalise_phone


def login_name(request, credentials=None):
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("phone") or credentials.get("username")
    if not value and request is not None:
        data = getattr(request, "POST", {})
        value = data.get("login") or data.get("username")
    if not value:
        return None
    value = value.strip()
    if "@" in value:
        return value.lower()
    # "139 1234 5678" and "13912345678" are one account.
    return normalise_phone(value) or value
