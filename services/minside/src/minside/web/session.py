"""Server-side sessions and login attempts.

The cookie holds a random session id; the table holds only its SHA-256, so a copy of the
database opens no session. A login attempt (state, nonce, PKCE verifier, where to return) lives
only in the browser that started it, in a short-lived cookie sealed with AES-GCM: starting a
login writes nothing here, so an anonymous flood of ``/login`` cannot fill the database, and a
callback planted in another browser finds no attempt. The callback deletes the cookie; a
replayed authorization code is refused by the provider (codes are single-use, bound to PKCE).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from minside import db
from minside.oidc import LoginStart
from runtime.db import Clock

SESSION_COOKIE = "__Host-minside-session"
LOGIN_COOKIE = "__Host-minside-login"
LOGIN_MAX_AGE = timedelta(minutes=10)
_LOGIN_AAD = b"minside-login-attempt"


@dataclass(frozen=True)
class Session:
    """A logged-in citizen: whose claims to show, and the token every form must echo."""

    id_hash: str
    debtor_ref: str
    csrf_token: str


@dataclass(frozen=True)
class LoginAttempt:
    """What the callback needs to finish one login."""

    nonce: str
    code_verifier: str
    return_to: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """Sessions and login attempts in minside's database."""

    def __init__(
        self, engine: AsyncEngine, secret: str, *, idle: timedelta, longest: timedelta, clock: Clock
    ) -> None:
        if len(secret) < 32:
            raise ValueError("session_secret must be at least 32 characters")
        self._engine = engine
        # Every page checks its session: one statement each, no BEGIN/COMMIT round trips.
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._signer = TimestampSigner(secret, salt="minside-login")
        self._aead = AESGCM(hashlib.sha256(b"minside-id-token\0" + secret.encode()).digest())
        self._login_aead = AESGCM(hashlib.sha256(b"minside-login\0" + secret.encode()).digest())
        self._idle, self._longest, self._clock = idle, longest, clock

    async def create(self, debtor_ref: str, id_token: str) -> tuple[str, Session]:
        """A new session (a fresh id at every login); returns the cookie value and the session."""
        token, now = secrets.token_urlsafe(32), self._clock()
        session = Session(_hash(token), debtor_ref, secrets.token_urlsafe(32))
        nonce = os.urandom(12)
        sealed = (nonce + self._aead.encrypt(nonce, id_token.encode(), b"id-token")).hex()
        row = {
            "id_hash": session.id_hash,
            "debtor_ref": debtor_ref,
            "csrf_token": session.csrf_token,
            "id_token_sealed": sealed,
            "created_at": now,
            "expires_at": now + self._idle,
        }
        async with self._engine.begin() as conn:
            await conn.execute(sa.insert(db.web_session).values(row))
        return token, session

    async def load(self, cookie: str | None, conn: AsyncConnection | None = None) -> Session | None:
        """The live session the cookie names (its idle time restarts), else None.

        ``conn``, if given, must be in autocommit: the idle time's restart commits at once.
        """
        if not cookie:
            return None
        if conn is not None:
            return await self._load(conn, cookie)
        async with self._autocommit.connect() as own:
            return await self._load(own, cookie)

    async def _load(self, conn: AsyncConnection, cookie: str) -> Session | None:
        now, t = self._clock(), db.web_session
        row = (await conn.execute(sa.select(t).where(t.c.id_hash == _hash(cookie)))).first()
        if row is None or row.expires_at <= now:
            return None
        if row.expires_at - now < self._idle - timedelta(minutes=1):
            expires = min(now + self._idle, row.created_at + self._longest)
            await conn.execute(
                sa.update(t).where(t.c.id_hash == row.id_hash).values(expires_at=expires)
            )
        return Session(row.id_hash, row.debtor_ref, row.csrf_token)

    async def end(self, session: Session) -> str | None:
        """Delete the session; returns its ID token for the provider's logout."""
        t = db.web_session
        async with self._engine.begin() as conn:
            sealed = (
                await conn.execute(
                    sa.delete(t)
                    .where(t.c.id_hash == session.id_hash)
                    .returning(t.c.id_token_sealed)
                )
            ).scalar()
        if sealed is None:
            return None
        raw = bytes.fromhex(sealed)
        try:
            return self._aead.decrypt(raw[:12], raw[12:], b"id-token").decode()
        except InvalidTag:
            return None

    def start_login(self, start: LoginStart, return_to: str) -> str:
        """The sealed, signed cookie that carries a login attempt in this browser (nothing kept)."""
        attempt = {
            "state": start.state,
            "nonce": start.nonce,
            "code_verifier": start.code_verifier,
            "return_to": return_to,
        }
        nonce = os.urandom(12)
        sealed = nonce + self._login_aead.encrypt(nonce, json.dumps(attempt).encode(), _LOGIN_AAD)
        return self._signer.sign(base64.urlsafe_b64encode(sealed)).decode()

    def take_login(self, state: str, cookie: str | None) -> LoginAttempt | None:
        """The attempt in this browser's cookie, if it is fresh and ``state`` is its state."""
        try:
            signed = self._signer.unsign(cookie or "", max_age=int(LOGIN_MAX_AGE.total_seconds()))
            raw = base64.urlsafe_b64decode(signed)
            attempt = json.loads(self._login_aead.decrypt(raw[:12], raw[12:], _LOGIN_AAD))
        except (BadSignature, ValueError, InvalidTag):
            return None
        if not secrets.compare_digest(str(attempt["state"]).encode(), state.encode()):
            return None
        return LoginAttempt(attempt["nonce"], attempt["code_verifier"], attempt["return_to"])
