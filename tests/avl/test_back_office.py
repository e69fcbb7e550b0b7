"""The AVL back office (/cms/avl/): list and filters in constant queries, export, detail with history, editing
and creating per DESIGN.md §10."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from rfq.avl.models import ApprovedSupplier, AvlStatus
from rfq.avl.services import avl_entry_save
from tests.conftest import login
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
INDEX = "/cms/avl/"


def detail_url(entry):
    return f"/cms/avl/{entry.uuid}/"


def edit_url(entry):
    return f"/cms/avl/{entry.uuid}/edit/"


def snapshot():
    return (
        list(ApprovedSupplier.objects.order_by("pk").values("status", "reason", "valid_until", "company_id")),
        AuditEvent.objects.filter(action__startswith="avl.").count(),
        OutboxEvent.objects.filter(topic="avl.status_changed").count(),
    )


def test_the_list_shows_the_company_s_and_the_group_wide_entries_only(client, cast, tree, entry):
    entry(cast.supplier_a, tree.plate, cast.company_a)
    entry(cast.supplier_b, tree.steel, None, reason="Group-wide one")
    entry(PartnerFactory(name="外司供应商"), tree.plate, cast.company_b)
    login(client, cast.buyer)
    content = client.get(INDEX).content.decode()
    assert cast.supplier_a.name in content and cast.supplier_b.name in content
    assert "外司供应商" not in content


def _list_names(client, **params):
    response = client.get(INDEX, params)
    assert response.status_code == 200
    return {entry.partner.name for entry in response.context["page"]}


def test_filters(client, cast, tree, entry):
    today = timezone.localdate()
    first = PartnerFactory(name="一号", tax_id="91310000TEST00001")
    second = PartnerFactory(name="二号")
    third = PartnerFactory(name="三号")
    entry(first, tree.thick, cast.company_a, valid_until=today + timedelta(days=5))
    entry(second, tree.fasteners, None, AvlStatus.BLOCKED, reason="Late")
    entry(third, tree.steel, cast.company_a, AvlStatus.CONDITIONAL, valid_until=today + timedelta(days=40))
    login(client, cast.sourcing_manager)
    assert _list_names(client, category="STEEL-PLATE") == {"一号"}  # with subcategories
    assert _list_names(client, category="STEEL") == {"一号", "三号"}
    assert _list_names(client, company="group") == {"二号"}
    assert _list_names(client, company="SH01") == {"一号", "三号"}
    assert _list_names(client, status="blocked") == {"二号"}
    assert _list_names(client, q="TEST0000") == {"一号"}
    assert _list_names(client, expiring_within="30") == {"一号"}
    assert _list_names(client, expiring_within="60") == {"一号", "三号"}
    # nonsense filters are ignored, never a 500
    assert len(_list_names(client, expiring_within="-3", category="NOPE", company="ZZ", p="x")) == 3


def test_the_list_runs_a_constant_number_of_queries(client, cast, tree, entry):
    login(client, cast.sourcing_manager)
    entry(cast.supplier_a, tree.plate, cast.company_a)
    client.get(INDEX)
    with CaptureQueriesContext(connection) as few:
        client.get(INDEX, {"category": "STEEL", "status": "approved"})
    for number in range(40):
        entry(PartnerFactory(), tree.thick if number % 2 else tree.steel, cast.company_a if number % 3 else None)
    with CaptureQueriesContext(connection) as many:
        response = client.get(INDEX, {"category": "STEEL", "status": "approved"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 41
    # The page's own queries (scope, companies, the chosen category, the category tree, count, one page of
    # entries with company, category, supplier and reviewer joined) do not grow with the rows; the rest is
    # Wagtail's chrome and the session. bench/avl_list.py shows the same at 20,000 rows.
    assert len(many) == len(few)


def test_the_list_is_paginated(client, cast, tree, entry):
    for _number in range(55):
        entry(PartnerFactory(), tree.plate, cast.company_a)
    login(client, cast.buyer)
    response = client.get(INDEX, {"p": "2", "company": "SH01"})
    assert len(response.context["page"]) == 5
    assert "company=SH01" in response.content.decode()


def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [list(row) for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)]


def test_the_export_holds_the_filtered_list_with_chinese_headers(client, cast, tree, entry):
    entry(cast.supplier_a, tree.plate, cast.company_a, AvlStatus.BLOCKED, reason="裂纹", valid_until=date(2027, 3, 1))
    entry(cast.supplier_b, tree.plate, None)
    login(client, cast.buyer)
    rows = _sheet(client.get("/cms/avl/export.xlsx", {"status": "blocked"}))
    assert rows[0][:6] == ["公司", "品类编码", "品类", "供应商", "统一社会信用代码", "状态"]
    assert len(rows) == 2
    assert rows[1][:8] == [
        "SH01",
        "STEEL-PLATE",
        "钢板",
        cast.supplier_a.name,
        cast.supplier_a.tax_id,
        "禁用",
        rows[1][6],
        "裂纹",
    ]
    assert rows[1][6].date() == date(2027, 3, 1)


def test_the_export_in_english(client, cast, tree, entry):
    entry(cast.supplier_b, tree.plate, None)
    UserProfile.objects.update_or_create(user=cast.buyer, defaults={"preferred_language": "en"})
    login(client, cast.buyer)
    rows = _sheet(client.get("/cms/avl/export.xlsx"))
    assert rows[0][:3] == ["Company", "Category code", "Category"]
    assert rows[1][:6] == [
        "Group-wide",
        "STEEL-PLATE",
        "Plate",
        cast.supplier_b.name_en,
        cast.supplier_b.tax_id,
        "Approved",
    ]


def test_the_export_is_for_staff_only(client, cast):
    login(client, cast.outsider)
    assert client.get("/cms/avl/export.xlsx").status_code in (302, 403)


def test_detail_shows_history_and_the_form_to_who_may_change(client, cast, tree):
    applied = avl_entry_save(
        actor=cast.sourcing_manager, company=cast.company_a, category=tree.plate, partner=cast.supplier_a,
        status="blocked", reason="Cracks in batch 7",
    )  # fmt: skip
    login(client, cast.sourcing_manager)
    response = client.get(detail_url(applied.obj))
    assert response.status_code == 200
    assert len(response.context["history"]) == 1
    assert "Cracks in batch 7" in response.content.decode()
    assert response.context["form"] is not None
    login(client, cast.buyer)
    response = client.get(detail_url(applied.obj))
    assert response.status_code == 200 and response.context["form"] is None


def test_the_sourcing_manager_changes_an_entry(client, cast, tree, entry):
    row = entry(cast.supplier_a, tree.plate, cast.company_a)
    login(client, cast.sourcing_manager)
    response = client.post(
        edit_url(row), {"status": "conditional", "reason": "First article", "valid_until": "2027-01-01"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.reason, row.valid_until) == ("conditional", "First article", date(2027, 1, 1))
    assert row.reviewer == cast.sourcing_manager
    assert AuditEvent.objects.filter(action="avl.changed", object_id=str(row.uuid)).exists()
    assert OutboxEvent.objects.filter(topic="avl.status_changed").count() == 1


def test_blocking_without_a_reason_shows_the_error_next_to_the_field(client, cast, tree, entry):
    row = entry(cast.supplier_a, tree.plate, cast.company_a)
    login(client, cast.sourcing_manager)
    before = snapshot()
    response = client.post(edit_url(row), {"status": "blocked", "reason": "", "valid_until": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["reason"]
    assert snapshot() == before


@pytest.mark.parametrize(("who", "status"), [("buyer", 403), ("sales", 403), ("staff_b", 404)])
def test_others_may_not_change_an_entry_and_nothing_changes(client, cast, tree, entry, who, status):
    row = entry(cast.supplier_a, tree.plate, cast.company_a)
    before = snapshot()
    login(client, getattr(cast, who))
    response = client.post(edit_url(row), {"status": "blocked", "reason": "No", "valid_until": ""})
    assert response.status_code == status
    assert snapshot() == before


def test_anonymous_is_sent_to_log_in_and_nothing_changes(client, cast, tree, entry):
    row = entry(cast.supplier_a, tree.plate, cast.company_a)
    before = snapshot()
    response = client.post(edit_url(row), {"status": "blocked", "reason": "No", "valid_until": ""})
    assert response.status_code == 302 and "login" in response["Location"]
    assert snapshot() == before


def test_a_company_s_sourcing_manager_may_not_change_a_group_wide_entry(client, cast, tree, entry):
    row = entry(cast.supplier_a, tree.plate, None)
    before = snapshot()
    login(client, cast.sourcing_manager)
    assert client.post(edit_url(row), {"status": "blocked", "reason": "No", "valid_until": ""}).status_code == 403
    assert snapshot() == before


def test_malformed_ids_are_404(client, cast):
    login(client, cast.sourcing_manager)
    assert client.get("/cms/avl/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_sourcing_manager_creates_an_entry(client, cast, tree):
    login(client, cast.sourcing_manager)
    assert client.get("/cms/avl/new/").status_code == 200
    response = client.post(
        "/cms/avl/new/",
        {
            "company": cast.company_a.pk,
            "category": tree.plate.pk,
            "partner": cast.supplier_a.tax_id,
            "status": "approved",
        },
    )
    assert response.status_code == 302
    entry = ApprovedSupplier.objects.get()
    assert (entry.company, entry.category, entry.partner) == (cast.company_a, tree.plate, cast.supplier_a)


def test_creating_a_group_wide_entry_needs_the_group_role(client, cast, tree):
    login(client, cast.sourcing_manager)
    data = {"company": "", "category": tree.plate.pk, "partner": cast.supplier_a.tax_id, "status": "approved"}
    response = client.post("/cms/avl/new/", data)
    assert response.status_code == 422 and response.context["form"].errors["company"]
    assert not ApprovedSupplier.objects.exists()
    login(client, cast.group_admin)
    assert client.post("/cms/avl/new/", data).status_code == 302
    assert ApprovedSupplier.objects.get().company is None


def test_creating_for_a_supplier_one_does_not_look_after_is_refused(client, cast, tree):
    login(client, cast.sourcing_manager)
    data = {
        "company": cast.company_a.pk,
        "category": tree.plate.pk,
        "partner": cast.supplier_b.tax_id,
        "status": "approved",
    }
    response = client.post("/cms/avl/new/", data)
    assert response.status_code == 422 and response.context["form"].errors["partner"]
    assert not ApprovedSupplier.objects.exists()


@pytest.mark.parametrize("who", ["buyer", "staff_b"])
def test_staff_without_the_role_may_not_create(client, cast, tree, who):
    login(client, getattr(cast, who))
    data = {
        "company": cast.company_a.pk,
        "category": tree.plate.pk,
        "partner": cast.supplier_a.tax_id,
        "status": "approved",
    }
    assert client.post("/cms/avl/new/", data).status_code == 403
    assert not ApprovedSupplier.objects.exists()


@pytest.mark.parametrize(
    "params",
    [{"q": "a\x00b"}, {"category": "\x00"}, {"company": "SH01\x00"}, {"expiring_within": "99999999999"}, {"p": "-1"}],
)
def test_odd_filters_never_fail(client, cast, params):
    login(client, cast.buyer)
    assert client.get(INDEX, params).status_code == 200
    assert client.get("/cms/avl/export.xlsx", params).status_code == 200


def test_odd_form_input_is_an_error_next_to_the_field(client, cast, tree, entry):
    row = entry(cast.supplier_a, tree.plate, cast.company_a)
    login(client, cast.sourcing_manager)
    response = client.post(edit_url(row), {"status": "nonsense", "valid_until": "2027-13-45", "reason": "a\x00b"})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"status", "valid_until", "reason"}
    response = client.post(
        "/cms/avl/new/", {"company": "999999", "category": "x", "partner": "\x00", "status": "approved"}
    )
    assert response.status_code == 422
    assert not ApprovedSupplier.objects.exclude(pk=row.pk).exists()
