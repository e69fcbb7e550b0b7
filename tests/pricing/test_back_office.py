"""Price lists in the back office: the list (per company, filters, a constant number of queries), a price list's
page with its lines, and who may change it (sales managers of its company, group administrators)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.pricing.models import CustomerGroup, PriceList, PriceListKind, PriceListLine
from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from tests.conftest import login
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.catalog import ItemFactory

pytestmark = pytest.mark.django_db

INDEX = "/cms/prices/"


def make(company, code, kind=PriceListKind.LIST, lines=0, **fields):
    price_list = PriceList.objects.create(
        company=company, code=code, name=f"Prices {code}", currency="CNY", kind=kind, **fields
    )
    for number in range(lines):
        item = ItemFactory()
        PriceListLine.objects.create(
            price_list=price_list, item=item, unit=item.base_unit, unit_price=Decimal(10 + number)
        )
    return price_list


@pytest.fixture
def manager(cast):
    return StaffRoleFactory(
        user=UserFactory(email="sales-manager@group.test"), role="sales_manager", company=cast.company_a
    ).user


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def codes(response):
    return re.findall(r'/cms/prices/[0-9a-f-]{36}/">([^<]+)</a>', response.content.decode())


def test_staff_see_their_companys_price_lists_with_filters(cast):
    make(cast.company_a, "LIST", lines=2)
    make(cast.company_a, "OLD", is_active=False)
    group = CustomerGroup.objects.create(company=cast.company_a, code="DIST", name="经销商")
    make(cast.company_a, "DIST", kind=PriceListKind.GROUP, customer_group=group)
    make(cast.company_b, "WUHAN")

    client = login(Client(), cast.sales)
    assert codes(client.get(INDEX)) == ["DIST", "LIST", "OLD"]
    assert codes(client.get(INDEX, {"active": "no"})) == ["OLD"]
    assert codes(client.get(INDEX, {"kind": "group"})) == ["DIST"]
    assert codes(client.get(INDEX, {"q": "lis"})) == ["LIST"]

    admin = login(Client(), cast.group_admin)
    assert codes(admin.get(INDEX)) == ["DIST", "LIST", "OLD", "WUHAN"]
    assert codes(admin.get(INDEX, {"company": cast.company_b.pk})) == ["WUHAN"]

    assert codes(login(Client(), cast.staff_b).get(INDEX)) == ["WUHAN"]


def test_the_list_takes_the_same_queries_for_many_price_lists(cast):
    make(cast.company_a, "P0", lines=1)
    client = login(Client(), cast.group_admin)
    client.get(INDEX)
    with CaptureQueriesContext(connection) as few:
        assert client.get(INDEX).status_code == 200
    group = CustomerGroup.objects.create(company=cast.company_a, code="G", name="G")
    for number in range(1, 8):
        make(cast.company_b if number % 2 else cast.company_a, f"P{number}", lines=2)
    make(cast.company_a, "PG", kind=PriceListKind.GROUP, customer_group=group)
    make(cast.company_a, "PC", kind=PriceListKind.CUSTOMER, customer=cast.customer_c)
    with CaptureQueriesContext(connection) as many:
        assert client.get(INDEX).status_code == 200
    assert len(many) == len(few)


def test_a_price_list_page_shows_its_lines(cast):
    price_list = make(cast.company_a, "LIST", lines=2)
    response = english(login(Client(), cast.sales)).get(f"{INDEX}{price_list.uuid}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "10.0000 CNY" in content and "11.0000 CNY" in content
    assert "/edit/" not in content  # a salesperson only sees it


def test_a_sales_manager_changes_the_header(cast, manager):
    price_list = make(cast.company_a, "LIST", lines=1)
    client = english(login(Client(), manager))
    assert "/edit/" in client.get(f"{INDEX}{price_list.uuid}/").content.decode()

    response = client.post(
        f"{INDEX}{price_list.uuid}/edit/",
        {"name": "2026 list", "valid_from": "2026-01-01", "valid_until": "2026-12-31", "is_active": ""},
    )

    assert response.status_code == 302
    price_list.refresh_from_db()
    assert (price_list.name, str(price_list.valid_until), price_list.is_active) == ("2026 list", "2026-12-31", False)
    assert price_list.lines.count() == 1
    assert AuditEvent.objects.get(action="price_list.changed").actor == manager
    assert OutboxEvent.objects.filter(topic="price_list.changed").count() == 1


def test_an_invalid_change_is_shown_next_to_its_field(cast, manager):
    price_list = make(cast.company_a, "LIST")
    response = english(login(Client(), manager)).post(
        f"{INDEX}{price_list.uuid}/edit/",
        {"name": "List", "valid_from": "2026-12-31", "valid_until": "2026-01-01", "is_active": "on"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {"valid_until": ["The end of validity cannot come before its start."]}
    price_list.refresh_from_db()
    assert price_list.valid_from is None


def test_a_group_admin_may_change_any_companys_list(cast):
    price_list = make(cast.company_b, "WUHAN")
    response = login(Client(), cast.group_admin).post(
        f"{INDEX}{price_list.uuid}/edit/", {"name": "Wuhan 2026", "is_active": "on"}
    )
    assert response.status_code == 302
    assert PriceList.objects.get(pk=price_list.pk).name == "Wuhan 2026"


def test_a_colleague_without_the_role_gets_403_and_nothing_changes(cast):
    price_list = make(cast.company_a, "LIST")
    client = login(Client(), cast.sales)
    assert client.get(f"{INDEX}{price_list.uuid}/edit/").status_code == 403
    response = client.post(f"{INDEX}{price_list.uuid}/edit/", {"name": "taken", "is_active": "on"})
    assert response.status_code == 403
    assert PriceList.objects.get(pk=price_list.pk).name == "Prices LIST"
    assert not AuditEvent.objects.filter(action__startswith="price_list.").exists()


def test_another_companys_staff_get_404_and_anonymous_the_login(cast, manager):
    price_list = make(cast.company_a, "LIST")
    other_manager = StaffRoleFactory(
        user=UserFactory(email="sales-manager@wuhan.test"), role="sales_manager", company=cast.company_b
    ).user
    client = login(Client(), other_manager)
    assert client.get(f"{INDEX}{price_list.uuid}/").status_code == 404
    assert client.post(f"{INDEX}{price_list.uuid}/edit/", {"name": "taken", "is_active": "on"}).status_code == 404
    assert PriceList.objects.get(pk=price_list.pk).name == "Prices LIST"

    anonymous = Client().get(f"{INDEX}{price_list.uuid}/", follow=True)
    assert anonymous.redirect_chain[0][0].startswith("/cms/login/")


def upload(client, price_list, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"{INDEX}{price_list.uuid}/import/", {"file": SimpleUploadedFile(name, content)})


def test_import_previews_each_row_with_its_errors_and_applies_nothing(cast, manager):
    price_list = make(cast.company_a, "LIST", lines=1)
    ItemFactory(code="STEEL-1")
    client = english(login(Client(), manager))
    content = b"item,unit_price,min_quantity,valid_from,valid_until\nSTEEL-1,10.5,,,\nNOPE,1,,,\nSTEEL-1,abc,100,,\n"

    response = upload(client, price_list, "prices.csv", content)

    assert response.status_code == 422
    rows = response.context["preview"]["rows"]
    assert [(row["number"], row["errors"]) for row in rows] == [
        (2, []),
        (3, ["item: there is no item with the code “NOPE”."]),
        (4, ["unit_price: not a number."]),
    ]
    assert client.post(f"{INDEX}{price_list.uuid}/import/", {"apply": "1"}).status_code == 302
    assert price_list.lines.count() == 1


def test_import_shows_the_services_errors_per_row(cast, manager):
    price_list = make(cast.company_a, "LIST")
    ItemFactory(code="STEEL-1")
    client = english(login(Client(), manager))
    content = b"item,unit_price,valid_from,valid_until\nSTEEL-1,10,,\nSTEEL-1,-1,2026-05-01,2026-04-01\n"

    response = upload(client, price_list, "prices.csv", content)

    assert response.status_code == 422
    assert [row["errors"] for row in response.context["preview"]["rows"]] == [
        [],
        [
            "unit_price: Ensure this value is greater than or equal to 0.",
            "valid_until: The end of validity cannot come before its start.",
        ],
    ]
    assert not price_list.lines.exists()
    assert not AuditEvent.objects.filter(action__startswith="price_list.").exists()


def test_import_xlsx_then_apply_replaces_the_lines(cast, manager):
    import io

    from openpyxl import Workbook

    price_list = make(cast.company_a, "LIST", lines=2)
    item = ItemFactory(code="STEEL-1")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["item", "unit_price", "min_quantity", "tax_rate"])
    sheet.append(["STEEL-1", 12.5, None, None])
    sheet.append(["STEEL-1", 11, 100, 9])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = english(login(Client(), manager))

    preview = upload(client, price_list, "prices.xlsx", buffer.getvalue())
    assert preview.status_code == 200 and preview.context["preview"]["ok"]
    assert price_list.lines.count() == 2

    response = client.post(f"{INDEX}{price_list.uuid}/import/", {"apply": "1"})

    assert response.status_code == 302
    assert sorted(price_list.lines.values_list("item", "min_quantity", "unit_price", "tax_rate")) == [
        (item.pk, Decimal("0"), Decimal("12.5"), Decimal("13")),
        (item.pk, Decimal("100"), Decimal("11"), Decimal("9")),
    ]
    assert AuditEvent.objects.get(action="price_list.changed").actor == manager


def test_import_is_for_sales_managers_of_the_company(cast):
    price_list = make(cast.company_a, "LIST", lines=1)
    ItemFactory(code="STEEL-1")
    content = b"item,unit_price\nSTEEL-1,1\n"
    assert upload(login(Client(), cast.sales), price_list, "p.csv", content).status_code == 403
    assert upload(login(Client(), cast.staff_b), price_list, "p.csv", content).status_code == 404
    assert price_list.lines.get().unit_price == Decimal("10")
