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
            self._cached = (
                list(
                    Registration.objects.filter(applicant=user, status=RegistrationStatus.PENDING)
                    .select_related("partner")
                    .order_by("created_at")[:5]
                )
                if user.is_authenticated
                else []
            )
        return self._cached

    def is_shown(self, request) -> bool:
        return bool(self._rows(request))

    def get_context(self, request) -> dict:
        return {"registrations": self._rows(request)}


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
