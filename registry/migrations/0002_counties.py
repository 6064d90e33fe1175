from django.db import migrations

# The ten county-level units of 曲靖市 (metrics.md), in the order the commission lists them.
COUNTIES = [
    ("麒麟区", "麒麟", "530302"),
    ("沾益区", "沾益", "530303"),
    ("马龙区", "马龙", "530304"),
    ("宣威市", "宣威", "530381"),
    ("会泽县", "会泽", "530326"),
    ("富源县", "富源", "530325"),
    ("罗平县", "罗平", "530324"),
    ("师宗县", "师宗", "530323"),
    ("陆良县", "陆良", "530322"),
    ("曲靖经开区", "经开区", ""),
]


def create_counties(apps, schema_editor):
    County = apps.get_model("registry", "County")
    for order, (name, short, code) in enumerate(COUNTIES, start=1):
        County.objects.update_or_create(
            name=name, defaults={"short_name": short, "code": code, "sort_order": order}
        )


def remove_counties(apps, schema_editor):
    apps.get_model("registry", "County").objects.filter(name__in=[c[0] for c in COUNTIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(create_counties, remove_counties)]
