"""``Database.reading``, on SQLite and PostgreSQL: a reading session writes nothing, whichever
way a write is sent (an ORM flush, a Core statement, driver SQL), and what it refused is not in
the database afterwards; writing sessions are untouched. On PostgreSQL a reading session's
statements each run on their own (autocommit: no BEGIN, no ROLLBACK), which is why the refusal
matters there: an autocommitted write would stay written."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, text, update
from sqlmodel import select

from models.db import Database, ReadingWrites
from models.tables import Organisation
from tests.support.databases import seeded_database

pytestmark = pytest.mark.both_databases


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    with seeded_database(request.param, tmp_path_factory.mktemp("reading")) as (database, _):
        yield database


def _names(db: Database) -> list[str]:
    with db.transaction() as session:
        return list(session.exec(select(Organisation.legal_name).order_by(Organisation.id)))


def test_an_orm_change_made_in_a_reading_session_is_refused_when_flushed(db: Database) -> None:
    before = _names(db)
    with pytest.raises(ReadingWrites, match="may not write"), db.reading() as session:
        organisation = session.exec(select(Organisation).order_by(Organisation.id)).first()
        assert organisation is not None
        organisation.legal_name = "Renamed While Reading"
        session.add(
            Organisation(
                legal_name="Added While Reading", operating_name="Added", business_number="0"
            )
        )
        session.flush()
    assert _names(db) == before


def test_a_change_left_unflushed_is_not_written_by_the_next_query(db: Database) -> None:
    """No autoflush: a later query in the same session does not send the change."""
    before = _names(db)
    with db.reading() as session:
        organisation = session.exec(select(Organisation).order_by(Organisation.id)).first()
        assert organisation is not None
        organisation.legal_name = "Renamed While Reading"
        assert session.exec(select(func.count()).select_from(Organisation)).one() == len(before)
    assert _names(db) == before


@pytest.mark.parametrize(
    "statement",
    [
        update(Organisation).values(legal_name="Renamed By Statement"),
        text("UPDATE organisation SET legal_name = 'Renamed By Text'"),
        text("  \n DELETE FROM organisation"),
        text("INSERT INTO organisation (legal_name) VALUES ('Inserted By Text')"),
    ],
    ids=["core-update", "text-update", "text-delete", "text-insert"],
)
def test_a_write_statement_in_a_reading_session_is_refused(db: Database, statement) -> None:  # type: ignore[no-untyped-def]
    before = _names(db)
    with pytest.raises(ReadingWrites), db.reading() as session:
        session.execute(statement)
    assert _names(db) == before


def test_a_writing_session_still_writes_and_a_reading_one_then_sees_it(db: Database) -> None:
    with db.transaction() as session:
        first = session.exec(select(Organisation).order_by(Organisation.id)).first()
        assert first is not None
        original, first.legal_name = first.legal_name, "Renamed In A Transaction"
    with db.reading() as session:
        assert session.get(Organisation, first.id).legal_name == "Renamed In A Transaction"  # type: ignore[union-attr]
    with db.transaction() as session:
        session.exec(
            update(Organisation).where(Organisation.id == first.id).values(legal_name=original)
        )  # type: ignore[call-overload, arg-type]
    assert _names(db)[0] == original


def test_on_postgresql_each_statement_of_a_reading_session_runs_on_its_own(db: Database) -> None:
    """In a transaction ``now()`` is its start, the same for every statement; autocommitted,
    each statement is a transaction of its own and ``now()`` moves on."""
    if db.is_sqlite:
        pytest.skip("SQLite's reading sessions are deferred transactions (no write lock)")
    with db.reading() as session:
        first = session.execute(text("SELECT now()")).scalar_one()
        time.sleep(0.01)
        second = session.execute(text("SELECT now()")).scalar_one()
    assert second > first
    with db.transaction() as session:
        first = session.execute(text("SELECT now()")).scalar_one()
        time.sleep(0.01)
        second = session.execute(text("SELECT now()")).scalar_one()
    assert second == first


@pytest.mark.parametrize(
    ("wanted", "count"), [([], 0), ([1], 1), ([3, 1, 999_999], 2), ("names", 2)]
)
def test_among_finds_what_an_in_list_finds(
    db: Database, wanted: list[int] | str, count: int
) -> None:
    """``among`` (one array parameter on PostgreSQL) selects exactly the rows ``IN`` does, for
    no value, one, several with one missing, and text values."""
    from models.db import among

    with db.reading() as session:
        if wanted == "names":
            column, values = Organisation.legal_name, _names(db)[:2] + ["Nobody Of That Name"]
        else:
            column, values = Organisation.id, wanted
        expected = session.exec(
            select(Organisation.id).where(column.in_(values)).order_by(Organisation.id)  # type: ignore[attr-defined]
        ).all()
        found = session.exec(
            select(Organisation.id).where(among(session, column, values)).order_by(Organisation.id)
        ).all()
        sql = str(
            select(Organisation.id)
            .where(among(session, column, values))
            .compile(session.get_bind(), compile_kwargs={"render_postcompile": True})
        )
    assert found == expected
    assert len(expected) == count
    if db.is_sqlite:
        assert " IN (" in sql
    else:  # one parameter, whatever the number of values
        assert "= ANY (" in sql and sql.count("%(") == 1, sql
