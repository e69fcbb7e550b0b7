"""API key authentication for ERP systems: `Authorization: Bearer <key>` (or `X-Api-Key`)."""

from ninja.security import APIKeyHeader, HttpBearer

from .models import ApiClient


class BearerKey(HttpBearer):
    def authenticate(self, request, token):
        client = ApiClient.authenticate(token)
        if client is not None:
            request.api_client = client
        return client


class HeaderKey(APIKeyHeader):
    param_name = "X-Api-Key"

    def authenticate(self, request, key):
        client = ApiClient.authenticate(key or "")
        if client is not None:
            request.api_client = client
        return client


api_key_auth = [BearerKey(), HeaderKey()]
