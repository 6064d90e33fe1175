"""Who may see or change a row, declared once per model.

A queryset subclasses ScopedQuerySet and says, in a Scope, which lookup path leads from its
rows to the county, the training provider and the trainee's own user. visible_to(user) and
editable_by(user) are derived from that declaration; a model whose rule does not fit keeps a
hand-written method with a comment saying why.

Roles are read as duck-typed attributes of the user (is_commission, is_county_official,
is_provider_staff, is_trainee, county_id, provider_id): core imports no app.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404


@dataclass(frozen=True)
class Scope:
    """Lookup paths from a row to its owners; None means that role sees nothing through it.

    county:   lookup of the county id, e.g. "institution__county_id" (county officials see their county)
    provider: lookup of the provider id, e.g. "run__provider_id", or "pk" on the provider itself
    trainee:  path to the trainee's user, e.g. "person__user" (a trainee sees their own rows)
    commission: whether the commission sees every row
    """

    county: str | None = None
    provider: str | None = None
    trainee: str | None = None
    commission: bool = True

    def condition(self, user):
        """The Q a user's rows satisfy, or None for "every row"."""
        if not getattr(user, "is_authenticated", False):
            return Q(pk__in=[])
        if self.commission and getattr(user, "is_commission", False):
            return None
        condition = Q(pk__in=[])
        if self.county and getattr(user, "is_county_official", False):
            condition |= Q(**{self.county: user.county_id})
        if self.provider and getattr(user, "is_provider_staff", False):
            condition |= Q(**{self.provider: user.provider_id})
        if self.trainee and getattr(user, "is_trainee", False):
            condition |= Q(**{self.trainee: user})
        return condition


class ScopedQuerySet(models.QuerySet):
    """Subclasses set `scope`, and `write_scope` when fewer roles may change a row than see it."""

    scope: Scope = Scope()
    write_scope: Scope | None = None

    def _scoped(self, scope, user):
        condition = scope.condition(user)
        if condition is None:
            return self
        return self.filter(condition)

    def visible_to(self, user):
        return self._scoped(self.scope, user)

    def editable_by(self, user):
        return self._scoped(self.write_scope or self.scope, user)


def get_for_user(queryset, user, pk, write=False):
    """One row by pk: 404 when the user may not see it, 403 when they may see but not change it."""
    # filter().first(), not get(): a scope that ORs several paths (a trainee through two
    # enrollments) can repeat a row.
    try:
        obj = queryset.visible_to(user).filter(pk=pk).first()
    except (ValueError, TypeError):
        obj = None
    if obj is None:
        raise Http404("未找到该记录，或您无权查看。")
    if write and not queryset.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied("您只能查看该记录，无权修改。")
    return obj
