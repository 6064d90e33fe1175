"""Encrypt the import originals stored in clear before encryption at rest (issue 13)."""

from django.db import migrations


def encrypt_originals(apps, schema_editor):
    # core.storage and core.pii are model-free and stable: the migration uses the same
    # rewrite as manage.py rotate_pii_keys (new file first, row updated, old file deleted).
    from core.storage import delete_stored_file, reencrypt_stored_file

    ImportJob = apps.get_model("imports", "ImportJob")
    for pk, name in ImportJob.objects.exclude(file="").values_list("pk", "file").iterator():
        try:
            new_name = reencrypt_stored_file(name)
        except FileNotFoundError:
            continue  # the row points at a file that is gone: nothing to protect
        ImportJob.objects.filter(pk=pk).update(file=new_name)
        delete_stored_file(name)


class Migration(migrations.Migration):
    dependencies = [("imports", "0003_importjob_original_deleted_at")]
    operations = [migrations.RunPython(encrypt_originals, migrations.RunPython.noop, elidable=True)]
