"""A customer's credit at one selling company (信用额度): the limit, less what its open orders and its open
receivables (the ERP's figure) already use, plus any special approval (特批) still in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Max, Sum
from django.utils import timezone

from portal.organisations.models import CustomerAccount

from .models import CreditApproval, CustomerBalance, OrderStatus, PaymentStatus, SalesOrder

ZERO = Decimal("0.00")
# Orders that use credit: on account and not yet invoiced (the ERP's receivables take over from there). Prepaid
# orders do not use credit; orders on credit hold would use it once released.
CREDIT_USING = (OrderStatus.SUBMITTED, OrderStatus.CONFIRMED)


@dataclass(frozen=True)
class CreditPosition:
    currency: str
    limit: Decimal
    open_orders: Decimal
    receivables: Decimal
    receivables_as_of: datetime | None
    approved_extra: Decimal  # special approvals in force now
    approval_until: datetime | None  # the latest end of those

    @property
    def available(self) -> Decimal:
        return self.limit + self.approved_extra - self.open_orders - self.receivables

    def allows(self, amount: Decimal) -> bool:
        """Within the limit: the amount fits what is available (exactly reaching the limit is allowed)."""
        return amount <= self.available


def credit_position(
    account: CustomerAccount, *, now: datetime | None = None, exclude_order: Any = None
) -> CreditPosition:
    """Three queries. `exclude_order`: leave this order out of the open orders (reviewing it against the rest)."""
    now = now or timezone.now()
    orders = SalesOrder.objects.filter(customer_account=account, status__in=CREDIT_USING).exclude(
        payment_status=PaymentStatus.PAID
    )
    if exclude_order is not None:
        orders = orders.exclude(pk=getattr(exclude_order, "pk", exclude_order))
    open_orders = orders.aggregate(total=Sum("gross_total"))["total"] or ZERO
    balance = CustomerBalance.objects.filter(customer_account=account).first()
    approvals = CreditApproval.objects.filter(customer_account=account, revoked_at__isnull=True, valid_until__gt=now)
    summary = approvals.aggregate(extra=Sum("amount"), until=Max("valid_until"))
    return CreditPosition(
        currency=account.currency,
        limit=account.credit_limit,
        open_orders=open_orders,
        receivables=balance.open_receivables if balance else ZERO,
        receivables_as_of=balance.as_of if balance else None,
        approved_extra=summary["extra"] or ZERO,
        approval_until=summary["until"],
    )
