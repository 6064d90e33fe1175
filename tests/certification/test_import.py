"""Import kind `certificates` (持证记录): upsert by type + number, errors per row, county scope."""

import datetime

import pytest

from certification.models import Certificate, ReviewStatus
from core.imports.engine import run_import
from core.imports.scope import ImportScope

from tests import factories as f
from tests.factories_certification import ExternalCertificateFactory

pytestmark = pytest.mark.django_db

HEADER = "姓名,身份证号,证书类型,等级,证书编号,发证机构,发证日期,有效期至\n"


def csv(*rows):
    return (HEADER + "".join(",".join(r) + "\n" for r in rows)).encode("utf-8-sig")


def test_import_creates_then_unchanged_and_counts(personas):
    person = f.PersonFactory(name="赵丽")
    rows = [
        ("赵丽", person.id_number, "保育师", "四级", "BYS-001", "曲靖市人社局", "2023-06-30", ""),
        ("钱芳", f.next_id_number(), "护士执业证书", "", "HS-9", "云南省卫健委", "2022/1/5", "2027年1月4日"),
    ]
    report = run_import("certificates", csv(*rows), "持证.csv")
    assert report.as_dict()["created"] == 2 and not report.errors
    cert = Certificate.objects.get(number="BYS-001")
    assert cert.person == person and cert.review_status == ReviewStatus.APPROVED and cert.level == "四级"
    assert Certificate.objects.valid_on(datetime.date(2024, 1, 1)).count() == 2
    again = run_import("certificates", csv(*rows), "持证.csv")
    assert again.as_dict()["unchanged"] == 2 and Certificate.objects.count() == 2


def test_import_errors_write_nothing(personas):
    other = ExternalCertificateFactory(number="BYS-777", review_status=ReviewStatus.APPROVED)
    rows = [
        ("甲", f.next_id_number(), "保育师", "", "BYS-1", "人社局", "2023-06-30", ""),  # level missing
        ("乙", f.next_id_number(), "不存在的证", "", "X-1", "人社局", "2023-06-30", ""),  # unknown type
        ("丙", f.next_id_number(), "护士执业证书", "", "HS-1", "卫健委", "2023-06-30", "2020-01-01"),  # expiry < issue
        ("丁", f.next_id_number(), "保育师", "四级", "BYS-777", "人社局", "2023-06-30", ""),  # someone else's
        ("戊", f.next_id_number(), "育婴员", "四级", "YY-1", "人社局", "2023-06-30", ""),  # fine
    ]
    report = run_import("certificates", csv(*rows), "持证.csv")
    assert {e.row for e in report.errors} == {2, 3, 4, 5}
    assert Certificate.objects.count() == 1 and Certificate.objects.get() == other


def test_import_approves_pending_submission_and_county_scope(personas):
    person = f.PersonFactory(name="孙敏")
    f.EmploymentFactory(person=person, institution=f.InstitutionFactory(county=f.county("麒麟区")))
    pending = ExternalCertificateFactory(person=person, number="BYS-55", level="四级")
    row = ("孙敏", person.id_number, "保育师", "四级", "BYS-55", pending.issuer, pending.issue_date.isoformat(), "")
    stranger = ("周杰", f.next_id_number(), "保育师", "四级", "BYS-56", "人社局", "2023-01-01", "")
    xuanwei = ImportScope(county_id=f.county("宣威市").pk, county_name="宣威市")
    report = run_import("certificates", csv(row), "持证.csv", scope=xuanwei)
    assert report.errors and "本区县" in report.errors[0].message
    qilin = ImportScope(county_id=f.county("麒麟区").pk, county_name="麒麟区")
    report = run_import("certificates", csv(row, stranger), "持证.csv", scope=qilin, good_rows_only=True)
    assert report.as_dict()["updated"] == 1 and len(report.errors) == 1
    pending.refresh_from_db()
    assert pending.review_status == ReviewStatus.APPROVED
