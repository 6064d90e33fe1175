"""The site's icon: named by every page and served by the site itself (no 404 for /favicon.ico)."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_sites_own_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    location = response["Location"]
    assert location.startswith("/static/") and location.endswith(".ico")
    path = finders.find(location.removeprefix("/static/"))
    assert path, location
    with open(path, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_name_their_icons(client):
    html = client.get("/verify/").content.decode()
    assert 'rel="icon"' in html and "/static/img/favicon" in html
    assert 'rel="apple-touch-icon"' in html
