"""Notification kinds of sourcing (imported by SourcingConfig.ready). Parameters: rfq (its number), title, company,
deadline (formatted in the recipient's zone by the sender: an ISO instant is also passed as deadline_iso), round,
version, reason."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

GROUP = "sourcing"

INVITED = "sourcing.invited"
REMINDER = "sourcing.reminder"
AMENDED = "sourcing.amended"
ANSWERED = "sourcing.answered"
QUESTION_ASKED = "sourcing.question_asked"
ROUND_OPENED = "sourcing.round_opened"
NEW_ROUND = "sourcing.new_round"
OPENING_SIGNED = "sourcing.opening_signed"
AWARD_PENDING = "sourcing.award_pending"
AWARD_REJECTED = "sourcing.award_rejected"
AWARDED = "sourcing.awarded"
REGRET = "sourcing.regret"
INVITATION_DECLINED = "sourcing.declined"

register_kind(
    INVITED,
    title=_("Invitation to quote: %(rfq)s %(title)s"),
    body=_("%(company)s invites you to quote for %(rfq)s “%(title)s”. Bids close on %(deadline)s."),
    group=GROUP,
)
register_kind(
    REMINDER,
    title=_("%(rfq)s closes on %(deadline)s"),
    body=_("You have not submitted a bid for %(rfq)s “%(title)s” yet. Bids after the deadline are refused."),
    group=GROUP,
)
register_kind(
    AMENDED,
    title=_("%(rfq)s was amended (version %(version)s)"),
    body=_("%(summary)s Bids close on %(deadline)s. A bid submitted on an earlier version must be confirmed again."),
    group=GROUP,
)
register_kind(
    ANSWERED,
    title=_("New clarification for %(rfq)s"),
    body=_("The buyer answered a question about %(rfq)s “%(title)s”. Every invited supplier sees the answer."),
    group=GROUP,
)
register_kind(
    QUESTION_ASKED,
    title=_("A supplier asked about %(rfq)s"),
    body=_("%(supplier)s asked a question about %(rfq)s “%(title)s”. Your answer goes to every invited supplier."),
    group=GROUP,
)
register_kind(
    ROUND_OPENED,
    title=_("Bids for %(rfq)s were opened"),
    body=_("Round %(round)s of %(rfq)s “%(title)s” was opened in the presence of two sourcing managers."),
    group=GROUP,
)
register_kind(
    NEW_ROUND,
    title=_("New bidding round for %(rfq)s"),
    body=_("You are invited to round %(round)s of %(rfq)s “%(title)s”. Bids close on %(deadline)s."),
    group=GROUP,
)
register_kind(
    OPENING_SIGNED,
    title=_("Round %(round)s of %(rfq)s waits for a second opener"),
    body=_("%(actor)s started opening round %(round)s of %(rfq)s. A second sourcing manager must open it too."),
    group=GROUP,
)
register_kind(
    AWARD_PENDING,
    title=_("Award for %(rfq)s awaits your approval"),
    body=_("%(actor)s proposes an award of %(amount)s for %(rfq)s “%(title)s”."),
    group=GROUP,
)
register_kind(
    AWARD_REJECTED,
    title=_("The award for %(rfq)s was sent back"),
    body=_("%(actor)s did not approve the award for %(rfq)s: %(reason)s"),
    group=GROUP,
)
register_kind(
    AWARDED,
    title=_("You were awarded %(rfq)s"),
    body=_("%(company)s awarded you lines of %(rfq)s “%(title)s”. The award letter is on the RFQ's page."),
    group=GROUP,
)
register_kind(
    REGRET,
    title=_("%(rfq)s was awarded to another supplier"),
    body=_("Thank you for your bid for %(rfq)s “%(title)s”. This time %(company)s awarded it elsewhere."),
    group=GROUP,
)
register_kind(
    INVITATION_DECLINED,
    title=_("%(supplier)s declined %(rfq)s"),
    body=_("Reason: %(reason)s"),
    group=GROUP,
)
