"""Notification's use cases; the HTTP API, the subscriber and the sweeper all end here."""
