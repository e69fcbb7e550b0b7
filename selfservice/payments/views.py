"""The customer's pay page (/customer/payments/<order>/), the order status it polls, and cancelling an order.

The person acts for their active membership; the order must be that customer's (404 otherwise, also for another
partner's order) and the partner an approved customer. Paying takes the role admin, sales or finance; cancelling
admin or sales (a member without the role gets 403). The browser never marks an order paid: after Stripe.js
reports success the page only polls the status endpoint until the webhook has done its work.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.core.errors import DomainError
from portal.core.scoped_views import require_membership
from portal.organisations.access import get_object_for_user
from portal.organisations.models import PartnerStatus
from selfservice.orders.cancel import CUSTOMER_ROLES, is_cancellable, order_cancel
from selfservice.orders.models import PaymentStatus, SalesOrder
from selfservice.orders.workflow import customer_order_url

from . import gateway
from .models import PaymentMethod
from .services import PAYING_ROLES, is_payable, payment_start


def _customer_order(request, order_id) -> SalesOrder:
    """The order of the customer the person acts for (404 for anyone else's, or when not acting for a customer)."""
    membership = require_membership(request)
    partner = membership.partner
    if not partner.is_customer or partner.status != PartnerStatus.APPROVED:
        raise Http404
    queryset = SalesOrder.objects.filter(customer_id=partner.pk).select_related("company", "customer")
    return get_object_for_user(queryset, request.user, order_id)


def _require_role(request, order: SalesOrder, roles) -> None:
    if not set(roles) & set(request.membership.roles or ()):
        raise PermissionDenied


@login_required
@require_GET
def pay(request, order_id):
    order = _customer_order(request, order_id)
    _require_role(request, order, PAYING_ROLES)
    context = {
        "order": order,
        "order_url": customer_order_url(order),
        "may_cancel": is_cancellable(order) and bool(set(CUSTOMER_ROLES) & set(request.membership.roles or ())),
        "start": None,
        "problem": "",
        "is_paid": order.payment_status in (PaymentStatus.PAID, PaymentStatus.REFUNDED),
    }
    if is_payable(order):
        try:
            context["start"] = payment_start(actor=request.user, order=order)
        except DomainError as error:
            context["problem"] = error.message
    response = TemplateResponse(request, "selfservice/payments/pay.html", context)
    start = context["start"]
    if start is not None and start.setup.method == PaymentMethod.STRIPE and not start.is_confirming:
        context.update(
            {
                "stripe_js_url": settings.STRIPE_JS_URL,
                "publishable_key": start.setup.stripe_publishable_key,
                "client_secret": start.client_secret,
            }
        )
        response.headers["Content-Security-Policy"] = gateway.pay_page_csp(settings.CONTENT_SECURITY_POLICY)
    # The client secret is on the page: never keep it in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def order_status(request, order_id):
    """What the pay page polls after the card was accepted: the order's status, as the server knows it."""
    order = _customer_order(request, order_id)
    _require_role(request, order, PAYING_ROLES)
    return JsonResponse(
        {
            "status": order.status,
            "status_label": order.get_status_display(),
            "payment_status": order.payment_status,
            "payment_status_label": order.get_payment_status_display(),
            "is_paid": order.payment_status == PaymentStatus.PAID,
            "order_url": customer_order_url(order),
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
@require_POST
def cancel(request, order_id):
    order = _customer_order(request, order_id)
    _require_role(request, order, CUSTOMER_ROLES)
    try:
        order_cancel(actor=request.user, order=order, reason=request.POST.get("reason", ""), request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Order %(order)s is cancelled.") % {"order": order.number})
    return redirect(customer_order_url(order))
