"""Who may import what, and within which scope.

ROLE_PERMISSIONS is collected by accounts.roles into the role groups (back-office access to
the import history). The rules the web flow applies are below, in one place:

- the commission imports every kind, for any county;
- a county official imports institutions, staff, training records and certificates of their
  own county only (a row for another county is an error of that row);
- provider staff import training records of their own provider only;
- everybody else gets 403.
"""

from core.imports.scope import UNRESTRICTED, ImportScope

ROLE_PERMISSIONS = {
    "commission": ["imports.add_importjob", "imports.view_importjob"],
    "county": ["imports.add_importjob", "imports.view_importjob"],
    "provider": ["imports.add_importjob", "imports.view_importjob"],
}

COMMISSION_KINDS = ("institutions", "staff", "training", "certificates")
COUNTY_KINDS = ("institutions", "staff", "training", "certificates")
PROVIDER_KINDS = ("training",)


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
