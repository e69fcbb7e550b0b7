"""The approved vendor list in the back office (/cms/avl/) with 20,000 entries, on PostgreSQL.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal .venv/bin/python bench/avl_list.py \
        [--rows 20000] [--requests 50]

Builds a throw-away database (bench_avl_list, dropped at the end): two companies, 110 item categories (10 roots
with 10 subcategories each), 2,000 suppliers, and AVL entries spread over SH01, WH02 and group-wide, statuses
and expiry days. Measures, as SH01's sourcing manager (who sees SH01's and the group-wide entries) and as a group
admin (all), the SQL query count of the list page with 100 entries and with all of them (must be equal), then
the latency of N requests of each filtered page through Django's test client (in process: the whole
middleware, Wagtail's admin chrome and template rendering, no network), reporting p50 / p95 / max.
Appends a Markdown section to bench/results/avl_list.md. Budget: the query count does not grow; p95 < 500 ms on
the shared two-CPU machine (the page's own SQL stays under 35 ms; the rest is rendering and Wagtail).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_avl_list")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "avl_list.md"
BUDGET_P95_MS = 500
REFERENCE = "/cms/partners/"
PARTNERS = 2000
PAGES = [
    ("unfiltered", {}),
    ("category C03 with its 10 subcategories", {"category": "C03"}),
    ("status blocked", {"status": "blocked"}),
    ("company SH01, page 5", {"company": "SH01", "p": "5"}),
    ("supplier search", {"q": "供应商 01"}),
    ("expiring within 30 days", {"expiring_within": "30"}),
    ("all filters", {"category": "C07", "status": "approved", "company": "group", "expiring_within": "365"}),
]


def build():
    from catalog.models import Category
    from portal.organisations.models import Partner
    from tests.factories import CompanyFactory, StaffRoleFactory, UserFactory

    sh01 = CompanyFactory(code="SH01")
    wh02 = CompanyFactory(code="WH02")
    leaves = []
    for root_number in range(10):
        root = Category.objects.create(code=f"C{root_number:02d}", name=f"类别{root_number:02d}")
        for child in range(10):
            leaves.append(
                Category.objects.create(
                    code=f"C{root_number:02d}-{child:02d}", name=f"子类{root_number:02d}-{child:02d}", parent=root
                )
            )
    partners = Partner.objects.bulk_create(
        Partner(name=f"供应商 {number:04d} 有限公司", tax_id=f"91310000BENCH{number:05d}", is_supplier=True)
        for number in range(PARTNERS)
    )
    manager = StaffRoleFactory(user=UserFactory(email="sourcing@bench.test"), role="sourcing_manager", company=sh01)
    admin = StaffRoleFactory(user=UserFactory(email="admin@bench.test"), role="group_admin", company=None)
    return {"companies": [sh01, wh02, None], "leaves": leaves, "partners": partners}, manager.user, admin.user


def entries(data, start: int, stop: int):
    from rfq.avl.models import ApprovedSupplier

    statuses = ["approved"] * 6 + ["conditional"] * 3 + ["blocked"]
    today = datetime.now(UTC).date()
    for number in range(start, stop):
        partner_number, slot = divmod(number, 10)
        yield ApprovedSupplier(
            partner=data["partners"][partner_number],
            category=data["leaves"][(partner_number * 7 + slot * 10) % 100],
            company=data["companies"][number % 3],
            status=statuses[number % 10],
            reason="Bench" if statuses[number % 10] != "approved" else "",
            valid_until=today + timedelta(days=number % 400) if number % 4 else None,
        )


def fill(data, start: int, stop: int) -> None:
    from rfq.avl.models import ApprovedSupplier

    ApprovedSupplier.objects.bulk_create(entries(data, start, stop), batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def count_queries(client, params) -> tuple[int, int]:
    client.get("/cms/avl/", params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cms/avl/", params)
    assert response.status_code == 200, response.status_code
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _number in range(10):
            client.get("/cms/avl/", params)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    if os.environ.get("BENCH_SQL"):
        for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]:
            print(query["time"], query["sql"][:300])
    return len(queries), response.context["page"].paginator.count


def latencies(client, params, requests: int, url: str = "/cms/avl/") -> list[float]:
    timings = []
    client.get(url, params)
    for _number in range(requests):
        started = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    from tests.conftest import login

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=50)
    arguments = parser.parse_args()
    if arguments.rows > PARTNERS * 10:
        parser.error(f"at most {PARTNERS * 10} rows (one per supplier and category)")

    setup_test_environment()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        data, manager, admin = build()
        clients = {"SH01 sourcing manager": login(Client(), manager), "group admin": login(Client(), admin)}
        fill(data, 0, 100)
        small = {who: count_queries(client, {}) for who, client in clients.items()}
        fill(data, 100, arguments.rows)
        large = {who: count_queries(client, {}) for who, client in clients.items()}
        filtered_counts = {label: count_queries(clients["SH01 sourcing manager"], params) for label, params in PAGES}
        rows = []
        all_timings = []
        for label, params in PAGES:
            timings = latencies(clients["SH01 sourcing manager"], params, arguments.requests)
            all_timings.extend(timings)
            rows.append(
                (label, filtered_counts[label][1], filtered_counts[label][0], statistics.median(timings),
                 percentile(timings, 0.95), max(timings))
            )  # fmt: skip
        p95 = percentile(all_timings, 0.95)
        # A reference: a back-office list of the same shape with 2,000 rows (the partners), same chrome.
        reference = latencies(clients["SH01 sourcing manager"], {}, arguments.requests, url=REFERENCE)
        constant = (
            all(small[who][0] == large[who][0] for who in clients)
            and len({count for count, _rows in filtered_counts.values()}) <= 2
        )
        lines = [
            f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {arguments.rows} entries,"
            f" {arguments.requests} requests/page",
            "",
            "| viewer | queries at 100 rows (visible) | queries at full size (visible) |",
            "|---|---|---|",
            *(f"| {who} | {small[who][0]} ({small[who][1]}) | {large[who][0]} ({large[who][1]}) |" for who in clients),
            "",
            "| page (SH01 sourcing manager) | matching rows | queries | p50 ms | p95 ms | max ms |",
            "|---|---|---|---|---|---|",
            *(
                f"| {label} | {count} | {queries} | {p50:.1f} | {p95_:.1f} | {top:.1f} |"
                for label, count, queries, p50, p95_, top in rows
            ),
            "",
            f"| reference: {REFERENCE} | | | {statistics.median(reference):.1f} | {percentile(reference, 0.95):.1f}"
            f" | {max(reference):.1f} |",
            "",
            f"p95 over all AVL pages: **{p95:.1f} ms** (budget {BUDGET_P95_MS} ms: "
            f"{'within' if p95 < BUDGET_P95_MS else 'OVER'}); query count {'constant' if constant else 'NOT constant'}."
            f" Load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.",
        ]
        report = "\n".join(lines) + "\n"
        print(report)
        if not RESULTS.exists():
            RESULTS.write_text(
                "# AVL back-office list (bench/avl_list.py)\n\nIn-process Django test client on PostgreSQL; see the "
                "script's docstring. The page's own queries: the scope, the companies and categories for the filter "
                "form, the count and one page of entries (company, category, supplier and reviewer joined); the rest "
                "is Wagtail's chrome and the session. A filter by category adds one query (the category tree, to "
                "include subcategories).\n"
            )
        with RESULTS.open("a") as results:
            results.write(report)
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
