"""Notification kinds about bank details (imported by BankingConfig.ready). Parameters: partner (its name), actor
(who acted), scope (the company or "all companies"), last4 (the new account's last four digits), reason."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

# the e-mail preference group "Statements, invoices and payments"
GROUP = "settlement"

CHANGE_REQUESTED = "banking.change_requested"
CHANGE_AWAITING_APPROVAL = "banking.change_awaiting_approval"
CHANGE_APPROVED = "banking.change_approved"
CHANGE_REJECTED = "banking.change_rejected"
CHANGE_WITHDRAWN = "banking.change_withdrawn"

# Told at once to every administrator of the supplier: a takeover of one admin account cannot redirect payments
# without the others hearing of it.
register_kind(
    CHANGE_REQUESTED,
    title=_("A change of bank details was requested for %(partner)s"),
    body=_(
        "A change of the bank account of %(partner)s (%(scope)s) to an account ending in %(last4)s was requested "
        "by %(actor)s. The current account stays in force until the group's finance department approves the "
        "change. If this was not you or a colleague you trust, contact the group's finance department or your "
        "buyer at once."
    ),
    group=GROUP,
)
# Told to the finance staff who decide.
register_kind(
    CHANGE_AWAITING_APPROVAL,
    title=_("Bank details change of %(partner)s awaits approval"),
    body=_("%(actor)s of %(partner)s requested a new bank account (%(scope)s). Compare and decide in the back office."),
    group=GROUP,
)
register_kind(
    CHANGE_APPROVED,
    title=_("The new bank account of %(partner)s was approved"),
    body=_("%(actor)s approved the account ending in %(last4)s (%(scope)s). Payments go to it from now on."),
    group=GROUP,
)
register_kind(
    CHANGE_REJECTED,
    title=_("The bank details change of %(partner)s was rejected"),
    body=_("%(actor)s rejected the account ending in %(last4)s (%(scope)s): %(reason)s. The current account stays."),
    group=GROUP,
)
register_kind(
    CHANGE_WITHDRAWN,
    title=_("A bank details change of %(partner)s was withdrawn"),
    body=_(
        "%(actor)s withdrew the request for the account ending in %(last4)s (%(scope)s). The current account stays."
    ),
    group=GROUP,
)
