"""Replace Wagtail's "Welcome to your new Wagtail site!" page with the portal's home page and a help page.

wagtailcore.0002_initial_data creates the tree root, a plain Page titled "Welcome to your new Wagtail site!" at
depth 2 and the default Site pointing at it. Here the home page is created beside it, the Site is moved over,
and the welcome page is deleted (only if nobody has put pages under it). Historical models know nothing of
treebeard, so paths and child counts are kept by hand (Wagtail's tree: four base-36 characters per level).
Running it on a database that already has a home page changes nothing.
"""

import json

from django.db import migrations
from django.utils import timezone

STEP = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

HOME = {
    "title": "欢迎使用集团协同门户",
    "title_en": "Welcome to the Group Portal",
    "intro": (
        "<p>集团协同门户连接供应商、客户与集团各成员公司：供应商在线参与询价与招标、确认采购订单、发货和对账；"
        "客户在线下单、跟踪生产与交付、下载单据并提出质量异议。一个账号即可服务集团所有公司。</p>"
    ),
    "intro_en": (
        "<p>The Group Portal connects our suppliers and customers with every company of the group. Suppliers "
        "answer RFQs and tenders, confirm purchase orders, ship and reconcile statements online; customers "
        "order, track production and delivery, download documents and raise quality claims. One account "
        "serves every company of the group.</p>"
    ),
}

CALLS_TO_ACTION = [
    {
        "audience": "供应商", "audience_en": "Suppliers",
        "title": "供应商注册与登录", "title_en": "Supplier registration and sign-in",
        "text": "注册一次即可参与集团各公司的询价与招标，维护资质文件，处理订单、发货与对账。",
        "text_en": "Register once to quote for every company of the group, keep your qualification documents "
                   "current, and handle orders, shipments and statements.",
        "link_url": "/accounts/signup/", "link_label": "注册成为供应商", "link_label_en": "Register as a supplier",
        "show_to": "visitors",
    },
    {
        "audience": "客户", "audience_en": "Customers",
        "title": "在线商城", "title_en": "Online shop",
        "text": "查看您的协议价格，在线下单，并跟踪生产与交付进度。",
        "text_en": "See your agreed prices, order online, and follow production and delivery.",
        "link_url": "/shop/", "link_label": "进入商城", "link_label_en": "Go to the shop",
        "show_to": "visitors",
    },
    {
        "audience": "帮助", "audience_en": "Help",
        "title": "帮助中心", "title_en": "Help centre",
        "text": "注册、登录、双因素身份认证及常见问题的说明。",
        "text_en": "How to register, sign in and set up two-factor authentication, and answers to common questions.",
        "link_url": "/help/", "link_label": "查看帮助", "link_label_en": "Read the help",
        "show_to": "everyone",
    },
]

HELP = {
    "title": "帮助中心",
    "title_en": "Help centre",
    "slug": "help",
    "summary": "注册、登录、双因素身份认证及常见问题。",
    "summary_en": "Registration, signing in, two-factor authentication and common questions.",
    "body": [
        ("heading", "注册与登录"),
        ("paragraph", "<p>使用您的工作电子邮箱注册，并点击验证邮件中的链接完成注册。之后即可使用电子邮箱和密码登录。"
                      "忘记密码时，可在登录页选择“忘记密码”。</p>"),
        ("heading", "双因素身份认证"),
        ("paragraph", "<p>为保护您公司的数据，管理员和集团员工必须启用双因素身份认证：可使用身份验证器应用（如 Microsoft "
                      "Authenticator、Google Authenticator）扫描二维码，或添加通行密钥（安全密钥）。请妥善保存恢复码。</p>"),
        ("callout", {"tone": "warning", "text": "<p>集团工作人员不会向您索要密码、验证码或恢复码。</p>"}),
        ("heading", "代表多家企业"),
        ("paragraph", "<p>如果您同时是多家供应商或客户的成员，可在页面顶部切换当前所代表的企业。</p>"),
    ],
    "body_en": [
        ("heading", "Registering and signing in"),
        ("paragraph", "<p>Register with your work e-mail address and follow the link in the verification e-mail. "
                      "Then sign in with your e-mail address and password. If you forget your password, choose "
                      "“Forgot your password?” on the sign-in page.</p>"),
        ("heading", "Two-factor authentication"),
        ("paragraph", "<p>To protect your company's data, administrators and group staff must use two-factor "
                      "authentication: scan the QR code with an authenticator app (such as Microsoft Authenticator "
                      "or Google Authenticator), or add a passkey or security key. Keep your recovery codes safe.</p>"),
        ("callout", {"tone": "warning",
                     "text": "<p>Group staff will never ask for your password, verification codes or recovery codes.</p>"}),
        ("heading", "Working for several companies"),
        ("paragraph", "<p>If you belong to more than one supplier or customer, switch the company you act for at "
                      "the top of the page.</p>"),
    ],
}


def _child_path(parent_path: str, last_child_path: str | None) -> str:
    number = int(last_child_path[-STEP:], 36) + 1 if last_child_path else 1
    digits = ""
    while number:
        number, remainder = divmod(number, 36)
        digits = ALPHABET[remainder] + digits
    return parent_path + digits.rjust(STEP, "0")


def _stream(blocks) -> str:
    # StreamField's raw JSON form; ids are optional and filled in by Wagtail on the next edit.
    return json.dumps([{"type": block_type, "value": value} for block_type, value in blocks])


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("theme", "HomePage")
    ContentPage = apps.get_model("theme", "ContentPage")

    if HomePage.objects.exists():
        return
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:  # wagtailcore.0002 always creates it; nothing sensible to do without one
        return
    locale = Locale.objects.order_by("pk").first()
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    home_type, _ = ContentType.objects.get_or_create(app_label="theme", model="homepage")
    content_type, _ = ContentType.objects.get_or_create(app_label="theme", model="contentpage")
    welcome = Page.objects.filter(depth=2, content_type=page_type, slug="home").first()
    now = timezone.now()

    last_top = Page.objects.filter(depth=2, path__startswith=root.path).order_by("-path").first()
    home = HomePage.objects.create(
        title=HOME["title"], draft_title=HOME["title"], title_en=HOME["title_en"],
        slug="home", url_path="/home/", path=_child_path(root.path, last_top.path if last_top else None),
        depth=2, numchild=1, content_type=home_type, locale_id=locale.pk if locale else None,
        live=True, first_published_at=now, last_published_at=now,
        intro=HOME["intro"], intro_en=HOME["intro_en"],
        calls_to_action=json.dumps([{"type": "call_to_action", "value": value} for value in CALLS_TO_ACTION]),
    )
    ContentPage.objects.create(
        title=HELP["title"], draft_title=HELP["title"], title_en=HELP["title_en"], slug=HELP["slug"],
        url_path=f"{home.url_path}{HELP['slug']}/", path=_child_path(home.path, None), depth=3, numchild=0,
        content_type=content_type, locale_id=home.locale_id, live=True, first_published_at=now,
        last_published_at=now, kind="help", summary=HELP["summary"], summary_en=HELP["summary_en"],
        body=_stream(HELP["body"]), body_en=_stream(HELP["body_en"]),
    )

    sites = Site.objects.filter(root_page=welcome) if welcome else Site.objects.none()
    if sites.exists():
        sites.update(root_page=home, site_name="Group Portal")
    elif not Site.objects.exists():
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name="Group Portal")
    if welcome is not None and welcome.numchild == 0:
        welcome.delete()
    Page.objects.filter(pk=root.pk).update(
        numchild=Page.objects.filter(depth=2, path__startswith=root.path).count()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("theme", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        # Creates the root page, the welcome page and the default Site that this migration replaces.
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_home_page, migrations.RunPython.noop)]
