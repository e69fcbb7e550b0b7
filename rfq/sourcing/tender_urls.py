"""/tenders/: the public tender notices (anonymous visitors welcome) and joining one."""

from django.urls import path

from . import views

app_name = "tenders"

urlpatterns = [
    path("", views.tender_list, name="list"),
    path("<uuid:rfq_id>/", views.tender_detail, name="detail"),
    path("<uuid:rfq_id>/join/", views.tender_join_view, name="join"),
]
