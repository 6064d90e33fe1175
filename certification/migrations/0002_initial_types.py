"""Initial certificate types (interfaces.md); all count toward 持证上岗率 until the commission says otherwise."""

from django.db import migrations

TYPES = [
    # name, issuer kind, levels, default validity (years)
    ("托育从业人员培训合格证书", "platform", "", 3),
    ("保育师", "external", "五级,四级,三级,二级,一级", None),
    ("育婴员", "external", "五级,四级,三级", None),
    ("婴幼儿发展引导员", "external", "四级,三级,二级,一级", None),
    ("幼儿园教师资格证", "external", "", None),
    ("护士执业证书", "external", "", None),
    ("医师执业证书", "external", "", None),
]


def create_types(apps, schema_editor):
    CertificateType = apps.get_model("certification", "CertificateType")
    for order, (name, kind, levels, years) in enumerate(TYPES, start=1):
        CertificateType.objects.get_or_create(
            name=name,
            defaults={
                "issuer_kind": kind,
                "levels": levels,
                "validity_years": years,
                "counts_toward_rate": True,
                "pdf_template": "training" if kind == "platform" else "",
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]
    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
