"""Wagtail content pages: the portal's home page and simple content pages (news, notices, help).

The portal is bilingual without Wagtail's page-per-locale translations (those would put the language in the
URL, while the portal keeps it in the person's profile and a cookie). So each visible text has a Chinese
field (the default) and an optional `_en` twin; templates pick with `{{ page|localized:"title" }}`, which
falls back to Chinese when the English text is empty.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
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
    subpage_types = ["theme.ContentPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def latest_news(self, limit: int = 5):
        """Live news and notices below this page, newest first (one query)."""
        return (
            ContentPage.objects.live()
            .public()
            .descendant_of(self)
            .filter(kind__in=[ContentPage.Kind.NEWS, ContentPage.Kind.NOTICE])
            .order_by("-first_published_at")[:limit]
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news"] = list(self.latest_news())
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
        verbose_name = _("content page")

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
