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


class SiteInfo:
    """The portal settings' values in the active language, for the layout."""

    def __init__(self, data: dict) -> None:
        self.data = data or {}

    def _pick(self, name: str) -> str:
        if is_english() and self.data.get(f"{name}_en"):
            return self.data[f"{name}_en"]
        return self.data.get(name, "")

    @property
    def group_name(self) -> str:
        return self._pick("group_name")

    @property
    def address(self) -> str:
        return self._pick("address")

    @property
    def footer_text(self) -> str:
        return self._pick("footer_text")

    def __getattr__(self, name: str):
        if name in ("phone", "email", "icp_number", "logo_url"):
            return self.data.get(name, "")
        raise AttributeError(name)


@register.simple_tag(takes_context=True)
def site_info(context) -> SiteInfo:
    """`{% site_info as group_info %}`: the group's name, contact details, logo and footer (theme.PortalSettings).

    A Wagtail page reads them from the database (one or two queries) and refreshes the cache; every other
    page only reads the cache (saving the settings fills it too), so the workspaces' pinned query counts do
    not change and the error pages need no database."""
    from django.core.cache import cache
    from django.db import DatabaseError

    from theme.models import SETTINGS_CACHE_KEY, PortalSettings

    request = context.get("request")
    if request is not None and isinstance(context.get("page"), Page):
        cached = getattr(request, "_portal_site_info", None)
        if cached is not None:
            return cached
        try:
            data = PortalSettings.load(request_or_site=request).as_dict()
        except DatabaseError:
            data = {}
        else:
            cache.set(SETTINGS_CACHE_KEY, data, None)
        request._portal_site_info = SiteInfo(data)
        return request._portal_site_info
    try:
        return SiteInfo(cache.get(SETTINGS_CACHE_KEY))
    except Exception:  # a cache that is down must not take the error pages with it
        return SiteInfo({})
