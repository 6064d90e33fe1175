"""家长课堂: parent-class event pages, and the parents who signed up for them."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from ..blocks import BodyBlock
from ..utils import filter_query, paginate


class ParentClassIndexPage(Page):
    intro = RichTextField("简介", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ParentClassPage"]
    max_count = 1

    class Meta:
        verbose_name = "家长课堂栏目"

    def get_context(self, request, *args, **kwargs):
        from registry.models import County

        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        classes = ParentClassPage.objects.child_of(self).live().public().select_related("county").with_signup_count()
        county = None
        county_id = request.GET.get("county", "")
        if county_id:
            county = County.objects.filter(pk=county_id).first() if county_id.isdigit() else None
            if county is None:
                from django.http import Http404

                raise Http404("没有这个区县")
            classes = classes.filter(county=county)
        context.update(
            page_obj=paginate(request, classes.upcoming(now), 10),
            past_classes=classes.filter(start_at__lt=now).order_by("-start_at")[:5],
            counties=County.objects.all(),
            county=county,
            filter_query=filter_query(county=county_id),
        )
        return context


class ParentClassQuerySet(PageQuerySet):
    def upcoming(self, now):
        return self.filter(end_at__gte=now).order_by("start_at")

    def with_signup_count(self):
        return self.annotate(signup_count=Count("signups"))

    def managed_by(self, user):
        """Classes whose sign-up list `user` may see: the commission all, a county official the
        classes of their county, an organiser account their own classes."""
        if not user.is_authenticated:
            return self.none()
        if user.is_commission:
            return self
        rule = Q(organiser_user=user)
        if user.is_county_official:
            rule |= Q(county_id=user.county_id)
        return self.filter(rule)


ParentClassManager = PageManager.from_queryset(ParentClassQuerySet)


class ParentClassPage(Page):
    start_at = models.DateTimeField("开始时间")
    end_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=120)
    county = models.ForeignKey(
        "registry.County", verbose_name="区县", on_delete=models.PROTECT, related_name="parent_classes"
    )
    organiser = models.CharField("主办单位", max_length=80)
    organiser_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="组织者账号", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="organised_parent_classes",
        help_text="该账号可以查看报名名单；区县卫健局账号可查看本区县全部课堂的报名",
    )
    speaker = models.CharField("主讲人", max_length=60, blank=True)
    capacity = models.PositiveIntegerField("名额", default=30)
    signup_open = models.BooleanField("开放报名", default=True)
    summary = models.TextField("简介", max_length=200, blank=True)
    body = StreamField(BodyBlock(), verbose_name="详细介绍", blank=True)

    objects = ParentClassManager()

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("start_at"), FieldPanel("end_at")], heading="时间"),
        MultiFieldPanel([FieldPanel("place"), FieldPanel("county")], heading="地点"),
        MultiFieldPanel(
            [FieldPanel("organiser"), FieldPanel("organiser_user"), FieldPanel("speaker")], heading="主办"
        ),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("signup_open")], heading="报名"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("place")]
    parent_page_types = ["cms.ParentClassIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "家长课堂"
        constraints = [
            models.CheckConstraint(name="cms_class_ends_after_start", condition=Q(end_at__gt=F("start_at"))),
            models.CheckConstraint(name="cms_class_capacity_positive", condition=Q(capacity__gt=0)),
        ]
        indexes = [
            # Upcoming classes on the home page and the class list: end_at >= now order by start.
            models.Index(fields=["end_at", "start_at"], name="cms_class_upcoming_idx"),
        ]

    def clean(self):
        super().clean()
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            raise ValidationError({"end_at": "结束时间必须晚于开始时间。"})

    def seats_left(self):
        # One COUNT query; list pages use with_signup_count() instead.
        taken = getattr(self, "signup_count", None)
        if taken is None:
            taken = self.signups.count()
        return max(self.capacity - taken, 0)

    def is_open_for_signup(self, now=None):
        return self.signup_open and self.start_at > (now or timezone.now())

    def search_text(self):
        body_field = self._meta.get_field("body")
        return {
            "title": self.title,
            "summary": " ".join([self.summary, self.place, self.organiser, self.speaker]),
            "body": " ".join(str(s) for s in body_field.get_searchable_content(self.body)),
        }

    def serve(self, request, *args, **kwargs):
        from ..forms import ClassSignupForm
        from ..services import ClassSignupError, sign_up

        if request.method == "POST":
            form = ClassSignupForm(request.POST)
            if form.is_valid():
                try:
                    sign_up(self, **form.cleaned_data)
                except ClassSignupError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, "报名成功！请按时参加，如有变动主办单位会电话联系您。")
                    return redirect(self.url)
            context = self.get_context(request, *args, **kwargs)
            context["form"] = form
            return TemplateResponse(request, self.get_template(request), context, status=400)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..forms import ClassSignupForm

        context = super().get_context(request, *args, **kwargs)
        context.setdefault("form", ClassSignupForm())
        user = request.user
        context["can_see_signups"] = (
            user.is_authenticated and ParentClassPage.objects.managed_by(user).filter(pk=self.pk).exists()
        )
        return context


class ClassSignupQuerySet(models.QuerySet):
    # Hand-written: who manages a parent class is Wagtail's page permission, not a field path.
    def visible_to(self, user):
        return self.filter(event__in=ParentClassPage.objects.managed_by(user).values("pk"))


class ClassSignup(models.Model):
    event = models.ForeignKey(ParentClassPage, verbose_name="家长课堂", on_delete=models.CASCADE, related_name="signups")
    name = models.CharField("家长姓名", max_length=30)
    phone = models.CharField("手机号", max_length=11)
    age_band = models.ForeignKey("cms.AgeBand", verbose_name="孩子月龄", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("报名时间", default=timezone.now)

    objects = ClassSignupQuerySet.as_manager()

    class Meta:
        verbose_name = "家长课堂报名"
        verbose_name_plural = "家长课堂报名"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "phone"], name="cms_signup_one_per_phone"),
        ]

    def __str__(self):
        return f"{self.name} {self.masked_phone}"

    @property
    def masked_phone(self):
        from core.pii import mask_phone

        return mask_phone(self.phone)
