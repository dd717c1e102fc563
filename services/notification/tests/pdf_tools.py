"""Reading rendered letters as a person would: text (pdftotext), words with boxes, pixels.

Poppler's tools come from Debian (``apt-get install -y poppler-utils``); tests that need them
skip with that hint when they are missing.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

MM = 72 / 25.4  # points per millimetre


def require_poppler(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not found: apt-get install -y poppler-utils")


def pdf_text(pdf: bytes) -> str:
    """The text of the PDF with all whitespace (also non-breaking) collapsed to one space."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return re.sub(r"\s+", " ", out.stdout.decode("utf-8").replace("\u00a0", " ")).strip()


def pdf_lines(pdf: bytes) -> list[str]:
    """The lines of the PDF as laid out on the page (columns side by side), spaces collapsed."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    text = out.stdout.decode("utf-8").replace("\u00a0", " ")
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def pdf_words(pdf: bytes) -> list[Word]:
    """Every word of page 1 with its box in points from the top-left corner."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    )
    return [
        Word(html.unescape(m[5]), float(m[1]), float(m[2]), float(m[3]), float(m[4]))
        for m in pattern.finditer(out.stdout.decode("utf-8"))
    ]


@dataclass(frozen=True)
class Raster:
    """Page 1 as RGB pixels (PPM from pdftoppm)."""

    width: int
    height: int
    pixels: bytes
    dpi: int

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * 3
        return self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]

    def ink_share(self, x0_mm: float, y0_mm: float, x1_mm: float, y1_mm: float) -> float:
        """The share of pixels in the box (mm from top-left) that are not near-white."""
        scale = self.dpi / 25.4
        xs = range(int(x0_mm * scale), int(x1_mm * scale))
        ys = range(int(y0_mm * scale), int(y1_mm * scale))
        inked = sum(1 for y in ys for x in xs if min(self.pixel(x, y)) < 230)
        return inked / max(1, len(xs) * len(ys))


def raster(pdf: bytes, dpi: int = 50) -> Raster:
    out = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    data = out.stdout
    match = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
    assert match is not None, "pdftoppm did not return a PPM"
    width, height = int(match[1]), int(match[2])
    return Raster(width, height, data[match.end() :], dpi)


def save_png(pdf: bytes, path: Path, dpi: int = 110) -> Path:
    """Page 1 as PNG for a person to look at; returns the file."""
    prefix = path.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", "-", str(prefix)],
        input=pdf,
        check=True,
    )
    return prefix.with_suffix(".png")
