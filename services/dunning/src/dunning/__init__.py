"""Kravflyt dunning service."""
