"""Stripe's webhook, one URL per selling company (/webhooks/stripe/<company code>/), verified with that company's
own signing secret. https://docs.stripe.com/webhooks#verify-events

400 (nothing stored) for an unknown company, a company without Stripe, a bad or stale signature or an unreadable
body; 200 for everything verified, including events we ignore and replays (Stripe stops retrying on 2xx)."""

from __future__ import annotations

import logging

import stripe
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.organisations.models import Company

from . import gateway
from .models import PaymentSetup
from .services import stripe_event_process

logger = logging.getLogger(__name__)


def _answer(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def stripe_webhook(request, company_code: str):
    company = Company.objects.filter(code=company_code).first()
    # Any set-up with a signing secret, even one switched to bank transfer or made inactive since: events of its
    # earlier card payments (a late failure, a cancellation) must still land.
    setup = PaymentSetup.objects.filter(company=company).exclude(stripe_webhook_secret="").first() if company else None
    if setup is None:
        return _answer(400, "unknown company")
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = gateway.verify_event(setup, request.body, signature)
    except (stripe.SignatureVerificationError, ValueError):
        logger.warning("Stripe webhook for %s with a bad signature", company.code)
        return _answer(400, "bad signature")
    result = stripe_event_process(company=company, event=event)
    return _answer(result.status, result.outcome)
