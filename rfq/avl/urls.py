"""/supplier/approvals/: the supplier's view of the approved vendor list."""

from django.urls import path

from . import views

urlpatterns = [path("", views.approvals, name="supplier_approvals")]
