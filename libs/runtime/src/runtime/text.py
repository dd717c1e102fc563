"""Free text in a request body, held to ``rules.text``: a pydantic type for any service's API.

``CleanText`` is ``str`` in NFC without control characters (NUL included) or unassigned code
points, and not only invisible characters; give its length with ``Field(max_length=...)``. A
refused value is a 422 problem whose error names the field and carries the reason code
(``text.control_character`` with the code point, ``text.empty``, ...), as
``runtime.problems`` reports every validation error.
"""

from __future__ import annotations

import sys
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from rules.text import TextPolicy, TextProblem

__all__ = ["CleanText"]

_POLICY = TextPolicy()


def _clean(value: str) -> str:
    outcome = _POLICY.clean(value, field="", max_length=sys.maxsize, required=True)
    if isinstance(outcome, TextProblem):
        raise PydanticCustomError(outcome.code, outcome.message)
    return outcome


CleanText = Annotated[str, AfterValidator(_clean)]
