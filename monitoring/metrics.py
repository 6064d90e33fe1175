"""The five metrics of metrics.md, computed by the database for any as-of date D and scope S.

Every function here runs a fixed number of SQL aggregates whatever the size of the data:
- `compute_scope(D, scope)`: the five figures of one scope (city or one county), 4 queries;
- `compute_table(D)`: the five figures of the city and of all ten counties, 7 queries
  (GROUP BY county; the city's distinct-person figures get their own query, because a person
  counted in two counties counts once for the city);
- one function per metric (`director_training_person_times(D, scope)` …), 2 queries each;
- `*_queryset` functions: the records behind each figure, for the drill-down and the exports;
- `trend(key, D, scope)`: the month-by-month series since 2024-01 for the charts.

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
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from certification.models import Certificate
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


def local_today():
    return timezone.localdate()


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


def _certified_counts(as_of, scope):
    # Counted on the employments themselves (distinct persons), without visiting the person table.
    return staff_employments(as_of, scope).aggregate(
        denominator=Count("person_id", distinct=True),
        numerator=Count(
            "person_id", distinct=True, filter=Q(person_id__in=valid_certificates(as_of).values("person_id"))
        ),
    )


def _certified_counts_all(as_of):
    """({county_id: counts}, city counts) of the certified rate in ONE query.

    The staff pairs (county, person) and the certified persons are each computed once, as
    common table expressions, then counted per county (a person employed in two counties is
    staff in each) and for the city (distinct persons). Both CTEs are referenced twice, so
    SQLite and PostgreSQL materialise them once; this halves the cost of two separate queries.
    The two inner SELECTs are generated by the ORM from the same querysets as everywhere else.
    """
    staff_sql, staff_params = (
        staff_employments(as_of).values_list("institution__county_id", "person_id").distinct().order_by()
        .query.sql_with_params()
    )
    cert_sql, cert_params = valid_certificates(as_of).values_list("person_id", flat=True).order_by().query.sql_with_params()
    sql = (
        f"WITH staff (county_id, person_id) AS ({staff_sql}), certified (person_id) AS ({cert_sql}) "
        "SELECT county_id, COUNT(*), SUM(CASE WHEN person_id IN (SELECT person_id FROM certified) THEN 1 ELSE 0 END) "
        "FROM staff GROUP BY county_id "
        "UNION ALL "
        "SELECT NULL, COUNT(DISTINCT person_id), "
        "COUNT(DISTINCT CASE WHEN person_id IN (SELECT person_id FROM certified) THEN person_id END) FROM staff"
    )
    by_county, city = {}, {"numerator": 0, "denominator": 0}
    with connection.cursor() as cursor:
        cursor.execute(sql, (*staff_params, *cert_params))
        for county_id, denominator, numerator in cursor.fetchall():
            counts = {"numerator": int(numerator or 0), "denominator": int(denominator or 0)}
            if county_id is None:
                city = counts
            else:
                by_county[county_id] = counts
    return by_county, city


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
    rows = (
        passed_records(as_of).values("county_id").order_by().annotate(
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


def _month_key(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return (value.year, value.month)


def trend(key, as_of, scope=CITY):
    """[(date, value)] for each month since 2024-01 (cumulative where the metric is cumulative).

    Person-times accumulate from 2024-01-01; talents and the knowledge rate restart every
    January (they are measured per calendar year); the certified rate is the rate at each month
    end. Query cost: 1 query for person-times and the knowledge rate, one per year for talents,
    one per month for the certified rate (independent of the data size; cache the result).
    """
    key = MetricKey(key)
    points = month_points(as_of)
    if key in CUMULATIVE_METRICS:
        counts = {
            _month_key(row["m"]): row["n"]
            for row in person_times_queryset(key, as_of, scope)
            .annotate(m=TruncMonth("completion_date")).values("m").order_by().annotate(n=Count("pk"))
        }
        total, series = 0, []
        for point in points:
            total += counts.get((point.year, point.month), 0)
            series.append((point, total))
        return series
    if key == MetricKey.TALENTS:
        counts = {}
        for year in range(PLAN_START.year, as_of.year + 1):
            end = min(as_of, datetime.date(year, 12, 31))
            start = datetime.date(year, 1, 1)
            records = passed_records(end, scope, start=start)
            # A person is counted in the month of their first 合格 record of the year (in S).
            earlier = passed_records(end, scope, start=start).filter(person_id=OuterRef("person_id")).filter(
                Q(completion_date__lt=OuterRef("completion_date"))
                | Q(completion_date=OuterRef("completion_date"), pk__lt=OuterRef("pk"))
            )
            rows = (
                records.filter(~Exists(earlier)).annotate(m=TruncMonth("completion_date"))
                .values("m").order_by().annotate(n=Count("pk"))
            )
            counts.update({_month_key(row["m"]): row["n"] for row in rows})
        series, total, year = [], 0, None
        for point in points:
            if point.year != year:
                year, total = point.year, 0
            total += counts.get((point.year, point.month), 0)
            series.append((point, total))
        return series
    if key == MetricKey.CERTIFIED:
        series = []
        for point in points:
            counts = _certified_counts(point, scope)
            series.append((point, _round4(counts["numerator"] / counts["denominator"]) if counts["denominator"] else None))
        return series
    # Knowledge rate: responses of the year up to each month end.
    model = survey_model()
    if model is None:
        return [(point, None) for point in points]
    qs = _in_scope(
        model.objects.filter(submitted_at__gte=_local_midnight(PLAN_START),
                             submitted_at__lt=_local_midnight(as_of + datetime.timedelta(days=1))),
        scope, "county_id",
    )
    counts = {
        _month_key(row["m"]): (row["n"], row["p"])
        for row in qs.annotate(m=TruncMonth("submitted_at")).values("m").order_by()
        .annotate(n=Count("pk"), p=Count("pk", filter=Q(passed=True)))
    }
    series, n, p, year = [], 0, 0, None
    for point in points:
        if point.year != year:
            year, n, p = point.year, 0, 0
        got = counts.get((point.year, point.month), (0, 0))
        n, p = n + got[0], p + got[1]
        series.append((point, _round4(p / n) if n else None))
    return series


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
