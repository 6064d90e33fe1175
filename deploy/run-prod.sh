#!/usr/bin/env bash
# Start the production setup on ONE machine with PostgreSQL (`make run-prod`):
# migrate, collectstatic, the background worker, gunicorn with production settings on
# 127.0.0.1:${PORT:-8000}. Ctrl-C stops both.
#
# Environment: read from $QJTY_ENV_FILE (default deploy/.env.prod). On the first run that file
# is created from deploy/env.example with fresh random keys, a local PostgreSQL database
# (postgres://root@127.0.0.1:5432/qjty) and local media folders under deploy/.var/. It is git-ignored:
# it holds the keys that encrypt 身份证号 - keep it.
# No TLS here: put nginx in front (deploy/nginx/qjty.conf) for anything beyond this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ENV_FILE="${QJTY_ENV_FILE:-deploy/.env.prod}"
PORT="${PORT:-8000}"

if [ ! -f "$ENV_FILE" ]; then
  echo "creating $ENV_FILE with new random keys"
  secret="$($PY -c 'import secrets;print(secrets.token_urlsafe(50))')"
  fernet="$($PY -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())')"
  hashkey="$($PY -c 'import secrets;print(secrets.token_hex(32))')"
  sed -e "s#^SECRET_KEY=.*#SECRET_KEY=$secret#" \
      -e "s#^PII_ENCRYPTION_KEY=.*#PII_ENCRYPTION_KEY=$fernet#" \
      -e "s#^PII_HASH_KEY=.*#PII_HASH_KEY=$hashkey#" \
      -e "s#^ALLOWED_HOSTS=.*#ALLOWED_HOSTS=127.0.0.1,localhost#" \
      -e "s#^CSRF_TRUSTED_ORIGINS=.*#CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$PORT,http://localhost:$PORT#" \
      -e "s#^WAGTAILADMIN_BASE_URL=.*#WAGTAILADMIN_BASE_URL=http://127.0.0.1:$PORT#" \
      -e "s#^CERT_PUBLIC_BASE_URL=.*#CERT_PUBLIC_BASE_URL=http://127.0.0.1:$PORT#" \
      -e "s#^CERT_CLIENT_IP_HEADER=.*#CERT_CLIENT_IP_HEADER=#" \
      -e "s#^DATABASE_URL=.*#DATABASE_URL=postgres://root@127.0.0.1:5432/qjty#" \
      -e "s#^CACHE_URL=.*#CACHE_URL=locmemcache://qjty#" \
      -e "s#^MEDIA_ROOT=.*#MEDIA_ROOT=$PWD/deploy/.var/media#" \
      -e "s#^PRIVATE_MEDIA_ROOT=.*#PRIVATE_MEDIA_ROOT=$PWD/deploy/.var/private_media#" \
      -e "s#^GUNICORN_BIND=.*#GUNICORN_BIND=127.0.0.1:$PORT#" \
      -e "s#^BACKUP_DIR=.*#BACKUP_DIR=$PWD/deploy/.var/backups#" \
      deploy/env.example > "$ENV_FILE"
  # Plain HTTP on loopback only: no HTTPS redirect, no HSTS (nginx adds TLS in a real setup).
  printf '%s\n' "SECURE_SSL_REDIRECT=false" "SECURE_HSTS_SECONDS=0" "SMS_LOG_SENDER_ALLOWED=true" >> "$ENV_FILE"
  chmod 600 "$ENV_FILE"
fi
set -a; . "$ENV_FILE"; set +a
export GUNICORN_BIND="127.0.0.1:$PORT"

# Create the database on first use (a local PostgreSQL with the connecting role allowed to).
$PY - <<'PY'
import os
from urllib.parse import urlparse
import psycopg
url = urlparse(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")
PY
mkdir -p "$MEDIA_ROOT" "$PRIVATE_MEDIA_ROOT"
$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput --verbosity 0
$PY manage.py check --deploy --fail-level ERROR

worker_pid=""
if [ "${TASKS_BACKEND:-}" = "database" ]; then
  $PY manage.py db_worker --interval 2 &
  worker_pid=$!
fi
trap '[ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null; exit 0' INT TERM EXIT
echo "production setup on http://127.0.0.1:$PORT/  (healthz: http://127.0.0.1:$PORT/healthz once mounted)"
.venv/bin/gunicorn -c deploy/gunicorn.conf.py config.wsgi:application
