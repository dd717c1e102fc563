"""``python -m benchmarks [name ...] [options]``: run benchmarks and print one compact table.

Without a name, runs ``intake_batch``, ``single_claim``, ``payments_import``,
``payments_balance``, ``minside``, ``dunning_run`` (1,000,000 cases) and
``notification_letters`` (about 10–12 minutes on 2 cores). ``profile_batch`` runs
only when named.
The payments and minside benchmarks bring their own embedded PostgreSQL and NATS (minside also
its OIDC provider); they need no intake.
Examples::

    python -m benchmarks
    python -m benchmarks payments_import --payments 100000
    python -m benchmarks payments_balance --requests 2000
    python -m benchmarks minside --sessions 50 --page-requests 40 --events 200
    python -m benchmarks minside_pay --sessions 50 --page-requests 40
    python -m benchmarks intake_batch --batches 20
    python -m benchmarks single_claim --rate 100 --duration 20
    python -m benchmarks profile_batch --profile-batches 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.report import Section, render
from benchmarks.stack import Machine, Stack, _cpu_model, step

PAYMENTS = ("payments_import", "payments_balance")
OWN_STACK = (*PAYMENTS, "minside", "minside_pay", "dunning_run", "notification_letters")
DEFAULT = ("intake_batch", "single_claim", *OWN_STACK)
ALL = (*DEFAULT, "profile_batch")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument(
        "names",
        nargs="*",
        metavar="name",
        help=f"benchmarks to run: {', '.join(ALL)} (default: {', '.join(DEFAULT)})",
    )
    p.add_argument(
        "--batches",
        type=int,
        default=20,
        help="intake_batch: batches of 1,000 per mode (default 20)",
    )
    p.add_argument(
        "--clients",
        default="1,2",
        help="intake_batch: concurrent clients per mode, comma-separated (default 1,2)",
    )
    p.add_argument(
        "--rate", type=float, default=100.0, help="single_claim: requests per second (default 100)"
    )
    p.add_argument(
        "--duration", type=float, default=20.0, help="single_claim: seconds per phase (default 20)"
    )
    p.add_argument(
        "--no-idempotency-key",
        action="store_true",
        help="send requests without an Idempotency-Key header",
    )
    p.add_argument(
        "--profile-server",
        type=Path,
        metavar="OUT.prof",
        help="run the intake server under cProfile (slows it!) and write stats here",
    )
    p.add_argument(
        "--profile-batches",
        type=int,
        default=3,
        help="profile_batch: batches of 1,000 to profile (default 3)",
    )
    p.add_argument(
        "--profile-out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "kravflyt-intake-batch.prof",
        help="profile_batch: where to save the raw stats",
    )
    p.add_argument(
        "--split-relay",
        action="store_true",
        help="run the outbox relay in a second intake process (--role worker) and the API "
        "with --role api and the relay off (default: one process does both)",
    )
    p.add_argument(
        "--payments",
        type=int,
        default=100_000,
        help="payments_import: payments in the OCR file (default 100000)",
    )
    p.add_argument(
        "--requests",
        type=int,
        default=2_000,
        help="payments_balance: measured requests per endpoint (default 2000)",
    )
    p.add_argument(
        "--sessions",
        type=int,
        default=50,
        help="minside: concurrent logged-in sessions, one citizen each (default 50)",
    )
    p.add_argument(
        "--page-requests",
        type=int,
        default=40,
        help="minside: measured overview requests per session (default 40)",
    )
    p.add_argument(
        "--events",
        type=int,
        default=200,
        help="minside: balance events for the freshness measure (default 200)",
    )
    p.add_argument(
        "--cases", type=int, default=1_000_000, help="dunning_run: open cases (default 1,000,000)"
    )
    p.add_argument(
        "--letters", type=int, default=10_000, help="notification_letters: letters (default 10,000)"
    )
    p.add_argument(
        "--keep-dir",
        action="store_true",
        help="keep the temporary directory (PostgreSQL data, logs) for inspection",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = list(dict.fromkeys(args.names)) or list(DEFAULT)
    for name in names:
        if name not in ALL:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(ALL)}")
    clients = tuple(int(c) for c in args.clients.split(",") if c.strip())
    if args.batches < 1 or not clients or min(clients) < 1 or args.rate <= 0 or args.duration <= 0:
        raise SystemExit("--batches, --clients, --rate and --duration must be positive")
    if args.payments < 1 or args.requests < 1:
        raise SystemExit("--payments and --requests must be positive")
    if args.sessions < 1 or args.page_requests < 1 or args.events < 1:
        raise SystemExit("--sessions, --page-requests and --events must be positive")
    keys = not args.no_idempotency_key
    started = time.monotonic()
    sections: list[Section] = []
    machine = ""
    profile_text = ""
    registered = 0
    load = os.getloadavg()[0]
    info: dict[str, str] = {}
    try:
        served = [n for n in names if n not in ("profile_batch", *OWN_STACK)]
        if served:
            with Stack(
                profile_to=args.profile_server, keep_dir=args.keep_dir, split_relay=args.split_relay
            ) as stack:
                machine = stack.machine.describe()
                for name in served:
                    if name == "intake_batch":
                        from benchmarks import intake_batch

                        sections.append(
                            asyncio.run(
                                intake_batch.run(
                                    stack,
                                    batches=args.batches,
                                    clients=clients,
                                    idempotency_keys=keys,
                                )
                            )
                        )
                    elif name == "single_claim":
                        from benchmarks import single_claim

                        sections.append(
                            asyncio.run(
                                single_claim.run(
                                    stack,
                                    rate=args.rate,
                                    duration=args.duration,
                                    idempotency_keys=keys,
                                )
                            )
                        )
                    if not stack.server_alive():
                        raise RuntimeError(f"intake died:\n{stack.server_log_tail()}")
                registered = asyncio.run(_claims_in_database(stack))
            if args.profile_server:
                from benchmarks.profile_batch import summarize

                step(f"server profile written to {args.profile_server}")
                profile_text = (
                    "== intake server process under cProfile (main thread)\n"
                    + summarize(args.profile_server, registered, "µs/claim")
                )
        for name in (n for n in names if n in OWN_STACK):
            if name == "minside_pay":
                from benchmarks import minside_pay

                sections.append(asyncio.run(minside_pay.run(args.sessions, args.page_requests)))
            elif name == "minside":
                from benchmarks import minside

                sections.append(
                    asyncio.run(minside.run(args.sessions, args.page_requests, args.events, info))
                )
            elif name == "dunning_run":
                from benchmarks import services

                sections.append(services.dunning_run(args.cases))
            elif name == "notification_letters":
                from benchmarks import services

                sections.append(services.notification_letters(args.letters))
            elif name == "payments_import":
                from benchmarks import payments_import

                sections.append(asyncio.run(payments_import.run(args.payments, info)))
            else:
                from benchmarks import payments_balance

                sections.append(asyncio.run(payments_balance.run(args.requests, info)))
        if "profile_batch" in names:
            from benchmarks import profile_batch

            with Stack(serve=False, keep_dir=args.keep_dir) as stack:
                machine = machine or stack.machine.describe()
                profile_text += asyncio.run(
                    profile_batch.run(stack, batches=args.profile_batches, out=args.profile_out)
                )
    except KeyboardInterrupt:
        print("\ninterrupted; everything started was stopped", file=sys.stderr)
        return 130
    elapsed = time.monotonic() - started
    if not machine:
        machine = Machine(
            cores=os.cpu_count() or 0,
            cpu=_cpu_model(),
            python=platform.python_version(),
            postgres=info.get("postgres", "?"),
            load=load,
        ).describe()
    header = (
        f"Kravflyt benchmarks — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {elapsed:.0f} s\n"
        f"machine: {machine}"
    )
    if args.profile_server:
        header += "\nNOTE: the server ran under cProfile; its figures are not representative."
    if args.split_relay:
        header += "\nintake: API process (--role api, relay off) + relay process (--role worker)"
    if sections:
        print(render(header, sections))
    if profile_text:
        if not sections:
            print(header)
        print(profile_text)
    return 0


async def _claims_in_database(stack: Stack) -> int:
    conn = await stack.connect()
    try:
        return int(await conn.fetchval("SELECT count(*) FROM claim"))
    finally:
        await conn.close()


if __name__ == "__main__":
    sys.exit(main())
