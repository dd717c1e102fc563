"""Kravflyt shared runtime."""
