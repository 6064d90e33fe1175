from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "机构与人员名录"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Employment, Institution, Person, TrainingProvider

        # Every correction of the registry is kept (metrics.md: past figures change only
        # through corrections, and every correction is in the audit log).
        auditlog.register(Institution)
        auditlog.register(TrainingProvider)
        auditlog.register(Person, exclude_fields=["id_number_encrypted", "id_number_hash"])
        auditlog.register(Employment)

        from core import pii

        pii.register_encrypted_column(Person, "id_number_encrypted")  # for manage.py rotate_pii_keys

        # Registers the institutions and staff kinds with the import engine (core.imports.kinds).
        from . import importers  # noqa: F401
