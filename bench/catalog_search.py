"""Storefront item search (catalog/search.py) over many items, on PostgreSQL.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal .venv/bin/python bench/catalog_search.py \
        [--items 100000] [--repeat 30]

Builds a throw-away database (bench_catalog_search) with `--items` items of steel products and fasteners (Chinese
and English names, grades, thicknesses; each item's `search_text` from catalog.search.search_document, written
with bulk_create), ANALYZEs it, then times `search_items(query)` (the first 50 results, as a page shows them) for
Chinese queries of two and four characters, English words, a typo, codes and mixed queries: p50 and p95 over
`--repeat` runs each, with the number of matching items and the plan's index use. Appends a Markdown table to
bench/results/catalog_search.md. Budget (issue 7): p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_catalog_search")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "catalog_search.md"

# (code prefix, Chinese name, English name, category code)
PRODUCTS = [
    ("PL", "热轧钢板", "Hot-rolled steel plate", "PLATE"),
    ("CP", "冷轧钢板", "Cold-rolled steel sheet", "PLATE"),
    ("SS", "不锈钢板", "Stainless steel plate", "PLATE"),
    ("GI", "镀锌钢板", "Galvanised steel sheet", "PLATE"),
    ("CC", "冷轧钢卷", "Cold-rolled coil", "COIL"),
    ("SP", "无缝钢管", "Seamless steel pipe", "PIPE"),
    ("WP", "焊接钢管", "Welded steel pipe", "PIPE"),
    ("AN", "等边角钢", "Equal angle", "SECTION"),
    ("CH", "槽钢", "Channel", "SECTION"),
    ("HB", "工字钢", "I-beam", "SECTION"),
    ("RB", "圆钢", "Round bar", "BAR"),
    ("BT", "六角螺栓", "Hex bolt", "FASTENER"),
    ("NT", "六角螺母", "Hex nut", "FASTENER"),
    ("WS", "平垫圈", "Flat washer", "FASTENER"),
    ("FL", "对焊法兰", "Weld neck flange", "FITTING"),
    ("VL", "闸阀", "Gate valve", "FITTING"),
    ("BR", "深沟球轴承", "Deep groove ball bearing", "PART"),
    ("AL", "铝板", "Aluminium plate", "PLATE"),
    ("CU", "紫铜管", "Copper tube", "PIPE"),
    ("WR", "钢丝绳", "Steel wire rope", "PART"),
]
CATEGORIES = {
    "PLATE": ("板材", "Plates and sheets"),
    "COIL": ("卷材", "Coils"),
    "PIPE": ("管材", "Pipes and tubes"),
    "SECTION": ("型材", "Sections"),
    "BAR": ("棒材", "Bars"),
    "FASTENER": ("紧固件", "Fasteners"),
    "FITTING": ("管件阀门", "Fittings and valves"),
    "PART": ("零部件", "Parts"),
}
SCHEMA = [
    {"code": "grade", "label": "牌号", "type": "text"},
    {"code": "thickness", "label": "厚度", "type": "decimal", "unit": "mm"},
    {"code": "standard", "label": "标准", "type": "text"},
]
GRADES = ["Q235B", "Q345B", "Q355B", "304", "316L", "20#", "45#", "8.8", "10.9", "6061"]
STANDARDS = ["GB/T 3274", "GB/T 709", "GB/T 8163", "GB/T 5782", "GB/T 6170", "ASTM A36", "EN 10025", "JIS G3101"]
QUERIES = [
    ("Chinese, 2 characters", "钢板"),
    ("Chinese, 2 characters", "螺栓"),
    ("Chinese, 2 characters", "法兰"),
    ("Chinese, 2 characters, rare", "紫铜"),
    ("Chinese, 4 characters", "热轧钢板"),
    ("Chinese, 4 characters", "深沟球轴"),
    ("English word", "stainless"),
    ("English words", "hex bolt"),
    ("English prefix", "galv"),
    ("English typo (corrected)", "stainlss"),
    ("English typo, a swap (corrected)", "flnage"),
    ("code, exact", "PL-000120"),
    ("code, prefix", "BT-0012"),
    ("mixed", "Q235 钢板"),
    ("attribute value", "316L"),
    ("nothing found", "xylophone"),
]


def build(count: int) -> None:
    from catalog.models import Category, Item, UnitOfMeasure
    from catalog.search import remember_words, search_document

    unit = UnitOfMeasure.objects.create(code="pcs", name="件", name_en="piece")
    root = Category.objects.create(code="ALL", name="产品", name_en="Products")
    categories = {
        code: Category.objects.create(code=code, name=zh, name_en=en, parent=root, attribute_schema=SCHEMA)
        for code, (zh, en) in CATEGORIES.items()
    }
    rng = random.Random(7)
    batch: list[Item] = []
    for number in range(count):
        prefix, zh, en, category_code = PRODUCTS[number % len(PRODUCTS)]
        thickness = rng.choice(["1", "1.5", "2", "3", "6", "8", "10", "12", "20", "50"])
        grade = rng.choice(GRADES)
        item = Item(
            code=f"{prefix}-{number:06d}",
            name=f"{zh} {grade} {thickness}mm",
            name_en=f"{en} {grade} {thickness} mm",
            category=categories[category_code],
            base_unit=unit,
            is_sellable=True,
            attributes={"grade": grade, "thickness": thickness, "standard": rng.choice(STANDARDS)},
        )
        item.search_text = search_document(item, categories[category_code])
        batch.append(item)
        if len(batch) == 5000:
            Item.objects.bulk_create(batch)
            remember_words(item.search_text for item in batch)  # the typo vocabulary, as item_upsert_many keeps it
            batch = []
    Item.objects.bulk_create(batch)
    remember_words(item.search_text for item in batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE catalog_item")


def time_query(query: str, repeat: int) -> tuple[float, float, int, str]:
    from catalog.search import search_items

    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        list(search_items(query))
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
    matching = search_items(query, limit=None).count()
    plan = search_items(query).explain()
    indexes = sorted({name for name in ("catalog_item_search_fts", "catalog_item_search_trgm") if name in plan})
    return p50, p95, matching, ", ".join(indexes) or "none"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("This benchmark needs PostgreSQL (DATABASE_URL).")
    setup_test_environment()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        build(args.items)
        built = time.perf_counter() - started
        rows = [(label, query, *time_query(query, args.repeat)) for label, query in QUERIES]
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            "",
            f"### {stamp}: {args.items} items, {args.repeat} runs per query (PostgreSQL, in-process)",
            "",
            f"Items written and analysed in {built:.0f} s.",
            "",
            "| query | text | p50 ms | p95 ms | matching items | index in plan |",
            "|---|---|---|---|---|---|",
        ]
        for label, query, p50, p95, matching, indexes in rows:
            lines.append(f"| {label} | `{query}` | {p50:.1f} | {p95:.1f} | {matching} | {indexes} |")
        text = "\n".join(lines) + "\n"
        if not RESULTS.exists():
            RESULTS.write_text(
                "# Storefront: item search\n\n"
                "Produced by `bench/catalog_search.py`; newest run last. `search_items(query)` (catalog/search.py),\n"
                "first 50 results as a page shows them, over items of 20 products in 8 categories with grades,\n"
                "thicknesses and standards. Budget (issue 7): p95 < 50 ms. The shared 2-core machine runs other\n"
                "sessions' tests too: figures vary.\n"
            )
        with RESULTS.open("a") as results:
            results.write(text)
        print(text)
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
