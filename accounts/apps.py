from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与角色"

    def ready(self):
        from . import audit_hooks, roles, signals  # noqa: F401  (connect receivers, register the audit viewset)
