"""Dunning's use cases, one module per area; HTTP, events and commands all end here."""
