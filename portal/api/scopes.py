"""The scopes an API client may be granted, defined once: the back office's checkboxes and the
create_api_client command both validate against this list. "*" grants every scope, present and future."""

from django.utils.translation import gettext_lazy as _

ALL_SCOPES = "*"

# scope → what it allows (in the order the back office lists them)
KNOWN_SCOPES = {
    "masterdata:read": _("Read master data (companies, partners, items …)"),
    "masterdata:write": _("Create and change master data"),
    "orders:read": _("Read orders"),
    "orders:write": _("Create and change orders"),
    "sourcing:read": _("Read RFQs, bid status (never prices before opening) and awards"),
    "sourcing:write": _("Send purchase requisitions"),
    "stock:read": _("Read finished-goods stock"),
    "stock:write": _("Send finished-goods stock"),
    ALL_SCOPES: _("Everything (every scope, including future ones)"),
}


def unknown_scopes(scopes) -> list[str]:
    """The scopes of `scopes` that are not known, sorted."""
    return sorted(set(scopes) - set(KNOWN_SCOPES))


def normalised(scopes) -> list[str]:
    """The scopes without duplicates, sorted as the model stores them."""
    return sorted(set(scopes))
