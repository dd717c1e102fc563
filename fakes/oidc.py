"""Fake ID-porten for Min side: a real OpenID Connect provider (Canaille, as pytest-iam runs it).

    python -m fakes oidc --port 8090 [--issuer URL]

| setting | option or environment | default |
| --- | --- | --- |
| issuer | ``--issuer``, ``ISSUER`` | ``http://localhost:<port>`` |
| secret of client ``kravflyt-minside`` | ``OIDC_CLIENT_SECRET`` | ``local-minside-secret`` |
| Min side base URLs, comma-separated | ``MINSIDE_URLS`` | ``http://localhost:8005`` and 127.0.0.1 |

Min side may redirect to ``<base>/login/callback`` and, after logout, to ``<base>/logged-out``.
As in ID-porten: the person is the ``pid`` claim, every login is ``idporten-loa-substantial``,
PKCE (S256 only) is required, ID tokens are signed with RS512, there is no consent page.

Logging in is TestID's way: type an 11-digit identity number with valid check digits and press
Continue; there is no password. A number is its own user from its first login (the memory
database starts empty at every start). ``DEMO_PEOPLE`` are numbers to try, chosen by their day
of birth so the other fakes treat them differently (see ``fakes.people``).

Shared with Min side's tests (``services/minside/tests/minside_idporten.py``): the patches that
make Canaille speak ID-porten and the client registration.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from unittest import mock
from urllib.parse import urlsplit

from canaille import create_app as create_canaille
from canaille.app import models
from canaille.backends import Backend
from canaille.oidc import provider as canaille_provider
from canaille.oidc import userinfo as canaille_userinfo
from flask import Flask, request
from joserfc.jwk import JWKRegistry
from werkzeug.serving import BaseWSGIServer, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CLIENT_ID = "kravflyt-minside"
CLIENT_SECRET = "local-minside-secret"  # noqa: S105 - the fake's own
MINSIDE_URLS = ("http://localhost:8005", "http://127.0.0.1:8005")
SUBSTANTIAL = "idporten-loa-substantial"

DEMO_PEOPLE = {
    "07038512360": "ordinary: digital post at Digipost, may be notified",
    "04069012367": "digital post at e-Boks",
    "03117512354": "no digital mailbox: letters on paper",
    "01018012371": "reserved against digital post",
}
"""Made-up fødselsnumre (valid check digits, fictional people) and how the fakes see them."""

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def valid_person_number(number: str) -> bool:
    """11 digits whose two check digits hold (fødselsnummer, D-number, synthetic number)."""
    if len(number) != 11 or not number.isdigit():
        return False
    digits = [int(d) for d in number]
    for weights, check in ((_K1, digits[9]), (_K2, digits[10])):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
        if (11 - remainder) % 11 != check:
            return False
    return True


@contextlib.contextmanager
def idporten_claims(
    acr_by_user: Mapping[str, str], default_acr: str | None = None
) -> Iterator[None]:
    """Canaille patched to issue ``pid`` with the openid scope and the login's ``acr``."""
    original_save = canaille_provider.save_authorization_code

    def save_with_acr(code: Any, request: Any) -> Any:
        saved = original_save(code, request)
        backend = Backend.instance
        [item] = backend.query(models.AuthorizationCode, code=saved)
        item.acr = acr_by_user.get(request.user.user_name, default_acr)
        backend.save(item)
        return saved

    def query_code(_: Any, code: str, client: Any) -> Any:
        # Canaille 0.3.6's memory backend ORs query filters, so its own lookup by code AND
        # client can return another login's code; ID-porten matches the code exactly.
        found = Backend.instance.query(models.AuthorizationCode, code=code)
        found = [i for i in found if i.code == code and i.client.client_id == client.client_id]
        return found[0] if found and not found[0].is_expired() else None

    info = canaille_userinfo.UserInfo
    mapping = {**info.SCOPES_CLAIMS_MAPPING, "openid": ["sub", "pid"]}
    with contextlib.ExitStack() as patches:
        for target, name, value in (
            (info, "REGISTERED_CLAIMS", [*info.REGISTERED_CLAIMS, "pid"]),
            (info, "SCOPES_CLAIMS_MAPPING", mapping),
            (canaille_provider, "save_authorization_code", save_with_acr),
            (canaille_provider.AuthorizationCodeGrant, "query_authorization_code", query_code),
            # ID-porten refuses the "plain" method.
            (canaille_provider.CodeChallenge, "SUPPORTED_CODE_CHALLENGE_METHOD", ["S256"]),
        ):
            patches.enter_context(mock.patch.object(target, name, value))
        yield


def use_pid_claim(app: Flask) -> None:
    """The ``pid`` claim is the user's employee number (the identity number)."""
    app.config["CANAILLE_OIDC"]["USERINFO_MAPPING"]["PID"] = "{{ user.employee_number }}"


def register_client(secret: str, base_urls: Sequence[str]) -> Any:
    """Min side as a confidential client with PKCE (once), allowed to return to ``base_urls``."""
    backend = Backend.instance
    client = backend.get(models.Client, client_id=CLIENT_ID)
    if client is None:
        client = models.Client(
            client_id=CLIENT_ID,
            client_secret=secret,
            client_name="Kravflyt Min side",
            client_uri=base_urls[0],
            redirect_uris=[],
            post_logout_redirect_uris=[],
            grant_types=["authorization_code"],
            response_types=["code"],
            scope=["openid", "profile"],
            # Names of a method and an algorithm, not secrets.
            token_endpoint_auth_method="client_secret_post",  # noqa: S106
            id_token_signed_response_alg="RS512",  # noqa: S106
        )
        backend.save(client)
        client.audience = [client]
    client.redirect_uris = sorted(
        {*client.redirect_uris, *(b + "/login/callback" for b in base_urls)}
    )
    client.post_logout_redirect_uris = sorted(
        {*client.post_logout_redirect_uris, *(b + "/logged-out" for b in base_urls)}
    )
    backend.save(client)
    return client


def add_person(number: str) -> Any:
    """A citizen who logs in with ``number`` (user name and ``pid``)."""
    user = models.User(
        user_name=number,
        employee_number=number,
        given_name="Test",
        family_name="Innbygger",
        preferred_language="nb",
    )
    Backend.instance.save(user)
    return user


def canaille_config(issuer: str, trusted_hosts: Sequence[str]) -> dict[str, Any]:
    """Canaille in memory, pytest-iam's settings made fit for a browser, logins without password."""
    jwk = JWKRegistry.generate_key("RSA", 2048)
    jwk.ensure_kid()
    parts = urlsplit(issuer)
    return {
        "ENV_FILE": None,
        "SECRET_KEY": str(uuid.uuid4()),
        "PREFERRED_URL_SCHEME": parts.scheme,
        # Canaille's issuer is <scheme>://<SERVER_NAME>.
        "SERVER_NAME": parts.netloc,
        "CANAILLE": {
            "DATABASE": "memory",
            "LOGIN_ATTRIBUTES": ["user_name"],
            "AUTHENTICATION_FACTORS": [],
            "HIDE_INVALID_LOGINS": False,
            "ENABLE_PASSWORD_RECOVERY": False,
            "ACL": {"DEFAULT": {"PERMISSIONS": ["use_oidc"]}},
            # Canaille logs user names (identity numbers here): nowhere.
            "LOGGING": {
                "version": 1,
                "disable_existing_loggers": False,
                "handlers": {"null": {"class": "logging.NullHandler"}},
                "loggers": {"canaille": {"handlers": ["null"], "propagate": False}},
            },
        },
        "CANAILLE_OIDC": {
            "ACTIVE_JWKS": [jwk.as_dict(private=True)],
            "TRUSTED_DOMAINS": list(trusted_hosts),
        },
    }


def create_app(issuer: str, client_secret: str, minside_urls: Sequence[str]) -> Flask:
    """The provider with Min side registered; ``/_admin/health`` for compose and make run."""
    hosts = [urlsplit(u).hostname or "" for u in minside_urls]
    app = create_canaille(config=canaille_config(issuer, hosts))
    use_pid_claim(app)
    # ID-porten's sub is a pseudonym, never the identity number.
    app.config["CANAILLE_OIDC"]["USERINFO_MAPPING"]["SUB"] = "{{ user.id }}"
    app.wsgi_app = answer_health(app.wsgi_app)  # type: ignore[method-assign]

    @app.before_request
    def first_login() -> None:
        number = request.form.get("login", "").strip()
        if request.endpoint == "core.auth.login" and valid_person_number(number):
            if Backend.instance.get(models.User, user_name=number) is None:
                add_person(number)

    with app.app_context():
        register_client(client_secret, minside_urls)
    return app


def answer_health(wsgi_app: WSGIApplication) -> WSGIApplication:
    """``/_admin/health`` at any host name (Canaille redirects others to the issuer's)."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/_admin/health":
            return wsgi_app(environ, start_response)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status":"ok"}']

    return app


@dataclass
class FakeIdPorten:
    """The provider served over HTTP (threads, so Min side's token call never waits on a page)."""

    app: Flask
    httpd: BaseWSGIServer
    issuer: str

    def serve_forever(self) -> None:
        with idporten_claims({}, default_acr=SUBSTANTIAL):
            self.httpd.serve_forever()

    def shutdown(self) -> None:
        self.httpd.shutdown()


def create_server(
    port: int,
    host: str = "127.0.0.1",
    issuer: str | None = None,
    client_secret: str = CLIENT_SECRET,
    minside_urls: Sequence[str] = MINSIDE_URLS,
) -> FakeIdPorten:
    """Bind ``host:port``; ``serve_forever`` serves until ``shutdown``."""
    issuer = (issuer or f"http://localhost:{port}").rstrip("/")
    if urlsplit(issuer).path:
        raise ValueError("the issuer must be scheme://host[:port]: Canaille serves at the root")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the issuer is plain http locally
    app = create_app(issuer, client_secret, minside_urls)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # request lines: no access log
    return FakeIdPorten(app, make_server(host, port, app, threaded=True), issuer)


def serve(host: str, port: int, argv: Sequence[str] = ()) -> None:
    """``python -m fakes oidc``: serve until SIGTERM or SIGINT (also as PID 1 in a container)."""
    parser = argparse.ArgumentParser(prog="python -m fakes oidc")
    parser.add_argument("--issuer", default=os.environ.get("ISSUER") or None)
    args = parser.parse_args(list(argv))
    urls = [u.strip().rstrip("/") for u in os.environ.get("MINSIDE_URLS", "").split(",")]
    server = create_server(
        port,
        host,
        issuer=args.issuer,
        client_secret=os.environ.get("OIDC_CLIENT_SECRET") or CLIENT_SECRET,
        minside_urls=[u for u in urls if u] or MINSIDE_URLS,
    )

    def stop(*_: object) -> None:
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
