"""Pytest plugin: session-scoped real PostgreSQL and NATS servers for the whole suite."""
