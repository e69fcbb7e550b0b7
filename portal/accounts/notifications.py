"""Notification kinds about a partner's team (imported by AccountsConfig.ready). Parameters: partner (its name),
actor (who made the change), person (whose access changed), email (an invitee's address)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

# the e-mail preference group "My account and team" (portal.notifications.kinds)
GROUP = "account"

# Told to the person whose access changed.
register_kind(
    "team.roles_changed",
    title=_("Your roles at %(partner)s were changed"),
    body=_("%(actor)s changed your roles at %(partner)s. Your account page shows the roles you hold now."),
    group=GROUP,
)
register_kind(
    "team.deactivated",
    title=_("Your access to %(partner)s was ended"),
    body=_("%(actor)s deactivated your access to %(partner)s. Ask its administrator if this is a mistake."),
    group=GROUP,
)
register_kind(
    "team.reactivated",
    title=_("Your access to %(partner)s was restored"),
    body=_("%(actor)s restored your access to %(partner)s."),
    group=GROUP,
)
# Told to the partner's administrators when staff of the group changed their team.
register_kind(
    "team.roles_changed_by_staff",
    title=_("%(actor)s changed the roles of %(person)s"),
    body=_("%(actor)s of the group changed the roles of %(person)s at %(partner)s."),
    group=GROUP,
)
register_kind(
    "team.deactivated_by_staff",
    title=_("%(actor)s deactivated %(person)s"),
    body=_("%(actor)s of the group deactivated the access of %(person)s to %(partner)s."),
    group=GROUP,
)
register_kind(
    "team.reactivated_by_staff",
    title=_("%(actor)s restored the access of %(person)s"),
    body=_("%(actor)s of the group restored the access of %(person)s to %(partner)s."),
    group=GROUP,
)
register_kind(
    "team.member_invited",
    title=_("%(actor)s invited %(email)s to %(partner)s"),
    body=_("%(actor)s invited %(email)s to join %(partner)s. The invitation is listed on the team page."),
    group=GROUP,
)
