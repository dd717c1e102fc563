"""Kravflyt payments service."""
