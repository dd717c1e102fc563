"""Instalment plans (betalingsavtaler): which instalments were missed by a given day.

Payments on the plan's claims count towards the instalments in due-date order. An instalment
is missed once its due date (rolled forward to a business day, gjeldsbrevloven § 5) has passed
and what was paid does not cover it and every instalment before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rules.calendar import roll_forward


@dataclass(frozen=True, slots=True)
class Instalment:
    """One agreed instalment."""

    number: int
    due_date: date
    amount_ore: int


@dataclass(frozen=True, slots=True)
class MissedInstalment:
    """An instalment not paid in full by its due date: how much of it was paid."""

    instalment: Instalment
    paid_ore: int


def missed_instalments(
    instalments: Sequence[Instalment], paid_ore: int, today: date
) -> list[MissedInstalment]:
    """Every instalment missed as of ``today``, given ``paid_ore`` paid since the plan began."""
    missed = []
    covered = paid_ore
    for instalment in sorted(instalments, key=lambda i: (i.due_date, i.number)):
        towards = max(0, min(covered, instalment.amount_ore))
        covered -= towards
        if towards < instalment.amount_ore and roll_forward(instalment.due_date) < today:
            missed.append(MissedInstalment(instalment, towards))
    return missed
