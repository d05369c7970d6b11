"""Signing in to the pages: sessions, and the back-off after failed passwords.

A session is a row: the browser holds a random token, the row holds only its SHA-256, so a
copy of the database opens no session. Signing out ends the row; so does its idle or absolute
limit. Each session has its own CSRF token, which every form it posts carries.

Failed passwords are counted per address (known or not, so the answer never tells whether an
account exists), in the database, so every ``grantflow serve`` process behind a balancer sees
the same count. After ``FREE_FAILURES`` the next attempt waits: 30 s, doubling each further
failure, at most 15 minutes. A correct password clears the count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Field, SQLModel

from models.clock import as_utc, utcnow

IDLE_LIMIT = timedelta(hours=2)
ABSOLUTE_LIMIT = timedelta(hours=12)
FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    csrf_token: str = Field(max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class SignInFailures(SQLModel, table=True):
    __tablename__ = "sign_in_failures"

    email: str = Field(primary_key=True, max_length=254)
    failures: int = 0
    last_failed_at: datetime = Field(default_factory=utcnow)


def session_is_live(session: WebSession, now: datetime) -> bool:
    """Not signed out, used within ``IDLE_LIMIT`` and younger than ``ABSOLUTE_LIMIT``."""
    return (
        session.ended_at is None
        and now - as_utc(session.last_seen_at) < IDLE_LIMIT
        and now - as_utc(session.created_at) < ABSOLUTE_LIMIT
    )


def wait_after(failures: int) -> timedelta:
    """How long the next attempt waits after ``failures`` consecutive failed passwords."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 16)  # past the ceiling anyway; keeps it small
    return min(FIRST_WAIT * 2**doublings, LONGEST_WAIT)


def next_attempt_at(record: SignInFailures | None) -> datetime | None:
    """When the address may try again, or None when it may now."""
    if record is None:
        return None
    wait = wait_after(record.failures)
    return as_utc(record.last_failed_at) + wait if wait else None
