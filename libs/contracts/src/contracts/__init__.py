"""Kravflyt shared contracts."""
