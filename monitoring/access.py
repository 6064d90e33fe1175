"""Who may see which scope of the dashboard, in one place.

The commission sees the city and every county; a county official only their own county
(another county, or the city, is 404 for them: they are outsiders there); every other role
gets 403. Bad dates and unknown counties raise MetricInputError (400 in the views).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from . import metrics as m


def can_view_dashboard(user):
    return user.is_authenticated and (user.is_commission or user.is_county_official)


def can_freeze(user):
    return user.is_authenticated and user.is_commission


def request_scope(user, raw_county):
    """The Scope a user asked for (raw_county: '' / name / id), after the access check."""
    if not can_view_dashboard(user):
        raise PermissionDenied("只有市卫健委和区县卫健局可以查看监测看板。")
    raw = (raw_county or "").strip()
    if user.is_commission:
        return m.parse_scope(raw)
    if not raw:
        return m.Scope(user.county)
    scope = m.parse_scope(raw)
    if scope.is_city or scope.county_id != user.county_id:
        raise Http404("没有找到该区县的数据。")
    return scope


def request_as_of(raw):
    return m.parse_as_of(raw)
