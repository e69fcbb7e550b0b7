"""The public site's page types with the demo content: news and notices, the help centre and its search, the
contact form, the site settings in the layout, and the content editors' group."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.utils import translation
from wagtail.contrib.forms.models import FormSubmission

from tests.conftest import login
from tests.factories import UserFactory
from theme.demo import load_content_demo
from theme.models import (
    SETTINGS_CACHE_KEY,
    ContactPage,
    HelpArticlePage,
    HelpIndexPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    NoticePage,
    PortalSettings,
    cjk_bigrams,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_pages")]

TODAY = datetime.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def content():
    cache.delete(SETTINGS_CACHE_KEY)
    with time_machine.travel(datetime.datetime(2026, 11, 28, 4, 0, tzinfo=datetime.UTC), tick=False):
        load_content_demo()
    yield
    cache.delete(SETTINGS_CACHE_KEY)


def h1_texts(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>|\s+", "", text) for text in re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)]


def h2_texts(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]


def links(html: str, css_class_context: str = "") -> list[str]:
    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r'<a href="/[^"]*">(.*?)</a>', html, re.S)]


PAGES = [
    # url, Chinese h1, English h1
    ("/news/", "新闻与公告", "Newsandnotices"),
    ("/news/portal-launch/", "集团协同门户正式上线", "TheGroupPortalislive"),
    ("/news/maintenance-window/", "系统维护通知：周六22:00–24:00", "MaintenanceonSaturday,22:00–24:00Chinatime"),
    ("/help/", "帮助中心", "Helpcentre"),
    ("/help/account/", "账户与登录", "Accountandsign-in"),
    ("/help/finance-quality/invoices-and-statements/", "发票与对账单", "Invoicesandstatements"),
    ("/contact/", "联系我们", "Contactus"),
]


@pytest.mark.parametrize(("url", "chinese", "english"), PAGES)
def test_every_page_type_renders_in_both_languages(client, url, chinese, english):
    for language, heading in (("zh-hans", chinese), ("en", english)):
        client.cookies["portal_language"] = language
        response = client.get(url)
        assert response.status_code == 200
        assert h1_texts(response.content.decode()) == [heading]


def test_news_item_and_help_article_show_their_body_in_the_readers_language(client):
    client.cookies["portal_language"] = "en"
    html = client.get("/help/account/login-two-factor/").content.decode()
    assert "scan the QR code with an authenticator app or add a" in html
    assert h2_texts(html) == ["More in this category"]
    assert '<a href="/help/account/registration/">How to register as a supplier</a>' in html

    client.cookies["portal_language"] = "zh-hans"
    html = client.get("/news/e-invoices/").content.decode()
    assert "集团各成员公司自下月起统一接受全面数字化的电子发票" in html
    assert '<time datetime="2026-10-01">2026-10-01</time>' in html


def test_news_index_lists_newest_first_ten_to_a_page(client):
    index = NewsIndexPage.objects.get()
    for number in range(1, 9):
        index.add_child(
            instance=NewsPage(title=f"旧闻 {number}", slug=f"old-{number}", date=datetime.date(2025, 1, number))
        )
    client.cookies["portal_language"] = "en"

    first = client.get("/news/").content.decode()
    second = client.get("/news/?page=2").content.decode()

    def titles(html):
        return re.findall(r'<a href="/news/[^"]+/">([^<]+)</a>', html)

    assert titles(first) == [
        "Maintenance on Saturday, 22:00–24:00 China time", "The Group Portal is live",
        "2026 supplier conference held in Shanghai", "The group now accepts fully digital e-invoices",
        "Deliveries during the Spring Festival holiday", "旧闻 8", "旧闻 7", "旧闻 6", "旧闻 5", "旧闻 4",
    ]  # fmt: skip
    assert "Page 1 of 2" in first and 'rel="next" href="?page=2"' in first
    assert titles(second) == ["旧闻 3", "旧闻 2", "旧闻 1"]
    assert 'rel="prev" href="?page=1"' in second and 'rel="next"' not in second
    assert titles(client.get("/news/?page=99").content.decode()) == titles(second)


def notice_titles(html: str) -> list[str]:
    section = re.search(r'<section class="notices".*?</section>', html, re.S)
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', section.group(0)) if section else []


def test_notice_is_shown_on_the_home_page_while_it_is_current(client):
    client.cookies["portal_language"] = "en"
    notice = NoticePage.objects.get(slug="maintenance-window")
    assert (notice.date, notice.until) == (datetime.date(2026, 11, 25), datetime.date(2026, 12, 28))

    with time_machine.travel(datetime.datetime(2026, 12, 28, 15, 0, tzinfo=datetime.UTC)):  # 23:00 Shanghai
        assert notice_titles(client.get("/").content.decode()) == ["Maintenance on Saturday, 22:00–24:00 China time"]
    with time_machine.travel(datetime.datetime(2026, 12, 28, 16, 30, tzinfo=datetime.UTC)):  # next day there
        assert notice_titles(client.get("/").content.decode()) == []
    with time_machine.travel(datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.UTC)):  # before its date
        assert notice_titles(client.get("/").content.decode()) == []
    # the expired one never shows; a notice without an end date stays
    index = NewsIndexPage.objects.get()
    index.add_child(
        instance=NoticePage(
            title="停电通知", title_en="Power cut", slug="power", date=TODAY, importance="urgent", until=None
        )
    )
    with time_machine.travel(datetime.datetime(2027, 6, 1, 4, 0, tzinfo=datetime.UTC)):
        assert notice_titles(client.get("/").content.decode()) == ["Power cut"]
    with time_machine.travel(datetime.datetime(2026, 11, 28, 4, 0, tzinfo=datetime.UTC)):
        assert notice_titles(client.get("/").content.decode()) == [
            "Power cut", "Maintenance on Saturday, 22:00–24:00 China time",
        ]  # fmt: skip


def test_cjk_bigrams():
    assert cjk_bigrams("增值税发票 VAT invoice") == "增值 值税 税发 发票 VAT invoice"
    assert cjk_bigrams("单") == "单"


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("发票", ["invoices-and-statements"]),
        ("对账", ["invoices-and-statements"]),
        ("passkey", ["login-two-factor"]),
        ("恢复码", ["login-two-factor"]),
        ("没有的词", []),
    ],
)
def test_help_search_finds_articles_by_a_chinese_or_an_english_word(client, query, slugs):
    help_centre = HelpIndexPage.objects.get()

    found = [article.slug for article in help_centre.search_articles(query)]

    assert sorted(found) == sorted(slugs)


def test_help_search_page_lists_the_results(client):
    client.cookies["portal_language"] = "en"

    html = client.get("/help/", {"q": "发票"}).content.decode()

    assert "1 article found for “发票”" in html
    assert '<a href="/help/finance-quality/invoices-and-statements/">Invoices and statements</a>' in html
    assert "0 articles found for “nothing-like-this”" in client.get("/help/?q=nothing-like-this").content.decode()


def contact_fields() -> dict[str, str]:
    return {field.label_en: field.clean_name for field in ContactPage.objects.get().get_form_fields()}


def test_contact_form_submission_is_stored_and_mailed(client):
    client.cookies["portal_language"] = "en"
    fields = contact_fields()
    page = client.get("/contact/").content.decode()
    assert '<label for="id_' + fields["Your name"] + '">Your name' in page
    assert "+86 21 5888 6600" in page and "28/F, 1568 Century Avenue, Pudong, Shanghai, China" in page

    response = client.post(
        "/contact/",
        {
            fields["Your name"]: "Li Na",
            fields["Company"]: "Acme",
            fields["E-mail"]: "li.na@acme.example",
            fields["Message"]: "Please call me about the statement.",
        },
    )

    assert response.status_code == 200
    assert h1_texts(response.content.decode()) == ["Thankyou"]
    submission = FormSubmission.objects.get()
    assert submission.page_id == ContactPage.objects.get().pk
    assert submission.form_data == {
        fields["Your name"]: "Li Na",
        fields["Company"]: "Acme",
        fields["E-mail"]: "li.na@acme.example",
        fields["Message"]: "Please call me about the statement.",
    }
    assert [message.to for message in mail.outbox] == [["portal@group.example"]]


def test_contact_form_with_a_bad_address_says_so_and_stores_nothing(client):
    client.cookies["portal_language"] = "zh-hans"
    fields = contact_fields()

    response = client.post("/contact/", {fields["Your name"]: "李娜", fields["E-mail"]: "not-an-address"})

    html = response.content.decode()
    assert response.status_code == 200
    assert h1_texts(html) == ["联系我们"]
    assert html.count('class="field-error"') + html.count("errorlist") >= 2
    assert FormSubmission.objects.count() == 0 and mail.outbox == []


def footer(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.search(r"<footer.*?</footer>", html, re.S).group(0)))


def test_site_settings_make_the_footer_in_both_languages(client):
    client.cookies["portal_language"] = "zh-hans"
    assert footer(client.get("/").content.decode()) == (
        " © 2026 华东实业集团 供应商与客户服务热线：工作日 8:30–17:30 "
        f"上海市浦东新区世纪大道 1568 号 28 楼 {zh('Tel.')} +86 21 5888 6600 portal@group.example "
        f"沪ICP备20260128号-1 {footer_zone_zh()} "
    )

    settings = PortalSettings.objects.get()
    settings.group_name_en = "Eastern Industrial Group"
    settings.icp_number = ""
    settings.save()
    client.cookies["portal_language"] = "en"
    # a page that is not a Wagtail page reads the cache that saving the settings filled: no query of its own
    html = client.get("/accounts/login/").content.decode()
    assert footer(html).startswith(" © 2026 Eastern Industrial Group Supplier and customer hotline")
    assert "ICP" not in footer(html)


def zh(text: str) -> str:
    """The Chinese catalogue's text (new texts are translated after this test was written)."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def footer_zone_zh() -> str:
    return zh("Times are shown in the %(zone)s time zone.") % {"zone": "Asia/Shanghai"}


def test_content_editors_without_a_staff_role_edit_and_publish_pages(client):
    editor = UserFactory(email="editor@group.test")
    editor.groups.add(Group.objects.get(name="Content editors"))
    outsider = UserFactory(email="visitor@group.test")
    article = HelpArticlePage.objects.get(slug="orders")

    assert login(client, outsider).get("/cms/").status_code in (302, 403)
    login(client, editor)
    assert client.get("/cms/").status_code == 200
    assert client.get(f"/cms/pages/{article.pk}/edit/").status_code == 200
    assert client.get(f"/cms/pages/add/theme/newspage/{NewsIndexPage.objects.get().pk}/").status_code == 200
    settings_page = client.get("/cms/settings/theme/portalsettings/", follow=True)
    assert settings_page.status_code == 200
    assert 'name="icp_number"' in settings_page.content.decode()
    assert client.get("/cms/images/").status_code == 200

    article.title_en = "Purchase orders and shipping notices"
    article.save_revision(user=editor).publish(user=editor)
    client.cookies["portal_language"] = "en"
    assert h1_texts(client.get("/help/purchasing/orders/").content.decode()) == ["Purchaseordersandshippingnotices"]
    assert HomePage.objects.get().permissions_for_user(editor).can_publish()
