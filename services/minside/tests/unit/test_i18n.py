"""Bokmål, nynorsk and English say the same things: every key used is worded in all three."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from contracts.dunning import CaseClosedV1, CasePausedV1, StepKind
from minside.web.forms import TEXTAREAS
from minside.web.i18n import LANGUAGES, Translator, catalogue, pick_language

WEB = Path(__import__("minside.web").web.__file__).parent
STEP_KINDS = StepKind.__args__
PAUSE_REASONS = CasePausedV1.model_fields["reason"].annotation.__args__
CLOSE_REASONS = CaseClosedV1.model_fields["reason"].annotation.__args__


def used_keys() -> set[str]:
    keys = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.parent.glob("**/*.py")]:
        keys |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+\.[a-z0-9_.]+)["']""", path.read_text()))
        keys |= set(
            re.findall(
                r'"((?:error|form|plan|deferral|dispute|contact|nav|logout)\.[a-z0-9_.]+)"',
                path.read_text(),
            )
        )
    dynamic = {f"story.step.{k}" for k in STEP_KINDS} | {f"next.after.{k}" for k in STEP_KINDS}
    dynamic |= {f"letter.title.{k}" for k in STEP_KINDS}
    dynamic |= {f"story.paused.{r}" for r in PAUSE_REASONS} | {
        f"next.paused.{r}" for r in PAUSE_REASONS
    }
    dynamic |= {f"story.case_closed.{r}" for r in CLOSE_REASONS}
    # What a form's text can be refused for (rules.text), and the fields that name themselves.
    dynamic |= {f"error.text.{r}" for r in ("control_character", "unassigned", "too_long")}
    dynamic |= {f"form.field.{name}" for name in (*TEXTAREAS, "other")}
    return {k for k in keys | dynamic if not k.endswith((".html", ".v1", "."))}


def test_every_language_has_exactly_the_same_keys():
    nb = set(catalogue("nb"))

    for lang in LANGUAGES:
        assert set(catalogue(lang)) == nb, lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_the_code_uses_is_worded(lang):
    t = Translator(lang)

    missing = sorted(k for k in used_keys() if not t.has(k) and not k.startswith("minside."))

    assert missing == []


def test_amounts_and_dates_are_written_the_norwegian_and_english_way():
    nb, en = Translator("nb"), Translator("en")

    assert nb("pay.amount_today", total_ore=123_450, today=date(2025, 3, 1)) == (
        "Å betale i dag, 1. mars 2025: 1\u00a0234,50\u00a0kr."
    )
    assert en.date(date(2025, 3, 1)) == "1 March 2025"


def test_the_language_is_the_citizens_choice_or_the_browsers():
    assert pick_language("en", "nb") == "en"
    assert pick_language(None, "nn-NO,nn;q=0.9") == "nn"
    assert pick_language(None, "de-DE") == "nb"
