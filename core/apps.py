from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared, model-free helpers (validation, personal-data protection) used by every app."""

    name = "core"
    verbose_name = "公共组件"
