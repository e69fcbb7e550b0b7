"""Demo content of the public site: site settings, news, notices, the help centre and the contact page.

Idempotent: pages are found by their slug under their parent and brought back to the text written here; the
notices' dates follow today's date, so one of them is always in force and the other has expired.
"""

from __future__ import annotations

import datetime
import json

from django.utils import timezone

from portal.core.registry import demo_data

from .models import (
    ContactFormField,
    ContactPage,
    HelpArticlePage,
    HelpCategoryPage,
    HelpIndexPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    NoticePage,
    PortalSettings,
)

SETTINGS = {
    "group_name": "华东实业集团",
    "group_name_en": "Huadong Industrial Group",
    "phone": "+86 21 5888 6600",
    "email": "portal@group.example",
    "address": "上海市浦东新区世纪大道 1568 号 28 楼",
    "address_en": "28/F, 1568 Century Avenue, Pudong, Shanghai, China",
    "footer_text": "供应商与客户服务热线：工作日 8:30–17:30",
    "footer_text_en": "Supplier and customer hotline: working days 8:30–17:30 (China time)",
    "icp_number": "沪ICP备20260128号-1",
}


def p(*paragraphs: str) -> list:
    return [("paragraph", "".join(f"<p>{text}</p>" for text in paragraphs))]


def stream(blocks) -> str:
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


NEWS = [
    # slug, days ago, title, title_en, summary, summary_en, body, body_en
    (
        "portal-launch",
        12,
        "集团协同门户正式上线",
        "The Group Portal is live",
        "供应商与客户现在可以在一个门户中处理集团所有成员公司的业务。",
        "Suppliers and customers now deal with every company of the group in one portal.",
        p(
            "集团协同门户于本月正式上线。供应商可在线参与询价与招标、确认采购订单、提交发货通知并核对对账单；"
            "客户可在线下单、跟踪交付、下载单据并提出质量异议。",
            "已在集团 ERP 中登记的供应商与客户，只需使用统一社会信用代码注册，即可申请加入已有的企业档案。",
        ),
        p(
            "The Group Portal went live this month. Suppliers answer RFQs and tenders, confirm purchase orders, "
            "send shipping notices and check statements online; customers order, follow deliveries, download "
            "documents and raise quality claims.",
            "Suppliers and customers the group's ERP already knows register with their unified social credit "
            "code and ask to join their existing company record.",
        ),
    ),
    (
        "supplier-conference-2026",
        33,
        "2026 年度供应商大会在上海召开",
        "2026 supplier conference held in Shanghai",
        "来自 120 家供应商的代表参加会议，集团表彰了 12 家优秀供应商。",
        "Representatives of 120 suppliers attended; the group honoured 12 outstanding suppliers.",
        p(
            "2026 年度供应商大会在上海召开，来自 120 家供应商的 260 余名代表参会。会议介绍了集团未来三年的采购策略、"
            "质量要求和数字化协同计划。",
            "会上表彰了在质量、交付和成本方面表现突出的 12 家优秀供应商。",
        ),
        p(
            "More than 260 representatives of 120 suppliers met in Shanghai for the 2026 supplier conference. "
            "The group presented its purchasing strategy, quality requirements and digital collaboration plans "
            "for the next three years.",
            "Twelve suppliers were honoured for outstanding quality, delivery and cost performance.",
        ),
    ),
    (
        "e-invoices",
        58,
        "集团全面接受全电发票",
        "The group now accepts fully digital e-invoices",
        "自下月起，集团各成员公司统一接受全面数字化的电子发票。",
        "From next month every company of the group accepts fully digital e-invoices.",
        p(
            "根据国家税务总局的要求，集团各成员公司自下月起统一接受全面数字化的电子发票（全电发票）。"
            "供应商在门户中核对对账单后，可直接上传发票文件并跟踪付款状态。",
        ),
        p(
            "Following the State Taxation Administration's rules, every company of the group accepts fully "
            "digital e-invoices from next month. After checking a statement in the portal, suppliers upload the "
            "invoice there and follow its payment.",
        ),
    ),
]

NOTICES = [
    # slug, start (days from today), until (days from today), importance, title, title_en, summary, summary_en
    (
        "maintenance-window",
        -3,
        30,
        "important",
        "系统维护通知：周六 22:00–24:00",
        "Maintenance on Saturday, 22:00–24:00 China time",
        "维护期间门户暂停服务，请提前提交报价与发货通知。",
        "The portal is unavailable during maintenance; please send bids and shipping notices beforehand.",
    ),
    (
        "spring-festival-2026",
        -90,
        -60,
        "normal",
        "春节放假期间发货安排",
        "Deliveries during the Spring Festival holiday",
        "春节期间各工厂仓库暂停收货，节后第一个工作日恢复。",
        "Our warehouses do not receive goods during the Spring Festival; receiving resumes on the first "
        "working day after the holiday.",
    ),
]

NOTICE_BODIES = {
    "maintenance-window": (
        p(
            "为升级服务器和数据库，集团协同门户将于本周六 22:00 至 24:00（北京时间）暂停服务。",
            "维护期间无法登录、提交报价或发货通知；截止时间落在维护期间的询价将顺延 24 小时。"
            "维护完成后无需任何操作，已保存的草稿不受影响。",
        ),
        p(
            "To upgrade its servers and database, the Group Portal is unavailable this Saturday from 22:00 to "
            "24:00 China time.",
            "You cannot sign in, bid or send shipping notices during that time; RFQs whose deadline falls in it "
            "are extended by 24 hours. Nothing needs doing afterwards, and saved drafts are kept.",
        ),
    ),
    "spring-festival-2026": (
        p(
            "春节期间（腊月二十八至正月初七），上海、香港和汉堡各仓库暂停收货。请将节前最后一批货物安排在腊月二十六前送达，"
            "并提前提交发货通知。",
        ),
        p(
            "During the Spring Festival (the 28th day of the 12th lunar month to the 7th day of the 1st), the "
            "Shanghai, Hong Kong and Hamburg warehouses do not receive goods. Please deliver the last shipment "
            "before the holiday by the 26th day of the 12th lunar month and send its shipping notice early.",
        ),
    ),
}

HELP_CATEGORIES = [
    (
        "account",
        "账户与登录",
        "Account and sign-in",
        "注册、登录与双因素身份认证。",
        "Registering, signing in and two-factor authentication.",
    ),
    ("purchasing", "采购协同", "Purchasing", "询价、投标与采购订单。", "RFQs, bidding and purchase orders."),
    (
        "finance-quality",
        "财务与质量",
        "Finance and quality",
        "发票、对账单与质量异议。",
        "Invoices, statements and quality claims.",
    ),
]

HELP_ARTICLES = [
    # category, slug, title, title_en, summary, summary_en, body, body_en
    (
        "account",
        "registration",
        "如何注册成为供应商",
        "How to register as a supplier",
        "使用统一社会信用代码注册，上传营业执照，等待集团审核。",
        "Register with your unified social credit code, upload your business licence and wait for approval.",
        p(
            "在首页点击“注册”，填写公司名称、统一社会信用代码、地址、联系人和工作电子邮箱，并上传营业执照"
            "（PDF、JPG 或 PNG，不超过 10 MB）。",
            "提交后请点击验证邮件中的链接。集团管理员通常在两个工作日内完成审核，审核结果会以邮件通知您。",
            "如果您的公司已在集团登记，系统会提示您申请加入该企业，由企业管理员确认。",
        ),
        p(
            "Choose “Register” on the home page, enter your company name, unified social credit code, address, "
            "contact person and work e-mail address, and upload your business licence (PDF, JPG or PNG, up to "
            "10 MB).",
            "Then follow the link in the verification e-mail. A group administrator usually reviews the "
            "application within two working days; you are told the result by e-mail.",
            "If your company is already registered with the group, you are offered to join it instead; your "
            "company's administrator confirms the request.",
        ),
    ),
    (
        "account",
        "login-two-factor",
        "登录与双因素身份认证",
        "Signing in and two-factor authentication",
        "管理员必须启用身份验证器应用或通行密钥；请妥善保存恢复码。",
        "Administrators must use an authenticator app or a passkey; keep your recovery codes safe.",
        p(
            "使用电子邮箱和密码登录。企业管理员和集团员工还需完成双因素身份认证：在“我的账户 → 安全”中，"
            "用身份验证器应用扫描二维码，或添加通行密钥。",
            "更换手机前，请先在新设备上添加身份验证器。如无法登录，可使用恢复码，或联系集团管理员重置。",
            "集团工作人员不会向您索要密码、验证码或恢复码。",
        ),
        p(
            "Sign in with your e-mail address and password. Company administrators and group staff also pass a "
            "second factor: under “My account → Security”, scan the QR code with an authenticator app or add a "
            "passkey.",
            "Before you change phones, add the authenticator on the new device. If you cannot sign in, use a "
            "recovery code or ask a group administrator to reset your second factor.",
            "Group staff will never ask for your password, verification codes or recovery codes.",
        ),
    ),
    (
        "purchasing",
        "rfqs-and-bidding",
        "询价与投标",
        "RFQs and bidding",
        "在截止时间前提交报价；截止后报价密封，开标前任何人不可查看。",
        "Bid before the deadline; bids are sealed until they are opened.",
        p(
            "收到询价邀请后，在“供应商工作台 → 询价”中查看物料、数量、交货期和技术附件，并在截止时间前提交报价。"
            "截止时间前您可以修改或撤回报价。",
            "报价在截止后密封，开标前集团员工也无法查看。中标结果会通知所有投标的供应商。",
        ),
        p(
            "When you are invited to an RFQ, open it under “Supplier workspace → RFQs” to see the items, "
            "quantities, delivery dates and drawings, and send your bid before the deadline. Until then you may "
            "change or withdraw it.",
            "Bids are sealed at the deadline: not even group staff can read them before they are opened. Every "
            "bidder is told the award.",
        ),
    ),
    (
        "purchasing",
        "orders",
        "采购订单确认与发货",
        "Confirming purchase orders and shipping",
        "收到订单后请在两个工作日内确认，发货前提交发货通知。",
        "Confirm a purchase order within two working days and send a shipping notice before you ship.",
        p(
            "新的采购订单会以通知和邮件提醒您。请在两个工作日内确认订单，或提出交期、数量的修改建议。",
            "发货前请在门户中提交发货通知（ASN），注明批次、数量和预计到货日期，仓库将据此安排收货。",
        ),
        p(
            "You are notified of every new purchase order. Confirm it within two working days, or propose "
            "another delivery date or quantity.",
            "Before shipping, send a shipping notice (ASN) with batches, quantities and the expected arrival "
            "date, so that the warehouse can plan receiving.",
        ),
    ),
    (
        "finance-quality",
        "invoices-and-statements",
        "发票与对账单",
        "Invoices and statements",
        "每月核对对账单，确认后上传发票并跟踪付款。",
        "Check the monthly statement, then upload the invoice and follow its payment.",
        p(
            "每月初，集团会在门户中发布上月对账单。请核对收货数量、单价和金额；如有差异，在对账单上提出异议。",
            "对账单确认后，请开具增值税发票并上传。付款状态和预计付款日期可在“财务”页面查看。",
        ),
        p(
            "Early each month the group publishes last month's statement in the portal. Check the quantities "
            "received, prices and amounts, and dispute the statement if something is wrong.",
            "Once the statement is agreed, issue the VAT invoice and upload it. The payment status and the "
            "expected payment date are on the “Finance” page.",
        ),
    ),
    (
        "finance-quality",
        "quality-claims",
        "质量异议处理",
        "Quality claims",
        "客户可在线提出质量异议，附上照片和批次号，并跟踪处理进度。",
        "Customers raise quality claims online with photos and batch numbers, and follow their progress.",
        p(
            "在“客户工作台 → 质量异议”中选择订单和批次，描述问题并上传照片或检测报告。",
            "集团质量工程师会在一个工作日内回复，并在处理过程中更新状态：受理、调查、处理方案、关闭。",
        ),
        p(
            "Under “Customer workspace → Quality claims”, choose the order and batch, describe the problem and "
            "upload photos or test reports.",
            "A group quality engineer answers within one working day and updates the claim as it goes: "
            "received, investigating, resolution proposed, closed.",
        ),
    ),
]

CONTACT_FIELDS = [
    # label, label_en, field type, required
    ("姓名", "Your name", "singleline", True),
    ("公司", "Company", "singleline", False),
    ("电子邮箱", "E-mail", "email", True),
    ("留言", "Message", "multiline", True),
]


def _child(parent, model, slug: str, **values):
    """The child page with this slug, created (live) or brought back to `values`."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **values)
        parent.add_child(instance=page)
        return page
    for name, value in values.items():
        setattr(page, name, value)
    page.draft_title = page.title
    page.save()
    return page


@demo_data.register("020-content")
def load_content_demo() -> list:
    home = HomePage.objects.first()
    if home is None:
        return []
    settings = PortalSettings.load()
    for name, value in SETTINGS.items():
        setattr(settings, name, value)
    settings.save()
    today = timezone.localdate()

    news = _child(
        home,
        NewsIndexPage,
        "news",
        title="新闻与公告",
        title_en="News and notices",
        intro="集团动态、系统通知和面向供应商与客户的公告。",
        intro_en="Group news, system notices and announcements for suppliers and customers.",
    )
    for slug, days_ago, title, title_en, summary, summary_en, body, body_en in NEWS:
        _child(
            news, NewsPage, slug, title=title, title_en=title_en, date=today - datetime.timedelta(days=days_ago),
            summary=summary, summary_en=summary_en, body=stream(body), body_en=stream(body_en),
        )  # fmt: skip
    for slug, start, until, importance, title, title_en, summary, summary_en in NOTICES:
        _child(
            news, NoticePage, slug, title=title, title_en=title_en, importance=importance,
            date=today + datetime.timedelta(days=start), until=today + datetime.timedelta(days=until),
            summary=summary, summary_en=summary_en, body=stream(NOTICE_BODIES[slug][0]),
            body_en=stream(NOTICE_BODIES[slug][1]),
        )  # fmt: skip

    help_index = HelpIndexPage.objects.first() or _child(home, HelpIndexPage, "help", title="帮助中心")
    help_index.title = "帮助中心"
    help_index.draft_title = help_index.title
    help_index.title_en = "Help centre"
    help_index.intro = "服务知识库：注册、登录、询价投标、订单、发票与质量异议的常见问题。"
    help_index.intro_en = "Knowledge base: registering, signing in, RFQs and bids, orders, invoices and quality claims."
    help_index.save()
    categories = {}
    for slug, title, title_en, summary, summary_en in HELP_CATEGORIES:
        categories[slug] = _child(
            help_index, HelpCategoryPage, slug, title=title, title_en=title_en, summary=summary, summary_en=summary_en
        )
    for category, slug, title, title_en, summary, summary_en, body, body_en in HELP_ARTICLES:
        _child(
            categories[category], HelpArticlePage, slug, title=title, title_en=title_en, summary=summary,
            summary_en=summary_en, body=stream(body), body_en=stream(body_en),
        )  # fmt: skip

    contact = _child(
        home,
        ContactPage,
        "contact",
        title="联系我们",
        title_en="Contact us",
        intro="对门户使用、注册审核或业务往来有任何问题，请留言，我们会在两个工作日内回复。",
        intro_en="Questions about the portal, your registration or our business together? Write to us; we reply "
        "within two working days.",
        thank_you_text="感谢您的留言，我们会在两个工作日内回复。",
        thank_you_text_en="Thank you for your message. We will reply within two working days.",
        to_address=SETTINGS["email"],
        from_address="portal@group.example",
        subject="门户留言 / Portal contact form",
    )
    for order, (label, label_en, field_type, required) in enumerate(CONTACT_FIELDS):
        ContactFormField.objects.update_or_create(
            page=contact,
            sort_order=order,
            defaults={"label": label, "label_en": label_en, "field_type": field_type, "required": required},
        )
    return []
