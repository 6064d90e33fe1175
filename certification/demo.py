"""Demo certificates: platform certificates for passed runs of the demo, approved certificates
from elsewhere so that each county's 持证上岗率 lands between 55% and 75%, a few submissions
waiting for review, and a certificate of the demo trainee that expires soon.

Idempotent: runs are issued through the idempotent issue_for_run; outside certificates are
found by their natural key (type + number) before being created; which staff get one is a
pure function of the data (their 身份证号 hash), not of what earlier runs wrote.
"""

import datetime
import hashlib

from django.conf import settings

from accounts.models import Role, User
from registry.models import County, Employment, Institution, StaffRole

from .models import Certificate, CertificateType, ReviewStatus, Source, local_today
from .services import issue_certificate, issue_for_run

# Certificates a practitioner of each role typically holds: (type, levels, number prefix).
HELD_BY_ROLE = {
    StaffRole.DIRECTOR: [("幼儿园教师资格证", [""], "JSZG"), ("保育师", ["三级", "二级"], "BYS")],
    StaffRole.CAREGIVER: [("保育师", ["五级", "四级", "三级"], "BYS"), ("育婴员", ["五级", "四级"], "YYY"),
                          ("婴幼儿发展引导员", ["四级", "三级"], "YDY")],
    StaffRole.HEALTH: [("护士执业证书", [""], "HSZY"), ("医师执业证书", [""], "YSZY")],
}
ISSUERS = {
    "幼儿园教师资格证": "曲靖市教育体育局",
    "护士执业证书": "云南省卫生健康委员会",
    "医师执业证书": "云南省卫生健康委员会",
}
DEFAULT_ISSUER = "曲靖市人力资源和社会保障局"


def _h(*parts):
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def seed(ctx):
    rng = ctx.rng("certification")
    actor = User.objects.filter(role=Role.COMMISSION, is_active=True).order_by("pk").first()
    if actor is None:
        ctx.log("证书：没有市卫健委账号，跳过。")
        return
    today = local_today()
    director_type = _director_type()
    # Platform certificates first: which staff need an outside certificate depends on them.
    issued = _issue_for_finished_runs(actor, today)
    trainee = _demo_trainee_certificate(actor, today)
    created_external = _external_certificates(rng, today)
    pending = _pending_submissions(today)
    director_note = f"负责人培训颁发“{director_type.name}”，" if director_type else ""
    ctx.log(
        f"证书：{director_note}新颁发 {issued} 张，新增外部证书 {created_external} 张，待审核 {pending} 张"
        f"{'，演示学员证书即将到期' if trainee else ''}；共 {Certificate.objects.count()} 张"
    )


DIRECTOR_TYPE_NAME = "托育机构负责人培训合格证书"
DIRECTOR_COURSE_SLUG = "director"  # courses.demo


def _director_type():
    """A second platform type, issued for the director course (the others lead to the default
    type). Found by name and linked once, so seeding again changes nothing; a course the
    commission has already put on another type is left there."""
    from courses.models import CoursePage

    from .models import IssuerKind, PdfTemplate

    course = CoursePage.objects.filter(slug=DIRECTOR_COURSE_SLUG).first()
    default = CertificateType.objects.filter(issuer_kind=IssuerKind.PLATFORM).order_by("sort_order", "pk").first()
    if course is None or default is None:
        return None
    ctype, _ = CertificateType.objects.get_or_create(
        name=DIRECTOR_TYPE_NAME,
        defaults={
            "issuer_kind": IssuerKind.PLATFORM, "counts_toward_rate": True, "validity_years": 3,
            "pdf_template": PdfTemplate.TRAINING,
            # Right after the default platform type (same sort order, created later), so that
            # platform_type() stays the default for every other course.
            "sort_order": default.sort_order,
        },
    )
    if ctype.issuer_kind != IssuerKind.PLATFORM:
        return None
    if not ctype.courses.filter(pk=course.pk).exists() and ctype.courses_problem([course]) is None:
        ctype.courses.add(course)
    return ctype if ctype.courses.filter(pk=course.pk).exists() else None


# Providers have issued certificates for some finished runs, not yet for others; the demo
# issues runs (oldest first) while every county's share of staff certified through the
# platform stays under this cap, leaving room for outside certificates and for runs that
# still wait for issuance (the demo provider can issue those in the portal).
PLATFORM_SHARE_CAP = 0.5


def _runs_to_issue(today):
    """Finished runs the demo issues, chosen from the training data alone (not from what an
    earlier seeding wrote), so that seeding again chooses the same runs."""
    from training.models import CourseRun, Enrollment, RunStatus, TrainingResult

    staff = _staff_by_county(today)
    county_of = {}
    for county_id, members in staff.items():
        for person_id in members:
            county_of.setdefault(person_id, set()).add(county_id)
    runs = list(
        CourseRun.objects.filter(status=RunStatus.FINISHED)
        .select_related("provider", "course")
        .order_by("end_date", "start_date", "provider__name", "course__title", "pk")
    )
    passed = {}
    for run_id, person_id in Enrollment.objects.filter(
        run__status=RunStatus.FINISHED, result=TrainingResult.PASSED
    ).values_list("run_id", "person_id"):
        passed.setdefault(run_id, set()).add(person_id)
    certified = {county_id: set() for county_id in staff}
    chosen = []
    for run in runs:
        people = passed.get(run.pk, set())
        if not people:
            continue
        grown = {}
        for person_id in people:
            for county_id in county_of.get(person_id, ()):
                grown.setdefault(county_id, set(certified[county_id])).add(person_id)
        if all(len(members) <= PLATFORM_SHARE_CAP * len(staff[c]) for c, members in grown.items()):
            chosen.append(run)
            for county_id, members in grown.items():
                certified[county_id] = members
    return chosen


def _issue_for_finished_runs(actor, today):
    try:
        from training.models import CourseRun  # noqa: F401
    except ImportError:  # training not installed yet
        return 0
    count = 0
    for run in _runs_to_issue(today):
        # Issued a week after the run ended (never in the future), so a re-run issues the same.
        day = min(run.end_date + datetime.timedelta(days=7), today)
        count += len(issue_for_run(run, actor, issue_date=day))
    return count


def _staff_by_county(today):
    """{county_id: {person_id: (role, id_hash)}} of staff at `today` as metrics.md defines them."""
    rows = (
        Employment.objects.active_on(today)
        .filter(
            role__in=settings.CERTIFIED_RATE_ROLES,
            institution__in=Institution.objects.registered_on(today),
        )
        .values_list("institution__county_id", "person_id", "role", "person__id_number_hash")
        .order_by("person_id", "-start_date")
    )
    staff = {}
    for county_id, person_id, role, id_hash in rows:
        staff.setdefault(county_id, {}).setdefault(person_id, (role, id_hash))
    return staff


def _external_certificates(rng, today):
    types = {t.name: t for t in CertificateType.objects.all()}
    certified = set(Certificate.objects.valid_on(today).values_list("person_id", flat=True))
    platform_certified = set(
        Certificate.objects.valid_on(today).filter(source=Source.PLATFORM).values_list("person_id", flat=True)
    )
    existing = set(Certificate.objects.filter(source=Source.EXTERNAL).values_list("type_id", "number"))
    staff = _staff_by_county(today)
    new = []
    for county in County.objects.order_by("sort_order"):
        members = staff.get(county.pk, {})
        if not members:
            continue
        # A stable target per county (the rng is seeded per app, counties in fixed order).
        target = 0.58 + 0.14 * rng.random()
        wanted = round(target * len(members))
        have = sum(1 for pid in members if pid in platform_certified)
        # Candidates in a fixed order that does not depend on what earlier runs created.
        candidates = sorted((pid for pid in members if pid not in platform_certified), key=lambda p: members[p][1])
        for person_id in candidates[: max(0, wanted - have)]:
            role, id_hash = members[person_id]
            options = HELD_BY_ROLE.get(role, HELD_BY_ROLE[StaffRole.CAREGIVER])
            type_name, levels, prefix = options[_h(id_hash, "type") % len(options)]
            ctype = types.get(type_name)
            if ctype is None:
                continue
            number = f"{prefix}{_h(id_hash, type_name) % 10**10:010d}"
            if (ctype.pk, number) in existing or person_id in certified:
                continue
            issue_date = datetime.date(2016, 1, 1) + datetime.timedelta(days=_h(id_hash, "date") % 2900)
            new.append(
                Certificate(
                    person_id=person_id, type=ctype, level=levels[_h(id_hash, "level") % len(levels)],
                    number=number, source=Source.EXTERNAL, issuer=ISSUERS.get(type_name, DEFAULT_ISSUER),
                    issue_date=issue_date, review_status=ReviewStatus.APPROVED, review_reason="演示数据",
                )
            )
            existing.add((ctype.pk, number))
    # Bulk for speed: demo rows need no per-row audit entries.
    Certificate.objects.bulk_create(new)
    return len(new)


def _pending_submissions(today):
    """Three submissions in 麒麟区 waiting for the county official's review."""
    ctype = CertificateType.objects.filter(name="育婴员").first()
    if ctype is None:
        return 0
    certified = set(Certificate.objects.valid_on(today).values_list("person_id", flat=True))
    persons = (
        Employment.objects.active_on(today)
        .filter(institution__county__name="麒麟区", role=StaffRole.CAREGIVER)
        .exclude(person_id__in=certified)
        .order_by("person__id_number_hash")
        .values_list("person_id", "person__id_number_hash")[:3]
    )
    created = 0
    for person_id, id_hash in persons:
        _, was_created = Certificate.objects.get_or_create(
            type=ctype,
            number=f"YYY-DEMO-{_h(id_hash, 'pending') % 10**6:06d}",
            defaults={
                "person_id": person_id, "level": "四级", "source": Source.EXTERNAL, "issuer": DEFAULT_ISSUER,
                "issue_date": datetime.date(2024, 11, 15), "review_status": ReviewStatus.PENDING,
            },
        )
        created += was_created
    return created


DEMO_TRAINEE_COURSE = "托育从业人员岗前培训（演示：即将到期）"


def _demo_trainee_certificate(actor, today):
    """The demo trainee holds a certificate that expires in about a month (to show the notice)."""
    trainee = User.objects.filter(username="demo_trainee").select_related("person").first()
    person = getattr(trainee, "person", None) if trainee else None
    if person is None:
        return False
    if Certificate.objects.filter(person=person, course_name=DEMO_TRAINEE_COURSE).exists():
        return True
    provider_name = "曲靖市托育综合服务中心"
    from registry.models import TrainingProvider

    provider = TrainingProvider.objects.filter(name=provider_name).first()
    issue_date = today.replace(year=today.year - 3) + datetime.timedelta(days=35)
    issue_certificate(
        person, by_user=actor, provider=provider, issuer=provider_name, course_name=DEMO_TRAINEE_COURSE,
        hours=24, issue_date=issue_date,
    )
    return True
