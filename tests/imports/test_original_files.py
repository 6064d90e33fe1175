"""Import originals hold 身份证号: encrypted at rest, decrypted only by the scoped download,
deleted after the retention (purge_import_originals), re-encrypted by rotate_pii_keys."""

import datetime
import importlib
import re

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.storage import private_storage
from imports.models import ImportJob, ImportStatus
from registry.models import Person

from tests import factories as f
from tests.factories_imports import (
    STAFF_HEADERS,
    csv_bytes,
    id_number,
    media_root,  # noqa: F401 (fixture)
    staff_row,
    uscc,
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

ID_RE = re.compile(rb"\d{17}[\dX]")
UPLOAD = reverse("imports:upload")


@pytest.fixture
def sunshine(db):
    return f.InstitutionFactory(name="阳光托育园", county=f.county("麒麟区"), uscc=uscc(1))


def raw(name):
    """The bytes as the storage holds them (what a copied disk or bucket would show)."""
    with private_storage().open(name, "rb") as stored:
        return stored.read()


def upload(client, data, name="花名册.csv"):
    return client.post(UPLOAD, {"kind": "staff", "file": SimpleUploadedFile(name, data)})


def test_original_is_encrypted_in_storage_and_download_decrypts(personas, as_user, sunshine):
    data = csv_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1)), staff_row("李四", id_number(2))])
    assert ID_RE.search(data)  # the file as uploaded has the numbers in clear
    client = as_user(personas["county_x"])
    upload(client, data)
    job = ImportJob.objects.get()
    stored = raw(job.file.name)
    assert ID_RE.search(stored) is None and id_number(1).encode() not in stored
    response = client.get(reverse("imports:original", args=[job.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    # Who may not see the job does not get the file, encrypted or not.
    assert as_user(personas["county_y"]).get(reverse("imports:original", args=[job.pk])).status_code == 404
    # Confirming reads the encrypted original back.
    client.post(reverse("imports:confirm", args=[job.pk]))
    assert Person.objects.count() == 2


def test_command_line_originals_are_encrypted_too(sunshine, tmp_path):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(xlsx_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))]))
    with _no_exit():
        call_command("import_data", "staff", str(path))
    job = ImportJob.objects.get(via_command=True)
    assert not raw(job.file.name).startswith(b"PK")
    with job.file.open("rb") as original:
        assert original.read() == path.read_bytes()


class _no_exit:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        return kind is SystemExit and value.code in (0, None)


def test_purge_deletes_originals_after_retention(personas, as_user, sunshine, settings):
    settings.IMPORT_ORIGINAL_RETENTION_DAYS = 30
    client = as_user(personas["county_x"])
    upload(client, csv_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))]))
    upload(client, csv_bytes(STAFF_HEADERS, [staff_row("李四", id_number(2))]))
    old, recent = ImportJob.objects.order_by("pk")
    uploaded = timezone.now()
    ImportJob.objects.filter(pk=recent.pk).update(created_at=uploaded + datetime.timedelta(days=10))
    old_name = old.file.name

    purge_day = uploaded + datetime.timedelta(days=31)
    with time_machine.travel(purge_day, tick=False):
        call_command("purge_import_originals", "--dry-run")
        assert private_storage().exists(old_name)  # a dry run deletes nothing
        call_command("purge_import_originals")

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not private_storage().exists(old_name) and old.file.name == ""
    assert old.original_deleted_at is not None
    # It was pending: it cannot be confirmed without its file, so it is cancelled.
    assert old.status == ImportStatus.CANCELLED
    assert recent.file and private_storage().exists(recent.file.name) and recent.status == ImportStatus.PENDING

    page = client.get(reverse("imports:detail", args=[old.pk])).content.decode()
    assert f"原始文件已于 {timezone.localtime(purge_day):%Y-%m-%d} 按保留期限（30 天）删除" in page
    assert reverse("imports:original", args=[old.pk]) not in page
    assert client.get(reverse("imports:original", args=[old.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[old.pk])).status_code == 302
    assert not Person.objects.filter(name="张三").exists()


def test_rotation_reencrypts_files_and_numbers_under_the_new_key(personas, as_user, sunshine, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PII_ENCRYPTION_KEYS = [old_key]
    client = as_user(personas["county_x"])
    data = csv_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))])
    upload(client, data)
    job = ImportJob.objects.get()
    client.post(reverse("imports:confirm", args=[job.pk]))

    settings.PII_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_pii_keys")
    settings.PII_ENCRYPTION_KEYS = [new_key]  # the old key is gone: everything still reads
    job.refresh_from_db()
    with job.file.open("rb") as original:
        assert original.read() == data
    assert Person.objects.get().id_number == id_number(1)


def test_migration_encrypts_clear_originals(sunshine):
    data = csv_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))])
    name = private_storage().save("imports/2025/01/legacy.csv", ContentFile(data))
    job = ImportJob.objects.create(kind="staff", original_name="旧花名册.csv", file=name, size=len(data))
    migration = importlib.import_module("imports.migrations.0004_encrypt_originals")
    migration.encrypt_originals(apps, None)
    job.refresh_from_db()
    assert ID_RE.search(raw(job.file.name)) is None
    assert not private_storage().exists(name) or name == job.file.name
    with job.file.open("rb") as original:
        assert original.read() == data
