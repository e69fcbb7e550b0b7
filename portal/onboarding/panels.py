"""Dashboard panels: the applicant's pending registration or request to join ("pending approval"), and the
requests to join that a partner administrator has to decide. One query each, whatever the number of rows."""

from portal.core.panels import Panel
from portal.core.registry import dashboard_panels
from portal.organisations.models import PartnerRole

from .models import JoinRequest, JoinRequestStatus, Registration, RegistrationStatus


@dashboard_panels.register("onboarding.pending_registration")
class PendingRegistrationPanel(Panel):
    template_name = "onboarding/panels/pending_registration.html"
    order = 5
    workspace = "account"

    def _rows(self, request):
        if not hasattr(self, "_cached"):
            user = request.user
            if user.is_authenticated:
                registrations = list(
                    Registration.objects.filter(applicant=user, status=RegistrationStatus.PENDING)
                    .select_related("partner")
                    .order_by("created_at")[:5]
                )
                join_requests = list(
                    JoinRequest.objects.filter(user=user, status=JoinRequestStatus.PENDING)
                    .select_related("partner")
                    .order_by("created_at")[:5]
                )
                self._cached = (registrations, join_requests)
            else:
                self._cached = ([], [])
        return self._cached

    def is_shown(self, request) -> bool:
        registrations, join_requests = self._rows(request)
        return bool(registrations or join_requests)

    def get_context(self, request) -> dict:
        registrations, join_requests = self._rows(request)
        return {"registrations": registrations, "join_requests": join_requests}


class JoinRequestsToDecidePanel(Panel):
    template_name = "onboarding/panels/join_requests.html"
    order = 20

    def _count(self, request):
        if not hasattr(self, "_cached"):
            membership = request.membership
            if membership and membership.has_role(PartnerRole.ADMIN):
                self._cached = JoinRequest.objects.filter(
                    partner_id=membership.partner_id, status=JoinRequestStatus.PENDING
                ).count()
            else:
                self._cached = 0
        return self._cached

    def is_shown(self, request) -> bool:
        return self._count(request) > 0

    def get_context(self, request) -> dict:
        return {"count": self._count(request), "partner": request.membership.partner}


@dashboard_panels.register("onboarding.join_requests")
class AccountJoinRequestsPanel(JoinRequestsToDecidePanel):
    workspace = "account"


@dashboard_panels.register("onboarding.join_requests_supplier")
class SupplierJoinRequestsPanel(JoinRequestsToDecidePanel):
    workspace = "supplier"


@dashboard_panels.register("onboarding.join_requests_customer")
class CustomerJoinRequestsPanel(JoinRequestsToDecidePanel):
    workspace = "customer"
