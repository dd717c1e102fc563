"""Channel choice for one notice, from what KRR said at dispatch (never from a stored copy).

eForvaltningsforskriften: digital is the rule unless the person reserved. Order: the digital
mailbox → otherwise KS Fiks SvarUt (which routes organisations to Altinn and prints the rest)
→ no identity number: print through SvarUt with the postal address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LetterChannel = Literal["digipost", "svarut", "print", "sms", "email"]
AlertChannel = Literal["sms", "email"]


@dataclass(frozen=True)
class ContactInfo:
    """One KRR answer for a person; held for one dispatch only."""

    registered: bool
    reserved: bool
    mailbox_provider: Literal["digipost", "eboks"] | None
    can_notify: bool
    email: str | None = None
    mobile: str | None = None
    language: str | None = None

    def __repr__(self) -> str:
        # Contact details are personal data: keep them out of logs and tracebacks.
        return f"ContactInfo(reserved={self.reserved}, mailbox={self.mailbox_provider!r})"


NOT_REGISTERED = ContactInfo(
    registered=False, reserved=False, mailbox_provider=None, can_notify=False
)


@dataclass(frozen=True)
class Route:
    """Where the letter goes and why (the reason is kept beside the delivery)."""

    channel: LetterChannel
    reason: str
    altinn: bool = False


def choose_route(
    *,
    step_kind: str,
    debtor_kind: str,
    has_identity: bool,
    contact: ContactInfo | None,
) -> Route:
    """The channel of one letter; ``contact`` is None for organisations and unknown persons."""
    if not has_identity:
        return Route("print", "no identity number: printed with the postal address")
    if debtor_kind == "organisation":
        return Route("svarut", "organisation: SvarUt delivers through Altinn", altinn=True)
    info = contact or NOT_REGISTERED
    if step_kind == "sms_paminnelse" and info.can_notify:
        # A notice by SMS or e-mail may go even to a reserved person (DOMAIN.md).
        if info.mobile:
            return Route("sms", "SMS reminder to the mobile number in KRR")
        if info.email:
            return Route("email", "e-mail reminder to the address in KRR")
    if not info.registered:
        return Route("svarut", "not registered in KRR: SvarUt prints")
    if info.reserved:
        return Route("svarut", "reserved against digital post in KRR: SvarUt prints")
    if info.mailbox_provider == "digipost":
        return Route("digipost", "digital mailbox at Digipost (KRR)")
    if info.mailbox_provider == "eboks":
        return Route("svarut", "digital mailbox at e-Boks (KRR): SvarUt forwards it")
    return Route("svarut", "no digital mailbox in KRR: SvarUt delivers or prints")


def alert_channel(route: Route, contact: ContactInfo | None) -> AlertChannel | None:
    """An SMS (else e-mail) about a new letter, when KRR allows it and the channel does not.

    Digital mailboxes notify their users themselves; a letter through SvarUt or print gets
    our own notice. KRR's varslingsstatus decides whether the contact details may be used.
    """
    if route.channel not in ("svarut", "print") or contact is None or not contact.can_notify:
        return None
    if contact.mobile:
        return "sms"
    if contact.email:
        return "email"
    return None
