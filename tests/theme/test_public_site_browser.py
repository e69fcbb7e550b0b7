"""The public site with its demo content in a real browser at 360 and 1280 px, in both languages: nothing
scrolls sideways, and screenshots go to tests/e2e/artifacts/site-*.png for a person to look at."""

import pytest
from django.core.cache import cache

from tests.theme.test_layout_browser import ARTIFACTS, SIZES, assert_no_horizontal_scroll, use_language
from theme.demo import load_content_demo
from theme.models import SETTINGS_CACHE_KEY

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("portal_pages"),
]

PAGES = {
    "home": "/",
    "news": "/news/",
    "news-item": "/news/portal-launch/",
    "notice": "/news/maintenance-window/",
    "help": "/help/",
    "help-search": "/help/?q=%E5%8F%91%E7%A5%A8",
    "help-category": "/help/account/",
    "help-article": "/help/account/login-two-factor/",
    "contact": "/contact/",
}


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_public_site_pages_fit_the_screen(page, live_server, language, width):
    load_content_demo()
    cache.delete(SETTINGS_CACHE_KEY)
    use_language(page, live_server, language)
    page.set_viewport_size(SIZES[width])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, path in PAGES.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
        assert_no_horizontal_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"site-{name}-{language}-{width}.png"), full_page=True)
