"""Back-office URLs of RFQs (names in the "sourcing_admin" namespace). Every pattern with an object id is
registered for the outsider sweep in outsider_buyer.py."""

from django.urls import path

from . import admin_views as views

admin_urlpatterns: list = [
    path("", views.rfq_index, name="rfq_index"),
    path("new/", views.rfq_create, name="rfq_create"),
    path("from-requisitions/", views.rfq_from_requisitions, name="rfq_from_requisitions"),
    path("items/", views.item_search, name="item_search"),
    path("<uuid:rfq_id>/", views.rfq_detail, name="rfq_detail"),
    path("<uuid:rfq_id>/edit/", views.rfq_edit, name="rfq_edit"),
    path("<uuid:rfq_id>/copy/", views.rfq_copy, name="rfq_copy"),
    path("<uuid:rfq_id>/documents/", views.attachment_add, name="attachment_add"),
    path("<uuid:rfq_id>/documents/<uuid:document_id>/remove/", views.attachment_remove, name="attachment_remove"),
    path("<uuid:rfq_id>/invitations/", views.invitations, name="invitations"),
    path("<uuid:rfq_id>/invitations/<uuid:invitation_id>/remove/", views.invitation_remove, name="invitation_remove"),
    path("<uuid:rfq_id>/publish/", views.publish, name="publish"),
    path("<uuid:rfq_id>/amend/", views.amend, name="amend"),
    path("<uuid:rfq_id>/questions/<uuid:question_id>/answer/", views.question_answer, name="question_answer"),
    path("<uuid:rfq_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:rfq_id>/rounds/new/", views.round_new, name="round_new"),
    path("<uuid:rfq_id>/rounds/<uuid:round_id>/opening/", views.opening, name="opening"),
    path("<uuid:rfq_id>/rounds/<uuid:round_id>/open/", views.opening_sign, name="opening_sign"),
    path(
        "<uuid:rfq_id>/rounds/<uuid:round_id>/envelopes/<uuid:attachment_id>/",
        views.envelope_download,
        name="envelope_download",
    ),
]
