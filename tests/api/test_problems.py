"""Every error of /api/v1/ is an RFC 9457 problem naming the field."""

import json

import pytest

from tests.api.conftest import plate, post_batch

pytestmark = pytest.mark.django_db


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    return body


def test_malformed_json_is_a_400_problem(http):
    response = http.group.post("/api/v1/items/batch", "{not json", content_type="application/json")
    assert assert_problem(response, 400)["detail"] == "The body is not valid JSON."


def test_schema_errors_name_the_field(http):
    body = assert_problem(post_batch(http.group, "items", "not a list"), 422)
    assert [error["field"] for error in body["errors"]] == ["objects"]
    missing = assert_problem(http.group.post("/api/v1/items/batch", {}, content_type="application/json"), 422)
    assert [error["field"] for error in missing["errors"]] == ["objects"]


def test_a_batch_over_1000_objects_is_refused(http, steel):
    body = assert_problem(post_batch(http.group, "items", [plate(f"P{n}") for n in range(1001)]), 422)
    assert body["errors"][0]["field"] == "objects"


def test_unknown_and_missing_are_404_problems(http):
    assert_problem(http.group.get("/api/v1/items/NOPE"), 404)
    assert_problem(http.group.get("/api/v1/companies/NOPE/sites/X"), 404)
    assert_problem(http.group.get("/api/v1/items/%00"), 404)


def test_no_key_is_a_401_problem(client):
    assert_problem(client.get("/api/v1/items"), 401)


def test_a_bad_cursor_is_a_422_problem(http):
    body = assert_problem(http.group.get("/api/v1/items?cursor=!!"), 422)
    assert body["errors"][0]["field"] == "cursor"


def test_lists_page_with_a_cursor(http, steel):
    post_batch(http.group, "items", [plate(f"PL-{n}") for n in range(5)])
    first = http.group.get("/api/v1/items?limit=2").json()
    second = http.group.get(f"/api/v1/items?limit=2&cursor={first['next_cursor']}").json()
    third = http.group.get(f"/api/v1/items?limit=2&cursor={second['next_cursor']}").json()
    codes = [item["code"] for page in (first, second, third) for item in page["results"]]
    assert codes == [f"PL-{n}" for n in range(5)]
    assert third["next_cursor"] is None


def test_the_schema_and_docs_work_offline(client):
    schema = client.get("/api/v1/schema/").json()
    assert schema["paths"]["/api/v1/items/batch"]["post"]["responses"]["422"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    assert schema["components"]["schemas"]["ItemInBatch"]["properties"]["objects"]["items"] == {
        "$ref": "#/components/schemas/ItemIn"
    }
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs


def test_a_body_over_the_upload_limit_is_a_413_problem(http, steel, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = assert_problem(post_batch(http.group, "items", [plate(f"P{n}") for n in range(20)]), 413)
    assert body["title"] == "The request is too large"


def test_a_page_of_items_costs_three_queries_and_one_per_item(http, steel, django_assert_num_queries):
    post_batch(http.group, "items", [plate(f"PL-{n}") for n in range(5)])
    # the key (read, last_used_at), the page, and item_payload's conversions query for each of the 5 items
    with django_assert_num_queries(3 + 5):
        assert len(http.group.get("/api/v1/items").json()["results"]) == 5


def test_problems_speak_the_language_the_erp_asks_for(group_api, steel):
    from tests.api.conftest import keyed

    body = json.dumps(
        {
            "objects": [
                {
                    "code": "PL-1",
                    "name": "板",
                    "category": "STEEL-PLATE",
                    "base_unit": "t",
                    "attributes": {"grade": "Q235B", "thickness": "500"},
                }
            ]
        }
    )
    answers = {
        language: keyed(group_api, language).post("/api/v1/items/batch", body, content_type="application/json")
        for language in ("en", "zh-hans")
    }
    assert answers["en"].json()["results"][0]["errors"] == [
        {"field": "objects[0].attributes.thickness", "detail": "Thickness must be at most 300 mm."}
    ]
    assert answers["zh-hans"].json()["results"][0]["errors"] == [
        {"field": "objects[0].attributes.thickness", "detail": "厚度不能大于 300 mm。"}
    ]


def test_an_unknown_api_path_is_a_404_problem(http):
    response = http.group.get("/api/v1/no-such-thing/42")
    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")
    assert response.json()["detail"] == "There is no API operation at /api/v1/no-such-thing/42."
