from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "门户网站"

    def ready(self):
        from auditlog.registry import auditlog

        from . import signals
        from .models import ClassSignup, Expert

        signals.connect()
        # Who changed an expert's listing, and sign-ups (parents' phone numbers) are audited.
        auditlog.register(Expert)
        auditlog.register(ClassSignup)
