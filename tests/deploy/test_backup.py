"""Backup and restore (scripts/backup.sh, scripts/restore.sh) on PostgreSQL.

A database with training records, staff and certificates is backed up with pg_dump together
with its media, restored into a new empty database, and the restored copy gives the same
`progress_report --json` as the original. Restoring over a database that has tables is
refused. Skipped on SQLite, and while the monitoring app's command does not exist.
"""

import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from registry.models import StaffRole

from tests import factories as f
from tests.factories_certification import CertificateFactory
from tests.factories_training import TrainingRecordFactory

REPO = Path(__file__).resolve().parents[2]
AS_OF = "2025-12-31"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def postgres_only():
    """Backup and restore are PostgreSQL procedures (the module is marked `postgres`)."""
    assert connection.vendor == "postgresql"


def _url(name):
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def restore_db(postgres_only):
    name = connection.settings_dict["NAME"] + "_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _data():
    county = f.county("麒麟区")
    for i in range(6):
        person = f.PersonFactory()
        f.EmploymentFactory(person=person, role=StaffRole.CAREGIVER if i % 3 else StaffRole.DIRECTOR,
                            institution=f.InstitutionFactory(county=county))
        TrainingRecordFactory(person=person, county=county, role=StaffRole.DIRECTOR if i % 3 == 0 else StaffRole.CAREGIVER,
                              completion_date=datetime.date(2025, 3, 1 + i))
        if i % 2:
            CertificateFactory(person=person, issue_date=datetime.date(2025, 1, 1))


def _report_here():
    out = io.StringIO()
    call_command("progress_report", "--json", "--as-of", AS_OF, stdout=out)
    return json.loads(out.getvalue())


def _env(tmp_path, database_name):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({
        "DATABASE_URL": _url(database_name), "DJANGO_ENV": "test", "DJANGO_SETTINGS_MODULE": "config.settings",
        "MEDIA_ROOT": str(tmp_path / "restored_media"), "PRIVATE_MEDIA_ROOT": str(tmp_path / "restored_private"),
    })
    env.pop("TEST_DATABASE_NAME", None)
    return env


def test_backup_then_restore_into_empty_database_gives_the_same_report(tmp_path, restore_db):
    _data()
    before = _report_here()
    assert any(m["actual"] for m in before["metrics"]), "the test data must show in the report"

    media, private = tmp_path / "media", tmp_path / "private"
    (media / "images").mkdir(parents=True)
    (media / "images" / "cover.jpg").write_bytes(b"\xff\xd8\xffcover")
    (private / "certificates").mkdir(parents=True)
    (private / "certificates" / "QJTY-2025-000001.pdf").write_bytes(b"%PDF-1.4 certificate")
    backup_env = {**os.environ, "DATABASE_URL": _url(connection.settings_dict["NAME"]),
                  "MEDIA_ROOT": str(media), "PRIVATE_MEDIA_ROOT": str(private)}
    done = subprocess.run(["bash", str(REPO / "scripts/backup.sh"), str(tmp_path / "backups")],
                          env=backup_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    backup = Path(done.stdout.strip().splitlines()[-1])
    assert (backup / "db.dump").stat().st_size > 0
    assert {p.name for p in backup.iterdir()} >= {"db.dump", "media.tar.gz", "private_media.tar.gz", "SHA256SUMS"}

    env = _env(tmp_path, restore_db)
    restored = subprocess.run(["bash", str(REPO / "scripts/restore.sh"), str(backup)],
                              env=env, capture_output=True, text=True, timeout=120)
    assert restored.returncode == 0, restored.stderr
    assert (tmp_path / "restored_private" / "certificates" / "QJTY-2025-000001.pdf").read_bytes() == b"%PDF-1.4 certificate"
    assert (tmp_path / "restored_media" / "images" / "cover.jpg").exists()

    report = subprocess.run(
        [sys.executable, "manage.py", "progress_report", "--json", "--as-of", AS_OF],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout) == before

    # A second restore over the now non-empty database is refused and changes nothing.
    again = subprocess.run(["bash", str(REPO / "scripts/restore.sh"), str(backup)],
                           env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 4
    assert "empty database" in again.stderr


def test_restore_refuses_a_damaged_backup(tmp_path, restore_db):
    backup_env = {**os.environ, "DATABASE_URL": _url(connection.settings_dict["NAME"])}
    backup_env.pop("MEDIA_ROOT", None)
    backup_env.pop("PRIVATE_MEDIA_ROOT", None)
    done = subprocess.run(["bash", str(REPO / "scripts/backup.sh"), str(tmp_path / "backups")],
                          env=backup_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    backup = Path(done.stdout.strip().splitlines()[-1])
    with open(backup / "db.dump", "ab") as fh:
        fh.write(b"tampered")
    restored = subprocess.run(["bash", str(REPO / "scripts/restore.sh"), str(backup)],
                              env=_env(tmp_path, restore_db), capture_output=True, text=True, timeout=120)
    assert restored.returncode == 3
    assert "checksum" in restored.stderr
