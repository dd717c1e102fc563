"""KS Fiks SvarUt, ``forsendelse`` REST API v1 (HTTP Basic with the sender's service password).

A letter is sent in two steps so that a resend can be recognised: ``startNyForsendelse``
reserves an id (stored before anything is sent), then ``{id}/sendForsendelse`` posts the
multipart letter. The notice id travels as ``eksternReferanse``, and ``eksternref/{ref}``
tells whether SvarUt already has the letter. SvarUt routes organisations to Altinn, forwards
to a digital mailbox where it can, and prints the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from notification.adapters.errors import ProviderReceipt, error_for, send

BASE_PATH = "/tjenester/api/forsendelse/v1"
AVGIVENDE_SYSTEM = "Kravflyt"


@dataclass(frozen=True)
class SvarUtRecipient:
    """Where SvarUt delivers: a postal address, and an identity number for the digital routes."""

    name: str
    address_lines: tuple[str, ...]
    postal_code: str
    city: str
    country: str = "NO"
    person_number: str | None = None
    organisation_number: str | None = None

    def __repr__(self) -> str:
        return "SvarUtRecipient(...)"


class SvarUtClient:
    """One sender (avsender) in SvarUt."""

    def __init__(
        self, http: httpx.AsyncClient, base_url: str, username: str, password: str
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/") + BASE_PATH
        self._auth = httpx.BasicAuth(username, password)

    async def reserve_id(self) -> str:
        """A fresh forsendelse id to send with."""
        body = await self._call("POST", "/startNyForsendelse")
        return str(body["id"])

    async def sent_with_reference(self, reference: str) -> list[str]:
        """Ids of forsendelser SvarUt already holds under our external reference."""
        body = await self._call("GET", f"/eksternref/{reference}")
        items = body if isinstance(body, list) else []
        return [
            str(item.get("id", item)) if isinstance(item, dict) else str(item) for item in items
        ]

    async def send_letter(
        self,
        forsendelse_id: str,
        *,
        reference: str,
        title: str,
        recipient: SvarUtRecipient,
        pdf: bytes,
        print_only: bool = False,
    ) -> ProviderReceipt:
        """Post the letter under ``forsendelse_id``; an id SvarUt already used counts as sent."""
        if reference and await self.sent_with_reference(reference):
            return ProviderReceipt(forsendelse_id, duplicate=True, status="MOTTATT")
        metadata = _forsendelse(reference, title, recipient, print_only)
        files = {
            "forsendelse": (None, json.dumps(metadata), "application/json"),
            "brev.pdf": ("brev.pdf", pdf, "application/octet-stream"),
        }
        response = await send(
            self._http,
            "svarut",
            "POST",
            f"{self._base}/{forsendelse_id}/sendForsendelse",
            files=files,
            auth=self._auth,
        )
        if response.status_code == 409:
            return ProviderReceipt(forsendelse_id, duplicate=True, status="MOTTATT")
        _raise_unless_ok(response)
        return ProviderReceipt(str(response.json().get("id", forsendelse_id)), status="MOTTATT")

    async def status(self, forsendelse_id: str) -> str:
        """SvarUt's current status of a forsendelse (MOTTATT, SENDT_PRINT, LEST, AVVIST, ...)."""
        body = await self._call("GET", f"/{forsendelse_id}/status")
        return str(body.get("status", ""))

    async def _call(self, method: str, path: str) -> Any:
        response = await send(self._http, "svarut", method, self._base + path, auth=self._auth)
        _raise_unless_ok(response)
        return response.json()


def _forsendelse(
    reference: str, title: str, recipient: SvarUtRecipient, print_only: bool
) -> dict[str, Any]:
    lines = [*recipient.address_lines, "", "", ""]
    post = {
        "navn": recipient.name,
        "adresse1": lines[0],
        "adresse2": lines[1],
        "adresse3": lines[2],
        "postNummer": recipient.postal_code,
        "postSted": recipient.city,
        "land": recipient.country,
    }
    digital: dict[str, str] | None = None
    if not print_only and recipient.organisation_number:
        digital = {"organisasjonsNummer": recipient.organisation_number}
    elif not print_only and recipient.person_number:
        digital = {"fodselsNummer": recipient.person_number}
    mottaker: dict[str, Any] = {"postAdresse": post}
    if digital:
        mottaker["digitalAdresse"] = digital
    return {
        "mottaker": mottaker,
        "avgivendeSystem": AVGIVENDE_SYSTEM,
        "tittel": title,
        "eksternReferanse": reference,
        "kunDigitalLevering": False,
        "kryptert": False,
        "krevNiva4Innlogging": False,
        "utskriftsKonfigurasjon": {"utskriftMedFarger": True, "tosidig": True},
        "dokumenter": [{"filnavn": "brev.pdf", "mimeType": "application/pdf"}],
        "eksponertFor": [],
        "lenker": [],
    }


def _raise_unless_ok(response: httpx.Response) -> None:
    if response.status_code < 300:
        return
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    raise error_for(
        "svarut", response.status_code, str(body.get("errorCode", "")), str(body.get("message", ""))
    )
