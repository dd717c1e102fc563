"""Reading the citizen's forms: values back for redisplay, and a message key per bad field."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from starlette.datastructures import FormData

from minside.domain.claims import Claim, total_today
from minside.domain.schedule import Instalment, PlanInputError, plan_schedule
from rules.money import InvalidAmount, kroner_to_ore
from rules.rates import Rates

_FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
MAX_DEFERRAL_DAYS = 365
MAX_FIRST_DUE_DAYS = 62


def new_form_token() -> str:
    """A fresh token for one form; its first submission is the only one that counts."""
    return secrets.token_urlsafe(24)


class BadFormToken(ValueError):
    """The form came without a usable token."""


class BadFormText(ValueError):
    """A form field holds a character no text may hold (the value is not kept or echoed)."""


# A control character other than tab and line breaks (NUL included: PostgreSQL cannot store
# it), or half a surrogate pair (it cannot be encoded): no citizen means to type these.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def refuse_bad_text(form: FormData) -> None:
    """Raise :class:`BadFormText` if any field's name or text holds a refused character."""
    for name, value in form.multi_items():
        if _BAD_TEXT.search(name) or (isinstance(value, str) and _BAD_TEXT.search(value)):
            raise BadFormText("a form field holds a control character")


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
    if not p.values["reason"]:
        p.errors["reason"] = "deferral.reason_missing"
    elif len(p.values["reason"]) > 1000:
        p.errors["reason"] = "form.text_too_long"
    return p


def parse_text(form: FormData, missing_key: str) -> Parsed:
    """A dispute's or a contact message's text (required, at most 4000 characters)."""
    p = Parsed({"text": _text(form, "text")})
    if not p.values["text"]:
        p.errors["text"] = missing_key
    elif len(p.values["text"]) > 4000:
        p.errors["text"] = "form.text_too_long"
    return p
