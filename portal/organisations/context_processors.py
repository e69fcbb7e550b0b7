from .access import scope_of
from .selectors import memberships_of


def workspace(request):
    """What the base layout needs for its navigation: who acts, for which partner, with which roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    scope = scope_of(user)
    return {
        "workspace_memberships": memberships_of(user),
        "active_membership": membership if membership else None,
        "is_staff_user": scope.is_staff,
    }
