"""Demo targets per county (the plan's city targets come from the data migration).

The city's person-times and yearly talents targets are split over the ten counties roughly
by size, and every county gets the city's 70% certified-rate target, so the dashboard shows
county targets and progress bars. Upserted by (metric, county, period): a second run changes
nothing.
"""

import datetime
from decimal import Decimal

from registry.models import County

from .metrics import PLAN_END, PLAN_START
from .models import MetricKey, Target

COUNTY_ORDER = ["麒麟区", "沾益区", "马龙区", "宣威市", "会泽县", "富源县", "罗平县", "师宗县", "陆良县", "曲靖经开区"]
DIRECTOR = [90, 60, 40, 90, 70, 60, 50, 40, 70, 30]  # sums to 600
CAREGIVER = [225, 150, 100, 225, 175, 150, 125, 100, 175, 75]  # 1500
TALENTS = {
    2024: [60, 40, 27, 60, 47, 40, 33, 27, 47, 19],  # 400
    2025: [75, 50, 33, 75, 58, 50, 42, 33, 58, 26],  # 500
    2026: [90, 60, 40, 90, 70, 60, 50, 40, 70, 30],  # 600
}


def _upsert(metric, county, start, end, value, year=None):
    target, created = Target.objects.get_or_create(
        metric=metric, county=county, period_start=start, period_end=end,
        defaults={"year": year, "value": Decimal(str(value)), "note": "演示数据：按区县分解的目标"},
    )
    return created


def seed(ctx):
    counties = {c.name: c for c in County.objects.all()}
    created = 0
    for index, name in enumerate(COUNTY_ORDER):
        county = counties.get(name)
        if county is None:
            continue
        created += _upsert(MetricKey.DIRECTOR, county, PLAN_START, PLAN_END, DIRECTOR[index])
        created += _upsert(MetricKey.CAREGIVER, county, PLAN_START, PLAN_END, CAREGIVER[index])
        for year, values in TALENTS.items():
            created += _upsert(MetricKey.TALENTS, county, datetime.date(year, 1, 1), datetime.date(year, 12, 31),
                               values[index], year=year)
        created += _upsert(MetricKey.CERTIFIED, county, PLAN_START, PLAN_END, "0.70")
        created += _upsert(MetricKey.PARENTING, county, PLAN_START, PLAN_END, "0.90")
    ctx.log(f"monitoring: {created} 个区县目标（已存在的保持不变）")
