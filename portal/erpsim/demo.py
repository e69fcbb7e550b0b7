"""The demo's connection to the simulated ERP: its API client and its webhook endpoint, with the dev settings'
fixed key and secret (DEBUG only; production connects real systems in the back office)."""

from django.conf import settings

from portal.api.models import KEY_PREFIX_LENGTH, ApiClient
from portal.integration.models import WebhookEndpoint

ERP_CLIENT_NAME = "ERP simulator"


def ensure_erp_simulator_connection() -> None:
    key = getattr(settings, "ERP_SIMULATOR_API_KEY", "")
    secret = getattr(settings, "ERP_SIMULATOR_WEBHOOK_SECRET", "")
    if not (settings.DEBUG and key and secret):
        return
    ApiClient.objects.update_or_create(
        name=ERP_CLIENT_NAME,
        defaults={
            "company": None,
            "scopes": ["*"],
            "key_prefix": key[:KEY_PREFIX_LENGTH],
            "key_hash": ApiClient.hash_key(key),
            "revoked_at": None,
        },
    )
    endpoint = WebhookEndpoint.objects.filter(name=ERP_CLIENT_NAME).first() or WebhookEndpoint(name=ERP_CLIENT_NAME)
    endpoint.url = f"http://127.0.0.1:{settings.ERP_SIMULATOR_PORT}/webhooks"
    endpoint.topics = ["*"]
    endpoint.company = None
    endpoint.is_active = True
    endpoint.set_secret(secret)
    endpoint.save()
