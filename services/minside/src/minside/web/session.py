"""Server-side sessions and login attempts.

The cookie holds a random session id; the table holds only its SHA-256, so a copy of the
database opens no session. A login attempt (state, nonce, PKCE verifier) is used once: the
callback deletes it, so a replayed callback finds nothing. The browser that started the login
carries the state in a signed cookie, so a callback planted in another browser fails.
"""

from __future__ import annotations

import hashlib
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

    async def start_login(self, start: LoginStart, return_to: str) -> str:
        """Remember a login attempt; returns the signed cookie that binds it to this browser."""
        row = {
            "state": start.state,
            "nonce": start.nonce,
            "code_verifier": start.code_verifier,
            "return_to": return_to,
            "created_at": self._clock(),
        }
        async with self._engine.begin() as conn:
            old = db.login_attempt.c.created_at < self._clock() - LOGIN_MAX_AGE
            await conn.execute(sa.delete(db.login_attempt).where(old))
            await conn.execute(sa.insert(db.login_attempt).values(row))
        return self._signer.sign(start.state).decode()

    async def take_login(self, state: str, cookie: str | None) -> LoginAttempt | None:
        """The attempt named by ``state`` if this browser started it; usable once."""
        try:
            signed = self._signer.unsign(cookie or "", max_age=int(LOGIN_MAX_AGE.total_seconds()))
        except BadSignature:
            return None
        if not secrets.compare_digest(signed.decode(), state):
            return None
        t = db.login_attempt
        async with self._engine.begin() as conn:
            row = (await conn.execute(sa.delete(t).where(t.c.state == state).returning(t))).first()
        if row is None or row.created_at < self._clock() - LOGIN_MAX_AGE:
            return None
        return LoginAttempt(row.nonce, row.code_verifier, row.return_to)
