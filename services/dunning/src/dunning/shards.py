"""``i/n``: shard i of n of the daily run (cases split by a hash of the claim id)."""

from __future__ import annotations

import re

from dunning.domain.errors import refuse

# Far more replicas than an office runs; the bound keeps n inside the database's integer.
MAX_SHARDS = 1024
_SHARD = re.compile(r"([0-9]{1,4})/([0-9]{1,4})")


def parse_shard(text: str) -> tuple[int, int]:
    """``"1/4"`` → (1, 4); refuses anything but 0 <= i < n <= MAX_SHARDS."""
    match = _SHARD.fullmatch(text)
    if match is None or not 0 <= int(match[1]) < int(match[2]) <= MAX_SHARDS:
        raise refuse("run.shard_invalid", f"write i/n with 0 <= i < n <= {MAX_SHARDS}")
    return int(match[1]), int(match[2])
