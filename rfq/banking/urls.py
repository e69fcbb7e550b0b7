"""/supplier/bank-details/: the supplier's bank accounts and change requests."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="banking_index"),
    path("change/", views.change_request, name="banking_change_request"),
    path("changes/<uuid:change_id>/withdraw/", views.change_withdraw, name="banking_change_withdraw"),
]
