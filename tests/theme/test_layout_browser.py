"""The base layout in a real browser (Debian's Chromium) at a phone's width (360 px) and a desktop's (1280):
nothing scrolls sideways, the navigation collapses into a menu that works without JavaScript, the keyboard
reaches the skip link first. Screenshots go to tests/e2e/artifacts/theme-*.png for a person to look at."""

from pathlib import Path

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation

from tests.conftest import login
from tests.factories import MembershipFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("portal_pages"),
]

ARTIFACTS = Path(__file__).resolve().parent.parent / "e2e" / "artifacts"
SIZES = {360: {"width": 360, "height": 740}, 1280: {"width": 1280, "height": 800}}
HTML_LANG = {"zh-hans": "zh-Hans", "en": "en"}


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"theme-{name}.png"), full_page=True)


def assert_no_horizontal_scroll(page) -> None:
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width


def use_language(page, live_server, language: str) -> None:
    page.context.add_cookies([{"name": "portal_language", "value": language, "url": live_server.url}])


def log_in(page, live_server, user, **kwargs) -> None:
    client = login(Client(), user, **kwargs)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("name", "path", "status"),
    [
        ("home", "/", 200),
        ("login", "/accounts/login/", 200),
        ("help", "/help/", 200),
        ("404", "/no-such-page/", 404),
    ],
)
def test_public_pages_fit_the_screen(page, live_server, name, path, status, language, width):
    use_language(page, live_server, language)
    page.set_viewport_size(SIZES[width])
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    response = page.goto(live_server.url + path)

    assert response.status == status
    # htmx is loaded and allowed no eval; allauth's passkey script runs under the CSP on the login page
    assert page.evaluate("[typeof htmx, htmx.config.allowEval]") == ["object", False]
    assert page.evaluate("typeof window.allauth") == ("object" if name == "login" else "undefined")
    assert [error for error in errors if "404" not in error] == []
    assert page.locator("html").get_attribute("lang") == HTML_LANG[language]
    assert_no_horizontal_scroll(page)
    # narrow screens get the menu button, wide ones the tools in the bar
    assert page.locator("details.menu-toggle > summary").is_visible() is (width == 360)
    assert page.locator(".header-tools").is_visible() is (width == 1280)
    screenshot(page, f"{name}-{language}-{width}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_member_with_two_partners_sees_navigation_and_switcher(page, live_server, cast, language, settings):
    settings.ROOT_URLCONF = "tests.theme.urls_with_workspaces"  # the workspaces of later issues, stood in
    user = cast.supplier_a_sales
    MembershipFactory(user=user, partner=cast.customer_c, roles=["sales"])
    log_in(page, live_server, user)
    use_language(page, live_server, language)

    page.set_viewport_size(SIZES[1280])
    page.goto(live_server.url + "/")
    page.locator(".header-tools details.dropdown > summary").first.click()
    switcher = page.locator(".header-tools .switch-list")
    assert switcher.is_visible()
    assert switcher.locator("button").count() == 2
    assert_no_horizontal_scroll(page)
    screenshot(page, f"member-{language}-1280")

    page.keyboard.press("Escape")  # portal.js closes the dropdown
    assert not switcher.is_visible()

    page.set_viewport_size(SIZES[360])
    page.goto(live_server.url + "/")
    page.locator("details.menu-toggle > summary").click()
    menu = page.locator(".menu-panel")
    assert menu.is_visible()
    assert menu.locator("a[href='/shop/']").is_visible()
    assert menu.locator(".switch-list button").count() == 2
    assert_no_horizontal_scroll(page)
    screenshot(page, f"member-menu-{language}-360")


def test_language_switch_in_the_phone_menu_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=SIZES[360])
    context.add_cookies([{"name": "portal_language", "value": "zh-hans", "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(live_server.url + "/help/")
        assert page.locator("h1").inner_text() == "帮助中心"

        page.locator("details.menu-toggle > summary").click()
        page.locator(".menu-panel button[value='en']").click()

        assert page.url == live_server.url + "/help/"
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text() == "Help centre"
    finally:
        context.close()


def test_keyboard_reaches_the_skip_link_first(page, live_server):
    use_language(page, live_server, "en")
    page.set_viewport_size(SIZES[1280])
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip_link.bounding_box()
    assert box is not None and box["y"] >= 0  # shown on focus, not left off-screen
    page.keyboard.press("Enter")

    assert page.url.endswith("#main")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_authenticator_app_activation_fits_the_screen(page, live_server, cast, language):
    log_in(page, live_server, cast.buyer, second_factor=False, reauthenticated=True)
    use_language(page, live_server, language)

    for width in (360, 1280):
        page.set_viewport_size(SIZES[width])
        page.goto(live_server.url + "/accounts/2fa/totp/activate/")
        assert page.locator("img.qr").is_visible()
        assert page.locator("#authenticator_secret").is_visible()
        assert len(page.input_value("#authenticator_secret")) == 32  # selectable and copyable, not disabled
        assert_no_horizontal_scroll(page)
        screenshot(page, f"totp-{language}-{width}")


class CounterProposalForm(forms.Form):
    """A form with every kind of field the portal uses, for the styleguide."""

    delivery_date = forms.DateField(
        label="建议交货日期", help_text="按上海时区。", widget=forms.DateInput(attrs={"type": "date"})
    )
    quantity = forms.DecimalField(label="可交数量", max_digits=12, decimal_places=3)
    reason = forms.ChoiceField(label="原因", choices=[("", "请选择"), ("capacity", "产能不足")])
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    partial = forms.BooleanField(label="允许分批交货", required=False)
    roles = forms.MultipleChoiceField(
        label="通知角色",
        choices=[("sales", "销售"), ("logistics", "物流"), ("finance", "财务")],
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        raise forms.ValidationError("订单已关闭，不能再提交反提案。")


def test_styleguide_fits_the_screen(page, live_server):
    """Every class of portal.css on one page (theme/styleguide.html), at both widths."""
    form = CounterProposalForm(data={"quantity": "abc", "reason": "capacity"})
    form.is_valid()
    request = RequestFactory().get("/supplier/")
    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        html = render_to_string("theme/styleguide.html", {"form": form}, request=request)
    page.goto(live_server.url + "/static/theme/VENDORED.md")  # the live server's origin, for /static/ links

    for width in (360, 1280):
        page.set_viewport_size(SIZES[width])
        page.set_content(html, wait_until="load")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(243, 245, 248)"
        assert_no_horizontal_scroll(page)
        screenshot(page, f"styleguide-{width}")
