"""How a provider call can fail: transient (retry with back-off) or permanent (give up)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

# Statuses that say "try again later" rather than "this request is wrong".
_TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class ProviderError(Exception):
    """A provider refused or failed; ``code`` and ``message`` are the provider's own."""

    transient = False

    def __init__(self, provider: str, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{provider} {code}: {message}")
        self.provider = provider
        self.code = code
        self.message = message
        self.status = status


class TransientError(ProviderError):
    """Worth retrying: timeouts, connection errors, 5xx, 429."""

    transient = True


class PermanentError(ProviderError):
    """Retrying cannot help: the provider refused the request itself."""


@dataclass(frozen=True)
class ProviderReceipt:
    """What a provider answered for one accepted letter or alert."""

    provider_ref: str
    duplicate: bool = False
    status: str = "accepted"


def error_for(provider: str, status: int, code: str, message: str) -> ProviderError:
    """A transient or permanent error for an HTTP status."""
    kind = TransientError if status in _TRANSIENT_STATUS else PermanentError
    return kind(provider, code or f"http_{status}", message or f"HTTP {status}", status)


async def send(
    client: httpx.AsyncClient, provider: str, method: str, url: str, **kwargs: object
) -> httpx.Response:
    """One HTTP exchange; network trouble becomes a :class:`TransientError`."""
    try:
        return await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.TimeoutException:
        raise TransientError(provider, "timeout", "The provider did not answer in time") from None
    except httpx.TransportError as error:
        raise TransientError(provider, "unreachable", type(error).__name__) from None
