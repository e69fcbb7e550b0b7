"""Browser test of the item master in the back office: a master-data steward creates a steel plate with its
specification (the category's attributes appear when the category is chosen; a bad thickness is refused
next to its field), then previews a bulk import with one bad row, fixes it and applies it."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from catalog.models import Item
from tests.e2e.helpers import fits, log_in
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.catalog import steel_plate_category, steel_units

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADER = "code,name,name_en,category,base_unit,is_purchasable,status,attr:grade,attr:thickness,attr:width,conv:pcs"


def shots(page, screenshot, name, focus=None):
    """Screenshots at a desktop's width and a phone's; the page must not scroll sideways at either. Wagtail's
    admin scrolls inside its own layout, so `focus` (a locator) is scrolled into view first."""
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(400)  # the sidebar's collapse animation
        assert fits(page), (name, width)
        if focus is not None:
            focus.scroll_into_view_if_needed()
        screenshot(page, f"item-master-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_steward_creates_an_item_and_imports_a_file(page, base_url_localhost, screenshot, tmp_path):
    base = base_url_localhost
    category, units = steel_plate_category(), steel_units()
    steward = StaffRoleFactory(
        user=UserFactory(email="masterdata@group.test", first_name="敏", last_name="周"), role="master_data"
    ).user
    TOTP.activate(steward, SECRET)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, steward.email, totp_secret=SECRET, next_path="/cms/catalog/items/new/")
    page.wait_for_url(re.compile(r".*/cms/catalog/items/new/$"))

    # Choosing the category brings its attributes (htmx), the inherited ones included.
    assert page.locator("[name=attr_grade]").count() == 0
    page.select_option("[name=category]", str(category.pk))
    page.wait_for_selector("[name=attr_grade]")
    page.fill("[name=code]", "PL-Q235B-10-1500")
    page.fill("[name=name]", "热轧钢板 Q235B 10×1500")
    page.fill("[name=name_en]", "Hot-rolled plate Q235B 10 × 1500 mm")
    page.select_option("[name=base_unit]", str(units["t"].pk))
    page.select_option("[name=attr_grade]", "Q235B")
    page.fill("[name=attr_thickness]", "0")
    page.fill("[name=attr_width]", "1500")
    page.select_option("[name=conversions-0-unit]", str(units["pcs"].pk))
    page.fill("[name=conversions-0-factor]", "0.7065")
    page.locator("button[name=action][value=save]").click()
    page.wait_for_load_state()
    # refused next to the field; nothing saved
    error = page.locator("[data-field-wrapper]:has([name=attr_thickness]) .error-message")
    assert "0.1" in error.inner_text()
    assert not Item.objects.filter(code="PL-Q235B-10-1500").exists()
    shots(page, screenshot, "create-error", focus=error)

    page.fill("[name=attr_thickness]", "10")
    page.locator("button[name=action][value=save]").click()
    page.wait_for_url(re.compile(r".*/cms/catalog/items/[0-9a-f-]{36}/$"))
    item = Item.objects.get(code="PL-Q235B-10-1500")
    assert item.attributes == {"grade": "Q235B", "thickness": "10", "width": 1500}
    assert page.locator("#history").inner_text().count("item.created") == 1
    shots(page, screenshot, "detail")
    shots(page, screenshot, "detail-history", focus=page.locator("#history"))

    # Import: a file with one bad row is previewed with its error and cannot be applied.
    bad = tmp_path / "items.csv"
    bad.write_bytes(
        (
            "\ufeff"
            + "\n".join(
                [
                    HEADER,
                    "PL-Q345B-12-2000,热轧钢板 Q345B 12×2000,Hot-rolled plate,STEEL-PLATE,t,是,active,Q345B,12,2000,",
                    "PL-Q235B-10-1500,热轧钢板 Q235B 10×1500,,STEEL-PLATE,t,是,blocked,Q235B,10,1500,0.7065",
                    "PL-BAD,坏钢板,,STEEL-PLATE,t,是,active,S355,8,1500,",
                ]
            )
        ).encode()
    )
    page.goto(f"{base}/cms/catalog/import/")
    page.set_input_files("input[name=file]", str(bad))
    page.locator("form:has(input[name=file]) [type=submit]").click()
    page.wait_for_selector("#import-errors")
    assert "S355" in page.locator("#import-errors").inner_text()
    assert page.locator("input[name=action][value=apply]").count() == 0
    shots(page, screenshot, "import-errors")

    good = tmp_path / "items-fixed.csv"
    good.write_bytes(bad.read_bytes().replace(b"S355", b"Q355B"))
    page.set_input_files("input[name=file]", str(good))
    page.locator("form:has(input[name=file]) [type=submit]").click()
    page.wait_for_selector("#import-rows")
    shots(page, screenshot, "import-preview")
    page.locator("form:has(input[name=token]) [type=submit]").click()
    page.wait_for_url(re.compile(r".*/cms/catalog/items/$"))
    assert sorted(Item.objects.values_list("code", "status")) == [
        ("PL-BAD", "active"),
        ("PL-Q235B-10-1500", "blocked"),
        ("PL-Q345B-12-2000", "active"),
    ]
    shots(page, screenshot, "items")

    # The category tree and the attribute schema editor (inherited attributes read-only above it).
    page.goto(f"{base}/cms/catalog/categories/")
    assert page.locator("table.listing").inner_text().index("STEEL") < page.locator("table.listing").inner_text().index(
        "STEEL-PLATE"
    )
    shots(page, screenshot, "categories")
    page.goto(f"{base}/cms/catalog/categories/{category.uuid}/edit/")
    assert page.locator("[name=attributes-1-code]").input_value() == "thickness"
    shots(page, screenshot, "category-schema", focus=page.locator("#attribute-schema"))
