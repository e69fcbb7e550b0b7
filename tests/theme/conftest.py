"""Theme tests: the base layout, content pages, allauth's pages in our layout, and the browser checks of the
layout at phone and desktop widths (Playwright on Debian's Chromium against pytest-django's live server)."""

import importlib
import os

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

# The live server runs in a thread of this process while Playwright's sync API keeps an event loop open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

create_home_page = importlib.import_module("theme.migrations.0002_create_home_page").create_home_page
convert_help_page = importlib.import_module("theme.migrations.0004_help_centre_and_content_editors").convert_help_page


@pytest.fixture
def portal_pages():
    """The page tree the migrations create: Wagtail's root and locale, the theme's home page and help centre.

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
        convert_help_page(apps, None)
