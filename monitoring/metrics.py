"""The five metrics of metrics.md, computed by the database for any as-of date D and scope S.

Every function here runs a fixed number of SQL aggregates whatever the size of the data:
- `compute_scope(D, scope)`: the five figures of one scope (city or one county), 4 queries;
- `compute_table(D)`: the five figures of the city and of all ten counties, 6 queries
  (GROUP BY county; the city's distinct talents get their own query, because a person
  counted in two counties counts once for the city; the certified rate of every county and
  of the city is one statement);
- one function per metric (`director_training_person_times(D, scope)` …), 2 queries each;
- `*_queryset` functions: the records behind each figure, for the drill-down and the exports;
- `trend(key, D, scope)`: the month-by-month series since 2024-01 for the charts, ONE query
  per metric whatever the number of months.

The indexes these queries rely on, and the query each one serves, are listed in INDEXES
below (the benchmark prints them with the plan SQLite chooses).

The command, the dashboard, the Excel and the PDF reports all read these functions, so they
show the same numbers.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, DateField, F, Func, IntegerField, Max, Min, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from certification.models import Certificate, ReviewStatus
from core.dates import local_today
from registry.models import County, Employment, Person, RegistrationStatus, StaffRole
from training.models import TrainingRecord, TrainingResult

from .models import RATE_METRICS, MetricKey, Target

CITY_NAME = "曲靖市"
PLAN_START = datetime.date(2024, 1, 1)
PLAN_END = datetime.date(2026, 12, 31)

METRIC_ORDER = [
    MetricKey.DIRECTOR,
    MetricKey.CAREGIVER,
    MetricKey.TALENTS,
    MetricKey.CERTIFIED,
    MetricKey.PARENTING,
]
CUMULATIVE_METRICS = {MetricKey.DIRECTOR, MetricKey.CAREGIVER}
# 培训对象 of the records counted by each person-times metric (metrics.md).
PERSON_TIMES_ROLES = {
    MetricKey.DIRECTOR: [StaffRole.DIRECTOR],
    MetricKey.CAREGIVER: [StaffRole.CAREGIVER, StaffRole.HEALTH],
}


# The indexes behind the figures: (table, index, the query it serves). Defined in the models'
# Meta.indexes (registry, training, certification, cms); benchmarks/monitoring_bench.py checks
# that SQLite's plans use them.
INDEXES = [
    ("training_trainingrecord", "record_county_metric_idx",
     "compute_table: person-times and talents of each county (county IN …, 合格, completion date in "
     "[2024-01-01, D]: one range per county, covering, already grouped); compute_scope and trends of a county"),
    ("training_trainingrecord", "record_metric_cover_idx",
     "compute_table / compute_scope of the city: distinct talents of the year (合格, completion date "
     "range, covering); the city's trends (records per completion day, first record of each person)"),
    ("registry_institution", "inst_county_reg_idx",
     "certified rate: institutions registered by D, per county (drives the staff join)"),
    ("registry_employment", "employment_inst_staff_idx",
     "certified rate: employments of those institutions active on D in a counted role → person "
     "(covering, no table lookups)"),
    ("certification_certificate", "cert_holder_valid_idx",
     "certified rate: does this staff person hold a qualifying certificate at D (one seek per person)"),
    ("certification_certificate", "cert_valid_on_cover_idx",
     "certified-rate trend: validity intervals of all counting certificates (covering); drill-down lists"),
    ("registry_employment", "employment_staff_cover_idx",
     "certified-rate trend: staff intervals of the employments in a counted role (covering)"),
    ("cms_surveyresponse", "cms_survey_metric_idx",
     "knowledge rate and its trend: responses submitted in a date range, per county"),
]


class MetricInputError(ValueError):
    """Bad as-of date or county; the message is Chinese and shown to the user as is."""


# --- Scope and input ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The city (county None) or one county."""

    county: County | None = None

    @property
    def county_id(self):
        return self.county.pk if self.county else None

    @property
    def is_city(self):
        return self.county is None

    @property
    def name(self):
        return self.county.name if self.county else CITY_NAME


CITY = Scope()


def parse_as_of(value, today=None):
    """YYYY-MM-DD (empty: today, Asia/Shanghai) → date; before 2024-01-01 or in the future is an error."""
    today = today or local_today()
    if value in (None, ""):
        return today
    if isinstance(value, datetime.date):
        as_of = value
    else:
        text = str(value).strip()
        try:
            as_of = datetime.date.fromisoformat(text)
        except ValueError:
            raise MetricInputError(f"日期格式不正确：“{text}”，请按 YYYY-MM-DD 填写，如 2025-12-31。") from None
        if len(text) != 10:
            raise MetricInputError(f"日期格式不正确：“{text}”，请按 YYYY-MM-DD 填写，如 2025-12-31。")
    if as_of < PLAN_START:
        raise MetricInputError(f"统计日期不能早于 {PLAN_START:%Y-%m-%d}（三年行动计划起始日）。")
    if as_of > today:
        raise MetricInputError(f"统计日期不能晚于今天（{today:%Y-%m-%d}）。")
    return as_of


def parse_scope(value):
    """'' or 曲靖市 → the city; a county's full name, short name or id → that county."""
    text = str(value or "").strip()
    if not text or text in (CITY_NAME, "全市", "city"):
        return CITY
    counties = list(County.objects.all())
    if text.isdigit():
        for county in counties:
            if county.pk == int(text):
                return Scope(county)
    found = _county_by_name(counties, text)
    if found is None:
        raise MetricInputError(f"未知的区县：“{text}”。可选：{'、'.join(c.name for c in counties)}。")
    return Scope(found)


def _county_by_name(counties, name):
    for county in counties:
        if name == county.name or name in county.aliases():
            return county
    return None


# --- Values -----------------------------------------------------------------------------------


def _round4(value):
    return None if value is None else round(float(value), 4)


@dataclass
class MetricValue:
    key: str
    as_of: datetime.date
    scope_name: str
    actual: float | int | None
    target: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    year: int | None = None
    progress: float | None = field(default=None)

    def __post_init__(self):
        if self.progress is None and self.actual is not None and self.target:
            self.progress = _round4(self.actual / self.target)

    @property
    def label(self):
        return MetricKey(self.key).label

    @property
    def is_rate(self):
        return self.key in RATE_METRICS

    def as_json(self):
        """One metric object of progress_report --json (interfaces.md)."""
        data = {"key": self.key, "label": self.label}
        if self.year is not None:
            data["year"] = self.year
        data.update(actual=self.actual, target=self.target)
        if self.is_rate:
            data.update(numerator=self.numerator, denominator=self.denominator)
        data.update(
            progress=self.progress,
            period_start=self.period_start.isoformat() if self.period_start else None,
            period_end=self.period_end.isoformat() if self.period_end else None,
        )
        return data

    # Display helpers shared by the dashboard, the reports and the command's table.
    @staticmethod
    def format(value, is_rate):
        if value is None:
            return "—"
        if is_rate:
            return f"{value * 100:.2f}%"
        return f"{int(value):,}"

    @property
    def actual_display(self):
        return self.format(self.actual, self.is_rate)

    @property
    def target_display(self):
        return self.format(self.target, self.is_rate)

    @property
    def progress_display(self):
        return "—" if self.progress is None else f"{self.progress * 100:.1f}%"

    @property
    def progress_bar(self):
        """Width of the progress bar in percent (0–100)."""
        return 0 if self.progress is None else max(0, min(100, round(self.progress * 100)))

    @property
    def expected_share(self):
        """Share of the target that should be reached by D if progress were linear in time."""
        if self.is_rate or not (self.period_start and self.period_end):
            return 1.0
        total = (self.period_end - self.period_start).days + 1
        elapsed = (min(self.as_of, self.period_end) - self.period_start).days + 1
        return max(0.0, min(1.0, elapsed / total))

    @property
    def status(self):
        """reached / on_track / lagging / behind / nodata — the card's colour."""
        if self.progress is None:
            return "nodata"
        if self.progress >= 1:
            return "reached"
        expected = self.expected_share
        if self.progress >= expected:
            return "on_track"
        if self.progress >= expected * 0.8:
            return "lagging"
        return "behind"

    @property
    def status_label(self):
        return {"reached": "已达标", "on_track": "进度正常", "lagging": "略有滞后", "behind": "明显滞后", "nodata": "无数据"}[
            self.status
        ]


# --- Targets ---------------------------------------------------------------------------------


def load_targets():
    """All targets (a small table): one query, resolved in Python for every scope and metric."""
    return list(Target.objects.all())


def resolve_target(targets, key, county_id, as_of):
    """The target of `key` for a scope at D, or None.

    The most specific target whose period contains D wins (a year before a plan period). For
    every metric except the yearly talents figure, a target whose period has ended still
    applies after it (the plan's city targets are shown for every as-of date).
    """
    candidates = [t for t in targets if t.metric == key and t.county_id == county_id]
    containing = [t for t in candidates if t.period_start <= as_of <= t.period_end]
    if containing:
        return min(containing, key=lambda t: ((t.period_end - t.period_start).days, -t.period_start.toordinal()))
    if key == MetricKey.TALENTS:
        return None
    started = [t for t in candidates if t.period_start <= as_of]
    if started:
        return max(started, key=lambda t: (t.period_end, t.period_start))
    return None


def _target_value(target, key):
    if target is None:
        return None
    if key in RATE_METRICS:
        return float(target.value)
    return int(target.value)


def _year_bounds(as_of):
    return datetime.date(as_of.year, 1, 1), datetime.date(as_of.year, 12, 31)


def build_value(key, as_of, scope, targets, *, actual=None, numerator=None, denominator=None):
    key = MetricKey(key)
    target = resolve_target(targets, key, scope.county_id, as_of)
    year = None
    if key in (MetricKey.TALENTS, MetricKey.PARENTING):
        year = as_of.year
        period_start, period_end = _year_bounds(as_of)
    elif target is not None:
        period_start, period_end = target.period_start, target.period_end
    else:
        period_start, period_end = PLAN_START, PLAN_END
    if key in RATE_METRICS:
        numerator, denominator = int(numerator or 0), int(denominator or 0)
        # With no staff (no responses) the rate is undefined, never 0 (metrics.md).
        actual = _round4(Decimal(numerator) / Decimal(denominator)) if denominator else None
        progress = None
        if denominator and target is not None and target.value:
            progress = _round4(Decimal(numerator) / Decimal(denominator) / target.value)
    else:
        actual = int(actual or 0)
        progress = None
    return MetricValue(
        key=key.value, as_of=as_of, scope_name=scope.name, actual=actual, target=_target_value(target, key),
        numerator=numerator, denominator=denominator, period_start=period_start, period_end=period_end,
        year=year, progress=progress,
    )


# --- The records behind each figure ---------------------------------------------------------


def _in_scope(qs, scope, county_field):
    return qs if scope.is_city else qs.filter(**{county_field: scope.county_id})


def passed_records(as_of, scope=CITY, start=PLAN_START):
    """合格 training records completed in [start, D] in S."""
    qs = TrainingRecord.objects.filter(
        result=TrainingResult.PASSED, completion_date__gte=start, completion_date__lte=as_of
    )
    return _in_scope(qs, scope, "county_id")


def person_times_queryset(key, as_of, scope=CITY):
    """The records counted by director/caregiver_training_person_times."""
    return passed_records(as_of, scope).filter(role__in=PERSON_TIMES_ROLES[MetricKey(key)])


def talents_records_queryset(as_of, scope=CITY):
    """合格 records (any category, any role) completed in the calendar year of D, up to D, in S."""
    return passed_records(as_of, scope, start=datetime.date(as_of.year, 1, 1))


def talents_persons_queryset(as_of, scope=CITY):
    return Person.objects.filter(pk__in=talents_records_queryset(as_of, scope).values("person_id"))


def certified_rate_roles():
    return list(getattr(settings, "CERTIFIED_RATE_ROLES", [StaffRole.DIRECTOR, StaffRole.CAREGIVER, StaffRole.HEALTH]))


def staff_employments(as_of, scope=CITY):
    """Employments that make a person staff at D in S (metrics.md, 持证上岗率)."""
    qs = Employment.objects.active_on(as_of).filter(
        role__in=certified_rate_roles(),
        institution__registration_status=RegistrationStatus.REGISTERED,
        institution__registration_date__lte=as_of,
    )
    return _in_scope(qs, scope, "institution__county_id")


def valid_certificates(as_of):
    return Certificate.objects.valid_on(as_of)


def staff_persons_queryset(as_of, scope=CITY):
    return Person.objects.filter(pk__in=staff_employments(as_of, scope).values("person_id"))


def certified_persons_queryset(as_of, scope=CITY):
    return staff_persons_queryset(as_of, scope).filter(pk__in=valid_certificates(as_of).values("person_id"))


def staff_certificates_queryset(as_of, scope=CITY):
    """The qualifying certificates held at D by the staff of S (the evidence of the numerator)."""
    return valid_certificates(as_of).filter(person_id__in=staff_employments(as_of, scope).values("person_id"))


def survey_model():
    """cms.SurveyResponse if the CMS app provides it (the fifth metric shows "no data" otherwise)."""
    try:
        return apps.get_model("cms", "SurveyResponse")
    except LookupError:
        return None


def _local_midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def survey_queryset(as_of, scope=CITY):
    """Responses submitted in the calendar year of D up to D (local dates), in S; None without the model."""
    model = survey_model()
    if model is None:
        return None
    start = _local_midnight(datetime.date(as_of.year, 1, 1))
    end = _local_midnight(as_of + datetime.timedelta(days=1))
    # Datetime bounds (not __date) so the (submitted_at, county) index serves the query.
    qs = model.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    return _in_scope(qs, scope, "county_id")


# --- Aggregates ---------------------------------------------------------------------------------


def _record_counts(as_of, scope):
    """director, caregiver, talents for S in one query."""
    year_start = datetime.date(as_of.year, 1, 1)
    return passed_records(as_of, scope).aggregate(
        director=Count("pk", filter=Q(role__in=PERSON_TIMES_ROLES[MetricKey.DIRECTOR])),
        caregiver=Count("pk", filter=Q(role__in=PERSON_TIMES_ROLES[MetricKey.CAREGIVER])),
        talents=Count("person_id", distinct=True, filter=Q(completion_date__gte=year_start)),
    )


def _sql(queryset):
    return queryset.query.sql_with_params()


def _materialized():
    """`MATERIALIZED` for a CTE the query reads more than once (SQLite >= 3.35, PostgreSQL >= 12)."""
    if connection.vendor == "sqlite":
        import sqlite3

        return "MATERIALIZED " if sqlite3.sqlite_version_info >= (3, 35) else ""
    return "MATERIALIZED " if connection.vendor == "postgresql" else ""


def _certified_counts_all(as_of, scope=CITY):
    """({county_id: counts}, counts of the whole scope) of the certified rate at D, in ONE query.

    counts = {"numerator": certified staff, "denominator": staff}. The staff of S are grouped
    by person once (a person employed twice counts once), each person is checked once for a
    qualifying certificate (an index seek per person on certification's
    `cert_holder_valid_idx`), and then:
    - persons employed in one county only (nearly all) are counted under that county;
    - the few persons employed in several counties are counted once in each of them, from
      their employments (a person employed in two counties is staff in each, metrics.md);
    - the scope's own figure counts every person once.
    The inner SELECTs are generated by the ORM from `staff_employments` and
    `valid_certificates`, the same querysets as the drill-down lists.
    """
    staff = staff_employments(as_of, scope)
    persons_sql, persons_params = _sql(
        staff.values("person_id").order_by().annotate(cmin=Min("institution__county_id"), cmax=Max("institution__county_id"))
    )
    cert_sql, cert_params = _sql(valid_certificates(as_of).values("person_id").order_by())
    multi_sql, multi_params = _sql(
        staff.filter(person_id__in=RawSQL("SELECT person_id FROM mon_staff WHERE cmin <> cmax", ()))
        .values("institution__county_id").order_by()
        .annotate(
            denominator=Count("person_id", distinct=True),
            numerator=Count("person_id", distinct=True, filter=Q(
                person_id__in=RawSQL("SELECT person_id FROM mon_staff WHERE cmin <> cmax AND cert", ())
            )),
        )
    )
    sql = (
        f"WITH mon_staff AS {_materialized()}("
        "SELECT s.person_id AS person_id, s.cmin AS cmin, s.cmax AS cmax, "
        f"EXISTS (SELECT 1 FROM ({cert_sql}) v WHERE v.person_id = s.person_id) AS cert "
        f"FROM ({persons_sql}) s) "
        "SELECT cmin, COUNT(*), COUNT(*) FILTER (WHERE cert) FROM mon_staff WHERE cmin = cmax GROUP BY cmin "
        f"UNION ALL {multi_sql} "
        "UNION ALL SELECT NULL, COUNT(*), COUNT(*) FILTER (WHERE cert) FROM mon_staff"
    )
    by_county, total = {}, {"numerator": 0, "denominator": 0}
    with connection.cursor() as cursor:
        cursor.execute(sql, (*cert_params, *persons_params, *multi_params))
        for county_id, denominator, numerator in cursor.fetchall():
            if county_id is None:
                total = {"numerator": int(numerator or 0), "denominator": int(denominator or 0)}
                continue
            # A county's single-county persons and its multi-county persons are disjoint: add.
            counts = by_county.setdefault(county_id, {"numerator": 0, "denominator": 0})
            counts["numerator"] += int(numerator or 0)
            counts["denominator"] += int(denominator or 0)
    return by_county, total


def _certified_counts(as_of, scope):
    """{"numerator", "denominator"} of the certified rate of S at D (one query)."""
    return _certified_counts_all(as_of, scope)[1]


def _survey_counts(as_of, scope):
    qs = survey_queryset(as_of, scope)
    if qs is None:
        return {"numerator": 0, "denominator": 0}
    return qs.aggregate(denominator=Count("pk"), numerator=Count("pk", filter=Q(passed=True)))


def _values_for(as_of, scope, targets, records, certified, survey):
    return [
        build_value(MetricKey.DIRECTOR, as_of, scope, targets, actual=records["director"]),
        build_value(MetricKey.CAREGIVER, as_of, scope, targets, actual=records["caregiver"]),
        build_value(MetricKey.TALENTS, as_of, scope, targets, actual=records["talents"]),
        build_value(MetricKey.CERTIFIED, as_of, scope, targets, **certified),
        build_value(MetricKey.PARENTING, as_of, scope, targets, **survey),
    ]


def compute_scope(as_of, scope=CITY, targets=None):
    """The five MetricValues of one scope, in METRIC_ORDER (4 queries)."""
    targets = load_targets() if targets is None else targets
    return _values_for(
        as_of, scope, targets, _record_counts(as_of, scope), _certified_counts(as_of, scope),
        _survey_counts(as_of, scope),
    )


def compute_table(as_of):
    """{"city": [MetricValue…], "counties": [(County, [MetricValue…]), …]} in 7 queries."""
    targets = load_targets()
    counties = list(County.objects.all())
    year_start = datetime.date(as_of.year, 1, 1)
    by_county = {c.pk: {"records": {"director": 0, "caregiver": 0, "talents": 0},
                        "certified": {"numerator": 0, "denominator": 0},
                        "survey": {"numerator": 0, "denominator": 0}} for c in counties}
    # `county_id IN (...)` lets the (county, result, completion_date, role, person) index serve
    # the query as one range per county, already in county order (no sort).
    rows = (
        passed_records(as_of).filter(county_id__in=list(by_county)).values("county_id").order_by().annotate(
            director=Count("pk", filter=Q(role__in=PERSON_TIMES_ROLES[MetricKey.DIRECTOR])),
            caregiver=Count("pk", filter=Q(role__in=PERSON_TIMES_ROLES[MetricKey.CAREGIVER])),
            talents=Count("person_id", distinct=True, filter=Q(completion_date__gte=year_start)),
        )
    )
    for row in rows:
        if row["county_id"] in by_county:
            by_county[row["county_id"]]["records"] = row
    certified_by_county, city_certified = _certified_counts_all(as_of)
    for county_id, counts in certified_by_county.items():
        if county_id in by_county:
            by_county[county_id]["certified"] = counts
    survey = survey_queryset(as_of)
    if survey is not None:
        for row in survey.values("county_id").order_by().annotate(
            denominator=Count("pk"), numerator=Count("pk", filter=Q(passed=True))
        ):
            if row["county_id"] in by_county:
                by_county[row["county_id"]]["survey"] = row
    county_values = []
    for county in counties:
        data = by_county[county.pk]
        county_values.append((county, _values_for(
            as_of, Scope(county), targets, data["records"],
            {"numerator": data["certified"]["numerator"], "denominator": data["certified"]["denominator"]},
            {"numerator": data["survey"]["numerator"], "denominator": data["survey"]["denominator"]},
        )))
    # Responses belong to exactly one county, so the city's survey figure is the sum.
    city_survey = {
        "numerator": sum(d["survey"]["numerator"] for d in by_county.values()),
        "denominator": sum(d["survey"]["denominator"] for d in by_county.values()),
    }
    # Each record belongs to one county, so person-times add up; talents are distinct persons
    # across counties and need their own (year-only) query.
    city_records = {
        "director": sum(d["records"]["director"] for d in by_county.values()),
        "caregiver": sum(d["records"]["caregiver"] for d in by_county.values()),
        "talents": talents_records_queryset(as_of).aggregate(n=Count("person_id", distinct=True))["n"],
    }
    city = _values_for(as_of, CITY, targets, city_records, city_certified, city_survey)
    return {"as_of": as_of, "city": city, "counties": county_values}


def report_json(as_of, scope, values):
    """The progress_report --json object (interfaces.md)."""
    return {"as_of": as_of.isoformat(), "scope": scope.name, "metrics": [v.as_json() for v in values]}


# --- One function per metric ---------------------------------------------------------------------


def director_training_person_times(as_of, scope=CITY):
    actual = person_times_queryset(MetricKey.DIRECTOR, as_of, scope).count()
    return build_value(MetricKey.DIRECTOR, as_of, scope, load_targets(), actual=actual)


def caregiver_training_person_times(as_of, scope=CITY):
    actual = person_times_queryset(MetricKey.CAREGIVER, as_of, scope).count()
    return build_value(MetricKey.CAREGIVER, as_of, scope, load_targets(), actual=actual)


def talents_trained(as_of, scope=CITY):
    actual = talents_records_queryset(as_of, scope).aggregate(n=Count("person_id", distinct=True))["n"]
    return build_value(MetricKey.TALENTS, as_of, scope, load_targets(), actual=actual)


def certified_rate(as_of, scope=CITY):
    return build_value(MetricKey.CERTIFIED, as_of, scope, load_targets(), **_certified_counts(as_of, scope))


def parenting_knowledge_rate(as_of, scope=CITY):
    return build_value(MetricKey.PARENTING, as_of, scope, load_targets(), **_survey_counts(as_of, scope))


METRIC_FUNCTIONS = {
    MetricKey.DIRECTOR: director_training_person_times,
    MetricKey.CAREGIVER: caregiver_training_person_times,
    MetricKey.TALENTS: talents_trained,
    MetricKey.CERTIFIED: certified_rate,
    MetricKey.PARENTING: parenting_knowledge_rate,
}


def metric(key, as_of, scope=CITY):
    return METRIC_FUNCTIONS[MetricKey(key)](as_of, scope)


# --- Trends --------------------------------------------------------------------------------------


def month_points(as_of):
    """The end of every month from 2024-01 to D's month; the last point is D itself."""
    points = []
    year, month = PLAN_START.year, PLAN_START.month
    while (year, month) <= (as_of.year, as_of.month):
        end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        points.append(min(end, as_of))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return points


class NextDay(Func):
    """The day after a date, in the database (NULL stays NULL); native on SQLite and PostgreSQL."""

    output_field = DateField()
    template = "(%(expressions)s + INTERVAL '1' DAY)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="date(%(expressions)s, '+1 day')", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s + 1)", **extra_context)


# An open end (no end date, no expiry, not revoked): later than any as-of date.
FAR_FUTURE = datetime.date(9999, 12, 31)


def staff_intervals(as_of, scope=CITY):
    """Employments with their staff interval [lo, hi): staff at a date t <= D exactly when lo <= t < hi.

    The same conditions as `staff_employments(t, scope)`, for every t from 2024-01 to D at once:
    started (and the institution registered) by t, not ended before t (end date + 1 > t). Only
    non-empty intervals: the sweep in _certified_trend counts +1 at lo and -1 at hi.
    """
    roles = certified_rate_roles()
    qs = Employment.objects.filter(
        role__in=roles,
        start_date__lte=as_of,
        institution__registration_status=RegistrationStatus.REGISTERED,
        institution__registration_date__lte=as_of,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=month_points(as_of)[0]))
    qs = _in_scope(qs, scope, "institution__county_id")
    # An employment that ended before its institution was registered is staff on no day: its
    # interval is empty (hi <= lo) and must not be counted at all.
    return qs.annotate(
        lo=Greatest("start_date", "institution__registration_date"),
        hi=Coalesce(NextDay("end_date"), Value(FAR_FUTURE), output_field=DateField()),
    ).filter(lo__lt=F("hi"))


def certificate_intervals(as_of):
    """Certificates with their validity interval [lo, hi): valid at a date t <= D exactly when lo <= t < hi.

    The conditions of `Certificate.objects.valid_on(t)` for every t from 2024-01 to D at once:
    a counting type, approved, issued on or before t, not revoked on or before t (t < revoked_on)
    and not expired (t <= expiry, i.e. t < expiry + 1).
    """
    first = month_points(as_of)[0]
    qs = Certificate.objects.filter(
        type__counts_toward_rate=True, review_status=ReviewStatus.APPROVED, issue_date__lte=as_of,
    ).filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=first),
        Q(expiry_date__isnull=True) | Q(expiry_date__gte=first),
    )
    # A certificate revoked on (or, by a data error, before) its issue day is valid on no day.
    return qs.annotate(
        lo=F("issue_date"),
        hi=Least(
            Coalesce(NextDay("expiry_date"), Value(FAR_FUTURE), output_field=DateField()),
            Coalesce("revoked_on", Value(FAR_FUTURE), output_field=DateField()),
        ),
    ).filter(lo__lt=F("hi"))


def _points_cte(points, name="mon_points"):
    """`name(k, d, ys) AS (VALUES ...)`: point index, point date, 1 January of its year."""
    rows = ", ".join(["(%s, %s, %s)"] * len(points))
    params = []
    for k, point in enumerate(points):
        params += [k, connection.ops.adapt_datefield_value(point),
                   connection.ops.adapt_datefield_value(datetime.date(point.year, 1, 1))]
    return f"{name}(k, d, ys) AS (VALUES {rows})", params


def _island_events_sql(source, order, kind):
    """(CTE, SELECT of (kind, d, n) events) of the islands of each person's [lo, hi) intervals in `source`.

    The intervals of a person, sorted by `order`, form islands (maximal runs that overlap or
    touch). Counting needs only where islands start (+1) and end (-1). With prev_hi = the
    latest end among the person's earlier intervals (one window pass): a row starts an island
    when prev_hi is empty or before its start, and then the previous island ended at prev_hi;
    the person's last island ends at their latest end. Summing the events up to t gives the
    number of persons with an interval containing t.
    """
    window = (
        f"SELECT lo, MAX(hi) OVER (PARTITION BY person_id ORDER BY {order} "
        f"ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_hi FROM {source}"
    )
    cte = f"{source}_w AS {_materialized()}({window})"
    events = (
        f"SELECT {kind}, lo, 1 FROM {source}_w WHERE prev_hi IS NULL OR lo > prev_hi "
        f"UNION ALL SELECT {kind}, prev_hi, -1 FROM {source}_w WHERE lo > prev_hi "
        f"UNION ALL SELECT {kind}, MAX(hi), -1 FROM {source} GROUP BY person_id"
    )
    return cte, events


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _person_times_trend(key, as_of, scope, points):
    """Cumulative person-times at each point: records per completion day, summed up to the point."""
    daily_sql, daily_params = _sql(
        person_times_queryset(key, as_of, scope).values("completion_date").order_by().annotate(n=Count("pk"))
    )
    pts_sql, pts_params = _points_cte(points)
    sql = (
        f"WITH {pts_sql}, mon_daily AS {_materialized()}({daily_sql}) "
        "SELECT p.k, COALESCE(SUM(r.n), 0) FROM mon_points p "
        "LEFT JOIN mon_daily r ON r.completion_date <= p.d GROUP BY p.k ORDER BY p.k"
    )
    return [int(n) for _k, n in _fetch(sql, (*pts_params, *daily_params))]


def _talents_trend(as_of, scope, points):
    """Talents of the year at each point: persons whose first 合格 record of the year is on or before it.

    One branch per calendar year (2024 … D's year) inside ONE statement: the first completion
    date of each person in the year (in S), counted per day, then summed per point of that year.
    """
    branches, params = [], []
    for year in range(PLAN_START.year, as_of.year + 1):
        end = min(as_of, datetime.date(year, 12, 31))
        firsts_sql, firsts_params = _sql(
            passed_records(end, scope, start=datetime.date(year, 1, 1))
            .values("person_id").order_by().annotate(first_day=Min("completion_date"))
        )
        branches.append(f"SELECT f.first_day AS day, COUNT(*) AS n FROM ({firsts_sql}) f GROUP BY f.first_day")
        params += firsts_params
    pts_sql, pts_params = _points_cte(points)
    sql = (
        f"WITH {pts_sql}, mon_firsts AS {_materialized()}({' UNION ALL '.join(branches)}) "
        "SELECT p.k, COALESCE(SUM(f.n), 0) FROM mon_points p "
        "LEFT JOIN mon_firsts f ON f.day <= p.d AND f.day >= p.ys GROUP BY p.k ORDER BY p.k"
    )
    return [int(n) for _k, n in _fetch(sql, (*pts_params, *params))]


def _certified_trend(as_of, scope, points):
    """(certified staff, staff) at each point, in ONE statement.

    A person is staff at t when one of their staff intervals contains t, and certified staff
    when one of the intersections of a staff interval with a certificate interval contains t.
    Both are counted as islands (see _island_events_sql): +1 where an island of a person starts,
    -1 where it ends, summed up to each point. Equal by construction to the single-date figure
    (_certified_counts) at every point; tests/monitoring/test_trends.py checks it point by point.
    """
    staff_sql, staff_params = _sql(staff_intervals(as_of, scope).values("id", "person_id", "lo", "hi").order_by())
    cert_sql, cert_params = _sql(certificate_intervals(as_of).values("id", "person_id", "lo", "hi").order_by())
    pts_sql, pts_params = _points_cte(points)
    staff_window, staff_events = _island_events_sql("mon_se", "lo, hi, id", 0)
    cert_window, cert_events = _island_events_sql("mon_xe", "lo, hi, sid, cid", 1)
    sql = (
        f"WITH {pts_sql}, mon_se AS {_materialized()}({staff_sql}), "
        f"mon_xe AS {_materialized()}(SELECT s.person_id AS person_id, s.id AS sid, c.id AS cid, "
        "CASE WHEN s.lo > c.lo THEN s.lo ELSE c.lo END AS lo, CASE WHEN s.hi < c.hi THEN s.hi ELSE c.hi END AS hi "
        f"FROM mon_se s INNER JOIN ({cert_sql}) c ON c.person_id = s.person_id AND c.lo < s.hi AND s.lo < c.hi), "
        f"{staff_window}, {cert_window}, "
        f"mon_ev(kind, d, n) AS ({staff_events} UNION ALL {cert_events}), "
        # Events after D (open ends, future expiries) never count at any point: dropped first.
        f"mon_ed AS {_materialized()}(SELECT kind, d, SUM(n) AS n FROM mon_ev WHERE d <= %s GROUP BY kind, d) "
        "SELECT p.k, COALESCE(SUM(CASE WHEN e.kind = 1 THEN e.n ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN e.kind = 0 THEN e.n ELSE 0 END), 0) "
        "FROM mon_points p LEFT JOIN mon_ed e ON e.d <= p.d GROUP BY p.k ORDER BY p.k"
    )
    params = (*pts_params, *staff_params, *cert_params, connection.ops.adapt_datefield_value(as_of))
    return [(int(num), int(den)) for _k, num, den in _fetch(sql, params)]


def _survey_trend(as_of, scope, points):
    """[(passed, responses)] of the calendar year up to each point (None without the survey model).

    Responses are put in the bucket of their point (local dates, as the metric) by a CASE over
    the points' next-day midnights, counted per bucket in one query, then added up within each
    year (at most 12 buckets per year: the figures are the database's, only summed here).
    """
    model = survey_model()
    if model is None:
        return None
    bounds = [_local_midnight(point + datetime.timedelta(days=1)) for point in points]
    bucket = Case(*[When(submitted_at__lt=bound, then=Value(k)) for k, bound in enumerate(bounds)],
                  output_field=IntegerField())
    qs = _in_scope(model.objects.filter(submitted_at__gte=_local_midnight(PLAN_START), submitted_at__lt=bounds[-1]),
                   scope, "county_id")
    counts = {
        row["k"]: (row["n"], row["p"])
        for row in qs.annotate(k=bucket).values("k").order_by().annotate(n=Count("pk"), p=Count("pk", filter=Q(passed=True)))
    }
    series, n, p, year = [], 0, 0, None
    for k, point in enumerate(points):
        if point.year != year:
            year, n, p = point.year, 0, 0
        got = counts.get(k, (0, 0))
        n, p = n + got[0], p + got[1]
        series.append((p, n))
    return series


def trend(key, as_of, scope=CITY):
    """[(date, value)] for each month since 2024-01 (cumulative where the metric is cumulative).

    Person-times accumulate from 2024-01-01; talents and the knowledge rate restart every
    January (they are measured per calendar year); the certified rate is the rate at each month
    end. Every metric's series is ONE query, whatever the number of months or the data size.
    """
    key = MetricKey(key)
    points = month_points(as_of)
    if key in CUMULATIVE_METRICS:
        return list(zip(points, _person_times_trend(key, as_of, scope, points), strict=True))
    if key == MetricKey.TALENTS:
        return list(zip(points, _talents_trend(as_of, scope, points), strict=True))
    if key == MetricKey.CERTIFIED:
        counts = _certified_trend(as_of, scope, points)
    else:
        counts = _survey_trend(as_of, scope, points)
        if counts is None:
            return [(point, None) for point in points]
    return [(point, _round4(Decimal(num) / Decimal(den)) if den else None)
            for point, (num, den) in zip(points, counts, strict=True)]


# --- The public home page's headline ----------------------------------------------------------


def headline(as_of=None):
    """{"label", "text"} for the public home page (cms.progress.city_headline)."""
    as_of = as_of or local_today()
    if as_of < PLAN_START:
        return None
    values = {v.key: v for v in compute_scope(as_of, CITY)}
    director = values[MetricKey.DIRECTOR]
    caregiver = values[MetricKey.CAREGIVER]
    talents = values[MetricKey.TALENTS]
    certified = values[MetricKey.CERTIFIED]
    parts = [
        f"累计培训托育机构负责人 {director.actual_display} 人次（目标 {director.target_display}）",
        f"保育、保健人员 {caregiver.actual_display} 人次（目标 {caregiver.target_display}）",
        f"{as_of.year}年培养托育人才 {talents.actual_display} 人",
    ]
    if certified.actual is not None:
        parts.append(f"从业人员持证上岗率 {certified.actual_display}")
    return {
        "label": "全市托育人才培养进展",
        "text": f"截至{as_of.year}年{as_of.month}月{as_of.day}日，" + "，".join(parts) + "。",
    }
