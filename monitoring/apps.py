from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "监测"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Snapshot, Target

        # A changed target changes how far every scope is from the plan: keep who changed what.
        auditlog.register(Target)
        auditlog.register(Snapshot, exclude_fields=["figures", "excel", "pdf"])

        from . import figures_cache

        figures_cache.connect_signals()
