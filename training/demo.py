"""Demo runs in every county across 2024–2026 with sessions, attendance, scores and results.

Finished runs go through services.finish_run, so the demo's training records obey exactly the
rules the platform applies. A run is identified by course + provider + county + start date;
an existing run is left alone, so a second seed changes nothing.
"""

import datetime
import math
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.db.models import Q
from django.utils import timezone

from courses.models import CoursePage
from registry.models import County, Person, StaffRole, TrainingProvider

from . import services
from .models import (
    Attendance,
    AttendanceStatus,
    CourseRun,
    DeliveryMode,
    Enrollment,
    EnrollmentStatus,
    RunStatus,
    Session,
    SessionKind,
    local_today,
)

SESSION_HOURS = Decimal("4")
MORNING = (datetime.time(8, 30), datetime.time(12, 30))
AFTERNOON = (datetime.time(14, 0), datetime.time(18, 0))
TRAINERS = ["王丽华", "李春梅", "张建国", "赵敏", "陈晓燕", "杨志强", "周静", "刘芳"]
PLACES = ["培训中心一楼多功能厅", "实训楼 301 室", "托育实训基地", "县妇幼保健院会议室", "职教中心报告厅"]

# Which staff role each course draws its trainees from (转岗 takes 其他 staff as well).
POOL_ROLES = {
    StaffRole.DIRECTOR: [StaffRole.DIRECTOR],
    StaffRole.CAREGIVER: [StaffRole.CAREGIVER, StaffRole.OTHER],
    StaffRole.HEALTH: [StaffRole.HEALTH],
    StaffRole.OTHER: [StaffRole.OTHER],
}

# Start dates (month, day) of the runs of each year; each county gets a few of them.
SCHEDULE = {
    2024: [(4, 8), (6, 17), (9, 9), (11, 11)],
    2025: [(3, 10), (5, 12), (7, 7), (9, 15), (11, 3)],
    2026: [(3, 9), (5, 11), (7, 6), (9, 14), (11, 23), (12, 14)],
}


def seed(ctx):
    rng = ctx.rng("training")
    courses = list(CoursePage.objects.live().order_by("path"))
    providers = list(TrainingProvider.objects.filter(approved=True, imported=False).select_related("county").order_by("name"))
    counties = list(County.objects.order_by("sort_order"))
    if not (courses and providers and counties and Person.objects.exists()):
        ctx.log("培训：缺少课程、培训机构或从业人员，未创建班次。")
        return
    today = local_today()
    pools = _pools(counties)
    created_runs = records = 0
    # Audit entries are for people's changes; a bulk demo load would only bury them.
    with disable_auditlog():
        for county_index, county in enumerate(counties):
            local = [p for p in providers if p.county_id == county.pk]
            for year, dates in SCHEDULE.items():
                for slot, (month, day) in enumerate(dates):
                    # Not every county has a run in every slot: 2–4 runs per county and year.
                    if (county_index + slot) % 3 == 2 and slot != len(dates) - 1:
                        continue
                    course = courses[(county_index + slot + year) % len(courses)]
                    provider = (local or providers)[(slot + year) % len(local or providers)]
                    if course.category == "health":
                        # Health workers are trained by a maternal and child health institution.
                        provider = next((p for p in providers if p.kind == "mch" and p.county_id == county.pk),
                                        next((p for p in providers if p.kind == "mch"), provider))
                    start = datetime.date(year, month, day) + datetime.timedelta(days=county_index % 3)
                    run, created = _run(rng, course, provider, county, start, today)
                    if not created:
                        continue
                    created_runs += 1
                    records += _fill(rng, run, course, pools, today)
        records += _demo_provider_and_trainee(rng, courses, providers, pools, today)
    ctx.log(
        f"培训：新建 {created_runs} 个班次，{records} 条培训记录；共 {CourseRun.objects.count()} 个班次、"
        f"{Enrollment.objects.count()} 人次报名"
    )


def _pools(counties):
    """{(county_id, role): [person ids]} of people currently employed there, for class lists."""
    pools = {}
    rows = (
        Person.objects.filter(employments__end_date__isnull=True)
        .values_list("pk", "employments__institution__county_id", "employments__role")
        .order_by("pk")
        .distinct()
    )
    for pk, county_id, role in rows:
        pools.setdefault((county_id, role), []).append(pk)
    return pools


def _run(rng, course, provider, county, start, today):
    total_hours = course.required_theory_hours + course.required_practice_hours + 2 * SESSION_HOURS
    days = max(1, math.ceil(total_hours / (2 * SESSION_HOURS)))
    end = start + datetime.timedelta(days=days - 1)
    existing = CourseRun.objects.filter(course=course, provider=provider, county=county, start_date=start).first()
    if existing:
        return existing, False
    if end < today:
        status = RunStatus.RUNNING  # finished by _fill through finish_run
    elif start <= today:
        status = RunStatus.RUNNING
    else:
        status = RunStatus.OPEN
    run = CourseRun.objects.create(
        course=course, provider=provider, county=county, start_date=start, end_date=end,
        title=f"{county.short_name}{course.title}（{start.year}年第{(start.month + 2) // 3}期）",
        place=f"{county.name}{rng.choice(PLACES)}",
        mode=rng.choice([DeliveryMode.OFFLINE] * 4 + [DeliveryMode.BLENDED]),
        capacity=rng.choice([20, 25, 30, 40]),
        enrol_opens=start - datetime.timedelta(days=40), enrol_closes=start - datetime.timedelta(days=3),
        needs_approval=rng.random() < 0.6, status=status,
    )
    return run, True


def _sessions(run, course):
    theory_left = int(course.required_theory_hours / SESSION_HOURS)
    practice_left = int(course.required_practice_hours / SESSION_HOURS)
    # Providers schedule one extra review session of each kind beyond the requirement, so a
    # single late arrival does not fail a trainee; missing more does.
    theory_left += 1
    practice_left += 1
    sessions = []
    day = run.start_date
    n = 0
    modules = [b.value["title"] for b in course.syllabus] or [course.title]
    while theory_left or practice_left:
        for start, end in (MORNING, AFTERNOON):
            if theory_left:
                kind, theory_left = SessionKind.THEORY, theory_left - 1
            elif practice_left:
                kind, practice_left = SessionKind.PRACTICE, practice_left - 1
            else:
                break
            sessions.append(Session(
                run=run, date=day, start_time=start, end_time=end, hours=SESSION_HOURS, kind=kind,
                topic=f"{modules[n % len(modules)]}（{'理论' if kind == SessionKind.THEORY else '实操'}）",
                trainer=TRAINERS[(run.pk + n) % len(TRAINERS)],
            ))
            n += 1
        day += datetime.timedelta(days=1)
    return Session.objects.bulk_create(sessions)


def _class_list(rng, run, course, pools, size):
    ids = []
    for role in POOL_ROLES[course.target_role]:
        ids += pools.get((run.county_id, role), [])
    if len(ids) < size:  # small counties: colleagues from across the city join
        for role in POOL_ROLES[course.target_role]:
            ids += [pk for (county_id, r), pks in pools.items() if r == role and county_id != run.county_id for pk in pks]
    ids = list(dict.fromkeys(ids))
    rng.shuffle(ids)
    return ids[:size]


def _fill(rng, run, course, pools, today):
    """Enrolments, sessions, attendance and scores; finish the run if it has ended."""
    approved_at = min(
        timezone.make_aware(datetime.datetime.combine(run.enrol_closes, datetime.time(10))), timezone.now()
    )
    people = _class_list(rng, run, course, pools, min(run.capacity, rng.randint(12, 30)))
    upcoming = run.status == RunStatus.OPEN
    enrollments = []
    for i, pk in enumerate(people):
        e = Enrollment(run=run, person_id=pk)
        if upcoming and run.needs_approval and i % 3 == 0:
            e.status = EnrollmentStatus.PENDING
        else:
            e.mark_approved(approved_at)
        if run.end_date < today:
            # Scores as the provider would enter them after the assessment.
            e.theory_score = Decimal(min(100, max(35, round(rng.gauss(79, 10)))))
            e.practice_score = Decimal(min(100, max(35, round(rng.gauss(82, 9)))))
        enrollments.append(e)
    Enrollment.objects.bulk_create(enrollments)
    if upcoming:
        return 0
    sessions = _sessions(run, course)
    held = [s for s in sessions if s.date <= today]
    marks = []
    for e in enrollments:
        # Most attend everything; a few are late, leave early, or miss sessions.
        profile = rng.random()
        for s in held:
            r = rng.random()
            if profile < 0.08 and r < 0.3:
                status = rng.choice([AttendanceStatus.ABSENT, AttendanceStatus.LEAVE])
            elif profile < 0.3 and r < 0.08:
                status = rng.choice([AttendanceStatus.LATE, AttendanceStatus.EARLY_LEAVE])
            else:
                status = AttendanceStatus.PRESENT
            marks.append(Attendance(session=s, enrollment=e, status=status))
    Attendance.objects.bulk_create(marks, batch_size=2000)
    if run.end_date >= today:
        return 0
    return services.finish_run(run.pk, None, today=run.end_date + datetime.timedelta(days=1))


def _demo_provider_and_trainee(rng, courses, providers, pools, today):
    """Make the demo accounts' journeys work: the first provider has an open run with a queue,
    and the demo trainee (if the registry linked one) is enrolled and has a record."""
    from accounts.models import User

    staff = User.objects.filter(username="demo_provider").select_related("provider").first()
    provider = staff.provider if staff and staff.provider_id else providers[0]
    trainee = User.objects.filter(username="demo_trainee").select_related("person").first()
    person = getattr(trainee, "person", None) if trainee else None
    course = next((c for c in courses if c.target_role == StaffRole.CAREGIVER), courses[0])
    county = provider.county or County.objects.order_by("sort_order").first()
    records = 0
    start = datetime.date(2027, 1, 11)
    run, created = _run(rng, course, provider, county, start, today)
    if created:
        run.needs_approval = True
        run.status = RunStatus.OPEN
        run.enrol_opens = min(run.enrol_opens, today)
        run.save()
        _fill(rng, run, course, pools, today)
    if person is not None:
        finished = (
            CourseRun.objects.filter(status=RunStatus.FINISHED, course__target_role=StaffRole.CAREGIVER)
            .filter(~Q(enrollments__person=person)).order_by("-end_date").first()
        )
        if finished and not person.training_records.exists():
            e = Enrollment(run=finished, person=person, theory_score=Decimal("86"), practice_score=Decimal("90"))
            e.mark_approved(timezone.make_aware(datetime.datetime.combine(finished.enrol_closes, datetime.time(10))))
            e.save()
            Attendance.objects.bulk_create(
                Attendance(session=s, enrollment=e, status=AttendanceStatus.PRESENT) for s in finished.sessions.all()
            )
            records += services.refresh_records(finished, enrollment_ids=[e.pk])
        if not Enrollment.objects.filter(run=run, person=person).exists() and run.status == RunStatus.OPEN:
            e = Enrollment(run=run, person=person, status=EnrollmentStatus.PENDING)
            e.save()
    return records
