"""Carry out a request with an Idempotency-Key exactly once across processes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import delete

from models.clock import utcnow
from models.errors import ActionRejected
from models.tables import IdempotencyClaim
from workflows.runtime import database

T = TypeVar("T")
WAIT_SECONDS = 120
POLL_SECONDS = 0.2
# A claim this old without completing belongs to a process that died mid-run; the engine's
# own idempotency still prevents a second transition when its successor runs the request.
STALE_AFTER = timedelta(minutes=10)


class RequestInProgress(ActionRejected):
    status = 409
    code = "request-in-progress"
    title = "The same request is still being carried out"


def _claim(key: str, grant_id: int, action: str) -> bool:
    cutoff = utcnow() - STALE_AFTER
    try:
        with database().transaction() as session:
            session.exec(  # type: ignore[call-overload]
                delete(IdempotencyClaim).where(
                    IdempotencyClaim.key == key,
                    IdempotencyClaim.completed_at.is_(None),  # type: ignore[union-attr]
                    IdempotencyClaim.claimed_at < cutoff,
                )
            )
            session.add(IdempotencyClaim(key=key, grant_id=grant_id, action=action))
        return True
    except IntegrityError:
        return False


def _completed(key: str) -> bool | None:
    """None: no claim; else whether the claimed run has finished."""
    with database().reading() as session:
        claim = session.get(IdempotencyClaim, key)
        return None if claim is None else claim.completed_at is not None


def _finish(key: str, succeeded: bool) -> None:
    with database().transaction() as session:
        claim = session.get(IdempotencyClaim, key)
        if claim is None:
            return
        if succeeded:
            claim.completed_at = utcnow()
            session.add(claim)
        else:
            session.delete(claim)


async def once(
    key: str,
    grant_id: int,
    action: str,
    earlier: Callable[[], T | None],
    run: Callable[[], Awaitable[T]],
) -> T:
    """``earlier()`` if the request already happened, else ``run()`` by exactly one caller."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        state = await asyncio.to_thread(_completed, key)
        if state is not False:
            answer = await asyncio.to_thread(earlier)
            if answer is not None:
                return answer
        if await asyncio.to_thread(_claim, key, grant_id, action):
            break
        if time.monotonic() > deadline:
            raise RequestInProgress(
                "a request with this Idempotency-Key is still being carried out; retry later"
            )
        await asyncio.sleep(POLL_SECONDS)
    try:
        result = await run()
    except BaseException:
        await asyncio.to_thread(_finish, key, False)
        raise
    await asyncio.to_thread(_finish, key, True)
    return result
