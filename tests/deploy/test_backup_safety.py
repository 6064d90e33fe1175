"""What the deployment check found about scripts/backup.sh and scripts/restore.sh (PostgreSQL).

- A backup holds personal data (names, phone numbers, encrypted 身份证号, certificate scans): its
  folder and files are readable by their owner only, whatever the umask of the caller.
- A restore whose media folder cannot be written stops before touching the database, so that
  the (still empty) target can be used again once the folder is fixed; before, the database was
  restored, the media failed, and every retry was refused as "not an empty database".
"""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _url(name):
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def postgres():
    """Backup and restore are PostgreSQL procedures (the module is marked `postgres`)."""
    assert connection.vendor == "postgresql"


@pytest.fixture
def empty_db(postgres):
    name = connection.settings_dict["NAME"] + "_safety"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(name):
    out = subprocess.run(["psql", _url(name), "-Atc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def _backup(tmp_path):
    media, private = tmp_path / "media", tmp_path / "private_media"
    (private / "certificates" / "scans").mkdir(parents=True)
    (private / "certificates" / "scans" / "BYS00000001.png").write_bytes(b"\x89PNG scan")
    media.mkdir()
    (media / "cover.jpg").write_bytes(b"\xff\xd8 cover")
    env = {**os.environ, "DATABASE_URL": _url(connection.settings_dict["NAME"]),
           "MEDIA_ROOT": str(media), "PRIVATE_MEDIA_ROOT": str(private)}
    # A permissive caller: the script must not depend on the umask it is started with.
    done = subprocess.run(["bash", "-c", 'umask 022; exec bash "$0" "$1"', str(REPO / "scripts/backup.sh"),
                           str(tmp_path / "backups")], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


def test_backup_is_readable_by_its_owner_only(tmp_path, postgres):
    backup = _backup(tmp_path)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    names = {p.name for p in backup.iterdir()}
    assert names == {"db.dump", "media.tar.gz", "private_media.tar.gz", "MANIFEST", "SHA256SUMS"}
    for p in backup.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name


def test_restore_with_an_unwritable_media_folder_leaves_the_database_empty(tmp_path, empty_db):
    backup = _backup(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should go")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"DATABASE_URL": _url(empty_db), "MEDIA_ROOT": str(tmp_path / "restored_media"),
                "PRIVATE_MEDIA_ROOT": str(blocker / "private_media")})
    failed = subprocess.run(["bash", str(REPO / "scripts/restore.sh"), str(backup)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 5
    assert "private_media" in failed.stderr
    assert _tables(empty_db) == 0  # untouched: the same target can be used again

    env["PRIVATE_MEDIA_ROOT"] = str(tmp_path / "restored_private")
    done = subprocess.run(["bash", str(REPO / "scripts/restore.sh"), str(backup)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _tables(empty_db) > 0
    assert (tmp_path / "restored_private" / "certificates" / "scans" / "BYS00000001.png").read_bytes() == b"\x89PNG scan"
    assert (tmp_path / "restored_media" / "cover.jpg").read_bytes() == b"\xff\xd8 cover"
