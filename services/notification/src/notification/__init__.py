"""Kravflyt notification service."""
