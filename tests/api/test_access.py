"""Who may write and read what through the inbound API; every denial changes nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Category, Item
from catalog.services import item_payload
from portal.api.models import ApiClient
from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from portal.organisations.models import (
    Company,
    CustomerAccount,
    ExchangeRate,
    Partner,
    PartnerAddress,
    Site,
    SupplierAccount,
)
from tests.api.conftest import keyed, plate, post_batch
from tests.factories import SiteFactory, make_api_client

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything a write could touch."""
    return (
        list(Company.objects.order_by("pk").values()),
        list(Site.objects.order_by("pk").values()),
        list(Partner.objects.order_by("pk").values()),
        list(SupplierAccount.objects.order_by("pk").values()),
        list(CustomerAccount.objects.order_by("pk").values()),
        list(PartnerAddress.objects.order_by("pk").values()),
        list(ExchangeRate.objects.order_by("pk").values()),
        list(Item.objects.order_by("pk").values()),
        list(Category.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
    )


def test_a_key_without_masterdata_write_gets_403_and_nothing_changes(cast, steel):
    reader = keyed(make_api_client(company=None, scopes=["masterdata:read"], name="erp-reader"))
    before = snapshot()
    response = post_batch(reader, "items", [plate("PL-10")])
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "This API key lacks the masterdata:write scope."
    assert reader.put("/api/v1/companies/SH01", {"name": "x"}, content_type="application/json").status_code == 403
    assert snapshot() == before
    # and it may read
    assert reader.get("/api/v1/items").status_code == 200


def test_a_key_without_masterdata_read_cannot_read(cast):
    writer = keyed(make_api_client(company=None, scopes=["masterdata:write"], name="erp-writer"))
    assert writer.get("/api/v1/companies").status_code == 403


def test_a_revoked_key_gets_401_and_nothing_changes(cast, http, steel, group_api):
    ApiClient.objects.filter(pk=group_api.pk).update(revoked_at=timezone.now())
    before = snapshot()
    response = post_batch(http.group, "items", [plate("PL-10")])
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "A valid API key is required"
    assert snapshot() == before


def test_a_company_client_cannot_write_the_item_master(cast, http, steel):
    before = snapshot()
    assert post_batch(http.a, "items", [plate("PL-10")]).status_code == 403
    assert post_batch(http.a, "categories", [{"code": "NEW", "name": "新"}]).status_code == 403
    assert snapshot() == before


def test_every_client_reads_the_item_master(cast, http, steel):
    post_batch(http.group, "items", [plate("PL-10")])
    listed = http.a.get("/api/v1/items?code=PL-10").json()
    assert [item["code"] for item in listed["results"]] == ["PL-10"]
    assert http.b.get("/api/v1/items/PL-10").json() == listed["results"][0] == item_payload(Item.objects.get())


def test_a_company_client_cannot_read_or_write_another_companys_site(cast, http):
    site = SiteFactory(company=cast.company_b, code="P1", name="武汉一厂")
    assert http.b.get("/api/v1/companies/WH02/sites/P1").json()["name"] == "武汉一厂"
    assert http.a.get("/api/v1/companies/WH02/sites/P1").status_code == 404
    before = snapshot()
    put = http.a.put("/api/v1/companies/WH02/sites/P1", {"name": "taken over"}, content_type="application/json")
    assert put.status_code == 403
    batch = post_batch(http.a, "sites", [{"company": "WH02", "code": "P1", "name": "taken over"}])
    assert batch.json()["results"][0]["status"] == "forbidden"
    assert snapshot() == before
    site.refresh_from_db()
    assert site.name == "武汉一厂"


def test_a_company_client_manages_its_own_sites(cast, http):
    response = post_batch(http.a, "sites", [{"company": "SH01", "code": "P1", "name": "上海一厂"}])
    assert response.json()["results"][0]["status"] == "applied"
    assert Site.objects.get(company=cast.company_a, code="P1").name == "上海一厂"


def test_a_company_client_changes_only_its_own_company_and_creates_none(cast, http):
    before = snapshot()
    results = post_batch(
        http.a,
        "companies",
        [{"code": "WH02", "name": "x"}, {"code": "NEW1", "name": "新公司", "ledger_code": "L9"}],
    ).json()["results"]
    assert [r["status"] for r in results] == ["forbidden", "forbidden"]
    assert snapshot() == before
    own = post_batch(http.a, "companies", [{"code": "SH01", "name_en": "Shanghai Steel Group Co."}])
    assert own.json()["results"][0]["status"] == "applied"
    assert Company.objects.get(code="SH01").name_en == "Shanghai Steel Group Co."


def test_a_company_client_cannot_write_another_companys_partner_account(cast, http):
    before = snapshot()
    # supplier B has an account with WH02 only: SH01's client may not touch it at all
    object_b = {"tax_id": cast.supplier_b.tax_id, "name": "renamed"}
    # supplier A is SH01's, but the object also carries an account for WH02: refused whole
    object_a = {
        "tax_id": cast.supplier_a.tax_id,
        "name": "renamed",
        "supplier_accounts": [{"company": "SH01", "erp_number": "V1"}, {"company": "WH02", "erp_number": "V2"}],
    }
    status = {"tax_id": cast.supplier_a.tax_id, "status": "blocked"}
    results = post_batch(http.a, "partners", [object_b, object_a, status]).json()["results"]
    assert [r["status"] for r in results] == ["forbidden", "forbidden", "forbidden"]
    assert snapshot() == before
    # reading: another company's partner is not found; its own shows only its own accounts
    assert http.a.get(f"/api/v1/partners/{cast.supplier_b.tax_id}").status_code == 404
    SupplierAccount.objects.create(partner=cast.supplier_a, company=cast.company_b, erp_number="VB")
    seen = http.a.get(f"/api/v1/partners/{cast.supplier_a.uuid}").json()
    assert [account["company"] for account in seen["supplier_accounts"]] == ["SH01"]


def test_group_reference_rates_are_the_groups(cast, http):
    rate = {"company": None, "base": "USD", "quote": "CNY", "valid_on": "2026-11-27", "rate": "7.1234"}
    before = snapshot()
    assert post_batch(http.a, "exchange-rates", [rate]).json()["results"][0]["status"] == "forbidden"
    assert snapshot() == before
    [result] = post_batch(http.group, "exchange-rates", [rate]).json()["results"]
    assert (result["key"], result["status"]) == ("-/USD/CNY/2026-11-27", "applied")
    own = post_batch(http.a, "exchange-rates", [rate | {"company": "SH01", "rate": "7.2"}]).json()["results"][0]
    assert own["status"] == "applied"
    assert [r["company"] for r in http.a.get("/api/v1/exchange-rates").json()["results"]] == [None, "SH01"]
    assert [r["company"] for r in http.b.get("/api/v1/exchange-rates").json()["results"]] == [None]


def test_create_api_client_prints_the_key_last_and_the_key_works(cast, capsys):
    call_command("create_api_client", "erp-sh01-new", "--scope", "masterdata:read", "--company", "SH01")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    client = ApiClient.objects.get(name="erp-sh01-new")
    assert (client.company, client.scopes, client.key_hash) == (
        cast.company_a,
        ["masterdata:read"],
        ApiClient.hash_key(key),
    )
    response = keyed(type("K", (), {"plain_key": key})).get("/api/v1/companies")
    assert [company["code"] for company in response.json()] == ["SH01"]
