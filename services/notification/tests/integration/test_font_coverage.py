"""Every character intake accepts, a letter prints; what the fonts lack, typst refuses.

Intake's text policy and the letter's fonts come from one place (rules.letter_fonts): the
policy is read from the fonts' character maps. Letters are rendered as PDF/A, where typst
refuses a character no font can show, so a rendered letter proves every glyph was found.
"""

from __future__ import annotations

import pytest

from notification.letters.render import Renderer, RenderError
from notification_factories import claim, notice
from rules.letter_fonts import printable_code_points, printable_text

CHUNK = 3000


@pytest.fixture(scope="module")
def renderer():
    r = Renderer()
    yield r
    r.close()


def accepted_characters() -> list[str]:
    policy = printable_text()
    characters = [chr(cp) for cp in sorted(printable_code_points())]
    return [c for c in characters if policy.clean(c, field="f", max_length=1) == c]


def test_every_character_the_text_policy_accepts_renders_in_a_letter(renderer):
    accepted = accepted_characters()
    assert len(accepted) > 40_000  # Latin, Greek, Cyrillic, Arabic, CJK and Hangul
    chunks = ["".join(accepted[i : i + CHUNK]) for i in range(0, len(accepted), CHUNK)]

    for chunk in chunks:
        letter = renderer.render_sync(notice("purring", claims=(claim(description=chunk),)))
        assert letter.pages >= 1


@pytest.mark.parametrize(
    "character", ["\U0001f600", "\U00013000", "\ue000"], ids=["emoji", "hieroglyph", "private"]
)
def test_a_character_the_policy_refuses_as_unprintable_cannot_be_rendered(renderer, character):
    assert printable_text().clean(character, field="f", max_length=1) != character

    with pytest.raises(RenderError):
        renderer.render_sync(notice("purring", debtor_name=f"Kari {character}"))
