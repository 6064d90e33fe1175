"""The five metrics pinned against hand-computed figures (tests/factories_monitoring.py)."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring import metrics as m
from monitoring.models import MetricKey, Target
from registry.models import StaffRole

from tests import factories as f
from tests.factories_monitoring import EXPECTED, D, crafted
from tests.factories_training import TrainingRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return crafted()


def scope(name):
    return m.CITY if name == "city" else m.Scope(f.county(name))


def as_dict(values):
    return {v.key: v for v in values}


@pytest.mark.parametrize("name", ["city", "麒麟区", "宣威市", "会泽县"])
def test_each_metric_function_matches_hand_computed_figures(world, name):
    expected = EXPECTED[name]
    s = scope(name)
    assert m.director_training_person_times(D, s).actual == expected["director"]
    assert m.caregiver_training_person_times(D, s).actual == expected["caregiver"]
    assert m.talents_trained(D, s).actual == expected["talents"]
    cert = m.certified_rate(D, s)
    assert (cert.numerator, cert.denominator) == expected["certified"]
    survey = m.parenting_knowledge_rate(D, s)
    assert (survey.numerator, survey.denominator) == expected["survey"]


@pytest.mark.parametrize("name", ["city", "麒麟区", "宣威市", "会泽县"])
def test_compute_scope_and_county_table_agree_with_metric_functions(world, name):
    s = scope(name)
    values = as_dict(m.compute_scope(D, s))
    table = m.compute_table(D)
    row = as_dict(table["city"] if name == "city" else dict(
        (c.name, v) for c, v in table["counties"])[name])
    for key in MetricKey.values:
        single = m.metric(key, D, s)
        for got in (values[key], row[key]):
            assert (got.actual, got.numerator, got.denominator, got.target) == (
                single.actual, single.numerator, single.denominator, single.target
            ), key


def test_rates_are_fractions_rounded_to_four_decimals_and_undefined_without_data(world):
    city = as_dict(m.compute_scope(D))
    assert city["certified_rate"].actual == 0.4444  # 4 / 9
    assert city["certified_rate"].target == 0.70
    assert city["certified_rate"].progress == round(4 / 9 / 0.7, 4)
    assert city["parenting_knowledge_rate"].actual == 0.6667  # 2 / 3
    huize = as_dict(m.compute_scope(D, scope("会泽县")))
    # No staff / no responses: undefined (JSON null, shown as —), never 0.
    assert huize["certified_rate"].actual is None
    assert huize["certified_rate"].progress is None
    assert huize["certified_rate"].actual_display == "—"
    assert huize["parenting_knowledge_rate"].actual is None


def test_talents_distinct_persons_per_year(world):
    # At 2024-12-31 the talents of 2024 are p2 and p7; 2025's records do not count.
    assert m.talents_trained(datetime.date(2024, 12, 31)).actual == 2
    assert m.talents_trained(datetime.date(2024, 12, 31)).target == 400
    assert m.talents_trained(datetime.date(2024, 12, 31)).year == 2024
    # 2025-01-01: nobody yet in 2025.
    assert m.talents_trained(datetime.date(2025, 1, 1)).actual == 0
    # p9 trained in X and in Y: once for the city, once in each county.
    persons = set(m.talents_persons_queryset(D).values_list("pk", flat=True))
    assert world["p9"].pk in persons
    assert len(persons) == 4
    assert world["p9"].pk in set(m.talents_persons_queryset(D, scope("宣威市")).values_list("pk", flat=True))


def test_person_times_count_twice_for_two_trainings(world):
    TrainingRecordFactory(person=world["p6"], county=world["y"], role=StaffRole.CAREGIVER,
                          completion_date=datetime.date(2025, 4, 2), course_name="第二次培训")
    assert m.caregiver_training_person_times(D).actual == EXPECTED["city"]["caregiver"] + 1
    assert m.talents_trained(D).actual == EXPECTED["city"]["talents"]


def test_certified_staff_edge_dates(world):
    staff = set(m.staff_persons_queryset(D).values_list("name", flat=True))
    assert "甲一" in staff  # started on D
    assert "甲二" in staff  # ended on D
    assert "甲三" not in staff  # ended the day before
    assert "甲四" not in staff  # role 其他
    assert "甲五" not in staff  # institution registered after D
    assert "甲六" not in staff  # institution not registered
    assert "乙七" in staff  # institution registered on D
    assert "甲八" not in staff  # starts after D
    certified = set(m.certified_persons_queryset(D).values_list("name", flat=True))
    assert certified == {"甲一", "乙七", "甲十一", "甲十二"}
    # The day before, 甲二's certificate was not yet revoked and 甲九's not yet expired.
    day_before = datetime.date(2025, 6, 29)
    certified_before = set(m.certified_persons_queryset(day_before).values_list("name", flat=True))
    assert {"甲二", "甲九"} <= certified_before
    # The day after, 乙七's certificate has expired.
    # (D is in the past for the whole test suite, so D + 1 is a valid as-of date.)
    after = datetime.date(2025, 7, 1)
    assert "乙七" not in set(m.certified_persons_queryset(after).values_list("name", flat=True))


def test_person_in_two_counties_counts_in_each_and_once_for_the_city(world):
    """The county table counts a two-county person in both counties (certified or not)."""
    inst_x = f.InstitutionFactory(county=world["x"], registration_date=datetime.date(2023, 1, 1))
    inst_y = f.InstitutionFactory(county=world["y"], registration_date=datetime.date(2023, 1, 1))
    both = f.PersonFactory(name="两地无证")
    f.EmploymentFactory(person=both, institution=inst_x, role=StaffRole.CAREGIVER, start_date=datetime.date(2024, 1, 1))
    f.EmploymentFactory(person=both, institution=inst_y, role=StaffRole.HEALTH, start_date=datetime.date(2024, 1, 1))
    table = m.compute_table(D)
    counties = {c.name: as_dict(v) for c, v in table["counties"]}
    city = as_dict(table["city"])
    got = {
        "city": (city["certified_rate"].numerator, city["certified_rate"].denominator),
        "麒麟区": (counties["麒麟区"]["certified_rate"].numerator, counties["麒麟区"]["certified_rate"].denominator),
        "宣威市": (counties["宣威市"]["certified_rate"].numerator, counties["宣威市"]["certified_rate"].denominator),
    }
    # Hand-computed: the crafted figures, plus one uncertified person in X, in Y and in the city.
    assert got == {"city": (4, 10), "麒麟区": (3, 9), "宣威市": (2, 3)}
    for name in ("麒麟区", "宣威市"):
        single = m.certified_rate(D, scope(name))
        assert (single.numerator, single.denominator) == got[name]


def test_configured_roles_change_the_staff(world, settings):
    settings.CERTIFIED_RATE_ROLES = ["caregiver"]
    cert = m.certified_rate(D)
    # s2 (director) and s12's director job in Y drop out; s12 stays through the X caregiver job.
    assert cert.denominator == 8
    assert m.certified_rate(D, scope("宣威市")).denominator == 1


def test_targets_are_data(world):
    x = world["x"]
    assert m.director_training_person_times(D, m.Scope(x)).target is None
    Target.objects.create(metric=MetricKey.DIRECTOR, county=x, period_start=m.PLAN_START, period_end=m.PLAN_END,
                          value=80)
    value = m.director_training_person_times(D, m.Scope(x))
    assert value.target == 80 and value.progress == 0.025
    # A yearly target replaces the plan-period one for its year.
    Target.objects.create(metric=MetricKey.CERTIFIED, year=2025, value="0.75")
    assert m.certified_rate(D).target == 0.75
    assert m.certified_rate(datetime.date(2024, 6, 30)).target == 0.70
    # No talents target after the plan's years.
    assert m.resolve_target(m.load_targets(), MetricKey.TALENTS, None, datetime.date(2027, 1, 1)) is None


def test_plan_targets_loaded_by_migration(db):
    targets = {(t.metric, t.year): t.value for t in Target.objects.filter(county=None)}
    assert targets[("director_training_person_times", None)] == 600
    assert targets[("caregiver_training_person_times", None)] == 1500
    assert [targets[("talents_trained", y)] for y in (2024, 2025, 2026)] == [400, 500, 600]
    assert float(targets[("certified_rate", None)]) == 0.70
    assert float(targets[("parenting_knowledge_rate", None)]) == 0.90


def test_query_count_does_not_grow_with_data(world):
    def count(fn):
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    x = scope("麒麟区")
    small = (count(lambda: m.compute_table(D)), count(lambda: m.compute_scope(D, x)))
    for _ in range(15):
        crafted(with_survey=True)
    big = (count(lambda: m.compute_table(D)), count(lambda: m.compute_scope(D, x)))
    assert small == big
    assert small[0] <= 7 and small[1] <= 4
    assert m.certified_rate(D).denominator == 9 * 16


def test_trend_is_monthly_and_cumulative(world):
    series = dict(m.trend(MetricKey.DIRECTOR, D))
    assert list(series)[0] == datetime.date(2024, 1, 31)
    assert list(series)[-1] == D
    assert series[datetime.date(2024, 1, 31)] == 1
    assert series[D] == 2
    talents = dict(m.trend(MetricKey.TALENTS, D))
    assert talents[datetime.date(2024, 12, 31)] == 2
    assert talents[datetime.date(2025, 1, 31)] == 0  # restarts every January
    assert talents[datetime.date(2025, 2, 28)] == 2  # p9, p8
    assert talents[D] == 4
    cert = dict(m.trend(MetricKey.CERTIFIED, D))
    assert cert[D] == 0.4444


# --- the command -----------------------------------------------------------------------------


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("progress_report", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_command_json_shape(world):
    data = json.loads(run("--as-of", "2025-06-30", "--json"))
    assert data["as_of"] == "2025-06-30" and data["scope"] == "曲靖市"
    keys = [x["key"] for x in data["metrics"]]
    assert keys == [
        "director_training_person_times", "caregiver_training_person_times", "talents_trained",
        "certified_rate", "parenting_knowledge_rate",
    ]
    director, caregiver, talents, cert, survey = data["metrics"]
    assert director == {
        "key": "director_training_person_times", "label": "累计培训各类托育机构负责人人次", "actual": 2,
        "target": 600, "progress": 0.0033, "period_start": "2024-01-01", "period_end": "2026-12-31",
    }
    assert caregiver["actual"] == 4 and caregiver["target"] == 1500
    assert talents["year"] == 2025 and talents["actual"] == 4 and talents["target"] == 500
    assert talents["progress"] == 0.008
    assert cert["actual"] == 0.4444 and cert["numerator"] == 4 and cert["denominator"] == 9
    assert cert["target"] == 0.7
    assert survey["numerator"] == 2 and survey["denominator"] == 3 and survey["actual"] == 0.6667
    assert isinstance(director["actual"], int)


def test_command_county_and_nulls(world):
    data = json.loads(run("--as-of", "2025-06-30", "--county", "会泽", "--json"))
    assert data["scope"] == "会泽县"
    cert = data["metrics"][3]
    assert cert["actual"] is None and cert["progress"] is None and cert["denominator"] == 0
    assert data["metrics"][0]["target"] is None and data["metrics"][0]["progress"] is None


def test_command_table(world):
    text = run("--as-of", "2025-06-30")
    assert "曲靖市" in text and "托育服务从业人员持证上岗率" in text and "44.44%" in text and "4/9" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--as-of", "2023-12-31"], "不能早于"),
        (["--as-of", "2999-01-01"], "不能晚于今天"),
        (["--as-of", "2025-02-30"], "日期格式不正确"),
        (["--as-of", "31/12/2025"], "日期格式不正确"),
        (["--county", "昆明市"], "未知的区县"),
    ],
)
def test_command_bad_input_exits_2(db, args, message):
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert exc.value.returncode == 2
    assert message in str(exc.value)


def test_headline_for_home_page(world):
    value = m.headline(D)
    assert value["label"] and "2 人次" in value["text"] and "44.44%" in value["text"]
