"""The access log in the database, on SQLite and PostgreSQL: rows are only ever added (the
database refuses UPDATE and DELETE whoever asks), each holds what it says and nothing else,
an undeclared read is refused before it is stored, reads stay out of the audit trail's tree,
and each reader of the log gets its part of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from documents.audit.verification import verify
from models import fictional
from models.access_log import (
    AccessEvent,
    AccessFilters,
    access_events,
    access_log_scope,
    record_access,
    record_read,
    role_among,
)
from models.db import Database
from models.provisioning import create_application
from models.tables import User
from models.visibility import auditing_roles, organisation_roles, panel_roles
from tests.support.databases import seeded_database
from tests.support.memory_store import InMemoryDocumentStore

pytestmark = pytest.mark.both_databases


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request, tmp_path_factory) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    directory = tmp_path_factory.mktemp("access-log")
    with seeded_database(request.param, directory) as (database, cast):
        database.cast = cast  # type: ignore[attr-defined]
        database.grant = _grant(database)  # type: ignore[attr-defined]
        yield database


def _grant(db: Database):  # type: ignore[no-untyped-def]
    organisation, application = fictional.application_for(0, db.cast)  # type: ignore[attr-defined]
    return create_application(db, organisation.id, application)


def _read(db: Database, reader: User, role: str, **fields) -> AccessEvent:  # type: ignore[no-untyped-def]
    grant = db.grant  # type: ignore[attr-defined]
    return record_read(
        db,
        reader=reader,
        role=role,
        kind=fields.pop("kind", "document_file"),
        channel=fields.pop("channel", "api"),
        organisation_id=fields.pop("organisation_id", grant.organisation_id),
        grant_id=fields.pop("grant_id", grant.id),
        **fields,
    )


def test_a_recorded_read_holds_exactly_what_was_given(db):
    auditor = db.cast.auditor
    event = _read(db, auditor, auditing_roles()[0], kind="dossier", channel="page", subject_id=7)
    with db.reading() as session:
        stored = session.get(AccessEvent, event.id)
    assert stored is not None
    assert (stored.user_id, stored.role, stored.kind, stored.channel, stored.subject_id) == (
        auditor.id,
        auditing_roles()[0],
        "dossier",
        "page",
        7,
    )
    assert (stored.grant_id, stored.organisation_id) == (db.grant.id, db.grant.organisation_id)
    assert set(AccessEvent.model_fields) == {
        "id",
        "occurred_at",
        "user_id",
        "role",
        "organisation_id",
        "grant_id",
        "kind",
        "subject_id",
        "channel",
    }, "ids and keys only: no names, no content, no address"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_event SET user_id = NULL",
        "UPDATE access_event SET kind = 'document_file'",
        "DELETE FROM access_event",
    ],
)
def test_the_database_refuses_to_change_or_remove_a_read(db, statement):
    _read(db, db.cast.auditor, auditing_roles()[0])
    with db.reading() as session:
        before = [
            e.model_dump() for e in session.exec(select(AccessEvent).order_by(AccessEvent.id))
        ]
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    with db.reading() as session:
        after = [e.model_dump() for e in session.exec(select(AccessEvent).order_by(AccessEvent.id))]
    assert after == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "browsing"}, "unknown kind"),
        ({"channel": "email"}, "unknown channel"),
        ({"role": "nobody"}, "does not hold"),
    ],
)
def test_an_undeclared_read_is_refused_and_nothing_is_stored(db, change, message):
    auditor = db.cast.auditor
    fields = {"reader": auditor, "role": auditing_roles()[0], "kind": "dossier", "channel": "api"}
    fields.update(change)
    with db.reading() as session:
        before = len(session.exec(select(AccessEvent)).all())
    with pytest.raises(ValueError, match=message), db.transaction() as session:
        record_access(session, organisation_id=db.grant.organisation_id, **fields)
    with db.reading() as session:
        assert len(session.exec(select(AccessEvent)).all()) == before


def test_a_role_the_reader_does_not_hold_is_refused(db):
    with pytest.raises(ValueError, match="does not hold"), db.transaction() as session:
        record_access(
            session,
            reader=db.cast.screening_officer,
            role=auditing_roles()[0],
            kind="dossier",
            channel="api",
            organisation_id=db.grant.organisation_id,
        )


def test_reads_leave_the_audit_trail_as_it_was(db):
    files = InMemoryDocumentStore()
    first = verify(db, files=files)
    for _ in range(3):
        _read(db, db.cast.auditor, auditing_roles()[0])
    second = verify(db, files=files)
    assert first.intact and second.intact
    assert (second.root, second.events_checked) == (first.root, first.events_checked)


def test_each_reader_gets_its_part_of_the_log(db):
    cast = db.cast
    grant = db.grant
    reviewer = cast.reviewers[0]
    _read(db, reviewer, panel_roles()[0], kind="review_document_file")
    _read(db, cast.screening_officer, cast.screening_officer.roles[0], kind="review_content")
    other_organisation = next(o.id for o in cast.organisations if o.id != grant.organisation_id)
    _read(db, cast.auditor, auditing_roles()[0], organisation_id=other_organisation, grant_id=None)

    applicant = cast.applicants[grant.organisation_id]
    assert applicant.roles[0] in organisation_roles()
    own = access_log_scope(applicant)
    everything = access_log_scope(cast.auditor)
    assert own is not None and own.organisation_id == grant.organisation_id
    assert everything is not None and everything.organisation_id is None
    for refused in (cast.screening_officer, reviewer, cast.finance, cast.approver):
        assert access_log_scope(refused) is None

    with db.reading() as session:
        all_rows, total = access_events(session, everything, AccessFilters(), 1000, 0)
        own_rows, own_total = access_events(session, own, AccessFilters(), 1000, 0)
        by_reviewer, _ = access_events(session, own, AccessFilters(user_id=reviewer.id), 1000, 0)
        stored = session.exec(select(AccessEvent)).all()
    assert total == len(stored) == len(all_rows)
    assert own_total == sum(1 for e in stored if e.organisation_id == grant.organisation_id)
    assert {row.event.organisation_id for row in own_rows} == {grant.organisation_id}
    panel = [row for row in own_rows if row.event.role in panel_roles()]
    assert panel and all(r.anonymised and r.reader_name is None for r in panel)
    assert all(r.reader_id is None for r in panel)
    assert by_reviewer == []
    named = [row for row in all_rows if row.event.user_id == reviewer.id]
    assert named and all(r.reader_name == reviewer.name for r in named)
    times = [row.event.occurred_at for row in all_rows]
    assert times == sorted(times, reverse=True)


def test_the_role_a_read_is_served_through_is_one_the_reader_holds_among_those_allowed(db):
    auditor, officer = db.cast.auditor, db.cast.screening_officer
    assert role_among(auditor, auditing_roles()) in auditor.roles
    with pytest.raises(ValueError, match="holds none of the roles"):
        role_among(officer, auditing_roles())
