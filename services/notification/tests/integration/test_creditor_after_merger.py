"""From the day a municipality merges, its letters name the successor and "tidligere <name>"."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from notification.letters.catalogue import Catalogue
from notification.letters.render import Renderer
from notification_factories import notice
from pdf_tools import pdf_text, require_poppler
from rules.municipalities import register_from

MERGER_DAY = date(2027, 1, 1)
# The office's addition to the register: Lier merges into Drammen on MERGER_DAY.
LIER_INTO_DRAMMEN = """
[[municipality]]
number = "3312"
name = "Lier"
orgnr = "857566122"
valid_from = 2024-01-01
valid_to = 2027-01-01
successors = ["3301"]

[[municipality]]
number = "3301"
name = "Drammen"
orgnr = "921234554"
valid_from = 2024-01-01
"""


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("register") / "office.toml"
    path.write_text(LIER_INTO_DRAMMEN, encoding="utf-8")
    r = Renderer(Catalogue(register=register_from(str(path))))
    yield r
    r.close()


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def test_a_letter_sent_the_day_before_the_merger_names_the_old_creditor(renderer):
    data = renderer.letter_data(notice(municipality="3312", sent_date=MERGER_DAY - timedelta(1)))

    assert data["sender"]["name"] == "Lier kommune"
    assert "tidligere" not in data["footer"]


def test_a_letter_sent_on_the_merger_day_names_the_successor_and_the_former_name(renderer):
    data = renderer.letter_data(notice(municipality="3312", sent_date=MERGER_DAY))

    assert data["sender"]["name"] == "Drammen kommune (tidligere Lier kommune)"
    assert "på vegne av Drammen kommune (tidligere Lier kommune)" in data["footer"]


def test_the_pdf_from_the_merger_day_says_tidligere_in_nynorsk(renderer):
    require_poppler("pdftotext")

    letter = renderer.render_sync(
        notice("purring", "nn", municipality="3312", sent_date=MERGER_DAY)
    )

    assert "Drammen kommune (tidlegare Lier kommune)" in flat(pdf_text(letter.pdf))


def test_a_claim_kept_under_svelvik_is_collected_in_drammens_name():
    r = Renderer()

    data = r.letter_data(notice(municipality="0711"))

    assert data["sender"]["name"] == "Drammen kommune (tidligere Svelvik kommune)"


def test_a_renumbering_alone_adds_no_former_name():
    r = Renderer()

    data = r.letter_data(notice(municipality="3005"))

    assert data["sender"]["name"] == "Drammen kommune"


def test_the_creditor_check_knows_the_successor_of_an_old_number():
    assert Renderer().creditor(notice(municipality="3005")) == "Drammen kommune"
    assert Renderer().creditor(notice(municipality="9999")) is None
