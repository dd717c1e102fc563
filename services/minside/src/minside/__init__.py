"""Kravflyt minside service."""
