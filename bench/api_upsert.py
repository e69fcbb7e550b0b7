"""Bulk item upserts through the inbound API, on PostgreSQL.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal .venv/bin/python bench/api_upsert.py \
        [--items 10000] [--batch 1000]

Builds a throw-away database (bench_api_upsert) with units and a two-level category whose leaf has a
four-attribute schema, then POSTs the items to /api/v1/items/batch through Django's test client in batches
(each with an Idempotency-Key, as the ERP simulator sends them), first creating them all, then resending them
unchanged (the nightly full sync), then with one attribute changed. Reports items/s for each pass and appends
a Markdown table to bench/results/api_upsert.md. Budget: 1,000 items/s for the creating pass.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_api_upsert")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "api_upsert.md"
BUDGET_PER_S = 1000

SCHEMA = [
    {"code": "grade", "label": "牌号", "type": "choice", "choices": ["Q235B", "Q345B", "Q355B"], "required": True},
    {"code": "thickness", "label": "厚度", "type": "decimal", "unit": "mm", "required": True, "min": 0.1, "max": 300},
    {"code": "width", "label": "宽度", "type": "integer", "unit": "mm"},
    {"code": "standard", "label": "标准", "type": "text"},
]


def build() -> str:
    from catalog.models import Category, UnitOfMeasure
    from tests.factories import make_api_client

    UnitOfMeasure.objects.create(code="t", name="吨", dimension="mass", factor=1000)
    UnitOfMeasure.objects.create(code="pcs", name="件", dimension="count", factor=1)
    steel = Category.objects.create(code="STEEL", name="钢材")
    Category.objects.create(code="STEEL-PLATE", name="钢板", parent=steel, attribute_schema=SCHEMA)
    return make_api_client(company=None, name="erp-bench").plain_key


def item(number: int, revision: int) -> dict:
    return {
        "code": f"PL-{number:06d}",
        "name": f"热轧钢板 {number}",
        "category": "STEEL-PLATE",
        "base_unit": "t",
        "attributes": {
            "grade": ("Q235B", "Q345B", "Q355B")[number % 3],
            "thickness": str(1 + number % 200 + revision),
            "width": 1500 + number % 1000,
            "standard": "GB/T 3274",
        },
        "conversions": {"pcs": "0.125"},
        "source_version": revision,
    }


def run_pass(client: Client, count: int, batch: int, revision: int) -> tuple[float, int, dict[str, int]]:
    """Seconds for the pass, queries per item, and how many objects ended in each status."""
    statuses: dict[str, int] = {}
    executed: list[str] = []

    def counted(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    for start in range(0, count, batch):
        body = json.dumps({"objects": [item(n, revision) for n in range(start, min(start + batch, count))]})
        with connection.execute_wrapper(counted):
            response = client.post(
                "/api/v1/items/batch",
                body,
                content_type="application/json",
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
        assert response.status_code == 200, response.content[:500]
        if os.environ.get("BENCH_VERBOSE"):
            print(f"  batch at {start}: {time.perf_counter() - started:.2f} s since the pass began")
        for result in response.json()["results"]:
            statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    return time.perf_counter() - started, round(len(executed) / count, 3), statuses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=1000)
    arguments = parser.parse_args()

    setup_test_environment()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from catalog.models import Item

        key = build()
        client = Client(headers={"Authorization": f"Bearer {key}"})
        rows = []
        for label, revision in (("create", 1), ("resend unchanged", 1), ("change one attribute", 2)):
            seconds, queries, statuses = run_pass(client, arguments.items, arguments.batch, revision)
            assert statuses == {"applied": arguments.items}, statuses
            rows.append((label, arguments.items / seconds, seconds, queries))
            print(f"{label}: {arguments.items / seconds:.0f} items/s ({seconds:.1f} s, {queries} queries/item)")
        assert Item.objects.count() == arguments.items

        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            f"\n### {stamp}: {arguments.items} items in batches of {arguments.batch}, "
            "POST /api/v1/items/batch (test client, PostgreSQL, 2 cores)\n",
            "| pass | items/s | seconds | queries per item | budget items/s |",
            "|---|---|---|---|---|",
        ]
        for label, rate, seconds, queries in rows:
            budget = BUDGET_PER_S if label == "create" else ""
            lines.append(f"| {label} | {rate:.0f} | {seconds:.1f} | {queries} | {budget} |")
        text = "\n".join(lines) + "\n"
        if not RESULTS.exists():
            RESULTS.write_text(
                "# Inbound API: bulk item upserts\n\nProduced by `bench/api_upsert.py`; newest run last.\n"
            )
        with RESULTS.open("a") as results:
            results.write(text)
        print(text)
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
