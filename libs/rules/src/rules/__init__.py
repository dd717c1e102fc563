"""Kravflyt shared rules."""
