"""The syllabus: one reusable StreamBlock of course modules (style.md habit 10)."""

from decimal import Decimal

from wagtail import blocks


class ModuleBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="模块名称", max_length=100)
    theory_hours = blocks.DecimalBlock(label="理论学时", min_value=Decimal("0"), decimal_places=1, default=0)
    practice_hours = blocks.DecimalBlock(label="实操学时", min_value=Decimal("0"), decimal_places=1, default=0)
    description = blocks.TextBlock(label="内容说明", required=False)

    class Meta:
        icon = "list-ul"
        label = "课程模块"
        template = "courses/blocks/module.html"
        preview_value = {
            "title": "婴幼儿回应性照护",
            "theory_hours": Decimal("8"),
            "practice_hours": Decimal("4"),
            "description": "识别并回应婴幼儿的需求，建立安全依恋。",
        }
        description = "一个课程模块：名称、理论与实操学时、内容说明"


class SyllabusBlock(blocks.StreamBlock):
    module = ModuleBlock()
