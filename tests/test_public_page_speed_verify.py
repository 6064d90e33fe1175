"""The public verification page stays cheap (issue 9: ≥ 0.30 of a bare Django view): one
SELECT for the certificate and one INSERT for the log, whatever the certificate shows, and
the log rows (one per lookup, kept) cost Wagtail's reference index nothing."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from wagtail.models import ReferenceIndex

from certification.models import VerificationLog, VerificationOutcome
from certification.services import issue_certificate, revoke, supersede
from certification.verification import verification_url

from . import factories as f

pytestmark = pytest.mark.django_db

URL = "/certificates/verify/"
API = "/certificates/verify/api/"


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cert(personas):
    person = f.PersonFactory(name="张晓明")
    return issue_certificate(
        person, by_user=personas["provider_a"], provider=personas["provider_a"].provider,
        course_name="保育人员岗前培训", hours=80, issue_date=datetime.date(2025, 5, 20),
    )


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
