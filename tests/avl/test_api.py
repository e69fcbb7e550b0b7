"""/api/v1/approved-suppliers: reading in pages and writing in batches (applied / stale / invalid / forbidden)."""

import pytest

from portal.integration.models import OutboxEvent
from rfq.avl.models import ApprovedSupplier
from tests.api.conftest import keyed, post_batch
from tests.factories import make_api_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/approved-suppliers"


@pytest.fixture
def http(cast):
    return type(
        "Http",
        (),
        {
            "group": keyed(make_api_client(company=None, name="erp-group")),
            "a": keyed(cast.api_a),
            "b": keyed(cast.api_b),
            "reader": keyed(make_api_client(company=None, name="reader", scopes=["masterdata:read"])),
        },
    )


def obj(cast, company="SH01", category="STEEL-PLATE", **extra):
    return {"company": company, "category": category, "partner": cast.supplier_a.tax_id, "status": "approved"} | extra


def statuses(response):
    assert response.status_code == 200, response.content
    return [result["status"] for result in response.json()["results"]]


def test_a_batch_applies_and_a_resend_answers_the_same_without_changes(http, cast, tree):
    objects = [obj(cast), obj(cast, company=None, category="FAST", status="blocked", reason="Late deliveries")]
    first = post_batch(http.group, "approved-suppliers", objects)
    assert statuses(first) == ["applied", "applied"]
    assert first.json()["results"][0]["key"] == f"SH01/STEEL-PLATE/{cast.supplier_a.tax_id}"
    assert ApprovedSupplier.objects.count() == 2
    events = OutboxEvent.objects.filter(topic="avl.status_changed").count()
    assert events == 2
    second = post_batch(http.group, "approved-suppliers", objects)
    assert second.json() == first.json()
    assert ApprovedSupplier.objects.count() == 2
    assert OutboxEvent.objects.filter(topic="avl.status_changed").count() == events


def test_an_idempotency_key_replays_the_answer(http, cast, tree):
    first = post_batch(http.a, "approved-suppliers", [obj(cast)], **{"Idempotency-Key": "avl-1"})
    ApprovedSupplier.objects.all().delete()
    replay = post_batch(http.a, "approved-suppliers", [obj(cast)], **{"Idempotency-Key": "avl-1"})
    assert replay.json() == first.json()
    assert not ApprovedSupplier.objects.exists()


def test_older_versions_are_stale(http, cast, tree):
    post_batch(http.group, "approved-suppliers", [obj(cast, source_version=5)])
    response = post_batch(http.group, "approved-suppliers", [obj(cast, status="blocked", reason="x", source_version=4)])
    assert statuses(response) == ["stale"]
    assert ApprovedSupplier.objects.get().status == "approved"
    newer = post_batch(http.group, "approved-suppliers", [obj(cast, status="blocked", reason="x", source_version=6)])
    assert statuses(newer) == ["applied"]
    entry = ApprovedSupplier.objects.get()
    assert (entry.status, entry.source_version, entry.reviewer) == ("blocked", 6, None)


def test_a_company_client_writes_only_its_company(http, cast, tree):
    response = post_batch(
        http.a, "approved-suppliers", [obj(cast), obj(cast, company="WH02"), obj(cast, company=None, category="FAST")]
    )
    assert statuses(response) == ["applied", "forbidden", "forbidden"]
    assert list(ApprovedSupplier.objects.values_list("company__code", flat=True)) == ["SH01"]


def test_invalid_objects_name_their_fields(http, cast, tree):
    response = post_batch(
        http.group,
        "approved-suppliers",
        [
            obj(cast, status="blocked"),
            obj(cast, category="NOPE"),
            obj(cast, status="maybe"),
            obj(cast, company="ZZ99"),
            {"category": "STEEL"},
            "not an object",
            obj(cast, partner="nobody"),
        ],
    )
    results = response.json()["results"]
    assert [result["status"] for result in results] == ["invalid"] * 7
    assert results[0]["errors"][0]["field"] == "objects[0].reason"
    assert results[1]["errors"][0]["field"] == "objects[1].category"
    assert results[2]["errors"][0]["field"].startswith("objects[2].status")
    assert results[3]["errors"][0]["field"] == "objects[3].company"
    assert results[6]["errors"][0]["field"] == "objects[6].partner"
    assert not ApprovedSupplier.objects.exists()


def test_writing_needs_the_write_scope(http, cast, tree):
    response = post_batch(http.reader, "approved-suppliers", [obj(cast)])
    assert response.status_code == 403
    assert not ApprovedSupplier.objects.exists()


def test_anonymous_gets_401(client, cast, tree):
    response = client.post(f"{URL}/batch", {"objects": [obj(cast)]}, content_type="application/json")
    assert response.status_code == 401


def test_reading_pages_and_filters(http, cast, tree, entry):
    entry(cast.supplier_a, tree.plate, cast.company_a)
    entry(cast.supplier_a, tree.fasteners, None, "blocked", reason="Late")
    entry(cast.supplier_b, tree.plate, cast.company_b)
    a_sees = http.a.get(URL).json()["results"]
    assert {(row["company"], row["category"]) for row in a_sees} == {("SH01", "STEEL-PLATE"), (None, "FAST")}
    assert len(http.group.get(URL).json()["results"]) == 3
    assert [row["category"] for row in http.group.get(URL, {"company": "-"}).json()["results"]] == ["FAST"]
    assert [
        row["company"]
        for row in http.group.get(
            URL, {"status": "approved", "category": "STEEL-PLATE", "partner": cast.supplier_b.tax_id}
        ).json()["results"]
    ] == ["WH02"]
    first = http.group.get(URL, {"limit": 2}).json()
    assert len(first["results"]) == 2 and first["next_cursor"]
    rest = http.group.get(URL, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(rest["results"]) == 1 and rest["next_cursor"] is None
    assert http.group.get(URL, {"status": "nonsense"}).status_code in (400, 422)
    assert http.group.get(URL, {"cursor": "!!"}).status_code == 422


@pytest.mark.parametrize("name", ["company", "category", "partner"])
def test_a_nul_in_a_filter_is_422_not_500(http, cast, name):
    assert http.group.get(URL, {name: "SH\x0001"}).status_code == 422
