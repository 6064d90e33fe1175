"""A link to the import pages in the Wagtail admin menu, for the roles that may import."""

from django.urls import reverse_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .roles import may_import


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_import(request.user)


@hooks.register("register_admin_menu_item")
def register_imports_menu_item():
    return ImportMenuItem("数据导入", reverse_lazy("imports:index"), name="imports", icon_name="upload", order=600)
