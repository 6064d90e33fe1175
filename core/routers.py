"""Read replica routing: dashboards and reports read from a PostgreSQL streaming replica.

Installed by settings only when DATABASE_REPLICA_URL is set (the "replica" alias, see the
`# --- deploy ---` block of config/settings.py). The replica is read-only and may lag the
primary by a moment, so only reads that tolerate that go there: GET requests under the
report paths (DATABASE_REPLICA_PATHS, default /dashboard/: the commission's dashboard,
drill-downs, Excel and PDF reports), and code that opts in with `with use_replica():`.

Everything else stays on the primary: every write; every read inside a transaction (a
read-modify-write must see its own rows); and, even inside a report request, the tables that
decide who the visitor is (sessions, users, lockouts), so that a user who has just logged in
is never logged out by replica lag.
"""

import contextvars

from django.conf import settings
from django.db import connections

REPLICA_ALIAS = "replica"
DEFAULT_REPLICA_PATHS = ("/dashboard/",)
# Identity and security state is read from the primary even in a replica request.
PRIMARY_ONLY_APPS = frozenset({"sessions", "accounts", "auth", "axes", "account", "mfa", "auditlog"})

_reading_replica = contextvars.ContextVar("reading_replica", default=False)


def replica_configured():
    return REPLICA_ALIAS in settings.DATABASES


def _in_primary_transaction():
    return not connections["default"].get_autocommit()


class ReadReplicaRouter:
    """Reads of report requests go to the replica; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        if not replica_configured() or not _reading_replica.get():
            return None  # Django's default: the primary
        if model._meta.app_label in PRIMARY_ONLY_APPS or _in_primary_transaction():
            return "default"
        return REPLICA_ALIAS

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, **hints):
        # The replica receives the schema by streaming replication, never by migrate.
        return db != REPLICA_ALIAS


class use_replica:
    """Send the reads of the block to the replica (a no-op when none is configured).

    Context-variable based, so it is safe under threaded and async workers.
    """

    def __enter__(self):
        self._token = _reading_replica.set(True)
        return self

    def __exit__(self, *exc):
        _reading_replica.reset(self._token)
        return False


class ReplicaForReportsMiddleware:
    """GET/HEAD requests under DATABASE_REPLICA_PATHS read from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        paths = tuple(getattr(settings, "DATABASE_REPLICA_PATHS", DEFAULT_REPLICA_PATHS))
        if replica_configured() and request.method in ("GET", "HEAD") and request.path.startswith(paths):
            with use_replica():
                return self.get_response(request)
        return self.get_response(request)
