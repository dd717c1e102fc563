"""Policy documents an administrator did not mean: a malformed one is refused with reasons
(``PolicyInvalid``), never another exception (hypothesis mutates the packaged policies)."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dunning.domain.errors import REASONS
from dunning.domain.policy import PolicyInvalid
from dunning.domain.validation import load_policy
from dunning.policy_store import PACKAGED, parse_document, read_document

DOCUMENTS = [read_document(p) for p in sorted(PACKAGED.glob("*.yaml"))]
TEXTS = [p.read_text(encoding="utf-8") for p in sorted(PACKAGED.glob("*.yaml"))]
REFERENCE = date(2026, 3, 20)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    """A packaged policy with a few values replaced by any JSON value, or removed."""
    document = copy.deepcopy(draw(st.sampled_from(DOCUMENTS)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(document)))
        if not path:
            document = draw(JSON)
            continue
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        if draw(st.booleans()):
            parent[path[-1]] = draw(JSON)
        elif isinstance(parent, dict):
            del parent[path[-1]]
    return document


def _loaded_or_refused(document: Any) -> None:
    try:
        load_policy(document, REFERENCE)
    except PolicyInvalid as refused:
        assert refused.violations
        assert all(v.code in REASONS for v in refused.violations)


@FUZZ
@given(mutated_documents())
def test_a_mutated_policy_document_is_loaded_or_refused_with_reasons(document):
    _loaded_or_refused(document)


@FUZZ
@given(st.sampled_from(TEXTS), st.integers(0, 4000), st.text(max_size=12))
def test_a_policy_file_with_text_spliced_in_is_loaded_or_refused_with_reasons(text, at, splice):
    spliced = text[:at] + splice + text[at:]

    try:
        document = parse_document(spliced)
    except PolicyInvalid as refused:
        assert [v.code for v in refused.violations] == ["policy.malformed"]
        return
    _loaded_or_refused(document)


@pytest.mark.parametrize(
    "text", ["", "- a list", "key: [unclosed", "\t:\n  - x", "!!python/object:os.system x"]
)
def test_a_policy_file_that_is_not_one_mapping_is_refused_as_malformed(text):
    with pytest.raises(PolicyInvalid) as refused:
        parse_document(text)

    assert refused.value.violations[0].code == "policy.malformed"


def test_the_packaged_policies_still_parse():
    assert all(
        isinstance(parse_document(Path(p).read_text()), dict) for p in PACKAGED.glob("*.yaml")
    )
