"""Outbox rows for booked payments, written by INSERT … SELECT from the staging tables.

Building 300 000 envelopes in Python takes longer than the rest of a 100 000-payment import,
so PostgreSQL builds them. The shape is the contracts' envelope and payloads
(``payments.received.v1``, ``payments.allocated.v1``, ``accounts.balance_changed.v1``,
``payments.unmatched.v1``); a test parses every row back through ``contracts``. Events of a
chunk are written while Python books the next one. Within each event type the rows follow
the file's order, so the events of one claim keep their order on the bus (topic per type).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from runtime.telemetry import inject_trace_headers

_IN_CHUNK = "s.seq BETWEEN :lo AND :hi"
_RECEIVED_ALLOCATED = f"""
    SELECT p.seq, -1 AS sub, 'payments.received.v1' AS event_type, f.municipality AS tenant,
        f.claim_id::text AS subject,
        json_build_object('payment_id', p.payment_id, 'amount_ore', p.amount_ore,
            'channel', p.channel, 'kid', p.kid, 'booking_date', p.booking_date,
            'paid_on', p.paid_on, 'received_at', CAST(:at AS text)) AS payload
    FROM payment_stage p
    JOIN (SELECT DISTINCT ON (s.payment_id) s.payment_id, s.municipality, s.claim_id
          FROM share_stage s WHERE {_IN_CHUNK} ORDER BY s.payment_id, s.sub) f
      ON f.payment_id = p.payment_id
    WHERE p.seq BETWEEN :lo AND :hi AND p.announce
"""  # noqa: S608 - constant SQL
_RECEIVED_OTHERS = """
    SELECT p.seq, -1 AS sub, 'payments.received.v1' AS event_type,
        coalesce(u.municipality, CAST(:office AS text)) AS tenant, p.payment_id::text AS subject,
        json_build_object('payment_id', p.payment_id, 'amount_ore', p.amount_ore,
            'channel', p.channel, 'kid', p.kid, 'booking_date', p.booking_date,
            'paid_on', p.paid_on, 'received_at', CAST(:at AS text)) AS payload
    FROM payment_stage p LEFT JOIN unmatched_payment u ON u.payment_id = p.payment_id
    WHERE p.announce AND NOT p.reversal
      AND NOT EXISTS (SELECT 1 FROM share_stage s WHERE s.payment_id = p.payment_id)
"""
_ALLOCATED = f"""
    SELECT s.seq, s.sub, 'payments.allocated.v1' AS event_type, s.municipality AS tenant,
        s.claim_id::text AS subject,
        json_build_object('payment_id', s.payment_id, 'claim_id', s.claim_id,
            'fees_ore', s.fees_ore, 'interest_ore', s.interest_ore,
            'principal_ore', s.principal_ore, 'allocated_at', CAST(:at AS text)) AS payload
    FROM share_stage s WHERE {_IN_CHUNK}
"""  # noqa: S608 - constant SQL
_BALANCE = f"""
    SELECT s.seq, s.sub, 'accounts.balance_changed.v1' AS event_type, s.municipality AS tenant,
        s.claim_id::text AS subject,
        json_build_object('claim_id', s.claim_id, 'debtor_ref', s.debtor_ref,
            'principal_ore', s.principal_after, 'interest_ore', s.interest_after,
            'fees_ore', s.fees_after,
            'total_ore', s.principal_after + s.interest_after + s.fees_after,
            'paid_ore', s.paid_after,
            'settled', s.principal_after + s.interest_after + s.fees_after = 0,
            'cause', 'payment', 'as_of', s.as_of, 'changed_at', CAST(:at AS text),
            'interest_through', s.interest_through) AS payload
    FROM share_stage s WHERE {_IN_CHUNK}
"""  # noqa: S608 - constant SQL
_UNMATCHED = """
    SELECT p.seq, 0 AS sub, 'payments.unmatched.v1' AS event_type,
        coalesce(u.municipality, CAST(:office AS text)) AS tenant, p.payment_id::text AS subject,
        json_build_object('payment_id', p.payment_id, 'amount_ore', p.amount_ore,
            'kid', p.kid, 'reason', u.reason, 'booking_date', p.booking_date,
            'candidates', (SELECT coalesce(json_agg(json_build_object('claim_id', c->'claim_id',
                'score', c->'score', 'reasons', c->'reasons')), '[]'::json)
                FROM jsonb_array_elements(u.candidates) c),
            'paid_on', p.paid_on, 'received_at', CAST(:at AS text)) AS payload
    FROM payment_stage p JOIN unmatched_payment u ON u.payment_id = p.payment_id
    WHERE p.announce AND u.reason <> 'reversal'
"""
_INSERT = """
    INSERT INTO outbox (event_id, event_type, message_key, body, headers, created_at)
    SELECT e.event_id, e.event_type, e.subject,
        json_build_object('id', e.event_id, 'type', e.event_type, 'source', CAST(:source AS text),
            'tenant', e.tenant, 'subject', e.subject, 'occurred_at', CAST(:at AS text),
            'traceparent', CAST(:traceparent AS text), 'tracestate', CAST(:tracestate AS text),
            'payload', e.payload)::text,
        CAST(:headers AS jsonb), :created_at
    FROM (SELECT gen_random_uuid() AS event_id, x.* FROM ({events}) x) e
    ORDER BY e.seq, e.sub
"""
_CHUNK = tuple(_INSERT.format(events=e) for e in (_RECEIVED_ALLOCATED, _ALLOCATED, _BALANCE))
_FINAL = tuple(_INSERT.format(events=e) for e in (_RECEIVED_OTHERS, _UNMATCHED))


@dataclass(frozen=True)
class EventSource:
    """Who emits the events, when, and the trace they continue."""

    source: str
    office_tenant: str
    now: datetime

    def params(self) -> dict[str, Any]:
        trace = inject_trace_headers()
        return {
            "source": self.source,
            "office": self.office_tenant,
            "at": self.now.isoformat(),
            "created_at": self.now,
            "traceparent": trace.get("traceparent"),
            "tracestate": trace.get("tracestate"),
            "headers": json.dumps(trace),
        }


async def add_chunk_events(conn: AsyncConnection, origin: EventSource, lo: int, hi: int) -> None:
    """Received, allocated and balance-changed events of the allocations of jobs ``lo``–``hi``."""
    params = {**origin.params(), "lo": lo, "hi": hi}
    for statement in _CHUNK:
        await conn.execute(sa.text(statement), params)


async def add_final_events(conn: AsyncConnection, origin: EventSource) -> None:
    """Received events of payments no claim took, and the unmatched queue's events."""
    params = origin.params()
    for statement in _FINAL:
        await conn.execute(sa.text(statement), params)
