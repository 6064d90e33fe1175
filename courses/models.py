"""Course pages written by editors in Wagtail.

Hours, modules and pass marks are data the editors set on each page (domain.md: the national
outlines change), never constants in code. Runs of a course live in the training app, which
depends on this one; this module therefore reaches runs only through the reverse relation
`page.runs`, never by importing training.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from registry.models import StaffRole, TrainingCategory

from .blocks import SyllabusBlock


class CourseIndexPage(Page):
    intro = RichTextField("简介", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = "课程目录"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        courses = CoursePage.objects.child_of(self).live().specific().order_by("path")
        category = request.GET.get("category")
        if category in TrainingCategory.values:
            courses = courses.filter(category=category)
        context.update(courses=courses, categories=TrainingCategory.choices, category=category)
        return context


HOURS = {"max_digits": 6, "decimal_places": 1, "validators": [MinValueValidator(Decimal("0"))]}
PASS_MARK = {"validators": [MinValueValidator(0), MaxValueValidator(100)], "default": 60}


class CoursePage(Page):
    summary = models.TextField("课程简介", blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image", verbose_name="封面图", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    category = models.CharField("培训类别", max_length=20, choices=TrainingCategory.choices)
    target_role = models.CharField("培训对象", max_length=20, choices=StaffRole.choices)
    required_theory_hours = models.DecimalField("理论学时要求", **HOURS)
    required_practice_hours = models.DecimalField("实操学时要求", **HOURS)
    theory_pass_mark = models.PositiveSmallIntegerField("理论考核合格分", **PASS_MARK)
    practice_pass_mark = models.PositiveSmallIntegerField("实操考核合格分", **PASS_MARK)
    syllabus = StreamField(SyllabusBlock(), verbose_name="课程模块", blank=True)
    # The certificate type this course leads to is linked from the certification app
    # (a lower app never references a higher one).

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        MultiFieldPanel(
            [FieldPanel("category"), FieldPanel("target_role")], heading="类别与对象"
        ),
        MultiFieldPanel(
            [
                FieldPanel("required_theory_hours"),
                FieldPanel("required_practice_hours"),
                FieldPanel("theory_pass_mark"),
                FieldPanel("practice_pass_mark"),
            ],
            heading="学时与考核要求",
        ),
        FieldPanel("syllabus"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "课程"
        verbose_name_plural = "课程"

    @property
    def required_hours(self):
        return (self.required_theory_hours or 0) + (self.required_practice_hours or 0)

    def module_hours(self):
        """(theory, practice) summed over the syllabus modules."""
        theory = practice = Decimal("0")
        for block in self.syllabus or []:
            theory += Decimal(str(block.value.get("theory_hours") or 0))
            practice += Decimal(str(block.value.get("practice_hours") or 0))
        return theory, practice

    def clean(self):
        super().clean()
        # Hours that don't add up are rejected: when the editor lists modules, their hours
        # must make up the course's required hours exactly.
        if self.syllabus and len(self.syllabus):
            theory, practice = self.module_hours()
            errors = {}
            if self.required_theory_hours is not None and theory != self.required_theory_hours:
                errors["required_theory_hours"] = (
                    f"各模块理论学时合计 {theory}，与课程理论学时要求 {self.required_theory_hours} 不一致。"
                )
            if self.required_practice_hours is not None and practice != self.required_practice_hours:
                errors["required_practice_hours"] = (
                    f"各模块实操学时合计 {practice}，与课程实操学时要求 {self.required_practice_hours} 不一致。"
                )
            if errors:
                raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # `runs` is the reverse relation from training.CourseRun; its manager carries the
        # run queryset methods, so this app needs no import of training.
        runs = self.runs.upcoming().select_related("provider", "county").with_seat_counts()
        context["runs"] = runs
        user = request.user
        context["can_enrol"] = user.is_authenticated and user.is_trainee
        context["has_person"] = user.is_authenticated and hasattr(user, "person")
        return context
