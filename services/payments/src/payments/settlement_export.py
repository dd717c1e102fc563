"""A settlement as the municipality's ERP takes it: a JSON document and a CSV file."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from uuid import UUID

from payments.domain.settlement import Remittance

CSV_COLUMNS = (
    "claim_id",
    "invoice_number",
    "principal_ore",
    "interest_ore",
    "remitted_ore",
    "fees_kept_ore",
)


def settlement_document(
    settlement_id: UUID, result: Remittance, created_at: datetime
) -> dict[str, Any]:
    """The JSON document of a settlement: totals and one line per claim, amounts in øre."""
    return {
        "settlement_id": str(settlement_id),
        "municipality": result.municipality,
        "period_start": result.period_start.isoformat(),
        "period_end": result.period_end.isoformat(),
        "currency": "NOK",
        "amounts_in": "øre",
        "principal_ore": result.principal_ore,
        "interest_ore": result.interest_ore,
        "remitted_ore": result.remitted_ore,
        "fees_kept_ore": result.fees_kept_ore,
        "claims_count": len(result.lines),
        "created_at": created_at.isoformat(),
        "lines": [
            {
                "claim_id": str(line.claim_id),
                "invoice_number": line.invoice_number,
                "principal_ore": line.principal_ore,
                "interest_ore": line.interest_ore,
                "remitted_ore": line.principal_ore + line.interest_ore,
                "fees_kept_ore": line.fees_kept_ore,
            }
            for line in result.lines
        ],
    }


def settlement_csv(document: dict[str, Any]) -> str:
    """The lines of a settlement document as CSV (semicolon-separated, as Norwegian ERPs read)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, delimiter=";", lineterminator="\n")
    writer.writeheader()
    for line in document["lines"]:
        writer.writerow({column: line[column] for column in CSV_COLUMNS})
    return out.getvalue()
