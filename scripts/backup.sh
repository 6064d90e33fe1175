#!/usr/bin/env bash
# Back up the platform: the PostgreSQL database (pg_dump, custom format) and the media
# (public media and the private certificate scans/PDFs), with checksums.
#
#   DATABASE_URL=postgres://qjty@127.0.0.1:5432/qjty scripts/backup.sh [BACKUP_DIR]
#
# Environment (the same as the app's, e.g. `set -a; . /etc/qjty/env; set +a`):
#   DATABASE_URL        postgres://user[:password]@host:port/name   (required)
#   MEDIA_ROOT          public media folder          (skipped when unset or missing)
#   PRIVATE_MEDIA_ROOT  private media folder         (skipped when unset or missing)
#   BACKUP_DIR          where backups go (default /var/backups/qjty; or the first argument)
#   BACKUP_KEEP_DAYS    delete backups older than this (default 14; 0 keeps all)
# With media on object storage (AWS_STORAGE_BUCKET_NAME), the bucket is not copied here:
# enable versioning on it and mirror it (docs/deployment.md, "Backups").
#
# Prints the path of the new backup on the last line. Exit status non-zero on any failure;
# a failed backup leaves no half-written folder behind.
set -euo pipefail
# The dump and the tarballs hold personal data (names, phone numbers, certificate scans):
# readable by the backup's owner only.
umask 077

: "${DATABASE_URL:?DATABASE_URL must be set to the postgres:// URL of the database}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: only PostgreSQL is supported (DATABASE_URL=$DATABASE_URL)" >&2; exit 2 ;;
esac
BACKUP_DIR="${1:-${BACKUP_DIR:-/var/backups/qjty}}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
# libpq understands postgres:// but not Django's postgresql:// alias variations; normalise.
PGURL="${DATABASE_URL/#postgresql:\/\//postgres://}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$BACKUP_DIR/qjty-$stamp"
work="$BACKUP_DIR/.qjty-$stamp.partial"
mkdir -p "$BACKUP_DIR"
trap 'rm -rf "$work"' EXIT
mkdir "$work"

# One consistent snapshot of the whole database (pg_dump runs in a single transaction).
pg_dump --format=custom --compress=6 --no-owner --no-acl --file="$work/db.dump" "$PGURL"

for pair in "media:${MEDIA_ROOT:-}" "private_media:${PRIVATE_MEDIA_ROOT:-}"; do
  name="${pair%%:*}"; dir="${pair#*:}"
  if [ -n "$dir" ] && [ -d "$dir" ]; then
    tar -czf "$work/$name.tar.gz" -C "$dir" .
  fi
done

{
  echo "created_utc=$stamp"
  echo "database=$(printf '%s' "$PGURL" | sed -E 's#//([^:@/]+):[^@]*@#//\1:***@#')"
  echo "pg_dump=$(pg_dump --version)"
} > "$work/MANIFEST"
(cd "$work" && sha256sum db.dump ./*.tar.gz 2>/dev/null > SHA256SUMS || sha256sum db.dump > SHA256SUMS)

mv "$work" "$target"
trap - EXIT

if [ "$KEEP_DAYS" -gt 0 ]; then
  find "$BACKUP_DIR" -maxdepth 1 -type d -name 'qjty-*' -mtime +"$KEEP_DAYS" -exec rm -rf {} +
fi
echo "$target"
