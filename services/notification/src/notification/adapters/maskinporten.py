"""Maskinporten access tokens by JWT grant (RFC 7523), cached until shortly before expiry.

Tokens are cached, never the data they unlock: KRR is asked again at every dispatch.
"""

from __future__ import annotations

import time

import httpx

from notification.adapters.errors import error_for, send
from runtime.service_tokens import GRANT_TYPE, jwt_grant

_EARLY_SECONDS = 30


class MaskinportenClient:
    """Signs a grant with the office's key and trades it for an access token."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        token_url: str,
        audience: str,
        client_id: str,
        private_key_pem: bytes,
        key_id: str = "",
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._audience = audience
        self._client_id = client_id
        self._key = private_key_pem
        self._key_id = key_id
        self._cache: dict[str, tuple[str, float]] = {}

    async def token(self, scopes: tuple[str, ...]) -> str:
        """An access token for ``scopes`` (from the cache when still valid)."""
        scope = " ".join(sorted(scopes))
        cached = self._cache.get(scope)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        response = await send(
            self._http,
            "maskinporten",
            "POST",
            self._token_url,
            data={"grant_type": GRANT_TYPE, "assertion": self._grant(scope)},
        )
        if response.status_code != 200:
            body = _json(response)
            raise error_for(
                "maskinporten",
                response.status_code,
                str(body.get("error", "")),
                str(body.get("error_description", "")),
            )
        body = response.json()
        expires = time.monotonic() + int(body.get("expires_in", 120)) - _EARLY_SECONDS
        self._cache[scope] = (body["access_token"], expires)
        return str(body["access_token"])

    def _grant(self, scope: str) -> str:
        return jwt_grant(
            audience=self._audience,
            client_id=self._client_id,
            private_key_pem=self._key,
            key_id=self._key_id,
            scope=scope,
        )


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
