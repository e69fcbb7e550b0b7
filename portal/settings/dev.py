"""The embedded default of `make run`: SQLite in WAL mode, a broker that needs no server, mail to files."""

import dj_database_url

from .base import *  # noqa: F403
from .base import VAR_DIR
from .env import env

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-secret-key-never-used-in-production-0123456789")
MFA_SECRET_KEY = env("MFA_SECRET_KEY", "dev-only-mfa-key")
AUDIT_HMAC_KEY = env("AUDIT_HMAC_KEY", "dev-only-audit-key")
BID_SEALING_KEY = env("BID_SEALING_KEY", "dev-only-bid-sealing-key")
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat read while one of them writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = "portal@localhost"

_broker_dir = VAR_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(_broker_dir / "queue"),
    "data_folder_out": str(_broker_dir / "queue"),
    "processed_folder": str(_broker_dir / "processed"),
    # kombu's default is ./control, relative to the working directory (the source tree).
    "control_folder": str(_broker_dir / "control"),
    # The worker looks for new messages 10 times a second (kombu's default, once a second, makes every
    # background step of the demo wait up to a second).
    "polling_interval": 0.1,
    "store_processed": False,
}
CELERY_TASK_ALWAYS_EAGER = False

# Demo logins accept allauth's TOTP bypass code (DEBUG only); see README.
MFA_TOTP_INSECURE_BYPASS_CODE = env("MFA_TOTP_INSECURE_BYPASS_CODE", "123456")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True

# The simulated ERP that `make run` starts beside the portal (python manage.py erp_simulator): its API key and
# webhook secret are fixed for the demo; `serve` moves its port with the portal's (PORT + 765).
ERP_SIMULATOR_PORT = int(env("ERP_SIMULATOR_PORT", "8765"))
ERP_SIMULATOR_PORTAL_URL = env("ERP_SIMULATOR_PORTAL_URL", "http://localhost:8000")
ERP_SIMULATOR_API_KEY = env("ERP_SIMULATOR_API_KEY", "demo-erp-simulator-key-0123456789abcdef")
ERP_SIMULATOR_WEBHOOK_SECRET = env("ERP_SIMULATOR_WEBHOOK_SECRET", "demo-erp-simulator-webhook-secret")
