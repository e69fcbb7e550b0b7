"""Which partner a person is acting for in this request (a user may belong to several and switch)."""

from django.utils.functional import SimpleLazyObject

from .selectors import active_membership

ACTIVE_PARTNER_SESSION_KEY = "active_partner"


class ActivePartnerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(
            lambda: active_membership(request.user, request.session.get(ACTIVE_PARTNER_SESSION_KEY))
        )
        return self.get_response(request)
