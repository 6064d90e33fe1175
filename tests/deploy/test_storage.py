"""Certificate PDFs and media work on any Django storage: the object store in production.

The certification code only talks to the storage API (save/open/exists/delete), so here the
private storage is swapped for Django's in-memory storage - no file system at all - and a
trainee still gets their PDF, rendered once and reused. The S3 settings are checked in a
subprocess with the environment production would set: no network is needed to build the
storage or to sign a private download URL.
"""

import json
import subprocess
import sys

import pytest
from django.core.files.storage import storages

from accounts.models import Role
from certification.models import Certificate

from tests import factories as f
from tests.factories_certification import CertificateFactory


@pytest.fixture
def memory_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return storages["private"]


@pytest.mark.django_db
def test_certificate_pdf_lives_in_whatever_storage_is_configured(memory_storage, as_user):
    user = f.UserFactory(role=Role.TRAINEE)
    person = f.PersonFactory(user=user)
    cert = CertificateFactory(person=person)
    client = as_user(user)

    first = client.get(f"/certificates/{cert.pk}/pdf/")
    assert first.status_code == 200
    body = b"".join(first.streaming_content)
    assert body.startswith(b"%PDF-")
    cert.refresh_from_db()
    stored = storages["private"]
    assert stored.exists(cert.pdf.name)
    assert stored.open(cert.pdf.name).read() == body

    # The second download reuses the stored file (no re-render, same object name).
    name = cert.pdf.name
    second = client.get(f"/certificates/{cert.pk}/pdf/")
    assert b"".join(second.streaming_content) == body
    assert Certificate.objects.get(pk=cert.pk).pdf.name == name


S3_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_ENV": "test",
    "PATH": "/usr/bin:/bin",
    "AWS_STORAGE_BUCKET_NAME": "qjty-media",
    "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    "AWS_S3_REGION_NAME": "cn-southwest-1",
    "AWS_ACCESS_KEY_ID": "test-access-key",
    "AWS_SECRET_ACCESS_KEY": "test-secret-key",
}


def test_s3_settings_give_public_media_and_signed_private_urls():
    code = (
        "import django,json;django.setup();from django.core.files.storage import storages as s;"
        "d,p=s['default'],s['private'];"
        "print(json.dumps([type(d).__module__+'.'+type(d).__name__, d.location, d.url('images/a.jpg'),"
        " type(p).__name__, p.location, p.url('certificates/pdf/2025/QJTY-2025-000001.pdf')]))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=S3_ENV, capture_output=True, text=True, check=True)
    backend, media_location, media_url, private_backend, private_location, private_url = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert backend == "storages.backends.s3.S3Storage"
    assert media_location == "media"
    assert media_url == "http://127.0.0.1:9000/qjty-media/media/images/a.jpg"  # public, unsigned
    assert private_backend == "S3Storage" and private_location == "private"
    # Personal data: only a short-lived signed link, never a public one.
    assert private_url.startswith("http://127.0.0.1:9000/qjty-media/private/certificates/pdf/2025/")
    assert "X-Amz-Signature=" in private_url and "X-Amz-Expires=300" in private_url


def test_without_bucket_storage_stays_on_local_files():
    code = (
        "import django;django.setup();from django.core.files.storage import storages as s;"
        "print(type(s['default']).__name__, type(s['private']).__name__)"
    )
    env = {k: v for k, v in S3_ENV.items() if not k.startswith("AWS_")}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "FileSystemStorage FileSystemStorage"
