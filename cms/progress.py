"""The city's progress headline on the home page, from monitoring when it exists.

cms sits beside the workforce apps, not above monitoring, so it never imports monitoring at
module level: the headline appears only when the monitoring app is installed and its
metrics module offers it, and shows nothing otherwise. Never a hard-coded figure.
"""

import logging

from django.apps import apps
from django.core.cache import cache
from django.utils import timezone

# The headline aggregates the whole workforce registry; the public home page is the busiest
# page of the site, so the figure is computed at most once per this many seconds.
CACHE_SECONDS = 600

logger = logging.getLogger(__name__)


def city_headline():
    """{"label": ..., "text": ...} for the city, or None.

    Uses `monitoring.metrics.headline(as_of)` when monitoring provides it (a string, or a
    dict with "label" and "text"); anything else shows nothing.
    """
    if not apps.is_installed("monitoring"):
        return None
    try:
        from monitoring import metrics
    except ImportError:
        return None
    headline = getattr(metrics, "headline", None)
    if not callable(headline):
        return None
    today = timezone.localdate()
    key = f"cms:progress-headline:{today.isoformat()}"
    value = cache.get(key)
    if value is None:
        try:
            value = headline(today)
        except Exception:  # the home page must render even if a metric cannot be computed
            logger.exception("progress headline unavailable")
            return None
        if value:
            cache.set(key, value, CACHE_SECONDS)
    if isinstance(value, str) and value:
        return {"label": "全市托育人才培养进展", "text": value}
    if isinstance(value, dict) and value.get("label"):
        return value
    return None
