"""账号与角色: the commission manages back-office accounts and their roles in the Wagtail admin.

Wagtail's own user admin is left to superusers: it edits groups and passwords of anyone,
superusers included. This screen edits only what the role model needs (role, county,
provider, active) and never touches superusers, so granting it to the commission cannot
escalate to a superuser. Group membership then follows the role (accounts.roles).
"""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from core.admin import (
    ScopedCreateView,
    ScopedDeleteView,
    ScopedEditView,
    ScopedHistoryView,
    ScopedIndexView,
    ScopedUsageView,
)
from core.validators import validate_phone

from .models import Role, User


class AccountPolicy(BasePermissionPolicy):
    """The commission (and superusers) may list, add and change non-superuser accounts."""

    ACTIONS = {"add", "change", "view"}

    def user_has_permission(self, user, action):
        return bool(user.is_authenticated and user.is_commission and action in self.ACTIONS)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and not instance.is_superuser

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return User.objects.filter(is_superuser=False)
        return User.objects.none()


account_policy = AccountPolicy(User)


class AccountQuerysetMixin:
    permission_policy = account_policy

    def visible_queryset(self):
        return account_policy.instances_user_has_any_permission_for(self.request.user, ["view"])


class AccountIndexView(AccountQuerysetMixin, ScopedIndexView):
    def get_base_queryset(self):
        return self.visible_queryset().select_related("county", "provider")


class AccountCreateView(AccountQuerysetMixin, ScopedCreateView):
    pass


class AccountEditView(AccountQuerysetMixin, ScopedEditView):
    pass


class AccountDeleteView(AccountQuerysetMixin, ScopedDeleteView):
    pass


class AccountHistoryView(AccountQuerysetMixin, ScopedHistoryView):
    pass


class AccountUsageView(AccountQuerysetMixin, ScopedUsageView):
    pass


class AccountForm(WagtailAdminModelForm):
    phone = forms.CharField(label="手机号", max_length=30, required=False)
    password = forms.CharField(
        label="初始密码", required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="新建账号时必填；修改账号时留空表示不修改密码。",
    )

    class Meta:
        model = User
        fields = ["full_name", "phone", "email", "role", "county", "provider", "is_active"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["full_name"].required = True
        if not self.instance.pk:
            self.fields["password"].required = True
        self.fields["county"].help_text = "区县卫健局账号必填。"
        self.fields["provider"].help_text = "培训机构账号必填。"

    def clean_phone(self):
        value = self.cleaned_data.get("phone") or ""
        if not value.strip():
            return None
        try:
            return validate_phone(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("phone") or cleaned.get("email")) and not self.errors:
            raise ValidationError("请至少填写手机号或电子邮箱中的一项（用于登录）。")
        role = cleaned.get("role")
        # A county or provider link on another role would silently widen what it sees.
        if role != Role.COUNTY:
            cleaned["county"] = None
        if role != Role.PROVIDER:
            cleaned["provider"] = None
        password = cleaned.get("password")
        if password:
            try:
                validate_password(password, self.instance)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned

    def integrity_error(self, exc):
        return None, "该手机号或电子邮箱已被其他账号使用。"

    def save(self, commit=True):
        user = super().save(commit=False)
        if not user.username:
            user.username = user.phone or user.email
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


class AccountViewSet(ModelViewSet):
    model = User
    name = "accounts_user"
    url_prefix = "accounts/users"
    menu_label = "账号与角色"
    icon = "user"
    add_to_admin_menu = True
    menu_order = 900
    index_view_class = AccountIndexView
    add_view_class = AccountCreateView
    edit_view_class = AccountEditView
    delete_view_class = AccountDeleteView
    history_view_class = AccountHistoryView
    usage_view_class = AccountUsageView
    copy_view_enabled = False
    search_fields = ["full_name", "email", "phone"]
    search_backend_name = None
    list_per_page = 50
    list_filter = ["role", "county", "is_active"]
    list_display = [
        "full_name",
        Column("role", label="角色", accessor="get_role_display", sort_key="role"),
        Column("county", label="所属区县", accessor="county"),
        Column("provider", label="所属培训机构", accessor="provider"),
        BooleanColumn("is_active", label="启用", sort_key="is_active"),
        Column("last_login", label="最近登录", sort_key="last_login"),
    ]

    def get_form_class(self, for_update=False):
        return AccountForm

    @property
    def permission_policy(self):
        return account_policy

    def register_permissions(self):
        # This policy does not use Django permissions; nothing to add to the group editor,
        # and Wagtail's own policy for the user model must stay as it is.
        pass

    @property
    def menu_item_class(self):
        class AccountMenuItem(MenuItem):
            def is_shown(self, request):
                return account_policy.user_has_permission(request.user, "view")

        return AccountMenuItem


@hooks.register("register_admin_viewset")
def register_account_viewset():
    return AccountViewSet()
