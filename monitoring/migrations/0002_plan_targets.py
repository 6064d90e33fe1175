"""The plan's city targets (metrics.md, "The plan's targets"). Editable afterwards in the admin."""

import datetime
from decimal import Decimal

from django.db import migrations

PLAN_START = datetime.date(2024, 1, 1)
PLAN_END = datetime.date(2026, 12, 31)

TARGETS = [
    # (metric, year, period_start, period_end, value, note)
    ("director_training_person_times", None, PLAN_START, PLAN_END, Decimal("600"), "三年行动计划：累计培训负责人≥600人次"),
    ("caregiver_training_person_times", None, PLAN_START, PLAN_END, Decimal("1500"), "三年行动计划：累计培训保健、保育人员≥1500人次"),
    ("talents_trained", 2024, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), Decimal("400"), "三年行动计划：2024年培养400人"),
    ("talents_trained", 2025, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), Decimal("500"), "三年行动计划：2025年培养500人"),
    ("talents_trained", 2026, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), Decimal("600"), "三年行动计划：2026年培养600人"),
    ("certified_rate", None, PLAN_START, PLAN_END, Decimal("0.70"), "三年行动计划：持证上岗率≥70%"),
    ("parenting_knowledge_rate", None, PLAN_START, PLAN_END, Decimal("0.90"), "三年行动计划：科学育儿知识普及率≥90%"),
]


def load(apps, schema_editor):
    Target = apps.get_model("monitoring", "Target")
    for metric, year, start, end, value, note in TARGETS:
        Target.objects.get_or_create(
            metric=metric, county=None, period_start=start, period_end=end,
            defaults={"year": year, "value": value, "note": note},
        )


def unload(apps, schema_editor):
    Target = apps.get_model("monitoring", "Target")
    for metric, _year, start, end, _value, _note in TARGETS:
        Target.objects.filter(metric=metric, county=None, period_start=start, period_end=end).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
