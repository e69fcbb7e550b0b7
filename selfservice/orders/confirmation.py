"""The order confirmation (订单确认): an e-mail to the person who placed the order and the customer's
administrators and sales people, in the order's language, with the order as a PDF attached.

Checkout schedules it after its commit (`confirmation_send_later`); a Celery task calls `confirmation_send`,
which is idempotent per (order, kind): the first run records an internal `confirmation_sent` entry in the
order's history under the order's lock, and a retry or a second task sends nothing. The PDF comes from
`order_confirmation_pdf(order, language)`, which the customer's order page also serves.
WeasyPrint: https://doc.courtbouillon.org/weasyprint/stable/
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from portal import celery_app
from theme.pdf import render_pdf

from .models import OrderEvent, SalesOrder
from .workflow import customer_order_url, customer_people, format_total, lock_order, order_log

CONFIRMATION = "confirmation"
SEND_TASK = "selfservice.cart.tasks.send_order_confirmation"
SENT_EVENT = "confirmation_sent"


def _language(order: SalesOrder, language: str | None) -> str:
    wanted = language or order.language or settings.LANGUAGE_CODE
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def order_confirmation_context(order: SalesOrder) -> dict[str, Any]:
    lines = list(order.lines.select_related("item", "unit").order_by("line_no"))
    return {"order": order, "lines": lines, "company": order.company, "customer": order.customer}


def order_confirmation_pdf(order: SalesOrder, language: str | None = None) -> bytes:
    """The order as a PDF in `language` (default: the order's own language)."""
    return render_pdf(
        "selfservice/pdf/order_confirmation.html",
        order_confirmation_context(order),
        language=_language(order, language),
    )


def confirmation_filename(order: SalesOrder) -> str:
    return f"{order.number}.pdf"


def confirmation_send_later(order_id: int, kind: str = CONFIRMATION) -> None:
    """Schedule the confirmation e-mail after the caller's commit (nothing is sent if it rolls back)."""
    transaction.on_commit(lambda: _enqueue(order_id, kind), robust=True)


def _enqueue(order_id: int, kind: str) -> None:
    # Registered by CartConfig.ready (selfservice.cart.tasks): the PDF is rendered by a worker, never in the request.
    celery_app.tasks[SEND_TASK].delay(order_id, kind)


def _recipients(order: SalesOrder) -> tuple[list[str], list[str]]:
    seen: dict[str, None] = {}
    for person in customer_people(order):
        if person is not None and person.is_active and person.email:
            seen.setdefault(person.email.lower(), None)
    emails = list(seen)
    placer = order.placed_by.email.lower() if order.placed_by_id and order.placed_by.email else None
    to = [placer] if placer in seen else emails[:1]
    return to, [email for email in emails if email not in to]


def confirmation_send(*, order_id: int, kind: str = CONFIRMATION) -> bool:
    """Send the order's confirmation e-mail once per (order, kind); True when this call sent it."""
    order = SalesOrder.objects.select_related("company", "customer", "placed_by").filter(pk=order_id).first()
    if order is None or OrderEvent.objects.filter(order=order, kind=SENT_EVENT, data__kind=kind).exists():
        return False
    language = _language(order, None)
    pdf = order_confirmation_pdf(order, language)  # before the lock: WeasyPrint takes a moment
    to, cc = _recipients(order)
    if not to:
        return False
    with transaction.atomic():
        locked = lock_order(order.pk)
        if OrderEvent.objects.filter(order=locked, kind=SENT_EVENT, data__kind=kind).exists():
            return False
        order_log(locked, SENT_EVENT, actor=None, data={"kind": kind, "to": to + cc}, internal=True)
        with translation.override(language):
            context = {
                "order": order,
                "total": format_total(order),
                "link": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + customer_order_url(order),
            }
            subject = _("Your order %(order)s at %(company)s") % {
                "order": order.number,
                "company": order.company.name,
            }
            body = render_to_string("selfservice/checkout/confirmation_email.txt", context)
        message = EmailMessage(subject, body, None, to, cc=cc)
        message.attach(confirmation_filename(order), pdf, "application/pdf")
        # Sent inside the transaction: if the mail server refuses, the claim rolls back and a retry sends again.
        message.send()
    return True
