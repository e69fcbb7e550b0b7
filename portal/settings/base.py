"""Settings shared by every environment. dev, test and production only change what differs."""

from pathlib import Path

from .env import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    # The core first, so its templates and translations win.
    "portal.core",
    "portal.accounts",
    "portal.organisations",
    "portal.audit",
    "portal.api",
    "portal.integration",
    "portal.documents",
    "portal.notifications",
    "portal.onboarding",
    "theme",
    "catalog",
    "catalog.pricing",
    "catalog.shop",
    "rfq",
    # the supplier relationship (供应商关系管理): qualification documents, the approved vendor list, bank details
    "rfq.qualification",
    "rfq.avl",
    "rfq.banking",
    "rfq.sourcing",
    "selfservice",
    "selfservice.cart",
    "selfservice.orders",
    "selfservice.payments",
    # Wagtail: content pages and the staff back office at /cms/.
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts: e-mail login, verification, MFA (TOTP, WebAuthn, recovery codes).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "ninja",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.middleware.UserPreferencesMiddleware",
    "portal.accounts.middleware.RequireMultiFactorMiddleware",
    "portal.organisations.middleware.ActivePartnerMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.organisations.context_processors.workspace",
                "portal.notifications.context_processors.inbox",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
    # Grants back-office access (wagtailadmin.access_admin) to holders of a staff role.
    "portal.organisations.backends.StaffRoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "account_home"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Language and time: UTC in the database, shown in the user's zone (default: the group's, Asia/Shanghai).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
# Media is never served at a public URL: uploads are read through permission-checked views only.
MEDIA_URL = "/_media-not-public/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DOCUMENT_MAX_BYTES = int(env("DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))

# Security defaults that hold everywhere; production adds HSTS and secure cookies.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag; kept default-compatible
SESSION_COOKIE_AGE = 60 * 60 * 12
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)

# allauth: e-mail only, verified, rate limited. https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    "signup": "20/m/ip",
}
ACCOUNT_ADAPTER = "portal.accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("PORTAL_HTTP_PROTOCOL", "http")
MFA_ADAPTER = "portal.accounts.adapters.MFAAdapter"
# Sessions indexed by user (list them, end them at once): https://docs.allauth.org/en/latest/usersessions/
USERSESSIONS_TRACK_ACTIVITY = True
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Group Portal"
# Encrypts TOTP secrets at rest; kept outside the database (see portal.accounts.adapters).
MFA_SECRET_KEY = env("MFA_SECRET_KEY", "")

# The audit chain's key lives outside the database, so a database-only rewrite is detectable.
AUDIT_HMAC_KEY = env("AUDIT_HMAC_KEY", "")

# Seals bid prices and envelopes until their round is opened (AES-GCM, keys derived per RFQ and round with HKDF).
# Kept outside the database and apart from SECRET_KEY, so neither a database dump nor the web secret reveals a bid.
BID_SEALING_KEY = env("BID_SEALING_KEY", "")

# Wagtail: the staff back office.
WAGTAIL_SITE_NAME = "Group Portal"
# No requests to gravatar.com from the back office (no internet on the servers, and privacy).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = env("PORTAL_BASE_URL", "http://localhost:8000")
# Our /cms/login/ sends visitors to allauth and tells logged-in people without a staff role "403".
WAGTAILADMIN_LOGIN_URL = "/cms/login/"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = True
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Celery: tasks take ids and are idempotent; the broker only wakes workers, it is never the source of truth.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "audit-seal": {"task": "portal.audit.tasks.seal_audit_events", "schedule": 30.0},
    "audit-publish-head": {"task": "portal.audit.tasks.publish_audit_head", "schedule": 24 * 3600.0},
    "outbox-deliver": {"task": "portal.integration.tasks.deliver_outbox", "schedule": 10.0},
    # sourcing: reminders before bid deadlines (each once; a late run only delays one)
    "sourcing-bid-reminders": {"task": "rfq.sourcing.tasks.bid_reminders", "schedule": 600.0},
}

# The outbox relay (portal.integration.relay): signed webhooks, leased claims, retries with backoff.
OUTBOX_LEASE_SECONDS = 60
OUTBOX_CONNECT_TIMEOUT = 3
OUTBOX_READ_TIMEOUT = 10
OUTBOX_RETRY_BASE_SECONDS = 10
OUTBOX_MAX_ATTEMPTS = 8
# emit() wakes the relay when its transaction commits (beat still runs it every 10 s).
OUTBOX_WAKE_ON_COMMIT = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's immediate background tasks (reference index updates) log two INFO lines per saved object.
        "django_tasks": {"level": "WARNING"},
    },
}

# Card prepayment (selfservice.payments). Each selling company's keys are in its payment set-up (/cms/payments/);
# these say where Stripe is: the real one by default, localstripe on 127.0.0.1 in tests and the demo.
STRIPE_API_BASE = env("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_JS_URL = env("STRIPE_JS_URL", "https://js.stripe.com/v3/")

# How long the storefront keeps facet counts, result counts and result pages (catalog.cache); they are dropped at
# once when items or categories change. 0 turns it off.
SHOP_CACHE_SECONDS = int(env("SHOP_CACHE_SECONDS", "600"))
