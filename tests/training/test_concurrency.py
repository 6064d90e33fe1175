"""Capacity under real concurrency: many enrolments at once never overfill a run (PostgreSQL)."""

import datetime
import threading

import pytest
from django.db import connections

from wagtail.models import Locale, Page

from registry.models import County
from training import services
from training.models import SEAT_HOLDING, Enrollment, EnrollmentStatus

from tests import factories as f
from tests import factories_training as ft

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def base_rows():
    """Transactional tests flush the database, migration data included: put back what we use."""
    County.objects.get_or_create(name="麒麟区", defaults={"short_name": "麒麟", "sort_order": 1})
    Locale.objects.get_or_create(language_code="zh-hans")
    if not Page.objects.filter(depth=2).exists():
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        root.add_child(instance=Page(title="首页", slug="home"))


def test_concurrent_enrolments_never_exceed_capacity():
    run = ft.RunFactory(capacity=3, needs_approval=False)
    persons = [f.PersonFactory() for _ in range(10)]
    barrier = threading.Barrier(len(persons))
    errors = []

    def enrol(person):
        try:
            barrier.wait(timeout=10)  # start together so the transactions really overlap
            services.enrol(run.pk, person, today=datetime.date(2026, 2, 10))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()  # each thread has its own connection

    threads = [threading.Thread(target=enrol, args=(p,)) for p in persons]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    enrollments = Enrollment.objects.filter(run=run)
    assert enrollments.count() == 10
    assert enrollments.filter(status__in=SEAT_HOLDING).count() == 3
    assert enrollments.filter(status=EnrollmentStatus.WAITLISTED).count() == 7


def test_concurrent_withdrawals_promote_each_waiting_trainee_once():
    run = ft.RunFactory(capacity=2, needs_approval=False)
    seated = [f.PersonFactory() for _ in range(2)]
    waiting = [f.PersonFactory() for _ in range(3)]
    day = datetime.date(2026, 2, 10)
    seats = [services.enrol(run.pk, p, today=day) for p in seated]
    for p in waiting:
        services.enrol(run.pk, p, today=day)
    barrier = threading.Barrier(2)

    def leave(enrollment, person):
        try:
            barrier.wait(timeout=10)
            services.withdraw(enrollment.pk, person, today=day)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=leave, args=pair) for pair in zip(seats, seated)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    statuses = list(
        Enrollment.objects.filter(run=run, person__in=waiting).order_by("created_at").values_list("status", flat=True)
    )
    assert statuses == [EnrollmentStatus.APPROVED, EnrollmentStatus.APPROVED, EnrollmentStatus.WAITLISTED]
