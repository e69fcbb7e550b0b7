"""The browser reaches the running portal: /healthz answers JSON, the home page renders."""

import json

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_healthz_and_home_page_in_the_browser(page, base_url_localhost, screenshot):
    response = page.goto(f"{base_url_localhost}/healthz")

    assert response.status == 200
    health = json.loads(page.locator("body").inner_text())
    assert health["status"] == "ok"
    assert sorted(health["checks"]) == ["broker", "database", "storage"]

    response = page.goto(f"{base_url_localhost}/")

    assert response.status == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    # The browser asks for zh-CN (tests/e2e/conftest.py); the page answers in simplified Chinese.
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("a[href^='/accounts/login/']").first.is_visible()
    screenshot(page, "home")
