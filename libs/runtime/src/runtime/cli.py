"""The ``kravflyt`` command: serve, migrate, local tokens, and the local stack (``run``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from runtime.municipalities_cli import municipalities_app
from runtime.personal_data_cli import personal_data_app
from runtime.settings import load_settings

app = typer.Typer(help="Kravflyt: in-house collection of municipal claims.", no_args_is_help=True)

LOCAL_DIR_ENV = "KRAVFLYT_LOCAL_DIR"
DEFAULT_SCOPES = ["kravflyt:claims.write", "kravflyt:claims.read"]
DEMO_MUNICIPALITIES = ["3301", "3303", "3312"]
DEMO_STAFF_ROLES = ["caseworker", "payments"]


def local_dir() -> Path:
    """Where ``make run`` keeps its data, keys and logs (``.kravflyt/`` in the repository)."""
    return Path(os.environ.get(LOCAL_DIR_ENV, ".kravflyt")).resolve()


def _service(name: str):  # type: ignore[no-untyped-def]
    from runtime.service import load_service, service_names

    if name not in service_names():
        installed = ", ".join(service_names())
        raise typer.BadParameter(f"unknown service {name!r}; installed: {installed}")
    return load_service(name)


@app.command()
def serve(
    service: str,
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port")] = None,
    role: Annotated[
        str | None, typer.Option(help="all (default), api (no subscribers) or worker (no API)")
    ] = None,
) -> None:
    """Run one service: HTTP API, event subscribers and outbox relay in one process."""
    import uvicorn

    definition = _service(service)
    settings = load_settings(definition.settings_class, service)
    if role is not None:
        settings = settings.model_copy(update={"role": role})
    if host is not None:  # the operations port (metrics_port) binds where the API does
        settings = settings.model_copy(update={"http_host": host})
    application = definition.create_app(settings)
    uvicorn.run(
        application,
        host=host or settings.http_host,
        port=port or settings.http_port or definition.default_port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


@app.command()
def migrate(service: str) -> None:
    """Apply a service's database migrations (Helm runs this as a pre-install hook Job)."""
    from runtime.migrations import upgrade

    definition = _service(service)
    settings = load_settings(definition.settings_class, service)
    upgrade(definition.migrations, settings.database_url)
    typer.echo(f"{service}: migrations applied")


@app.command()
def token(
    orgnr: Annotated[str, typer.Option(help="The municipality's organisation number")],
    scope: Annotated[list[str], typer.Option(help="Scopes to grant")] = DEFAULT_SCOPES,
    lifetime: Annotated[int, typer.Option(help="Seconds the token is valid")] = 3600,
) -> None:
    """Print a signed access token from the local Maskinporten stand-in (for make run)."""
    from runtime.local_issuer import LocalIssuer

    issuer = LocalIssuer.load_or_create(local_dir() / "issuer")
    typer.echo(issuer.issue_token(orgnr=orgnr, scopes=scope, lifetime_seconds=lifetime))


outbox_app = typer.Typer(help="The transactional outbox of a service.", no_args_is_help=True)
deadletters_app = typer.Typer(help="Messages consumers gave up on.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
app.add_typer(deadletters_app, name="deadletters")
app.add_typer(personal_data_app, name="personal-data")
app.add_typer(municipalities_app, name="municipalities")


@outbox_app.command("backlog")
def outbox_backlog_command(service: str) -> None:
    """Print how many events wait in a service's outbox and how old the oldest is."""
    import asyncio

    from runtime.operations import outbox_backlog_of

    settings = load_settings(_service(service).settings_class, service)
    backlog = asyncio.run(outbox_backlog_of(settings.database_url))
    typer.echo(f"{service}: {backlog.rows} unpublished, oldest {backlog.oldest_age_seconds:.1f} s")


@deadletters_app.command("list")
def deadletters_list(
    limit: Annotated[int, typer.Option(help="How many, newest last")] = 50,
) -> None:
    """List dead-lettered messages: consumer, event type and id, error."""
    import asyncio

    from runtime.operations import read_dead_letters
    from runtime.settings import ServiceSettings

    settings = load_settings(ServiceSettings, "operator")
    for letter in asyncio.run(read_dead_letters(settings.bus_url))[-limit:]:
        p = letter.payload
        typer.echo(
            f"{letter.id}  {p.consumer}  {p.event_type}  {p.event_id}  "
            f"{p.error_type}: {p.error_message}"
        )


@deadletters_app.command("replay")
def deadletters_replay(dead_letter_id: str) -> None:
    """Publish a dead-lettered message again (after the fix), under a fresh dedupe id."""
    import asyncio

    from runtime.operations import replay_dead_letter
    from runtime.settings import ServiceSettings

    settings = load_settings(ServiceSettings, "operator")
    event_type = asyncio.run(replay_dead_letter(settings.bus_url, dead_letter_id))
    typer.echo(f"replayed {dead_letter_id} as {event_type}")


@app.command("staff-token")
def staff_token(
    subject: Annotated[str, typer.Option(help="The caseworker's id")] = "saksbehandler-1",
    name: Annotated[str, typer.Option(help="Display name")] = "Demo Saksbehandler",
    role: Annotated[list[str], typer.Option(help="Roles")] = DEMO_STAFF_ROLES,
    municipality: Annotated[
        list[str], typer.Option(help="Kommunenummer served")
    ] = DEMO_MUNICIPALITIES,
) -> None:
    """Print a caseworker's token from the local stand-in for the office's identity provider."""
    from runtime.local_issuer import LocalIssuer

    issuer = LocalIssuer.load_or_create(
        local_dir() / "staff-issuer",
        issuer="http://localhost/office-idp-local",
        audience="kravflyt-staff",
    )
    typer.echo(
        issuer.issue_staff_token(
            subject=subject, name=name, roles=role, municipalities=municipality
        )
    )


@app.command()
def run() -> None:
    """Start PostgreSQL, NATS and every service locally, seed a demo office, print the URLs."""
    from runtime.localstack import run_local_stack

    raise typer.Exit(run_local_stack(local_dir()))


def main() -> None:
    """Entry point of the ``kravflyt`` console script.

    A service's own subcommands (``kravflyt intake load-office``) are loaded only when asked
    for, so one command never imports every service.
    """
    import sys

    from runtime.service import load_service, service_names

    if len(sys.argv) > 1 and sys.argv[1] in service_names():
        definition = load_service(sys.argv[1])
        if definition.commands is not None:
            app.add_typer(definition.commands, name=definition.name)
    app()


# --- The bus: Kafka topics ---------------------------------------------------------------------

bus_app = typer.Typer(help="The event bus (Kafka topics).", no_args_is_help=True)
app.add_typer(bus_app, name="bus")


@bus_app.command("ensure-topics")
def bus_ensure_topics(
    partitions: Annotated[int, typer.Option(help="Partitions of a new topic")] = 6,
    replication_factor: Annotated[int, typer.Option(help="Replicas of a new topic")] = 1,
    wait: Annotated[float, typer.Option(help="Seconds to wait for the broker")] = 60.0,
) -> None:
    """Create the Kafka topics: one per event type and the dead letters. Idempotent.

    Topics that exist are left alone; a differing partition count is reported, never changed
    (adding partitions moves keys, and so reorders a claim's events).
    """
    import asyncio

    from runtime.bus import DEAD_LETTER_TYPE, SUBJECT_PREFIX, parse_bus_url
    from runtime.kafka_admin import KafkaOptions, client_options, ensure_topics, wanted_topics
    from runtime.settings import ServiceSettings

    settings = load_settings(ServiceSettings, "operator")
    address = parse_bus_url(settings.bus_url)
    if address.kind != "kafka":
        typer.echo("KRAVFLYT_BUS_URL is not kafka://…; NATS needs no topics", err=True)
        raise typer.Exit(2)
    client = client_options(
        address.servers, KafkaOptions.from_settings(settings), "kravflyt-topics"
    )
    topics = wanted_topics(
        partitions, replication_factor, dead_letter_type=DEAD_LETTER_TYPE, prefix=SUBJECT_PREFIX
    )
    report = asyncio.run(ensure_topics(client, topics, wait_seconds=wait))
    for name in report.created:
        typer.echo(f"created {name}")
    for name, count in sorted(report.differing.items()):
        typer.echo(f"note: {name} has {count} partitions, not {partitions}; left as it is")
    typer.echo(f"{len(report.created)} topics created, {len(report.present)} already there")
