"""The simulated ERP's side of /api/v1/: batch upserts with an API key, in chunks the API accepts."""

from __future__ import annotations

import uuid
from typing import Any

import requests

BATCH_LIMIT = 1000


class PortalApiError(Exception):
    pass


class PortalApi:
    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {api_key}", "Accept": "application/json"})

    def upsert(self, collection: str, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST /api/v1/<collection>/batch in chunks; returns the per-object results in order.

        Each chunk carries an Idempotency-Key, so a retried chunk (after a timeout) is answered, not re-applied."""
        results: list[dict[str, Any]] = []
        for start in range(0, len(objects), BATCH_LIMIT):
            chunk = objects[start : start + BATCH_LIMIT]
            response = self.session.post(
                f"{self.base_url}/api/v1/{collection}/batch",
                json={"objects": chunk},
                headers={"Idempotency-Key": str(uuid.uuid4())},
                timeout=self.timeout,
            )
            if response.status_code != 200:
                raise PortalApiError(f"{collection}: HTTP {response.status_code}: {response.text[:500]}")
            for result in response.json()["results"]:
                results.append(result | {"index": start + result["index"]})
        return results

    def get(self, path: str, **params: Any) -> Any:
        response = self.session.get(f"{self.base_url}/api/v1/{path.lstrip('/')}", params=params, timeout=self.timeout)
        if response.status_code != 200:
            raise PortalApiError(f"GET {path}: HTTP {response.status_code}: {response.text[:500]}")
        return response.json()
