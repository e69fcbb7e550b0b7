"""Production settings come from the environment only: `check --deploy` is clean when it is complete, a
missing secret stops the start loudly, and docs/deploy.md names every variable the settings read."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "k7R2vQ9xLm4Tz8Wp1Yc6Nb3Hs5Dj0Fg2Ua9Ke4Xr7Vt1Mq8Zw3Pn6Lb5Hy0Sd2Gf",
    "MFA_SECRET_KEY": "mfa-key-kept-outside-the-database",
    "AUDIT_HMAC_KEY": "audit-key-kept-outside-the-database",
    "BID_SEALING_KEY": "bid-sealing-key-kept-outside-the-database",
    "ALLOWED_HOSTS": "portal.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.com",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://cache.internal:6379/1",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/2",
    "EMAIL_HOST": "smtp.example.com",
    "DEFAULT_FROM_EMAIL": "portal@example.com",
}


def manage(*arguments: str, environment: dict) -> subprocess.CompletedProcess:
    # Only what a production host would have: none of the test run's own variables leak in.
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **environment}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_check_deploy_is_clean_with_a_complete_environment():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", environment=PRODUCTION_ENVIRONMENT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_is_clean_with_s3_storage():
    environment = {
        **PRODUCTION_ENVIRONMENT,
        "DEFAULT_FILE_STORAGE": "storages.backends.s3.S3Storage",
        "AWS_STORAGE_BUCKET_NAME": "portal-documents",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.com",
    }

    result = manage("check", "--deploy", "--fail-level", "DEBUG", environment=environment)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "MFA_SECRET_KEY", "AUDIT_HMAC_KEY", "BID_SEALING_KEY", "DATABASE_URL"]
)
def test_a_missing_secret_stops_the_start_loudly(missing):
    environment = {key: value for key, value in PRODUCTION_ENVIRONMENT.items() if key != missing}

    result = manage("check", "--deploy", environment=environment)

    assert result.returncode == 1
    assert (
        f"django.core.exceptions.ImproperlyConfigured: The environment variable {missing} must be set." in result.stderr
    )


def test_deploy_guide_names_every_environment_variable_the_settings_read():
    read = set()
    for name in ("base.py", "production.py"):
        source = (BASE_DIR / "portal" / "settings" / name).read_text()
        read |= set(re.findall(r"env(?:_bool|_list)?\(\s*\"([A-Z0-9_]+)\"", source))
    guide = (BASE_DIR / "docs" / "deploy.md").read_text()

    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= read  # the pattern still finds them
    assert sorted(name for name in read if f"`{name}`" not in guide) == []
