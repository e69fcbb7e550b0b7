"""The inbound API's fixtures: a group-wide ERP client, HTTP clients carrying keys, and a steel item master."""

from types import SimpleNamespace

import pytest
from django.test import Client

from tests.factories import make_api_client
from tests.factories.catalog import steel_plate_category, steel_units


def keyed(api_client, language: str = "en") -> Client:
    """A Django test client that sends this API client's key (and asks for English problem texts, which the
    tests compare; the API answers in the language the request asks for, Chinese by default)."""
    return Client(headers={"Authorization": f"Bearer {api_client.plain_key}", "Accept-Language": language})


@pytest.fixture
def group_api(cast):
    return make_api_client(company=None, name="erp-group")


@pytest.fixture
def http(cast, group_api):
    """HTTP clients: `group` (group-wide, every scope), `a` (SH01) and `b` (WH02)."""
    return SimpleNamespace(group=keyed(group_api), a=keyed(cast.api_a), b=keyed(cast.api_b))


@pytest.fixture
def steel(db):
    return SimpleNamespace(units=steel_units(), plate=steel_plate_category())


def plate(code="PL-10", thickness="10", **extra):
    """An item object as the ERP sends it."""
    return {
        "code": code,
        "name": f"钢板 {code}",
        "category": "STEEL-PLATE",
        "base_unit": "t",
        "attributes": {"grade": "Q235B", "thickness": thickness},
        "conversions": {"pcs": "0.125"},
    } | extra


def post_batch(http_client, collection, objects, **headers):
    return http_client.post(
        f"/api/v1/{collection}/batch", {"objects": objects}, content_type="application/json", headers=headers
    )
