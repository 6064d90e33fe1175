"""Media and certificate files on S3-compatible object storage, against a local S3 (moto's server).

The storages are the ones config/settings.py builds from the AWS_* variables of a production
environment (its `# --- deploy ---` block, evaluated here with those variables set), pointed at
moto's S3 server on 127.0.0.1 - real HTTP, boto3 and django-storages, no network beyond the
loopback. The bucket gets the policy docs/deployment.md prescribes (anonymous read of media/*
only). Checked: a certificate PDF rendered by a download and a trainee's uploaded scan land in
the bucket under private/ and read back byte for byte through the permission-checking views;
private objects have no public URL (only a signed one, 5 minutes) and an unsigned request for
one is refused; Wagtail images (public media) land under media/ with plain URLs that anyone can
read, renditions included.
"""

import io
import json
import runpy
import urllib.error
import urllib.parse
import urllib.request
from core import pii
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.moto_server import threaded_moto_server as moto_server

from accounts.models import Role
from certification.models import Certificate

from tests import factories as f
from tests.factories_certification import PNG_BYTES, CertificateFactory, ctype


REPO = Path(__file__).resolve().parents[2]
BUCKET = "qjty-media"
PUBLIC_MEDIA_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "PublicMediaOnly", "Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/media/*",
    }],
}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch, settings):
    """The production S3 configuration of config/settings.py, against the local S3 server."""
    aws = {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        # MinIO's default region. (moto puts cn-* regions in the aws-cn partition: other ARNs.)
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "qjty-test-key",
        "AWS_SECRET_ACCESS_KEY": "qjty-test-secret",
    }
    for key, value in aws.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    configured = runpy.run_path(str(REPO / "config" / "settings.py"), run_name="qjty_settings_with_s3")["STORAGES"]
    assert configured["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": configured["default"], "private": configured["private"]}

    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name=aws["AWS_S3_REGION_NAME"],
        aws_access_key_id=aws["AWS_ACCESS_KEY_ID"], aws_secret_access_key=aws["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    # The bucket policy of docs/deployment.md: anyone may read media/ (public URLs), nothing else.
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_MEDIA_POLICY))
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _object(client, key):
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def _public_grants(client, key):
    acl = client.get_object_acl(Bucket=BUCKET, Key=key)
    return [g for g in acl["Grants"] if g["Grantee"].get("URI", "").endswith(("/AllUsers", "/AuthenticatedUsers"))]


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback S3 only
        return response.read()


def _anonymous_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10):  # noqa: S310 - loopback S3 only
            return 200
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.django_db
def test_certificate_pdf_is_rendered_into_the_bucket_and_read_back(s3, as_user):
    user = f.UserFactory(role=Role.TRAINEE)
    cert = CertificateFactory(person=f.PersonFactory(user=user))
    client = as_user(user)

    response = client.get(f"/certificates/{cert.pk}/pdf/")
    assert response.status_code == 200  # streamed by the app, not a redirect to the bucket
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")

    cert.refresh_from_db()
    key = f"private/{cert.pdf.name}"
    assert cert.pdf.name.startswith("certificates/pdf/")
    assert _object(s3, key) == body
    assert _public_grants(s3, key) == []

    # The second download reads the stored object back: same bytes, no second object.
    again = client.get(f"/certificates/{cert.pk}/pdf/")
    assert b"".join(again.streaming_content) == body
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="private/certificates/pdf/")["Contents"]]
    assert keys == [key]
    # Nobody else gets it.
    other = as_user(f.UserFactory(role=Role.TRAINEE))
    assert other.get(f"/certificates/{cert.pk}/pdf/").status_code in (403, 404)


@pytest.mark.django_db
def test_uploaded_scan_is_stored_privately_and_served_only_through_the_view(s3, as_user):
    user = f.UserFactory(role=Role.TRAINEE)
    f.PersonFactory(user=user)
    client = as_user(user)
    scan = PNG_BYTES + b"qjty-scan-" + bytes(range(256))
    response = client.post("/certificates/submit/", {
        "type": ctype("保育师").pk, "level": "四级", "number": "BYS-S3-0001", "issuer": "云南省人力资源和社会保障厅",
        "issue_date": "2025-01-10", "expiry_date": "", "scan": SimpleUploadedFile("扫描件.png", scan, "image/png"),
    })
    assert response.status_code == 302, response.content.decode()[:500]

    cert = Certificate.objects.get(number="BYS-S3-0001")
    key = f"private/{cert.scan.name}"
    assert cert.scan.name.startswith("certificates/scans/")
    # The bucket holds the scan encrypted with the PII key (it may show a full 身份证号).
    stored = _object(s3, key)
    assert pii.is_encrypted_file(stored) and PNG_BYTES not in stored
    assert pii.decrypt_file(stored) == scan
    assert _public_grants(s3, key) == []

    download = client.get(f"/certificates/{cert.pk}/scan/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == scan
    assert as_user(None).get(f"/certificates/{cert.pk}/scan/").status_code in (302, 403, 404)


@pytest.mark.django_db
def test_private_objects_get_signed_urls_only_and_public_media_plain_urls(s3, s3_endpoint):
    private = storages["private"]
    name = private.save("certificates/pdf/2026/QJTY-2026-000001.pdf", ContentFile(b"%PDF-1.4 private"))
    url = private.url(name)
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    assert parts.path == f"/{BUCKET}/private/{name}"
    assert query["X-Amz-Expires"] == ["300"] and "X-Amz-Signature" in query
    assert _get(url) == b"%PDF-1.4 private"  # the signed link works (until it expires)
    # Without the signature the same object is refused: personal data is never public.
    assert _anonymous_status(f"{s3_endpoint}{parts.path}") == 403

    public = default_storage
    media_name = public.save("documents/notice.txt", ContentFile("家长课堂通知".encode()))
    media_url = public.url(media_name)
    assert "?" not in media_url and "X-Amz" not in media_url
    assert media_url == f"{s3_endpoint}/{BUCKET}/media/{media_name}"
    assert _get(media_url) == "家长课堂通知".encode()  # anyone can read media/ (the bucket policy)
    # Chinese file names (Wagtail documents) round-trip through the storage API. (moto matches
    # bucket policies against the encoded key, so their anonymous read is not checked here.)
    chinese = public.save("documents/家长课堂通知.txt", ContentFile(b"2026"))
    assert public.open(chinese).read() == b"2026" and "?" not in public.url(chinese)


@pytest.mark.django_db
def test_wagtail_images_and_renditions_live_in_the_bucket(s3, s3_endpoint):
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    buf = io.BytesIO()
    PILImage.new("RGB", (120, 80), (200, 60, 40)).save(buf, "PNG")
    image = Image.objects.create(title="封面", file=ContentFile(buf.getvalue(), name="cover.png"))
    assert image.width == 120 and image.height == 80  # read back from the bucket
    assert _object(s3, f"media/{image.file.name}") == buf.getvalue()

    rendition = image.get_rendition("fill-60x40")
    assert (rendition.width, rendition.height) == (60, 40)
    assert rendition.url.startswith(f"{s3_endpoint}/{BUCKET}/media/images/") and "?" not in rendition.url
    assert PILImage.open(io.BytesIO(_get(rendition.url))).size == (60, 40)
