#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database, and its media.
#
#   DATABASE_URL=postgres://qjty@127.0.0.1:5432/qjty_restored scripts/restore.sh /var/backups/qjty/qjty-20260101T010000Z
#
# Environment:
#   DATABASE_URL        the target database; it must exist and be empty (createdb it first)
#   MEDIA_ROOT          where to unpack the public media (skipped when unset)
#   PRIVATE_MEDIA_ROOT  where to unpack the private media (skipped when unset)
# Refuses to restore into a database that already has tables, so that a wrong URL cannot
# overwrite the live database. Checks the checksums before touching anything. Afterwards run
# `manage.py migrate` (a no-op for a backup of the same release) and compare
# `manage.py progress_report --json` with the figures of the day of the backup.
set -euo pipefail

src="${1:?usage: restore.sh BACKUP_FOLDER}"
: "${DATABASE_URL:?DATABASE_URL must be set to the postgres:// URL of the (empty) target database}"
PGURL="${DATABASE_URL/#postgresql:\/\//postgres://}"
[ -f "$src/db.dump" ] || { echo "restore.sh: $src/db.dump not found" >&2; exit 2; }

(cd "$src" && sha256sum --check --quiet SHA256SUMS) || { echo "restore.sh: checksum mismatch in $src" >&2; exit 3; }

tables="$(psql "$PGURL" -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != "0" ]; then
  echo "restore.sh: the target database has $tables tables; restore only into an empty database" >&2
  exit 4
fi

# The media folders must be writable before the database is touched: a restore that stops
# half-way (database restored, media not) would leave the target non-empty, and refused next time.
for pair in "media:${MEDIA_ROOT:-}" "private_media:${PRIVATE_MEDIA_ROOT:-}"; do
  name="${pair%%:*}"; dir="${pair#*:}"
  if [ -n "$dir" ] && [ -f "$src/$name.tar.gz" ]; then
    mkdir -p "$dir" && [ -w "$dir" ] || { echo "restore.sh: cannot write to $dir ($name)" >&2; exit 5; }
  fi
done

pg_restore --no-owner --no-acl --exit-on-error --single-transaction --dbname="$PGURL" "$src/db.dump"

for pair in "media:${MEDIA_ROOT:-}" "private_media:${PRIVATE_MEDIA_ROOT:-}"; do
  name="${pair%%:*}"; dir="${pair#*:}"
  if [ -n "$dir" ] && [ -f "$src/$name.tar.gz" ]; then
    tar -xzf "$src/$name.tar.gz" -C "$dir"
  fi
done
echo "restored $src into the database and media folders"
