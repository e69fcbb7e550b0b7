"""How the simulated ERP hears about prepayments: `order.paid` (it would book the receipt against the order) and
`order.cancelled` (a cancelled order paid by bank transfer says `payment.refund == "refund_due"`: it would pay the
customer back; a card payment was already refunded through Stripe)."""

from __future__ import annotations

import logging
from typing import Any

from portal.core.registry import erp_simulator

logger = logging.getLogger("portal.erpsim")


@erp_simulator.register("order.paid")
def order_paid(event: dict[str, Any], api: Any) -> None:
    order = event.get("data") or {}
    logger.info(
        "ERP simulator: would book the prepayment of %s (%s %s)",
        order.get("number"),
        order.get("currency"),
        order.get("gross_total"),
    )


@erp_simulator.register("order.cancelled")
def order_cancelled(event: dict[str, Any], api: Any) -> None:
    order = event.get("data") or {}
    payment = order.get("payment") or {}
    if payment.get("refund") == "refund_due":
        logger.info(
            "ERP simulator: would pay back %s %s of %s to the customer (bank transfer %s)",
            payment.get("currency"),
            payment.get("amount"),
            order.get("number"),
            payment.get("reference"),
        )
    else:
        logger.info("ERP simulator: would cancel sales order %s (%s)", order.get("number"), order.get("reason"))
