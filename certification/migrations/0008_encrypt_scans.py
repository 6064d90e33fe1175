"""Encrypt the certificate scans stored in clear before encryption at rest (issue 13)."""

from django.db import migrations


def encrypt_scans(apps, schema_editor):
    # core.storage and core.pii are model-free and stable: the migration uses the same
    # rewrite as manage.py rotate_pii_keys (new file first, row updated, old file deleted).
    from core.storage import delete_stored_file, reencrypt_stored_file

    Certificate = apps.get_model("certification", "Certificate")
    for pk, name in Certificate.objects.exclude(scan="").values_list("pk", "scan").iterator():
        try:
            new_name = reencrypt_stored_file(name)
        except FileNotFoundError:
            continue  # the row points at a file that is gone: nothing to protect
        Certificate.objects.filter(pk=pk).update(scan=new_name)
        delete_stored_file(name)


class Migration(migrations.Migration):
    dependencies = [("certification", "0007_alter_certificate_scan")]
    operations = [migrations.RunPython(encrypt_scans, migrations.RunPython.noop, elidable=True)]
