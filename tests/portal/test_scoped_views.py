import pytest
from django.http import Http404
from django.test import RequestFactory
from django.views.generic import DetailView

from portal.core.scoped_views import ScopedObjectView
from portal.organisations.models import Partner


class PartnerView(ScopedObjectView, DetailView):
    model = Partner

    def narrow(self, queryset):
        return queryset.filter(is_supplier=True)


def test_a_view_cannot_replace_the_scoped_queryset():
    with pytest.raises(TypeError, match="overrides get_queryset"):
        type(
            "Leaky",
            (ScopedObjectView, DetailView),
            {"model": Partner, "get_queryset": lambda self: Partner.objects.all()},
        )


@pytest.mark.django_db
def test_scoped_view_fetches_through_the_access_layer(cast):
    def fetch(user, partner):
        request = RequestFactory().get("/")
        request.user = user
        view = PartnerView(request=request, kwargs={"object_id": partner.uuid})
        return view.get_object()

    assert fetch(cast.supplier_a_sales, cast.supplier_a) == cast.supplier_a
    with pytest.raises(Http404):
        fetch(cast.supplier_b_admin, cast.supplier_a)
    with pytest.raises(Http404):  # visible, but narrowed away: customers are not suppliers
        fetch(cast.customer_c_admin, cast.customer_c)
