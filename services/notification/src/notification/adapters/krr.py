"""KRR (Kontakt- og reservasjonsregisteret), Digdir's lookup REST API.

``POST /rest/v1/personer`` with ``{"personidentifikatorer": [...]}`` and a Maskinporten token
with the scopes below; the answer says reservation, status, whether the person may be
notified, e-mail, mobile, language and the digital mailbox (by its provider's orgnr).
"""

from __future__ import annotations

from typing import Any

import httpx

from notification.adapters.errors import error_for, send
from notification.adapters.maskinporten import MaskinportenClient
from notification.domain.channels import NOT_REGISTERED, ContactInfo

SCOPES = ("krr:global/kontaktinformasjon.read", "krr:global/digitalpost.read")
# Postkasseleverandøradresse is the mailbox provider's organisation number.
MAILBOX_PROVIDERS = {"984661185": "digipost", "996460320": "eboks"}


class KrrClient:
    """Looks one person up at a time, at dispatch; nothing is kept."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, tokens: MaskinportenClient) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + "/rest/v1/personer"
        self._tokens = tokens

    async def lookup(self, identity_number: str) -> ContactInfo:
        """What KRR says now about the person (NOT_REGISTERED if KRR does not know them)."""
        token = await self._tokens.token(SCOPES)
        response = await send(
            self._http,
            "krr",
            "POST",
            self._url,
            json={"personidentifikatorer": [identity_number]},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        if response.status_code != 200:
            raise error_for("krr", response.status_code, "", response.reason_phrase)
        people = response.json().get("personer") or []
        return contact_info(people[0]) if people else NOT_REGISTERED


def contact_info(person: dict[str, Any]) -> ContactInfo:
    """One ``personer`` entry → :class:`ContactInfo`."""
    if person.get("status") != "AKTIV":
        return NOT_REGISTERED
    contact = person.get("kontaktinformasjon") or {}
    mailbox = person.get("digital_post") or {}
    provider = MAILBOX_PROVIDERS.get(str(mailbox.get("postkasseleverandoeradresse", "")))
    return ContactInfo(
        registered=True,
        reserved=person.get("reservasjon") == "JA",
        mailbox_provider=provider if mailbox.get("postkasseadresse") else None,  # type: ignore[arg-type]
        can_notify=person.get("varslingsstatus") == "KAN_VARSLES",
        email=contact.get("epostadresse") or None,
        mobile=contact.get("mobiltelefonnummer") or None,
        language=person.get("spraak") or None,
    )
