"""Reports made in the background: the request only enqueues, the 报告下载 page follows the job,
identical requests are served once, only the requester (and the commission) downloads; snapshot
files are jobs too and show the frozen figures; the streamed workbook reads back as the report.

The queue is django-tasks' DummyBackend (keeps what is enqueued, runs nothing) where a test
checks what a request leaves for the worker, the ImmediateBackend of development elsewhere, and
the real database backend with `manage.py db_worker` when the suite runs with TASKS_BACKEND=database.
"""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from monitoring import metrics as m
from monitoring import reports, services, tasks, xlsx
from monitoring.models import ReportFile, ReportStatus, Snapshot
from registry.models import StaffRole

from tests import task_queue
from tests.factories_certification import private_storage  # noqa: F401 (fixture)
from tests.factories_monitoring import D, crafted
from tests.factories_training import TrainingRecordFactory
from tests.task_queue import queue  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

AS_OF = D.isoformat()
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """The development backend unless a test sets another (also when the suite runs with
    TASKS_BACKEND=database: only test_database_queue_and_db_worker is about that backend)."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def world(personas):
    return crafted()


def queued(backend):
    return task_queue.queued(backend, "monitoring.tasks")


def run_queued(backend):
    return task_queue.run_queued(backend, "monitoring.tasks")


def ask(client, fmt="xlsx", county="", kind="annual", as_of=AS_OF):
    return client.post("/dashboard/reports/new/", {"as_of": as_of, "county": county, "kind": kind, "fmt": fmt})


def body(response):
    return b"".join(response.streaming_content)


# --- the request only enqueues ------------------------------------------------------------------


def test_request_only_enqueues_then_the_worker_makes_the_file(world, personas, as_user, queue, private_storage):  # noqa: F811
    client = as_user(personas["commission"])
    response = ask(client, "xlsx", kind="final")
    assert response.status_code == 302 and response["Location"] == "/dashboard/reports/"
    report = ReportFile.objects.get()
    assert (report.status, report.requested_by, report.county, report.kind) == (
        ReportStatus.QUEUED, personas["commission"], None, "final")
    assert not report.file
    jobs = queued(queue)
    assert [(j.task.name, j.args) for j in jobs] == [("generate_report_file", [report.pk])]
    assert report.task_id == str(jobs[0].id)

    # While queued the page says so, reloads itself, and offers no link.
    page = client.get("/dashboard/reports/")
    html = page.content.decode()
    assert '<meta http-equiv="refresh"' in html and "排队中" in html
    assert f"/dashboard/reports/{report.pk}/download/" not in html
    assert client.get(f"/dashboard/reports/{report.pk}/download/").status_code == 404
    assert "no-store" in page["Cache-Control"]  # a reload must ask the server again

    results = run_queued(queue)
    report.refresh_from_db()
    assert results == [{"status": "ready", "size": report.size}]
    assert report.status == ReportStatus.READY and report.finished_at and report.started_at
    assert (private_storage / report.file.name).is_file()
    assert report.size == (private_storage / report.file.name).stat().st_size
    html = client.get("/dashboard/reports/").content.decode()
    assert '<meta http-equiv="refresh"' not in html and "已生成" in html
    response = client.get(f"/dashboard/reports/{report.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == reports.XLSX_CONTENT_TYPE
    assert "%E7%BB%88%E6%9C%9F%E8%AF%84%E4%BC%B0" in response["Content-Disposition"]  # 终期评估
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    assert workbook["汇总"]["A1"].value.startswith("曲靖市托育服务人才队伍建设终期评估报告")


def test_a_job_runs_once(world, personas, as_user, queue):
    ask(as_user(personas["commission"]), "pdf")
    job = queued(queue)[0]
    assert job.task.call(*job.args)["status"] == "ready"
    # Delivered twice (a retry, a second worker): the second finds it done and leaves it alone.
    assert job.task.call(*job.args) == {"status": "skipped"}
    assert ReportFile.objects.get().status == ReportStatus.READY


def test_identical_requests_share_one_report(world, personas, as_user, queue):
    client = as_user(personas["commission"])
    ask(client, "xlsx")
    ask(client, "xlsx")  # clicked twice while queued
    assert ReportFile.objects.count() == 1 and len(queued(queue)) == 1
    run_queued(queue)
    response = ask(client, "xlsx")  # again, a moment after it was made: the same file
    assert ReportFile.objects.count() == 1 and not queued(queue)
    assert "已生成" in client.get(response["Location"]).content.decode()
    # Another format, kind, date, scope or user is another report.
    ask(client, "pdf")
    ask(client, "xlsx", kind="midterm")
    ask(client, "xlsx", as_of="2025-06-29")
    ask(client, "xlsx", county=world["x"].pk)
    ask(as_user(personas["county_x"]), "xlsx")
    assert ReportFile.objects.count() == 6 and len(queued(queue)) == 5
    # Later than the reuse window, the same request makes a fresh report (the data may have changed).
    old = ReportFile.objects.get(fmt="xlsx", kind="annual", county=None, as_of=D)
    ReportFile.objects.filter(pk=old.pk).update(created_at=timezone.now() - services.REPORT_REUSE_WINDOW
                                                - datetime.timedelta(seconds=1))
    ask(client, "xlsx")
    assert ReportFile.objects.filter(fmt="xlsx", kind="annual", county=None, as_of=D).count() == 2


def test_a_stale_job_is_shown_as_timed_out_and_not_reused(world, personas, as_user, queue):
    client = as_user(personas["commission"])
    ask(client, "pdf")
    ReportFile.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    html = client.get("/dashboard/reports/").content.decode()
    assert "超时" in html and '<meta http-equiv="refresh"' not in html
    ask(client, "pdf")
    assert ReportFile.objects.count() == 2


def test_a_failed_report_says_so_and_leaves_no_file(world, personas, as_user, monkeypatch, private_storage):  # noqa: F811
    def broken(data, with_charts=True):
        raise RuntimeError("字体文件缺失")

    monkeypatch.setattr(reports, "pdf_bytes", broken)
    client = as_user(personas["commission"])
    response = ask(client, "pdf")
    report = ReportFile.objects.get()
    assert report.status == ReportStatus.FAILED and "字体文件缺失" in report.error and not report.file
    assert "生成失败" in client.get(response["Location"]).content.decode()
    assert not list(private_storage.rglob("*.pdf"))
    assert client.get(f"/dashboard/reports/{report.pk}/download/").status_code == 404
    # Asking again (the cause fixed) makes a new one: failures are not reused.
    monkeypatch.undo()
    ask(client, "pdf")
    assert ReportFile.objects.filter(status=ReportStatus.READY).count() == 1


def test_a_partly_written_file_is_removed_when_the_job_fails(world, personas, monkeypatch, private_storage):  # noqa: F811
    class BrokenTransaction:  # the file is written, then marking the job ready fails
        @staticmethod
        def atomic():
            raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "transaction", BrokenTransaction)
    report = ReportFile.objects.create(requested_by=personas["commission"], as_of=D, kind="annual", fmt="pdf")
    with pytest.raises(tasks.ReportFailed):
        tasks.generate_report_file.call(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "database went away" in report.error
    assert not list(private_storage.rglob("*.pdf"))


# --- who downloads what ---------------------------------------------------------------------------


def test_only_the_requester_and_the_commission_download(world, personas, as_user):
    official = as_user(personas["county_x"])
    ask(official, "pdf")
    report = ReportFile.objects.get()
    assert report.county == world["x"]  # no county given: their own
    url = f"/dashboard/reports/{report.pk}/download/"
    assert official.get(url).status_code == 200
    assert as_user(personas["commission"]).get(url).status_code == 200
    assert as_user(personas["county_y"]).get(url).status_code == 404
    for persona in ("trainee_a", "provider_a", "editor"):
        assert as_user(personas[persona]).get(url).status_code == 403
    # Each user's page lists their own reports only.
    assert list(as_user(personas["county_y"]).get("/dashboard/reports/").context["reports"]) == []
    assert list(official.get("/dashboard/reports/").context["reports"]) == [report]
    assert list(as_user(personas["commission"]).get("/dashboard/reports/").context["reports"]) == []


def test_an_official_moved_to_another_county_loses_the_old_county_reports(world, personas, as_user):
    official = personas["county_x"]
    ask(as_user(official), "pdf")
    report = ReportFile.objects.get()
    official.county = world["y"]
    official.save()
    assert as_user(official).get(f"/dashboard/reports/{report.pk}/download/").status_code == 404


def test_county_official_report_shows_their_county(world, personas, as_user):
    client = as_user(personas["county_x"])
    ask(client, "xlsx")
    report = ReportFile.objects.get()
    workbook = openpyxl.load_workbook(io.BytesIO(body(client.get(f"/dashboard/reports/{report.pk}/download/"))))
    assert workbook["汇总"]["A1"].value.startswith("麒麟区托育服务人才队伍建设年度监测报告")
    rows = [r[0] for r in workbook["持证上岗率"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert rows == ["麒麟区"]


def test_dashboard_offers_report_forms_for_the_scope_shown(world, personas, as_user):
    x = world["x"]
    html = as_user(personas["commission"]).get(f"/dashboard/?as_of={AS_OF}&county={x.pk}").content.decode()
    assert 'action="/dashboard/reports/new/"' in html and 'name="csrfmiddlewaretoken"' in html
    assert f'name="county" value="{x.pk}"' in html and f'name="as_of" value="{AS_OF}"' in html
    assert html.count('name="fmt" value="xlsx"') == 3 and html.count('name="fmt" value="pdf"') == 3
    assert "/dashboard/report." not in html  # no synchronous report links any more


# --- snapshots -------------------------------------------------------------------------------------


def test_freezing_queues_the_files_and_they_show_the_frozen_figures(world, personas, as_user, queue):
    client = as_user(personas["commission"])
    response = client.post("/dashboard/snapshots/", {"as_of": AS_OF, "kind": "annual"})
    assert response.status_code == 302
    snapshot = Snapshot.objects.get()
    assert snapshot.scope_figures("曲靖市")["director_training_person_times"]["actual"] == 2
    assert not snapshot.excel and not snapshot.pdf
    assert len(queued(queue)) == 2
    page = client.get("/dashboard/snapshots/").content.decode()
    assert "生成中" in page and '<meta http-equiv="refresh"' in page
    assert client.get(f"/dashboard/snapshots/{snapshot.pk}/xlsx/").status_code == 404
    # Snapshot files are not on anyone's 报告下载 page, nor downloadable there.
    assert list(client.get("/dashboard/reports/").context["reports"]) == []
    job = snapshot.jobs.first()
    assert client.get(f"/dashboard/reports/{job.pk}/download/").status_code == 404

    # A correction lands before the worker gets to the files: they still show the frozen figures.
    TrainingRecordFactory(person=world["p6"], county=world["x"], role=StaffRole.DIRECTOR,
                          completion_date=D, course_name="补录")
    run_queued(queue)
    snapshot.refresh_from_db()
    assert snapshot.excel and snapshot.pdf
    assert set(snapshot.jobs.values_list("status", flat=True)) == {ReportStatus.READY}
    page = client.get("/dashboard/snapshots/").content.decode()
    assert "生成中" not in page and '<meta http-equiv="refresh"' not in page
    excel = body(client.get(f"/dashboard/snapshots/{snapshot.pk}/xlsx/"))
    summary = openpyxl.load_workbook(io.BytesIO(excel))["汇总"]
    director = [r for r in summary.iter_rows(min_row=4, values_only=True) if r[1] == "director_training_person_times"]
    assert director[0][2] == 2  # frozen, not the live 3
    counties = {r[0]: r for r in openpyxl.load_workbook(io.BytesIO(excel))["负责人培训人次"].iter_rows(
        min_row=4, values_only=True) if r[0]}
    assert counties["麒麟区"][1] == 2 and counties["曲靖市"][1] == 2
    assert m.director_training_person_times(D).actual == 3


def test_a_failed_snapshot_file_is_shown(world, personas, as_user, monkeypatch):
    def broken(data, with_charts=True):
        raise RuntimeError("boom")

    monkeypatch.setattr(reports, "pdf_bytes", broken)
    client = as_user(personas["commission"])
    client.post("/dashboard/snapshots/", {"as_of": AS_OF, "kind": "annual"})
    snapshot = Snapshot.objects.get()
    assert snapshot.excel and not snapshot.pdf
    page = client.get("/dashboard/snapshots/").content.decode()
    assert "生成失败" in page and '<meta http-equiv="refresh"' not in page
    retry = f"/dashboard/snapshots/{snapshot.pk}/pdf/retry/"
    assert retry in page
    assert as_user(personas["county_x"]).post(retry).status_code == 403
    # The cause fixed, the commission has it made again (from the frozen figures).
    monkeypatch.undo()
    assert client.post(retry).status_code == 302
    snapshot.refresh_from_db()
    assert snapshot.pdf and snapshot.pdf.read().startswith(b"%PDF")
    assert list(snapshot.jobs.filter(fmt="pdf").values_list("status", flat=True)) == ["ready", "failed"]
    # Nothing to do once the file is there.
    assert client.post(retry).status_code == 302
    assert snapshot.jobs.count() == 3
    assert "生成失败" not in client.get("/dashboard/snapshots/").content.decode()


def test_snapshot_report_data_is_the_frozen_figures(world):
    snapshot = services.freeze(D)
    data = services.snapshot_report_data(snapshot)
    live = reports.report_data(D, m.CITY, "annual")
    assert [v.as_json() for v in data.values] == [v.as_json() for v in live.values]
    assert [(c.name, [v.as_json() for v in vs]) for c, vs in data.counties] == \
        [(c.name, [v.as_json() for v in vs]) for c, vs in live.counties]
    assert [v.status_label for v in data.values] == [v.status_label for v in live.values]


# --- the workbook itself ----------------------------------------------------------------------------


def test_workbook_layout_and_formats(world):
    data = reports.report_data(D, m.CITY, "midterm")
    workbook = openpyxl.load_workbook(io.BytesIO(reports.excel_bytes(data)))
    assert workbook.sheetnames == [
        "汇总", "负责人培训人次", "保育保健培训人次", "年度培养人才", "持证上岗率", "育儿知识普及率",
        "负责人培训人次-记录", "保育保健培训人次-记录", "年度培养人才-人员", "持证上岗率-从业人员", "持证上岗率-持证",
        "持证上岗率-未持证", "持证上岗率-证书", "育儿知识普及率-答卷",
    ]
    summary = workbook["汇总"]
    assert summary["A1"].value == "曲靖市托育服务人才队伍建设中期评估报告（统计截止日期：2025年6月30日）"
    assert summary["A1"].font.b and summary["A1"].font.sz == 14
    assert summary["A2"].value.startswith("生成时间：")
    assert [c.value for c in summary[3]] == reports.SUMMARY_HEADERS and summary["A3"].font.b
    rows = {r[1].value: r for r in summary.iter_rows(min_row=4) if r[1].value}
    assert rows["certified_rate"][2].number_format == "0.00%" and rows["certified_rate"][2].value == pytest.approx(4 / 9, abs=1e-4)
    assert rows["director_training_person_times"][2].number_format == "General"
    assert rows["director_training_person_times"][4].number_format == "0.00%"  # progress
    assert rows["parenting_knowledge_rate"][6].value == 3  # denominator
    assert rows["director_training_person_times"][6].value is None
    # Widths in characters; the file stores them with Excel's cell padding (12 -> 12.71).
    assert summary.column_dimensions["A"].width == pytest.approx(12, abs=1)
    county = workbook["持证上岗率"]
    assert [c.value for c in county[3]] == reports.COUNTY_HEADERS
    assert len([r for r in county.iter_rows(min_row=4) if r[0].value]) == 11  # the city and ten counties
    records = workbook["负责人培训人次-记录"]
    assert [c.value for c in records[3]] == ["姓名", "身份证号", "培训类别", "培训对象", "培训机构", "区县", "课程名称",
                                            "结业日期", "学时", "考核结果"]
    assert records.max_row == 3 + 2
    person = world["p1"]
    names = {r[0]: r for r in records.iter_rows(min_row=4, values_only=True)}
    assert names[person.name][1] == person.id_number_masked and names[person.name][7] == AS_OF
    assert isinstance(names[person.name][8], int | float)  # 学时 stays a number, not text


def test_workbook_text_is_safe_and_valid(world):
    person = world["p1"]
    person.name = "=HYPERLINK(\"http://x\")"
    person.save()
    world["p2"].name = "李\x07四 "  # a control character (XML cannot carry it) and a trailing space
    world["p2"].save()
    data = reports.report_data(D, m.CITY, "annual")
    workbook = openpyxl.load_workbook(io.BytesIO(reports.excel_bytes(data)))
    names = [r[0] for r in workbook["负责人培训人次-记录"].iter_rows(min_row=4, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names and "李四 " in names
    assert person.id_number not in {c for ws in workbook for r in ws.iter_rows(values_only=True) for c in r}


def test_streaming_writer_cells():
    buffer = io.BytesIO()
    with xlsx.Workbook(buffer, title="t") as book:
        ws = book.sheet("a/b:c*?" + "x" * 40, widths=[20])
        ws.append(["标题"], style=xlsx.TITLE)
        ws.append([1, 2.5, True, None, "", "a<b>&c", " lead", "-5", datetime.date(2025, 1, 2)])
        ws.extend(iter([[7, "x"], [None, "y"]]))
        book.sheet("second")
    workbook = openpyxl.load_workbook(buffer)
    sheet = workbook.worksheets[0]
    assert sheet.title == ("a_b_c__" + "x" * 40)[:31]
    assert [c.value for c in sheet[2]][:9] == [1, 2.5, True, None, None, "a<b>&c", " lead", "'-5", "2025-01-02"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_col=2)] == [[7, "x"], [None, "y"]]
    assert sheet.column_dimensions["A"].width == pytest.approx(20, abs=1)
    assert workbook.sheetnames[1] == "second" and workbook.properties.title == "t"
    with pytest.raises(ValueError):
        with xlsx.Workbook(io.BytesIO()) as book:
            book.sheet("same")
            book.sheet("same")


def test_drill_down_export_is_the_list(world, personas, as_user):
    response = as_user(personas["commission"]).get(
        f"/dashboard/records/certified_rate/?as_of={AS_OF}&part=staff&format=xlsx")
    assert response.status_code == 200 and response["Content-Type"] == reports.XLSX_CONTENT_TYPE
    ws = openpyxl.load_workbook(io.BytesIO(response.content))["名单"]
    assert [c.value for c in ws[3]] == ["姓名", "身份证号", "任职机构", "区县", "岗位", "是否持证", "有效证书数"]
    assert len([r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]) == 9


# --- the real queue: database backend and its worker ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_queue_and_db_worker(world, personas, as_user, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

    client = as_user(personas["commission"])
    ask(client, "pdf")
    report = ReportFile.objects.get()
    assert report.status == ReportStatus.QUEUED
    job = DBTaskResult.objects.get(task_path="monitoring.tasks.generate_report_file")
    assert job.status == "READY" and str(job.id) == report.task_id
    call_command("db_worker", "--batch", "--no-startup-delay")
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert body(client.get(f"/dashboard/reports/{report.pk}/download/")).startswith(b"%PDF")


# --- with a read replica ----------------------------------------------------------------------------


class MonitoringReadsOnMissingReplica:
    """A router that sends every read of the monitoring app's tables to an alias that does not exist."""

    def db_for_read(self, model, **hints):
        return "replica" if model._meta.app_label == "monitoring" else None


def test_report_pages_read_jobs_from_the_primary(world, personas, as_user, settings):
    """/dashboard/ requests read the replica when one is configured (core.routers); the jobs and
    snapshots must come from the primary, or the page right after a request could miss it for
    the replica's lag. Here any such read sent by a router fails the request."""
    client = as_user(personas["commission"])
    ask(client, "pdf")
    client.post("/dashboard/snapshots/", {"as_of": AS_OF, "kind": "annual"})
    report, snapshot = ReportFile.objects.get(snapshot=None), Snapshot.objects.get()
    settings.DATABASE_ROUTERS = [f"{__name__}.MonitoringReadsOnMissingReplica"]
    with pytest.raises(Exception, match="replica"):
        list(ReportFile.objects.all())  # the router is in force
    assert client.get("/dashboard/reports/").context["reports"] == [report]
    assert body(client.get(f"/dashboard/reports/{report.pk}/download/")).startswith(b"%PDF")
    assert client.get("/dashboard/snapshots/").context["snapshots"] == [snapshot]
    assert body(client.get(f"/dashboard/snapshots/{snapshot.pk}/pdf/")).startswith(b"%PDF")
