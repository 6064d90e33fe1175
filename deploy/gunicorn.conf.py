"""gunicorn configuration for production (docs/deployment.md) and for the bench and load test.

Every value can be overridden from the environment (GUNICORN_*), so one file serves the
systemd unit, `make run-prod`, `make bench` and `make loadtest`.

    gunicorn -c deploy/gunicorn.conf.py config.wsgi:application
"""

import multiprocessing
import os

# Behind nginx on the same machine: listen on loopback only. A unix socket also works:
# GUNICORN_BIND=unix:/run/qjty/gunicorn.sock
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")

# Sync workers: Django is CPU-bound here and nginx buffers slow clients, so one request per
# worker and (2 × cores) + 1 workers is the well-tried default. Raise threads only for
# I/O-heavy loads (GUNICORN_THREADS > 1 switches to the gthread worker).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"

# Large Excel imports and bulk PDF downloads take time; anything slower belongs in a task.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then: bounds the memory of a long-lived process (reportlab, pandas).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

# Load the application before forking: workers share its memory and start fast. But then a
# reload (SIGHUP, `systemctl reload qjty-web`) forks the new workers from the OLD code that the
# master loaded (settings, models, core.logging ...; checked on gunicorn 27): production sets
# GUNICORN_PRELOAD=false (deploy/env.example) so that a reload loads a new release without
# dropping a request. The bench and the load test keep the preloaded default.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() == "true"

# Trust X-Forwarded-* only from nginx on this machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn >= 25 opens a control socket for `gunicornc` (worker status, scaling at run time) in
# $XDG_RUNTIME_DIR or ~/.gunicorn by default: read-only under the systemd unit (ProtectSystem=
# strict; gunicorn logs an error), and shared by every gunicorn of one user (the bench, the load
# test, deploy/smoke.sh). Off unless GUNICORN_CONTROL_SOCKET names one (qjty-web.service:
# /run/qjty/gunicorn.ctl in its RuntimeDirectory).
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# Logs to stdout/stderr (journald collects them). Access log off by default: nginx keeps one.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "qjty"

# LOG_FORMAT=json (production): gunicorn's own lines (workers booting, timeouts, crashes) are JSON
# objects too, in the app's format (core.logging.JsonFormatter), so the log collector parses
# every line of the unit.
if os.environ.get("LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
        "handlers": {
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"] if accesslog else [], "propagate": False},
        },
    }


def post_fork(server, worker):
    # Database connections must not be shared across the fork of a preloaded app. Without
    # preloading nothing is loaded yet (not even the settings): nothing to close.
    if not server.cfg.preload_app:
        return
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
