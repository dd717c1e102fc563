"""Kravflyt's benchmarks (``make bench`` = ``python -m benchmarks``).

Each figure is printed beside the floor it is measured against, from the same run, with the
machine it ran on. Modules:

- ``intake_batch``: HTTP batch intake throughput vs. a raw COPY of the same rows, and the
  outbox relay's drain time;
- ``single_claim``: single-claim POST latency at a steady rate vs. ``/health/live``;
- ``profile_batch`` (not in the default run): cProfile of the batch path and the relay.

Everything runs on an embedded PostgreSQL and NATS in a temporary directory, loopback only.
"""
