"""科学育儿知识问卷: the survey page and the anonymous responses behind 普及率.

`SurveyResponse` is read by monitoring for `parenting_knowledge_rate` (metrics.md): responses
filtered by `submitted_at` (calendar year of D, up to D), by `county`, and counted by
`passed`. Keep those names. `passed` is decided when the response is submitted, against the
pass mark of that day, so a later change of the pass mark never rewrites a past figure.
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from ..blocks import QuestionsBlock


class SurveyPage(Page):
    intro = RichTextField("说明", blank=True)
    questions = StreamField(QuestionsBlock(), verbose_name="题目")
    pass_mark = models.PositiveSmallIntegerField(
        "合格分数线（百分制）", default=80, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="得分（答对题数占总题数的百分比）达到此分数即为“知晓”，计入科学育儿知识普及率",
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("questions"), FieldPanel("pass_mark")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = "科学育儿知识问卷"

    def question_list(self):
        """[(number, StructValue)] of the questions, numbered from 1."""
        return [(i, block.value) for i, block in enumerate(self.questions, start=1)]

    def serve(self, request, *args, **kwargs):
        from ..forms import SurveyForm
        from ..services import SurveyRefused, submit_survey

        result = None
        status = 200
        if request.method == "POST":
            form = SurveyForm(self, request.POST)
            if form.is_valid():
                try:
                    response = submit_survey(self, request, {**form.cleaned_data, "choices": form.choices()})
                except SurveyRefused as exc:
                    form.add_error(None, exc.message)
                    status = exc.status
                else:
                    request.session[self._result_key] = response.pk
                    # Post/redirect/get: reloading the result page never submits twice.
                    return redirect(self.url + "?result=1")
            else:
                status = 400
        else:
            form = SurveyForm(self)
            if request.GET.get("result"):
                result_pk = request.session.get(self._result_key)
                result = SurveyResponse.objects.filter(pk=result_pk, survey=self).first() if result_pk else None
        context = self.get_context(request, *args, **kwargs)
        context.update(form=form, result=result, review=self.review(result) if result else None)
        return TemplateResponse(request, self.get_template(request), context, status=status)

    @property
    def _result_key(self):
        return f"cms-survey-result-{self.pk}"

    def review(self, response):
        """Per question: the text, the respondent's choice, the correct one, the explanation."""
        chosen = response.answers.get("choices", {})
        rows = []
        for number, q in self.question_list():
            options = list(q["options"])
            pick = chosen.get(str(number))
            rows.append({
                "number": number,
                "question": q["question"],
                "chosen": options[pick - 1] if isinstance(pick, int) and 0 < pick <= len(options) else "",
                "correct": options[q["correct_option"] - 1] if q["correct_option"] <= len(options) else "",
                "is_correct": pick == q["correct_option"],
                "explanation": q["explanation"],
            })
        return rows


class SurveyResponseQuerySet(models.QuerySet):
    def submitted_between(self, start, end):
        """Responses submitted on local dates start..end inclusive (for the metric's year-to-D).

        Datetime bounds at local midnight rather than `__date`, so the (submitted_at, county)
        index serves the query.
        """
        def midnight(day):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        return self.filter(submitted_at__gte=midnight(start), submitted_at__lt=midnight(end + datetime.timedelta(days=1)))


class SurveyResponse(models.Model):
    # SET_NULL, not CASCADE: deleting or replacing the survey page must not erase the figures
    # of past years.
    survey = models.ForeignKey(
        SurveyPage, verbose_name="问卷", null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    county = models.ForeignKey(
        "registry.County", verbose_name="区县", on_delete=models.PROTECT, related_name="survey_responses"
    )
    age_band = models.ForeignKey("cms.AgeBand", verbose_name="孩子月龄", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField("得分（百分制）")
    correct_count = models.PositiveSmallIntegerField("答对题数")
    question_count = models.PositiveSmallIntegerField("题目数")
    passed = models.BooleanField("达到合格线")
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    answers = models.JSONField("作答", default=dict)
    # A hash of the browser session (never the session key itself) and the local day: with
    # the constraint below, one response per browser session per day even under races.
    client_key = models.CharField("会话指纹", max_length=64, blank=True, editable=False)
    submitted_on = models.DateField("提交日期", editable=False)

    objects = SurveyResponseQuerySet.as_manager()

    # One row per parent's submission: Wagtail's reference index (the "usage" of the survey
    # page, age band and county) would add a row and a query to every public submission.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = "问卷答卷"
        verbose_name_plural = "问卷答卷"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="cms_survey_score_range", condition=Q(score__lte=100)),
            models.CheckConstraint(
                name="cms_survey_correct_le_total", condition=Q(correct_count__lte=models.F("question_count"))
            ),
            models.UniqueConstraint(
                fields=["survey", "client_key", "submitted_on"], condition=~Q(client_key=""),
                name="cms_survey_one_per_session_per_day",
            ),
        ]
        indexes = [
            # parenting_knowledge_rate: submitted_at in [Jan 1 of D's year, D], by county.
            models.Index(fields=["submitted_at", "county"], name="cms_survey_metric_idx"),
        ]

    def __str__(self):
        return f"{self.county} {self.submitted_at:%Y-%m-%d} {self.score}分"

    def save(self, *args, **kwargs):
        if self.submitted_on is None:
            self.submitted_on = timezone.localdate(self.submitted_at)
        super().save(*args, **kwargs)
