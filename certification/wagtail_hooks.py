"""Certificates in the Wagtail admin: the commission manages certificate types (including
whether each counts toward 持证上岗率); the "证书" menu also links the front-office pages for
searching, revoking, reviewing and the public verification page.
"""

from django import forms
from django.forms.models import modelform_factory
from django.urls import reverse, reverse_lazy
from django.utils.functional import lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from core.admin import IntegrityErrorAsFormErrorMixin
from courses.models import CoursePage

from .models import CertificateType, VerificationLog
from .verification import verification_path


class CertificateTypeForm(forms.ModelForm):
    """Hands the chosen courses to CertificateType.clean (which runs after this clean, before
    they are saved): external types list none, a course is on one type at most."""

    def clean(self):
        cleaned = super().clean()
        if "courses" in self.fields:
            self.instance._courses_to_check = list(cleaned.get("courses") or [])
        return cleaned


class CertificateTypeIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("courses")


# Refused input answers 400 (house rule); a duplicate name saved concurrently is a form error.
class CertificateTypeCreateView(IntegrityErrorAsFormErrorMixin, CreateView):
    pass


class CertificateTypeEditView(IntegrityErrorAsFormErrorMixin, EditView):
    pass


def _course_titles(ctype):
    return "、".join(c.title for c in ctype.courses.all()) or "—"


class CertificateTypeViewSet(ModelViewSet):
    model = CertificateType
    icon = "tag"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = CertificateTypeIndexView
    add_view_class = CertificateTypeCreateView
    edit_view_class = CertificateTypeEditView
    search_fields = ["name"]
    search_backend_name = None
    form_fields = [
        "name", "issuer_kind", "counts_toward_rate", "levels", "validity_years", "pdf_template", "courses",
        "sort_order",
    ]
    list_display = [
        "name",
        Column("issuer_kind", label="颁发方", accessor="get_issuer_kind_display", sort_key="issuer_kind"),
        BooleanColumn("counts_toward_rate", label="计入持证上岗率", sort_key="counts_toward_rate"),
        Column("levels", label="等级"),
        Column("validity_years", label="默认有效期（年）", sort_key="validity_years"),
        Column("courses", label="适用课程", accessor=_course_titles),
    ]

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "courses":
            # A checkbox per course, in catalogue order (a city has tens of courses, not thousands).
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["queryset"] = CoursePage.objects.order_by("path")
        return super().formfield_for_dbfield(db_field, **kwargs)

    def get_form_class(self, for_update=False):
        return modelform_factory(
            self.model, form=CertificateTypeForm, formfield_callback=self.formfield_for_dbfield,
            fields=self.get_form_fields(),
        )


class VerificationLogViewSet(ModelViewSet):
    """Read-only (the commission holds only the view permission): who checked what, when."""

    model = VerificationLog
    icon = "list-ul"
    add_to_admin_menu = False
    copy_view_enabled = False
    search_fields = ["number_queried"]
    search_backend_name = None
    form_fields = ["number_queried"]  # never used: nobody holds add/change on the log
    list_display = [
        DateColumn("created_at", label="时间", sort_key="created_at"),
        Column("number_queried", label="查询编号"),
        Column("outcome", label="结果", accessor="get_outcome_display", sort_key="outcome"),
        BooleanColumn("with_token", label="带令牌"),
        Column("channel", label="渠道"),
        Column("ip", label="IP 地址"),
    ]
    list_filter = ["outcome", "channel"]


certificate_type_viewset = CertificateTypeViewSet("certification_type")
verification_log_viewset = VerificationLogViewSet("certification_verificationlog")


@hooks.register("register_admin_viewset")
def register_certificate_type_viewset():
    return certificate_type_viewset


@hooks.register("register_admin_viewset")
def register_verification_log_viewset():
    return verification_log_viewset


class RoleMenuItem(MenuItem):
    """A link shown only to users for whom `test(user)` is true."""

    def __init__(self, label, url, test, **kwargs):
        self.test = test
        super().__init__(label, url, **kwargs)

    def is_shown(self, request):
        return self.test(request.user)


def _can_view_types(user):
    return user.has_perm("certification.view_certificatetype")


certification_menu = Menu(
    items=[
        RoleMenuItem("证书类型", reverse_lazy("certification_type:index"), _can_view_types, icon_name="tag", order=100),
        RoleMenuItem("证书查询与撤销", reverse_lazy("certification:manage"),
                     lambda u: u.is_commission or u.is_county_official, icon_name="search", order=200),
        RoleMenuItem("即将到期", lazy(lambda: reverse("certification:manage") + "?expiring=on", str)(),
                     lambda u: u.is_commission or u.is_county_official, icon_name="time", order=300),
        RoleMenuItem("外部证书审核", reverse_lazy("certification:review_queue"),
                     lambda u: u.is_commission or u.is_county_official, icon_name="tasks", order=400),
        RoleMenuItem("本机构颁发的证书", reverse_lazy("certification:provider"),
                     lambda u: u.is_provider_staff, icon_name="doc-full", order=500),
        RoleMenuItem("查验记录", reverse_lazy("certification_verificationlog:index"),
                     lambda u: u.has_perm("certification.view_verificationlog"), icon_name="list-ul", order=550),
        RoleMenuItem("证书查验（公开页面）", lazy(verification_path, str)(),
                     lambda u: u.is_back_office, icon_name="link-external", order=600),
    ]
)


@hooks.register("register_admin_menu_item")
def register_certification_menu():
    return SubmenuMenuItem("证书", certification_menu, icon_name="doc-full-inverse", name="certification", order=450)
