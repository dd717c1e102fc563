"""A case's trail in plain Norwegian (bokmål): every step with its rule and legal basis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dunning.domain import kinds
from rules.calendar import OSLO
from rules.money import format_ore

_ANCHORS = {
    "due_date": "forfallsdatoen",
    "previous_deadline": "fristen i forrige brev",
    "previous_step": "forrige trinn",
}
_PAUSES = {
    "dispute": "innsigelse",
    "plan": "betalingsavtale",
    "deferral": "utsettelse",
    "concern": "bekymringsmelding",
    "caseworker": "saksbehandlers vurdering",
    "deceased": "skyldner er død",
    "bankrupt": "skyldner er konkurs",
}
_CLOSED = {
    "settled": "kravet er betalt",
    "cancelled": "kravet er kansellert",
    "written_off": "kravet er avskrevet",
    "credited": "kravet er kreditert",
    "handed_over": "saken er overført til tvangsinnfordring",
    "stopped": "saksbehandler stanset saken",
}


@dataclass(frozen=True)
class StepRecord:
    """A step as recorded by the run."""

    seq: int
    kind: str
    rule: str
    legal_basis: str
    policy_id: str
    policy_version: int
    sent_date: date
    deadline_date: date | None
    fee_ore: int
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LogEntry:
    """Anything else that happened to the case (opened, paused, decided, closed …)."""

    at: datetime
    kind: str
    actor: str | None
    details: Mapping[str, Any] = field(default_factory=dict)


def explain_step(step: StepRecord) -> str:
    """One step as sentences naming the rule, the legal basis and the facts used."""
    f = step.facts
    name = kinds.NAMES.get(step.kind, step.kind)
    anchor = _ANCHORS.get(str(f.get("anchor")), str(f.get("anchor")))
    parts = [
        f"{_d(step.sent_date)}: {name} ({step.rule}, retningslinje {step.policy_id} "
        f"versjon {step.policy_version}).",
        f"Regelen sier {f.get('days')} dager etter {anchor} ({_iso(f.get('anchor_date'))}), "
        f"altså {_iso(f.get('planned_date'))}.",
        f"Hjemmel: {step.legal_basis}.",
    ]
    reasons = f.get("claim_reasons") or []
    if len(reasons) > 1:
        parts += [_claim_reason(r) for r in reasons]
    if step.kind == kinds.OVERFORING:
        parts.append("Saken er lagt i arbeidskøen med et ferdig sammendrag for saksbehandler.")
    if step.deadline_date is not None:
        parts.append(_deadline(step))
    parts.append(_fee(step))
    parts.append(f"Utestående da: {format_ore(int(f.get('open_ore') or 0))}.")
    return " ".join(parts)


def explain_entry(entry: LogEntry) -> str:
    """A log entry as a sentence."""
    d = entry.details
    when = _d(entry.at.astimezone(OSLO).date())
    who = f" av {entry.actor}" if entry.actor else ""
    reason = f" Begrunnelse: {d['reason']}." if d.get("reason") else ""
    templates = {
        "opened": f"{when}: Saken ble opprettet etter retningslinje {d.get('policy_id')} "
        f"versjon {d.get('policy_version')}.",
        "claim_joined": f"{when}: Et nytt krav ble lagt til saken (samlet brev).",
        "paused": f"{when}: Saken ble stanset ({_PAUSES.get(d.get('reason_code', ''), '')})"
        f"{who}.{reason}",
        "resumed": f"{when}: Saken ble gjenopptatt{who}.{reason}",
        "closed": f"{when}: Saken ble avsluttet fordi {_CLOSED.get(d.get('reason_code', ''), '')}.",
        "blocked": f"{when}: Trinnet «{d.get('step')}» ble ikke tatt: {d.get('message')}. "
        "Saken ligger i arbeidskøen.",
        "decided": f"{when}: Saksbehandler{who} avgjorde «{d.get('kind')}» med "
        f"«{d.get('decision')}».{reason}",
        "fee_reversed": f"{when}: Gebyr på {format_ore(int(d.get('amount_ore') or 0))} ble "
        + (
            f"tilbakeført fordi betalingen ble gjort {_iso(d['paid_on'])}, før brevet ble sendt."
            if d.get("paid_on")
            else "tilbakeført fordi kravet var feilaktig utstedt."
        ),
        "payment_reversed": f"{when}: {d.get('story')}",
        "plan_agreed": f"{when}: Betalingsavtale med {d.get('count')} avdrag ble inngått.",
        "plan_broken": f"{when}: Et avdrag ble ikke betalt; løpet fortsetter etter "
        f"{d.get('grace_days')} dagers frist.",
        "flag": f"{when}: Skyldner ble merket ({_PAUSES.get(d.get('flag', ''), '')}){who}.{reason}",
        "delivery_failed": f"{when}: Brevet kom ikke fram ({d.get('reason')}).",
        "policy_mapped": f"{when}: Kommunen er slått sammen med en annen; saken følger nå "
        f"retningslinje {d.get('to_policy')} (før {d.get('from_policy')}){who}.{reason}",
    }
    return templates.get(entry.kind, f"{when}: {entry.kind}{who}.")


def explain(steps: list[StepRecord], entries: list[LogEntry]) -> list[str]:
    """The whole trail, oldest first."""
    dated: list[tuple[date, int, str]] = [(s.sent_date, 1, explain_step(s)) for s in steps]
    dated += [(e.at.astimezone(OSLO).date(), 0, explain_entry(e)) for e in entries]
    return [text for _, _, text in sorted(dated, key=lambda t: (t[0], t[1]))]


def _claim_reason(r: Mapping[str, Any]) -> str:
    """Why one claim of a consolidated case is in the letter or not (its own course)."""
    claim = f"Kravet med forfall {_iso(r.get('due_date'))} ({str(r.get('claim_id'))[:8]})"
    own = _iso(r.get("own_date"))
    anchor = _ANCHORS.get(str(r.get("anchor")), str(r.get("anchor")))
    since = f"regnet fra {anchor} for dette kravet ({_iso(r.get('anchor_date'))})"
    reasons = {
        "reached": f"er med: {since} kunne trinnet tas fra {own}.",
        "not_yet_reached": f"er ikke med: {since} kan trinnet tidligst tas {own}.",
        "at_other_step": f"er ikke med: kravet står på et annet trinn («{r.get('own_step')}», "
        f"tidligst {own}).",
        "flow_complete": "er ikke med: kravet har vært gjennom alle trinn.",
    }
    return f"{claim} {reasons.get(str(r.get('reason')), 'er ikke med.')}"


def _deadline(step: StepRecord) -> str:
    f = step.facts
    text = f"Betalingsfrist {_d(step.deadline_date)} ({f.get('deadline_days')} dager"
    unrolled = f.get("deadline_unrolled")
    if unrolled and unrolled != (step.deadline_date.isoformat() if step.deadline_date else None):
        text += (
            f"; {_iso(unrolled)} er ikke en virkedag, så fristen flyttes til neste virkedag "
            "(gjeldsbrevloven § 5)"
        )
    return text + ")."


def _fee(step: StepRecord) -> str:
    f = step.facts
    if not step.fee_ore:
        return "Gebyr: ingen."
    basis = f.get("fee_legal_basis") or step.legal_basis
    if f.get("fee_basis") == "rettsgebyr":
        of = f"rettsgebyret på {format_ore(int(f.get('fee_rettsgebyr_ore') or 0))}"
    else:
        of = f"inkassosatsen på {format_ore(int(f.get('fee_inkassosats_ore') or 0))}"
    return (
        f"Gebyr {format_ore(step.fee_ore)} ({f.get('fee_fraction')} av {of} "
        f"som gjaldt på sendedagen; {basis})."
    )


def _d(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _iso(value: Any) -> str:
    return _d(date.fromisoformat(value)) if isinstance(value, str) else ""
