from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from registry.models import County

from .models import CertificateType, IssuerKind, Status
from .services import check_scan


class DateInput(forms.DateInput):
    input_type = "date"


class ExternalCertificateForm(forms.Form):
    type = forms.ModelChoiceField(
        label="证书类型", queryset=CertificateType.objects.filter(issuer_kind=IssuerKind.EXTERNAL), empty_label="请选择"
    )
    level = forms.CharField(label="等级", max_length=20, required=False, help_text="有等级的证书（如保育师）请填写，如：四级")
    number = forms.CharField(label="证书编号", max_length=50)
    issuer = forms.CharField(label="发证机构", max_length=100)
    issue_date = forms.DateField(label="发证日期", widget=DateInput)
    expiry_date = forms.DateField(label="有效期至", widget=DateInput, required=False, help_text="长期有效可不填")
    scan = forms.FileField(
        label="证书扫描件或照片", help_text="PDF、JPG 或 PNG，不超过 5 MB",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        check_scan(scan, settings.CERT_SCAN_MAX_BYTES)
        return scan

    def clean(self):
        data = super().clean()
        ctype, level = data.get("type"), (data.get("level") or "").strip()
        if ctype is not None:
            if ctype.has_levels and level not in ctype.level_list:
                self.add_error("level", f"请填写等级：{'、'.join(ctype.level_list)} 之一。")
            elif not ctype.has_levels and level:
                self.add_error("level", f"{ctype.name}没有等级，请留空。")
        data["level"] = level
        issue, expiry = data.get("issue_date"), data.get("expiry_date")
        if issue and expiry and expiry < issue:
            self.add_error("expiry_date", "有效期至不能早于发证日期。")
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class SupersedeForm(forms.Form):
    reason = forms.CharField(
        label="换发原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：证书到期换发；姓名或出生日期更正后重新发证",
    )
    course_name = forms.CharField(label="培训课程（如需更正）", max_length=200, required=False)
    revoke_old = forms.BooleanField(label="同时撤销原证书（原证书内容有误时勾选）", required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "通过"), ("reject", "驳回")])
    reason = forms.CharField(label="审核意见", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            raise ValidationError("驳回时请填写原因。")
        return data


class SearchForm(forms.Form):
    q = forms.CharField(label="编号或姓名", max_length=50, required=False)
    type = forms.ModelChoiceField(label="证书类型", queryset=CertificateType.objects.all(), required=False, empty_label="全部")
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部")] + list(Status.choices))
    county = forms.ModelChoiceField(
        label="现任职区县", queryset=County.objects.all(), required=False, empty_label="全部"
    )
    expiring = forms.BooleanField(label="即将到期", required=False)
