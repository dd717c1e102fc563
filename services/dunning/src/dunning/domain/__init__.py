"""Dunning's pure domain: policies, the case flow, plans and explanations (stdlib + rules)."""
