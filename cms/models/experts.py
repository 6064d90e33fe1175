"""育儿专家库: the municipal and county expert pool (managed as Wagtail snippets)."""

from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index


class Specialty(models.TextChoices):
    CHILD_HEALTH = "child_health", "儿童保健"
    PAEDIATRICS = "paediatrics", "儿科"
    NUTRITION = "nutrition", "营养与喂养"
    DEVELOPMENT = "development", "早期发展"
    PSYCHOLOGY = "psychology", "儿童心理"
    TCM = "tcm", "中医儿科"
    NURSING = "nursing", "儿科护理"
    CHILDCARE = "childcare", "托育服务"


class ExpertQuerySet(models.QuerySet):
    def for_public_display(self):
        return self.filter(is_active=True).select_related("county", "photo")


class Expert(index.Indexed, models.Model):
    name = models.CharField("姓名", max_length=30)
    title = models.CharField("职称", max_length=40, help_text="如：主任医师、副主任护师、高级育婴师")
    specialty = models.CharField("专业方向", max_length=20, choices=Specialty.choices)
    institution = models.CharField("工作单位", max_length=80)
    # Empty county = the municipal pool (市级专家).
    county = models.ForeignKey(
        "registry.County", verbose_name="所属区县", null=True, blank=True,
        on_delete=models.PROTECT, related_name="parenting_experts",
        help_text="留空表示市级专家",
    )
    photo = models.ForeignKey(
        "wagtailimages.Image", verbose_name="照片", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    bio = models.TextField("简介", blank=True)
    is_active = models.BooleanField("公开显示", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=100)

    objects = ExpertQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("title"),
        MultiFieldPanel([FieldPanel("specialty"), FieldPanel("institution"), FieldPanel("county")], heading="单位与方向"),
        FieldPanel("photo"),
        FieldPanel("bio"),
        MultiFieldPanel([FieldPanel("is_active"), FieldPanel("sort_order")], heading="显示"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("institution"),
        index.FilterField("specialty"),
        index.FilterField("county"),
    ]

    class Meta:
        verbose_name = "育儿专家"
        verbose_name_plural = "育儿专家"
        ordering = ["sort_order", "id"]
        constraints = [
            # The seed upserts experts by name + institution; two rows for one person would
            # show the same expert twice in the directory.
            models.UniqueConstraint(fields=["name", "institution"], name="cms_expert_unique_name_institution"),
        ]

    def __str__(self):
        return f"{self.name}（{self.title}）"

    @property
    def pool_label(self):
        return self.county.name if self.county_id else "市级"
