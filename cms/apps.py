from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "门户网站"

    def ready(self):
        from auditlog.registry import auditlog

        from . import signals  # noqa: F401  (connects the search indexing receivers)
        from .models import ClassSignup, Expert

        # Who changed an expert's listing, and sign-ups (parents' phone numbers) are audited.
        auditlog.register(Expert)
        auditlog.register(ClassSignup)
