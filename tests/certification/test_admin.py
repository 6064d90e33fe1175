"""Certificate types in the Wagtail admin: the commission edits them, others cannot."""

import pytest

from certification.models import CertificateType

pytestmark = pytest.mark.django_db


def test_initial_types_all_count():
    names = set(CertificateType.objects.values_list("name", flat=True))
    assert {"托育从业人员培训合格证书", "保育师", "育婴员", "婴幼儿发展引导员", "幼儿园教师资格证",
            "护士执业证书", "医师执业证书"} <= names
    assert not CertificateType.objects.filter(counts_toward_rate=False).exists()
    assert CertificateType.objects.get(name="保育师").level_list == ["五级", "四级", "三级", "二级", "一级"]


def test_commission_edits_counts_toward_rate(personas, as_user):
    nurse = CertificateType.objects.get(name="护士执业证书")
    url = f"/admin/certification_type/edit/{nurse.pk}/"
    client = as_user(personas["commission"])
    assert client.get("/admin/certification_type/").status_code == 200
    assert "/certificates/manage/" in client.get("/admin/").content.decode()  # the 证书 menu
    response = client.post(url, {"name": nurse.name, "issuer_kind": "external", "levels": "", "validity_years": "",
                                 "pdf_template": "", "sort_order": 6})
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert nurse.counts_toward_rate is False
    for who in ("county_x", "provider_a"):
        assert as_user(personas[who]).get(url).status_code in (302, 403)
        assert as_user(personas[who]).post(url, {"name": "x"}).status_code in (302, 403)
    nurse.refresh_from_db()
    assert nurse.name == "护士执业证书"


def test_verification_log_read_only_for_commission(personas, as_user, client):
    client.get("/certificates/verify/api/", {"n": "QJTY-2025-000001"})
    body = as_user(personas["commission"]).get("/admin/certification_verificationlog/").content.decode()
    assert "QJTY-2025-000001" in body
    assert as_user(personas["commission"]).get("/admin/certification_verificationlog/new/").status_code in (302, 403)
    assert as_user(personas["county_x"]).get("/admin/certification_verificationlog/").status_code in (302, 403)
