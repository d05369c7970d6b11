"""FastAPI dependencies: the database and the authenticated caller; and ``off_the_loop``."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from models.context import Actor
from models.db import Database
from models.tables import User
from models.visibility import may_sign_in
from service.problems import Problem
from service.schemas import MAX_ID
from service.tokens import token_hash

P = ParamSpec("P")
R = TypeVar("R")


def off_the_loop(endpoint: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """A sync endpoint (it reads the database) as an async one that runs it in one trip to the
    thread pool. FastAPI runs a sync endpoint in the pool and then validates its answer in the
    pool again; an async endpoint's answer is validated on the event loop. The trip goes to the
    pool and limiter FastAPI's own sync endpoints and dependencies use (anyio's, 40 threads),
    not asyncio's default executor (``min(32, cores + 4)`` threads: 6 on 2 cores, too few for
    reads that wait on a database on another machine). Put it under the route's decorator;
    FastAPI reads the parameters of the function it wraps."""

    @functools.wraps(endpoint)
    async def in_one_trip(*args: P.args, **kwargs: P.kwargs) -> R:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return in_one_trip


bearer = HTTPBearer(auto_error=False, description="The API token `grantflow users create` printed")


async def get_database() -> Database:
    """The installation's database, as ``workflows.runtime.database`` opens it. Asked on the
    event loop (a sync dependency costs every request a trip through the thread pool); only
    its first opening, which creates the schema, runs in a thread."""
    from workflows.runtime import database, opened_database

    return opened_database() or await asyncio.to_thread(database)


DatabaseDep = Annotated[Database, Depends(get_database)]

# Ids past a signed 64-bit integer cannot be bound in a database query: a 422, not a crash.
GrantId = Annotated[int, Path(ge=1, le=MAX_ID, description="The grant's id")]
DocumentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The document's id")]
OrganisationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The organisation's id")]


def current_user(
    request: Request,
    db: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    challenge = {"WWW-Authenticate": 'Bearer realm="grantflow"'}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(
            401,
            "unauthenticated",
            "Unauthorized",
            "send an API token as 'Authorization: Bearer <token>'",
            challenge,
        )
    with db.reading() as session:
        user = session.exec(
            select(User).where(User.token_hash == token_hash(credentials.credentials))
        ).first()
    if user is None or not user.active or not may_sign_in(user.roles):
        raise Problem(
            401,
            "invalid-token",
            "Unauthorized",
            "the API token is unknown or was revoked",
            challenge,
        )
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.name, tuple(user.roles), user.organisation_id)  # type: ignore[arg-type]
