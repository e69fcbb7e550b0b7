"""/supplier/qualification/: the supplier's categories and qualification documents."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="qualification_index"),
    path("documents/", views.document_submit, name="qualification_document_submit"),
    path("documents/<uuid:document_id>/replace/", views.document_replace, name="qualification_document_replace"),
    path("categories/", views.category_declare, name="qualification_category_declare"),
    path("categories/<uuid:supplied_id>/withdraw/", views.category_withdraw, name="qualification_category_withdraw"),
]
