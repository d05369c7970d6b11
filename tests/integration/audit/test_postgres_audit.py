"""The audit trail on PostgreSQL: append-only in the database, verifiable like on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from models import fictional
from models.audit import verify_log
from models.db import Database
from models.engine import apply_action
from models.fictional.script import steps
from models.provisioning import create_application
from models.tables import AuditEvent, Grant
from tests.support.postgres import postgres_schema

pytestmark = pytest.mark.both_databases  # PostgreSQL whichever pass runs it


@pytest.fixture(scope="module")
def pg():
    with postgres_schema() as url:
        db = Database(url)
        db.create_schema()
        db.cast = fictional.seed(db)  # type: ignore[attr-defined]
        yield db
        db.dispose()


def test_a_grant_closes_on_postgresql_and_its_trail_verifies(pg):
    cast = pg.cast
    organisation, application = fictional.application_for(0, cast)
    grant = create_application(pg, organisation.id, application)
    for action, actor, payload, at in steps(pg, cast, grant.id):
        apply_action(pg, grant.id, action, actor, payload, now=at)
    with pg.reading() as session:
        assert session.get(Grant, grant.id).state == "closed"
        events = list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))
    result = verify_log(events, [], [], [], lambda _document: None)
    assert result.intact and result.events_checked == len(events) > 20


@pytest.mark.parametrize(
    "statement",
    ["UPDATE auditevent SET actor_name = 'forged'", "DELETE FROM auditevent"],
)
def test_postgresql_refuses_to_change_or_remove_audit_events(pg, statement):
    with pg.reading() as session:
        before = len(session.exec(select(AuditEvent)).all())
    assert before > 0
    with pytest.raises(DBAPIError, match="append-only"), pg.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    with pg.reading() as session:
        assert len(session.exec(select(AuditEvent)).all()) == before
