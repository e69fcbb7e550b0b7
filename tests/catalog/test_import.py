"""Bulk import of the item master: the dry run changes nothing, errors name row, column and message and block
the apply, a good file applies every row in one transaction (in a bounded number of queries), and CSV (with BOM,
GB18030) and XLSX all read."""

import io
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

import catalog.bulk
from catalog.attributes import validate_attributes
from catalog.imports import ImportNotApplied, apply_import, plan_import, read_table
from catalog.models import Item
from catalog.services import item_upsert
from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from tests.conftest import login
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.catalog import steel_plate_category, steel_units

pytestmark = pytest.mark.django_db

HEADER = "code,name,name_en,category,base_unit,is_purchasable,status,attr:grade,attr:thickness,attr:width,conv:pcs"
GOOD_ROWS = [
    "PL-Q235B-8,热轧钢板 Q235B 8mm,Hot-rolled plate 8 mm,STEEL-PLATE,t,是,active,Q235B,8,1500,0.1",
    "PL-Q345B-20,热轧钢板 Q345B 20mm,Hot-rolled plate 20 mm,STEEL-PLATE,t,yes,active,Q345B,20,2000,",
    "PL-Q235B-10,热轧钢板 Q235B 10mm,Hot-rolled plate Q235B 10 mm,STEEL-PLATE,t,yes,blocked,Q235B,10,1500,0.125",
]


@pytest.fixture
def setup(cast):
    category, units = steel_plate_category(), steel_units()
    item_upsert(
        actor=None,
        code="PL-Q235B-10",
        values={
            "name": "热轧钢板 Q235B 10mm",
            "name_en": "Hot-rolled plate Q235B 10 mm",
            "category": category,
            "base_unit": units["t"],
            "attributes": {"grade": "Q235B", "thickness": "10", "width": 1500},
        },
        conversions={units["pcs"]: Decimal("0.125")},
    )
    steward = StaffRoleFactory(user=UserFactory(email="masterdata@group.test"), role="master_data", company=None)
    return category, units, steward.user


def csv_file(rows, *, name="items.csv", encoding="utf-8", bom=False):
    text = "\n".join([HEADER, *rows]) + "\n"
    content = ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)
    return SimpleUploadedFile(name, content, content_type="text/csv")


def xlsx_file(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in rows:
        cells = row.split(",")
        # numbers as Excel stores them
        cells[8] = float(cells[8]) if cells[8] else None
        cells[9] = int(cells[9]) if cells[9] else None
        cells[10] = float(cells[10]) if cells[10] else None
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("items.xlsx", buffer.getvalue())


def state():
    return (
        sorted(Item.objects.values_list("code", "status", "attributes")),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
    )


def english_client(user):
    client = login(Client(), user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def token_of(response):
    page = response.content.decode()
    start = page.index('name="token" value="') + len('name="token" value="')
    return page[start : page.index('"', start)]


def test_dry_run_changes_nothing_and_apply_applies_every_row(setup):
    _category, units, steward = setup
    client = english_client(steward)
    before = state()
    preview = client.post("/cms/catalog/import/", {"action": "upload", "file": csv_file(GOOD_ROWS)})
    assert preview.status_code == 200
    assert state() == before
    page = preview.content.decode()
    assert "create: 2" in page and "change: 1" in page and "errors: 0" in page
    assert "<strong>status</strong>: <del>active</del> → <ins>blocked</ins>" in page

    applied = client.post("/cms/catalog/import/", {"action": "apply", "token": token_of(preview)})
    assert applied.status_code == 302
    items = {item.code: item for item in Item.objects.prefetch_related("conversions__unit")}
    assert sorted(items) == ["PL-Q235B-10", "PL-Q235B-8", "PL-Q345B-20"]
    assert items["PL-Q235B-8"].attributes == {"grade": "Q235B", "thickness": "8", "width": 1500}
    assert [(c.unit.code, c.factor) for c in items["PL-Q235B-8"].conversions.all()] == [("pcs", Decimal("0.1"))]
    assert list(items["PL-Q345B-20"].conversions.all()) == []
    assert items["PL-Q235B-10"].status == "blocked"
    assert AuditEvent.objects.filter(action="item.created", actor=steward).count() == 2
    assert OutboxEvent.objects.filter(topic="item.changed").count() == 1
    # the file is gone with the token: applying again is refused
    again = client.post("/cms/catalog/import/", {"action": "apply", "token": token_of(preview)}, follow=True)
    assert "The preview has expired." in again.content.decode()


def test_one_bad_row_is_reported_and_cannot_be_applied(setup):
    _category, _units, steward = setup
    client = english_client(steward)
    bad = "PL-BAD,坏钢板,,STEEL-PLATE,t,yes,active,S355,8,1500,"
    preview = client.post("/cms/catalog/import/", {"action": "upload", "file": csv_file([*GOOD_ROWS[:2], bad])})
    page = preview.content.decode()
    assert "errors: 1" in page
    errors = page[page.index('id="import-errors"') :]
    assert (
        "<tr><td>4</td><td>PL-BAD</td><td><code>attr:grade</code></td>"
        "<td>Grade must be one of Q235B, Q345B, Q355B, not S355.</td></tr>"
    ) in errors
    assert 'name="action" value="apply"' not in page
    token = page[page.index("errors.csv?token=") + len("errors.csv?token=") :].split('"')[0]
    report = client.get(f"/cms/catalog/import/errors.csv?token={token}")
    assert report.content.decode("utf-8-sig").splitlines() == [
        "Row,Code,Column,Message",
        '4,PL-BAD,attr:grade,"Grade must be one of Q235B, Q345B, Q355B, not S355."',
    ]
    before = state()
    refused = client.post("/cms/catalog/import/", {"action": "apply", "token": token})
    assert refused.status_code == 400
    assert state() == before


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("X-1,名,,NOPE,t,yes,active,Q235B,8,,", "category", "There is no category with the code “NOPE”."),
        ("X-1,名,,STEEL-PLATE,bag,yes,active,Q235B,8,,", "base_unit", "There is no unit with the code “bag”."),
        ("X-1,名,,STEEL-PLATE,t,maybe,active,Q235B,8,,", "is_purchasable",
         "Write yes or no (or 是 / 否), not “maybe”."),
        ("X-1,名,,STEEL-PLATE,t,yes,active,Q235B,thick,,", "attr:thickness", "Thickness must be a number, not thick."),
        ("X-1,名,,STEEL-PLATE,t,yes,active,,8,,", "attr:grade", "Grade is required."),
        ("X-1,名,,STEEL-PLATE,t,yes,active,Q235B,8,,-1", "conv:pcs", "A conversion factor must be greater than zero."),
        ("X 1,名,,STEEL-PLATE,t,yes,active,Q235B,8,,", "code",
         "Use letters, digits and . _ - / only, starting with a letter or digit."),
        (",名,,STEEL-PLATE,t,yes,active,Q235B,8,,", "code", "Every row needs an item code."),
        ("X-1,,,STEEL-PLATE,t,yes,active,Q235B,8,,", "name", "A new item needs this value."),
    ],
)  # fmt: skip
def test_row_errors_name_the_column(setup, row, column, message):
    with translation.override("en"):
        plan = plan_import(read_table("items.csv", "\n".join([HEADER, row]).encode()))
    assert [(error.row, error.column, error.message) for error in plan.errors] == [(2, column, message)]


def test_a_duplicate_code_and_unknown_columns_are_errors(setup):
    table = read_table("items.csv", "\n".join([HEADER + ",colour,conv:bag", GOOD_ROWS[0], GOOD_ROWS[0]]).encode())
    plan = plan_import(table)
    assert [(error.row, error.column) for error in plan.errors] == [(1, "colour"), (1, "conv:bag"), (3, "code")]
    assert not plan.can_apply


def test_a_failure_while_applying_rolls_everything_back(setup, monkeypatch):
    _category, _units, steward = setup
    table = read_table("items.csv", "\n".join([HEADER, *GOOD_ROWS]).encode())
    before = state()
    calls = []

    def failing_validation(schema, values):
        # the service validates each row's attributes again, in order: the second row fails now
        calls.append(values)
        if len(calls) == 2:
            raise ValidationError({"attributes.thickness": ["changed meanwhile"]})
        return validate_attributes(schema, values)

    monkeypatch.setattr(catalog.bulk, "validate_attributes", failing_validation)
    with pytest.raises(ImportNotApplied) as refused:
        apply_import(actor=steward, table=table)
    assert [(e.row, e.column, e.message) for e in refused.value.plan.errors] == [
        (3, "attr:thickness", "changed meanwhile")
    ]
    assert state() == before


def test_two_thousand_rows_apply_in_a_bounded_number_of_queries(setup):
    _category, _units, steward = setup
    rows = [f"PL-{n:05d},钢板 {n},,STEEL-PLATE,t,yes,active,Q235B,{1 + n % 50},1500,0.1" for n in range(2000)]
    table = read_table("items.csv", "\n".join([HEADER, *rows, GOOD_ROWS[2]]).encode())
    audits, events = AuditEvent.objects.count(), OutboxEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        plan = apply_import(actor=steward, table=table)
    assert len(queries) < 60, "\n".join(query["sql"][:120] for query in queries.captured_queries)
    assert (plan.count("create"), plan.count("change")) == (2000, 1)
    created = Item.objects.prefetch_related("conversions__unit").get(code="PL-01999")
    assert created.attributes == {"grade": "Q235B", "thickness": "50", "width": 1500}
    assert [(c.unit.code, c.factor) for c in created.conversions.all()] == [("pcs", Decimal("0.1"))]
    assert Item.objects.get(code="PL-Q235B-10").status == "blocked"
    assert AuditEvent.objects.filter(action="item.created", actor=steward).count() == 2000
    assert AuditEvent.objects.filter(action="item.changed", actor=steward).count() == 1
    assert (AuditEvent.objects.count() - audits, OutboxEvent.objects.count() - events) == (2001, 2001)
    assert OutboxEvent.objects.order_by("-id").values_list("topic", flat=True)[0] == "item.changed"
    # changing them all again: planning against 2,000 stored items costs no query per item either
    rows = [f"PL-{n:05d},钢板 {n},,STEEL-PLATE,t,yes,active,Q345B,{1 + n % 50},1500,0.2" for n in range(2000)]
    table = read_table("items.csv", "\n".join([HEADER, *rows]).encode())
    with CaptureQueriesContext(connection) as queries:
        plan = apply_import(actor=steward, table=table)
    assert len(queries) < 60, "\n".join(query["sql"][:120] for query in queries.captured_queries)
    assert plan.count("change") == 2000
    changed = Item.objects.prefetch_related("conversions").get(code="PL-01999")
    assert (changed.attributes["grade"], [c.factor for c in changed.conversions.all()]) == ("Q345B", [Decimal("0.2")])


@pytest.mark.parametrize("kind", ["bom", "gb18030", "xlsx"])
def test_csv_with_bom_gb18030_and_xlsx_read_the_same(setup, kind):
    _category, _units, steward = setup
    client = english_client(steward)
    upload = {
        "bom": lambda: csv_file(GOOD_ROWS, bom=True),
        "gb18030": lambda: csv_file(GOOD_ROWS, encoding="gb18030"),
        "xlsx": lambda: xlsx_file(GOOD_ROWS),
    }[kind]()
    preview = client.post("/cms/catalog/import/", {"action": "upload", "file": upload})
    page = preview.content.decode()
    assert "create: 2" in page and "change: 1" in page and "errors: 0" in page, page[page.find("import-errors") :][:800]
    assert client.post("/cms/catalog/import/", {"action": "apply", "token": token_of(preview)}).status_code == 302
    assert Item.objects.get(code="PL-Q235B-8").attributes == {"grade": "Q235B", "thickness": "8", "width": 1500}


def test_limits_are_stated_and_enforced(setup):
    _category, _units, steward = setup
    client = english_client(steward)
    assert "At most 10,000 rows and 10 MB." in client.get("/cms/catalog/import/").content.decode()
    rows = "\n".join(f"X-{n},名,,STEEL-PLATE,t,yes,active,Q235B,8,," for n in range(10_001))
    big = SimpleUploadedFile("items.csv", f"{HEADER}\n{rows}\n".encode())
    page = client.post("/cms/catalog/import/", {"action": "upload", "file": big}).content.decode()
    assert "The file has more than 10,000 rows." in page
    assert Item.objects.count() == 1


def test_five_thousand_rows_preview_in_a_few_seconds_without_a_query_per_row(setup, django_assert_max_num_queries):
    rows = [f"PL-{n:05d},钢板 {n},,STEEL-PLATE,t,yes,active,Q235B,{1 + n % 50},1500,0.1" for n in range(5000)]
    content = "\n".join([HEADER, *rows, GOOD_ROWS[2]]).encode()
    started = time.monotonic()
    # categories, units, the existing items (in chunks of 2000) and their conversions
    with django_assert_max_num_queries(10):
        plan = plan_import(read_table("items.csv", content))
    assert time.monotonic() - started < 5
    assert (plan.count("create"), plan.count("change"), plan.errors) == (5000, 1, [])


def test_template_has_the_categorys_attribute_columns(setup):
    category, _units, steward = setup
    response = login(Client(), steward).get(f"/cms/catalog/import/template.xlsx?category={category.code}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    header = next(workbook["items"].iter_rows(values_only=True))
    assert header[-4:] == ("attr:grade", "attr:thickness", "attr:width", "attr:standard")
    assert header[:3] == ("code", "name", "name_en")


def test_an_empty_conversion_cell_removes_the_conversion_and_other_columns_stay(setup):
    _category, _units, steward = setup
    table = read_table("items.csv", b"code,conv:pcs\nPL-Q235B-10,\n")
    plan = apply_import(actor=steward, table=table)
    assert [(row.action, row.changes) for row in plan.rows] == [("change", {"conversions": ("pcs=0.125", "")})]
    item = Item.objects.get(code="PL-Q235B-10")
    assert (list(item.conversions.all()), item.name, item.attributes["thickness"]) == ([], "热轧钢板 Q235B 10mm", "10")
