"""Wagtail's built-in reports and listings filter by model permission only: county and provider
staff get 403, the commission sees them."""

import pytest

from tests import factories as f

URLS = [
    "/admin/reports/site-history/", "/admin/reports/site-history/?export=csv", "/admin/reports/site-history/?export=xlsx",
    "/admin/reports/locked/", "/admin/reports/aging-pages/", "/admin/reports/workflow/", "/admin/pages/search/",
    "/admin/users/", "/admin/groups/", "/admin/sites/", "/admin/redirects/", "/admin/workflows/list/",
    "/admin/documents/", "/admin/images/", "/admin/choose-page/",
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("persona", ["county_x", "county_y", "provider_a", "provider_b"])
def test_scoped_staff_refused(client, personas, persona, url):
    f.log_in(client, personas[persona])
    assert client.get(url).status_code == 403


def test_commission_sees_site_history(client, personas):
    f.log_in(client, personas["commission"])
    assert client.get("/admin/reports/site-history/").status_code == 200
    assert client.get("/admin/reports/site-history/?export=csv").status_code == 200
