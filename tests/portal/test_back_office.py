"""The staff back office for partners and people: scoped lists, status changes, staff roles."""

import pytest
from django.db.models import ProtectedError
from django.test import Client

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.integration.models import OutboxEvent
from portal.organisations.models import Partner, StaffRole
from tests.conftest import login
from tests.factories import MembershipFactory, PartnerFactory, StaffRoleFactory, SupplierAccountFactory


def _counts():
    return AuditEvent.objects.count(), OutboxEvent.objects.count(), StaffRole.objects.count()


@pytest.mark.django_db
def test_partner_list_is_scoped_to_the_staff_members_companies(cast):
    page = login(Client(), cast.buyer).get("/cms/partners/").content.decode()
    assert ("甲供应商有限公司" in page, "丙客户有限公司" in page, "乙供应商有限公司" in page) == (
        True,
        True,
        False,
    )
    page = login(Client(), cast.group_admin).get("/cms/partners/?q=乙").content.decode()
    assert ("甲供应商有限公司" in page, "乙供应商有限公司" in page) == (False, True)


@pytest.mark.django_db
def test_partner_list_runs_a_constant_number_of_queries(cast, django_assert_max_num_queries):
    client = login(Client(), cast.buyer)
    client.get("/cms/partners/")
    with django_assert_max_num_queries(40) as few:
        client.get("/cms/partners/")
    for _number in range(30):
        SupplierAccountFactory(partner=PartnerFactory(), company=cast.company_a)
    # the page's own queries (count + page of partners) do not grow with the rows;
    # the rest is Wagtail's chrome
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/cms/partners/")
    assert response.content.decode().count("/cms/partners/") >= 32


@pytest.mark.django_db
def test_group_admin_blocks_a_partner_with_audit_and_outbox(cast):
    client = login(Client(), cast.group_admin)
    response = client.post(f"/cms/partners/{cast.supplier_a.uuid}/status/", {"status": "blocked", "reason": "fraud"})
    assert response.status_code == 302
    cast.supplier_a.refresh_from_db()
    assert cast.supplier_a.status == "blocked"
    event = OutboxEvent.objects.get(topic="partner.blocked")
    assert (
        event.payload["id"],
        event.payload["tax_id"],
        event.payload["status"],
        event.payload["previous_status"],
    ) == (
        str(cast.supplier_a.uuid),
        cast.supplier_a.tax_id,
        "blocked",
        "approved",
    )
    assert [a["company"] for a in event.payload["supplier_accounts"]] == ["SH01"]
    audit = AuditEvent.objects.get(action="partner.status_changed")
    assert (audit.before, audit.after) == ({"status": "approved"}, {"status": "blocked", "reason": "fraud"})
    # the blocked partner's people lose the workspace at once
    assert login(Client(), cast.supplier_a_sales).get("/account/team/").status_code == 404


@pytest.mark.django_db
def test_an_illegal_transition_is_refused_with_a_message(cast):
    pending = PartnerFactory(status="pending")
    SupplierAccountFactory(partner=pending, company=cast.company_a)
    client = login(Client(headers={"Accept-Language": "en"}), cast.group_admin)
    client.post(f"/cms/partners/{pending.uuid}/status/", {"status": "approved"})
    before = _counts()
    response = client.post(f"/cms/partners/{pending.uuid}/status/", {"status": "approved"}, follow=True)
    assert "A partner that is Approved cannot become Approved." in response.content.decode()
    assert _counts() == before


@pytest.mark.django_db
def test_company_staff_may_look_but_not_change_a_partners_status(cast):
    client = login(Client(), cast.buyer)
    assert client.get(f"/cms/partners/{cast.supplier_a.uuid}/").status_code == 200
    before = _counts()
    response = client.post(f"/cms/partners/{cast.supplier_a.uuid}/status/", {"status": "blocked"})
    assert response.status_code == 403
    assert Partner.objects.get(pk=cast.supplier_a.pk).status == "approved"
    assert _counts() == before


@pytest.mark.django_db
def test_group_admin_grants_and_revokes_staff_roles(cast):
    client = login(Client(), cast.group_admin)
    response = client.post(
        f"/cms/people/{cast.buyer.uuid}/roles/", {"role": "finance", "company": str(cast.company_b.uuid)}
    )
    assert response.status_code == 302
    granted = StaffRole.objects.get(user=cast.buyer, role="finance")
    assert granted.company == cast.company_b
    assert login(Client(), cast.buyer).get(f"/cms/partners/{cast.supplier_b.uuid}/").status_code == 200
    assert client.post(f"/cms/staff-roles/{granted.uuid}/revoke/").status_code == 302
    assert StaffRole.objects.filter(user=cast.buyer, role="finance").count() == 0
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "staff_role.granted",
        "staff_role.revoked",
    ]


@pytest.mark.django_db
def test_the_last_group_admin_role_cannot_be_revoked(cast):
    own = StaffRole.objects.get(user=cast.group_admin)
    client = login(Client(), cast.group_admin)
    before = _counts()
    client.post(f"/cms/staff-roles/{own.uuid}/revoke/")
    assert _counts() == before


@pytest.mark.django_db
def test_people_pages_are_for_group_admins_only(cast):
    assert login(Client(), cast.buyer).get("/cms/people/").status_code == 403
    page = login(Client(), cast.group_admin).get("/cms/people/?q=supplier-a")
    assert page.status_code == 200
    assert page.content.decode().count("@supplier-a.test</a>") == 3


@pytest.mark.django_db
def test_back_office_is_closed_to_partner_users_without_a_redirect_loop(cast):
    client = login(Client(), cast.supplier_a_admin)
    response = client.get("/cms/", follow=True)
    assert response.status_code == 403
    assert [url for url, _status in response.redirect_chain] == ["/cms/login/?next=/cms/"]


@pytest.mark.django_db
def test_people_and_organisations_named_by_audit_rows_cannot_be_deleted(cast):
    audit_record(actor=cast.buyer, action="test.kept", partner=cast.supplier_a, company=cast.company_a)
    with pytest.raises(ProtectedError):
        cast.buyer.delete()
    # and the back office does not offer it: group administrators may not delete people or companies
    assert (
        cast.group_admin.has_perm("accounts.delete_user"),
        cast.group_admin.has_perm("accounts.change_user"),
        cast.group_admin.has_perm("organisations.delete_company"),
    ) == (False, True, False)


@pytest.mark.django_db
def test_status_form_offers_only_the_allowed_transitions(cast):
    page = login(Client(headers={"Accept-Language": "en"}), cast.group_admin).get(
        f"/cms/partners/{cast.supplier_a.uuid}/"
    )
    assert page.context["status_form"].fields["status"].choices == [("blocked", "Blocked")]


@pytest.mark.django_db
def test_people_list_runs_a_constant_number_of_queries(cast, django_assert_max_num_queries):
    client = login(Client(), cast.group_admin)
    client.get("/cms/people/")
    # the page's own: COUNT, one page of people, their staff roles and memberships (prefetched), their second
    # factors (one query); the rest is Wagtail's chrome. None of it grows with the number of people.
    with django_assert_max_num_queries(40) as few:
        client.get("/cms/people/")
    for _number in range(20):
        MembershipFactory(partner=cast.supplier_b, roles=["sales"])
        StaffRoleFactory(company=cast.company_b, role="finance")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/cms/people/")
    assert response.content.decode().count("/cms/people/") >= 50


@pytest.mark.django_db
def test_staff_see_the_partners_addresses_and_invoicing_details_from_the_erp(cast):
    from portal.organisations.models import InvoicingDetails, PartnerAddress

    PartnerAddress.objects.create(
        partner=cast.supplier_a, code="SH-DOCK-2", kind="ship_to", province="上海市", city="上海市",
        district="宝山区", street="富锦路 885 号", contact_name="刘工", phone="021-5600 1234", is_default=True,
    )  # fmt: skip
    InvoicingDetails.objects.create(
        partner=cast.supplier_a, invoice_title=cast.supplier_a.name, tax_id=cast.supplier_a.tax_id,
        bank_name="中国工商银行上海宝山支行", bank_account="1001 2345 6789 0123",
    )  # fmt: skip
    client = login(Client(), cast.buyer)
    page = client.get(f"/cms/partners/{cast.supplier_a.uuid}/").content.decode()
    assert "上海市 上海市 宝山区 富锦路 885 号" in page and "SH-DOCK-2" in page and "刘工" in page
    assert "中国工商银行上海宝山支行" in page and "1001 2345 6789 0123" in page


@pytest.mark.django_db
def test_staff_see_their_companys_rates_and_the_groups_but_not_another_companys(cast):
    from datetime import date
    from decimal import Decimal

    from portal.organisations.models import ExchangeRate

    day = date(2026, 11, 27)
    ExchangeRate.objects.create(company=None, base="USD", quote="CNY", valid_on=day, rate=Decimal("7.1234"))
    ExchangeRate.objects.create(company=cast.company_a, base="EUR", quote="CNY", valid_on=day, rate=Decimal("7.7"))
    ExchangeRate.objects.create(company=cast.company_b, base="HKD", quote="CNY", valid_on=day, rate=Decimal("0.91"))
    page = login(Client(), cast.buyer).get("/cms/exchange-rates/").content.decode()
    assert "1 USD = 7.1234 CNY" in page and "1 EUR = 7.7 CNY" in page and "HKD" not in page
    filtered = login(Client(), cast.buyer).get("/cms/exchange-rates/?currency=eur").content.decode()
    assert "1 EUR = 7.7 CNY" in filtered and "1 USD" not in filtered
    assert login(Client(), cast.supplier_a_admin).get("/cms/exchange-rates/").status_code in (302, 403)
