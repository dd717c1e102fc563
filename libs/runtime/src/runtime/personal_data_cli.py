"""``kravflyt personal-data status|reseal SERVICE``: the database half of a sealing-key rotation.

Only key ids and counts are printed; a key id read from the database is masked like any text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from runtime.settings import ServiceSettings, load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from runtime.personal_data import PersonalDataKeys
    from runtime.resealing import ColumnReport, ColumnStatus, SealedColumn
    from runtime.service import ServiceDefinition

T = TypeVar("T")

personal_data_app = typer.Typer(
    help="Sealed identity numbers: which keys seal them, and re-sealing after a key rotation.",
    no_args_is_help=True,
)


def _definition(name: str) -> ServiceDefinition:
    from runtime.service import load_service, service_names

    if name not in service_names():
        raise typer.BadParameter(
            f"unknown service {name!r}; installed: {', '.join(service_names())}"
        )
    return load_service(name)


def _columns(service: str) -> tuple[tuple[SealedColumn, ...], ServiceSettings]:
    definition = _definition(service)
    settings = load_settings(definition.settings_class, service)
    if not definition.sealed_columns:
        typer.echo(f"{service}: stores no sealed values")
        raise typer.Exit(0)
    return definition.sealed_columns, settings


def _keys(settings: ServiceSettings) -> PersonalDataKeys:
    from runtime.personal_data import PersonalDataKeys

    try:
        return PersonalDataKeys.from_strings(
            settings.pseudonym_key, settings.sealing_keys, settings.sealing_active_key_id
        )
    except ValueError as error:
        typer.echo(f"{settings.service}: no usable personal-data keys here: {error}", err=True)
        raise typer.Exit(2) from None


def _run(database_url: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    from runtime.db import create_engine

    async def main() -> T:
        engine = create_engine(database_url, pool_size=1)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _counts(status: ColumnStatus, keys: PersonalDataKeys | None) -> str:
    from runtime.personal_data import mask_identity_numbers

    by_key = {**dict.fromkeys(keys.sealing_keys if keys else (), 0), **status.by_key}
    active = keys.active_key_id if keys else None
    order = sorted(by_key, key=lambda kid: (kid != active, kid.startswith("("), kid))
    shown = [f"{kid}={by_key[kid]}" + (" (active)" if kid == active else "") for kid in order]
    return mask_identity_numbers("  ".join(shown))


def _summary(service: str, statuses: list[ColumnStatus], keys: PersonalDataKeys) -> str:
    from runtime.personal_data import mask_identity_numbers
    from runtime.resealing import EMPTY

    active = keys.active_key_id
    other: dict[str, int] = {}
    for status in statuses:
        for kid, n in status.by_key.items():
            if kid not in (EMPTY, active):
                other[kid] = other.get(kid, 0) + n
    unused = sorted(set(keys.sealing_keys) - set(other) - {active})
    if other:
        listed = ", ".join(f"{kid}={n}" for kid, n in sorted(other.items()))
        return mask_identity_numbers(
            f"{service}: {sum(other.values())} values not sealed with {active} ({listed})"
        )
    tail = f"; not used here: {', '.join(unused)}" if unused else ""
    return f"{service}: every value is sealed with {active}{tail}"


@personal_data_app.command("status")
def status_command(service: str) -> None:
    """Count a service's sealed values per key id (an old key can go when none remain anywhere)."""
    from runtime.resealing import sealed_status

    columns, settings = _columns(service)
    keys = _keys(settings) if settings.sealing_keys and settings.pseudonym_key else None
    statuses = _run(settings.database_url, lambda e: sealed_status(e, columns))
    if keys is None:
        typer.echo(f"{service}: no sealing keys configured here; counts by key id only")
    else:
        typer.echo(
            f"{service}: active key {keys.active_key_id}; configured {', '.join(keys.sealing_keys)}"
        )
    for status in statuses:
        typer.echo(f"{service} {status.column.label}: {_counts(status, keys)}")
    if keys is not None:
        typer.echo(_summary(service, statuses, keys))


def _echo_progress(service: str) -> Callable[[SealedColumn, int, int], None]:
    def progress(column: SealedColumn, done: int, total: int) -> None:
        typer.echo(f"{service} {column.label}: {done}/{total}")

    return progress


def _echo_report(service: str, report: ColumnReport, active: str) -> None:
    typer.echo(
        f"{service} {report.column.label}: {report.resealed}/{report.total} re-sealed with "
        f"{active}, {report.failed} could not be opened, {report.remaining} not under {active}"
    )


@personal_data_app.command("reseal")
def reseal_command(
    service: str,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per transaction")] = 500,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count; change nothing")] = False,
) -> None:
    """Seal every stored value again with the active key; safe to run while the service runs."""
    from runtime.resealing import plan_reseal, reseal

    columns, settings = _columns(service)
    keys = _keys(settings)
    active = keys.active_key_id
    if dry_run:
        for plan in _run(settings.database_url, lambda e: plan_reseal(e, columns, keys)):
            typer.echo(
                f"{service} {plan.column.label}: would re-seal {plan.pending} with "
                f"{active}; {plan.unopenable} no configured key opens"
            )
        typer.echo(f"{service}: dry run, nothing changed")
        return
    reports = _run(
        settings.database_url,
        lambda e: reseal(e, columns, keys, batch_size=batch_size, progress=_echo_progress(service)),
    )
    for report in reports:
        _echo_report(service, report, active)
    left = sum(r.remaining for r in reports)
    if left:
        typer.echo(
            f"{service}: {left} values are still not sealed with {active}; see "
            f"`kravflyt personal-data status {service}`",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"{service}: every value is sealed with {active}")
