"""The site's settings plus a URLconf with the bare "hello" baseline (bench/urls.py).

Used only by the bench's gunicorn and in-process measurements: the site's own URLs never
contain the hello view.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
