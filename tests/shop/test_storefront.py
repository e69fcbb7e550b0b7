"""The storefront's pages: anonymous browsing, prices per customer (never another customer's), list prices only
when the settings say so, facets, availability hints, datasheets, and query counts constant in the number of
items."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.item_files import item_datasheet_add
from catalog.models import Item
from catalog.pricing.models import PriceListKind
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.shop import line, plate, price_list, stock
from tests.shop.conftest import as_user

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def priced(cast, shop):
    """Two plates: P10 with a list price (and C's own price), P20 with a list price only, P30 without any."""
    p10 = plate("PL-Q235B-10", units=shop.units, category=shop.category)
    p20 = plate("PL-Q345B-20", grade="Q345B", thickness="20", units=shop.units, category=shop.category)
    p30 = plate("PL-Q355B-30", grade="Q355B", thickness="30", units=shop.units, category=shop.category)
    listed = price_list(cast.company_a)
    line(listed, p10, "4000")
    line(listed, p10, "3800", min_quantity="10")
    line(listed, p20, "5000")
    own = price_list(cast.company_a, "Q-C", kind=PriceListKind.CUSTOMER, customer=cast.customer_c)
    line(own, p10, "3555.5")
    return p10, p20, p30


def test_anonymous_browses_without_prices(cast, shop, priced, english_client):
    for url in ["/shop/", "/shop/c/STEEL/", "/shop/c/STEEL-PLATE/", "/shop/search/?q=Q235B", "/shop/i/PL-Q235B-10/"]:
        response = english_client.get(url)
        assert response.status_code == 200, url
        page = text(response)
        assert "PL-Q235B-10" in page
        assert "Log in to see your prices and to order." in page
        assert "4,520.00" not in page and "4,000.00" not in page and "3,555.50" not in page
        assert "Request a quote" not in page


def test_anonymous_sees_list_prices_when_the_settings_say_so(cast, shop, priced, english_client):
    from theme.models import PortalSettings

    settings = PortalSettings.load()
    settings.show_prices_to_anonymous = True
    settings.save()
    page = text(english_client.get("/shop/i/PL-Q235B-10/"))
    assert "4,520.00 CNY" in page  # 4000 + 13 % VAT
    assert "4,000.00 CNY net, 13 % VAT" in page
    assert "3,555.50" not in page  # C's own price
    assert "These are list prices." in page
    category = text(english_client.get("/shop/c/STEEL-PLATE/"))
    assert "4,520.00 CNY" in category and "5,650.00 CNY" in category
    assert "Request a quote" not in category


def test_each_customer_sees_its_own_price_and_never_anothers(cast, shop, priced):
    c = as_user(cast.customer_c_admin)
    d = as_user(shop.d_admin)
    for url in ["/shop/c/STEEL-PLATE/", "/shop/search/?q=plate", "/shop/i/PL-Q235B-10/", "/shop/"]:
        c_page, d_page = text(c.get(url)), text(d.get(url))
        assert "3,555.50 CNY net, 13 % VAT" in c_page, url
        assert "4,017.715 CNY" in c_page  # 3555.5 × 1.13, four places
        assert "3,555.50" not in d_page and "4,017.715" not in d_page, url
        assert "4,000.00 CNY net, 13 % VAT" in d_page, url


def test_item_page_shows_the_quantity_breaks_of_the_winning_level(cast, shop, priced):
    page = text(as_user(shop.d_admin).get("/shop/i/PL-Q235B-10/"))
    assert re.search(r"<td>0 tonne</td><td class=\"num\">4,520.00 CNY</td><td class=\"num\">4,000.00</td>", page)
    assert re.search(r"<td>10 tonne</td><td class=\"num\">4,294.00 CNY</td><td class=\"num\">3,800.00</td>", page)
    # C's own price has one break: no table, and the list's breaks are not C's
    c_page = text(as_user(cast.customer_c_admin).get("/shop/i/PL-Q235B-10/"))
    assert "3,800.00" not in c_page and "Quantity breaks" not in c_page


def test_a_customer_without_a_price_is_offered_a_quote(cast, shop, priced):
    page = text(as_user(cast.customer_c_admin).get("/shop/i/PL-Q355B-30/"))
    assert "No price yet" in page
    assert 'action="/shop/i/PL-Q355B-30/quote/"' in page
    # a colleague without the sales or admin role sees no form
    viewer = text(as_user(shop.c_viewer).get("/shop/i/PL-Q355B-30/"))
    assert "No price yet" in viewer and "/quote/" not in viewer
    # staff and suppliers see no prices and cannot order
    for user in [cast.sales, cast.supplier_a_admin]:
        other = text(as_user(user).get("/shop/i/PL-Q355B-30/"))
        assert "Prices and ordering are for the people of our customers." in other
        assert "/quote/" not in other


def test_category_facets_count_and_filter_exactly(cast, shop, priced, english_client):
    plate("PL-Q235B-5", thickness="5", units=shop.units, category=shop.category)
    plate("PL-OFF", thickness="12", units=shop.units, category=shop.category, is_sellable=False)
    # a value from before a schema change is no number: it matches no range and breaks nothing
    plate("PL-OLD", thickness="12", units=shop.units, category=shop.category, is_sellable=False)
    Item.objects.filter(code="PL-OLD").update(attributes={"grade": "Q235B", "thickness": "thick"}, is_sellable=True)
    page = text(english_client.get("/shop/c/STEEL-PLATE/"))
    assert 'value="Q235B"> Q235B <span class="muted">(3)</span>' in page
    assert 'value="Q345B"> Q345B <span class="muted">(1)</span>' in page
    assert 'placeholder="5"' in page and 'placeholder="30"' in page  # thickness 5–30 mm
    assert "5 items" in page
    ranged = text(english_client.get("/shop/c/STEEL-PLATE/?thickness_min=1"))
    assert "4 items" in ranged and "PL-OLD" not in ranged
    Item.objects.filter(code="PL-OLD").delete()

    def codes(query):
        return re.findall(r'class="shop-code">([^<]+)</div>', text(english_client.get("/shop/c/STEEL-PLATE/" + query)))

    assert codes("?f_grade=Q235B") == ["PL-Q235B-10", "PL-Q235B-5"]
    assert codes("?f_grade=Q235B&f_grade=Q355B") == ["PL-Q235B-10", "PL-Q235B-5", "PL-Q355B-30"]
    assert codes("?thickness_min=10&thickness_max=20") == ["PL-Q235B-10", "PL-Q345B-20"]
    assert codes("?thickness_min=6") == ["PL-Q235B-10", "PL-Q345B-20", "PL-Q355B-30"]
    assert codes("?f_grade=Q235B&thickness_max=9.5") == ["PL-Q235B-5"]
    assert codes("?sort=name&f_grade=Q345B") == ["PL-Q345B-20"]
    # a hand-made URL is no error
    assert codes("?thickness_min=1e999999&thickness_max=NaN&page=abc") == [
        "PL-Q235B-10",
        "PL-Q235B-5",
        "PL-Q345B-20",
        "PL-Q355B-30",
    ]
    assert codes("?thickness_min=abc&f_grade=NOPE&page=99&sort=evil") == [
        "PL-Q235B-10",
        "PL-Q235B-5",
        "PL-Q345B-20",
        "PL-Q355B-30",
    ]
    # counts under the other facets: with thickness ≥ 10 only one Q235B remains
    filtered = text(english_client.get("/shop/c/STEEL-PLATE/?thickness_min=10"))
    assert 'value="Q235B"> Q235B <span class="muted">(1)</span>' in filtered


def test_unknown_and_unsellable_are_404(cast, shop, priced, english_client):
    plate("PL-OFF", units=shop.units, category=shop.category, is_sellable=False)
    assert english_client.get("/shop/i/PL-OFF/").status_code == 404
    assert english_client.get("/shop/i/NOPE/").status_code == 404
    assert english_client.get("/shop/c/NOPE/").status_code == 404


def test_search_says_when_it_matched_similar_words(cast, shop, priced, english_client):
    page = text(english_client.get("/shop/search/?q=Hot-roled"))
    assert "PL-Q235B-10" in page
    assert "Nothing matched “Hot-roled” exactly; these items match similar words." in page
    exact = text(english_client.get("/shop/search/?q=钢板"))
    assert "3 items" in exact and "similar words" not in exact
    assert "No items found for “zzzz”." in text(english_client.get("/shop/search/?q=zzzz"))
    assert english_client.get("/shop/search/?q=" + "x" * 5000).status_code == 200


def test_availability_hints_never_show_the_figure(cast, shop, priced, english_client):
    p10, p20, p30 = priced
    p30.lead_time_days = 21
    p30.save()
    p20.min_order_quantity = Decimal("5")
    p20.save()
    stock(cast.company_a, p10, "123.4567")
    stock(cast.company_a, p20, "2")  # below the minimum of 5 t
    anonymous = text(english_client.get("/shop/c/STEEL-PLATE/"))
    assert "In stock" in anonymous and "Low stock" in anonymous and "Made to order — about 21 days" in anonymous
    assert "123.4567" not in anonymous and "as of" not in anonymous
    customer = text(as_user(cast.customer_c_admin).get("/shop/i/PL-Q235B-10/"))
    assert "In stock" in customer and "as of 2026-11-28 16:00" in customer  # 08:00 UTC in Shanghai
    assert "123.4567" not in customer


def _datasheet(cast, item):
    upload = SimpleUploadedFile("plate.pdf", b"%PDF-1.4 datasheet", content_type="application/pdf")
    return item_datasheet_add(actor=cast.group_admin, item=item, uploaded_file=upload)


def test_datasheets_are_for_customers(cast, shop, priced, english_client):
    p10 = priced[0]
    document = _datasheet(cast, p10)
    url = f"/shop/i/PL-Q235B-10/datasheets/{document.uuid}/"
    assert url in text(as_user(cast.customer_c_admin).get("/shop/i/PL-Q235B-10/"))
    assert url not in text(english_client.get("/shop/i/PL-Q235B-10/"))
    response = as_user(cast.customer_c_admin).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 datasheet"
    assert english_client.get(url).status_code == 302
    assert as_user(cast.supplier_b_admin).get(url).status_code == 404
    # another item's path does not serve it
    assert as_user(cast.customer_c_admin).get(f"/shop/i/PL-Q345B-20/datasheets/{document.uuid}/").status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["anonymous", "customer"])
@pytest.mark.parametrize(
    "url", ["/shop/", "/shop/c/STEEL/", "/shop/c/STEEL-PLATE/?f_grade=Q235B&thickness_min=1", "/shop/search/?q=plate"]
)
def test_list_pages_take_the_same_queries_for_more_items(cast, shop, who, url):
    listed = price_list(cast.company_a)
    client = as_user(cast.customer_c_admin) if who == "customer" else Client()

    def add(count, start):
        for number in range(start, start + count):
            item = plate(f"PL-{number:03d}", units=shop.units, category=shop.category)
            line(listed, item, "100")
            stock(cast.company_a, item, "5")

    add(2, 0)
    client.get(url)  # warm caches (site root, settings)
    few = _queries(client, url)
    add(7, 10)
    assert _queries(client, url) == few


def test_item_page_takes_the_same_queries_for_more_breaks_and_stock(cast, shop, priced):
    client = as_user(cast.customer_c_admin)
    client.get("/shop/i/PL-Q345B-20/")
    few = _queries(client, "/shop/i/PL-Q345B-20/")
    listed = price_list(cast.company_a, "LIST2")
    for quantity in range(1, 6):
        line(listed, priced[1], "4900", min_quantity=str(quantity * 10))
    stock(cast.company_a, priced[1], "3")
    stock(cast.company_a, priced[1], "4")
    assert _queries(client, "/shop/i/PL-Q345B-20/") == few


def test_pages_render_for_staff(cast, shop, priced):
    manager = StaffRoleFactory(user=UserFactory(email="m@group.test"), role="sales_manager", company=cast.company_a)
    for user in [cast.sales, manager.user, cast.group_admin]:
        client = as_user(user)
        for url in ["/shop/", "/shop/c/STEEL-PLATE/", "/shop/search/?q=Q235B", "/shop/i/PL-Q235B-10/"]:
            assert client.get(url).status_code == 200


def test_search_results_of_one_category_get_its_facets(cast, shop, priced, english_client):
    from tests.factories.catalog import CategoryFactory

    page = text(english_client.get("/shop/search/?q=plate"))
    assert 'value="Q235B"> Q235B <span class="muted">(1)</span>' in page
    assert '<input type="hidden" name="q" value="plate">' in page
    filtered = text(english_client.get("/shop/search/?q=plate&f_grade=Q345B&f_grade=Q355B&thickness_max=25"))
    assert re.findall(r'class="shop-code">([^<]+)</div>', filtered) == ["PL-Q345B-20"]
    # results from two categories: no facets, no filtering
    plate("PL-PIPE", units=shop.units, category=CategoryFactory(code="PIPE", name="钢管"), name_en="Plate pipe")
    mixed = text(english_client.get("/shop/search/?q=plate&f_grade=Q345B"))
    assert "Filter by specification" not in mixed and "4 items" in mixed


def test_an_empty_shop_says_so(db, english_client):
    assert "The shop has no categories yet." in text(english_client.get("/shop/"))
    blank = text(english_client.get("/shop/search/"))
    assert "Search by item code, name (Chinese or English) or a specification value such as a grade." in blank
    assert english_client.get("/shop/search/?q=%00%00").status_code == 200
    assert english_client.post("/shop/").status_code == 405


def _image(cast, item, caption):
    import io

    from PIL import Image as PILImage

    from catalog.item_files import item_image_add

    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 80, 20)).save(buffer, "PNG")
    upload = SimpleUploadedFile(f"{item.code}.png", buffer.getvalue(), content_type="image/png")
    return item_image_add(actor=cast.group_admin, item=item, uploaded_image=upload, caption=caption)


def test_images_show_and_pages_keep_their_query_counts(cast, shop, priced, english_client):
    _image(cast, priced[0], "切边")
    page = text(english_client.get("/shop/i/PL-Q235B-10/"))
    assert 'alt="切边"' in page and "<figcaption" in page
    url = "/shop/c/STEEL-PLATE/"
    assert 'class="shop-thumb"' in text(english_client.get(url))
    english_client.get(url)  # renditions made on the first view
    few = _queries(english_client, url)
    _image(cast, priced[1], "")
    _image(cast, priced[2], "")
    english_client.get(url)
    assert _queries(english_client, url) == few


def test_yes_no_attributes_are_facets_too(cast, shop, english_client):
    from tests.factories.catalog import CategoryFactory, ItemFactory

    pipes = CategoryFactory(
        code="PIPE",
        name="钢管",
        attribute_schema=[{"code": "seamless", "label": "无缝", "label_en": "Seamless", "type": "boolean"}],
    )
    for code, seamless in [("SP-1", True), ("SP-2", True), ("SP-3", False)]:
        ItemFactory(code=code, category=pipes, is_sellable=True, attributes={"seamless": seamless})
    page = text(english_client.get("/shop/c/PIPE/"))
    assert 'value="true"> Yes <span class="muted">(2)</span>' in page
    assert 'value="false"> No <span class="muted">(1)</span>' in page
    only = text(english_client.get("/shop/c/PIPE/?f_seamless=false"))
    assert re.findall(r'class="shop-code">([^<]+)</div>', only) == ["SP-3"]
