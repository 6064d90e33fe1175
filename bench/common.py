"""Where the bench's data lives and the environment every bench process runs with.

The bench never touches the project's own database: it works on BENCH_DATABASE_URL, by
default a separate SQLite file under bench/.data/ (git-ignored), or a PostgreSQL database,
e.g. BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/qjty_bench (created if missing).
"""

import os
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", BENCH_DIR / ".data"))
DEFAULT_DB_URL = f"sqlite:///{DATA_DIR / 'bench.sqlite3'}"


def database_url():
    return os.environ.get("BENCH_DATABASE_URL", "") or DEFAULT_DB_URL


def server_env():
    """The environment of the generator, the in-process measurements and the gunicorn server.

    DEBUG off (as in production) but without the production-only HTTPS redirect and key
    checks; the PII keys are the development ones derived from the public development
    SECRET_KEY, identical in every bench process, so the generated 身份证号 decrypt.
    """
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url(),
            "DJANGO_ENV": "development",
            "DEBUG": "false",
            "MEDIA_ROOT": str(DATA_DIR / "media"),
            "PRIVATE_MEDIA_ROOT": str(DATA_DIR / "private_media"),
            # Every simulated visitor comes from 127.0.0.1: the per-IP verification budget
            # would turn the measurement into a measurement of 429 answers.
            "CERT_VERIFY_RATE_LIMIT": "1000000000",
            "MFA_REQUIRED_FOR_STAFF": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO),
        }
    )
    for name in ("SECRET_KEY", "PII_ENCRYPTION_KEY", "PII_ENCRYPTION_KEYS", "PII_HASH_KEY", "CACHE_URL",
                 "DATABASE_REPLICA_URL", "AWS_STORAGE_BUCKET_NAME", "TASKS_BACKEND"):
        env.pop(name, None)
    return env


def ensure_database(url):
    """Create the PostgreSQL database named in `url` if it does not exist yet."""
    if not url.startswith(("postgres://", "postgresql://")):
        (DATA_DIR).mkdir(parents=True, exist_ok=True)
        return
    import psycopg
    from urllib.parse import urlparse

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    """Configure this process for the bench database and start Django."""
    os.environ.update(server_env())
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    ensure_database(database_url())
    import django

    django.setup()
