"""`{% load certification_tags %}{% certificate_portal_section user %}` shows a trainee's
certificates summary and expiry notices on any page (the portal home, for instance)."""

from django import template
from django.conf import settings

from ..models import Certificate, Status, local_today

register = template.Library()


@register.inclusion_tag("certification/_portal_section.html")
def certificate_portal_section(user):
    if not (user.is_authenticated and user.is_trainee):
        return {"show": False}
    today = local_today()
    days = settings.CERT_EXPIRY_REMINDER_DAYS
    certs = list(
        Certificate.objects.visible_to(user).filter(person__user=user).select_related("type").order_by("-issue_date")
    )
    expiring = [
        c for c in certs
        if c.status_on(today) == Status.VALID and c.expiry_date and (c.expiry_date - today).days <= days
        and not c.superseded_by_id
    ]
    valid = sum(1 for c in certs if c.status_on(today) == Status.VALID)
    return {"show": True, "total": len(certs), "valid": valid, "expiring": expiring}
