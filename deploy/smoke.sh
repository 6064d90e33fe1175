#!/usr/bin/env bash
# deploy/smoke.sh (`make deploy-check`): the production setup of docs/deployment.md, started and
# checked on THIS machine, then stopped. Exit status 0 when every check passes, 1 otherwise.
#
# What it starts, all on loopback and high ports, from this checkout's own files:
#   - nginx with deploy/nginx/qjty.conf + qjty-proxy.conf (installed with apt-get when missing),
#     a throw-away self-signed certificate, server_name qjty.smoke.test;
#   - gunicorn and the task worker with the ExecStart= lines of deploy/systemd/qjty-web.service
#     and qjty-worker.service, the way systemd runs them: a clean environment from the env file
#     (made from deploy/env.example with fresh keys), Environment=, RuntimeDirectory=, and the
#     unit's sandbox rebuilt in a private mount namespace (ProtectSystem=strict: everything
#     read-only except ReadWritePaths=; PrivateTmp=; NoNewPrivileges=), plus a NOTIFY_SOCKET to
#     check Type=notify. It runs as the calling user (root), not as the units' User=qjty;
#   - its own redis-server (CACHE_URL) and its own PostgreSQL database (dropped at the end);
#   - the ExecStart= of qjty-reminders.service and qjty-backup.service, and scripts/restore.sh.
# Paths of the units are mapped: /srv/qjty/app -> this checkout, /srv/qjty/{media,private_media},
# /etc/qjty/env, /run/qjty -> a folder under deploy/.smoke/ (removed at the end; SMOKE_KEEP=1
# keeps it, with every log).
#
# Needs: root (nginx, mount namespaces), Debian's nginx/redis-server/openssl/curl/postgresql-
# client, PostgreSQL reachable as SMOKE_PG_URL (default postgres://root@127.0.0.1:5432), .venv.
# Settings: SMOKE_APP_PORT (18001), SMOKE_HTTP_PORT (18080), SMOKE_HTTPS_PORT (18443),
# SMOKE_REDIS_PORT (16379), SMOKE_DB (qjty_smoke), SMOKE_SEED=0 to skip the demo data (and the
# checks that need it: login, certificate PDF, reminders), SMOKE_KEEP=1.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
PY="$REPO/.venv/bin/python"
APP_PORT="${SMOKE_APP_PORT:-18001}"
HTTP_PORT="${SMOKE_HTTP_PORT:-18080}"
HTTPS_PORT="${SMOKE_HTTPS_PORT:-18443}"
REDIS_PORT="${SMOKE_REDIS_PORT:-16379}"
PG_URL="${SMOKE_PG_URL:-postgres://root@127.0.0.1:5432}"
DB="${SMOKE_DB:-qjty_smoke}"
SEED="${SMOKE_SEED:-1}"
HOST=qjty.smoke.test
W="$REPO/deploy/.smoke"
START=$(date +%s)

passed=0; failed=0; failures=()
ok()   { passed=$((passed + 1)); printf '  ok    %s\n' "$1"; }
bad()  { failed=$((failed + 1)); failures+=("$1"); printf '  FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '        %s\n' "$2"; return 0; }
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - START ))"; }
die()  { echo "deploy/smoke.sh: $*" >&2; exit 2; }

# --- preflight ----------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "run as root (nginx, mount namespaces)"
[ -x "$PY" ] || die "no .venv: run make venv first"
need_apt=()
command -v nginx >/dev/null || need_apt+=(nginx)
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v curl >/dev/null || need_apt+=(curl)
command -v pg_dump >/dev/null || need_apt+=(postgresql-client)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} (apt-get)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null \
    || die "apt-get install ${need_apt[*]} failed"
fi
for port in "$APP_PORT" "$HTTP_PORT" "$HTTPS_PORT" "$REDIS_PORT"; do
  ss -ltn "sport = :$port" | grep -q LISTEN && die "port $port is in use (SMOKE_*_PORT)"
done
psql "$PG_URL/postgres" -Atqc 'SELECT 1' >/dev/null 2>&1 || die "PostgreSQL not reachable at $PG_URL"
SANDBOX=1
unshare -m --propagation private true 2>/dev/null || { SANDBOX=0; echo "note: no mount namespaces here: the units' sandbox is not rebuilt"; }
# PrivateTmp= would hide a checkout that lives under /tmp: then only ProtectSystem= is rebuilt.
PRIVATE_TMP=1
case "$REPO/" in /tmp/*|/var/tmp/*) PRIVATE_TMP=0 ;; esac

pids=()
cleanup() {
  set +e
  [ -f "$W/nginx/nginx.pid" ] && kill "$(cat "$W/nginx/nginx.pid")" 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null
  done
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS \"${DB}_restored\" WITH (FORCE)" >/dev/null 2>&1
  if [ "${SMOKE_KEEP:-0}" = 1 ]; then echo "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$W"
mkdir -p "$W"/{media,private_media,run,backups,ssl,nginx/tmp,logs,restored}
chmod 700 "$W"

# --- environment file, like /etc/qjty/env --------------------------------------------------
step "environment, database, static files"
secret="$($PY -c 'import secrets;print(secrets.token_urlsafe(50))')"
fernet="$($PY -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())')"
hashkey="$($PY -c 'import secrets;print(secrets.token_hex(32))')"
sed -e "s#^SECRET_KEY=.*#SECRET_KEY=$secret#" \
    -e "s#^PII_ENCRYPTION_KEY=.*#PII_ENCRYPTION_KEY=$fernet#" \
    -e "s#^PII_HASH_KEY=.*#PII_HASH_KEY=$hashkey#" \
    -e "s#qjty\.example\.cn#$HOST#g" \
    -e "s#^DATABASE_URL=.*#DATABASE_URL=$PG_URL/$DB#" \
    -e "s#^CACHE_URL=.*#CACHE_URL=redis://127.0.0.1:$REDIS_PORT/1#" \
    -e "s#^MEDIA_ROOT=.*#MEDIA_ROOT=$W/media#" \
    -e "s#^PRIVATE_MEDIA_ROOT=.*#PRIVATE_MEDIA_ROOT=$W/private_media#" \
    -e "s#^GUNICORN_BIND=.*#GUNICORN_BIND=127.0.0.1:$APP_PORT#" \
    -e "s#^BACKUP_DIR=.*#BACKUP_DIR=$W/backups#" \
    deploy/env.example > "$W/env"
# The browser's Referer carries the non-standard port; nginx passes Host without it.
sed -i "s#^CSRF_TRUSTED_ORIGINS=.*#&,https://$HOST:$HTTPS_PORT#" "$W/env"
echo "GUNICORN_WORKERS=2" >> "$W/env"
echo "SMS_LOG_SENDER_ALLOWED=true" >> "$W/env"  # a test deployment: codes may go to its log
chmod 600 "$W/env"
mapfile -t ENVV < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$W/env")
# manage.py as the units run it: clean environment + the env file.
m() { (cd "$REPO" && env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$W/run" "${ENVV[@]}" "$PY" manage.py "$@"); }

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  > "$W/logs/redis.log" 2>&1 &
pids+=($!)

psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null
psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS \"${DB}_restored\" WITH (FORCE)" >/dev/null
psql "$PG_URL/postgres" -qc "CREATE DATABASE \"$DB\"" >/dev/null || die "cannot create database $DB"
# logged NAME LOGFILE command...: run, output to the log, ok/FAIL with the log's tail.
logged() {
  local name="$1" log="$2"; shift 2
  if "$@" >"$log" 2>&1; then ok "$name"; else bad "$name" "$(grep -v '^{"time"' "$log" | tail -3)"; fi
}
logged "manage.py migrate" "$W/logs/migrate.log" m migrate --noinput
logged "manage.py collectstatic" "$W/logs/collectstatic.log" m collectstatic --noinput
logged "manage.py check --deploy (no warnings)" "$W/logs/check.log" m check --deploy --fail-level WARNING

# --- systemd units ---------------------------------------------------------------------------
step "systemd units"
if command -v systemd-analyze >/dev/null; then
  if out=$(cd deploy/systemd && systemd-analyze verify ./qjty-*.service ./qjty-*.timer 2>&1) && [ -z "$out" ]; then
    ok "systemd-analyze verify deploy/systemd/*"
  else
    bad "systemd-analyze verify deploy/systemd/*" "$out"
  fi
else
  echo "  (systemd-analyze not installed: unit files not verified)"
fi

# The unit's path, mapped onto this run.
map_paths() {
  sed -e "s#/srv/qjty/app#$REPO#g" -e "s#/srv/qjty/private_media#$W/private_media#g" \
      -e "s#/srv/qjty/media#$W/media#g" -e "s#/etc/qjty/env#$W/env#g" -e "s#/run/qjty#$W/run#g"
}
unit_get() { sed -n "s/^$2=//p" "deploy/systemd/$1" | map_paths | head -1; }
# run_unit UNIT [VAR=value ...]: ExecStart= of the unit as systemd would run it. It ends in
# exec: call it in the background (`run_unit ... &`: $! is then the unit's main process, as
# $MAINPID) or in $(...), never in the script's own shell.
run_unit() {
  local unit="$1"; shift
  local wd cmd rw rt
  wd=$(unit_get "$unit" WorkingDirectory); cmd=$(unit_get "$unit" ExecStart)
  rw=$(unit_get "$unit" ReadWritePaths); rt=$(unit_get "$unit" RuntimeDirectory)
  [ -n "$rt" ] && rw="$rw $W/run"
  local vars=()
  mapfile -t vars < <(sed -n 's/^Environment=//p' "deploy/systemd/$unit" | map_paths; grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$W/env")
  local strict=0 ptmp=0 nnp=()
  grep -q '^ProtectSystem=strict' "deploy/systemd/$unit" && strict=$SANDBOX
  grep -q '^PrivateTmp=true' "deploy/systemd/$unit" && ptmp=$((SANDBOX * PRIVATE_TMP))
  grep -q '^NoNewPrivileges=true' "deploy/systemd/$unit" && nnp=(setpriv --no-new-privs)
  if [ "$strict" = 1 ]; then
    # ProtectSystem=strict: every mount read-only but /proc, /sys, /dev; then ReadWritePaths=
    # (and the RuntimeDirectory) writable again; PrivateTmp=: empty /tmp and /var/tmp of its own.
    exec unshare -m --propagation private bash -c '
      set -e
      mount --rbind / /
      if [ "$1" = 1 ]; then for p in /tmp /var/tmp; do mount -t tmpfs -o mode=1777 tmpfs "$p"; done; fi
      for p in $2; do mount --bind "$p" "$p"; done
      for t in $(awk "{print \$2}" /proc/self/mounts); do
        case "$t" in /proc*|/sys*|/dev*) continue ;; esac
        if [ "$1" = 1 ]; then case "$t" in /tmp|/var/tmp) continue ;; esac; fi
        mount -o remount,bind,ro "$t" 2>/dev/null || true
      done
      for p in $2; do mount -o remount,bind,rw "$p"; done
      cd "$3"; shift 3
      exec "$@"
    ' bash "$ptmp" "$rw" "$wd" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent "${vars[@]}" "$@" "${nnp[@]}" $cmd
  else
    cd "$wd" && exec env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent "${vars[@]}" "$@" "${nnp[@]}" $cmd
  fi
}

# Type=notify: gunicorn must send READY=1 to $NOTIFY_SOCKET once it serves.
"$PY" - "$W/run/notify.sock" "$W/logs/notify.log" <<'PYN' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(120)
with open(sys.argv[2], "w") as out:
    try:
        while True:
            out.write(s.recv(4096).decode() + "\n"); out.flush()
    except OSError:
        pass
PYN
pids+=($!)
sleep 0.3
run_unit qjty-web.service NOTIFY_SOCKET="$W/run/notify.sock" > "$W/logs/web.log" 2>&1 &
web_pid=$!; pids+=($web_pid)
run_unit qjty-worker.service > "$W/logs/worker.log" 2>&1 &
pids+=($!)

ready=0
for _ in $(seq 1 120); do
  grep -q 'READY=1' "$W/logs/notify.log" 2>/dev/null && { ready=1; break; }
  kill -0 "$web_pid" 2>/dev/null || break
  sleep 0.5
done
if [ "$ready" = 1 ]; then ok "qjty-web.service: gunicorn sent READY=1 (Type=notify)"; else bad "qjty-web.service: gunicorn sent READY=1 (Type=notify)" "$(tail -5 "$W/logs/web.log")"; fi
for _ in $(seq 1 20); do [ -S "$W/run/gunicorn.ctl" ] && break; sleep 0.25; done
[ -S "$W/run/gunicorn.ctl" ] && ok "qjty-web.service: control socket in RuntimeDirectory" || bad "qjty-web.service: control socket in RuntimeDirectory"

# --- nginx -------------------------------------------------------------------------------------
step "nginx"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" \
  -keyout "$W/ssl/privkey.pem" -out "$W/ssl/fullchain.pem" >/dev/null 2>&1 || die "openssl failed"
sed -e "s#qjty\.example\.cn#$HOST#g" \
    -e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#" \
    -e "s#listen 443 ssl#listen 127.0.0.1:$HTTPS_PORT ssl#" \
    -e "s#/etc/ssl/qjty/#$W/ssl/#g" \
    -e "s#server 127.0.0.1:8001 #server 127.0.0.1:$APP_PORT #" \
    -e "s#/srv/qjty/staticfiles/#$REPO/staticfiles/#" \
    -e "s#/srv/qjty/media/#$W/media/#" \
    -e "s#/etc/nginx/snippets/qjty-proxy.conf#$W/nginx/qjty-proxy.conf#g" \
    -e "s#root /var/www/letsencrypt;#root $W/nginx/acme;#" \
    deploy/nginx/qjty.conf > "$W/nginx/qjty.conf"
cp deploy/nginx/qjty-proxy.conf "$W/nginx/qjty-proxy.conf"
# Debian's worker user reads the static files; a checkout it cannot read gets root workers.
nginx_user=www-data
id www-data >/dev/null 2>&1 && setpriv --reuid=www-data --regid=www-data --clear-groups test -r "$REPO/staticfiles/staticfiles.json" 2>/dev/null \
  || nginx_user=root
chmod 755 "$W"
cat > "$W/nginx/nginx.conf" <<NGINX
# The shape of Debian's /etc/nginx/nginx.conf, reduced: the site file is included in http {}.
user $nginx_user;
worker_processes 1;
pid $W/nginx/nginx.pid;
error_log $W/logs/nginx-error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log $W/logs/nginx-access.log;
    client_body_temp_path $W/nginx/tmp/body;
    proxy_temp_path $W/nginx/tmp/proxy;
    fastcgi_temp_path $W/nginx/tmp/fastcgi;
    uwsgi_temp_path $W/nginx/tmp/uwsgi;
    scgi_temp_path $W/nginx/tmp/scgi;
    include $W/nginx/qjty.conf;
}
NGINX
if out=$(nginx -t -c "$W/nginx/nginx.conf" 2>&1); then ok "nginx -t with deploy/nginx/qjty.conf ($(nginx -v 2>&1 | sed 's#.*/##'))"; else bad "nginx -t" "$out"; fi
nginx -c "$W/nginx/nginx.conf" || bad "nginx starts"
for _ in $(seq 1 20); do [ -s "$W/nginx/nginx.pid" ] && break; sleep 0.2; done

# Demo data, as the guide fills a trial setup: with the worker running, which takes Wagtail's
# index updates that the seeding enqueues.
if [ "$SEED" = 1 ]; then
  step "demo data"
  logged "manage.py seed_demo (web and worker running)" "$W/logs/seed.log" m seed_demo
fi

# --- through nginx ------------------------------------------------------------------------------
step "requests through nginx"
C=(curl -sS --max-time 60 --resolve "$HOST:$HTTPS_PORT:127.0.0.1" --resolve "$HOST:$HTTP_PORT:127.0.0.1" --cacert "$W/ssl/fullchain.pem")
B="https://$HOST:$HTTPS_PORT"
sql() { psql "$PG_URL/$DB" -Atqc "$1"; }

body=$("${C[@]}" -w '\n%{http_code}' "$B/healthz")
[ "$(tail -1 <<<"$body")" = 200 ] && grep -q '"status": "ok"' <<<"$body" && ok "GET /healthz: 200 status ok" || bad "GET /healthz: 200 status ok" "$body"

loc=$("${C[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' "http://$HOST:$HTTP_PORT/verify/?n=1")
[ "$loc" = "301 https://$HOST/verify/?n=1" ] && ok "http:// redirects to https:// ($loc)" || bad "http:// redirects to https://" "$loc"

hdr=$("${C[@]}" -D - -o "$W/home.html" "$B/")
grep -q '^HTTP/2 200' <<<"$hdr" && grep -qi '^strict-transport-security: max-age=31536000' <<<"$hdr" \
  && ok "GET / over HTTP/2: 200 with HSTS" || bad "GET / over HTTP/2: 200 with HSTS" "$(head -3 <<<"$hdr")"

css=$(grep -o '/static/css/site\.[0-9a-f]\{12\}\.css' "$W/home.html" | head -1)
if [ -n "$css" ]; then
  hdr=$("${C[@]}" -D - -o /dev/null -H 'Accept-Encoding: gzip' "$B$css")
  grep -q '^HTTP/2 200' <<<"$hdr" && grep -qi '^cache-control: public, max-age=31536000, immutable' <<<"$hdr" \
    && grep -qi '^content-encoding: gzip' <<<"$hdr" \
    && ok "hashed static file ($css): immutable for a year, pre-compressed gzip" || bad "hashed static file: immutable, gzip" "$hdr"
  hdr=$("${C[@]}" -D - -o /dev/null "$B/static/css/site.css")
  grep -qi '^cache-control: public, max-age=3600' <<<"$hdr" && ok "unhashed static name: one hour only" || bad "unhashed static name: one hour only" "$hdr"
else
  bad "home page links a hashed stylesheet"
fi

# Client address: nginx's X-Real-IP, read by the app through CERT_CLIENT_IP_HEADER; a visitor's
# own X-Real-IP is replaced. Each verification is logged with the address and counted in Redis.
last=$(sql "SELECT coalesce(max(id), 0) FROM certification_verificationlog")
"${C[@]}" -o /dev/null --interface 127.0.0.2 "$B/verify/?n=QJTY-2024-000001"
"${C[@]}" -o /dev/null --interface 127.0.0.3 -H 'X-Real-IP: 203.0.113.9' -H 'X-Forwarded-For: 203.0.113.9' "$B/verify/?n=QJTY-2024-000002"
ips=$(sql "SELECT string_agg(host(ip), ',' ORDER BY id) FROM certification_verificationlog WHERE id > $last")
[ "$ips" = "127.0.0.2,127.0.0.3" ] && ok "verification logged with the visitor's address, spoofed X-Real-IP ignored ($ips)" \
  || bad "verification logged with the visitor's address" "got: $ips"
keys=$(redis-cli -p "$REDIS_PORT" -n 1 --scan --pattern '*certification:verify:127.0.0.*' | sort | tr '\n' ' ')
grep -q '127.0.0.2' <<<"$keys" && grep -q '127.0.0.3' <<<"$keys" && ok "per-visitor budget counted in Redis ($keys)" \
  || bad "per-visitor budget counted in Redis" "keys: $keys"
code=$("${C[@]}" -o "$W/verify.html" -w '%{http_code}' "$B/verify/?n=QJTY-2024-000001")
if [ "$SEED" = 1 ]; then
  [ "$code" = 200 ] && grep -q '有效' "$W/verify.html" && ok "/verify/?n=QJTY-2024-000001: 200, 有效" || bad "/verify/?n=...: 200, 有效" "status $code"
fi

# TLS ends at nginx: gunicorn alone (no X-Forwarded-Proto) is sent to https; through nginx the
# app sees https (SECURE_PROXY_SSL_HEADER): no redirect, Secure cookies.
loc=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: $HOST" "http://127.0.0.1:$APP_PORT/healthz")
[ "$loc" = "301 https://$HOST/healthz" ] && ok "gunicorn without X-Forwarded-Proto redirects to https" || bad "gunicorn without X-Forwarded-Proto redirects to https" "$loc"
hdr=$("${C[@]}" -D - -o /dev/null "$B/accounts/login/")
grep -q '^HTTP/2 200' <<<"$hdr" && grep -qi '^set-cookie: csrftoken=.*; Secure' <<<"$hdr" \
  && ok "through nginx the app sees https (200, Secure cookie)" || bad "through nginx the app sees https" "$(grep -i -E '^HTTP|set-cookie' <<<"$hdr")"

# Uploads: 12 MB at nginx (Chinese page), the app's own 10 MB limit behind it.
head -c 13000000 /dev/zero > "$W/big.bin"; head -c 11000000 /dev/zero > "$W/mid.bin"
code=$("${C[@]}" -o "$W/413.html" -w '%{http_code}' -F "file=@$W/big.bin" "$B/certificates/submit/")
[ "$code" = 413 ] && grep -q '文件过大' "$W/413.html" && ok "13 MB upload: 413 from nginx, Chinese page" || bad "13 MB upload: 413 from nginx" "status $code"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -F "file=@$W/mid.bin" "$B/certificates/submit/")
[ "$code" != 413 ] && ok "11 MB upload passes nginx (app answers $code)" || bad "11 MB upload passes nginx" "status $code"
rm -f "$W/big.bin" "$W/mid.bin"

# Edge rate limit on verification: 10/s, burst 20 per address, 429 with a Chinese page.
args=(); for i in $(seq 1 40); do args+=(-o "$W/rl.$i" "$B/verify/?n=QJTY-2024-0000$((i % 9 + 10))"); done
codes=$("${C[@]}" --interface 127.0.0.4 -Z --parallel-max 40 -w '%{http_code}\n' "${args[@]}" 2>/dev/null | sort | uniq -c | tr -s ' ' | tr '\n' ',')
edge=$(grep -l 'qjty-nginx' "$W"/rl.* 2>/dev/null | wc -l)
[ "$edge" -ge 10 ] && grep -l '查询过于频繁' "$W"/rl.* >/dev/null && ok "40 parallel verifications from one address: $edge refused by nginx (429: $codes)" \
  || bad "edge rate limit on /verify/" "codes: $codes, nginx 429s: $edge"
rm -f "$W"/rl.*

# Private media (certificate scans and PDFs) are never served by nginx; public media is.
mkdir -p "$W/private_media/certificates/pdf" && echo 'private-probe' > "$W/private_media/certificates/pdf/probe.pdf"
echo 'public-probe' > "$W/media/probe.txt"
[ "$("${C[@]}" "$B/media/probe.txt")" = public-probe ] && ok "public media served from MEDIA_ROOT" || bad "public media served from MEDIA_ROOT"
leak=""
for u in /private_media/certificates/pdf/probe.pdf /media/certificates/pdf/probe.pdf /media/../private_media/certificates/pdf/probe.pdf \
         /media/..%2fprivate_media/certificates/pdf/probe.pdf /static../private_media/certificates/pdf/probe.pdf /media../private_media/certificates/pdf/probe.pdf; do
  out=$("${C[@]}" --path-as-is -w ' %{http_code}' "$B$u")
  grep -q 'private-probe' <<<"$out" && leak="$leak $u"
done
[ -z "$leak" ] && ok "private media not reachable through nginx (6 paths)" || bad "private media not reachable through nginx" "served:$leak"

# A user's journey over HTTPS: log in (CSRF through the proxy), download a certificate PDF
# (rendered by the web unit into its read-write private media folder).
if [ "$SEED" = 1 ]; then
  jar="$W/cookies"
  "${C[@]}" -c "$jar" -b "$jar" -o /dev/null "$B/accounts/login/"
  tok=$(awk '$6 == "csrftoken" {print $7}' "$jar")
  code=$("${C[@]}" -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' -e "$B/accounts/login/" \
         --data-urlencode "csrfmiddlewaretoken=$tok" --data-urlencode "login=trainee@qjty.demo" --data-urlencode "password=Qujing@2026" \
         "$B/accounts/login/")
  [[ "$code" == 302* ]] && ok "log in over HTTPS through nginx ($code)" || bad "log in over HTTPS through nginx" "$code"
  pdf=$("${C[@]}" -b "$jar" "$B/certificates/" | grep -o '/certificates/[0-9]*/pdf/' | head -1)
  if [ -n "$pdf" ]; then
    find "$W/private_media" -name '*.pdf' ! -name probe.pdf -delete
    type=$("${C[@]}" -b "$jar" -o "$W/cert.pdf" -w '%{http_code} %{content_type}' "$B$pdf")
    [ "$type" = "200 application/pdf" ] && head -c 5 "$W/cert.pdf" | grep -q '%PDF-' \
      && [ -n "$(find "$W/private_media" -name '*.pdf' ! -name probe.pdf)" ] \
      && ok "certificate PDF rendered into private media and downloaded ($pdf)" || bad "certificate PDF download" "$type"
    code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$B$pdf")
    [ "$code" = 302 ] && ok "the same PDF without logging in: 302 to the login" || bad "PDF without logging in refused" "status $code"
  else
    bad "the trainee's certificate list links a PDF"
  fi
fi

# --- background work and the daily job -----------------------------------------------------------
step "worker, reminders"
res=$(m shell -c "
import time
from wagtail.tasks import update_reference_index_task
t0 = time.monotonic()
r = update_reference_index_task.enqueue('wagtailcore', 'page', 1)
while time.monotonic() - t0 < 120:
    r.refresh()
    if r.is_finished: break
    time.sleep(0.25)
print('TASK', r.status, len(r.worker_ids), f'{time.monotonic() - t0:.1f}')
" 2>>"$W/logs/shell.log" | grep '^TASK')
[[ "$res" == "TASK SUCCESSFUL 1 "* ]] && ok "a task enqueued by the app is run by qjty-worker.service (db_worker, ${res##* } s)" \
  || bad "task run by the worker" "$res (queue: $(sql "SELECT string_agg(status || '=' || n, ' ') FROM (SELECT status, count(*) n FROM django_tasks_database_dbtaskresult GROUP BY status) s"))"
if [ "$SEED" = 1 ]; then
  first=$(run_unit qjty-reminders.service 2>>"$W/logs/reminders.log" | grep '已发送')
  second=$(run_unit qjty-reminders.service 2>>"$W/logs/reminders.log" | grep '已发送')
  [[ "$first" =~ 已发送\ [1-9] ]] && [[ "$second" == *"已发送 0 "* ]] \
    && ok "qjty-reminders.service: \"$first\", a second run sends none" || bad "qjty-reminders.service" "first: $first / second: $second"
fi

# --- backup and restore ---------------------------------------------------------------------------
step "backup, restore"
backup=$(run_unit qjty-backup.service 2>"$W/logs/backup.log" | tail -1)
if [ -f "$backup/db.dump" ] && [ -f "$backup/SHA256SUMS" ] && [ -f "$backup/private_media.tar.gz" ]; then
  mode=$(stat -c '%a' "$backup" "$backup/db.dump" | tr '\n' ' ')
  [ "$mode" = "700 600 " ] && ok "qjty-backup.service: $(basename "$backup") (db.dump, media, checksums; modes $mode)" \
    || bad "backup readable by its owner only" "modes: $mode"
  psql "$PG_URL/postgres" -qc "CREATE DATABASE \"${DB}_restored\"" >/dev/null
  if env DATABASE_URL="$PG_URL/${DB}_restored" MEDIA_ROOT="$W/restored/media" PRIVATE_MEDIA_ROOT="$W/restored/private_media" \
       scripts/restore.sh "$backup" >"$W/logs/restore.log" 2>&1; then
    as_of=$(date +%F)
    a=$(m progress_report --json --as-of "$as_of" 2>/dev/null | grep -v '^{"time"')
    b=$(cd "$REPO" && env -i PATH=/usr/local/bin:/usr/bin:/bin "${ENVV[@]}" DATABASE_URL="$PG_URL/${DB}_restored" \
        "$PY" manage.py progress_report --json --as-of "$as_of" 2>/dev/null | grep -v '^{"time"')
    [ -n "$a" ] && [ "$a" = "$b" ] && cmp -s "$W/private_media/certificates/pdf/probe.pdf" "$W/restored/private_media/certificates/pdf/probe.pdf" \
      && ok "restore.sh into an empty database: same progress_report, private media back" || bad "restore gives the same progress_report" "${a:0:200} / ${b:0:200}"
    env DATABASE_URL="$PG_URL/${DB}_restored" scripts/restore.sh "$backup" >/dev/null 2>&1
    [ $? = 4 ] && ok "restore.sh refuses a database that has tables" || bad "restore.sh refuses a database that has tables"
  else
    bad "restore.sh" "$(tail -3 "$W/logs/restore.log")"
  fi
else
  bad "qjty-backup.service makes a backup" "$(tail -3 "$W/logs/backup.log")"
fi

# --- a release: systemctl reload qjty-web ---------------------------------------------------------
step "reload, logs, stop"
rm -f "$W"/reload.*
loops=()
for j in 1 2 3; do
  ( for _ in $(seq 1 15); do "${C[@]}" -o /dev/null -w '%{http_code}\n' "$B/healthz"; sleep 0.2; done > "$W/reload.$j" ) &
  loops+=($!)
done
sleep 0.5
kill -HUP "$web_pid"   # ExecReload=/bin/kill -HUP $MAINPID
wait "${loops[@]}"
codes=$(cat "$W"/reload.* | sort | uniq -c | tr -s ' ' | tr '\n' ',')
[ "$(cat "$W"/reload.* | grep -vc '^200$')" = 0 ] && ok "systemctl reload qjty-web: no request failed during the reload ($codes)" \
  || bad "no request failed during the reload" "$codes"

# Logs: JSON lines only (gunicorn's own too), and nothing tried to write outside ReadWritePaths.
nonjson=$(grep -v '^{' "$W/logs/web.log" | grep -v '^$' | head -3)
[ -z "$nonjson" ] && ok "qjty-web.service logs: one JSON object per line" || bad "qjty-web.service logs: JSON lines" "$nonjson"
rofs=$(grep -h 'Read-only file system' "$W/logs/web.log" "$W/logs/worker.log" | head -2)
[ -z "$rofs" ] && ok "no write outside ReadWritePaths= (sandbox $( [ "$SANDBOX" = 1 ] && echo rebuilt || echo NOT rebuilt))" || bad "writes outside ReadWritePaths=" "$rofs"
errors=$(grep -h '"level": "ERROR"' "$W/logs/web.log" "$W/logs/worker.log" | grep -v DisallowedHost | head -2)
[ -z "$errors" ] && ok "no ERROR in the web and worker logs" || bad "no ERROR in the web and worker logs" "${errors:0:400}"

# App servers down: nginx answers 503 with a Chinese page.
kill "$web_pid"; for _ in $(seq 1 120); do kill -0 "$web_pid" 2>/dev/null || break; sleep 0.5; done
code=$("${C[@]}" -o "$W/503.html" -w '%{http_code}' "$B/")
[ "$code" = 503 ] && grep -q '系统暂时无法访问' "$W/503.html" && ok "app stopped: nginx answers 503 with a Chinese page" || bad "app stopped: 503 page" "status $code"

echo
echo "deploy-check: $passed passed, $failed failed in $(( $(date +%s) - START )) s"
for f in "${failures[@]}"; do echo "  failed: $f"; done
[ "$failed" = 0 ]
