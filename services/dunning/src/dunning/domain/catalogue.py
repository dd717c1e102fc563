"""Which policy governs a claim, and which version a running case follows."""

from __future__ import annotations

from collections.abc import Iterable

from dunning.domain.errors import refuse
from dunning.domain.facts import TakenStep
from dunning.domain.policy import Policy


class Catalogue:
    """Every known version of every policy (packaged files and those loaded through the API)."""

    def __init__(self, policies: Iterable[Policy]) -> None:
        self._versions: dict[str, dict[int, Policy]] = {}
        for policy in policies:
            self._versions.setdefault(policy.id, {})[policy.version] = policy

    def get(self, policy_id: str, version: int) -> Policy:
        """One version; ``policy.not_found`` if unknown."""
        try:
            return self._versions[policy_id][version]
        except KeyError:
            raise refuse("policy.not_found", f"{policy_id} v{version}") from None

    def latest(self, policy_id: str) -> Policy:
        """The newest version of ``policy_id``."""
        versions = self._versions.get(policy_id)
        if not versions:
            raise refuse("policy.not_found", policy_id)
        return versions[max(versions)]

    def all_latest(self) -> list[Policy]:
        """The newest version of every policy, by id."""
        return [self.latest(policy_id) for policy_id in sorted(self._versions)]

    def versions(self, policy_id: str) -> list[Policy]:
        return [v for _, v in sorted(self._versions.get(policy_id, {}).items())]

    def select(self, claim_type: str, municipality: str) -> Policy | None:
        """The most specific policy for a new case: a municipality's own before the office's."""
        candidates = [p for p in self.all_latest() if p.applies_to(claim_type, municipality)]
        if not candidates:
            return None
        return min(candidates, key=lambda p: (p.municipalities is None, len(p.claim_types), p.id))

    def effective(self, policy_id: str, version: int, history: tuple[TakenStep, ...]) -> Policy:
        """The version a running case follows from its next step.

        A newer version applies to running cases only if it says ``applies_to_running`` and
        still knows the last step the case took (steps are matched by key).
        """
        current = self.get(policy_id, version)
        newest = self.latest(policy_id)
        if newest.version <= version or not newest.applies_to_running:
            return current
        if history and history[-1].key not in newest.step_keys():
            return current
        return newest
