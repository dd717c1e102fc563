"""Payments' storage: tables, queries, and the bulk (COPY) paths of the booking engine."""
