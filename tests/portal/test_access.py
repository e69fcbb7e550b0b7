import pytest
from django.http import Http404

from portal.organisations.access import get_object_for_user
from portal.organisations.models import Company, Membership, Partner


@pytest.mark.django_db
def test_partner_visibility_follows_membership_and_company(cast):
    assert list(Partner.objects.visible_to(cast.supplier_a_sales)) == [cast.supplier_a]
    # staff of company A see the partners that trade with company A, once each
    assert list(Partner.objects.visible_to(cast.buyer).order_by("name")) == [cast.customer_c, cast.supplier_a]
    assert list(Partner.objects.visible_to(cast.staff_b)) == [cast.supplier_b]
    assert Partner.objects.visible_to(cast.group_admin).count() == 3
    assert list(Partner.objects.visible_to(cast.outsider)) == []
    assert list(Company.objects.visible_to(cast.api_a)) == [cast.company_a]


@pytest.mark.django_db
def test_detail_fetch_is_404_for_others_and_for_malformed_ids(cast):
    assert get_object_for_user(Partner, cast.supplier_a_admin, cast.supplier_a.uuid) == cast.supplier_a
    for actor in (cast.supplier_b_admin, cast.staff_b, cast.outsider, cast.api_b):
        with pytest.raises(Http404):
            get_object_for_user(Partner, actor, cast.supplier_a.uuid)
    with pytest.raises(Http404):
        get_object_for_user(Partner, cast.supplier_a_admin, "not-a-uuid")


@pytest.mark.django_db
def test_deactivated_membership_and_blocked_partner_see_nothing(cast):
    Membership.objects.filter(user=cast.supplier_a_sales).update(is_active=False)
    assert list(Partner.objects.visible_to(cast.supplier_a_sales)) == []
    Partner.objects.filter(pk=cast.supplier_b.pk).update(status="blocked")
    assert list(Partner.objects.visible_to(cast.supplier_b_admin)) == []
