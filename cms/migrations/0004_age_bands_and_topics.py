from django.db import migrations

AGE_BANDS = [
    ("0-6m", "0–6 个月"),
    ("6-12m", "6–12 个月"),
    ("1-2y", "1–2 岁"),
    ("2-3y", "2–3 岁"),
]

TOPICS = [
    ("feeding", "喂养与营养", "母乳、配方奶、辅食与膳食营养"),
    ("sleep", "睡眠", "作息、夜醒与安全睡眠"),
    ("motor", "动作发展", "抬头、翻身、爬行、走路与手部动作"),
    ("language", "语言与认知", "说话、阅读与游戏中的学习"),
    ("social", "情感与社会性", "依恋、情绪与交往"),
    ("prevention", "疾病预防", "预防接种、常见病与就医"),
    ("safety", "安全与急救", "居家安全、意外伤害与急救"),
    ("tcm", "中医药保健", "小儿推拿、饮食调养等中医药适宜技术"),
    ("family", "家庭照护", "日常护理、隔代养育与家长自我照顾"),
]


def load(apps, schema_editor):
    AgeBand = apps.get_model("cms", "AgeBand")
    Topic = apps.get_model("cms", "Topic")
    for order, (slug, name) in enumerate(AGE_BANDS, start=1):
        AgeBand.objects.update_or_create(slug=slug, defaults={"name": name, "sort_order": order})
    for order, (slug, name, description) in enumerate(TOPICS, start=1):
        Topic.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_parenting_site")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
