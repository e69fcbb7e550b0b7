"""Wagtail content pages: the home page, standard pages, news and notices, the help centre (服务知识库), the
contact page with its form, and the site settings (the group's contact details, logo and footer).

The portal is bilingual without Wagtail's page-per-locale translations (those would put the language in the
URL, while the portal keeps it in the person's profile and a cookie). So each visible text has a Chinese
field (the default) and an optional `_en` twin; templates pick with `{{ page|localized:"title" }}`, which
falls back to Chinese when the English text is empty.
"""

import re

from django.core.cache import cache
from django.core.paginator import Paginator
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page
from wagtail.search import index

# A portal path ("/shop/") or an absolute http(s) URL.
link_validator = RegexValidator(
    r"^(/|https?://)\S*$", _("Enter a path on this site starting with “/”, or a full http(s) address.")
)


def is_english() -> bool:
    return (get_language() or "").lower().startswith("en")


class CallToActionBlock(blocks.StructBlock):
    """A card on the home page that sends one audience (suppliers, customers, anyone needing help) onward."""

    audience = blocks.CharBlock(
        label=_("audience (Chinese)"),
        required=False,
        max_length=40,
        help_text=_("A short label above the title, e.g. 供应商."),
    )
    audience_en = blocks.CharBlock(label=_("audience (English)"), required=False, max_length=40)
    title = blocks.CharBlock(label=_("title (Chinese)"), max_length=80)
    title_en = blocks.CharBlock(label=_("title (English)"), required=False, max_length=80)
    text = blocks.TextBlock(label=_("text (Chinese)"), required=False)
    text_en = blocks.TextBlock(label=_("text (English)"), required=False)
    link_url = blocks.CharBlock(
        label=_("link"),
        max_length=300,
        validators=[link_validator],
        help_text=_("A path on this site such as /accounts/signup/, or a full address."),
    )
    link_label = blocks.CharBlock(label=_("link text (Chinese)"), max_length=40)
    link_label_en = blocks.CharBlock(label=_("link text (English)"), required=False, max_length=40)
    show_to = blocks.ChoiceBlock(
        choices=[
            ("everyone", _("Everyone")),
            ("visitors", _("Visitors who are not logged in")),
            ("members", _("Logged-in people")),
        ],
        default="everyone",
        label=_("show to"),
    )

    class Meta:
        icon = "link"
        label = _("Call to action")
        template = "theme/blocks/call_to_action.html"


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", _("Information")), ("warning", _("Warning"))], default="info", label=_("tone")
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"], label=_("text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "theme/blocks/callout.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        form_classname="title", icon="title", label=_("Heading"), template="theme/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(
        features=["h3", "bold", "italic", "link", "document-link", "ol", "ul", "hr"], label=_("Paragraph")
    )
    callout = CalloutBlock()
    image = ImageBlock(label=_("Image"))


class HomePage(Page):
    """The portal's front page at `/`: an introduction, calls to action, the latest news and notices."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = RichTextField(_("introduction (Chinese)"), blank=True, features=["bold", "italic", "link"])
    intro_en = RichTextField(_("introduction (English)"), blank=True, features=["bold", "italic", "link"])
    calls_to_action = StreamField(
        [("call_to_action", CallToActionBlock())], blank=True, verbose_name=_("calls to action")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        MultiFieldPanel([FieldPanel("intro"), FieldPanel("intro_en")], heading=_("Introduction")),
        FieldPanel("calls_to_action"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("intro_en")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["theme.ContentPage", "theme.NewsIndexPage", "theme.HelpIndexPage", "theme.ContactPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def latest_news(self, limit: int = 5):
        """Live news items below this page (notices have their own box), newest first (one query)."""
        return (
            NewsPage.objects.live()
            .public()
            .descendant_of(self)
            .filter(noticepage__isnull=True)
            .order_by("-date", "-pk")[:limit]
        )

    def current_notices(self):
        """Live notices below this page that are in force today: most important first, then newest."""
        return NoticePage.current().descendant_of(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news"] = list(self.latest_news())
        context["notices"] = list(self.current_notices())
        context["news_index"] = NewsIndexPage.objects.live().public().descendant_of(self).first()
        return context


class ContentPage(Page):
    """A page of text: news, a notice to suppliers or customers, a help article, or an index of such pages."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Page")  # an ordinary page, e.g. an index of its child pages
        NEWS = "news", _("News")  # shown on the home page, newest first
        NOTICE = "notice", _("Notice")  # an announcement (公告), shown on the home page
        HELP = "help", _("Help")  # help-centre article

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PAGE)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary = models.TextField(
        _("summary (Chinese)"), blank=True, help_text=_("One or two sentences shown in lists of pages.")
    )
    summary_en = models.TextField(_("summary (English)"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body (Chinese)"))
    body_en = StreamField(
        BodyBlock(),
        blank=True,
        verbose_name=_("body (English)"),
        help_text=_("Leave empty to show the Chinese text to English readers."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("kind"),
        MultiFieldPanel([FieldPanel("summary"), FieldPanel("summary_en")], heading=_("Summary")),
        FieldPanel("body"),
        FieldPanel("body_en"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("title_en"),
        index.SearchField("summary"),
        index.SearchField("summary_en"),
        index.SearchField("body"),
        index.SearchField("body_en"),
        index.FilterField("kind"),
    ]

    parent_page_types = ["theme.HomePage", "theme.ContentPage"]
    subpage_types = ["theme.ContentPage"]

    class Meta:
        verbose_name = _("standard page")

    @property
    def shows_chinese_to_english_reader(self) -> bool:
        return is_english() and not self.body_en and bool(self.body)

    def localized_body(self):
        return self.body_en if is_english() and self.body_en else self.body

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["body"] = self.localized_body()
        children = list(ContentPage.objects.live().public().child_of(self).order_by("path"))
        dated = {self.Kind.NEWS, self.Kind.NOTICE}
        if children and all(child.kind in dated for child in children):
            # A news or notice index reads newest first; other indexes keep the editors' order.
            children.sort(
                key=lambda child: child.first_published_at.timestamp() if child.first_published_at else 0,
                reverse=True,
            )
        context["children"] = children
        context["ancestors"] = list(self.get_ancestors().filter(depth__gt=1).specific())
        return context


def body_fields():
    return (
        StreamField(BodyBlock(), blank=True, verbose_name=_("body (Chinese)")),
        StreamField(
            BodyBlock(),
            blank=True,
            verbose_name=_("body (English)"),
            help_text=_("Leave empty to show the Chinese text to English readers."),
        ),
    )


class BodyMixin:
    """Pages with a Chinese `body` and an optional English `body_en`."""

    @property
    def shows_chinese_to_english_reader(self) -> bool:
        return is_english() and not self.body_en and bool(self.body)

    def localized_body(self):
        return self.body_en if is_english() and self.body_en else self.body


PAGE_SIZE = 10


class NewsIndexPage(Page):
    """News and notices (新闻与公告), newest first, ten to a page."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        MultiFieldPanel([FieldPanel("intro"), FieldPanel("intro_en")], heading=_("Introduction")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("title_en")]
    parent_page_types = ["theme.HomePage"]
    subpage_types = ["theme.NewsPage", "theme.NoticePage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = NewsPage.objects.live().public().child_of(self).order_by("-date", "-pk").specific()
        context["items"] = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
        context["ancestors"] = list(self.get_ancestors().filter(depth__gt=1).specific())
        return context


class NewsPage(BodyMixin, Page):
    """A news item: a date, a summary for the lists and the home page, and the text."""

    date = models.DateField(_("date"), default=timezone.localdate)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary = models.TextField(_("summary (Chinese)"), blank=True, help_text=_("One or two sentences shown in lists."))
    summary_en = models.TextField(_("summary (English)"), blank=True)
    body, body_en = body_fields()

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("date"),
        MultiFieldPanel([FieldPanel("summary"), FieldPanel("summary_en")], heading=_("Summary")),
        FieldPanel("body"),
        FieldPanel("body_en"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("title_en"),
        index.SearchField("summary"),
        index.SearchField("summary_en"),
        index.SearchField("body"),
        index.SearchField("body_en"),
        index.FilterField("date"),
    ]
    parent_page_types = ["theme.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news item")

    @property
    def is_notice(self) -> bool:
        return False

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["body"] = self.localized_body()
        context["ancestors"] = list(self.get_ancestors().filter(depth__gt=1).specific())
        return context


class NoticePage(NewsPage):
    """An announcement (公告): listed with the news, and shown on the home page from its date until its
    "until" date (inclusive; for good when empty)."""

    class Importance(models.TextChoices):
        NORMAL = "normal", _("Normal")
        IMPORTANT = "important", _("Important")
        URGENT = "urgent", _("Urgent")

    until = models.DateField(
        _("shown until"), null=True, blank=True, help_text=_("The last day it is shown on the home page.")
    )
    importance = models.CharField(_("importance"), max_length=16, choices=Importance.choices, default="normal")

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("until"), FieldPanel("importance")]),
        MultiFieldPanel([FieldPanel("summary"), FieldPanel("summary_en")], heading=_("Summary")),
        FieldPanel("body"),
        FieldPanel("body_en"),
    ]
    parent_page_types = ["theme.NewsIndexPage"]
    subpage_types = []

    template = "theme/news_page.html"

    class Meta:
        verbose_name = _("notice")

    @property
    def is_notice(self) -> bool:
        return True

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.date <= today and (self.until is None or self.until >= today)

    @classmethod
    def current(cls):
        today = timezone.localdate()
        rank = Case(
            When(importance=cls.Importance.URGENT, then=Value(0)),
            When(importance=cls.Importance.IMPORTANT, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return (
            cls.objects.live()
            .public()
            .filter(date__lte=today)
            .filter(Q(until__isnull=True) | Q(until__gte=today))
            .annotate(rank=rank)
            .order_by("rank", "-date", "-pk")
        )


CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def cjk_bigrams(text: str) -> str:
    """Chinese runs split into overlapping two-character words ("增值税发票" → "增值 值税 税发 发票"), so a
    full-text index that splits words at spaces finds a two-character word inside a sentence; other text is
    kept as it is."""

    def split(match):
        run = match.group(0)
        if len(run) == 1:
            return f" {run} "
        return " " + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + " "

    return re.sub(r"\s+", " ", CJK.sub(split, text)).strip()


def stream_text(stream) -> str:
    """The plain text of a StreamField's blocks (headings, paragraphs, callouts), without rendering them."""
    texts: list[str] = []

    def walk(value):
        if isinstance(value, str):
            texts.append(strip_tags(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in ("tone", "image", "alt_text", "decorative"):
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for block in stream.raw_data:
        walk(block.get("value"))
    return " ".join(texts)


class HelpIndexPage(Page):
    """The help centre (服务知识库): its categories with their articles, and a search over the articles."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        MultiFieldPanel([FieldPanel("intro"), FieldPanel("intro_en")], heading=_("Introduction")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("title_en")]
    parent_page_types = ["theme.HomePage"]
    subpage_types = ["theme.HelpCategoryPage"]
    max_count = 1

    class Meta:
        verbose_name = _("help centre")

    def search_articles(self, query: str):
        articles = HelpArticlePage.objects.live().public().descendant_of(self)
        return list(articles.search(cjk_bigrams(query), operator="and"))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        query = request.GET.get("q", "").strip()[:100]
        context["query"] = query
        if query:
            context["results"] = self.search_articles(query)
        categories = list(HelpCategoryPage.objects.live().public().child_of(self).order_by("path"))
        articles = HelpArticlePage.objects.live().public().descendant_of(self).order_by("path")
        by_parent: dict[str, list] = {}
        for article in articles:
            by_parent.setdefault(article.path[: -Page.steplen], []).append(article)
        for category in categories:
            category.articles = by_parent.get(category.path, [])
        context["categories"] = categories
        context["ancestors"] = list(self.get_ancestors().filter(depth__gt=1).specific())
        return context


class HelpCategoryPage(Page):
    """A group of help articles, e.g. "Account and sign-in"."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        MultiFieldPanel([FieldPanel("summary"), FieldPanel("summary_en")], heading=_("Summary")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("title_en")]
    parent_page_types = ["theme.HelpIndexPage"]
    subpage_types = ["theme.HelpArticlePage"]

    class Meta:
        verbose_name = _("help category")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = list(HelpArticlePage.objects.live().public().child_of(self).order_by("path"))
        context["ancestors"] = list(self.get_ancestors().filter(depth__gt=1).specific())
        return context


class HelpArticlePage(BodyMixin, Page):
    """One help article, in Chinese and English, found by the help centre's search."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    body, body_en = body_fields()

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        MultiFieldPanel([FieldPanel("summary"), FieldPanel("summary_en")], heading=_("Summary")),
        FieldPanel("body"),
        FieldPanel("body_en"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("title_en", boost=2),
        index.SearchField("summary"),
        index.SearchField("summary_en"),
        index.SearchField("body"),
        index.SearchField("body_en"),
        index.SearchField("search_words"),
    ]
    parent_page_types = ["theme.HelpCategoryPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("help article")

    def search_words(self) -> str:
        """The Chinese text as two-character words (see cjk_bigrams), for the search index."""
        return cjk_bigrams(" ".join([self.title, self.summary, stream_text(self.body)]))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["body"] = self.localized_body()
        context["ancestors"] = list(self.get_ancestors().filter(depth__gt=1).specific())
        context["siblings"] = list(
            HelpArticlePage.objects.live().public().sibling_of(self, inclusive=False).order_by("path")
        )
        return context


class ContactFormField(AbstractFormField):
    page = ParentalKey("ContactPage", on_delete=models.CASCADE, related_name="form_fields")
    label_en = models.CharField(_("label (English)"), max_length=255, blank=True)
    help_text_en = models.CharField(_("help text (English)"), max_length=255, blank=True)

    panels = [
        FieldPanel("label"),
        FieldPanel("label_en"),
        FieldPanel("help_text"),
        FieldPanel("help_text_en"),
        FieldPanel("required"),
        FieldPanel("field_type", classname="formbuilder-type"),
        FieldPanel("choices", classname="formbuilder-choices"),
        FieldPanel("default_value", classname="formbuilder-default"),
    ]


class ContactPage(AbstractEmailForm):
    """Contact details from the site settings and a contact form. Submissions are stored (see the page's
    submissions in /cms/) and, when "to address" is filled, e-mailed through the configured mail backend."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    thank_you_text = models.TextField(_("thank-you text (Chinese)"), blank=True)
    thank_you_text_en = models.TextField(_("thank-you text (English)"), blank=True)

    content_panels = [
        FormSubmissionsPanel(),
        *AbstractEmailForm.content_panels,
        FieldPanel("title_en"),
        MultiFieldPanel([FieldPanel("intro"), FieldPanel("intro_en")], heading=_("Introduction")),
        InlinePanel("form_fields", label=_("Form fields")),
        MultiFieldPanel([FieldPanel("thank_you_text"), FieldPanel("thank_you_text_en")], heading=_("After sending")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("E-mail"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("title_en")]
    parent_page_types = ["theme.HomePage"]
    subpage_types = []
    max_count = 1
    template = "theme/contact_page.html"
    landing_page_template = "theme/contact_page_landing.html"

    class Meta:
        verbose_name = _("contact page")

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        for form_field in form.fields.values():
            if form_field.widget.__class__.__name__ == "Textarea":
                form_field.widget.attrs["rows"] = 5
        if is_english():
            for field in self.get_form_fields():
                form_field = form.fields.get(field.clean_name)
                if form_field is not None:
                    form_field.label = field.label_en or field.label
                    form_field.help_text = field.help_text_en or field.help_text
        return form

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["ancestors"] = list(self.get_ancestors().filter(depth__gt=1).specific())
        return context


SETTINGS_CACHE_KEY = "theme:portal-settings"


@register_setting(icon="site")
class PortalSettings(BaseGenericSetting):
    """The group's name, contact details, logo and footer, shown in the layout of every page.

    One set for the whole portal (it serves one site): a generic setting, not a per-site one, whose menu
    entry in /cms/ costs no query of its own (a per-site setting looks up site permissions on every
    back-office page)."""

    group_name = models.CharField(_("group name (Chinese)"), max_length=100, blank=True)
    group_name_en = models.CharField(_("group name (English)"), max_length=100, blank=True)
    phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("address (Chinese)"), max_length=255, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=255, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown in the header instead of the portal's mark; about 32 pixels high."),
    )
    footer_text = models.CharField(_("footer text (Chinese)"), max_length=255, blank=True)
    footer_text_en = models.CharField(_("footer text (English)"), max_length=255, blank=True)
    icp_number = models.CharField(
        _("ICP licence number"), max_length=64, blank=True, help_text=_("备案号, e.g. 沪ICP备12345678号-1.")
    )
    show_prices_to_anonymous = models.BooleanField(
        _("show list prices to visitors who are not logged in"),
        default=False,
        help_text=_("Off: the shop shows items without prices until a customer logs in."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("group_name"), FieldPanel("group_name_en"), FieldPanel("logo")], heading=_("Group")
        ),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("address"), FieldPanel("address_en")],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [FieldPanel("footer_text"), FieldPanel("footer_text_en"), FieldPanel("icp_number")], heading=_("Footer")
        ),
        MultiFieldPanel([FieldPanel("show_prices_to_anonymous")], heading=_("Shop")),
    ]

    class Meta:
        verbose_name = _("portal settings")

    def as_dict(self) -> dict:
        """Plain values for the layout's cache (no lazy queries)."""
        data = {
            name: getattr(self, name)
            for name in (
                "group_name", "group_name_en", "phone", "email", "address", "address_en", "footer_text",
                "footer_text_en", "icp_number", "show_prices_to_anonymous",
            )
        }  # fmt: skip
        data["logo_url"] = ""
        if self.logo_id:
            rendition = self.logo.get_rendition("height-64")
            data["logo_url"] = rendition.url
        return data

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.set(SETTINGS_CACHE_KEY, self.as_dict(), None)
