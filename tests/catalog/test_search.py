"""Item search (catalog.search): the search document, and finding items on PostgreSQL by code, English and
Chinese names (two-character queries through the GIN index), attribute values and with typos."""

from decimal import Decimal

import pytest
from django.db import connection

from catalog.bulk import ItemChange, item_upsert_many
from catalog.models import Item
from catalog.search import cjk_pieces, query_tokens, search_document, search_items
from catalog.services import item_upsert
from portal.audit.models import AuditEvent
from tests.factories.catalog import PLATE_SCHEMA, CategoryFactory, steel_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    return steel_units()


@pytest.fixture
def materials():
    """A category whose names hold none of the words searched for (钢板 must come from the item names)."""
    root = CategoryFactory(code="RAW", name="原材料", name_en="Raw materials")
    return CategoryFactory(code="RAW-METAL", name="金属", name_en="Metals", parent=root, attribute_schema=PLATE_SCHEMA)


ITEMS = {
    "PL-Q235B-10": ("热轧钢板 Q235B 10mm", "Hot-rolled plate", {"grade": "Q235B", "thickness": "10"}),
    "SS-304-2": ("不锈钢板 304", "Stainless steel sheet", {"grade": "Q345B", "thickness": "2"}),
    "CR-COIL-1": ("冷轧钢卷", "Cold-rolled coil", {"grade": "Q235B", "thickness": "1.5"}),
    "PIPE-1": ("无缝钢管", "Seamless steel pipe", {"grade": "Q355B", "thickness": "5", "standard": "GB/T 8163"}),
    "PIPE-10": ("无缝钢管 大口径", "Seamless steel pipe, large", {"grade": "Q355B", "thickness": "10"}),
}


@pytest.fixture
def catalog(materials, units):
    for code, (name, name_en, attributes) in ITEMS.items():
        values = {"name": name, "name_en": name_en, "category": materials, "base_unit": units["t"]}
        item_upsert(actor=None, code=code, values=values | {"attributes": attributes})
    return materials


def codes(query, **kwargs):
    return [item.code for item in search_items(query, **kwargs)]


# The document ----------------------------------------------------------------------------------------------


def test_cjk_pieces_and_query_tokens():
    assert cjk_pieces("热轧钢板") == ["热轧", "轧钢", "钢板"]
    assert cjk_pieces("钢") == ["钢"]
    assert query_tokens("Q235 热轧钢板 钢板") == (["q235"], ["热轧", "轧钢", "钢板"])
    assert query_tokens("PL-Q235B: 'x' & (y) | !z") == (["pl", "q235b", "x", "y", "z"], [])
    assert query_tokens("&|!:*()'\"") == ([], [])


def test_search_document_of_an_item(catalog):
    item = Item.objects.get(code="PL-Q235B-10")
    assert search_document(item) == (
        "pl-q235b-10 热轧钢板 q235b 10mm hot-rolled plate 原材料 raw materials 金属 metals q235b 10 "
        "pl 热轧 轧钢 钢板 hot rolled 原材 材料"
    )
    assert item.search_text == search_document(item)
    pipe = Item.objects.get(code="PIPE-1")
    assert pipe.search_text == (
        "pipe-1 无缝钢管 seamless steel pipe 原材料 raw materials 金属 metals q355b gb/t 8163 5 "
        "1 无缝 缝钢 钢管 原材 材料 gb t"
    )


def test_search_document_single_characters_and_odd_attributes(materials, units):
    item = Item(code="B.1", name="板 钢a", name_en="", category=materials, attributes={"x": True, "y": ["甲乙", 2]})
    assert search_document(item) == "b.1 板 钢a 原材料 raw materials 金属 metals 甲乙 2 b 1 a 钢 原材 材料"


# Finding items ---------------------------------------------------------------------------------------------


def test_code_exact_and_prefix(catalog):
    assert codes("PL-Q235B-10") == ["PL-Q235B-10"]
    assert codes("pl-q2") == ["PL-Q235B-10"]
    assert codes("SS-3") == ["SS-304-2"]
    # the exact code comes first, then the others it is a prefix of
    assert codes("PIPE-1") == ["PIPE-1", "PIPE-10"]
    assert codes("pipe-10") == ["PIPE-10"]


def test_english_words_and_typos(catalog):
    assert codes("stainless") == ["SS-304-2"]
    assert codes("Hot rolled") == ["PL-Q235B-10"]
    assert codes("stainles") == ["SS-304-2"]  # a prefix
    assert codes("stainlss") == ["SS-304-2"]  # a typo: corrected to "stainless" from the vocabulary
    assert codes("stainlss steel") == ["SS-304-2"]
    assert sorted(codes("seamles pipe")) == ["PIPE-1", "PIPE-10"]
    assert codes("xylophone") == []


def test_typos_are_corrected_from_the_catalog_vocabulary(catalog):
    from catalog.models import SearchWord
    from catalog.search import corrections, search_items_explained

    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"stainless", "seamless", "rolled", "q235b", "pipe", "large"} <= words
    assert not {word for word in words if word.isdigit() or len(word) < 3}
    assert corrections("stainlss") == ["stainless"]
    assert corrections("seemless") == ["seamless"]
    assert corrections("stele") == ["steel"]  # a transposition is two edits
    assert sorted(codes("seemless pipe")) == ["PIPE-1", "PIPE-10"]
    assert codes("stele sheet") == ["SS-304-2"]
    found, fuzzy = search_items_explained("stainlss")
    assert ([item.code for item in found], fuzzy) == (["SS-304-2"], True)
    found, fuzzy = search_items_explained("stainless")
    assert ([item.code for item in found], fuzzy) == (["SS-304-2"], False)
    # the query must still match as a whole: a corrected word with a word no item has finds nothing
    assert codes("stainlss xylophone") == []


def test_the_vocabulary_grows_with_items_written_one_by_one_in_bulk_and_by_category_renames(catalog, units):
    from catalog.models import Category, SearchWord
    from catalog.services import category_upsert

    item_upsert(
        actor=None,
        code="FL-1",
        values={"name": "法兰", "name_en": "Weld neck flange", "category": catalog, "base_unit": units["t"]}
        | {"attributes": {"grade": "Q235B", "thickness": "10"}},
    )
    assert codes("flnage") == ["FL-1"]
    item_upsert_many(
        actor=None,
        changes=[
            ItemChange(
                code="VL-1",
                values={"name": "闸阀", "name_en": "Gate valve", "category": catalog, "base_unit": units["t"]}
                | {"attributes": {"grade": "Q235B", "thickness": "10"}},
            )
        ],
    )
    assert SearchWord.objects.filter(word__in=["gate", "valve"]).count() == 2
    assert codes("vlave") == ["VL-1"]
    category_upsert(actor=None, code=catalog.code, values={"name_en": "Alloys and metals"})
    assert SearchWord.objects.filter(word="alloys").exists()
    assert len(codes("aloys")) == Category.objects.get(code=catalog.code).items.count()


def test_chinese_two_and_four_characters(catalog):
    # the shorter document first: 不锈钢板 304 says less besides 钢板 than 热轧钢板 Q235B 10mm
    assert codes("钢板") == ["SS-304-2", "PL-Q235B-10"]
    assert codes("钢管") == ["PIPE-1", "PIPE-10"]
    assert codes("热轧钢板") == ["PL-Q235B-10"]
    assert codes("冷轧") == ["CR-COIL-1"]
    assert codes("轧钢") == ["CR-COIL-1", "PL-Q235B-10"]
    assert sorted(codes("钢")) == ["CR-COIL-1", "PIPE-1", "PIPE-10", "PL-Q235B-10", "SS-304-2"]
    assert codes("大口径") == ["PIPE-10"]
    assert codes("铝板") == []


def test_mixed_attribute_and_category_queries(catalog):
    assert codes("Q235 钢板") == ["PL-Q235B-10"]
    assert sorted(codes("q235b")) == ["CR-COIL-1", "PL-Q235B-10"]
    assert codes("Q355B") == ["PIPE-1", "PIPE-10"]
    assert codes("8163") == ["PIPE-1"]
    assert codes("GB/T 8163") == ["PIPE-1"]
    assert codes("1.5 冷轧") == ["CR-COIL-1"]
    assert len(codes("金属")) == 5
    assert codes("stainlss 钢板") == ["SS-304-2"]
    assert codes("stainlss 钢管") == []


def test_blank_query_limit_and_queryset(catalog):
    everything = Item.objects.order_by("code")
    assert search_items("  ", queryset=everything) is everything
    assert codes("钢板", limit=1) == ["SS-304-2"]
    assert codes("钢", queryset=Item.objects.filter(code__startswith="PIPE")) in (
        ["PIPE-1", "PIPE-10"],
        ["PIPE-10", "PIPE-1"],
    )


@pytest.mark.parametrize(
    "query",
    [
        "'",
        '"',
        "&",
        "|",
        "!",
        ":",
        ":*",
        "()",
        "a & b | !c",
        "(钢板",
        "'; DROP TABLE catalog_item; --",
        "\\",
        "%_",
        "<->",
        "钢板\x00",
        "x" * 10_000,
        "钢" * 5_000,
        " ".join(["word"] * 2_000),
    ],
)
def test_odd_input_never_fails(catalog, query):
    found = codes(query)
    assert set(found) <= set(ITEMS)
    assert Item.objects.count() == 5


def test_odd_input_results(catalog):
    assert codes("&|!:*()") == []
    assert codes("(钢板)") == ["SS-304-2", "PL-Q235B-10"]
    assert codes("'stainless'") == ["SS-304-2"]


# Keeping the document current ------------------------------------------------------------------------------


def test_item_upsert_keeps_search_text_current(catalog, units):
    changed = item_upsert(actor=None, code="PL-Q235B-10", values={"name": "酸洗板 Q235B"})
    # the document is not a change of its own: not audited, not reported
    assert changed.changes == {"name": ("热轧钢板 Q235B 10mm", "酸洗板 Q235B")}
    assert codes("酸洗") == ["PL-Q235B-10"]
    assert codes("热轧") == []
    assert codes("钢板") == ["SS-304-2"]

    other = CategoryFactory(code="SHEET", name="薄板", name_en="Thin sheet", attribute_schema=PLATE_SCHEMA)
    item_upsert(actor=None, code="PL-Q235B-10", values={"category": other})
    assert codes("薄板") == ["PL-Q235B-10"]
    assert sorted(codes("原材料")) == ["CR-COIL-1", "PIPE-1", "PIPE-10", "SS-304-2"]

    item_upsert(actor=None, code="PL-Q235B-10", values={"attributes": {"grade": "Q355B", "thickness": "8"}})
    assert sorted(codes("Q355B")) == ["PIPE-1", "PIPE-10", "PL-Q235B-10"]
    assert Item.objects.get(code="PL-Q235B-10").search_text == search_document(Item.objects.get(code="PL-Q235B-10"))


def test_item_upsert_many_keeps_search_text_current(catalog, units):
    changes = [
        ItemChange("NEW-1", {"name": "镀锌钢板", "category": catalog, "base_unit": units["t"], "attributes": {}}),
        ItemChange("SS-304-2", {"name": "不锈钢带"}),
        ItemChange("PIPE-1", {"attributes": {"grade": "Q235B", "thickness": "5"}}, {units["pcs"]: Decimal("2")}),
    ]
    before = AuditEvent.objects.count()
    outcomes = item_upsert_many(actor=None, changes=changes)
    assert [o.status for o in outcomes] == ["invalid", "applied", "applied"]  # NEW-1 lacks its grade
    assert outcomes[1].changes == {"name": ("不锈钢板 304", "不锈钢带")}
    assert AuditEvent.objects.count() == before + 2
    for item in Item.objects.all():
        assert item.search_text == search_document(item)
    assert codes("钢带") == ["SS-304-2"]
    assert codes("钢板") == ["PL-Q235B-10"]
    assert sorted(codes("Q235B")) == ["CR-COIL-1", "PIPE-1", "PL-Q235B-10"]

    created = item_upsert_many(
        actor=None,
        changes=[
            ItemChange(
                "NEW-1",
                {
                    "name": "镀锌钢板",
                    "category": catalog,
                    "base_unit": units["t"],
                    "attributes": {"grade": "Q235B", "thickness": "1"},
                },
            )
        ],
    )
    assert created[0].created
    assert codes("镀锌") == ["NEW-1"]


# The index -------------------------------------------------------------------------------------------------


def test_two_character_query_uses_the_gin_index(catalog, units):
    names = ["螺栓", "螺母", "垫圈", "法兰", "阀门", "焊丝", "钢丝绳", "轴承"]
    items = [
        Item(code=f"X-{n:05d}", name=f"{names[n % len(names)]} {n}", category=catalog, base_unit=units["pcs"])
        for n in range(3000)
    ]
    for item in items:
        item.search_text = search_document(item, catalog)
    Item.objects.bulk_create(items)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_item")
        cursor.execute("SET enable_seqscan = off")
    try:
        plan = search_items("钢板", limit=None).explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")
    assert "Bitmap Index Scan on catalog_item_search_fts" in plan
    assert codes("钢板") == ["SS-304-2", "PL-Q235B-10"]
    assert codes("法兰", limit=None)[:2] == ["X-00003", "X-00011"]
