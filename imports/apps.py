from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """The spreadsheet import engine, its web flow and history. Kinds live in the apps that own the data."""

    name = "imports"
    verbose_name = "数据导入"
