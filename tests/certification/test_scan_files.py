"""Scans of certificates from elsewhere often show the full 身份证号: encrypted at rest,
decrypted by the scoped download, clear scans from before encryption encrypted by the migration."""

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile

from core.storage import private_storage

from tests import factories as f
from tests.factories_certification import ExternalCertificateFactory
from tests.factories_certification import private_storage as private_folder  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_folder")]

# A scan as a phone photo of a certificate would be: the number readable in the file.
SCAN = b"%PDF-1.4\n(\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81\xe5\x8f\xb7 530302199001010010)\n%%EOF\n"


def raw(name):
    with private_storage().open(name, "rb") as stored:
        return stored.read()


def test_scan_encrypted_at_rest_and_decrypted_for_the_holder_only(personas, as_user):
    holder = f.PersonFactory(name="李小红", user=personas["trainee_a"])
    cert = ExternalCertificateFactory(person=holder)
    cert.scan.save("s.pdf", ContentFile(SCAN))
    stored = raw(cert.scan.name)
    assert b"530302199001010010" not in stored and not stored.startswith(b"%PDF")
    response = as_user(personas["trainee_a"]).get(f"/certificates/{cert.pk}/scan/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == SCAN
    assert as_user(personas["trainee_b"]).get(f"/certificates/{cert.pk}/scan/").status_code == 404


def test_migration_encrypts_clear_scans(personas):
    cert = ExternalCertificateFactory(person=f.PersonFactory(user=personas["trainee_a"]))
    name = private_storage().save("certificates/scans/2024/old.pdf", ContentFile(SCAN))
    type(cert).objects.filter(pk=cert.pk).update(scan=name)
    importlib.import_module("certification.migrations.0008_encrypt_scans").encrypt_scans(apps, None)
    cert.refresh_from_db()
    assert b"530302199001010010" not in raw(cert.scan.name)
    with cert.scan.open("rb") as scan:
        assert scan.read() == SCAN
