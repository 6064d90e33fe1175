"""The city's progress headline on the public home page: `{% city_headline as headline %}`.

cms is below monitoring, so the home page template loads this library instead of the cms
models importing monitoring. Never a hard-coded figure.
"""

import logging

from django import template
from django.core.cache import cache

from core.dates import local_today

from .. import metrics

register = template.Library()

# The headline aggregates the whole workforce registry; the public home page is the busiest
# page of the site, so the figure is computed at most once per this many seconds.
CACHE_SECONDS = 600

logger = logging.getLogger(__name__)


@register.simple_tag
def city_headline():
    """{"label": ..., "text": ...} for the city, or None before the plan starts."""
    today = local_today()
    key = f"monitoring:home-headline:{today.isoformat()}"
    value = cache.get(key)
    if value is None:
        try:
            value = metrics.headline(today)
        except Exception:  # the home page must render even if a metric cannot be computed
            logger.exception("progress headline unavailable")
            return None
        if value:
            cache.set(key, value, CACHE_SECONDS)
    return value or None
