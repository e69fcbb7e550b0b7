"""The back office's bulk import of the item master (catalog/imports.py), on PostgreSQL.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal .venv/bin/python bench/catalog_import.py \
        [--rows 10000] [--before 1000]

Builds a throw-away database (bench_catalog_import) with units and a two-level category whose leaf has a
four-attribute schema, writes an XLSX file of `--rows` items (the stated limit is 10,000) and times what the two
steps of the import page do: the preview (read the workbook, plan every row) and the apply (read it again, plan
again, apply every row through catalog.bulk.item_upsert_many in one transaction). Three files: all items new, the
same file again (nothing to change), and one attribute changed in every row. For comparison, `--before` rows are
also applied the way the import did before (item_upsert row by row, in one transaction). Reports rows/s and
queries, and appends a Markdown table to bench/results/catalog_import.md.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_catalog_import")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "catalog_import.md"

SCHEMA = [
    {"code": "grade", "label": "牌号", "type": "choice", "choices": ["Q235B", "Q345B", "Q355B"], "required": True},
    {"code": "thickness", "label": "厚度", "type": "decimal", "unit": "mm", "required": True, "min": 0.1, "max": 300},
    {"code": "width", "label": "宽度", "type": "integer", "unit": "mm"},
    {"code": "standard", "label": "标准", "type": "text"},
]
HEADER = [
    "code",
    "name",
    "name_en",
    "category",
    "base_unit",
    "is_purchasable",
    "status",
    "attr:grade",
    "attr:thickness",
    "attr:width",
    "attr:standard",
    "conv:pcs",
]


def build():
    from catalog.models import Category, UnitOfMeasure
    from tests.factories import UserFactory

    UnitOfMeasure.objects.create(code="t", name="吨", dimension="mass", factor=1000)
    UnitOfMeasure.objects.create(code="pcs", name="件", dimension="count", factor=1)
    steel = Category.objects.create(code="STEEL", name="钢材")
    Category.objects.create(code="STEEL-PLATE", name="钢板", parent=steel, attribute_schema=SCHEMA)
    return UserFactory(email="masterdata@group.test")


def workbook(count: int, revision: int, prefix: str = "PL") -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("items")
    sheet.append(HEADER)
    for number in range(count):
        sheet.append(
            [
                f"{prefix}-{number:06d}",
                f"热轧钢板 {number}",
                f"Hot-rolled plate {number}",
                "STEEL-PLATE",
                "t",
                "是",
                "active",
                ("Q235B", "Q345B", "Q355B")[number % 3],
                float(1 + number % 200 + revision),  # a number, as Excel stores it
                1500 + number % 1000,
                "GB/T 3274",
                0.125,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(step):
    counter = Counter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = step()
    return result, time.perf_counter() - started, counter.count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--before", type=int, default=1000, help="rows applied row by row for comparison (0: none)")
    arguments = parser.parse_args()

    setup_test_environment()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from catalog.imports import apply_import, plan_import, read_table
        from catalog.models import Item
        from catalog.services import item_upsert
        from portal.audit.models import AuditEvent

        actor = build()
        count = arguments.rows
        rows = []
        for label, revision, expected in (
            ("all new", 1, "create"),
            ("same file again", 1, "unchanged"),
            ("one attribute changed", 2, "change"),
        ):
            content = workbook(count, revision)
            plan, preview_s, preview_q = timed(lambda c=content: plan_import(read_table("items.xlsx", c)))
            assert not plan.errors and plan.count(expected) == count, (label, plan.errors[:3])
            # (the same file again leaves nothing to apply: the page offers no apply button, timed anyway)
            applied, apply_s, apply_q = timed(
                lambda c=content: apply_import(actor=actor, table=read_table("items.xlsx", c))
            )
            assert applied.count(expected) == count
            rows.append((label, "preview", count / preview_s, preview_s, preview_q))
            rows.append((label, "apply", count / apply_s, apply_s, apply_q))
            print(
                f"{label}: preview {count / preview_s:.0f} rows/s ({preview_s:.1f} s, {preview_q} queries), "
                f"apply {count / apply_s:.0f} rows/s ({apply_s:.1f} s, {apply_q} queries)"
            )
        assert Item.objects.count() == count
        assert AuditEvent.objects.filter(action="item.created").count() == count

        if arguments.before:
            # the former apply: item_upsert row by row in one transaction (after the same read and plan)
            table = read_table("items.xlsx", workbook(arguments.before, 1, prefix="OLD"))

            def row_by_row():
                plan = plan_import(table)
                with transaction.atomic():
                    for row in plan.rows:
                        item_upsert(actor=actor, code=row.code, values=row.values, conversions=row.conversions or None)

            _result, before_s, before_q = timed(row_by_row)
            rows.append(
                ("all new, item_upsert row by row (before)", "apply", arguments.before / before_s, before_s, before_q)
            )
            print(
                f"before: apply {arguments.before / before_s:.0f} rows/s ({before_s:.1f} s for {arguments.before} rows)"
            )

        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            f"\n### {stamp}: {count} rows of XLSX (PostgreSQL, 2 cores, Django's connection in-process)\n",
            "| file | step | rows/s | seconds | queries |",
            "|---|---|---|---|---|",
        ]
        for label, step, rate, seconds, queries in rows:
            lines.append(f"| {label} | {step} | {rate:.0f} | {seconds:.1f} | {queries} |")
        text = "\n".join(lines) + "\n"
        if not RESULTS.exists():
            RESULTS.write_text(
                "# Back office: bulk import of the item master\n\n"
                "Produced by `bench/catalog_import.py`; newest run last. An XLSX file of items of a category with a\n"
                "four-attribute schema (choice, decimal with bounds, integer, text) and one unit conversion each.\n"
                "`preview` is the upload step (read the workbook, plan every row); `apply` is the apply step (read\n"
                "it again, plan again, apply every row through `catalog.bulk.item_upsert_many` in one transaction),\n"
                "as catalog/admin_views.py runs them. Queries are those Django executes (COPY of the audit rows and\n"
                "events not included). The shared 2-core machine runs other sessions' tests too: figures vary.\n"
            )
        with RESULTS.open("a") as results:
            results.write(text)
        print(text)
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
