"""Registers the 审计日志 admin viewset (accounts.audit_views). Imported from
AccountsConfig.ready(); kept out of accounts/wagtail_hooks.py, which another area owns."""

from wagtail import hooks

from .audit_views import AuditViewSet


@hooks.register("register_admin_viewset")
def register_audit_viewset():
    return AuditViewSet()
