"""The cart's cast: customer C (approved, accounts at company A and B) with its people, steel plates sold by the
tonne (at least 5 t, in multiples of 0.5 t) and pipes by the piece, priced at both companies; customer D is
another customer with its own admin."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from tests.factories.catalog import steel_units
from tests.factories.orders import customer_account, invoicing_details, price_item, sellable_item, ship_to_address


@pytest.fixture
def shop(cast):
    units = steel_units()
    plate = sellable_item(
        code="PL-Q235-10",
        name="热轧钢板 Q235B 10mm",
        name_en="Hot-rolled plate Q235B 10 mm",
        base_unit=units["t"],
        min_order_quantity=Decimal("5"),
        order_multiple=Decimal("0.5"),
    )
    pipe = sellable_item(code="PIPE-50", name="无缝钢管 50", name_en="Seamless pipe 50", base_unit=units["pcs"])
    account_a = customer_account(cast.company_a, cast.customer_c, credit_limit="100000.00")
    account_b = customer_account(cast.company_b, cast.customer_c, credit_limit="50000.00")
    price_item(cast.company_a, plate, "4000.00")
    price_item(cast.company_a, plate, "3900.00", min_quantity=20)
    price_item(cast.company_a, pipe, "120.50")
    price_item(cast.company_b, pipe, "118.00")
    customer_d = PartnerFactory(name="丁客户有限公司", name_en="Customer D Ltd.", is_supplier=False, is_customer=True)
    customer_account(cast.company_a, customer_d)

    def member(partner, email, roles):
        return MembershipFactory(partner=partner, user=UserFactory(email=email), roles=roles).user

    return SimpleNamespace(
        units=units,
        plate=plate,
        pipe=pipe,
        account_a=account_a,
        account_b=account_b,
        customer=cast.customer_c,
        admin=cast.customer_c_admin,
        sales=member(cast.customer_c, "sales@customer-c.test", ["sales"]),
        finance=member(cast.customer_c, "finance@customer-c.test", ["finance"]),
        customer_d=customer_d,
        customer_d_admin=member(customer_d, "admin@customer-d.test", ["admin", "sales"]),
        ship_to=ship_to_address(cast.customer_c),
        ship_to_b=ship_to_address(cast.customer_c, company=cast.company_b, is_default=False),
        invoicing=invoicing_details(cast.customer_c),
    )
