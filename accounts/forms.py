from django import forms


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's sign-up form. Either phone or email is required."""

    full_name = forms.CharField(label="姓名", max_length=50)

    def clean(self):
        cleaned = super().clean()
        if not (self.data.get("phone") or self.data.get("email")):
            raise forms.ValidationError("请至少填写手机号或电子邮箱中的一项。")
        return cleaned

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])
