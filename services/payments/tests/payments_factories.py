"""Small factories for payments' tests: the events payments consumes, and OCR files."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from payment_file_builders import Assignment, Tx, encode, ocr_lines

from contracts.claims import ClaimAdjustedV1, ClaimRegisteredV2
from contracts.dunning import FeeChargedV1, FeeReversedV1, Instalment, PlanAgreedV1
from contracts.envelope import Envelope, new_envelope
from payments.config import PaymentsSettings
from runtime.local_issuer import LocalIssuer

_serial = itertools.count(1)
_transmission = itertools.count(1000001)


def _envelope(event_type: str, tenant: str, subject: UUID, payload: Any) -> Envelope[Any]:
    return new_envelope(
        event_type,
        source="test",
        tenant=tenant,
        subject=str(subject),
        payload=payload,
        occurred_at=datetime.now(UTC),
    )


def registered(
    *,
    principal_ore: int = 500_000,
    due_date: date | None = None,
    municipality: str = "3301",
    original_kid: str | None = None,
    debtor_ref: str | None = None,
) -> Envelope[Any]:
    """A ``claims.registered.v2`` event for a fresh claim (name and address sealed)."""
    n = next(_serial)
    due = due_date or date.today() - timedelta(days=10)
    payload = ClaimRegisteredV2(
        claim_id=uuid4(),
        municipality=municipality,
        invoice_number=f"INV-{n:06d}",
        claim_type="barnehage",
        debtor_ref=debtor_ref or f"ref1_debtor{n}",
        debtor_sealed="sealed",
        debtor_kind="person",
        debtor_details_sealed="v1.k1.sealed-details",
        principal_ore=principal_ore,
        issue_date=due - timedelta(days=20),
        due_date=due,
        original_kid=original_kid,
        description="Foreldrebetaling",
        property=None,
        registered_at=datetime.now(UTC),
    )
    return _envelope("claims.registered.v2", municipality, payload.claim_id, payload)


def fee_charged(
    claim_id: UUID, amount_ore: int, charged_on: date, tenant: str = "3301"
) -> Envelope[Any]:
    """A ``fees.charged.v1`` event."""
    payload = FeeChargedV1(
        fee_id=uuid4(), claim_id=claim_id, case_id=uuid4(), step_kind="purring",
        amount_ore=amount_ore, legal_basis="inkassoforskriften § 1-2", charged_on=charged_on,
        charged_at=datetime.now(UTC),
    )  # fmt: skip
    return _envelope("fees.charged.v1", tenant, claim_id, payload)


def fee_reversed(
    claim_id: UUID, fee_id: UUID, amount_ore: int, tenant: str = "3301"
) -> Envelope[Any]:
    """A ``fees.reversed.v1`` event."""
    payload = FeeReversedV1(
        fee_id=fee_id, claim_id=claim_id, amount_ore=amount_ore, reason="wrongly charged",
        reversed_at=datetime.now(UTC),
    )  # fmt: skip
    return _envelope("fees.reversed.v1", tenant, claim_id, payload)


def adjusted(
    claim_id: UUID, kind: str, amount_ore: int, principal_before_ore: int, tenant: str = "3301"
) -> Envelope[Any]:
    """A ``claims.adjusted.v1`` event."""
    payload = ClaimAdjustedV1(
        claim_id=claim_id, adjustment_id=uuid4(), kind=kind, amount_ore=amount_ore,
        principal_before_ore=principal_before_ore,
        principal_after_ore=principal_before_ore - amount_ore, reason_code="test",
        reason="test", adjusted_at=datetime.now(UTC),
    )  # fmt: skip
    return _envelope("claims.adjusted.v1", tenant, claim_id, payload)


def plan_agreed(
    claim_ids: list[UUID],
    instalments: list[tuple[date, int]],
    agreed_at: datetime,
    tenant: str = "3301",
) -> Envelope[Any]:
    """A ``cases.plan_agreed.v1`` event."""
    payload = PlanAgreedV1(
        plan_id=uuid4(), case_id=uuid4(), claim_ids=claim_ids, debtor_ref="ref1_plan",
        instalments=[Instalment(due_date=d, amount_ore=a) for d, a in instalments],
        agreed_at=agreed_at,
    )  # fmt: skip
    return _envelope("cases.plan_agreed.v1", tenant, payload.case_id, payload)


def ocr_file(
    *payments: tuple[str, int, date] | tuple[str, int, date, str], number: str | None = None
) -> bytes:
    """An OCR giro file paying ``(kid, amount_ore, settlement date[, debit account])`` each."""
    txs = tuple(
        Tx("10", amount, day, kid=kid, archive=f"{i:09d}", debit=rest[0] if rest else "")
        for i, (kid, amount, day, *rest) in enumerate(payments, start=1)
    )
    assignment = Assignment("001234567", f"{next(_transmission) % 10**7:07d}", "86011117947", txs)
    transmission = number or f"{next(_transmission) % 10**7:07d}"
    last = max(p[2] for p in payments)
    return encode(ocr_lines(transmission, "00012345", [assignment], last))


def payments_settings(
    database_url: str, bus_url: str, staff: LocalIssuer, **extra: Any
) -> PaymentsSettings:
    """Settings for a payments under test."""
    return PaymentsSettings(
        service="payments",
        database_url=database_url,
        bus_url=bus_url,
        staff_auth_issuer=staff.issuer,
        staff_auth_audience=staff.audience,
        staff_auth_jwks_url=staff.jwks_url,
        relay_poll_seconds=0.05,
        consumer_retry_base_seconds=0.01,
        **({"local_dir": "/nonexistent/kravflyt-local"} | extra),
    )


def vipps_settings(base_url: str, webhook_secret: str) -> dict[str, Any]:
    """Payments' Vipps settings for the fake Vipps (its credentials; our webhook secret)."""
    from fakes import vipps

    return {
        "vipps_base_url": base_url,
        "vipps_client_id": vipps.CLIENT_ID,
        "vipps_client_secret": vipps.CLIENT_SECRET,
        "vipps_subscription_key": vipps.SUBSCRIPTION_KEY,
        "vipps_msn": vipps.MSN,
        "vipps_webhook_secret": webhook_secret,
        "local_dir": "",  # not local mode: nothing falls back to the fake's values
    }


def service_auth(issuer: LocalIssuer) -> dict[str, Any]:
    """Payments trusting ``issuer`` for service tokens (Min side's), as make run configures it."""
    return {
        "auth_issuer": issuer.issuer,
        "auth_audience": issuer.audience,
        "auth_jwks_url": issuer.jwks_url,
    }
