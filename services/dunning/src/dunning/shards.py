"""``i/n``: shard i of n of the daily run (cases split by a hash of the claim id)."""

from __future__ import annotations

from dunning.domain.errors import refuse


def parse_shard(text: str) -> tuple[int, int]:
    """``"1/4"`` → (1, 4); refuses anything but 0 <= i < n."""
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit()) or not 0 <= int(index) < int(count):
        raise refuse("run.shard_invalid")
    return int(index), int(count)
