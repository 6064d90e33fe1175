"""Formula neutralisation for every CSV/xlsx export Wagtail serves.

Wagtail's SpreadsheetExportMixin is behind the ?export=csv / ?export=xlsx of every ModelViewSet
and snippet listing and of its own reports (site history, aging pages, ...). It writes cell
text as it is, so a person imported as `=HYPERLINK("http://…","点击")` becomes a live formula in
the CSV the commission opens. Our views could each mix in a fix, but Wagtail's own report views
would still leak, and a future viewset could forget it; patching the one method every export
goes through, once at start-up, covers them all. preprocess_field_value is the last step for
every cell of both formats, so the value written is always safe_cell's.
"""

from wagtail.admin.views.mixins import SpreadsheetExportMixin

from core.spreadsheets import safe_cell


def neutralise_wagtail_exports():
    original = SpreadsheetExportMixin.preprocess_field_value
    if getattr(original, "neutralises_formulas", False):
        return

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(original(self, field, value, export_format))

    preprocess_field_value.neutralises_formulas = True
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
