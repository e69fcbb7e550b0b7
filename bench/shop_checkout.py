"""Checkout of a 50-line cart, on PostgreSQL: the server's time for the submit request.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal .venv/bin/python bench/shop_checkout.py \
        [--lines 50] [--repeat 30]

Builds a throw-away database (bench_shop_checkout) with one selling company, `--lines` sellable items with list
prices (half of them with a quantity break) and customer prices for every fifth, a customer account with credit,
receivables from the ERP, a ship-to address and invoicing details, and the customer's sales person logged in.
Each run fills the cart with the lines (not timed), then times POST /shop/cart/checkout/submit/ through Django's
test client in this process (the whole request: middleware, session, the view, `checkout_submit` re-resolving
every price, the credit check under the account's row lock, the order and its lines, the history, the outbox event
and the notifications, and the commit; e-mails and the confirmation PDF are queued for Celery as in production,
not rendered in the request) and counts its SQL queries. Reports p50/p95 of the server time.
Budget (issue 7): < 300 ms. Appends to bench/results/shop_checkout.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_shop_checkout")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "shop_checkout.md"
BUDGET_MS = 300


def build(line_count: int):
    from django.utils import timezone

    from portal.organisations.models import StaffRole
    from selfservice.orders.models import CustomerBalance
    from tests.conftest import login
    from tests.factories import CompanyFactory, MembershipFactory, UserFactory
    from tests.factories.orders import customer_account, invoicing_details, price_item, sellable_item, ship_to_address

    company = CompanyFactory(code="SH01", currency="CNY")
    account = customer_account(company, credit_limit="100000000.00")
    CustomerBalance.objects.create(
        customer_account=account, open_receivables=Decimal("250000.00"), currency="CNY", as_of=timezone.now()
    )
    for number in range(3):
        StaffRole.objects.create(user=UserFactory(email=f"sales{number}@sh01.test"), company=company, role="sales")
    items = []
    for number in range(line_count):
        item = sellable_item(code=f"BENCH-{number:04d}")
        price_item(company, item, Decimal("100.00") + number)
        if number % 2:
            price_item(company, item, Decimal("95.00") + number, min_quantity=10)
        if number % 5 == 0:
            price_item(company, item, Decimal("90.00") + number, customer=account.partner)
        items.append(item)
    address = ship_to_address(account.partner)
    invoicing_details(account.partner)
    user = MembershipFactory(
        partner=account.partner, user=UserFactory(email="buyer@customer.test"), roles=["sales"]
    ).user
    client = login(Client(), user)
    return client, user, account, company, items, address


def fill_cart(user, account, company, items) -> dict[str, str]:
    """The cart's lines (quantities 1 … 20) and the prices the checkout page would post back."""
    from catalog.pricing.selectors import resolve_prices_many
    from selfservice.cart.models import Cart, CartLine

    cart, _created = Cart.objects.get_or_create(user=user, customer=account.partner)
    CartLine.objects.filter(cart=cart).delete()
    lines = CartLine.objects.bulk_create(
        CartLine(cart=cart, company=company, item=item, unit_id=item.base_unit_id, quantity=Decimal(1 + n % 20))
        for n, item in enumerate(items)
    )
    quotes = resolve_prices_many(
        customer=account.partner,
        company=company,
        items_with_quantities=[(line.item, line.quantity, line.unit_id) for line in lines],
    )
    return {f"price-{line.uuid}": str(quotes[line.item_id].unit_price) for line in lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=50, help="cart lines (default 50)")
    parser.add_argument("--repeat", type=int, default=30, help="timed checkouts (default 30)")
    options = parser.parse_args()

    setup_test_environment()
    # As in production, e-mails (with the confirmation PDF) and the outbox relay run in Celery workers after the
    # commit, not in the request: queue them in memory instead of running them eagerly as the tests do.
    from portal.celery import app as celery_app

    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from selfservice.orders.models import OrderStatus, SalesOrder

        client, user, account, company, items, address = build(options.lines)
        timings: list[float] = []
        queries: list[int] = []
        for run in range(options.repeat + 3):
            prices = fill_cart(user, account, company, items)
            data = {"company": str(company.uuid), "ship_to": str(address.uuid), "choice": "credit", **prices}
            data["customer_po"] = f"PO-{run}"
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post("/shop/cart/checkout/submit/", data)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 302, (response.status_code, response.content[:2000])
            if run >= 3:  # the first requests warm up templates, caches and connections
                timings.append(elapsed)
                queries.append(len(captured))
        orders = SalesOrder.objects.filter(customer_account=account)
        submitted = orders.filter(status=OrderStatus.SUBMITTED).count()
        line_counts = {order.lines.count() for order in orders}
        assert submitted == options.repeat + 3 and line_counts == {options.lines}, (submitted, line_counts)
    finally:
        connection.close()
        connection.creation.destroy_test_db(database, verbosity=0)

    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = "\n".join(
        [
            f"### {now}: {options.lines}-line cart, {options.repeat} checkouts (PostgreSQL, in-process test client)",
            "",
            "| request | p50 ms | p95 ms | max ms | SQL queries | budget |",
            "|---|---|---|---|---|---|",
            f"| POST /shop/cart/checkout/submit/ | {p50:.0f} | {p95:.0f} | {max(timings):.0f} | "
            f"{statistics.median(queries):.0f} | < {BUDGET_MS} ms ({'ok' if p95 < BUDGET_MS else 'OVER'}) |",
            "",
        ]
    )
    print(report)
    if not RESULTS.exists():
        RESULTS.write_text("# Checkout benchmark results\n\nWritten by `bench/shop_checkout.py`; newest last.\n\n")
    with RESULTS.open("a") as results_file:
        results_file.write(report + "\n")


if __name__ == "__main__":
    main()
