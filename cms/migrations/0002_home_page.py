from django.db import migrations

INTRO = (
    "<p>曲靖市托育服务从业人员培训与认证平台，面向托育机构从业人员、培训机构、各区县卫健局和市卫健委，"
    "提供课程报名、培训考勤、考核结业、证书核验和目标监测；同时向家长提供科学育儿知识。</p>"
)


def create_home(apps, schema_editor):
    """Replace Wagtail's default welcome page with our home page as the site root."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("cms", "HomePage")

    Page.objects.filter(depth=2, slug="home").delete()
    home_ct, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="曲靖市托育人才培训与认证平台",
        draft_title="曲靖市托育人才培训与认证平台",
        slug="home",
        content_type=home_ct,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        intro=INTRO,
        live=True,
        has_unpublished_changes=False,
        locale_id=root.locale_id,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="曲靖托育")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
    ]
    operations = [migrations.RunPython(create_home, migrations.RunPython.noop)]
