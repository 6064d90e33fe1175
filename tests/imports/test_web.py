"""The web flow: upload → preview → confirm / good rows only / cancel, with the permission matrix."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob, ImportStatus
from registry.models import Employment, Institution, Person

from tests import factories as f
from tests.factories_imports import (
    INSTITUTION_HEADERS,
    STAFF_HEADERS,
    csv_bytes,
    id_number,
    media_root,  # noqa: F401 (fixture)
    staff_row,
    uscc,
    xls_bytes,
    xlsx_bytes,
    zip_bomb_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

INDEX = reverse("imports:index")
UPLOAD = reverse("imports:upload")


@pytest.fixture
def sunshine(db):
    return f.InstitutionFactory(name="阳光托育园", county=f.county("麒麟区"), uscc=uscc(1))


@pytest.fixture
def moon(db):
    return f.InstitutionFactory(name="月亮托育园", county=f.county("宣威市"), uscc=uscc(2))


def upload(client, kind, data, name="花名册.xlsx"):
    return client.post(UPLOAD, {"kind": kind, "file": SimpleUploadedFile(name, data)})


def latest_job():
    return ImportJob.objects.order_by("-pk").first()


# --- permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,status",
    [
        ("trainee_a", 403), ("editor", 403),
        ("provider_a", 200), ("county_x", 200), ("commission", 200),
    ],
)
def test_index_access(personas, as_user, persona, status):
    assert as_user(personas[persona]).get(INDEX).status_code == status


def test_anonymous_is_sent_to_login(client):
    response = client.get(INDEX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_wrong_method_is_405(personas, as_user):
    assert as_user(personas["commission"]).get(UPLOAD).status_code == 405


def test_provider_staff_cannot_import_staff_rosters(personas, as_user, sunshine):
    client = as_user(personas["provider_a"])
    response = upload(client, "staff", xlsx_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))]))
    assert response.status_code == 400
    assert ImportJob.objects.count() == 0
    assert upload(as_user(personas["trainee_a"]), "staff", b"x").status_code == 403


def test_county_official_rows_of_another_county_are_errors(personas, as_user, sunshine, moon):
    client = as_user(personas["county_x"])  # 麒麟区
    rows = [
        staff_row("张三", id_number(1)),
        staff_row("李四", id_number(2), institution="月亮托育园", county="宣威市"),
    ]
    response = upload(client, "staff", xlsx_bytes(STAFF_HEADERS, rows))
    job = latest_job()
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[job.pk])
    assert (job.rows, job.created, job.error_count, job.county.name) == (2, 1, 1, "麒麟区")
    assert job.errors == [
        {"row": 3, "column": "区县", "value": "宣威市", "message": "您只能导入本区县（麒麟区）的数据。"}
    ]
    page = client.get(response["Location"]).content.decode()
    assert "您只能导入本区县（麒麟区）的数据。" in page
    assert "仅导入无误的 1 行" in page


def test_jobs_of_other_scopes_are_404_and_only_the_uploader_acts(personas, as_user, sunshine):
    owner = as_user(personas["county_x"])
    upload(owner, "staff", xlsx_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))]))
    job = latest_job()
    detail = reverse("imports:detail", args=[job.pk])
    confirm = reverse("imports:confirm", args=[job.pk])
    for persona in ("county_y", "provider_a"):
        client = as_user(personas[persona])
        assert client.get(detail).status_code == 404
        assert client.get(reverse("imports:original", args=[job.pk])).status_code == 404
        assert client.post(confirm, {"mode": "all"}).status_code == 404
    commission = as_user(personas["commission"])
    assert commission.get(detail).status_code == 200
    assert commission.post(confirm, {"mode": "all"}).status_code == 403
    assert as_user(personas["trainee_a"]).get(detail).status_code == 403
    assert as_user(personas["county_x"]).get(reverse("imports:detail", args=[999999])).status_code == 404
    assert Person.objects.count() == 0


# --- the flow ----------------------------------------------------------------------------------------


def test_upload_preview_confirm_then_reimport_unchanged(personas, as_user, sunshine):
    client = as_user(personas["commission"])
    data = csv_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1)), staff_row("李四", id_number(2))], "gb18030")
    response = upload(client, "staff", data, name="花名册.csv")
    job = latest_job()
    assert (job.status, job.rows, job.created, job.error_count) == (ImportStatus.PENDING, 2, 2, 0)
    assert Person.objects.count() == 0  # the preview writes nothing
    page = client.get(response["Location"]).content.decode()
    assert "确认导入" in page

    response = client.post(reverse("imports:confirm", args=[job.pk]), {"mode": "all"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created) == (ImportStatus.IMPORTED, 2)
    assert sorted(Employment.objects.values_list("person__name", flat=True)) == ["张三", "李四"]
    # A second click does not import twice.
    client.post(reverse("imports:confirm", args=[job.pk]), {"mode": "all"})
    assert Employment.objects.count() == 2

    upload(client, "staff", data, name="花名册.csv")
    again = latest_job()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    # The history lists both, and the stored original can be downloaded as it was.
    page = client.get(INDEX).content.decode()
    assert page.count("花名册.csv") == 2
    original = client.get(reverse("imports:original", args=[job.pk]))
    assert b"".join(original.streaming_content) == data


def test_originals_are_kept_in_private_storage(personas, as_user, sunshine, media_root, settings):
    upload(as_user(personas["commission"]), "staff", xlsx_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))]))
    stored = latest_job().file
    assert (media_root / stored.name).is_file()
    # Not under MEDIA_ROOT, so never reachable through /media/: only the checked view serves it.
    assert not (settings.MEDIA_ROOT / "imports").exists()


def test_file_with_errors_imports_nothing_unless_good_rows_only(personas, as_user, sunshine):
    client = as_user(personas["county_x"])
    rows = [staff_row("张三", id_number(1)), staff_row("李四", 5.30302199001011e17)]
    upload(client, "staff", xlsx_bytes(STAFF_HEADERS, rows))
    job = latest_job()
    client.post(reverse("imports:confirm", args=[job.pk]), {"mode": "all"})
    job.refresh_from_db()
    assert job.status == ImportStatus.PENDING
    assert Person.objects.count() == 0

    sheet = client.get(reverse("imports:errors", args=[job.pk]))
    ws = openpyxl.load_workbook(io.BytesIO(sheet.content)).active
    assert [c.value for c in ws[1]] == ["行号", "列", "内容", "问题"]
    assert [c.value for c in ws[2]][:3] == [3, "身份证号", "5.30302199001011E+17"]

    client.post(reverse("imports:confirm", args=[job.pk]), {"mode": "good"})
    job.refresh_from_db()
    assert (job.status, job.good_rows_only, job.created) == (ImportStatus.IMPORTED, True, 1)
    assert list(Person.objects.values_list("name", flat=True)) == ["张三"]


def test_cancel_writes_nothing(personas, as_user, sunshine):
    client = as_user(personas["commission"])
    upload(client, "staff", xlsx_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))]))
    job = latest_job()
    client.post(reverse("imports:cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    client.post(reverse("imports:confirm", args=[job.pk]), {"mode": "all"})
    assert Person.objects.count() == 0


def test_refused_files_get_a_message_and_a_history_entry(personas, as_user):
    client = as_user(personas["commission"])
    response = upload(client, "staff", zip_bomb_bytes())
    assert response.status_code == 400
    assert "压缩炸弹" in response.content.decode()
    response = upload(client, "institutions", b"just some text, not a table", name="名录.docx")
    assert response.status_code == 400 and "只支持 .xlsx、.xls 和 .csv" in response.content.decode()
    job = latest_job()
    assert (job.status, bool(job.file)) == (ImportStatus.REJECTED, False)


def test_institutions_via_web_for_the_county(personas, as_user):
    client = as_user(personas["county_x"])
    rows = [
        ["阳光托育园", None, "麒麟区", "民办托育机构", "是", "未备案", None, 30, "无"],
        ["宣威园", None, "宣威市", "民办托育机构", "是", "未备案", None, 30, "无"],
    ]
    upload(client, "institutions", xlsx_bytes(INSTITUTION_HEADERS, rows))
    job = latest_job()
    assert (job.created, job.error_count) == (1, 1)
    client.post(reverse("imports:confirm", args=[job.pk]), {"mode": "good"})
    assert list(Institution.objects.values_list("name", "county__name")) == [("阳光托育园", "麒麟区")]


@pytest.mark.parametrize("kind", ["institutions", "staff"])
def test_template_has_exact_headers_and_an_example_row_that_imports(personas, as_user, kind, tmp_path):
    client = as_user(personas["commission"])
    response = client.get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    expected = INSTITUTION_HEADERS if kind == "institutions" else STAFF_HEADERS
    assert [c.value for c in ws[1]] == expected
    assert ws.max_row >= 2 and ws.cell(row=2, column=1).value
    assert "说明" in wb.sheetnames
    if kind == "staff":
        f.InstitutionFactory(name="麒麟区阳光托育园", county=f.county("麒麟区"), uscc=ws.cell(row=2, column=5).value)
    upload(client, kind, response.content, name="模板.xlsx")
    job = latest_job()
    assert (job.created, job.errors) == (1, [])


def test_template_of_unknown_kind_is_404(personas, as_user):
    assert as_user(personas["commission"]).get("/imports/templates/nope.xlsx").status_code == 404
    assert as_user(personas["trainee_a"]).get(reverse("imports:template", args=["staff"])).status_code == 403
    provider = as_user(personas["provider_a"])
    assert provider.get(reverse("imports:template", args=["staff"])).status_code == 403
    assert provider.get(reverse("imports:template", args=["training"])).status_code == 200


def test_oversized_upload_is_refused_from_its_length(personas, as_user, settings):
    settings.IMPORT_MAX_BYTES = 100 * 1024
    client = as_user(personas["commission"])
    response = upload(client, "staff", b"x" * (300 * 1024), name="big.csv")
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_upload_still_needs_the_csrf_token(personas):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    f.log_in(client, personas["commission"])
    response = client.post(UPLOAD, {"kind": "staff", "file": SimpleUploadedFile("a.csv", b"a,b\n1,2\n")})
    assert response.status_code == 403


@pytest.mark.parametrize("persona,shown", [("commission", True), ("provider_a", True), ("editor", False)])
def test_admin_menu_links_to_imports_for_importers(personas, as_user, persona, shown):
    response = as_user(personas[persona]).get("/admin/")
    assert response.status_code == 200
    assert (INDEX in response.content.decode()) is shown


def test_xls_upload_previews(personas, as_user, sunshine):
    client = as_user(personas["county_x"])
    upload(client, "staff", xls_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))]), name="花名册.xls")
    job = latest_job()
    assert (job.rows, job.created, job.errors, job.original_name) == (1, 1, [], "花名册.xls")


def test_name_with_digits_is_the_same_error_in_preview_and_on_confirm(personas, as_user, sunshine):
    # A name cell holding digits usually means a shifted column: the preview flags the row,
    # and confirming re-checks the stored file and agrees (never writes what the preview refused).
    client = as_user(personas["county_x"])
    rows = [staff_row("张三", id_number(1)), staff_row("李四2", id_number(2))]
    upload(client, "staff", xlsx_bytes(STAFF_HEADERS, rows))
    job = latest_job()
    preview = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "姓名中不应包含数字" in preview
    client.post(reverse("imports:confirm", args=[job.pk]), {"mode": "all"})
    job.refresh_from_db()
    assert job.status == ImportStatus.PENDING and Person.objects.count() == 0
    client.post(reverse("imports:confirm", args=[job.pk]), {"mode": "good"})
    job.refresh_from_db()
    assert (job.status, job.created) == (ImportStatus.IMPORTED, 1)
    assert list(Person.objects.values_list("name", flat=True)) == ["张三"]
