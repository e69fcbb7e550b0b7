"""/supplier/: the supplier workspace."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.dashboard, name="supplier_dashboard"),
    path("qualification/", include("rfq.qualification.urls")),
    path("approvals/", include("rfq.avl.urls")),
    path("bank-details/", include("rfq.banking.urls")),
    path("rfqs/", include("rfq.sourcing.urls")),
]
