"""/supplier/rfqs/: the supplier's RFQ inbox, each invitation's RFQ, bid form, receipts and letters."""

from django.urls import path

from . import views

app_name = "sourcing"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:invitation_id>/", views.rfq_detail, name="rfq_detail"),
    path("<uuid:invitation_id>/documents/<uuid:document_id>/", views.rfq_document, name="rfq_document"),
    path("<uuid:invitation_id>/questions/", views.question_create, name="question_create"),
    path("<uuid:invitation_id>/decline/", views.decline, name="decline"),
    path("<uuid:invitation_id>/bid/", views.bid_form, name="bid"),
    path("<uuid:invitation_id>/bid/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("<uuid:invitation_id>/bid/xlsx/", views.bid_xlsx_download, name="bid_xlsx"),
    path("<uuid:invitation_id>/bid/xlsx/upload/", views.bid_xlsx_upload, name="bid_xlsx_upload"),
    path("<uuid:invitation_id>/bid/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "<uuid:invitation_id>/bid/attachments/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<uuid:invitation_id>/bid/attachments/<uuid:attachment_id>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("<uuid:invitation_id>/receipts/<uuid:submission_id>/", views.receipt, name="receipt"),
    path("<uuid:invitation_id>/receipts/<uuid:submission_id>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("<uuid:invitation_id>/letters/<uuid:letter_id>/", views.award_letter, name="award_letter"),
]
