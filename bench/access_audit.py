"""Access layer and audit chain at group scale, on PostgreSQL.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal .venv/bin/python bench/access_audit.py \
        [--partners 5000] [--events 20000]

Builds a throw-away database (bench_portal) with two companies, N partners (half trading with company A), a
member per partner and E audit events, then measures, bounded in count:
  - the scope of a company buyer and of a partner member (queries per request: computed once, cached),
  - `Partner.objects.visible_to(buyer)` first page of 50 and its COUNT, and the same for a partner member,
  - GET /cms/partners/ for the buyer and GET /account/team/ for the partner admin (test client, p50/p95),
  - the sealer's throughput (events sealed per second) and verify_audit's (events checked per second).
Appends a Markdown table to bench/results/access_audit.md. Budgets are for this 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_portal")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "access_audit.md"
BUDGETS = {
    "visible_to page (buyer)": 50,
    "visible_to page (member)": 20,
    "GET /cms/partners/ p95": 400,
    "GET /account/team/ p95": 200,
}
SEAL_BUDGET_PER_S = 2000
VERIFY_BUDGET_PER_S = 5000


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]


def build(partners: int, events: int):
    from allauth.account.models import EmailAddress

    from portal.audit.models import AuditEvent
    from portal.organisations.models import (
        Company,
        Membership,
        Partner,
        StaffRole,
        SupplierAccount,
    )
    from tests.conftest import login
    from tests.factories import UserFactory

    company_a = Company.objects.create(code="SH01", name="上海钢铁", ledger_code="L1")
    company_b = Company.objects.create(code="WH02", name="武汉机械", ledger_code="L2")
    rows = Partner.objects.bulk_create(
        Partner(name=f"供应商{n:05d}有限公司", tax_id=f"91310000MA{n:08d}", is_supplier=True, status="approved")
        for n in range(partners)
    )
    SupplierAccount.objects.bulk_create(
        SupplierAccount(partner=partner, company=company_a if n % 2 else company_b, erp_number=f"V{n:06d}")
        for n, partner in enumerate(rows)
    )
    template_user = UserFactory(email="template@bench.test")
    users = type(template_user).objects.bulk_create(
        type(template_user)(email=f"member{n}@bench.test", password=template_user.password) for n in range(partners)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    Membership.objects.bulk_create(
        Membership(user=user, partner=partner, roles=["admin", "sales"])
        for user, partner in zip(users, rows, strict=True)
    )
    buyer = UserFactory(email="buyer@bench.test")
    StaffRole.objects.create(user=buyer, company=company_a, role="buyer")
    AuditEvent.objects.bulk_create(
        AuditEvent(actor_label="bench", action="bench.event", object_id=str(n), after={"n": n}) for n in range(events)
    )
    AuditEvent.objects.update(created_at=datetime(2026, 1, 1, tzinfo=UTC))  # older than the sealer's lag
    return buyer, users[1], rows[1], login


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partners", type=int, default=5000)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=40)
    arguments = parser.parse_args()

    setup_test_environment()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from django.core.management import call_command

        from portal.audit.sealing import seal_pending
        from portal.organisations.access import forget_scope
        from portal.organisations.models import Partner

        buyer, member, _partner, login = build(arguments.partners, arguments.events)
        rows = []

        def page_for(user):
            def run():
                forget_scope(user)
                queryset = Partner.objects.visible_to(user).order_by("name")
                queryset.count()
                list(queryset[:50])

            return run

        for label, user in (("visible_to page (buyer)", buyer), ("visible_to page (member)", member)):
            samples = timed(page_for(user), arguments.repeat)
            rows.append((label, statistics.median(samples), p95(samples), BUDGETS[label]))

        for label, user, url in (
            ("GET /cms/partners/ p95", buyer, "/cms/partners/"),
            ("GET /account/team/ p95", member, "/account/team/"),
        ):
            client = login(Client(), user)
            assert client.get(url).status_code == 200, url
            samples = timed(lambda client=client, url=url: client.get(url), arguments.repeat)
            rows.append((label, statistics.median(samples), p95(samples), BUDGETS[label]))

        started = time.perf_counter()
        sealed = 0
        while True:
            batch = seal_pending(batch=1000)
            if not batch:
                break
            sealed += batch
        seal_rate = sealed / (time.perf_counter() - started)
        started = time.perf_counter()
        call_command("verify_audit", verbosity=0)
        verify_rate = arguments.events / (time.perf_counter() - started)

        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            f"\n### {stamp}: {arguments.partners} partners, {arguments.events} audit events, "
            f"{arguments.repeat} repeats, 2 cores\n",
            "| what | p50 ms | p95 ms | budget p95 ms |",
            "|---|---|---|---|",
        ]
        for label, median, high, budget in rows:
            lines.append(f"| {label} | {median:.1f} | {high:.1f} | {budget} ({'ok' if high <= budget else 'OVER'}) |")
        lines.append(
            f"| sealer | {seal_rate:.0f} events/s | | ≥ {SEAL_BUDGET_PER_S}/s "
            f"({'ok' if seal_rate >= SEAL_BUDGET_PER_S else 'OVER'}) |"
        )
        lines.append(
            f"| verify_audit | {verify_rate:.0f} events/s | | ≥ {VERIFY_BUDGET_PER_S}/s "
            f"({'ok' if verify_rate >= VERIFY_BUDGET_PER_S else 'OVER'}) |"
        )
        text = "\n".join(lines) + "\n"
        print(text)
        if not RESULTS.exists():
            RESULTS.write_text(
                "# Access layer and audit chain benchmark results\n\nWritten by `bench/access_audit.py`.\n"
            )
        with RESULTS.open("a") as results:
            results.write(text)
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
