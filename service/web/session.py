"""Signing in and out of the pages: password check with back-off, session cookie, CSRF.

The cookie holds a random token; the database holds its SHA-256 (``models.sign_in``). It is
HttpOnly, SameSite=Lax, and Secure whenever the request came over TLS (behind a proxy, run
uvicorn with ``--proxy-headers`` so the scheme is the client's). Every form carries the
session's CSRF token; the sign-in form, posted before any session exists, carries one from a
short-lived cookie of its own (double submit).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from sqlmodel import Session, select

from models.clock import as_utc, utcnow
from models.db import Database
from models.provisioning import normalised_email
from models.sign_in import SignInFailures, WebSession, next_attempt_at, session_is_live
from models.tables import User
from models.visibility import may_sign_in
from service.passwords import MAX_LENGTH, hash_password, needs_new_hash, password_matches
from service.tokens import token_hash

SESSION_COOKIE = "grantflow_session"
SIGN_IN_CSRF_COOKIE = "grantflow_sign_in"
SEEN_EVERY = timedelta(minutes=1)  # how often a used session's last_seen_at is written
# A hash to check a password against when the address is unknown, so that answering takes
# as long for an unknown address as for a known one.
_DECOY_HASH = hash_password("decoy password for unknown addresses")


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_id: int
    csrf_token: str


@dataclass(frozen=True)
class SignInRefused:
    retry_at: datetime | None  # set when the address must wait (back-off)
    checked: bool = True  # False: refused for waiting, the password was not even checked


def signed_in(request: Request, db: Database) -> SignedIn | None:
    """The live session the request's cookie names, and its active user; None otherwise."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    now = utcnow()
    with db.reading() as session:
        row = session.exec(
            select(WebSession).where(WebSession.token_hash == token_hash(token))
        ).first()
        if row is None or not session_is_live(row, now):
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.active or not may_sign_in(user.roles):
            return None
    if now - as_utc(row.last_seen_at) >= SEEN_EVERY:
        with db.transaction() as session:
            stored = session.get(WebSession, row.id)
            if stored is not None:
                stored.last_seen_at = now
    request.state.user = user
    return SignedIn(user, row.id, row.csrf_token)  # type: ignore[arg-type]


def check_password(db: Database, email: str, password: str) -> User | SignInRefused:
    """The user ``email`` and ``password`` sign in as, or a refusal (with the back-off time
    when the address must wait). The answer never says whether the address exists."""
    address = normalised_email(email)[:254]
    now = utcnow()
    with db.reading() as session:
        record = session.get(SignInFailures, address)
        retry_at = next_attempt_at(record)
        if retry_at is not None and now < retry_at:
            return SignInRefused(retry_at, checked=False)
        user = session.exec(select(User).where(User.email == address)).first()
    stored_hash = user.password_hash if user is not None else None
    matches = password_matches(stored_hash or _DECOY_HASH, password[:MAX_LENGTH])
    if not (
        matches and stored_hash and user is not None and user.active and may_sign_in(user.roles)
    ):
        with db.transaction() as session:
            _count_failure(session, address, now)
            record = session.get(SignInFailures, address)
        retry_at = next_attempt_at(record)
        return SignInRefused(retry_at if retry_at and retry_at > now else None)
    with db.transaction() as session:
        cleared = session.get(SignInFailures, address)
        if cleared is not None:
            session.delete(cleared)
        if needs_new_hash(stored_hash):
            stored = session.get(User, user.id)
            if stored is not None:
                stored.password_hash = hash_password(password)
    return user


def _count_failure(session: Session, address: str, now: datetime) -> None:
    record = session.get(SignInFailures, address)
    if record is None:
        session.add(SignInFailures(email=address, failures=1, last_failed_at=now))
    else:
        record.failures += 1
        record.last_failed_at = now


def start_session(db: Database, user: User) -> tuple[str, str]:
    """A new session for ``user``: the cookie's token and the session's CSRF token."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with db.transaction() as session:
        session.add(WebSession(token_hash=token_hash(token), csrf_token=csrf, user_id=user.id))
    return token, csrf


def end_session(db: Database, session_id: int) -> None:
    with db.transaction() as session:
        row = session.get(WebSession, session_id)
        if row is not None and row.ended_at is None:
            row.ended_at = utcnow()


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def forget_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )
