from django import template

from portal.organisations.models import PartnerRole

register = template.Library()


@register.filter
def partner_role_labels(roles) -> str:
    """["admin", "sales"] → "Administrator, Sales" in the active language, in the roles' canonical order."""
    labels = dict(PartnerRole.choices)
    return ", ".join(str(labels[role]) for role in PartnerRole.values if role in (roles or ()))
