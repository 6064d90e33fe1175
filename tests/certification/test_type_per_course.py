"""Which certificate a course leads to: the commission links courses to a platform certificate
type in the Wagtail admin; runs of a linked course issue that type, other runs the default one."""

import datetime
import subprocess

import pytest
import time_machine
from auditlog.models import LogEntry

from certification import pdf as cert_pdf
from certification.models import CertificateType, IssuerKind, PdfTemplate
from certification.services import issue_for_enrollment, issue_for_run, platform_type, type_for_course
from training.models import TrainingResult

from tests import factories_training as ft
from tests.factories_certification import finished_run, private_storage  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

DEFAULT = "托育从业人员培训合格证书"
DIRECTOR = "托育机构负责人培训合格证书"
ADD_URL = "/admin/certification_type/new/"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, tzinfo=datetime.UTC)):
        yield


def _form(name, kind="platform", courses=(), sort_order=1):
    return {
        "name": name, "issuer_kind": kind, "counts_toward_rate": "on", "levels": "", "validity_years": "5",
        "pdf_template": PdfTemplate.TRAINING if kind == "platform" else "", "sort_order": sort_order,
        "courses": [c.pk for c in courses],
    }


def _run_of(course, provider, passed=2, failed=0):
    run = finished_run(provider, passed=passed, failed=failed)
    run.course = course
    run.save(update_fields=["course"])
    return run


def test_commission_links_a_course_and_its_runs_issue_that_type(personas, as_user):
    director_course = ft.course(title="托育机构负责人培训")
    other_course = ft.course(title="保育人员岗前培训")
    client = as_user(personas["commission"])
    # The form lists the courses as checkboxes.
    form_page = client.get(ADD_URL).content.decode()
    assert 'type="checkbox"' in form_page and "托育机构负责人培训" in form_page and "适用课程" in form_page

    response = client.post(ADD_URL, _form(DIRECTOR, courses=[director_course]))
    assert response.status_code == 302, response.content.decode()[:2000]
    director = CertificateType.objects.get(name=DIRECTOR)
    assert list(director.courses.all()) == [director_course.page_ptr.specific]
    # The default (first) platform type is unchanged: the new one sorts after it.
    assert platform_type().name == DEFAULT
    # The change is audit-logged with the commission as actor, courses included.
    entry = LogEntry.objects.get_for_object(director).order_by("-pk").first()
    assert entry.actor == personas["commission"]
    assert any("courses" in (e.changes_dict or {}) for e in LogEntry.objects.get_for_object(director))
    # The list shows what each type is issued for.
    listing = client.get("/admin/certification_type/").content.decode()
    assert "托育机构负责人培训" in listing

    provider = personas["provider_a"].provider
    director_run = _run_of(director_course, provider, passed=2)
    other_run = _run_of(other_course, provider, passed=1)
    issued = issue_for_run(director_run, personas["provider_a"])
    assert len(issued) == 2 and {c.type.name for c in issued} == {DIRECTOR}
    assert all(c.expiry_date == datetime.date(2031, 3, 9) for c in issued)  # the type's own validity (5 years)
    [other] = issue_for_run(other_run, personas["provider_a"])
    assert other.type.name == DEFAULT
    # One enrolment at a time: the same rule.
    late = ft.EnrollmentFactory(run=director_run, result=TrainingResult.PASSED)
    cert, created = issue_for_enrollment(late, personas["provider_a"])
    assert created and cert.type.name == DIRECTOR


def test_pdf_title_is_the_type_name(personas, tmp_path):
    course = ft.course(title="托育机构负责人培训")
    director = CertificateType.objects.create(
        name=DIRECTOR, issuer_kind=IssuerKind.PLATFORM, validity_years=3, pdf_template=PdfTemplate.TRAINING,
        sort_order=1,
    )
    director.courses.add(course)
    run = _run_of(course, personas["provider_a"].provider, passed=1)
    [cert] = issue_for_run(run, personas["provider_a"])
    path = tmp_path / "c.pdf"
    path.write_bytes(cert_pdf.render(cert))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert DIRECTOR in text and DEFAULT not in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert f"Title:           {DIRECTOR} {cert.number}" in info


def test_external_type_cannot_list_courses(personas, as_user):
    course = ft.course()
    client = as_user(personas["commission"])
    response = client.post(ADD_URL, _form("某外部证书", kind="external", courses=[course]))
    assert response.status_code == 400
    assert "外部机构颁发的证书类型不能选择适用课程" in response.content.decode()
    assert not CertificateType.objects.filter(name="某外部证书").exists()

    # A platform type that lists a course cannot be turned into an external one with it.
    director = CertificateType.objects.create(name=DIRECTOR, issuer_kind=IssuerKind.PLATFORM, sort_order=1)
    director.courses.add(course)
    edit = f"/admin/certification_type/edit/{director.pk}/"
    response = client.post(edit, _form(DIRECTOR, kind="external", courses=[course]))
    assert response.status_code == 400
    assert "外部机构颁发的证书类型不能选择适用课程" in response.content.decode()
    director.refresh_from_db()
    assert director.issuer_kind == IssuerKind.PLATFORM
    # Clearing the courses at the same time is fine (the form's choice, not the saved one, counts).
    response = client.post(edit, _form(DIRECTOR, kind="external", courses=[]))
    assert response.status_code == 302
    director.refresh_from_db()
    assert director.issuer_kind == IssuerKind.EXTERNAL and not director.courses.exists()


def test_a_course_leads_to_one_type_at_most(personas, as_user):
    course = ft.course(title="托育机构负责人培训")
    spare = ft.course(title="托育服务创业培训")
    client = as_user(personas["commission"])
    assert client.post(ADD_URL, _form(DIRECTOR, courses=[course])).status_code == 302
    response = client.post(ADD_URL, _form("另一种平台证书", courses=[course, spare]))
    body = response.content.decode()
    assert response.status_code == 400
    assert "一门课程只能对应一种证书类型" in body and "“托育机构负责人培训”已对应证书类型“托育机构负责人培训合格证书”" in body
    assert not CertificateType.objects.filter(name="另一种平台证书").exists()
    # Saving the first type again with its own course is no clash.
    director = CertificateType.objects.get(name=DIRECTOR)
    response = client.post(f"/admin/certification_type/edit/{director.pk}/", _form(DIRECTOR, courses=[course, spare]))
    assert response.status_code == 302
    assert set(director.courses.values_list("pk", flat=True)) == {course.pk, spare.pk}
    # The model's own clean says the same outside the admin.
    other = CertificateType.objects.create(name="另一种平台证书", issuer_kind=IssuerKind.PLATFORM, sort_order=9)
    other.courses.add(spare)  # written around the form
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="一门课程只能对应一种证书类型"):
        other.full_clean()
    # Even then issuance is deterministic: the first type by sort order.
    assert type_for_course(spare) == director


def test_only_the_commission_edits_types(personas, as_user):
    course = ft.course()
    for who in ("provider_a", "county_x", "trainee_a"):
        response = as_user(personas[who]).post(ADD_URL, _form(DIRECTOR, courses=[course]))
        assert response.status_code in (302, 403)
    assert not CertificateType.objects.filter(name=DIRECTOR).exists()


def test_demo_links_the_director_course_idempotently(personas):
    from certification import demo

    course = ft.course(title="托育机构负责人培训", slug="director")
    first = demo._director_type()
    second = demo._director_type()
    assert first == second and first.name == DIRECTOR
    assert list(first.courses.values_list("pk", flat=True)) == [course.pk]
    assert CertificateType.objects.filter(name=DIRECTOR).count() == 1
    assert platform_type().name == DEFAULT
    assert type_for_course(course) == first
    assert type_for_course(ft.course()).name == DEFAULT


def test_inspect_page_lists_the_courses(personas, as_user):
    course = ft.course(title="托育机构负责人培训")
    director = CertificateType.objects.create(name=DIRECTOR, issuer_kind=IssuerKind.PLATFORM, sort_order=1)
    director.courses.add(course)
    body = as_user(personas["commission"]).get(f"/admin/certification_type/inspect/{director.pk}/").content.decode()
    assert "适用课程" in body and "托育机构负责人培训" in body
