"""A user may have IMPORT_MAX_CONCURRENT_PER_USER files being read at once; one more is 429."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob
from imports.services import import_slot

from tests import factories as f
from tests.factories_imports import STAFF_HEADERS, csv_bytes, id_number, media_root, staff_row, uscc  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def post(client):
    data = csv_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))])
    return client.post(reverse("imports:upload"), {"kind": "staff", "file": SimpleUploadedFile("a.csv", data)})


def test_third_concurrent_import_of_a_user_is_refused_with_429(personas, as_user, settings):
    settings.IMPORT_MAX_CONCURRENT_PER_USER = 2
    f.InstitutionFactory(name="阳光托育园", county=f.county("麒麟区"), uscc=uscc(1))
    user, other = personas["county_x"], personas["county_y"]
    client = as_user(user)
    # Two of the user's uploads are being read (held in other requests).
    with import_slot(user), import_slot(user):
        refused = post(client)
        assert refused.status_code == 429
        assert "您已有 2 个导入正在处理，请等它们完成后再试。" in refused.content.decode()
        assert not ImportJob.objects.exists()
        # Another user is not held up by them.
        assert post(as_user(other)).status_code == 302
    # Once they are done, the slot is free again.
    assert post(client).status_code == 302
    assert ImportJob.objects.filter(user=user).count() == 1
