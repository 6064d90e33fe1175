"""Trend charts: every month-end point equals the metric computed for that date alone, and each
metric's series is one SQL query whatever the number of months or the data size.

The single-date functions are pinned against hand-computed figures in test_monitoring_metrics;
the trends compute all months at once (interval sweeps, per-day counts), so they are checked
point by point against them, on the crafted world plus edge cases that only a whole-period
computation can get wrong: overlapping and consecutive employments of one person, a person
employed in two counties, certificates that start, expire or are revoked on a month end, a
person with two overlapping certificates, staff who leave and come back, an employment that
ended before its institution was registered, a certificate revoked on its issue day.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring import metrics as m
from monitoring.models import MetricKey
from registry.models import RegistrationStatus, StaffRole

from tests import factories as f
from tests.factories_certification import CertificateFactory
from tests.factories_monitoring import D, crafted
from tests.factories_training import TrainingRecordFactory

pytestmark = pytest.mark.django_db


def d(y, mo, day):
    return datetime.date(y, mo, day)


def edge_cases(world):
    x, y = world["x"], world["y"]
    inst_x = f.InstitutionFactory(county=x, registration_date=d(2023, 1, 1))
    inst_x2 = f.InstitutionFactory(county=x, registration_date=d(2024, 4, 15))  # registered mid-period
    inst_y = f.InstitutionFactory(county=y, registration_date=d(2023, 1, 1))
    inst_unreg = f.InstitutionFactory(county=y, registration_status=RegistrationStatus.UNREGISTERED,
                                      registration_date=None)

    def person(name):
        return f.PersonFactory(name=name)

    def job(p, inst, start, end=None, role=StaffRole.CAREGIVER):
        f.EmploymentFactory(person=p, institution=inst, role=role, start_date=start, end_date=end)

    # Overlapping employments, then a gap, then back: staff Jan–Apr 2024 and from Aug 2024.
    a = person("边一")
    job(a, inst_x, d(2024, 1, 10), d(2024, 3, 31))
    job(a, inst_x, d(2024, 2, 1), d(2024, 4, 30), role=StaffRole.DIRECTOR)
    job(a, inst_x, d(2024, 8, 1))
    CertificateFactory(person=a, issue_date=d(2024, 1, 31), expiry_date=d(2024, 3, 31))  # ends on a month end
    CertificateFactory(person=a, issue_date=d(2024, 3, 1), expiry_date=d(2024, 9, 30))  # overlaps the first
    CertificateFactory(person=a, issue_date=d(2024, 11, 1), expiry_date=None, revoked_on=d(2025, 2, 28),
                       revoke_reason="测试")  # revoked on a month end: not valid on 2025-02-28
    # Consecutive employments (one ends on the month end, the next starts the day after).
    b = person("边二")
    job(b, inst_x, d(2023, 6, 1), d(2024, 5, 31))
    job(b, inst_x2, d(2024, 6, 1), d(2025, 1, 30))  # ends the day before the month end
    CertificateFactory(person=b, issue_date=d(2024, 5, 31), expiry_date=None)
    # Employed in two counties at once, for part of the time; certified throughout.
    c = person("边三")
    job(c, inst_x, d(2024, 2, 29))
    job(c, inst_y, d(2024, 6, 30), d(2024, 12, 31), role=StaffRole.HEALTH)
    CertificateFactory(person=c, issue_date=d(2020, 1, 1), expiry_date=None)
    # Institution registered mid-month: staff from its registration date on, not before.
    e = person("边四")
    job(e, inst_x2, d(2024, 1, 1))
    CertificateFactory(person=e, issue_date=d(2024, 4, 30), expiry_date=d(2024, 4, 30))  # valid one day only
    # An employment that ended before its institution was registered never makes staff, and a
    # certificate revoked on its issue day is never valid (empty intervals: nothing to count).
    inst_late = f.InstitutionFactory(county=x, registration_date=d(2024, 5, 15))
    h = person("边八")
    job(h, inst_late, d(2023, 1, 1), d(2024, 4, 10))  # left before the registration: never staff
    CertificateFactory(person=h, issue_date=d(2024, 2, 1), expiry_date=None, revoked_on=d(2024, 2, 1),
                       revoke_reason="测试")  # revoked on its issue day: never valid
    k = person("边九")
    job(k, inst_x, d(2024, 1, 1))
    CertificateFactory(person=k, issue_date=d(2024, 6, 20), expiry_date=None, revoked_on=d(2024, 5, 20),
                       revoke_reason="测试")  # revocation dated before the issue (a data error): never valid
    # Not registered: never staff. 其他: never staff.
    job(person("边五"), inst_unreg, d(2024, 1, 1))
    job(person("边六"), inst_y, d(2024, 1, 1), role=StaffRole.OTHER)
    # Records in several years and counties: talents restart each January, count once per scope.
    g = person("边七")
    for day, county in [(d(2024, 3, 3), x), (d(2024, 3, 3), y), (d(2024, 12, 31), x), (d(2025, 1, 1), y),
                        (d(2025, 5, 31), x)]:
        TrainingRecordFactory(person=g, county=county, role=StaffRole.CAREGIVER, completion_date=day,
                              course_name=f"边七-{day}-{county.pk}")


@pytest.fixture
def world(db):
    w = crafted()
    edge_cases(w)
    return w


def scopes(world):
    return [m.CITY, m.Scope(world["x"]), m.Scope(world["y"]), m.Scope(f.county("会泽县"))]


@pytest.mark.parametrize("key", m.METRIC_ORDER)
def test_every_trend_point_equals_the_metric_of_that_date(world, key):
    for scope in scopes(world):
        series = m.trend(key, D, scope)
        assert [p for p, _ in series] == m.month_points(D)
        for point, value in series:
            assert value == m.metric(key, point, scope).actual, (scope.name, point)


def test_trend_edge_points(world):
    cert = dict(m.trend(MetricKey.CERTIFIED, D, m.Scope(world["y"])))
    # Y's staff before D: only 边三 (certified), from 2024-06-30 to 2024-12-31 (the crafted
    # institution of Y is registered on D; 边六 is 其他).
    assert cert[d(2024, 5, 31)] is None  # no staff: undefined, not 0
    assert cert[d(2024, 6, 30)] == 1.0  # started on the month end
    assert cert[d(2024, 12, 31)] == 1.0  # ended on the month end
    assert cert[d(2025, 1, 31)] is None
    # 边一's certificates: the one-day gap after 2024-09-30 … 2024-11-01 and the revocation on 2025-02-28.
    x = dict(m.trend(MetricKey.CERTIFIED, D, m.Scope(world["x"])))
    assert x[d(2024, 10, 31)] < x[d(2024, 9, 30)]
    talents = dict(m.trend(MetricKey.TALENTS, D))
    assert talents[d(2024, 3, 31)] == talents[d(2024, 2, 29)] + 1  # 边七 once for the city
    assert talents[d(2025, 1, 31)] == 1  # 边七 again in 2025, nobody else in January


def test_trend_is_one_query_per_metric_whatever_the_months_and_data(world):
    def count(key, as_of):
        with CaptureQueriesContext(connection) as ctx:
            m.trend(key, as_of)
        return len(ctx.captured_queries)

    short = {key: count(key, d(2024, 2, 29)) for key in m.METRIC_ORDER}
    long = {key: count(key, D) for key in m.METRIC_ORDER}
    for _ in range(3):
        crafted()
    more = {key: count(key, D) for key in m.METRIC_ORDER}
    assert short == long == more
    assert all(n == 1 for n in long.values()), long
