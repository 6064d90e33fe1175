"""The read-replica router: only report reads go to the replica, and only when one is configured."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.models import User
from core import routers
from core.routers import ReadReplicaRouter, ReplicaForReportsMiddleware, use_replica
from registry.models import County
from training.models import TrainingRecord


@pytest.fixture
def with_replica(settings, monkeypatch):
    # As if DATABASE_REPLICA_URL were set (the alias itself is tested in a subprocess below).
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    # Outside a transaction, as in a real request under autocommit.
    monkeypatch.setattr(routers, "_in_primary_transaction", lambda: False)
    return settings


def test_without_replica_everything_stays_on_default():
    router = ReadReplicaRouter()
    with use_replica():
        assert router.db_for_read(TrainingRecord) is None
    assert router.db_for_write(TrainingRecord) == "default"


def test_reads_go_to_replica_only_inside_report_block(with_replica):
    router = ReadReplicaRouter()
    assert router.db_for_read(TrainingRecord) is None
    with use_replica():
        assert router.db_for_read(TrainingRecord) == "replica"
        assert router.db_for_read(County) == "replica"
        # Who the visitor is always comes from the primary (no logout by replica lag).
        assert router.db_for_read(User) == "default"
        # Writes never go to the read-only replica.
        assert router.db_for_write(TrainingRecord) == "default"
    assert router.db_for_read(TrainingRecord) is None


def test_reads_inside_a_transaction_stay_on_primary(with_replica, monkeypatch):
    monkeypatch.setattr(routers, "_in_primary_transaction", lambda: True)
    with use_replica():
        assert ReadReplicaRouter().db_for_read(TrainingRecord) == "default"


def test_migrations_never_run_on_replica():
    router = ReadReplicaRouter()
    assert router.allow_migrate("default", "training") is True
    assert router.allow_migrate("replica", "training") is False


def _seen_by_view(request):
    return HttpResponse(ReadReplicaRouter().db_for_read(TrainingRecord) or "default")


@pytest.mark.parametrize(
    "method,path,expected",
    [
        ("get", "/dashboard/", "replica"),
        ("get", "/dashboard/records/talents_trained/", "replica"),
        ("post", "/dashboard/snapshots/", "default"),  # a write-ish request: primary
        ("get", "/training/", "default"),  # not a report
    ],
)
def test_middleware_routes_report_requests(with_replica, method, path, expected):
    with_replica.DATABASE_REPLICA_PATHS = ["/dashboard/"]
    request = getattr(RequestFactory(), method)(path)
    response = ReplicaForReportsMiddleware(_seen_by_view)(request)
    assert response.content.decode() == expected
    # The switch does not leak into the next request on the same thread.
    assert ReadReplicaRouter().db_for_read(TrainingRecord) is None


def test_settings_install_router_only_with_replica_url(tmp_path):
    import subprocess
    import sys

    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, 'core.routers.ReplicaForReportsMiddleware' in s.MIDDLEWARE)"
    )
    base = {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": "test", "PATH": "/usr/bin:/bin"}
    plain = subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, check=True)
    assert plain.stdout.strip().splitlines()[-1] == "['default'] [] False"
    replica = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DATABASE_REPLICA_URL": f"sqlite:///{tmp_path}/replica.sqlite3"},
        capture_output=True, text=True, check=True,
    )
    assert replica.stdout.strip().splitlines()[-1] == "['default', 'replica'] ['core.routers.ReadReplicaRouter'] True"
