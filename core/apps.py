from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared, model-free helpers (validation, personal-data protection) used by every app."""

    name = "core"
    verbose_name = "公共组件"

    def ready(self):
        # Imported here: Wagtail's admin views import models, so only once the app registry is ready.
        from core.wagtail_exports import neutralise_wagtail_exports

        neutralise_wagtail_exports()
