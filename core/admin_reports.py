"""Wagtail's own back-office views (reports, site history, page search, choosers, users, sites...)
for the roles whose data is scoped to a county or a provider.

Wagtail filters those views by *model* permission only: a county official holds
`registry.change_person`, so Wagtail's site history lists every county's changes to persons,
and its CSV/xlsx export hands them out. Our own viewsets narrow every list to the model's
`visible_to(user)`; Wagtail's built-in views cannot be taught that one by one, so the rule is
deny by default: a user who does not see everything (commission, superuser) may open a view of
Wagtail's namespaces only if it is on the allow list of their role. A view Wagtail adds in a
future release is therefore refused to county and provider staff until someone decides it is
safe, instead of leaking until someone notices.

Editors keep Wagtail's page, image, document and form views (their data is public content and
Wagtail's own permission checks apply), but not the site history, which spans every model.
"""

import re

from django.template.response import TemplateResponse

# URL names owned by Wagtail's admin apps (not our viewsets and snippets, which are scoped by
# their own querysets and checked by the access matrix).
WAGTAIL_BUILTIN = re.compile(
    r"^(wagtailadmin|wagtail_bulk_action|wagtailforms|wagtailredirects|wagtailsettings|wagtailembeds|"
    r"wagtailsnippets:|wagtaildocs|wagtailimages|wagtailsites|wagtailusers|wagtailsearch)"
)

# Every back-office user needs the home page, their own account and the admin's plumbing.
ALLOWED_FOR_ALL = re.compile(
    r"^(wagtailadmin_home|wagtailadmin_account|wagtailadmin_logout|wagtailadmin_dismissibles|wagtailadmin_sprite|"
    r"wagtailadmin_javascript_catalog|wagtailadmin_login|wagtailadmin_password_reset\w*|wagtailadmin_error_test|"
    r"wagtailadmin_editing_sessions:\w+)$"
)

# Content editors work on pages, images, documents and form submissions.
ALLOWED_FOR_EDITORS = re.compile(
    r"^(wagtailadmin_pages:\w+|wagtailadmin_explore\w*|wagtailadmin_choose_page\w*|wagtailadmin_api:.+|"
    r"wagtailadmin_reports:(locked_pages|aging_pages|page_types_usage|workflow|workflow_tasks)(_results)?|"
    r"wagtailadmin_tag_\w+|wagtailadmin_block_preview|wagtailadmin_workflows:\w+|wagtail_bulk_action|"
    r"wagtaildocs\w*:\w+|wagtailimages\w*:\w+|wagtailembeds:\w+|wagtailforms:\w+|wagtailsnippets:index)$"
)

DENIED_MESSAGE = "此页面汇总了全市各区县和培训机构的数据，仅市卫健委可以查看。"


def sees_everything(user):
    # `is_commission` is the user model's own answer (commission role or superuser); read as an
    # attribute so that core does not import the accounts app.
    return user.is_superuser or bool(getattr(user, "is_commission", False))


def may_open_builtin(user, view_name):
    """Whether `user` may open the Wagtail built-in view named `view_name` (namespace:name)."""
    if not WAGTAIL_BUILTIN.match(view_name) or sees_everything(user):
        return True
    if ALLOWED_FOR_ALL.match(view_name):
        return True
    return bool(getattr(user, "is_editor", False)) and bool(ALLOWED_FOR_EDITORS.match(view_name))


class WagtailBuiltinScopeMiddleware:
    """403 for a Wagtail built-in view the user's role may not open (see the module docstring).

    Anonymous users pass through: Wagtail sends them to the login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or not user.is_authenticated or match is None or not match.view_name:
            return None
        if may_open_builtin(user, match.view_name):
            return None
        return TemplateResponse(request, "registry/admin/403.html", {"message": DENIED_MESSAGE}, status=403)
