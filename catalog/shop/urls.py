"""The storefront's URLs (/shop/…; /shop/cart/ is selfservice's). Items and categories are named by their code;
every pattern with an id is registered for the outsider sweep in catalog/shop/outsider.py."""

from django.urls import path

from . import views

app_name = "shop"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("quotes/", views.quotes, name="quotes"),
    path("quotes/<uuid:quote_id>/withdraw/", views.quote_withdraw, name="quote_withdraw"),
    path("c/<path:code>/", views.category, name="category"),
    path("i/<path:code>/datasheets/<uuid:document_id>/", views.datasheet, name="datasheet"),
    path("i/<path:code>/quote/", views.quote_request, name="quote_request"),
    path("i/<path:code>/", views.item_detail, name="item"),
]
