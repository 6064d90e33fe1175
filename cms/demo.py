"""Demo content of the parents' site: articles, experts, parent classes, the survey and its
responses from every county. Idempotent: everything is upserted by a natural key (page slug,
expert name + institution, image title); survey responses are only created once."""

import datetime
import html
import io
import json

from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page

from registry.models import County

from .demo_articles import ARTICLES, CLASSES, EXPERTS, SURVEY_QUESTIONS, TAGS
from .models import (
    AgeBand,
    ArticleIndexPage,
    ArticlePage,
    ClassSignup,
    Expert,
    HomePage,
    ParentClassIndexPage,
    ParentClassPage,
    SurveyPage,
    SurveyResponse,
    Topic,
)
from .services import passes, percent

TOPIC_COLOURS = {
    "feeding": (240, 160, 80), "sleep": (90, 110, 180), "motor": (80, 160, 110), "language": (200, 110, 140),
    "social": (230, 120, 100), "prevention": (60, 140, 170), "safety": (210, 80, 70), "tcm": (150, 120, 70),
    "family": (120, 150, 90),
}

HOME_INTRO = (
    "<p>曲靖市托育服务从业人员培训与认证平台：为托育机构从业人员提供培训报名、学时和证书查询；"
    "为家长提供经专家审核的科学育儿知识、家长课堂和育儿专家信息。</p>"
)


def seed(ctx):
    rng = ctx.rng("cms")
    home = HomePage.objects.get()
    if not home.intro.strip():
        home.intro = HOME_INTRO
        home.save()
    covers = _topic_covers()
    experts = _experts()
    articles_index = _child(home, ArticleIndexPage, "parenting", "科学育儿", intro=(
        "<p>按宝宝月龄和主题阅读科学育儿文章。每篇文章都经过育儿专家审核；文章是科普内容，"
        "不能代替医生面诊。</p>"
    ))
    created = _articles(articles_index, covers, experts)
    class_index = _child(home, ParentClassIndexPage, "classes", "家长课堂", intro=(
        "<p>各区县妇幼保健院、医院和托育综合服务中心举办的线下家长课堂，免费参加，在线报名。</p>"
    ))
    new_classes = _classes(class_index, rng)
    survey = _child(home, SurveyPage, "survey", "科学育儿知识问卷", intro=(
        "<p>10 道选择题，大约 3 分钟。匿名作答，只需选择所在区县和孩子月龄，提交后可以看到得分和每道题的解析。</p>"
    ), questions=json.dumps([
        {"type": "question", "value": {"question": q, "options": o, "correct_option": c, "explanation": e}}
        for q, o, c, e in SURVEY_QUESTIONS
    ]), pass_mark=80)
    responses = _survey_responses(survey, rng)
    ctx.log(
        f"  cms: {ArticlePage.objects.count()} 篇文章（新增 {created}），{len(experts)} 位专家，"
        f"{ParentClassPage.objects.count()} 场家长课堂（新增 {new_classes}），问卷答卷新增 {responses} 份"
    )


def _child(parent, model, slug, title, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing
    parent = Page.objects.get(pk=parent.pk)  # fresh tree counters
    return parent.add_child(instance=model(slug=slug, title=title, **fields))


def _topic_covers():
    """One generated illustration per topic (no external assets), with alt text."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    Image = get_image_model()
    covers = {}
    for topic in Topic.objects.all():
        title = f"科学育儿封面：{topic.name}"
        image = Image.objects.filter(title=title).first()
        if image is None:
            colour = TOPIC_COLOURS.get(topic.slug, (11, 122, 117))
            canvas = PILImage.new("RGB", (1200, 675), colour)
            draw = ImageDraw.Draw(canvas)
            light = tuple(min(255, c + 60) for c in colour)
            draw.ellipse((700, 120, 1100, 520), fill=light)
            draw.ellipse((820, 40, 980, 200), fill=(255, 255, 255))
            draw.rounded_rectangle((90, 420, 620, 470), radius=25, fill=(255, 255, 255))
            draw.rounded_rectangle((90, 500, 460, 540), radius=20, fill=light)
            buffer = io.BytesIO()
            canvas.save(buffer, format="PNG", optimize=True)
            image = Image(
                title=title,
                description=f"“{topic.name}”主题的装饰插图",
                file=ImageFile(buffer, name=f"cms-cover-{topic.slug}.png"),
            )
            image.save()
        covers[topic.slug] = image
    return covers


def _experts():
    counties = {c.name: c for c in County.objects.all()}
    experts = {}
    for order, (name, title, specialty, institution, county, bio) in enumerate(EXPERTS, start=1):
        expert, _ = Expert.objects.get_or_create(
            name=name, institution=institution,
            defaults={"title": title, "specialty": specialty, "county": counties.get(county) if county else None,
                      "bio": bio, "sort_order": order},
        )
        experts[name] = expert
    return experts


def _stream(body):
    blocks = []
    for item in body:
        kind = item[0]
        if kind == "p":
            blocks.append({"type": "paragraph", "value": f"<p>{html.escape(item[1])}</p>"})
        elif kind == "ul":
            items = "".join(f"<li>{html.escape(x)}</li>" for x in item[1])
            blocks.append({"type": "paragraph", "value": f"<ul>{items}</ul>"})
        elif kind == "h":
            blocks.append({"type": "heading", "value": {"text": item[1], "level": "h2"}})
        else:
            title, text = item[1], item[2]
            blocks.append({"type": "tip", "value": {"kind": kind, "title": title, "text": f"<p>{html.escape(text)}</p>"}})
    return json.dumps(blocks, ensure_ascii=False)


def _articles(index, covers, experts):
    bands = {b.slug: b for b in AgeBand.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    existing = set(ArticlePage.objects.child_of(index).values_list("slug", flat=True))
    created = 0
    # Newest first in the list below; publish dates step back a week at a time from a fixed day.
    newest = datetime.date(2026, 11, 20)
    for n, (slug, title, band_slugs, topic_slugs, reviewer, summary, body) in enumerate(ARTICLES):
        if slug in existing:
            continue
        published = newest - datetime.timedelta(days=7 * n)
        when = timezone.make_aware(datetime.datetime.combine(published, datetime.time(9, 0)))
        page = ArticlePage(
            slug=slug, title=title, summary=summary, body=_stream(body),
            cover_image=covers.get(topic_slugs[0]), reviewer=experts.get(reviewer),
            publish_date=published, first_published_at=when, last_published_at=when,
            search_description=summary,
        )
        page.age_bands = [bands[s] for s in band_slugs]
        page.topics = [topics[s] for s in topic_slugs]
        for tag in TAGS.get(slug, []):
            page.tags.add(tag)
        index = Page.objects.get(pk=index.pk)
        index.add_child(instance=page)
        created += 1
    return created


def _classes(index, rng):
    counties = {c.name: c for c in County.objects.all()}
    bands = list(AgeBand.objects.all())
    today = timezone.localdate()
    created = 0
    surnames = "王李张刘陈杨赵黄周吴徐孙朱马胡郭何高林罗"
    given = ["丽", "娟", "敏", "静", "芳", "艳", "霞", "燕", "婷", "雪", "华", "强", "伟", "磊", "军"]
    for slug, title, county, organiser, speaker, days, hour, capacity, summary in CLASSES:
        page = ParentClassPage.objects.child_of(index).filter(slug=slug).first()
        if page is None:
            day = today + datetime.timedelta(days=days)
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
            page = _child(index, ParentClassPage, slug, title, start_at=start,
                          end_at=start + datetime.timedelta(hours=2), place=f"{organiser}多功能厅",
                          county=counties[county], organiser=organiser, speaker=speaker,
                          capacity=capacity, summary=summary, search_description=summary)
            created += 1
            for i in range(rng.randint(3, capacity // 2)):
                ClassSignup.objects.get_or_create(
                    event=page, phone=f"139{rng.randint(10000000, 99999999)}",
                    defaults={"name": rng.choice(surnames) + rng.choice(given) + rng.choice(["", "华", "芬"]),
                              "age_band": rng.choice(bands)},
                )
    return created


def _survey_responses(survey, rng):
    """Anonymous demo responses from every county across 2025 and 2026 (once)."""
    if SurveyResponse.objects.filter(client_key__startswith="demo-").exists():
        return 0
    bands = list(AgeBand.objects.all())
    total = len(SURVEY_QUESTIONS)
    start = datetime.date(2025, 1, 6)
    end = min(datetime.date(2026, 11, 20), timezone.localdate())
    span = (end - start).days
    rows = []
    for county in County.objects.all():
        # Knowledge differs between counties; the city's target is 90 %.
        skill = rng.uniform(0.78, 0.95)
        for i in range(rng.randint(25, 45)):
            correct_set = {q for q in range(1, total + 1) if rng.random() < skill}
            choices = {}
            for q, (_, options, right, _) in enumerate(SURVEY_QUESTIONS, start=1):
                wrong = [o for o in range(1, len(options) + 1) if o != right]
                choices[str(q)] = right if q in correct_set else rng.choice(wrong)
            correct = len(correct_set)
            day = start + datetime.timedelta(days=rng.randint(0, span))
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(8, 21), rng.randint(0, 59))))
            rows.append(SurveyResponse(
                survey=survey, county=county, age_band=rng.choice(bands), score=percent(correct, total),
                correct_count=correct, question_count=total, passed=passes(correct, total, survey.pass_mark),
                submitted_at=at, submitted_on=day, answers={"choices": choices, "pass_mark": survey.pass_mark},
                client_key=f"demo-{county.pk}-{i}",
            ))
    SurveyResponse.objects.bulk_create(rows, batch_size=500)
    return len(rows)
