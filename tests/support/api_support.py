"""A seeded installation behind FastAPI's test client, with a token for every demo user.

Use the ``api_world`` fixture (module scope via ``make_api_world``) in API tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from models import fictional
from models.fictional.script import steps
from models.tables import User
from service.api import create_app
from service.users import create_user_with_token, rotate_token
from workflows.actions import run_action_inline


@dataclass
class ApiWorld:
    db: Any
    cast: fictional.Cast
    client: TestClient
    tokens: dict[int, str] = field(default_factory=dict)

    def headers(self, user: User, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user.id]}", **extra}

    def everyone(self) -> list[User]:
        """Every person of the fictional cast: staff, the panel and each applicant."""
        cast = self.cast
        return [
            cast.screening_officer,
            cast.payments_officer,
            *cast.reviewers,
            cast.approver,
            cast.finance,
            cast.auditor,
            *cast.applicants.values(),
        ]

    def applicant_of(self, index: int) -> User:
        return self.cast.applicants[self.cast.organisations[index].id]

    def user_with_roles(self, *roles: str, organisation_index: int | None = None) -> User:
        """A new user holding exactly ``roles`` (with a token)."""
        org = (
            str(self.cast.organisations[organisation_index].id)
            if organisation_index is not None
            else None
        )
        user, token = create_user_with_token(
            self.db,
            name=f"Test {'+'.join(roles)} {len(self.tokens)}",
            roles=list(roles),
            organisation=org,
        )
        self.tokens[user.id] = token
        return user

    def application(self, index: int = 0) -> dict[str, Any]:
        _org, data = fictional.application_for(index, self.cast)
        return {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in data.items()
        }

    def grant_at(self, index: int, stop_after: str, variant: str = "full") -> dict[str, Any]:
        """A grant of organisation ``index`` taken (through the workflows) until ``stop_after``."""
        from models.provisioning import create_application

        organisation, data = fictional.application_for(index, self.cast)
        grant = create_application(self.db, organisation.id, data)
        for action, actor, payload, at in steps(self.db, self.cast, grant.id, variant):  # type: ignore[arg-type]
            asyncio.run(
                run_action_inline(grant.id, grant.reference, action, actor, payload, now=at)
            )
            if action == stop_after:
                break
        return {"id": grant.id, "reference": grant.reference, "organisation_id": organisation.id}


def make_api_world(db) -> ApiWorld:  # type: ignore[no-untyped-def]
    cast = fictional.seed(db)
    world = ApiWorld(db=db, cast=cast, client=TestClient(create_app()))
    for user in world.everyone():
        world.tokens[user.id] = rotate_token(db, user.id)
    return world


@contextmanager
def module_api_world(directory: Path, *, crashes_as_answers: bool = False) -> Iterator[ApiWorld]:
    """An API world on its own SQLite installation in ``directory``, for a module's tests.

    With ``crashes_as_answers`` the client gets the server's own answer to a crash (a 500
    problem) instead of the test client re-raising it.
    """
    import pytest

    from workflows.runtime import database, reset_caches

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRANTFLOW_DATABASE_URL", f"sqlite:///{directory / 'grantflow.db'}")
        patch.setenv("GRANTFLOW_DOCUMENT_DIR", str(directory / "documents"))
        reset_caches()
        world = make_api_world(database())
        if crashes_as_answers:
            world.client = TestClient(create_app(), raise_server_exceptions=False)
        yield world
        database().dispose()
    reset_caches()
