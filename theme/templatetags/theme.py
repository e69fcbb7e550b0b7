"""Template helpers of the base layout: capture a block to test whether it is empty, pick the text of the
active language, mark the current navigation entry."""

from django import template
from django.urls import Resolver404, resolve
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.models import Page

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, variable: str) -> None:
        self.nodelist = nodelist
        self.variable = variable

    def render(self, context: template.Context) -> str:
        # The nodelist is template output, already escaped by the engine.
        context[self.variable] = mark_safe(self.nodelist.render(context).strip())
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """`{% capture as name %}…{% endcapture %}` renders its content (blocks included) into `name`, stripped,
    so the layout can leave out a page header or sidebar that a page does not fill."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


def is_english() -> bool:
    return (get_language() or "").lower().startswith("en")


@register.filter
def localized(obj, field: str):
    """`{{ page|localized:"title" }}`: the `<field>_en` value in English when filled, else `<field>`.

    Works on model instances and on StreamField struct values (dict-like)."""

    def read(name):
        if isinstance(obj, dict) or hasattr(obj, "keys"):
            try:
                return obj[name]
            except KeyError:
                return None
        return getattr(obj, name, None)

    if is_english():
        english = read(f"{field}_en")
        if english and str(english).strip():
            return english
    return read(field)


@register.filter
def localized_name(obj):
    """A partner's or company's name in the active language (`name_en` in English when filled)."""
    if obj is None:
        return ""
    if is_english() and getattr(obj, "name_en", ""):
        return obj.name_en
    return getattr(obj, "name", str(obj))


@register.filter
def is_served(path: str) -> bool:
    """True when a workspace's URL space has a view of its own yet (not Wagtail's catch-all page server), so
    the navigation never offers a link that ends in 404 while that workspace is still being built."""
    try:
        return resolve(path).url_name != "wagtail_serve"
    except Resolver404:
        return False


@register.filter
def is_live_link(url: str) -> bool:
    """An editor's link leads somewhere: external addresses are trusted; a path on this site must have a view
    of its own or be a live Wagtail page (so a call to action never points at a workspace not built yet)."""
    if not url or not url.startswith("/"):
        return bool(url)
    if is_served(url):
        return True
    return Page.objects.live().filter(url_path__endswith=url if url.endswith("/") else f"{url}/").exists()


@register.filter
def is_current(path: str, prefix: str) -> bool:
    """True when the request path is inside the navigation entry's URL space."""
    if not path or not prefix:
        return False
    if prefix == "/":
        return path == "/"
    return path.startswith(prefix)


@register.filter
def allauth_button_class(attrs) -> str:
    """Our button classes for allauth's `{% element button %}` tags.

    allauth tags buttons by intent (prominent, primary, outline, secondary, danger, link, tool, panel).
    A form's own untagged submit button is its main action, so it is primary too."""
    tags = set(attrs.get("tags") or [])
    classes = ["btn"]
    if "danger" in tags:
        classes.append("btn-danger")
    elif "link" in tags:
        classes.append("btn-link")
    elif tags & {"prominent", "primary"} and "outline" not in tags:
        classes.append("btn-primary")
    elif not tags and not attrs.get("href"):
        classes.append("btn-primary")
    if "tool" in tags:
        classes.append("btn-sm")
    return " ".join(classes)
