"""/healthz: the load balancer's and the monitoring system's probe.

It answers 200 with {"status": "ok"} when every configured database answers a trivial query,
and 503 otherwise, so that a balancer takes an app server out of rotation when it has lost
its database. It does no other work (no session, no template) so that it stays cheap when
probed every few seconds; it is exempt from caching so that a proxy never answers for it.
"""

import time

from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database(alias):
    started = time.perf_counter()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not healthy", never a 500 page
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


@never_cache
@require_GET
def healthz(request):
    checks = {alias: _check_database(alias) for alias in connections}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "error", "databases": checks}
    return JsonResponse(body, status=200 if healthy else 503)
