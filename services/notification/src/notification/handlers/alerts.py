"""Notices about a letter by SMS or e-mail, to the contact details KRR gives at dispatch.

Best effort: a missing alert never fails the letter. Unique per notice and channel, and
idempotent at Altinn, so an alert goes at most once.
"""

from __future__ import annotations

import logging
from typing import Any

from notification.adapters.errors import PermanentError, ProviderError
from notification.domain.channels import ContactInfo, Route, alert_channel
from notification.handlers import outcomes
from notification.handlers.sending import (
    Dispatcher,
    Letter,
    lookup_contact,
    send_message,
    with_retry,
)
from notification.letters.compose import fill, letter_values

log = logging.getLogger(__name__)


async def send_alert(
    d: Dispatcher, row: Any, letter: Letter, channel: str, contact: list[ContactInfo | None]
) -> None:
    """An SMS or e-mail about a printed letter when KRR allows it; never fails the notice."""
    try:
        if not contact:
            contact.append(await lookup_contact(d, row, letter.identity))
        which = alert_channel(Route(channel, ""), contact[0])  # type: ignore[arg-type]
        if which is None:
            return
        claimed = await outcomes.claim(
            d, row, Route(which, "notice about a letter sent by post"), "alert"
        )
        if claimed.status != "sending":
            return
        texts = texts_for(d, letter)
        receipt, attempts = await with_retry(
            d.retry,
            lambda: send_message(
                d.providers,
                which,
                key=f"{row.id}:{which}",
                reference=str(row.id),
                to=address_for(which, contact[0]),
                subject=texts["alert_email_subject"],
                body=texts["alert_sms"],
            ),
        )
        await outcomes.mark_delivery(
            d,
            claimed.id,
            status="delivered",
            receipt="delivered",
            attempts=attempts,
            provider_ref=receipt.provider_ref,
            delivered_at=d.uow().clock(),
        )
    except ProviderError as error:
        log.warning("alert for notice %s not sent: %s", row.id, error.code)


def address_for(channel: str, contact: ContactInfo | None) -> str:
    """The mobile number or e-mail address from KRR, or a permanent error."""
    to = (contact.mobile if channel == "sms" else contact.email) if contact else None
    if not to:
        raise PermanentError("krr", "contact_missing", f"KRR holds no {channel} contact any more")
    return to


def texts_for(d: Dispatcher, letter: Letter) -> dict[str, str]:
    """The letter's texts with its values filled in (SMS bodies, alert texts)."""
    n = letter.notice
    profile = d.catalogue.creditor_profile(n)
    values = letter_values(n, profile)
    texts = d.catalogue.texts(profile.kommunenummer, n.language, n.step_kind)
    return {key: fill(text, values) for key, text in texts.items()}
