"""Theme tests: the base layout, content pages, allauth's pages in our layout, and the browser checks of the
layout at phone and desktop widths (Playwright on Debian's Chromium against pytest-django's live server)."""

import importlib
import os
import time

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

# The live server runs in a thread of this process while Playwright's sync API keeps an event loop open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
create_home_page = importlib.import_module("theme.migrations.0002_create_home_page").create_home_page


@pytest.fixture(autouse=True)
def fresh_cache():
    """Wagtail caches the site root paths: after the page tree was rebuilt, a stale entry would answer 404."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portal_pages():
    """The page tree the migrations create: Wagtail's root and locale, the theme's home and help pages.

    A transactional test flushes the database when it ends, and `--reuse-db` then hands the next run a test
    database without them; put them back the way the migrations made them."""
    if not Page.objects.filter(depth=2).exists():
        locale, _ = Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        if not Page.objects.filter(depth=1).exists():
            Page.objects.create(
                title="Root",
                slug="root",
                content_type=ContentType.objects.get_for_model(Page),
                path="0001",
                depth=1,
                numchild=0,
                url_path="/",
                locale=locale,
            )
        create_home_page(apps, None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # No sandbox as root; no background traffic: this machine reaches nothing but loopback.
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }  # fmt: skip


def sign_in(client, user, *, second_factor=True, reauthenticated=False):
    """Log the user in with the session records allauth itself keeps (method, time, the user they belong to),
    so the second-factor middleware and allauth's reauthentication check see a real login."""
    client.force_login(user)
    session = client.session
    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email, "reauthenticated": reauthenticated}]
    if second_factor:
        records.append({"method": "mfa", "at": now, "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client
