"""``kravflyt payments …``: import a file, settle a month, reconcile, check plans."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import typer

from payments.bootstrap import office_from
from payments.config import PaymentsSettings
from payments.files import FileRejected, detect_format
from payments.handlers.common import Office
from payments.handlers.imports import import_payment_file
from payments.handlers.plans import check_plans
from payments.handlers.reconcile import Reconciliation, reconcile
from payments.handlers.settlements import settle
from payments.settlement_export import settlement_csv
from rules.calendar import oslo_today
from runtime.db import UnitOfWork, create_engine, utc_now
from runtime.settings import load_settings

commands = typer.Typer(help="Payments: the sub-ledger.", no_args_is_help=True)
T = TypeVar("T")
OPERATOR = "operator"


def _in_transaction(work: Callable[[UnitOfWork, Office], Awaitable[T]]) -> T:
    """Run ``work`` in one committed unit of work against payments' database."""
    settings = load_settings(PaymentsSettings, "payments")

    async def run() -> T:
        engine = create_engine(settings.database_url, pool_size=1)
        try:
            async with UnitOfWork(engine, source=settings.service) as uow:
                result = await work(uow, office_from(settings))
                await uow.commit()
            return result
        finally:
            await engine.dispose()

    return asyncio.run(run())


@commands.command("import")
def import_command(path: Path) -> None:
    """Import an OCR giro or camt.054 file; the same file again books nothing."""
    with path.open("rb") as stream:
        file_format = detect_format(stream.read(64))
    if file_format is None:
        raise typer.BadParameter("neither OCR giro nor camt.054", param_hint="FILE")
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()

    async def work(uow: UnitOfWork, office: Office) -> dict[str, Any]:
        with path.open("rb") as stream:
            return await import_payment_file(
                uow, stream, sha256=sha256, file_format=file_format,
                imported_by=OPERATOR, office=office,
            )  # fmt: skip

    try:
        result = _in_transaction(work)
    except FileRejected as rejected:
        typer.echo(f"payments: file rejected, nothing booked: {rejected}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(result, indent=2))


@commands.command("settle")
def settle_command(
    municipality: str = typer.Option(..., help="Kommunenummer, e.g. 3301"),
    period: str = typer.Option(..., help="The month, YYYY-MM"),
    out: Path = typer.Option(Path("."), help="Directory for the CSV and JSON files"),  # noqa: B008
) -> None:
    """Settle a municipality's month and write its remittance as CSV and JSON."""

    async def work(uow: UnitOfWork, office: Office) -> dict[str, Any]:
        return await settle(uow, municipality, period, created_by=OPERATOR, office=office)

    document = _in_transaction(work)
    stem = out / f"settlement-{municipality}-{period}"
    stem.with_suffix(".json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    stem.with_suffix(".csv").write_text(settlement_csv(document), encoding="utf-8")
    typer.echo(
        f"payments: {municipality} {period}: {document['remitted_ore']} øre remitted for"
        f" {document['claims_count']} claims; {stem}.json and .csv written"
    )


@commands.command("reconcile")
def reconcile_command() -> None:
    """Prove every account equals its postings and all money in is accounted for."""

    async def work(uow: UnitOfWork, _: Office) -> Reconciliation:
        return await reconcile(uow.conn)

    outcome = _in_transaction(work)
    if outcome.discrepancies:
        typer.echo(f"payments: the ledger does not reconcile: {outcome.discrepancies[0]}", err=True)
        for more in outcome.discrepancies[1:]:
            typer.echo(f"  also: {more}", err=True)
        raise typer.Exit(1)
    t = outcome.totals
    typer.echo(
        f"payments: the ledger reconciles: {outcome.accounts} accounts, {outcome.postings}"
        f" postings; {t.received_ore - t.reversed_ore} øre in = {t.allocated_ore} allocated"
        f" + {t.unmatched_ore} unmatched + {t.credits_ore} credits + {t.refunded_ore} refunded"
    )


@commands.command("check-plans")
def check_plans_command(
    on: str = typer.Option("", "--date", help="The day to check, YYYY-MM-DD (default today)"),
) -> None:
    """Report every instalment missed by the day (once each)."""
    today = date.fromisoformat(on) if on else oslo_today(utc_now())

    async def work(uow: UnitOfWork, _: Office) -> list[dict[str, Any]]:
        return await check_plans(uow, today)

    missed = _in_transaction(work)
    typer.echo(f"payments: {len(missed)} missed instalments reported for {today.isoformat()}")


@commands.command("follow-vipps")
def follow_vipps_command(
    hours: int = typer.Option(24, help="Payments started this many hours back"),
) -> None:
    """Ask Vipps about open Vipps payments; capture and book what Vipps confirms."""
    from payments.api.vipps import follow_open
    from payments.bootstrap import build

    settings = load_settings(PaymentsSettings, "payments")

    async def run() -> list[dict[str, Any]]:
        container = build(settings)
        try:
            return await follow_open(container, timedelta(hours=hours))
        finally:
            await container.vipps.close()
            await container.runtime.engine.dispose()

    typer.echo(json.dumps(asyncio.run(run()), indent=2))
