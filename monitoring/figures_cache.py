"""A cache of the dashboard's county table that can never serve figures older than the data.

Computing the ten-county table reads the passed training records and staff employments of
the period and checks each staff person's certificates: about 0.2 s of CPU on a province-size
database (benchmarks/monitoring_bench.py prints it as the cold dashboard), against about 15 ms
for a request served from this cache, while the data changes rarely compared with how often
the dashboard is opened. The cached table is keyed by:

- a token replaced whenever a source row is saved or deleted through the ORM (signals below:
  corrections in the admin, revocations, reviews, imports that update rows with save()), and
- a data stamp read in ONE cheap query: the row count and highest id of each source table,
  which catches rows added or removed without signals (bulk_create / executemany imports).

Any change of either gives a new key, so a figure is never older than its records. The
remaining gap — a queryset.update() of metric fields, which no code does today — is bounded
by the timeout. With several server processes the token must live in a shared cache
(CACHE_URL=redis://…, as production already needs for rate limits).
"""

import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save

TOKEN_KEY = "monitoring:figures:token"

# (app_label, model) of every table a figure is computed from.
SOURCES = [
    ("training", "TrainingRecord"),
    ("certification", "Certificate"),
    ("certification", "CertificateType"),
    ("registry", "Employment"),
    ("registry", "Institution"),
    ("registry", "County"),
    ("monitoring", "Target"),
    ("cms", "SurveyResponse"),
]
# Tables whose inserts may bypass signals (bulk imports): stamped by count and highest id.
STAMPED = [("training", "TrainingRecord"), ("certification", "Certificate"), ("registry", "Employment"),
           ("registry", "Institution"), ("cms", "SurveyResponse"), ("monitoring", "Target")]


def _models(pairs):
    for app_label, name in pairs:
        try:
            yield apps.get_model(app_label, name)
        except LookupError:
            continue


def timeout():
    return getattr(settings, "MONITORING_FIGURES_CACHE_SECONDS", 0)


def _bump(**kwargs):
    cache.set(TOKEN_KEY, uuid.uuid4().hex, None)


def connect_signals():
    for model in _models(SOURCES):
        post_save.connect(_bump, sender=model, dispatch_uid=f"monitoring-figures-{model._meta.label}-save")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"monitoring-figures-{model._meta.label}-delete")


def data_stamp():
    """(count, max id) of each stamped table, in one query."""
    quote = connection.ops.quote_name
    parts = []
    for model in _models(STAMPED):
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        parts.append(f"(SELECT MAX({pk}) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def _current_token():
    token = cache.get(TOKEN_KEY)
    if token is None:
        cache.add(TOKEN_KEY, uuid.uuid4().hex, None)
        token = cache.get(TOKEN_KEY)
    return token


def cached(name, compute, seconds):
    """compute() cached under `name` + the data version (token and stamp); seconds 0: no cache."""
    if not seconds:
        return compute()
    stamp = "-".join(str(x) for x in data_stamp())
    key = f"monitoring:figures:{name}:{_current_token()}:{stamp}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def cached_table(as_of, compute):
    """compute(as_of) through the cache when MONITORING_FIGURES_CACHE_SECONDS > 0."""
    seconds = timeout()
    if not seconds:
        return compute(as_of)
    token = cache.get(TOKEN_KEY)
    if token is None:
        token = uuid.uuid4().hex
        cache.add(TOKEN_KEY, token, None)
        token = cache.get(TOKEN_KEY) or token
    stamp = "-".join(str(x) for x in data_stamp())
    key = f"monitoring:figures:table:{as_of.isoformat()}:{token}:{stamp}"
    table = cache.get(key)
    if table is None:
        table = compute(as_of)
        cache.set(key, table, seconds)
    return table
