"""KIDs the office issues: a fixed prefix, a zero-padded serial number and a check digit."""

from __future__ import annotations

from payments.domain.errors import PaymentsError
from rules.kid import KidAlgorithm, make_kid


def issue_kid(serial: int, *, prefix: str, length: int, algorithm: KidAlgorithm) -> str | None:
    """The KID of serial number ``serial``, always ``length`` characters long.

    None for a MOD11 KID whose check would be ``-``: valid, but many banks' forms take digits
    only, so that serial is skipped.
    """
    width = length - 1 - len(prefix)
    if serial < 0 or serial >= 10**width:
        raise PaymentsError("kid.serial_exhausted")
    kid = make_kid(f"{prefix}{serial:0{width}d}", algorithm)
    return None if kid.endswith("-") else kid
