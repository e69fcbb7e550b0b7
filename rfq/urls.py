"""/supplier/: the supplier workspace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="supplier_dashboard"),
]
