"""The test suite: PostgreSQL always (DATABASE_URL), Celery eager unless a test runs a real worker."""

import dj_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR
from .env import env

DEBUG = False
SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
MFA_SECRET_KEY = "test-mfa-key"
AUDIT_HMAC_KEY = "test-audit-key"
BID_SEALING_KEY = "test-bid-sealing-key"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]

DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=0)}
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", "test_portal")}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "portal@example.test"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# Unrelated tests must not deliver outbox events; the integration tests run the relay themselves.
OUTBOX_WAKE_ON_COMMIT = False

# Tests see every change at once; tests/shop/test_cache.py turns the storefront's cache on.
SHOP_CACHE_SECONDS = 0
