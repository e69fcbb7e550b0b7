"""Storefront pages under load, logged in as a customer, at 10,000 and 100,000 items, against the empty shell.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal .venv/bin/python bench/shop_pages.py \
        [--sizes 10000,100000] [--rounds 5] [--duration 4] [--connections 8]

Builds a throw-away PostgreSQL database (bench_shop_pages, dropped at the end) with the items of
bench/catalog_search.py (steel products and fasteners in 8 categories under one root, Chinese and English names,
grades, thicknesses), a list price for every item at one selling company, a customer price for every tenth item,
ERP stock for every third item, and one approved customer whose sales person is logged in (a real session row).
For each size it starts gunicorn (2 sync workers, persistent connections: bench/dashboard_settings.py) and
measures with `wrk` (apt-get install wrk; 2 threads, C connections, D seconds per page and round, after a
warm-up), the pages taking turns for R rounds; the median round counts:
  - GET /shop/c/PLATE/: a category page (its items and those of its children, facets, prices, stock hints),
  - GET /shop/i/<code>/: an item page (specification, offers, quantity breaks, stock, actions),
  - GET /shop/search/?q=钢板: a search page (two Chinese characters, one item in five matches),
  - GET /bench/shell/: the empty shell (same base layout, middleware and login, no data: bench/shell_urls.py).
Reports requests/s, p50/p95, SQL queries per page and the ratio to the shell (the median of the rounds' ratios).
Budget (issue 7): each page ≥ 50% of the shell's throughput. Appends to bench/results/shop_pages.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_shop_pages")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment  # noqa: E402

from bench import catalog_search  # noqa: E402
from bench.dashboards import WRK_REPORT, check, free_port, median_round, wrk  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "shop_pages.md"
BUDGET_RATIO = 0.50
SHELL = "/bench/shell/"


def pages() -> list[str]:
    return ["/shop/c/PLATE/", "/shop/i/PL-000120/", "/shop/search/?q=%E9%92%A2%E6%9D%BF", SHELL]


def add_items(start: int, count: int) -> None:
    """Items start … start + count − 1 (bench/catalog_search.py's generator), with prices and stock."""
    import random

    from catalog.models import Category, Item, UnitOfMeasure
    from catalog.pricing.models import PriceList, PriceListLine
    from catalog.search import search_document
    from catalog.shop.models import ItemStock
    from portal.organisations.models import Company, Warehouse

    unit = UnitOfMeasure.objects.get(code="pcs")
    categories = {category.code: category for category in Category.objects.all()}
    company = Company.objects.get(code="SH01")
    warehouse = Warehouse.objects.get(company=company, code="FG01")
    list_prices = PriceList.objects.get(company=company, code="LIST")
    customer_prices = PriceList.objects.get(company=company, code="CUST")
    rng = random.Random(start)
    now = datetime.now(UTC)
    for chunk_start in range(start, start + count, 5000):
        items = []
        for number in range(chunk_start, min(chunk_start + 5000, start + count)):
            prefix, zh, en, category_code = catalog_search.PRODUCTS[number % len(catalog_search.PRODUCTS)]
            thickness = rng.choice(["1", "1.5", "2", "3", "6", "8", "10", "12", "20", "50"])
            grade = rng.choice(catalog_search.GRADES)
            item = Item(
                code=f"{prefix}-{number:06d}",
                name=f"{zh} {grade} {thickness}mm",
                name_en=f"{en} {grade} {thickness} mm",
                category=categories[category_code],
                base_unit=unit,
                is_sellable=True,
                lead_time_days=14,
                attributes={
                    "grade": grade,
                    "thickness": thickness,
                    "standard": rng.choice(catalog_search.STANDARDS),
                },
            )
            item.search_text = search_document(item, categories[category_code])
            items.append(item)
        created = Item.objects.bulk_create(items)
        lines = []
        for item in created:
            price = Decimal(rng.randrange(500, 900000)) / 100
            lines.append(PriceListLine(price_list=list_prices, item=item, unit=unit, unit_price=price))
            lines.append(
                PriceListLine(
                    price_list=list_prices, item=item, unit=unit, unit_price=price * Decimal("0.95"), min_quantity=10
                )
            )
            if int(item.code[-6:]) % 10 == 0:
                lines.append(
                    PriceListLine(price_list=customer_prices, item=item, unit=unit, unit_price=price * Decimal("0.9"))
                )
        PriceListLine.objects.bulk_create(lines)
        ItemStock.objects.bulk_create(
            ItemStock(
                company=company,
                warehouse=warehouse,
                item=item,
                on_hand=Decimal(rng.randrange(0, 500)),
                available=Decimal(rng.randrange(0, 400)),
                as_of=now - timedelta(hours=1),
            )
            for item in created
            if int(item.code[-6:]) % 3 == 0
        )
    with connection.cursor() as cursor:
        for table in ("catalog_item", "pricing_pricelistline", "shop_itemstock"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def build_base() -> tuple[Client, str]:
    """Company, warehouse, customer, price lists, categories; the customer's sales person logged in."""
    from catalog.models import Category, UnitOfMeasure
    from catalog.pricing.models import PriceList, PriceListKind
    from portal.organisations.models import Warehouse
    from tests.conftest import login
    from tests.factories import CompanyFactory, CustomerAccountFactory, MembershipFactory, PartnerFactory, UserFactory

    company = CompanyFactory(code="SH01", currency="CNY")
    Warehouse.objects.create(company=company, code="FG01", name="成品库")
    customer = PartnerFactory(
        name="广州联合汽车零部件有限公司", tax_id="91440100MA3GU0035N", is_customer=True, status="approved"
    )
    CustomerAccountFactory(partner=customer, company=company, credit_limit=Decimal("5000000"))
    user = MembershipFactory(partner=customer, user=UserFactory(email="buyer@customer.test"), roles=["sales"]).user
    PriceList.objects.create(company=company, code="LIST", name="List", currency="CNY", kind=PriceListKind.LIST)
    PriceList.objects.create(
        company=company, code="CUST", name="Customer", currency="CNY", kind=PriceListKind.CUSTOMER, customer=customer
    )
    UnitOfMeasure.objects.create(code="pcs", name="件", name_en="piece")
    root = Category.objects.create(code="ALL", name="产品", name_en="Products")
    for code, (zh, en) in catalog_search.CATEGORIES.items():
        Category.objects.create(code=code, name=zh, name_en=en, parent=root, attribute_schema=catalog_search.SCHEMA)
    client = login(Client(), user)
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def query_counts(client) -> dict[str, int]:
    counts = {}
    with override_settings(ROOT_URLCONF="bench.shell_urls"):
        for page in pages():
            client.get(page)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            counts[page] = len(queries)
    return counts


def measure(database: str, cookie: str, options, workdir: Path) -> dict[str, list[dict]]:
    script = workdir / "report.lua"
    script.write_text(WRK_REPORT)
    port = free_port()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.dashboard_settings", "BENCH_DATABASE_NAME": database}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application", "--chdir", str(BASE_DIR),
            "--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
        ],
        cwd=BASE_DIR, env=environment, start_new_session=True,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while True:
            try:
                check(f"{base_url}/bench/bare/", cookie)
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - started > 60:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        for page in pages():
            check(base_url + page, cookie)
            wrk(base_url + page, cookie, duration=2, connections=options.connections, script=script)
        rounds: dict[str, list[dict]] = {page: [] for page in pages()}
        for _round in range(options.rounds):
            for page in pages():
                rounds[page].append(
                    wrk(
                        base_url + page,
                        cookie,
                        duration=options.duration,
                        connections=options.connections,
                        script=script,
                    )
                )
        return rounds
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def report(size: int, rounds: dict[str, list[dict]], counts: dict[str, int]) -> list[str]:
    lines = [
        f"#### {size:,} items",
        "",
        "| page | req/s | each round | p50 ms | p95 ms | SQL queries | ratio to shell | budget | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for page, samples in rounds.items():
        result = median_round(samples)
        ratio = statistics.median(
            sample["requests_per_second"] / shell["requests_per_second"]
            for sample, shell in zip(samples, rounds[SHELL], strict=True)
        )
        budget = "" if page == SHELL else f"≥ {BUDGET_RATIO:.0%} ({'ok' if ratio >= BUDGET_RATIO else 'OVER'})"
        lines.append(
            f"| GET {page} | {result['requests_per_second']:.0f} | {result['all']} | {result['p50']:.1f} | "
            f"{result['p95']:.1f} | {counts[page]} | {ratio:.0%} | {budget} | "
            f"{result['errors']} of {result['requests']} |"
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="item counts, ascending (default 10000,100000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over all pages (default 5)")
    parser.add_argument("--duration", type=int, default=4, help="seconds of load per page and round (default 4)")
    parser.add_argument("--connections", type=int, default=8, help="open connections (default 8)")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    setup_test_environment()
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    workdir = Path(tempfile.mkdtemp(prefix="bench-shop-"))
    lines: list[str] = []
    try:
        client, session_key = build_base()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.LANGUAGE_COOKIE_NAME}=zh-hans"
        have = 0
        for size in sizes:
            started = time.perf_counter()
            add_items(have, size - have)
            have = size
            print(f"{size} items written in {time.perf_counter() - started:.0f} s", flush=True)
            counts = query_counts(client)
            connection.close()
            rounds = measure(database, cookie, options, workdir)
            lines += report(size, rounds, counts)
            print("\n".join(lines), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        connection.close()
        connection.creation.destroy_test_db(database, verbosity=0)

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = [
        f"### {now}: gunicorn 2 sync workers, PostgreSQL (persistent connections), wrk 2 threads × "
        f"{options.connections} connections, {options.rounds} rounds × {options.duration} s per page (median round), "
        f"logged in as a customer's sales person, {os.cpu_count()} cores",
        "",
    ]
    if not RESULTS.exists():
        RESULTS.write_text("# Storefront pages benchmark results\n\nWritten by `bench/shop_pages.py`; newest last.\n\n")
    with RESULTS.open("a") as results_file:
        results_file.write("\n".join(header + lines) + "\n")


if __name__ == "__main__":
    main()
