"""The home and content pages, the base layout's navigation, the language switcher, the error pages."""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from wagtail.models import Page, Site
from wagtail.users.models import UserProfile

from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory
from theme.models import ContentPage, HelpIndexPage, HomePage, NewsIndexPage, NewsPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_pages")]

HOME_TITLE = {"zh-hans": "欢迎使用集团协同门户", "en": "Welcome to the Group Portal"}


def h1_texts(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>|\s+", "", text) for text in re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)]


def test_the_data_migration_replaced_wagtails_welcome_page_with_the_portal_home_page():
    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)

    assert site.root_page_id == home.pk
    assert (home.title, home.title_en, home.depth, home.live) == (
        HOME_TITLE["zh-hans"],
        HOME_TITLE["en"],
        2,
        True,
    )
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()
    # 0004 turned 0002's help page into the help centre, in place
    assert list(HelpIndexPage.objects.child_of(home).values_list("slug", "title_en")) == [("help", "Help centre")]
    assert not ContentPage.objects.exists()
    assert Page.find_problems() == ([], [], [], [], [])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_home_page_renders_in_both_languages(client, language):
    client.cookies["portal_language"] = language

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert h1_texts(html) == [HOME_TITLE[language].replace(" ", "")]
    assert f'<html lang="{"en" if language == "en" else "zh-Hans"}">' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main" tabindex="-1">' in html
    # vendored htmx and the portal script, both deferred; htmx requests carry the CSRF token
    assert '<script src="/static/theme/htmx.min.js" defer></script>' in html
    assert '<script src="/static/theme/portal.js" defer></script>' in html
    assert re.search(r"""<body hx-headers='\{"X-CSRFToken": "[A-Za-z0-9]{64}"\}'>""", html)
    # anonymous visitors get the way in, and the visitors' calls to action
    assert 'href="/accounts/login/"' in html and 'href="/accounts/signup/"' in html
    assert 'href="/help/"' in html
    assert "/supplier/" not in html


def test_home_page_offers_no_link_to_a_workspace_that_does_not_exist_yet(client, cast):
    login(client, cast.supplier_a_sales)
    html = client.get("/").content.decode()
    # /supplier/ and /shop/ are built; a URL conf without a workspace leaves its link out (the next test's)
    assert ('href="/supplier/"' in html, 'href="/shop/"' in html, 'href="/account/"' in html) == (
        True,
        True,
        True,
    )


def test_home_page_greets_a_member_with_links_to_their_workspaces(client, cast, settings):
    settings.ROOT_URLCONF = "tests.theme.urls_with_workspaces"
    login(client, cast.supplier_a_sales)
    client.cookies["portal_language"] = "en"

    html = client.get("/").content.decode()

    assert "Hello, " in html
    assert "Acting for: Supplier A Ltd." in html
    assert 'href="/supplier/"' in html and 'href="/shop/"' in html and 'href="/account/"' in html
    assert 'href="/customer/"' not in html and 'href="/cms/"' not in html
    # the visitors-only call to action (supplier registration) is not offered to someone logged in
    assert 'href="/accounts/signup/"' not in html
    # one partner: its name is shown, there is nothing to switch
    assert "/account/switch/" not in html


def test_layout_offers_the_partner_switcher_for_several_memberships(client, cast):
    user = cast.supplier_a_sales
    MembershipFactory(user=user, partner=cast.customer_c, roles=["sales"])
    login(client, user)

    html = client.get("/").content.decode()

    for partner in (cast.supplier_a, cast.customer_c):
        # a POST form with its CSRF token per partner, in the bar and again in the narrow-screen menu
        form = (
            f'<form method="post" action="/account/switch/{partner.uuid}/">\n'
            '        <input type="hidden" name="csrfmiddlewaretoken"'
        )
        assert html.count(form) == 2
    assert html.count('aria-current="true">\n          <span>') == 2  # the active partner, bar and menu


def test_layout_shows_the_back_office_to_staff_and_log_out_as_a_post(client, cast):
    login(client, cast.buyer)

    html = client.get("/").content.decode()

    assert 'href="/cms/"' in html
    assert html.count('<form method="post" action="/accounts/logout/">') == 2


def test_language_switcher_sets_the_cookie_and_the_profile(client, cast):
    user = cast.supplier_a_sales
    login(client, user)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/help/"})

    assert response.status_code == 302
    assert response["Location"] == "/help/"
    assert response.cookies["portal_language"].value == "en"
    assert UserProfile.objects.get(user=user).preferred_language == "en"
    # the profile alone is enough on the next visit, whatever the cookie says
    client.cookies["portal_language"] = "zh-hans"
    assert h1_texts(client.get("/").content.decode()) == ["WelcometotheGroupPortal"]


def test_language_switcher_for_a_visitor_and_against_open_redirects(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["portal_language"].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.cookies["portal_language"].value == "zh-hans"
    assert h1_texts(client.get("/").content.decode()) == [HOME_TITLE["zh-hans"]]


@pytest.mark.parametrize(
    ("language", "title", "intro"),
    [
        ("zh-hans", "帮助中心", "注册、登录、双因素身份认证及常见问题。"),
        ("en", "Help centre", "Registration, signing in, two-factor authentication and common questions."),
    ],
)
def test_help_centre_made_by_the_migration_renders_its_language_version(client, language, title, intro):
    client.cookies["portal_language"] = language

    response = client.get("/help/")

    html = response.content.decode()
    assert response.status_code == 200
    assert h1_texts(html) == [title.replace(" ", "")]
    assert f'<p class="lead">{intro}</p>' in html


def test_content_page_without_english_body_says_so_to_english_readers(client):
    home = HomePage.objects.get()
    page = ContentPage(
        title="关于我们",
        title_en="About us",
        slug="about",
        body=[("heading", "集团简介"), ("paragraph", "<p>集团成立于 1998 年。</p>")],
    )
    home.add_child(instance=page)
    client.cookies["portal_language"] = "en"

    html = client.get("/about/").content.decode()

    assert h1_texts(html) == ["Aboutus"]
    assert "This page is only available in Chinese." in html
    assert "<h2>集团简介</h2>" in html


def test_login_page_renders_inside_the_base_layout(client):
    client.cookies["portal_language"] = "zh-hans"

    response = client.get("/accounts/login/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a class="skip-link" href="#main">' in html
    assert "<title>登录 · 集团协同门户</title>" in html
    assert '<div class="container auth-container">' in html
    assert h1_texts(html) == ["登录"]
    assert '<form class="form" method="post" action="/accounts/login/">' in html
    assert '<label for="id_login">' in html
    assert '<button class="btn btn-primary" type="submit">' in html
    # allauth's passkey login keeps its script (served from 'self', so the CSP allows it)
    assert '<script src="/static/mfa/js/webauthn.js"></script>' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_mfa_pages_render_inside_the_layout_with_their_scripts(client, cast):
    user = cast.buyer
    login(client, user, second_factor=False, reauthenticated=True)
    client.cookies["portal_language"] = "en"

    totp = client.get("/accounts/2fa/totp/activate/")
    webauthn = client.get("/accounts/2fa/webauthn/add/")

    assert totp.status_code == 200
    totp_html = totp.content.decode()
    assert '<img class="qr" src="data:image/svg+xml;base64,' in totp_html
    assert re.search(r'<textarea class="secret-box" id="authenticator_secret"[^>]*>[A-Z2-7]{32}</textarea>', totp_html)
    assert '<aside class="sidebar">' in totp_html
    assert webauthn.status_code == 200
    webauthn_html = webauthn.content.decode()
    assert '<label for="id_name">Name of the key</label>' in webauthn_html
    for script in ("mfa/js/webauthn-json.js", "mfa/js/webauthn.js", "account/js/onload.js"):
        assert f'<script src="/static/{script}"></script>' in webauthn_html
    assert 'data-allauth-onload="allauth.webauthn.forms.addForm"' in webauthn_html


def test_not_found_page_uses_the_layout(client):
    client.cookies["portal_language"] = "zh-hans"

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert h1_texts(response.content.decode()) == ["页面不存在"]


def test_server_error_page_needs_no_context_and_no_database(django_assert_num_queries):
    with translation.override("en"), django_assert_num_queries(0):
        html = render_to_string("500.html")

    assert h1_texts(html) == ["Somethingwentwrong"]
    assert "/account/" not in html and "<form" not in html


def test_editors_can_open_and_publish_the_pages_in_the_back_office(client):
    editor = UserFactory(email="editor@group.test", is_superuser=True, is_staff=True)
    login(client, editor)
    home = HomePage.objects.get()
    help_centre = HelpIndexPage.objects.get(slug="help")

    assert client.get(f"/cms/pages/{home.pk}/edit/").status_code == 200
    assert client.get(f"/cms/pages/{help_centre.pk}/edit/").status_code == 200
    assert client.get(f"/cms/pages/add/theme/contentpage/{home.pk}/").status_code == 200

    news_index = NewsIndexPage(title="新闻", title_en="News", slug="news")
    home.add_child(instance=news_index)
    news = NewsPage(title="系统维护通知", title_en="Maintenance notice", slug="maintenance")
    news_index.add_child(instance=news)
    news.save_revision().publish()
    client.cookies["portal_language"] = "en"
    html = client.get("/").content.decode()
    assert '<a href="/news/maintenance/">Maintenance notice</a>' in html


def test_calls_to_action_to_pages_not_built_yet_are_left_out(client, settings):
    html = client.get("/").content.decode()
    assert ('href="/shop/"' in html, 'href="/help/"' in html) == (True, True)
    settings.ROOT_URLCONF = "tests.theme.urls_without_shop"
    html = client.get("/").content.decode()
    assert ('href="/shop/"' in html, 'href="/help/"' in html) == (False, True)
