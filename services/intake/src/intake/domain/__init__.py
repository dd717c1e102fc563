"""Intake's pure domain: claim validation and adjustments (stdlib and rules only)."""
