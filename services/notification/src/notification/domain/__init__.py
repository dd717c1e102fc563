"""Notification's domain: notices, the legal content check, channel choice. Pure."""
