"""Letters to PDF with typst: A4, embedded fonts, searchable text, tagged PDF/UA-1 and PDF/A-2a.

One typst compiler per worker thread: typst caches fonts and layout between letters. It
releases the GIL while compiling, so the event loop keeps serving while a letter renders, but
the typst package serialises compilations within a process: more threads do not render more
letters (more processes or replicas do).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import typst

from notification.domain.notice import Notice
from notification.letters.catalogue import PACKAGE_TEMPLATES, Catalogue
from notification.letters.compose import compose_letter
from rules.letter_fonts import FAMILIES, font_directories

LAYOUT = PACKAGE_TEMPLATES / "letter.typ"
# Tagged (accessible) and archivable; typst refuses to write a file that breaks either.
PDF_STANDARDS: list[Any] = ["a-2a", "ua-1"]
_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")
# Whatever intake accepts, these fonts print (rules.letter_fonts decides both).
_FONTS = json.dumps(FAMILIES)


class RenderError(RuntimeError):
    """typst refused the letter; the message is typst's diagnostic (no personal data)."""


@dataclass(frozen=True)
class RenderedLetter:
    """A PDF letter with what is stored beside it."""

    pdf: bytes = field(repr=False)
    title: str
    pages: int
    sha256: str


class Renderer:
    """Composes and renders letters; ``render`` runs typst on a worker thread."""

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        workers: int = 1,
        layout: Path = LAYOUT,
    ) -> None:
        self.catalogue = catalogue or Catalogue()
        self._layout = layout
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="typst")

    def creditor(self, notice: Notice) -> str | None:
        """The creditor's name on the day the notice is sent; None for one the office lacks."""
        return self.catalogue.creditor_profile(notice).name

    def complete(self, notice: Notice) -> Notice:
        """The notice with the creditor's account number where it carries none."""
        if notice.account_number:
            return notice
        account = self.catalogue.creditor_profile(notice).account_number or None
        return replace(notice, account_number=account)

    def letter_data(self, notice: Notice) -> dict[str, Any]:
        """The data the layout prints for ``notice``."""
        profile = self.catalogue.creditor_profile(notice)
        texts = self.catalogue.texts(profile.kommunenummer, notice.language, notice.step_kind)
        return compose_letter(notice, profile, texts)

    def render_sync(self, notice: Notice) -> RenderedLetter:
        """Render on the calling thread."""
        data = self.letter_data(notice)
        logo = self.catalogue.creditor_profile(notice).logo_svg
        created = datetime.combine(notice.sent_date, time(12), tzinfo=UTC)
        try:
            pdf = self._compiler().compile(
                sys_inputs={
                    "data": json.dumps(data, ensure_ascii=False),
                    "logo": logo,
                    "fonts": _FONTS,
                },
                pdf_standards=PDF_STANDARDS,
                timestamp=created,
            )
        except typst.TypstError as error:
            raise RenderError(error.message) from None
        assert isinstance(pdf, bytes)
        pages = len(_PAGE.findall(pdf))
        return RenderedLetter(pdf, data["title"], pages, hashlib.sha256(pdf).hexdigest())

    async def render(self, notice: Notice) -> RenderedLetter:
        """Render on the renderer's thread pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.render_sync, notice)

    def close(self) -> None:
        """Stop the worker threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _compiler(self) -> typst.Compiler:
        compiler = getattr(self._local, "compiler", None)
        if compiler is None:
            compiler = typst.Compiler(
                self._layout,
                root=self._layout.parent,
                font_paths=font_directories(),
                ignore_system_fonts=True,
            )
            self._local.compiler = compiler
        return compiler
