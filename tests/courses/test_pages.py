"""Course pages: the page tree is locked, and the demo catalogue and runs seed idempotently."""

import io

import pytest
from wagtail.models import Page

from courses.models import CourseIndexPage, CoursePage
from registry.models import StaffRole
from training.models import CourseRun, Enrollment, TrainingRecord

from tests import factories as f
from tests import factories_training as ft

pytestmark = pytest.mark.django_db


def test_page_tree_is_locked():
    assert CourseIndexPage.can_create_at(Page.objects.get(depth=2))
    assert not CoursePage.can_create_at(Page.objects.get(depth=2))
    index = ft.course_index()
    assert CoursePage.can_create_at(index)
    assert CourseIndexPage.allowed_subpage_models() == [CoursePage]
    assert CoursePage.allowed_subpage_models() == []


def test_index_filters_by_category(client):
    ft.course(title="负责人课程", category="director", target_role=StaffRole.DIRECTOR)
    ft.course(title="保育课程", category="caregiver")
    body = client.get(ft.course_index().url, {"category": "director"}).content.decode()
    assert "负责人课程" in body and "保育课程" not in body


class Ctx:
    def __init__(self):
        self.accounts = []
        self.out = io.StringIO()

    def rng(self, name):
        import random

        return random.Random(f"test-{name}")

    def log(self, message):
        self.out.write(message + "\n")


def test_demo_seed_is_idempotent_and_produces_records():
    from courses import demo as courses_demo
    from training import demo as training_demo

    provider = f.ProviderFactory(name="曲靖市妇幼保健院", kind="mch")
    for role in (StaffRole.DIRECTOR, StaffRole.CAREGIVER, StaffRole.HEALTH):
        for _ in range(4):
            f.EmploymentFactory(role=role, institution=f.InstitutionFactory(county=provider.county))
    ctx = Ctx()
    courses_demo.seed(ctx)
    training_demo.seed(ctx)
    counts = (CoursePage.objects.count(), CourseRun.objects.count(), Enrollment.objects.count(),
              TrainingRecord.objects.count())
    assert counts[0] >= 6 and counts[1] > 50 and counts[3] > 100
    assert TrainingRecord.objects.filter(result="failed").exists()
    assert TrainingRecord.objects.filter(completion_date__year=2024).exists()
    assert TrainingRecord.objects.filter(completion_date__year=2026).exists()
    courses_demo.seed(ctx)
    training_demo.seed(ctx)
    assert counts == (CoursePage.objects.count(), CourseRun.objects.count(), Enrollment.objects.count(),
                      TrainingRecord.objects.count())


def test_demo_seed_without_people_creates_nothing():
    from training import demo as training_demo

    ft.course()
    training_demo.seed(Ctx())
    assert not CourseRun.objects.exists()


def test_course_with_runs_cannot_be_deleted_in_wagtail(as_user):
    from django.urls import reverse

    from accounts.models import User

    admin = User.objects.create_superuser("root-courses", "root-courses@example.cn", "x-Long-Password-1")
    run = ft.RunFactory()
    client = as_user(admin)
    response = client.post(reverse("wagtailadmin_pages:delete", args=[run.course.pk]))
    assert response.status_code == 302
    assert CoursePage.objects.filter(pk=run.course.pk).exists()
    spare = ft.course()
    client.post(reverse("wagtailadmin_pages:delete", args=[spare.pk]))
    assert not CoursePage.objects.filter(pk=spare.pk).exists()
