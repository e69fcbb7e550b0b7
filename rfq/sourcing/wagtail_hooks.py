"""Sourcing's back-office URLs (/cms/sourcing/…) and its menu item. https://docs.wagtail.org/en/stable/reference/hooks.html

RFQs, invitations, clarifications, rounds and the opening ceremony come from admin_urls.py; comparison and awards
from award_urls.py. Every pattern with an object id is registered for the outsider sweep (outsider.py)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.menu import ShownToMenuItem

from .access import is_sourcing_staff
from .home_panel import add_sourcing_panel


@hooks.register("register_admin_urls")
def register_sourcing_urls():
    from .admin_urls import admin_urlpatterns
    from .award_urls import award_urlpatterns

    return [path("sourcing/", include((admin_urlpatterns + award_urlpatterns, "sourcing_admin")))]


@hooks.register("register_admin_menu_item")
def sourcing_menu_item():
    return ShownToMenuItem(
        _("RFQs"),
        reverse("sourcing_admin:rfq_index"),
        shown_to=is_sourcing_staff,
        name="rfqs",
        icon_name="doc-full-inverse",
        order=240,
    )


# What waits for sourcing staff on the back office's start page (rounds to open, awards to approve, questions).
hooks.register("construct_homepage_panels", add_sourcing_panel)
