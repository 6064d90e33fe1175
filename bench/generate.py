"""A deterministic province-size data set for the bench.

    python -m bench.generate              # 100,000 practitioners, ... (the issue's sizes)
    BENCH_SCALE=0.1 python -m bench.generate   # a tenth, for a quick try

On top of the demo (`seed_demo`: counties, certificate types, the site tree, courses, the demo
accounts), it adds, with a fixed random seed so that every run builds the same data:
5,000 institutions, 100,000 practitioners with their employments, 300,000 training records,
150,000 certificates (platform-issued and approved outside ones), 2,000 articles and 50,000
survey responses, plus what the timed actions need: a finished run with 1,000 passed trainees
and no certificates yet (bulk issuance) and the 50 institutions of the import roster.

Rows go in with executemany (core.imports.bulk.bulk_insert): model save() and signals are skipped,
as for any bulk load. Articles are real Wagtail pages (add_child) so that the tree is sound.
It writes only to the bench database (bench/common.py) and does nothing when that database
already holds the data set of this version and scale.
"""

import datetime
import json
import os
import random
import time
from decimal import Decimal

VERSION = 3
SIZES = {
    "institutions": 5_000,
    "persons": 100_000,
    "training_records": 300_000,
    "certificates": 150_000,
    "articles": 2_000,
    "survey_responses": 50_000,
}
BULK_RUN_TRAINEES = 1_000
BULK_RUN_TITLE = "基准测试批量发证班"
# Area codes no demo or import roster uses (the roster uses 530399, benchmarks/imports_bench.py): no 身份证号 collides.
AREAS = ["530381", "530382", "530383", "530384", "530385", "530386", "530387", "530388", "530389", "530390"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅琳晶鑫宇浩然欣怡子涵佳琪思雨梓轩晨曦"


def scale():
    return float(os.environ.get("BENCH_SCALE", "1") or 1)


def sizes():
    s = scale()
    return {k: max(1, int(v * s)) for k, v in SIZES.items()}


def _marker_path():
    from bench.common import DATA_DIR, database_url

    key = database_url().rsplit("/", 1)[-1].replace(".", "_")
    return DATA_DIR / f"generated-{key}.json"


def is_generated():
    from registry.models import Person

    path = _marker_path()
    if not path.is_file():
        return False
    marker = json.loads(path.read_text())
    return (
        marker.get("version") == VERSION
        and marker.get("scale") == scale()
        and Person.objects.count() >= marker.get("persons", 0)
    )


def log(msg, started=[time.perf_counter()]):  # noqa: B006 - one clock for the run
    print(f"[{time.perf_counter() - started[0]:6.1f}s] {msg}", flush=True)


def _new_pks(model, after):
    return list(model.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True))


def _max_pk(model):
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def generate(force=False):
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0, interactive=False)
    if not force and is_generated():
        log("数据集已存在，跳过生成 (data set present)")
        return False
    from registry.models import Person

    if Person.objects.filter(id_number_masked__startswith="5303").count() > 0 and _max_pk(Person) > 1000:
        raise SystemExit(
            "基准数据库已有部分数据但版本不同：请删除它再生成 (delete the bench database, e.g. rm -rf bench/.data)"
        )
    log("seed_demo ...")
    call_command("seed_demo", verbosity=0)
    rng = random.Random(20260101)
    n = sizes()
    with transaction.atomic():
        institutions = _institutions(rng, n["institutions"])
        persons = _persons(rng, n["persons"])
        _employments(rng, persons, institutions)
        _training_records(rng, persons, n["training_records"])
        _certificates(rng, persons, n["certificates"])
        _survey_responses(rng, n["survey_responses"])
        _bulk_run(persons)
    _articles(rng, n["articles"])
    _analyze()
    _marker_path().write_text(json.dumps({"version": VERSION, "scale": scale(), "persons": n["persons"], **n}))
    log("完成 (done)")
    return True


def _institutions(rng, count):
    from core.imports.bulk import bulk_insert
    from registry.models import County, Institution, InstitutionType, RegistrationStatus

    counties = list(County.objects.order_by("sort_order", "pk"))
    types = [c for c, _ in InstitutionType.choices]
    before = _max_pk(Institution)
    objs = []
    for i in range(count):
        registered = rng.random() < 0.9
        objs.append(Institution(
            name=f"基准托育园{i:05d}", county=counties[i % len(counties)], type=types[i % len(types)],
            is_puhui=rng.random() < 0.6,
            registration_status=RegistrationStatus.REGISTERED if registered else RegistrationStatus.UNREGISTERED,
            registration_date=datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randrange(1700)) if registered else None,
            capacity=rng.randrange(20, 200), uscc=None,
        ))
    # The 50 institutions the staff roster of the import bench refers to (benchmarks/imports_bench.py).
    qilin = County.objects.get(name="麒麟区")
    existing = set(Institution.objects.filter(county=qilin, name__startswith="托育园").values_list("name", flat=True))
    objs += [
        Institution(name=f"托育园{i}", county=qilin, type=InstitutionType.PRIVATE,
                    registration_status=RegistrationStatus.REGISTERED, registration_date=datetime.date(2023, 1, 1))
        for i in range(50) if f"托育园{i}" not in existing
    ]
    bulk_insert(Institution, objs)
    pks = _new_pks(Institution, before)[:count]
    log(f"{len(pks)} 家托育机构")
    return pks


def _persons(rng, count):
    from core import pii
    from core.validators import make_id_number
    from core.imports.bulk import bulk_insert
    from registry.models import Gender, Person

    before = _max_pk(Person)
    objs = []
    birth0 = datetime.date(1965, 1, 1)
    for i in range(count):
        area = AREAS[i % len(AREAS)]
        birth = birth0 + datetime.timedelta(days=(i // len(AREAS)) // 300)
        number = make_id_number(area, birth, (i // len(AREAS)) % 300 + 1)
        # The same fields the id_number setter fills, without re-validating a number we built.
        objs.append(Person(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else ""),
            id_number_encrypted=pii.encrypt(number), id_number_hash=pii.lookup_hash(number),
            id_number_masked=pii.mask_id_number(number),
            gender=Gender.MALE if int(number[16]) % 2 else Gender.FEMALE, birth_date=birth,
            phone=f"13{rng.randrange(10**9):09d}",
        ))
    bulk_insert(Person, objs)
    pks = _new_pks(Person, before)
    log(f"{len(pks)} 名从业人员")
    return pks


def _employments(rng, persons, institutions):
    from core.imports.bulk import bulk_insert
    from registry.models import Employment, StaffRole

    roles = [StaffRole.CAREGIVER] * 6 + [StaffRole.HEALTH] * 2 + [StaffRole.DIRECTOR, StaffRole.OTHER]
    objs = []
    for i, person in enumerate(persons):
        start = datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randrange(2400))
        end = start + datetime.timedelta(days=rng.randrange(30, 900)) if rng.random() < 0.08 else None
        objs.append(Employment(person_id=person, institution_id=institutions[i % len(institutions)],
                               role=rng.choice(roles), start_date=start, end_date=end))
    bulk_insert(Employment, objs)
    log(f"{len(objs)} 条任职")


def _training_records(rng, persons, count):
    from core.imports.bulk import bulk_insert
    from registry.models import County, StaffRole, TrainingCategory, TrainingProvider
    from training.models import RecordSource, TrainingRecord, TrainingResult

    counties = list(County.objects.values_list("pk", flat=True))
    providers = list(TrainingProvider.objects.values_list("pk", flat=True)) or []
    if not providers:
        raise SystemExit("seed_demo 没有创建培训机构")
    categories = [c for c, _ in TrainingCategory.choices]
    roles = [StaffRole.CAREGIVER] * 5 + [StaffRole.HEALTH] * 2 + [StaffRole.DIRECTOR] * 2 + [StaffRole.OTHER]
    span = (datetime.date.today() - datetime.date(2023, 1, 1)).days
    objs = []
    for i in range(count):
        # Record k of a person is in its own 60-day slot: the import identity stays unique.
        slot = i // len(persons)
        completion = datetime.date(2023, 1, 1) + datetime.timedelta(days=(rng.randrange(span) // 4 + slot * (span // 4)) % span)
        objs.append(TrainingRecord(
            person_id=persons[i % len(persons)], category=rng.choice(categories), role=rng.choice(roles),
            provider_id=rng.choice(providers), county_id=rng.choice(counties), course_name=f"基准培训课程{slot}",
            start_date=completion - datetime.timedelta(days=5), completion_date=completion,
            hours=Decimal(rng.choice([16, 24, 40, 80])),
            result=TrainingResult.PASSED if rng.random() < 0.88 else TrainingResult.FAILED,
            source=RecordSource.IMPORTED,
        ))
    bulk_insert(TrainingRecord, objs, batch_size=5000)
    log(f"{len(objs)} 条培训记录")


def _certificates(rng, persons, count):
    from certification.models import (Certificate, CertificateType, IssuerKind, NumberCounter, ReviewStatus,
                                      Source, new_token)
    from certification.numbering import format_number
    from core.imports.bulk import bulk_insert
    from registry.models import TrainingProvider

    platform = CertificateType.objects.filter(issuer_kind=IssuerKind.PLATFORM).order_by("sort_order", "pk").first()
    external = list(CertificateType.objects.filter(issuer_kind=IssuerKind.EXTERNAL).order_by("pk"))
    providers = list(TrainingProvider.objects.values_list("pk", "name"))
    counters = {c.year: c.last_value for c in NumberCounter.objects.all()}
    today = datetime.date.today()
    objs = []
    for i in range(count):
        issue = datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randrange((today - datetime.date(2021, 1, 1)).days))
        is_platform = i % 5 < 3
        ctype = platform if is_platform else external[i % len(external)]
        expiry = ctype.default_expiry(issue)
        revoked = rng.random() < 0.01
        if is_platform:
            counters[issue.year] = counters.get(issue.year, 0) + 1
            number = format_number(issue.year, counters[issue.year])
            provider_id, issuer = providers[i % len(providers)]
        else:
            number, provider_id, issuer = f"BENCH{i:09d}", None, "云南省人力资源和社会保障厅"
        objs.append(Certificate(
            person_id=persons[i % len(persons)], type=ctype, number=number,
            source=Source.PLATFORM if is_platform else Source.EXTERNAL, issuer=issuer,
            issuing_provider_id=provider_id, course_name="托育机构保育人员培训" if is_platform else "",
            hours=Decimal(80) if is_platform else None, issue_date=issue, expiry_date=expiry,
            level="" if is_platform or not ctype.level_list else ctype.level_list[0],
            revoked_on=issue + datetime.timedelta(days=30) if revoked and issue + datetime.timedelta(days=30) <= today else None,
            revoke_reason="基准测试：撤销" if revoked else "", review_status=ReviewStatus.APPROVED,
            verification_token=new_token(), pdf_fingerprint="", review_reason="", supersede_reason="",
        ))
    for obj in objs:
        if obj.revoked_on is None:
            obj.revoke_reason = ""
    bulk_insert(Certificate, objs, batch_size=5000)
    for year, value in counters.items():
        NumberCounter.objects.update_or_create(year=year, defaults={"last_value": value})
    log(f"{len(objs)} 张证书")


def _survey_responses(rng, count):
    from cms.models import AgeBand, SurveyPage, SurveyResponse
    from core.imports.bulk import bulk_insert
    from registry.models import County
    from django.utils import timezone

    survey = SurveyPage.objects.order_by("pk").first()
    counties = list(County.objects.values_list("pk", flat=True))
    bands = list(AgeBand.objects.values_list("pk", flat=True))
    start = timezone.make_aware(datetime.datetime(2024, 1, 1, 8))
    span = int((timezone.now() - start).total_seconds())
    objs = []
    for _ in range(count):
        at = start + datetime.timedelta(seconds=rng.randrange(span))
        correct = rng.choices(range(11), weights=[1, 1, 1, 2, 3, 5, 8, 12, 16, 14, 10])[0]
        score = correct * 10
        objs.append(SurveyResponse(
            survey_id=survey.pk if survey else None, county_id=rng.choice(counties), age_band_id=rng.choice(bands),
            score=score, correct_count=correct, question_count=10,
            passed=score >= (survey.pass_mark if survey else 60),
            submitted_at=at, submitted_on=timezone.localdate(at), answers={}, client_key="",
        ))
    bulk_insert(SurveyResponse, objs, batch_size=5000)
    log(f"{len(objs)} 份问卷答卷")


def _bulk_run(persons):
    """A finished run whose 1,000 passed trainees have no certificate yet (bulk issuance bench)."""
    from django.utils import timezone

    from courses.models import CoursePage
    from core.imports.bulk import bulk_insert
    from registry.models import County, TrainingProvider
    from training.models import CourseRun, Enrollment, EnrollmentStatus, RunStatus, TrainingResult

    course = CoursePage.objects.order_by("pk").first()
    provider = TrainingProvider.objects.order_by("pk").first()
    end = datetime.date.today() - datetime.timedelta(days=3)
    run = CourseRun.objects.create(
        provider=provider, course=course, county=County.objects.get(name="麒麟区"), title=BULK_RUN_TITLE,
        place="曲靖市", capacity=BULK_RUN_TRAINEES, start_date=end - datetime.timedelta(days=10), end_date=end,
        enrol_opens=end - datetime.timedelta(days=60), enrol_closes=end - datetime.timedelta(days=11),
        status=RunStatus.FINISHED, finished_at=timezone.now(),
    )
    now = timezone.now()
    objs = [
        Enrollment(run=run, person_id=p, status=EnrollmentStatus.APPROVED, approved_at=now,
                   approved_on=timezone.localdate(now), theory_score=Decimal(85), practice_score=Decimal(90),
                   result=TrainingResult.PASSED, decision_reason="", result_reason="")
        for p in persons[-BULK_RUN_TRAINEES:]
    ]
    bulk_insert(Enrollment, objs)
    log(f"批量发证班次：{len(objs)} 名合格学员")


def _articles(rng, count):
    """Live article pages, inserted in bulk below the article index.

    Page-by-page add_child takes 0.1-0.3 s a page on a busy 2-core machine (revisions, search
    and reference index tasks): minutes for 2,000. Here the tree paths are computed with
    treebeard's own helpers and the rows inserted with executemany: a sound tree (paths,
    depth, numchild, url_path), live and public, without revisions or search entries.
    """
    import uuid

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Page

    from cms.models import AgeBand, ArticleIndexPage, ArticlePage, Topic
    from core.imports.bulk import bulk_insert

    index = Page.objects.get(pk=ArticleIndexPage.objects.order_by("pk").values_list("pk", flat=True).first())
    existing = ArticlePage.objects.child_of(index).filter(slug__startswith="bench-").count()
    if existing >= count:
        return
    template = ArticlePage.objects.child_of(index).order_by("pk").first()
    bands, topics = list(AgeBand.objects.all()), list(Topic.objects.all())
    ctype = ContentType.objects.get_for_model(ArticlePage)
    last = index.get_last_child()
    step = Page._str2int(last.path[-Page.steplen:]) if last else 0
    now = timezone.now()
    before = _max_pk(Page)
    pages = []
    for k, i in enumerate(range(existing, count)):
        topic = rng.choice(topics).name if topics else "科学育儿"
        title = f"{topic}：基准文章第{i + 1}篇"
        slug = f"bench-{i:05d}"
        pages.append(Page(
            title=title, draft_title=title, slug=slug, content_type_id=ctype.pk,
            path=Page._get_path(index.path, index.depth + 1, step + k + 1), depth=index.depth + 1, numchild=0,
            url_path=f"{index.url_path}{slug}/", live=True, has_unpublished_changes=False,
            first_published_at=now, last_published_at=now, latest_revision_created_at=None,
            locale_id=index.locale_id, translation_key=uuid.uuid4(), seo_title="", search_description="",
            show_in_menus=False,
        ))
    with transaction.atomic():
        bulk_insert(Page, pages)
        pks = _new_pks(Page, before)
        fields = [f for f in ArticlePage._meta.local_concrete_fields]
        body = ArticlePage._meta.get_field("body").get_db_prep_save(template.body if template else [], connection)
        rows = []
        for n, pk in enumerate(pks):
            values = {"page_ptr_id": pk, "summary": "基准测试生成的科学育儿文章摘要。", "cover_image_id": None,
                      "body": body, "reviewer_id": template.reviewer_id if template else None,
                      "publish_date": datetime.date(2024, 1, 1) + datetime.timedelta(days=(existing + n) % 700)}
            rows.append([values[f.attname] for f in fields])
        quote = connection.ops.quote_name
        sql = (f"INSERT INTO {quote(ArticlePage._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        for name, choices in (("age_bands", bands), ("topics", topics)):
            through = ArticlePage._meta.get_field(name).remote_field.through
            target = ArticlePage._meta.get_field(name).m2m_reverse_field_name()
            source = ArticlePage._meta.get_field(name).m2m_field_name()
            links = []
            for pk in pks:
                for choice in rng.sample(choices, min(2, len(choices))):
                    links.append(through(**{f"{source}_id": pk, f"{target}_id": choice.pk}))
            through.objects.bulk_create(links)
        Page.objects.filter(pk=index.pk).update(numchild=index.numchild + len(pks))
    log(f"{count} 篇文章")


def _analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log("ANALYZE")


if __name__ == "__main__":
    import sys

    from bench.common import setup_django

    setup_django()
    generate(force="--force" in sys.argv)
