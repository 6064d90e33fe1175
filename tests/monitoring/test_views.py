"""Dashboard, drill-down, reports and snapshots: who sees what, bad input, and that the
dashboard, the command, the Excel and the PDF show the same numbers.

Reports are asked for with a POST and made by the task queue (monitoring.tasks): here the
ImmediateBackend of development runs them at once, except where a test checks that the request
only enqueues (django-tasks' DummyBackend, which keeps what is queued and runs nothing)."""

import io
import json
import subprocess
import tempfile
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks import task_backends

from monitoring import metrics as m
from monitoring import reports, tasks
from monitoring.models import ReportFile, ReportStatus, Snapshot
from registry.models import StaffRole

from tests import factories as f
from tests.factories_certification import private_storage  # noqa: F401 (fixture)
from tests.factories_monitoring import D, crafted
from tests.factories_training import TrainingRecordFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

AS_OF = D.isoformat()


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Reports are made at once, as in development (also when the suite runs with TASKS_BACKEND=database)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(personas):
    return crafted()


# --- access matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/dashboard/records/certified_rate/",
        "/dashboard/chart/talents_trained.svg",
        "/dashboard/reports/",
        "/dashboard/reports/1/download/",
        "/dashboard/snapshots/",
    ],
)
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_anonymous_cannot_request_a_report(client, db):
    response = client.post("/dashboard/reports/new/", {"as_of": AS_OF, "fmt": "xlsx"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ReportFile.objects.exists()


@pytest.mark.parametrize("persona", ["trainee_a", "provider_a", "editor"])
@pytest.mark.parametrize(
    "url", ["/dashboard/", "/dashboard/records/director_training_person_times/", "/dashboard/reports/",
            "/dashboard/chart/certified_rate.svg"],
)
def test_other_roles_get_403(personas, as_user, persona, url):
    assert as_user(personas[persona]).get(url).status_code == 403


@pytest.mark.parametrize("persona", ["trainee_a", "provider_a", "editor"])
def test_other_roles_cannot_request_or_download_reports(world, personas, as_user, persona):
    report = _request(as_user(personas["commission"]), fmt="pdf")
    client = as_user(personas[persona])
    assert client.post("/dashboard/reports/new/", {"as_of": AS_OF, "fmt": "pdf"}).status_code == 403
    assert client.get(f"/dashboard/reports/{report.pk}/download/").status_code == 403
    assert ReportFile.objects.count() == 1


def test_commission_sees_city_and_every_county(world, personas, as_user):
    client = as_user(personas["commission"])
    response = client.get(f"/dashboard/?as_of={AS_OF}")
    assert response.status_code == 200
    assert response.context["scope"].is_city
    assert len(response.context["rows"]) == 10
    y = world["y"]
    response = client.get(f"/dashboard/?as_of={AS_OF}&county={y.pk}")
    assert response.status_code == 200 and response.context["scope"].county == y
    assert client.get(f"/dashboard/?as_of={AS_OF}&county=宣威").status_code == 200


def test_county_official_sees_only_their_county(world, personas, as_user):
    client = as_user(personas["county_x"])
    response = client.get(f"/dashboard/?as_of={AS_OF}")
    assert response.status_code == 200
    assert response.context["scope"].county == world["x"]
    assert response.context["rows"] == []  # no ten-county table
    cards = {c["v"].key: c["v"] for c in response.context["cards"]}
    assert cards["certified_rate"].numerator == 3 and cards["certified_rate"].denominator == 8
    y = world["y"]
    for url in (
        f"/dashboard/?county={y.pk}",
        "/dashboard/?county=曲靖市",
        f"/dashboard/records/certified_rate/?county={y.pk}",
        f"/dashboard/chart/certified_rate.svg?county={y.pk}",
    ):
        assert client.get(url).status_code == 404, url
    for county in (y.pk, "宣威市", "曲靖市"):
        response = client.post("/dashboard/reports/new/", {"as_of": AS_OF, "county": county, "fmt": "xlsx"})
        assert response.status_code == 404, county
    assert not ReportFile.objects.exists()
    assert client.get("/dashboard/snapshots/").status_code == 403


@pytest.mark.parametrize(
    "query, message",
    [
        ("as_of=2023-12-31", "不能早于"),
        ("as_of=2999-01-01", "不能晚于今天"),
        ("as_of=2025-02-30", "日期格式不正确"),
        ("as_of=abc", "日期格式不正确"),
        ("county=昆明", "未知的区县"),
        ("county=99999", "未知的区县"),
    ],
)
@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/records/certified_rate/", "/dashboard/reports/new/",
                                  "/dashboard/chart/certified_rate.svg"])
def test_bad_input_is_400_with_chinese_message(personas, as_user, query, message, path):
    client = as_user(personas["commission"])
    if path == "/dashboard/reports/new/":
        response = client.post(path, {**dict(p.split("=") for p in query.split("&")), "fmt": "pdf"})
    else:
        response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReportFile.objects.exists()


def test_other_bad_requests(personas, as_user):
    client = as_user(personas["commission"])
    assert client.get("/dashboard/records/no_such_metric/").status_code == 404
    assert client.get("/dashboard/records/certified_rate/?part=bogus").status_code == 400
    response = client.post("/dashboard/reports/new/", {"as_of": AS_OF, "kind": "weekly", "fmt": "xlsx"})
    assert response.status_code == 400 and "未知的报告类型" in response.content.decode()
    response = client.post("/dashboard/reports/new/", {"as_of": AS_OF, "fmt": "doc"})
    assert response.status_code == 400 and "未知的报告格式" in response.content.decode()
    assert client.post("/dashboard/reports/new/", {"as_of": AS_OF}).status_code == 400  # no format
    assert client.get("/dashboard/reports/new/").status_code == 405
    assert client.get("/dashboard/reports/999999/download/").status_code == 404
    assert not ReportFile.objects.exists()
    assert client.post("/dashboard/").status_code == 405
    assert client.post("/dashboard/snapshots/", {"as_of": "2023-01-01"}).status_code == 400
    assert as_user(personas["county_x"]).post("/dashboard/snapshots/", {"as_of": AS_OF}).status_code == 403


# --- drill-down --------------------------------------------------------------------------------------


def test_every_card_links_to_the_records_behind_it(world, personas, as_user):
    client = as_user(personas["commission"])
    cards = {c["v"].key: c for c in client.get(f"/dashboard/?as_of={AS_OF}").context["cards"]}
    for key, card in cards.items():
        response = client.get(card["url"])
        assert response.status_code == 200, key
        v = card["v"]
        if not v.is_rate:
            assert response.context["page"].paginator.count == v.actual, key
    certified = client.get(cards["certified_rate"]["num_url"])
    staff = client.get(cards["certified_rate"]["den_url"])
    assert certified.context["page"].paginator.count == 4
    assert staff.context["page"].paginator.count == 9
    responses = client.get(cards["parenting_knowledge_rate"]["den_url"])
    assert responses.context["page"].paginator.count == 3


def test_lists_are_masked(world, personas, as_user):
    person = world["p1"]
    page = as_user(personas["commission"]).get(
        f"/dashboard/records/director_training_person_times/?as_of={AS_OF}").content.decode()
    assert person.id_number_masked in page
    assert person.id_number not in page


def test_export_neutralises_formulas(world, personas, as_user):
    person = world["p1"]
    person.name = "=HYPERLINK(\"http://x\")"
    person.save()
    response = as_user(personas["commission"]).get(
        f"/dashboard/records/director_training_person_times/?as_of={AS_OF}&format=xlsx")
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in ws.iter_rows(min_row=4, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names
    assert not any(isinstance(n, str) and n.startswith("=") for n in names)
    ids = [row[1] for row in ws.iter_rows(min_row=4, values_only=True)]
    assert person.id_number_masked in ids and person.id_number not in ids


def test_chart_is_svg_with_chinese_labels(world, personas, as_user):
    response = as_user(personas["commission"]).get(f"/dashboard/chart/director_training_person_times.svg?as_of={AS_OF}")
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg") and "2024年1月" in svg and "目标 600" in svg and "http://www.w3.org/2000/svg" in svg
    assert "<script" not in svg


# --- one set of numbers -------------------------------------------------------------------------------


def _request(client, fmt, as_of=AS_OF, county="", kind="annual"):
    """Ask for a report as the dashboard's form does; return the ReportFile the 报告下载 page shows."""
    response = client.post("/dashboard/reports/new/", {"as_of": as_of, "county": county, "kind": kind, "fmt": fmt})
    assert response.status_code == 302 and response["Location"] == "/dashboard/reports/", response
    page = client.get("/dashboard/reports/")
    assert page.status_code == 200
    report = page.context["reports"][0]
    assert (report.fmt, report.kind, report.as_of.isoformat()) == (fmt, kind, as_of)
    return report


class Downloaded:
    def __init__(self, response):
        self.headers = response
        self.content = b"".join(response.streaming_content)

    def __getitem__(self, header):
        return self.headers[header]


def _download(client, report):
    """Download a ready report through the link of the 报告下载 page."""
    page = client.get("/dashboard/reports/").content.decode()
    link = f"/dashboard/reports/{report.pk}/download/"
    assert link in page, "no download link for a ready report"
    response = client.get(link)
    assert response.status_code == 200
    return Downloaded(response)


def _command(*args):
    out = StringIO()
    call_command("progress_report", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def _pdf_text(content):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(content)
        tmp.flush()
        return subprocess.run(["pdftotext", "-layout", tmp.name, "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("county", ["", "麒麟区"])
def test_dashboard_command_excel_and_pdf_agree(world, personas, as_user, county):
    client = as_user(personas["commission"])
    scope = m.parse_scope(county)
    query = f"as_of={AS_OF}" + (f"&county={scope.county_id}" if county else "")
    command = {x["key"]: x for x in _command("--as-of", AS_OF, *(["--county", county] if county else []))["metrics"]}
    cards = {c["v"].key: c["v"] for c in client.get(f"/dashboard/?{query}").context["cards"]}
    post = {"as_of": AS_OF, "county": scope.county_id or "", "kind": "midterm"}
    excel = _download(client, _request(client, **post, fmt="xlsx"))
    assert excel["Content-Type"] == reports.XLSX_CONTENT_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(excel.content))
    summary = {row[1]: row for row in workbook["汇总"].iter_rows(min_row=4, values_only=True) if row[1]}
    pdf = _download(client, _request(client, **post, fmt="pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert f"{scope.name}托育服务人才队伍建设中期评估报告" in text.replace(" ", "")
    assert "统计截止日期：2025年6月30日" in text
    assert set(command) == set(cards) == set(summary)
    for key, c in command.items():
        v = cards[key]
        assert (v.actual, v.target, v.progress) == (c["actual"], c["target"], c["progress"]), key
        # Excel columns: 指标, 指标代码, 实际值, 目标值, 完成进度, 分子, 分母
        row = summary[key]
        assert row[2] == c["actual"] and row[3] == c["target"] and row[4] == c["progress"], key
        if v.is_rate:
            assert (row[5], row[6]) == (c["numerator"], c["denominator"])
        assert v.actual_display in text, key
    # The county table sheet of the certified rate lists each county.
    sheet = workbook["持证上岗率"]
    counties = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}
    assert counties["麒麟区"][2:4] == (3, 8)
    if not county:
        assert counties["宣威市"][1] == 1.0 and counties["曲靖市"][2:4] == (4, 9)


@pytest.mark.parametrize("kind, title", [("annual", "年度监测"), ("midterm", "中期评估"), ("final", "终期评估")])
def test_report_titles(world, personas, as_user, kind, title):
    client = as_user(personas["commission"])
    response = _download(client, _request(client, kind=kind, fmt="pdf"))
    assert f"{title}报告" in _pdf_text(response.content).replace(" ", "")
    assert f"{title}" in response["Content-Disposition"] or "%" in response["Content-Disposition"]


# --- snapshots ---------------------------------------------------------------------------------------


def test_frozen_report_stays_unchanged_and_dashboard_marks_differences(world, personas, as_user, private_storage):  # noqa: F811
    client = as_user(personas["commission"])
    response = client.post("/dashboard/snapshots/", {"as_of": AS_OF, "kind": "annual"})
    assert response.status_code == 302
    snapshot = Snapshot.objects.get()
    assert snapshot.scope_figures("曲靖市")["certified_rate"]["numerator"] == 4
    excel_before = client.get(f"/dashboard/snapshots/{snapshot.pk}/xlsx/")
    excel_before = b"".join(excel_before.streaming_content)
    pdf_before = b"".join(client.get(f"/dashboard/snapshots/{snapshot.pk}/pdf/").streaming_content)
    page = client.get(f"/dashboard/?as_of={AS_OF}")
    assert page.context["snapshot"] == snapshot and page.context["changed_count"] == 0

    # A late correction: a record of 2025 imported afterwards changes the live figure of D.
    TrainingRecordFactory(person=world["p6"], county=world["x"], role=StaffRole.DIRECTOR,
                          completion_date=D, course_name="补录")
    page = client.get(f"/dashboard/?as_of={AS_OF}")
    # City director card; 麒麟区 director cell; 麒麟区 talents cell (p6 is new there, already counted
    # for the city through 宣威市).
    assert page.context["changed_count"] == 3
    card = {c["v"].key: c for c in page.context["cards"]}["director_training_person_times"]
    assert card["v"].actual == 3 and card["frozen"]["actual"] == 2
    assert "与快照不同" in page.content.decode()
    assert b"".join(client.get(f"/dashboard/snapshots/{snapshot.pk}/xlsx/").streaming_content) == excel_before
    assert b"".join(client.get(f"/dashboard/snapshots/{snapshot.pk}/pdf/").streaming_content) == pdf_before
    frozen = openpyxl.load_workbook(io.BytesIO(excel_before))["汇总"]
    assert [r for r in frozen.iter_rows(min_row=4, values_only=True) if r[1] == "director_training_person_times"][0][2] == 2

    # Freezing the same report twice is refused with a message, nothing written.
    response = client.post("/dashboard/snapshots/", {"as_of": AS_OF, "kind": "annual"}, follow=True)
    assert "已经冻结过" in response.content.decode()
    assert Snapshot.objects.count() == 1


# --- speed ---------------------------------------------------------------------------------------------


def test_dashboard_query_count_does_not_grow_with_data(world, personas, as_user):
    client = as_user(personas["commission"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/dashboard/?as_of={AS_OF}").status_code == 200
        return len(ctx.captured_queries)

    client.get(f"/dashboard/?as_of={AS_OF}")  # warm the session and permission caches
    small = count()
    for _ in range(5):
        crafted()
    for _ in range(30):
        f.PersonFactory()
    assert count() == small
    assert small <= 25


# --- the figures cache ---------------------------------------------------------------------------------


@pytest.fixture
def figures_cache_on(settings):
    from django.core.cache import cache

    settings.MONITORING_FIGURES_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def test_cached_dashboard_never_shows_figures_older_than_the_records(world, personas, as_user, figures_cache_on):
    from training.models import TrainingRecord

    client = as_user(personas["commission"])

    def director():
        page = client.get(f"/dashboard/?as_of={AS_OF}")
        return {c["v"].key: c["v"] for c in page.context["cards"]}["director_training_person_times"].actual

    assert director() == 2
    assert director() == 2  # served from the cache
    # A bulk insert (as the importers do) sends no signal: the data stamp changes the key.
    record = TrainingRecord.objects.filter(person=world["p1"]).first()
    TrainingRecord.objects.bulk_create([TrainingRecord(
        person=world["p2"], category=record.category, role=StaffRole.DIRECTOR, provider=record.provider,
        county=record.county, course_name="批量导入", completion_date=D, hours=8, result="passed", source="imported",
    )])
    assert director() == 3
    # A correction through save() (same row count, same ids) changes the token.
    fixed = TrainingRecord.objects.get(course_name="批量导入")
    fixed.result = "failed"
    fixed.save()
    assert director() == 2


def test_cached_chart_follows_the_data(world, personas, as_user, settings, figures_cache_on):
    settings.MONITORING_CHART_CACHE_SECONDS = 300
    client = as_user(personas["commission"])
    url = f"/dashboard/chart/director_training_person_times.svg?as_of={AS_OF}"
    first = client.get(url).content
    assert client.get(url).content == first
    TrainingRecordFactory(person=world["p6"], county=world["x"], role=StaffRole.DIRECTOR,
                          completion_date=D, course_name="补录")
    assert client.get(url).content != first
