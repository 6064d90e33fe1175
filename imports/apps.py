from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class ImportsConfig(AppConfig):
    """The web flow, history and command of spreadsheet imports. The engine is core.imports; kinds
    live in the apps that own the data and register themselves there."""

    name = "imports"
    verbose_name = "数据导入"

    def ready(self):
        # openpyxl parses the XML inside .xlsx files (templates, error sheets, any fallback
        # read); without defusedxml an uploaded file could use entity expansion tricks.
        # Refuse to start rather than run unprotected.
        import openpyxl.xml

        try:
            import defusedxml  # noqa: F401
        except ImportError:  # pragma: no cover - the requirement is pinned
            raise ImproperlyConfigured("defusedxml 未安装：导入 Excel 文件需要它来防御 XML 攻击。") from None
        if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover
            raise ImproperlyConfigured("openpyxl 未启用 defusedxml，拒绝启动导入功能。")

        from auditlog.registry import auditlog

        from .models import ImportJob

        auditlog.register(ImportJob, exclude_fields=["errors"])
