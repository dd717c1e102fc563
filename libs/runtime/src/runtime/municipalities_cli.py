"""``kravflyt municipalities list|show|merge|leave``: the register of municipalities.

The register is the packaged one (SSB's classification) plus the office's file, the shared
``municipalities_file`` setting. A merger decided after this release, and a municipality
leaving the office, are written to that file by ``merge`` and ``leave``: a dry run by default,
``--apply`` appends the entries under a comment naming who and why, so the file (kept in
version control) is the record. Services read the register at start: restart them after.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from rules.calendar import oslo_today
from rules.errors import RuleError
from rules.municipalities import (
    Municipality,
    Register,
    dump_departure,
    dump_municipalities,
    merger,
    register_from,
)
from runtime.settings import ServiceSettings, load_settings

municipalities_app = typer.Typer(
    help="The register of municipalities: numbers, names, mergers and successors.",
    no_args_is_help=True,
)

DayOption = Annotated[
    datetime | None, typer.Option("--on", formats=["%Y-%m-%d"], help="The day (default today)")
]


def _office_file() -> str:
    return load_settings(ServiceSettings, "").municipalities_file


def _register() -> Register:
    path = _office_file()
    try:
        # The office's file is made by its first merger.
        return register_from(path if path and Path(path).exists() else "")
    except RuleError as error:
        raise typer.BadParameter(error.message) from None


def _day(on: datetime | None) -> date:
    return on.date() if on is not None else oslo_today(datetime.now(UTC))


def _line(m: Municipality) -> str:
    period = f"{m.valid_from or ''!s:>10} – {m.valid_to or ''!s:<10}"
    successors = f"→ {', '.join(m.successors)}" if m.successors else ""
    return f"{m.number}  {m.name:<24} {period}  {m.orgnr or '':<9}  {successors}".rstrip()


@municipalities_app.command("list")
def list_municipalities(
    on: DayOption = None,
    in_force: Annotated[bool, typer.Option(help="Only those in force on the day")] = False,
) -> None:
    """Every municipality of the register with its period and successors."""
    register, day = _register(), _day(on)
    typer.echo("number  name  valid from – to (exclusive)  orgnr  → successors")
    for municipality in register:
        if not in_force or municipality.in_force(day):
            typer.echo(_line(municipality))


@municipalities_app.command("show")
def show(number: str, on: DayOption = None) -> None:
    """One municipality: names, period, who collects its claims, and whose claims it collects."""
    register, day = _register(), _day(on)
    try:
        municipality = register.get(number)
        serving = register.serving(number, day)
    except RuleError as error:
        raise typer.BadParameter(error.message) from None
    typer.echo(_line(municipality))
    for language, name in (municipality.names or {}).items():
        typer.echo(f"  name ({language}): {name}")
    typer.echo(f"  claims collected on {day} by: {', '.join(serving)}")
    for c in register.collected_by(number)[1:]:
        until = "" if c.end == date.max else f" until {c.end}"
        typer.echo(f"  collects the claims of {c.number} from {c.start}{until}")


@municipalities_app.command("merge")
def merge(
    merged: Annotated[list[str], typer.Argument(help="The municipalities merging")],
    into: Annotated[str, typer.Option(help="The successor: existing or new number")],
    on: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="The day it takes effect")],
    by: Annotated[str, typer.Option(help="Who decides (recorded in the file)")],
    reason: Annotated[str, typer.Option(help="Why, e.g. the Storting's decision")],
    name: Annotated[str | None, typer.Option(help="The name of a new municipality")] = None,
    apply: Annotated[bool, typer.Option(help="Write the office's file (default: dry run)")] = False,
) -> None:
    """Record a merger taking effect on a day: claims of the merged go to the successor."""
    register, day = _register(), on.date()
    try:
        changes = merger(register, merged, into, day, name)
    except RuleError as error:
        raise typer.BadParameter(error.message) from None
    for number in merged:
        old = register.get(number)
        typer.echo(f"From {day} the claims of {number} {old.name} are collected by {into}.")
    entries = dump_municipalities(changes)
    if not apply:
        typer.echo(f"Dry run; --apply appends to the office's register file:\n\n{entries}")
        return
    record = " ".join(f"{datetime.now(UTC):%Y-%m-%dT%H:%MZ} merge by {by}: {reason}".split())
    _append(_office_file(), f"\n# {record}\n{entries}")
    typer.echo(f"Written to {_office_file()}; restart the services to use it.")
    for number in merged:
        typer.echo(f"From {day}: kravflyt dunning map-policies {number} --into {into} --reason …")


@municipalities_app.command("leave")
def leave(
    number: Annotated[str, typer.Argument(help="The municipality leaving the office")],
    on: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="The day it leaves")],
    by: Annotated[str, typer.Option(help="Who decides (recorded in the file)")],
    reason: Annotated[str, typer.Option(help="Why, e.g. the agreement's end")],
    apply: Annotated[bool, typer.Option(help="Write the office's file (default: dry run)")] = False,
) -> None:
    """Record a municipality leaving the office: from the day no new claim, no step of a case."""
    register, day = _register(), on.date()
    try:
        municipality = register.get(number)
    except RuleError as error:
        raise typer.BadParameter(error.message) from None
    if not municipality.in_force(day):
        raise typer.BadParameter(f"{number} is not in force on {day}.")
    typer.echo(f"From {day} {number} {municipality.name} gets no new claims and its cases stop.")
    entry = dump_departure(number, day)
    if not apply:
        typer.echo(f"Dry run; --apply appends to the office's register file:\n\n{entry}")
        return
    record = " ".join(f"{datetime.now(UTC):%Y-%m-%dT%H:%MZ} leave by {by}: {reason}".split())
    _append(_office_file(), f"\n# {record}\n{entry}")
    typer.echo(f"Written to {_office_file()}; restart the services to use it.")


def _append(path: str, text: str) -> None:
    if not path:
        raise typer.BadParameter("Set KRAVFLYT_MUNICIPALITIES_FILE to the office's register file.")
    with Path(path).open("a", encoding="utf-8") as file:
        file.write(text)
