"""A letter looks right: one A4 page for a single claim, the logo in place, text in the margins.

One PNG per step kind is kept in the test's artefacts directory for people to look at.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from notification.domain.notice import STEP_KINDS
from notification.letters.render import Renderer
from notification_factories import claim, notice
from pdf_tools import MM, pdf_text, pdf_words, raster, require_poppler, save_png

A4 = (210 * MM, 297 * MM)
LEFT, RIGHT, TOP, BOTTOM = 22, 20, 16, 20  # mm, as letter.typ sets them
FOOTER_FLOOR = 8  # mm above the bottom edge: the footer sits inside the bottom margin
ASCENT = 2 * MM  # word boxes include the font's full ascent above the first line


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("letters")
    print(f"\nletter images: {directory}")
    return directory


@pytest.fixture(scope="module")
def renderer():
    r = Renderer()
    yield r
    r.close()


@pytest.mark.parametrize("step", STEP_KINDS)
def test_a_single_claim_letter_is_one_a4_page_with_logo_and_text_inside_the_margins(
    renderer, artefacts, step
):
    require_poppler("pdftotext", "pdftoppm")
    pdf = renderer.render_sync(notice(step)).pdf

    png = save_png(pdf, artefacts / f"{step}-nb-3301.png")
    reader = PdfReader(io.BytesIO(pdf))
    words = pdf_words(pdf)
    page = raster(pdf)

    assert png.stat().st_size > 10_000
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width, 1), round(height, 1)) == (round(A4[0], 1), round(A4[1], 1))
    assert words, "the text is not searchable"
    for w in words:
        assert LEFT * MM - 1 <= w.x0 and w.x1 <= width - RIGHT * MM + 1, w
        assert TOP * MM - ASCENT <= w.y0 and w.y1 <= height - FOOTER_FLOOR * MM, w
    assert page.ink_share(LEFT, TOP, LEFT + 20, TOP + 20) > 0.5, "no logo in the top-left corner"
    assert page.ink_share(0, 0, LEFT - 1, 297) == 0
    assert page.ink_share(210 - RIGHT + 1, 0, 210, 297) == 0


@pytest.mark.parametrize("municipality", ["3301", "3303", "3312"])
def test_each_municipality_letter_carries_its_own_logo(renderer, artefacts, municipality):
    require_poppler("pdftoppm")
    pdf = renderer.render_sync(notice("purring", municipality=municipality)).pdf

    save_png(pdf, artefacts / f"purring-nb-{municipality}.png")
    page = raster(pdf)

    corner = page.pixel(int((LEFT + 10) * page.dpi / 25.4), int((TOP + 3) * page.dpi / 25.4))
    assert corner != (255, 255, 255)


def test_a_long_consolidated_letter_flows_onto_numbered_pages(renderer, artefacts):
    require_poppler("pdftotext")
    claims = tuple(
        claim(invoice_number=f"2026-{i:04d}", description=f"Vann og avløp, termin {i}")
        for i in range(40)
    )
    pdf = renderer.render_sync(notice("inkassovarsel", claims=claims)).pdf

    save_png(pdf, artefacts / "inkassovarsel-consolidated.png")
    pages = len(PdfReader(io.BytesIO(pdf)).pages)

    assert pages >= 2
    assert re.search(rf"\b{pages}\s*/\s*{pages}\b", pdf_text(pdf))
