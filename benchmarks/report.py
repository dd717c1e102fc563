"""A compact results table: each figure beside the floor it is measured against."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Row:
    """One line of the table."""

    measure: str
    figure: str
    floor: str = ""
    ratio: str = ""


@dataclass
class Section:
    """One benchmark's rows and notes."""

    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, measure: str, figure: str, floor: str = "", ratio: str = "") -> None:
        self.rows.append(Row(measure, figure, floor, ratio))

    def note(self, text: str) -> None:
        self.notes.append(text)


def render(header: str, sections: list[Section]) -> str:
    """The table as text (one block for all sections, aligned columns)."""
    rows = [r for s in sections for r in s.rows]
    head = Row("measure", "figure", "floor (same run)", "ratio")
    widths = [
        max(len(getattr(r, name)) for r in [head, *rows])
        for name in ("measure", "figure", "floor", "ratio")
    ]

    def line(r: Row) -> str:
        cells = (r.measure, r.figure, r.floor, r.ratio)
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "-" * min(160, sum(widths) + 2 * (len(widths) - 1))
    out = [header, rule, line(head)]
    for s in sections:
        out += [rule, s.title]
        out += ["  " + line(r) for r in s.rows]
        out += [f"  · {n}" for n in s.notes]
    out.append(rule)
    return "\n".join(out)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (``p`` in 0–100)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def rate(value: float, unit: str = "claims/s") -> str:
    return f"{value:,.0f} {unit}"
