"""One provider call per channel, retried with back-off on transient errors (tenacity).

Each call is idempotent at the provider: Digipost's message id and SvarUt's forsendelse id
and external reference are tied to the notice, Altinn's idempotency id to notice + channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from notification.adapters.altinn import AltinnNotificationsClient
from notification.adapters.digipost import DigipostClient
from notification.adapters.errors import PermanentError, ProviderReceipt, TransientError
from notification.adapters.krr import KrrClient
from notification.adapters.svarut import SvarUtClient, SvarUtRecipient
from notification.domain.channels import ContactInfo
from notification.domain.notice import Notice
from notification.letters.catalogue import Catalogue
from notification.storage import DocumentStore
from runtime.db import UnitOfWork
from runtime.personal_data import PersonalDataKeys

T = TypeVar("T")


@dataclass
class Providers:
    """The national services a letter can go through."""

    krr: KrrClient
    digipost: DigipostClient
    svarut: SvarUtClient
    altinn: AltinnNotificationsClient


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per provider call and the back-off between them."""

    attempts: int = 4
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 10.0


@dataclass(frozen=True)
class Letter:
    """What is sent: the stored PDF and how to address it."""

    notice: Notice
    document_id: str
    title: str
    pdf: bytes
    identity: str | None


@dataclass
class Dispatcher:
    """What delivering needs; built once in bootstrap."""

    uow: Callable[[], UnitOfWork]
    providers: Providers
    keys: PersonalDataKeys
    catalogue: Catalogue
    store: DocumentStore
    retry: RetryPolicy
    max_dispatch_attempts: int = 6
    redispatch_seconds: float = 30.0


async def with_retry(policy: RetryPolicy, call: Callable[[], Awaitable[T]]) -> tuple[T, int]:
    """``call()`` until it succeeds, fails permanently or runs out of attempts."""
    attempts = 0
    async for attempt in AsyncRetrying(
        stop=stop_after_attempt(policy.attempts),
        wait=wait_exponential(multiplier=policy.backoff_seconds, max=policy.max_backoff_seconds),
        retry=retry_if_exception_type(TransientError),
        reraise=True,
    ):
        with attempt:
            attempts += 1
            result = await call()
    return result, attempts


async def send_digipost(p: Providers, letter: Letter) -> ProviderReceipt:
    """The letter into the person's Digipost mailbox (message id = notice id)."""
    if letter.identity is None:
        raise PermanentError("kravflyt", "identity_missing", "Digipost needs the identity number")
    return await p.digipost.send_letter(
        message_id=str(letter.notice.notice_id),
        document_id=letter.document_id,
        recipient=letter.identity,
        subject=letter.title,
        pdf=letter.pdf,
    )


async def send_svarut(
    p: Providers, letter: Letter, forsendelse_id: str, *, channel: str
) -> ProviderReceipt:
    """The letter through SvarUt under an id reserved beforehand; ``print`` never goes digital."""
    return await p.svarut.send_letter(
        forsendelse_id,
        reference=str(letter.notice.notice_id),
        title=letter.title,
        recipient=svarut_recipient(letter),
        pdf=letter.pdf,
        print_only=channel == "print",
    )


def svarut_recipient(letter: Letter) -> SvarUtRecipient:
    """SvarUt's addressee; a postal address is always required (SvarUt prints as a fallback)."""
    notice = letter.notice
    address = notice.debtor_address
    if address is None:
        raise PermanentError("kravflyt", "no_postal_address", "Printing needs a postal address")
    organisation = notice.debtor_kind == "organisation"
    return SvarUtRecipient(
        name=notice.debtor_name,
        address_lines=address.lines,
        postal_code=address.postal_code,
        city=address.city,
        country=address.country,
        person_number=None if organisation else letter.identity,
        organisation_number=letter.identity if organisation else None,
    )


async def send_message(
    p: Providers, channel: str, *, key: str, reference: str, to: str, subject: str, body: str
) -> ProviderReceipt:
    """An SMS or e-mail through Altinn Notifications, idempotent under ``key``."""
    if channel == "sms":
        return await p.altinn.send_sms(
            idempotency_id=key, reference=reference, mobile=to, body=body, sender=subject
        )
    return await p.altinn.send_email(
        idempotency_id=key, reference=reference, email=to, subject=subject, body=body
    )


def describe(error: Any) -> str:
    """A provider error as stored and emitted: provider, code and its own message."""
    return f"{error.provider} {error.code}: {error.message}"


async def lookup_contact(d: Dispatcher, row: Any, identity: str | None) -> ContactInfo | None:
    """KRR, asked now (persons with an identity number only); never stored."""
    if identity is None or row.debtor_kind != "person":
        return None
    contact, _ = await with_retry(d.retry, lambda: d.providers.krr.lookup(identity))
    return contact
