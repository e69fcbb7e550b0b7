"""/webhooks/stripe/<company code>/: each selling company's Stripe account posts its events here."""

from django.urls import path

from . import webhook_views

app_name = "stripe_webhooks"

urlpatterns = [
    path("<str:company_code>/", webhook_views.stripe_webhook, name="stripe"),
]
