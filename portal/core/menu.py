"""Back-office menu items shown only to the people they are for. https://docs.wagtail.org/en/stable/reference/hooks.html"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wagtail.admin.menu import MenuItem

from portal.organisations.access import scope_of


def is_staff(user: Any) -> bool:
    return scope_of(user).is_staff


def is_group_admin(user: Any) -> bool:
    return scope_of(user).is_group_admin


class ShownToMenuItem(MenuItem):
    """`ShownToMenuItem(label, url, shown_to=is_group_admin, name=…, icon_name=…, order=…)`."""

    def __init__(self, *args: Any, shown_to: Callable[[Any], bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown_to = shown_to

    def is_shown(self, request) -> bool:
        return self.shown_to(request.user)
