"""/healthz: 200 with JSON when the database answers, 503 (never a 500 page) when it does not."""

import json

import pytest
from django.urls import path

from core.health import healthz

# Until config/urls.py mounts it, the tests serve the view from this module's URLconf.
urlpatterns = [path("healthz", healthz)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_healthz_reports_ok_with_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["databases"]["default"]["ok"] is True
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_is_503_when_database_fails(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise ConnectionError("database gone")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["databases"]["default"] == {"ok": False, "error": "ConnectionError"}


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
