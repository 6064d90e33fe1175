"""Sign up and log in with a mainland mobile number or an email address."""

import re

import pytest

from accounts.models import Role, User
from accounts.sms import MemorySender

from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "Qj-childcare-2026"


@pytest.fixture
def sms(settings):
    settings.SMS_SENDER = "accounts.sms.MemorySender"
    MemorySender.outbox.clear()
    return MemorySender.outbox


def signup(client, **fields):
    data = {"full_name": "李小红", "password1": PASSWORD, "password2": PASSWORD, **fields}
    return client.post("/accounts/signup/", data)


def test_sign_up_with_email_creates_a_trainee(client):
    response = signup(client, email="lixh@example.cn")
    assert response.status_code == 302
    user = User.objects.get(email="lixh@example.cn")
    assert user.role == Role.TRAINEE
    assert user.full_name == "李小红"
    assert client.get("/me/").status_code == 200


def test_sign_up_with_phone_needs_the_sms_code(client, sms):
    response = signup(client, phone="+86 139-1234-5678")
    assert response.status_code == 302
    user = User.objects.get(phone="13912345678")  # normalised
    assert not user.phone_verified
    (phone, message), = sms
    assert phone == "13912345678"
    code = re.search(r"验证码是 (\S+)，", message).group(1)
    response = client.post("/accounts/phone/verify/", {"code": code})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone_verified


def test_sign_up_needs_phone_or_email(client):
    response = signup(client)
    assert response.status_code == 200
    assert "请至少填写手机号或电子邮箱中的一项" in response.content.decode()
    assert not User.objects.exists()


def test_invalid_phone_is_explained_in_chinese(client):
    response = signup(client, phone="12345")
    assert "手机号应为 11 位中国大陆手机号码" in response.content.decode()
    assert not User.objects.exists()


def test_common_password_is_refused(client):
    response = client.post(
        "/accounts/signup/",
        {"full_name": "李小红", "email": "a@example.cn", "password1": "password123", "password2": "password123"},
    )
    assert response.status_code == 200
    assert not User.objects.exists()


@pytest.mark.parametrize("login", ["13912345678", "139 1234 5678", "lixh@example.cn"])
def test_log_in_with_phone_or_email(client, login):
    f.UserFactory(email="lixh@example.cn", phone="13912345678", phone_verified=True, password=PASSWORD)
    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/me/").status_code == 200


def test_wrong_password_does_not_log_in(client):
    f.UserFactory(email="lixh@example.cn", password=PASSWORD)
    response = client.post("/accounts/login/", {"login": "lixh@example.cn", "password": "wrong-password"})
    assert response.status_code == 200
    assert client.get("/me/").status_code == 302


def test_staff_role_needs_its_organisation(db):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    user = User(username="x", role=Role.COUNTY)
    with pytest.raises(ValidationError):
        user.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()
