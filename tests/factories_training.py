"""Factories for courses and the training workflow."""

import datetime
from decimal import Decimal

import factory
from wagtail.models import Page

from courses.models import CourseIndexPage, CoursePage
from registry.models import StaffRole, TrainingCategory
from training.models import (
    Attendance,
    AttendanceStatus,
    CourseRun,
    DeliveryMode,
    Enrollment,
    EnrollmentStatus,
    RecordSource,
    RunStatus,
    Session,
    SessionKind,
    TrainingRecord,
    TrainingResult,
)

from . import factories as f


def course_index():
    """The one course index, created under the home page on first use."""
    index = CourseIndexPage.objects.first()
    if index is None:
        home = Page.objects.get(depth=2)
        index = CourseIndexPage(title="培训课程", slug="courses")
        home.add_child(instance=index)
    return index


_course_seq = iter(range(1, 10**6))


def course(**kwargs):
    """A published course page: 8 theory + 4 practice hours, pass marks 60 by default."""
    n = next(_course_seq)
    values = {
        "title": f"保育人员培训{n}",
        "slug": f"course-{n}",
        "category": TrainingCategory.CAREGIVER,
        "target_role": StaffRole.CAREGIVER,
        "required_theory_hours": Decimal("8"),
        "required_practice_hours": Decimal("4"),
        "theory_pass_mark": 60,
        "practice_pass_mark": 60,
    }
    values.update(kwargs)
    page = CoursePage(**values)
    course_index().add_child(instance=page)
    return page


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseRun

    provider = factory.SubFactory(f.ProviderFactory)
    course = factory.LazyFunction(course)
    county = factory.LazyFunction(f.county)
    place = "麒麟区托育综合服务中心"
    mode = DeliveryMode.OFFLINE
    capacity = 30
    start_date = datetime.date(2026, 3, 2)
    end_date = datetime.date(2026, 3, 6)
    enrol_opens = datetime.date(2026, 2, 1)
    enrol_closes = datetime.date(2026, 2, 28)
    needs_approval = False
    status = RunStatus.OPEN


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    run = factory.SubFactory(RunFactory)
    person = factory.SubFactory(f.PersonFactory)
    status = EnrollmentStatus.APPROVED
    approved_at = factory.LazyFunction(lambda: datetime.datetime(2026, 2, 10, 9, 0, tzinfo=datetime.UTC))
    approved_on = datetime.date(2026, 2, 10)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    run = factory.SubFactory(RunFactory)
    date = factory.LazyAttribute(lambda o: o.run.start_date)
    start_time = datetime.time(9, 0)
    end_time = datetime.time(13, 0)
    hours = Decimal("4")
    kind = SessionKind.THEORY
    topic = factory.Sequence(lambda n: f"第{n}讲 婴幼儿照护")
    trainer = "王老师"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    enrollment = factory.SubFactory(EnrollmentFactory)
    status = AttendanceStatus.PRESENT


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    person = factory.SubFactory(f.PersonFactory)
    category = TrainingCategory.CAREGIVER
    role = StaffRole.CAREGIVER
    provider = factory.SubFactory(f.ProviderFactory)
    county = factory.LazyFunction(f.county)
    course_name = "保育人员岗前培训"
    completion_date = datetime.date(2025, 6, 30)
    hours = Decimal("40")
    result = TrainingResult.PASSED
    source = RecordSource.IMPORTED
