"""Payments' use cases; the HTTP API, the bus subscribers and the commands all end here.

Each handler runs inside the caller's unit of work: state change, postings and outbox rows
commit together or not at all.
"""
