"""Text hygiene: NFC, control characters, unassigned and unprintable code points, lengths."""

from __future__ import annotations

import pytest

from rules.letter_fonts import printable_code_points, printable_text
from rules.text import TextPolicy, TextProblem

PLAIN = TextPolicy()

SCRIPTS = {
    "norwegian": "Bjørn Ærø Åsheim",
    "sami": "Áigin Ŋuolja Đávvet Ŧeahkká Žanna Čáhppes Šiellá Ǯiehtanas Ǥiella Ǩeahtes",
    "eastern-european": "Łukasz Żółć Dvořák Şerban Ţăran Ő Ű",
    "cyrillic": "Вера Ивановна Щукина",
    "greek": "Ελένη Παπαδοπούλου",
    "arabic": "محمد عبد الله",
    "vietnamese": "Nguyễn Thị Ngọc Ánh",
    "chinese": "王小明",
    "japanese": "山田はなこ カタカナ",
    "korean": "김민준",
}


@pytest.mark.parametrize("text", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_every_script_of_a_norwegian_register_is_printable(text: str) -> None:
    assert printable_text().clean(text, field="name", max_length=200) == text


@pytest.mark.parametrize(
    ("text", "code", "code_point"),
    [
        ("a\x00b", "text.control_character", 0x0),
        ("a\ud800", "text.control_character", 0xD800),
        ("a\u0378", "text.unassigned", 0x378),
        ("a\U0001f600", "text.unprintable", 0x1F600),
        ("a\ue000", "text.unprintable", 0xE000),
    ],
    ids=["nul", "lone-surrogate", "unassigned", "emoji", "private-use"],
)
def test_the_first_refused_character_is_named(text: str, code: str, code_point: int) -> None:
    assert printable_text().clean(text, field="name", max_length=200) == TextProblem(
        code, "name", code_point
    )


def test_without_the_fonts_emoji_pass_but_control_characters_do_not() -> None:
    assert PLAIN.clean("\U0001f600", field="f", max_length=5) == "\U0001f600"
    assert isinstance(PLAIN.clean("\x1b[31m", field="f", max_length=9), TextProblem)


def test_length_is_counted_after_nfc_and_invisible_only_text_is_empty() -> None:
    assert PLAIN.clean("A\u030a" * 3, field="f", max_length=3) == "Å" * 3
    assert PLAIN.clean("abcd", field="f", max_length=3) == TextProblem("text.too_long", "f")
    assert PLAIN.clean("\u200b \u2060", field="f", max_length=9, required=True) == TextProblem(
        "text.empty", "f"
    )
    assert PLAIN.clean("", field="f", max_length=9) == ""


@pytest.mark.parametrize("character", ["\ufeff", "\u202e", "\u2067"], ids=["bom", "rlo", "rli"])
def test_the_byte_order_mark_and_bidirectional_overrides_are_refused_as_controls(
    character: str,
) -> None:
    assert PLAIN.clean(f"Kari{character}", field="f", max_length=9) == TextProblem(
        "text.control_character", "f", ord(character)
    )


def test_a_text_of_several_lines_keeps_tabs_and_line_breaks_but_no_other_control() -> None:
    lines = TextPolicy(line_breaks=True)

    assert lines.clean("Hei,\r\n\tjeg\nbestrider", field="f", max_length=99) == (
        "Hei,\r\n\tjeg\nbestrider"
    )
    assert lines.clean("a\x00b", field="f", max_length=9) == TextProblem(
        "text.control_character", "f", 0
    )
    assert lines.clean("a\x85b", field="f", max_length=9) == TextProblem(
        "text.control_character", "f", 0x85
    )
    assert lines.clean("\r\n\t\u200b", field="f", max_length=9, required=True) == TextProblem(
        "text.empty", "f"
    )
    assert PLAIN.clean("a\nb", field="f", max_length=9) == TextProblem(
        "text.control_character", "f", 0x0A
    )


def test_a_printable_text_of_several_lines_keeps_its_line_breaks() -> None:
    lines = TextPolicy(printable_code_points(), line_breaks=True)

    assert lines.clean("Bjørn\r\nÅsheim", field="f", max_length=99) == "Bjørn\r\nÅsheim"
    assert lines.clean("a\x07", field="f", max_length=9) == TextProblem(
        "text.control_character", "f", 7
    )


@pytest.mark.parametrize(
    "blank",
    ["\u200b\ufe0f", "\u034f", "\U000e0100 \u3164", "\u2800"],
    ids=["variation-selector", "grapheme-joiner", "ideographic-selector", "braille-blank"],
)
def test_marks_and_letters_that_print_nothing_alone_are_empty(blank: str) -> None:
    assert PLAIN.clean(blank, field="f", max_length=9, required=True) == TextProblem(
        "text.empty", "f"
    )
