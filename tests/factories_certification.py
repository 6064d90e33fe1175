"""Factories and fixtures for certification tests."""

import datetime

import factory
import pytest

from certification.models import Certificate, CertificateType, ReviewStatus, Source

from . import factories as f


def ctype(name="托育从业人员培训合格证书"):
    """Certificate types come from the data migration."""
    return CertificateType.objects.get(name=name)


class CertificateFactory(factory.django.DjangoModelFactory):
    """A platform certificate with a number outside the real sequence (tests of numbering use services)."""

    class Meta:
        model = Certificate

    person = factory.SubFactory(f.PersonFactory)
    type = factory.LazyFunction(ctype)
    number = factory.Sequence(lambda n: f"QJTY-2099-{n + 1:06d}")
    source = Source.PLATFORM
    issuer = "曲靖医学高等专科学校"
    course_name = "托育机构保育人员培训"
    hours = 80
    issue_date = datetime.date(2025, 3, 1)
    expiry_date = datetime.date(2028, 2, 29)
    review_status = ReviewStatus.APPROVED


class ExternalCertificateFactory(CertificateFactory):
    type = factory.LazyFunction(lambda: ctype("保育师"))
    level = "四级"
    number = factory.Sequence(lambda n: f"BYS{n:08d}")
    source = Source.EXTERNAL
    issuer = "云南省人力资源和社会保障厅"
    course_name = ""
    hours = None
    expiry_date = None
    review_status = ReviewStatus.PENDING


@pytest.fixture
def private_storage(settings, tmp_path):
    """Scans and PDFs go to a temporary folder for the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "private"


# Minimal valid file heads for scan uploads.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def finished_run(provider, passed=3, failed=1, end_date=datetime.date(2026, 3, 6)):
    """A finished run of `provider` with `passed` 合格 and `failed` 不合格 enrolments (and records)."""
    from django.utils import timezone

    from training.models import RecordSource, RunStatus, TrainingResult

    from .factories_training import EnrollmentFactory, RunFactory, TrainingRecordFactory

    run = RunFactory(
        provider=provider, status=RunStatus.FINISHED, finished_at=timezone.now(),
        start_date=end_date - datetime.timedelta(days=4), end_date=end_date,
        enrol_opens=end_date - datetime.timedelta(days=40), enrol_closes=end_date - datetime.timedelta(days=5),
    )
    for i in range(passed + failed):
        result = TrainingResult.PASSED if i < passed else TrainingResult.FAILED
        enrollment = EnrollmentFactory(run=run, result=result)
        TrainingRecordFactory(
            person=enrollment.person, enrollment=enrollment, provider=provider, county=run.county,
            course_name=run.course.title, completion_date=end_date, hours=12, result=result,
            source=RecordSource.PLATFORM,
        )
    return run
