"""Who may import what, and within which scope.

ROLE_PERMISSIONS is collected by accounts.roles into the role groups (back-office access to
the import history). The rules the web flow applies are below, in one place:

- the commission imports every kind, for any county;
- a county official imports institutions, staff, training records and certificates of their
  own county only (a row for another county is an error of that row);
- provider staff import training records of their own provider only;
- everybody else gets 403.
"""

from dataclasses import dataclass

ROLE_PERMISSIONS = {
    "commission": ["imports.add_importjob", "imports.view_importjob"],
    "county": ["imports.add_importjob", "imports.view_importjob"],
    "provider": ["imports.add_importjob", "imports.view_importjob"],
}

COMMISSION_KINDS = ("institutions", "staff", "training", "certificates")
COUNTY_KINDS = ("institutions", "staff", "training", "certificates")
PROVIDER_KINDS = ("training",)


@dataclass(frozen=True)
class ImportScope:
    """The rows a user may write. None means "any" (the commission and the command line)."""

    county_id: int | None = None
    provider_id: int | None = None
    county_name: str = ""
    provider_name: str = ""

    @property
    def unrestricted(self):
        return self.county_id is None and self.provider_id is None

    def county_error(self, county):
        """Message when `county` is outside the scope, else None."""
        if self.county_id is not None and (county is None or county.pk != self.county_id):
            return f"您只能导入本区县（{self.county_name}）的数据。"
        return None

    def provider_error(self, provider_name):
        if self.provider_id is not None and provider_name != self.provider_name:
            return f"您只能导入本机构（{self.provider_name}）的培训记录。"
        return None


UNRESTRICTED = ImportScope()


def kinds_for(user):
    """The kinds `user` may import through the web flow, in the order of interfaces.md."""
    if not user.is_authenticated:
        return ()
    if user.is_commission:
        return COMMISSION_KINDS
    if user.is_county_official:
        return COUNTY_KINDS
    if user.is_provider_staff:
        return PROVIDER_KINDS
    return ()


def may_import(user, kind=None):
    kinds = kinds_for(user)
    return bool(kinds) if kind is None else kind in kinds


def scope_for(user):
    if user.is_commission:
        return UNRESTRICTED
    if user.is_county_official:
        return ImportScope(county_id=user.county_id, county_name=user.county.name)
    if user.is_provider_staff:
        return ImportScope(provider_id=user.provider_id, provider_name=user.provider.name)
    raise PermissionError("no import scope for this user")
