"""Every step kind renders in bokmål, nynorsk and English with everything the law asks for."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from notification.domain.notice import LANGUAGES, STEP_KINDS
from notification.letters.compose import fill
from notification.letters.render import Renderer
from notification_factories import DEBTOR_NAME, DESCRIPTION, KID, claim, notice
from pdf_tools import pdf_lines, pdf_text, require_poppler

EXPECTED = {
    "nb": {
        "principal": "3 250,00 kr",
        "interest": "12,34 kr",
        "fees": "105,00 kr",
        "total": "3 367,34 kr",
        "rate": "12,00 %",
        "from": "2. mars 2026",
        "deadline": "14. april 2026",
    },
    "nn": {
        "principal": "3 250,00 kr",
        "interest": "12,34 kr",
        "fees": "105,00 kr",
        "total": "3 367,34 kr",
        "rate": "12,00 %",
        "from": "2. mars 2026",
        "deadline": "14. april 2026",
    },
    "en": {
        "principal": "NOK 3,250.00",
        "interest": "NOK 12.34",
        "fees": "NOK 105.00",
        "total": "NOK 3,367.34",
        "rate": "12.00 %",
        "from": "2 March 2026",
        "deadline": "14 April 2026",
    },
}


@pytest.fixture(scope="module")
def renderer():
    r = Renderer()
    yield r
    r.close()


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("step", STEP_KINDS)
def test_each_letter_states_every_required_element_with_the_right_amounts(renderer, step, language):
    require_poppler("pdftotext")
    n = notice(step, language)
    texts = renderer.catalogue.texts("3301", language, step)
    expected = EXPECTED[language]

    text = pdf_text(renderer.render_sync(n).pdf)

    for label, value in expected.items():
        assert value in text, f"{label} {value!r} missing"
    for element in (
        "Drammen kommune",
        DESCRIPTION,
        DEBTOR_NAME,
        KID,
        "1234 56 78903",
        "55 55 33 39",
        "https://minside.kravflyt.no",
    ):
        assert element in text
    for key in (
        "title",
        "consequence_title",
        "object_title",
        "help_title",
        "pay_title",
        "table_title",
    ):
        assert _flat(fill(texts[key], {})) in text, key
    assert (
        _flat(
            fill(
                texts["consequence"],
                {"creditor": "Drammen kommune", "deadline": expected["deadline"]},
            )
        )[:40]
        in text
    )


def test_principal_interest_and_fees_stand_in_their_own_columns(renderer):
    require_poppler("pdftotext")
    n = notice("betalingsoppfordring")

    lines = pdf_lines(renderer.render_sync(n).pdf)

    assert "Krav Hovedstol Renter Gebyrer Å betale" in lines
    assert f"{DESCRIPTION} 3 250,00 kr 12,34 kr 105,00 kr 3 367,34 kr" in lines
    assert "Sum 3 250,00 kr 12,34 kr 105,00 kr 3 367,34 kr" in lines


def test_a_consolidated_letter_lists_each_claim(renderer):
    require_poppler("pdftotext")
    claims = (
        claim(invoice_number="2026-1", description="Vann og avløp, 1. termin"),
        claim(invoice_number="2026-2", description="Renovasjon, 1. termin", principal_ore=150000),
        claim(invoice_number="2026-3", description="Feiing og tilsyn", principal_ore=50000),
    )
    n = notice("inkassovarsel", claims=claims)

    pdf = renderer.render_sync(n).pdf
    text, lines = pdf_text(pdf), pdf_lines(pdf)

    for c in claims:
        assert c.description in text and f"Fakturanr. {c.invoice_number}" in text
    assert "Renovasjon, 1. termin 1 500,00 kr 12,34 kr 105,00 kr 1 617,34 kr" in lines
    assert "Sum 5 250,00 kr 37,02 kr 315,00 kr 5 602,02 kr" in lines


def test_the_pdf_is_tagged_archivable_a4_with_embedded_fonts(renderer):
    pdf = renderer.render_sync(notice("purring")).pdf
    reader = PdfReader(__import__("io").BytesIO(pdf))
    root = reader.trailer["/Root"]

    xmp = reader.xmp_metadata.rdf_root.toxml()

    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert 'pdfaid:part="2"' in xmp or "<pdfaid:part>2</pdfaid:part>" in xmp
    assert "pdfuaid" in xmp
    assert root["/Lang"] == "nb"
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        descendant = font.get_object().get("/DescendantFonts")
        descriptor = (descendant[0].get_object() if descendant else font.get_object())[
            "/FontDescriptor"
        ]
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_text_from_outside_is_shown_as_text_never_as_typst_markup(renderer):
    require_poppler("pdftotext")
    hostile = '#sys.exit() ] = *bold* $x$ <label> @ref \\ "quote" #import "x.typ"'
    n = notice("purring", debtor_name=hostile)

    text = pdf_text(renderer.render_sync(n).pdf)

    assert _flat(hostile) in text
