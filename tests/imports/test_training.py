"""The `training` kind: historical training records, through the command and the web flow."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob
from registry.models import Person, TrainingProvider
from training.models import RecordSource, TrainingRecord

from tests import factories as f
from tests.factories_imports import (
    csv_bytes,
    id_number,
    media_root,  # noqa: F401 (fixture)
    run_command,
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

HEADERS = ["姓名", "身份证号", "培训类别", "培训对象", "课程名称", "培训机构", "区县", "开始日期", "结业日期", "学时", "考核结果"]


def record(name, number, provider="曲靖医学高等专科学校", county="麒麟区", category="保育人员培训", role="保育人员",
           course="保育人员岗位培训", start=datetime.date(2024, 3, 1), end=datetime.date(2024, 3, 20), hours=120,
           result="合格"):
    return [name, number, category, role, course, provider, county, start, end, hours, result]


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_records_created_unknown_provider_created_and_reimport_unchanged(tmp_path, provider_a_obj):
    rows = [
        record("张三", id_number(1)),
        record("李四", id_number(2), provider="昆明托育学院", county="宣威", category="负责人培训",
               role="机构负责人", hours="16.5", result="不合格", course=None, start=None),
    ]
    path = write(tmp_path, "培训.xlsx", xlsx_bytes(HEADERS, rows))
    status, result = run_command("training", path, "--json")
    assert (status, result["created"], result["errors"]) == (0, 2, [])
    zhang = TrainingRecord.objects.get(person__name="张三")
    assert (zhang.provider, zhang.county.name, zhang.category, zhang.role, zhang.hours, zhang.result, zhang.source) == (
        provider_a_obj, "麒麟区", "caregiver", "caregiver", Decimal("120.0"), "passed", RecordSource.IMPORTED)
    li = TrainingRecord.objects.get(person__name="李四")
    assert (li.provider.name, li.provider.imported, li.county.name, li.hours, li.result, li.course_name) == (
        "昆明托育学院", True, "宣威市", Decimal("16.5"), "failed", "")

    status, result = run_command("training", path, "--json")
    assert (status, result["created"], result["updated"], result["unchanged"]) == (0, 0, 0, 2)
    assert TrainingRecord.objects.count() == 2
    assert TrainingProvider.objects.filter(name="昆明托育学院").count() == 1

    rows[0][10] = "不合格"
    status, result = run_command("training", write(tmp_path, "b.csv", csv_bytes(HEADERS, rows, "gb18030")), "--json")
    assert (status, result["updated"], result["unchanged"]) == (0, 1, 1)
    assert TrainingRecord.objects.get(person__name="张三").result == "failed"


def test_bad_training_rows(tmp_path, provider_a_obj):
    rows = [
        record("张三", id_number(1), result="通过"),
        record("李四", id_number(2), hours=-8),
        record("王五", id_number(3), hours=99999),
        record("赵六", id_number(4), start=datetime.date(2024, 4, 1)),
        record("钱七", id_number(5), category="保姆培训"),
        record("孙八", id_number(6), end=datetime.date.today() + datetime.timedelta(days=30)),
        record("周九", id_number(7)),
        record("周九", id_number(7)),
    ]
    status, result = run_command("training", write(tmp_path, "a.xlsx", xlsx_bytes(HEADERS, rows)), "--json")
    assert status == 1
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (2, "考核结果"), (3, "学时"), (4, "学时"), (5, "开始日期"), (6, "培训类别"), (7, "结业日期"), (9, "结业日期"),
    ]
    assert result["errors"][0]["message"] == "应为以下之一：合格、不合格。"
    assert (TrainingRecord.objects.count(), Person.objects.count()) == (0, 0)


def test_provider_staff_import_only_their_own_records(personas, as_user, provider_a_obj):
    client = as_user(personas["provider_a"])
    rows = [record("张三", id_number(1)), record("李四", id_number(2), provider="宣威市职业技术学校")]
    client.post(reverse("imports:upload"), {"kind": "training", "file": SimpleUploadedFile("a.xlsx", xlsx_bytes(HEADERS, rows))})
    job = ImportJob.objects.get()
    assert (job.provider, job.created, job.error_count) == (provider_a_obj, 1, 1)
    assert job.errors[0]["message"] == "您只能导入本机构（曲靖医学高等专科学校）的培训记录。"
    client.post(reverse("imports:confirm", args=[job.pk]), {"mode": "good"})
    assert list(TrainingRecord.objects.values_list("person__name", "provider__name")) == [("张三", "曲靖医学高等专科学校")]
    # Another provider does not see this import.
    assert as_user(personas["provider_b"]).get(reverse("imports:detail", args=[job.pk])).status_code == 404


def test_county_official_training_rows_of_other_counties_are_errors(personas, as_user, provider_a_obj):
    client = as_user(personas["county_y"])  # 宣威市
    rows = [record("张三", id_number(1), county="宣威市"), record("李四", id_number(2), county="麒麟区")]
    client.post(reverse("imports:upload"), {"kind": "training", "file": SimpleUploadedFile("a.xlsx", xlsx_bytes(HEADERS, rows))})
    job = ImportJob.objects.get()
    assert (job.created, [e["row"] for e in job.errors]) == (1, [3])
    assert job.message == "将新建从业人员 1 名（按身份证号未找到的人员）。"


def test_preview_announces_new_providers(personas, as_user):
    client = as_user(personas["commission"])
    rows = [record("张三", id_number(1), provider="昆明托育学院")]
    client.post(reverse("imports:upload"), {"kind": "training", "file": SimpleUploadedFile("a.xlsx", xlsx_bytes(HEADERS, rows))})
    job = ImportJob.objects.get()
    assert "将新建培训机构 1 个（标记为由导入创建）：昆明托育学院。" in job.message
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "将新建培训机构 1 个" in page
    assert not TrainingProvider.objects.filter(name="昆明托育学院").exists()  # the preview writes nothing


def test_known_person_with_another_name_is_an_error(tmp_path, provider_a_obj):
    person = f.PersonFactory(name="张三")
    rows = [record("张叁", person.id_number)]
    status, result = run_command("training", write(tmp_path, "a.xlsx", xlsx_bytes(HEADERS, rows)), "--json")
    assert status == 1 and result["errors"][0]["column"] == "姓名"
    assert Person.objects.get().name == "张三"
