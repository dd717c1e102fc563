"""Reading the citizen's forms: values back for redisplay, and a message key per bad field."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from starlette.datastructures import FormData, UploadFile

from minside.domain.claims import Claim, total_today
from minside.domain.schedule import Instalment, PlanInputError, plan_schedule
from rules.money import InvalidAmount, kroner_to_ore
from rules.rates import Rates
from rules.text import TextPolicy, TextProblem

_FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
MAX_DEFERRAL_DAYS = 365
MAX_FIRST_DUE_DAYS = 62


def new_form_token() -> str:
    """A fresh token for one form; its first submission is the only one that counts."""
    return secrets.token_urlsafe(24)


class BadFormToken(ValueError):
    """The form came without a usable token."""


class BadFormText(ValueError):
    """A form field's name or text was refused by ``rules.text`` (the value is not kept or
    echoed); ``problem`` names the field, the reason code and the character."""

    def __init__(self, problem: TextProblem) -> None:
        super().__init__(problem.code)
        self.problem = problem


# The textareas: the only fields a citizen writes on several lines (tab and line breaks).
TEXTAREAS = frozenset({"reason", "text"})
# Above any field's own limit (a textarea's 4000 characters, line breaks sent as two).
MAX_FIELD_LENGTH = 10_000
MAX_FIELD_NAME_LENGTH = 100
_LINE = TextPolicy()
_LINES = TextPolicy(line_breaks=True)


def clean_form(form: FormData) -> FormData:
    """The form with every text in NFC, or :class:`BadFormText` for the first refused field.

    Every name and text goes through ``rules.text``: no control character (NUL included),
    lone surrogate or unassigned code point; tab and line breaks only in :data:`TEXTAREAS`.
    """
    items: list[tuple[str, str | UploadFile]] = []
    for name, value in form.multi_items():
        clean_name = _LINE.clean(name, field="", max_length=MAX_FIELD_NAME_LENGTH)
        if isinstance(clean_name, TextProblem):
            raise BadFormText(clean_name)
        if isinstance(value, str):
            policy = _LINES if clean_name in TEXTAREAS else _LINE
            value = _checked(policy.clean(value, field=clean_name, max_length=MAX_FIELD_LENGTH))
        items.append((clean_name, value))
    return FormData(items)


def _checked(outcome: str | TextProblem) -> str:
    if isinstance(outcome, TextProblem):
        raise BadFormText(outcome)
    return outcome


@dataclass
class Parsed:
    """What a form said: values to show again, and problems by field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def form_token(form: FormData) -> str:
    """The form's idempotency token."""
    token = form.get("form_token")
    if not isinstance(token, str) or not _FORM_TOKEN.fullmatch(token):
        raise BadFormToken("form_token")
    return token


def claim_ids(form: FormData) -> list[UUID]:
    """The ticked claims (unreadable ids are dropped; the caller checks ownership)."""
    found = []
    for raw in form.getlist("claim_ids"):
        try:
            found.append(UUID(str(raw)))
        except ValueError:
            continue
    return sorted(set(found))


def optional_claim(form: FormData) -> list[UUID]:
    """The one claim a contact message is about, if any."""
    try:
        return [UUID(str(form.get("claim_id")))] if form.get("claim_id") else []
    except ValueError:
        return []


def check_claims(chosen: list[Claim], asked: list[UUID], parsed: Parsed) -> None:
    """Every ticked claim must be the citizen's own, open, and of one municipality."""
    if not asked:
        parsed.errors["claim_ids"] = "form.choose_claim"
    elif len(chosen) != len(asked):
        parsed.errors["claim_ids"] = "form.claims_unknown"
    elif len({c.municipality for c in chosen}) > 1:
        parsed.errors["claim_ids"] = "form.one_municipality"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_plan(
    form: FormData, claims: list[Claim], today: date, rates: Rates
) -> tuple[Parsed, tuple[Instalment, ...]]:
    """The plan form → the schedule it gives (empty when something is wrong)."""
    p = Parsed(
        {k: _text(form, k) for k in ("choice", "monthly_kroner", "months", "first_due_date")}
    )
    monthly = months = None
    if p.values["choice"] == "months":
        months = _whole_number(p.values["months"])
        if months is None:
            p.errors["months"] = "plan.months_invalid"
    else:
        p.values["choice"] = "monthly"
        monthly = _kroner(p.values["monthly_kroner"])
        if monthly is None:
            p.errors["monthly_kroner"] = "plan.amount_invalid"
    first_due = _date(p.values["first_due_date"])
    if first_due is None or not today <= first_due <= today + timedelta(days=MAX_FIRST_DUE_DAYS):
        p.errors["first_due_date"] = "plan.first_due_invalid"
    if p.errors or first_due is None:
        return p, ()
    try:
        schedule = plan_schedule(
            total_today(claims, today, rates=rates), first_due, monthly_ore=monthly, months=months
        )
    except PlanInputError as error:
        p.errors["months" if months is not None else "monthly_kroner"] = error.code
        return p, ()
    p.values["monthly_ore"], p.values["months_count"] = monthly, months
    return p, schedule


def _whole_number(text: str) -> int | None:
    return int(text) if text.isdigit() and 0 < int(text) <= 1000 else None


def _kroner(text: str) -> int | None:
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("kr", "").replace(",", ".")
    try:
        ore = kroner_to_ore(cleaned)
    except (InvalidAmount, ValueError):
        return None
    return ore if ore > 0 else None


def parse_deferral(form: FormData, today: date) -> Parsed:
    """The deferral form: a date to pay by, and why."""
    p = Parsed({"until": _text(form, "until"), "reason": _text(form, "reason")})
    until = _date(p.values["until"])
    if until is None or not today < until <= today + timedelta(days=MAX_DEFERRAL_DAYS):
        p.errors["until"] = "deferral.until_invalid"
    _written(p, "reason", 1000, "deferral.reason_missing")
    return p


def parse_text(form: FormData, missing_key: str) -> Parsed:
    """A dispute's or a contact message's text (required, at most 4000 characters)."""
    p = Parsed({"text": _text(form, "text")})
    _written(p, "text", 4000, missing_key)
    return p


def _written(p: Parsed, name: str, max_length: int, missing_key: str) -> None:
    """A textarea the citizen must fill: not only invisible characters, not too long."""
    outcome = _LINES.clean(p.values[name], field=name, max_length=max_length, required=True)
    if isinstance(outcome, TextProblem):
        p.errors[name] = missing_key if outcome.code == "text.empty" else "form.text_too_long"
