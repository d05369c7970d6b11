"""grantflow's own actor (the ``system`` role) takes its declared actions and nothing signs in
as it: no token, no password, no person given its role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models import fictional, lifecycle
from models.errors import InvalidPayload
from models.provisioning import create_user, system_actor
from models.tables import User
from models.visibility import may_sign_in, system_role
from service.api import create_app
from service.passwords import hash_password
from service.tokens import new_token
from service.users import rotate_token
from service.web.session import SignInRefused, check_password

PASSWORD = "correct horse battery staple 42"


def test_the_system_actor_is_made_once_and_takes_only_its_declared_actions(installation):
    first, again = system_actor(installation), system_actor(installation)
    assert first.id == again.id and first.roles == [system_role()]
    with installation.reading() as session:
        assert len(session.exec(select(User).where(User.name == first.name)).all()) == 1
    theirs = {a.key for a in lifecycle.actions_for_role(system_role())}
    assert theirs == {"close_incomplete", "lapse", "remind_report", "record_overdue_report"}
    assert not may_sign_in([system_role()])


def test_no_person_is_given_the_system_role_and_it_gets_no_token(installation):
    with pytest.raises(InvalidPayload, match="grantflow's own actor"):
        create_user(installation, name="Someone (fictional)", roles=[system_role()])
    with pytest.raises(Exception, match="holds no token"):
        rotate_token(installation, system_actor(installation).id)


def test_a_token_or_password_planted_on_the_system_actor_authenticates_nothing(installation):
    fictional.seed(installation)
    token, hashed = new_token()
    address = "planted@ilif-fund.example"
    with installation.transaction() as session:
        row = session.get(User, system_actor(installation).id)
        row.token_hash = hashed  # type: ignore[union-attr]
        row.email = address  # type: ignore[union-attr]
        row.password_hash = hash_password(PASSWORD)  # type: ignore[union-attr]
        session.add(row)
    client = TestClient(create_app())
    answer = client.get("/api/v1/grants", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert isinstance(check_password(installation, address, PASSWORD), SignInRefused)
