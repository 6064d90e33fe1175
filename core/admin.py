"""Scoped Wagtail admin views and the permission policy of the registry back office.

Wagtail's generic views look objects up with `Model._default_manager`, i.e. among *all* rows.
Here every look-up starts from the model's `visible_to(user)` queryset, so an object outside
the user's scope is a 404 whatever the URL, and one the user may see but not change is a 403
(a real 403: Wagtail's own handling would redirect to the dashboard with a message, which
looks like success to a script and hides what happened).
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.permission_policies import ModelPermissionPolicy

# --- Permission policy ------------------------------------------------------------------------


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions from the role groups, narrowed to rows by the model's querysets.

    "view" is limited to `visible_to(user)`, every other action to `editable_by(user)`.
    """

    READ_ACTIONS = {"view"}

    def scoped_queryset(self, user, actions):
        manager = self.model._default_manager
        if set(actions) <= self.READ_ACTIONS:
            return manager.visible_to(user)
        return manager.editable_by(user)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return self.scoped_queryset(user, [action]).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        allowed = [a for a in actions if self.user_has_permission(user, a)]
        if not allowed:
            return self.model._default_manager.none()
        return self.scoped_queryset(user, allowed)


# --- Views ---------------------------------------------------------------------------------


def _forbidden(request, message="您的账号没有执行此操作的权限。"):
    return TemplateResponse(request, "registry/admin/403.html", {"message": message}, status=403)


class ForbiddenAs403Mixin:
    """Answer PermissionDenied with HTTP 403 instead of Wagtail's redirect to the dashboard."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as exc:
            return _forbidden(request, str(exc) or "您的账号没有执行此操作的权限。")


class ScopedObjectMixin(ForbiddenAs403Mixin):
    """Find the object among the rows the user may see (404 otherwise)."""

    #: The policy action the object must allow, beyond being visible ("view": none).
    object_action = "view"

    def visible_queryset(self):
        return self.model._default_manager.visible_to(self.request.user)

    def get_scoped_object(self, pk):
        obj = get_object_or_404(self.visible_queryset(), pk=pk)
        if self.object_action != "view" and not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.object_action, obj
        ):
            # Visible but read-only for this user (e.g. a county official and a provider).
            raise PermissionDenied("您只能查看该记录，无权修改或删除。")
        return obj


class IntegrityErrorAsFormErrorMixin:
    """A unique constraint hit by a concurrent save becomes a form error, not a 500."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except IntegrityError as exc:
            field, message = getattr(form, "integrity_error", lambda e: (None, "该记录与已有记录重复，未保存。"))(exc)
            form.add_error(field, message)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        # Bad input is a 400 (house rule), also for scripts posting to the admin.
        if response.status_code == 200 and not getattr(self, "expects_json_response", False):
            response.status_code = 400
        return response


class ScopedIndexView(ForbiddenAs403Mixin, generic.IndexView):
    list_select_related = ()

    def get_base_queryset(self):
        queryset = self.model._default_manager.visible_to(self.request.user)
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset


class ScopedCreateView(IntegrityErrorAsFormErrorMixin, ForbiddenAs403Mixin, generic.CreateView):
    pass


class ScopedEditView(IntegrityErrorAsFormErrorMixin, ScopedObjectMixin, generic.EditView):
    object_action = "change"

    def dispatch(self, request, *args, **kwargs):
        # Outsiders learn nothing, not even that they lack the permission: 404 comes first.
        if not self.visible_queryset().filter(pk=self.object_pk).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return self.get_scoped_object(self.object_pk)


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    object_action = "delete"

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        return self.get_scoped_object(self.kwargs[self.pk_url_kwarg])

    def setup(self, request, *args, **kwargs):
        # DeleteView loads the object in setup(), before dispatch() checks the model
        # permission; a read-only user must still get a 403 there, not a traceback.
        try:
            super().setup(request, *args, **kwargs)
        except PermissionDenied as exc:
            self._setup_denied = exc

    def dispatch(self, request, *args, **kwargs):
        if getattr(self, "_setup_denied", None):
            return _forbidden(request, str(self._setup_denied))
        return super().dispatch(request, *args, **kwargs)


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return self.get_scoped_object(self.pk)

    def get_edit_url(self):
        if self.edit_url_name and self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", self.object
        ):
            return super().get_edit_url()

    def get_delete_url(self):
        if self.delete_url_name and self.permission_policy.user_has_permission_for_instance(
            self.request.user, "delete", self.object
        ):
            return super().get_delete_url()


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    def get_base_object_queryset(self):
        return self.visible_queryset()


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    def get_base_object_queryset(self):
        return self.visible_queryset()
