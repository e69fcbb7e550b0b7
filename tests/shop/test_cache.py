"""The storefront's cache (catalog.cache): facet counts, result counts and result pages are kept between
requests and dropped as soon as an item or a category changes; prices are never cached (they are per customer)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Item
from catalog.services import item_upsert
from tests.factories.shop import line, plate, price_list

from .conftest import as_user

pytestmark = pytest.mark.django_db

URLS = ["/shop/c/STEEL-PLATE/?f_grade=Q235B", "/shop/search/?q=plate"]


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.mark.parametrize("url", URLS)
def test_a_second_look_costs_fewer_queries_and_a_new_item_shows_at_once(
    url, cast, shop, settings, django_capture_on_commit_callbacks
):
    settings.SHOP_CACHE_SECONDS = 600
    listed = price_list(cast.company_a)
    for number in range(3):
        line(listed, plate(f"PL-{number:03d}", units=shop.units, category=shop.category), "100")
    client = as_user(cast.customer_c_admin)
    first, first_queries = _get(client, url)
    again, again_queries = _get(client, url)
    assert "PL-002" in first and "PL-002" in again
    assert again_queries < first_queries

    with django_capture_on_commit_callbacks(execute=True):
        item_upsert(
            actor=None,
            code="PL-NEW",
            values={
                "name": "热轧钢板 Q235B 12mm",
                "name_en": "Hot-rolled plate Q235B 12 mm",
                "category": shop.category,
                "base_unit": shop.units["t"],
                "is_sellable": True,
                "attributes": {"grade": "Q235B", "thickness": "12"},
            },
        )
    line(listed, Item.objects.get(code="PL-NEW"), "100")
    after, after_queries = _get(client, url)
    assert "PL-NEW" in after
    assert after_queries > again_queries  # counted and ranked again under the new generation
    assert _get(client, url)[1] == again_queries


def test_prices_are_never_cached(cast, shop, settings):
    settings.SHOP_CACHE_SECONDS = 600
    listed = price_list(cast.company_a)
    item = plate("PL-001", units=shop.units, category=shop.category)
    price = line(listed, item, "100")
    client = as_user(cast.customer_c_admin)
    assert "113.00" in _get(client, "/shop/c/STEEL-PLATE/")[0]
    price.unit_price = 200
    price.save()
    assert "226.00" in _get(client, "/shop/c/STEEL-PLATE/")[0]
