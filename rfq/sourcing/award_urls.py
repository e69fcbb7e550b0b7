"""Back-office URLs of comparison and awards (names in the "sourcing_admin" namespace). RFQs and awards are named by
their uuid; each pattern is registered for the outsider sweep in outsider_award.py."""

from django.urls import path

from . import award_admin_views as views

award_urlpatterns: list = [
    path("<uuid:rfq_id>/comparison/", views.comparison, name="comparison"),
    path("<uuid:rfq_id>/comparison.xlsx", views.comparison_xlsx, name="comparison_xlsx"),
    path("<uuid:rfq_id>/comparison.pdf", views.comparison_pdf, name="comparison_pdf"),
    path("<uuid:rfq_id>/award/", views.award_new, name="award_create"),
    path("awards/<uuid:award_id>/", views.award_detail, name="award_detail"),
    path("awards/<uuid:award_id>/submit/", views.award_submit_view, name="award_submit"),
    path("awards/<uuid:award_id>/approve/", views.award_approve_view, name="award_approve"),
    path("awards/<uuid:award_id>/reject/", views.award_reject_view, name="award_reject"),
    path("awards/<uuid:award_id>/letters/<uuid:letter_id>/", views.award_letter, name="award_letter"),
]
