"""Driving dunning in tests: a frozen clock, events in through its consumers, the outbox read."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import sqlalchemy as sa

from contracts.claims import (
    ClaimAdjustedV1,
    ClaimRegisteredV2,
    DebtorDetails,
    PostalAddress,
    PropertyRef,
)
from contracts.envelope import new_envelope
from contracts.notices import NoticeFailedV1
from contracts.payments import (
    AccountOpenedV1,
    BalanceChangedV1,
    InstalmentMissedV1,
    PaymentReversedV1,
)
from contracts.requests import DeferralRequestedV1, DisputeRaisedV1, PlanRequestedV1
from dunning.bootstrap import Container
from dunning.consumers import receiver
from dunning.handlers.run import RunReport, run_daily
from rules.calendar import OSLO
from runtime.local_issuer import LocalIssuer
from runtime.personal_data import seal_details

_serial = itertools.count(1)
DEBTOR = DebtorDetails(
    name="Kari Nordmann",
    address=PostalAddress(lines=["Storgata 1"], postal_code="3616", city="Kongsberg"),
)


@dataclass
class FrozenClock:
    """A clock standing still at 10:00 Oslo time on ``today`` until moved."""

    today: date = date(2026, 3, 20)

    def __call__(self) -> datetime:
        return datetime.combine(self.today, time(10, 0), OSLO).astimezone(UTC)

    def set(self, day: date) -> None:
        self.today = day


@dataclass
class Claim:
    """A claim registered in a test."""

    claim_id: UUID
    municipality: str
    debtor_ref: str
    due_date: date
    principal_ore: int
    kid: str = field(default="")


@dataclass
class DunningUnderTest:
    """Dunning's app and container, with helpers that read like the test's sentences."""

    client: httpx.AsyncClient
    container: Container
    clock: FrozenClock
    issuer: LocalIssuer

    # --- staff ---------------------------------------------------------------------------
    def staff(
        self,
        municipalities: tuple[str, ...] = ("3301", "3303", "3312"),
        roles: tuple[str, ...] = ("caseworker",),
        subject: str = "cw-1",
        name: str = "Kari Saksbehandler",
    ) -> dict[str, str]:
        token = self.issuer.issue_staff_token(
            subject=subject, name=name, roles=roles, municipalities=municipalities
        )
        return {"Authorization": f"Bearer {token}"}

    def admin(self, municipalities: tuple[str, ...] = ("3301", "3303", "3312")) -> dict[str, str]:
        return self.staff(municipalities, roles=("admin",), subject="adm-1", name="Ola Admin")

    def office_admin(self, municipalities: tuple[str, ...] = ()) -> dict[str, str]:
        """The office's administrator: the daily run for every municipality it serves."""
        return self.staff(
            municipalities, roles=("office_admin",), subject="ops-1", name="Per Drift"
        )

    # --- events in -----------------------------------------------------------------------
    async def deliver(self, payload: Any, tenant: str, subject: str | None = None) -> UUID:
        envelope = new_envelope(
            payload.EVENT_TYPE,
            source="test",
            tenant=tenant,
            subject=subject or str(uuid4()),
            payload=payload,
            occurred_at=self.clock(),
        )
        await receiver(self.container, payload.EVENT_TYPE)(envelope)
        return envelope.id

    async def register(
        self,
        *,
        due: date,
        claim_type: str = "barnehage",
        municipality: str = "3303",
        principal_ore: int = 325_000,
        debtor_ref: str | None = None,
        kid: str | None = "AUTO",
        debtor: DebtorDetails = DEBTOR,
        details_sealed: str | None = None,
        clear: bool = False,
    ) -> Claim:
        """``claims.registered.v2`` (and, unless ``kid=None``, ``accounts.opened.v1``).

        ``details_sealed`` replaces the sealed ``debtor``; ``clear``: a ``claims.registered.v1``
        left in the topic from before v2, with the name and address in clear."""
        n = next(_serial)
        claim = Claim(uuid4(), municipality, debtor_ref or f"ref_debtor_{n}", due, principal_ore)
        payload = ClaimRegisteredV2(
            claim_id=claim.claim_id,
            municipality=municipality,
            invoice_number=f"F-{n:06d}",
            claim_type=claim_type,
            debtor_ref=claim.debtor_ref,
            debtor_sealed="sealed:v1:opaque",
            debtor_kind="person",
            debtor_details_sealed=details_sealed or seal_details(self.container.keys, debtor),
            principal_ore=principal_ore,
            issue_date=due - timedelta(days=14),
            due_date=due,
            original_kid=None,
            description="Foreldrebetaling mars" if claim_type == "barnehage" else "Vann og avløp",
            property=PropertyRef(gnr=12, bnr=34) if claim_type.startswith("eiendom") else None,
            registered_at=self.clock(),
        )
        sent = payload.opened(debtor) if clear else payload
        await self.deliver(sent, municipality, str(claim.claim_id))
        if kid is not None:
            claim.kid = f"{n:08d}" if kid == "AUTO" else kid
            await self.open_account(claim)
        return claim

    async def open_account(self, claim: Claim) -> None:
        payload = AccountOpenedV1(
            claim_id=claim.claim_id,
            municipality=claim.municipality,
            debtor_ref=claim.debtor_ref,
            kid=claim.kid,
            kid_algorithm="MOD10",
            account_number="15030100007",
            principal_ore=claim.principal_ore,
            opened_at=self.clock(),
        )
        await self.deliver(payload, claim.municipality, str(claim.claim_id))

    async def pay(
        self,
        claim: Claim,
        *,
        principal_left: int,
        settled: bool = False,
        fees_left: int = 0,
        as_of: date | None = None,
        cause: str = "payment",
    ) -> None:
        """The ledger's balance after a payment made on ``as_of`` (default: today)."""
        payload = BalanceChangedV1(
            claim_id=claim.claim_id,
            debtor_ref=claim.debtor_ref,
            principal_ore=principal_left,
            interest_ore=0,
            fees_ore=fees_left,
            total_ore=principal_left + fees_left,
            paid_ore=claim.principal_ore - principal_left,
            settled=settled,
            cause=cause,
            as_of=as_of or self.clock.today,
            changed_at=self.clock(),
        )
        await self.deliver(payload, claim.municipality, str(claim.claim_id))

    async def bank_reverses(self, claim: Claim, *, paid_on: date, amount_ore: int) -> None:
        """``payments.reversed.v1``: the payment of ``paid_on`` went back to the payer."""
        payload = PaymentReversedV1(
            payment_id=uuid4(),
            original_payment_id=uuid4(),
            claim_id=claim.claim_id,
            amount_ore=amount_ore,
            fees_ore=0,
            interest_ore=0,
            principal_ore=amount_ore,
            channel="ocr",
            kid=claim.kid or None,
            paid_on=paid_on,
            reversed_on=self.clock.today,
            reversed_at=self.clock(),
        )
        await self.deliver(payload, claim.municipality, str(claim.claim_id))

    async def adjust(self, claim: Claim, kind: str, reason_code: str) -> None:
        payload = ClaimAdjustedV1(
            claim_id=claim.claim_id,
            adjustment_id=uuid4(),
            kind=kind,
            amount_ore=claim.principal_ore,
            principal_before_ore=claim.principal_ore,
            principal_after_ore=0,
            reason_code=reason_code,
            reason="Feil mottaker",
            adjusted_at=self.clock(),
        )
        await self.deliver(payload, claim.municipality, str(claim.claim_id))

    async def citizen_disputes(self, claim: Claim, text: str = "Barnet sluttet i januar") -> None:
        payload = DisputeRaisedV1(
            request_id=uuid4(),
            debtor_ref=claim.debtor_ref,
            claim_ids=[claim.claim_id],
            text=text,
            requested_at=self.clock(),
        )
        await self.deliver(payload, claim.municipality)

    async def citizen_asks_for_plan(
        self, claim: Claim, *, monthly_ore: int, first_due: date
    ) -> None:
        payload = PlanRequestedV1(
            request_id=uuid4(),
            debtor_ref=claim.debtor_ref,
            claim_ids=[claim.claim_id],
            monthly_amount_ore=monthly_ore,
            months=None,
            first_due_date=first_due,
            requested_at=self.clock(),
        )
        await self.deliver(payload, claim.municipality)

    async def citizen_asks_for_deferral(self, claim: Claim, until: date) -> None:
        payload = DeferralRequestedV1(
            request_id=uuid4(),
            debtor_ref=claim.debtor_ref,
            claim_ids=[claim.claim_id],
            until=until,
            reason="Venter på lønn",
            requested_at=self.clock(),
        )
        await self.deliver(payload, claim.municipality)

    async def instalment_missed(self, claim: Claim, plan_id: UUID, case_id: UUID) -> None:
        payload = InstalmentMissedV1(
            plan_id=plan_id,
            case_id=case_id,
            instalment_due_date=self.clock.today,
            amount_due_ore=50_000,
            paid_ore=0,
            detected_at=self.clock(),
        )
        await self.deliver(payload, claim.municipality)

    async def notice_failed(self, claim: Claim, notice_id: UUID, case_id: UUID) -> None:
        payload = NoticeFailedV1(
            notice_id=notice_id,
            case_id=case_id,
            reason_code="address_unknown",
            reason="Ukjent adresse",
            channel="print",
            permanent=True,
            failed_at=self.clock(),
        )
        await self.deliver(payload, claim.municipality)

    # --- the run ------------------------------------------------------------------------
    async def run(self, day: date, shard: tuple[int, int] = (0, 1)) -> RunReport:
        self.clock.set(day)
        return await run_daily(
            self.container.runtime, day, shard, chunk=self.container.settings.run_chunk_size
        )

    async def run_days(self, first: date, last: date) -> None:
        day = first
        while day <= last:
            await self.run(day)
            day += timedelta(days=1)

    # --- reading state ------------------------------------------------------------------
    async def events(self, event_type: str, case_id: UUID | None = None) -> list[dict[str, Any]]:
        """Envelopes of ``event_type`` in the outbox (in commit order), as JSON."""
        query = sa.text("SELECT body FROM outbox WHERE event_type = :t ORDER BY id")
        async with self.container.runtime.engine.connect() as conn:
            bodies = (await conn.execute(query, {"t": event_type})).scalars().all()
        found = [json.loads(b) for b in bodies]
        if case_id is not None:
            found = [e for e in found if e["payload"].get("case_id") == str(case_id)]
        return found

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.container.runtime.engine.connect() as conn:
            return list((await conn.execute(sa.text(sql), params)).all())

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.container.runtime.engine.connect() as conn:
            return (await conn.execute(sa.text(sql), params)).scalar()

    async def case_of(self, claim: Claim) -> UUID:
        return await self.scalar(
            "SELECT case_id FROM case_claim WHERE claim_id = :c", c=claim.claim_id
        )

    async def case_status(self, claim: Claim) -> str:
        return await self.scalar(
            "SELECT c.status FROM dunning_case c JOIN case_claim cc ON cc.case_id = c.id "
            "WHERE cc.claim_id = :c",
            c=claim.claim_id,
        )

    async def steps(self, claim: Claim) -> list[tuple[str, date]]:
        async with self.container.runtime.engine.connect() as conn:
            rows = await conn.execute(
                sa.text(
                    "SELECT s.kind, s.sent_date FROM step s "
                    "JOIN case_claim cc ON cc.case_id = s.case_id "
                    "WHERE cc.claim_id = :c ORDER BY s.seq"
                ),
                {"c": claim.claim_id},
            )
            return [(r.kind, r.sent_date) for r in rows]

    async def work_items(
        self, headers: dict[str, str] | None = None, **params: Any
    ) -> list[dict[str, Any]]:
        answer = await self.client.get(
            "/v1/worklist", params=params, headers=headers or self.staff()
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]
