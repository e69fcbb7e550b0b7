"""API clients: bound to one company or the group, hashed keys, revocable."""

import pytest
from django.test import Client
from django.utils import timezone

from portal.api.models import ApiClient
from tests.factories import make_api_client


@pytest.mark.django_db
def test_company_client_sees_its_company_and_its_partners_only(cast):
    client = Client(headers={"Authorization": f"Bearer {cast.api_a.plain_key}"})
    assert [c["code"] for c in client.get("/api/v1/companies").json()] == ["SH01"]
    response = client.get(f"/api/v1/partners/{cast.supplier_a.uuid}")
    assert response.status_code == 200
    assert response.json()["tax_id"] == cast.supplier_a.tax_id
    response = client.get(f"/api/v1/partners/{cast.supplier_b.uuid}")
    assert (response.status_code, response.json()["status"]) == (404, 404)


@pytest.mark.django_db
def test_group_client_sees_every_company(cast):
    group = make_api_client(company=None, name="erp-group")
    client = Client(headers={"X-Api-Key": group.plain_key})
    assert [c["code"] for c in client.get("/api/v1/companies").json()] == ["SH01", "WH02"]


@pytest.mark.django_db
def test_keys_are_stored_hashed_and_revocation_is_immediate(cast):
    stored = ApiClient.objects.get(pk=cast.api_a.pk)
    assert cast.api_a.plain_key not in (stored.key_hash, stored.key_prefix)
    assert stored.key_hash == ApiClient.hash_key(cast.api_a.plain_key)
    ApiClient.objects.filter(pk=stored.pk).update(revoked_at=timezone.now())
    client = Client(headers={"Authorization": f"Bearer {cast.api_a.plain_key}"})
    assert client.get("/api/v1/companies").status_code == 401


@pytest.mark.django_db
def test_wrong_or_missing_key_is_401(cast):
    assert Client().get("/api/v1/companies").status_code == 401
    wrong = cast.api_a.plain_key[:8] + "x" * 35
    assert Client(headers={"Authorization": f"Bearer {wrong}"}).get("/api/v1/companies").status_code == 401


def test_schema_and_docs_are_served_offline(client):
    assert client.get("/api/schema/").headers["Location"] == "/api/v1/schema/"
    schema = client.get("/api/v1/schema/").json()
    assert schema["info"]["title"] == "Group portal API"
    assert "/api/v1/partners/{partner_id}" in schema["paths"]
