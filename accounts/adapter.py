"""allauth adapter: phone numbers live on the user model; codes go through accounts.sms."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.core.exceptions import ValidationError

from core.validators import normalise_phone, validate_phone

from .models import Role, User
from .sms import send_sms


class AccountAdapter(DefaultAccountAdapter):
    def clean_phone(self, phone):
        try:
            return validate_phone(phone)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages[0]) from None

    def phone_form_field(self, **kwargs):
        from allauth.account.fields import PhoneField

        # allauth's field insists on E.164 (+86…); people here type 11 digits, so drop its
        # validator and let clean_phone() normalise and check the mainland format.
        kwargs.setdefault("label", "手机号")
        kwargs["validators"] = []
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"placeholder": "11 位手机号", "type": "tel", "autocomplete": "tel"}),
        )
        return PhoneField(**kwargs)

    def send_verification_code_sms(self, user, phone, code, **kwargs):
        send_sms(phone, f"【曲靖托育】您的验证码是 {code}，15 分钟内有效。")

    def send_unknown_account_sms(self, phone, **kwargs):
        send_sms(phone, "【曲靖托育】有人用此手机号尝试登录，但该号码尚未注册。")

    def send_account_already_exists_sms(self, phone):
        send_sms(phone, "【曲靖托育】此手机号已注册，如忘记密码请使用“找回密码”。")

    def set_phone(self, user, phone, verified):
        user.phone = phone
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user):
        if user.phone:
            return user.phone, user.phone_verified
        return None

    def set_phone_verified(self, user, phone):
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone):
        return User.objects.filter(phone=normalise_phone(phone)).order_by("pk").first()

    def populate_username(self, request, user):
        # People never see or type the username; make it unique and stable.
        if not user.username:
            import secrets

            user.username = "u_" + secrets.token_hex(8)

    def save_user(self, request, user, form, commit=True):
        user.role = Role.TRAINEE  # self sign-up only ever creates trainees
        return super().save_user(request, user, form, commit=commit)
