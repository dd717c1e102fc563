"""Relay windows keep each message key's events in order."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from runtime.outbox import _windows


@given(st.lists(st.sampled_from("abcde"), max_size=60), st.integers(min_value=1, max_value=8))
def test_windows_never_repeat_a_key_and_keep_the_original_order(keys, size):
    rows = [SimpleNamespace(id=i, message_key=k) for i, k in enumerate(keys)]

    windows = list(_windows(rows, size))

    assert [r.id for w in windows for r in w] == list(range(len(rows)))
    assert all(len(w) <= size and len({r.message_key for r in w}) == len(w) for w in windows)
