"""Settings for bench/dashboards.py's gunicorn: the test settings on the bench's throw-away PostgreSQL database,
with persistent connections and production's session engine, and the bench URLs (empty shell, bare view) in
front of the portal's."""

import os

from portal.settings.test import *  # noqa: F403
from portal.settings.test import DATABASES

DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]
DATABASES["default"]["CONN_MAX_AGE"] = None  # persistent: one connection per worker for its lifetime
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
# as in production (there the cache is Redis; here each worker's memory)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
ROOT_URLCONF = "bench.shell_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SHOP_CACHE_SECONDS = 600  # as in production (the test settings turn it off)
