"""How a registered claim's status follows the ledger (payments) and the case (dunning).

The municipality's own endings (credited, cancelled, written off by an adjustment) are final
here: nothing the ledger or dunning says afterwards moves them. Otherwise the ledger decides
whether the claim is paid (and open again after a refund), and a case closed by dunning ends
an open claim as the case's reason says.
"""

from __future__ import annotations

OWN_ENDINGS = frozenset({"credited", "cancelled", "written_off"})
# A closed case's reason → the claim's status. "cancelled" and "credited" are intake's own
# adjustments coming back: the register has them already.
CASE_ENDINGS = {
    "settled": "paid",
    "written_off": "written_off",
    "handed_over": "handed_over",
    "stopped": "closed",
}


def after_balance(status: str, settled: bool) -> str | None:
    """The status once the ledger says the claim is (or no longer is) settled; None: as is."""
    if status in OWN_ENDINGS:
        return None
    if settled:
        return None if status == "paid" else "paid"
    return "open" if status == "paid" else None


def after_case_closed(status: str, reason: str) -> str | None:
    """The status once dunning closed the claim's case for ``reason``; None: as is."""
    if status != "open":
        return None
    return CASE_ENDINGS.get(reason)
