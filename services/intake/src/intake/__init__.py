"""Kravflyt intake service."""
