"""Public verification: each status, number alone never reveals the holder, rate limits, logging."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from wagtail.models import ReferenceIndex

from certification.models import VerificationLog, VerificationOutcome
from certification.services import issue_certificate, revoke, supersede
from certification.verification import verification_url

from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/certificates/verify/"
API = "/certificates/verify/api/"


@pytest.fixture
def cert(personas):
    person = f.PersonFactory(name="张晓明")
    return issue_certificate(
        person, by_user=personas["provider_a"], provider=personas["provider_a"].provider,
        course_name="保育人员岗前培训", hours=80, issue_date=datetime.date(2025, 5, 20),
    )


def _path(cert):
    return verification_url(cert, absolute=False)


@time_machine.travel(datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC))
def test_token_link_shows_masked_name_and_facts(client, cert):
    response = client.get(_path(cert))
    body = response.content.decode()
    assert response.status_code == 200
    assert "有效" in body and "张*明" in body and "张晓明" not in body
    assert "曲靖医学高等专科学校" in body and "2025-05-20" in body
    assert 'name="robots" content="noindex' in body
    assert response["X-Robots-Tag"].startswith("noindex")
    log = VerificationLog.objects.get()
    assert log.outcome == VerificationOutcome.FOUND and log.certificate == cert and log.with_token


@time_machine.travel(datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC))
def test_number_alone_shows_status_and_type_only(client, cert):
    response = client.get(URL, {"n": cert.number.lower()})
    body = response.content.decode()
    assert response.status_code == 200
    assert "有效" in body and "托育从业人员培训合格证书" in body
    assert "张" not in body.split("查验结果")[1]  # no trace of the holder
    assert "曲靖医学高等专科学校" not in body
    data = client.get(API, {"n": cert.number}).json()
    assert set(data) == {"number", "status", "status_display", "type", "superseded_by"}
    assert data["status"] == "valid"
    # A wrong token is treated like no token.
    data = client.get(API, {"n": cert.number, "t": "x" * 32}).json()
    assert "holder" not in data


def test_json_with_token(client, cert):
    with time_machine.travel(datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC)):
        data = client.get(API, {"n": cert.number, "t": cert.verification_token}).json()
    assert data["holder"] == "张*明"
    assert data["status"] == "valid" and data["issue_date"] == "2025-05-20" and data["expiry_date"] == "2028-05-19"
    assert data["hours"] == "80"


def test_expired_status(client, cert):
    with time_machine.travel(datetime.datetime(2028, 6, 1, 12, tzinfo=datetime.UTC)):
        data = client.get(API, {"n": cert.number, "t": cert.verification_token}).json()
    assert data["status"] == "expired" and data["status_display"] == "已过期"


def test_revoked_shows_date_and_reason(client, cert, personas):
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC)):
        revoke(cert, personas["commission"], "考核材料造假")
        response = client.get(_path(cert))
        data = client.get(API, {"n": cert.number, "t": cert.verification_token}).json()
    body = response.content.decode()
    assert "已撤销" in body and "考核材料造假" in body and "2026-02-01" in body
    assert data["status"] == "revoked" and data["revoked_on"] == "2026-02-01"


def test_superseded_says_which_replaced_it(client, cert, personas):
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC)):
        new = supersede(cert, personas["commission"], "姓名更正后换发")
        data = client.get(API, {"n": cert.number}).json()
    assert data["superseded_by"] == new.number
    assert new.number != cert.number


@pytest.mark.parametrize("number", ["QJTY-2025-999999", "not-a-number", "'; select 1", "", "Q" * 500])
def test_not_found_and_malformed_get_the_same_answer(client, cert, number):
    response = client.get(API, {"n": number, "t": cert.verification_token})
    assert response.status_code == 404
    assert response.json() == client.get(API, {"n": "QJTY-2025-999998"}).json()
    page = client.get(URL, {"n": number or "x"})
    assert page.status_code == 404 and "未查到该证书" in page.content.decode()


def test_external_certificates_are_not_publicly_verifiable(client, personas):
    from tests.factories_certification import ExternalCertificateFactory

    ext = ExternalCertificateFactory(number="QJTY-2025-000777")
    assert client.get(API, {"n": ext.number, "t": ext.verification_token}).status_code == 404


def test_rate_limit_per_ip(client, cert, settings):
    settings.CERT_VERIFY_RATE_LIMIT = 3
    for _ in range(3):
        assert client.get(API, {"n": cert.number}).status_code == 200
    limited = client.get(API, {"n": cert.number})
    assert limited.status_code == 429
    assert client.get(URL, {"n": cert.number}).status_code == 429
    # Another address still gets answers.
    assert client.get(API, {"n": cert.number}, REMOTE_ADDR="10.0.0.9").status_code == 200
    assert VerificationLog.objects.filter(outcome=VerificationOutcome.RATE_LIMITED).count() == 2


def test_empty_form_needs_no_login_and_logs_nothing(client):
    response = client.get(URL)
    assert response.status_code == 200 and "证书查验" in response.content.decode()
    assert VerificationLog.objects.count() == 0
    assert client.post(URL).status_code == 405


def test_verify_urls_module_mounts_at_verify(client, cert, settings):
    """config/urls.py can mount the page at /verify/ with one line; the QR then points there."""
    from django.urls import clear_url_caches, include, path

    import config.urls

    urlconf = type("U", (), {"urlpatterns": [path("verify/", include("certification.verify_urls"))] + config.urls.urlpatterns})
    settings.ROOT_URLCONF = urlconf
    clear_url_caches()
    try:
        assert reverse("verify:page") == "/verify/"
        assert verification_url(cert).startswith(settings.CERT_PUBLIC_BASE_URL.rstrip("/") + "/verify/?n=")
        assert client.get(_path(cert)).status_code == 200
    finally:
        clear_url_caches()


def test_client_ip_header_behind_proxy(client, cert, settings):
    settings.CERT_VERIFY_RATE_LIMIT = 1
    settings.CERT_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert client.get(API, {"n": cert.number}, HTTP_X_REAL_IP="1.2.3.4").status_code == 200
    assert client.get(API, {"n": cert.number}, HTTP_X_REAL_IP="1.2.3.5").status_code == 200
    assert client.get(API, {"n": cert.number}, HTTP_X_REAL_IP="1.2.3.4").status_code == 429
    assert VerificationLog.objects.filter(ip="1.2.3.5").count() == 1


# --- cheap enough for a public page (issue 9: ≥ 0.30 of a bare Django view): one SELECT for the
# certificate and one INSERT for the log, whatever the certificate shows; the log rows (one per
# lookup, kept) cost Wagtail's reference index nothing.


@time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC))
def test_a_qr_lookup_is_one_select_and_one_logged_insert(cert, personas, django_assert_num_queries):
    revoke(cert, personas["commission"], "考核材料造假")
    new = supersede(cert, personas["commission"], "姓名更正后换发")
    visitor = Client()  # a phone scanning the QR code: no cookies
    with django_assert_num_queries(2):
        response = visitor.get(verification_url(cert, absolute=False))
    body = response.content.decode()
    assert response.status_code == 200
    # Every fact of the answer, from the one SELECT: holder (masked), type, course, hours,
    # dates, revocation and the certificate that replaced it.
    for text in ("张*明", "托育从业人员培训合格证书", "保育人员岗前培训", "80", "2025-05-20", "2026-03-01",
                 "考核材料造假", new.number, "姓名更正后换发"):
        assert text in body, text
    assert "张晓明" not in body
    log = VerificationLog.objects.get()
    assert log.outcome == VerificationOutcome.FOUND and log.certificate_id == cert.pk and log.channel == "page"


def test_number_only_json_lookup_is_two_queries_and_every_outcome_is_logged(cert, django_assert_num_queries):
    visitor = Client()
    with django_assert_num_queries(2):
        data = visitor.get(API, {"n": cert.number}).json()
    assert data["number"] == cert.number and "holder" not in data
    # "Not found" answers (a 404, which Wagtail's redirects also look at) and malformed
    # numbers (never looked up) are logged too.
    assert visitor.get(URL, {"n": "QJTY-2025-999999"}).status_code == 404
    assert visitor.get(API, {"n": "'; select 1"}).status_code == 404
    outcomes = list(VerificationLog.objects.order_by("pk").values_list("channel", "number_queried", "outcome"))
    assert outcomes == [
        ("json", cert.number, VerificationOutcome.FOUND_NUMBER_ONLY),
        ("page", "QJTY-2025-999999", VerificationOutcome.NOT_FOUND),
        ("json", "'; select 1", VerificationOutcome.NOT_FOUND),
    ]


def test_log_rows_are_kept_out_of_wagtails_reference_index(client, cert):
    for _ in range(3):
        assert client.get(verification_url(cert, absolute=False)).status_code == 200
    assert VerificationLog.objects.count() == 3
    log_type = ContentType.objects.get_for_model(VerificationLog)
    assert not ReferenceIndex.objects.filter(content_type=log_type).exists()
    assert not ReferenceIndex.is_indexed(VerificationLog)
