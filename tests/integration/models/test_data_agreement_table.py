"""The data agreement's history is immutable in the database itself (migration 0009), and the
migration gives every existing organisation its first version from its two booleans. Both
databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from models.data_agreement import current_terms
from models.db import Database
from models.migrations import downgrade, upgrade
from tests.support.postgres import postgres_schema

pytestmark = pytest.mark.both_databases
MESSAGE = "append-only"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'agreements.db'}")
        yield database
        database.dispose()
        return
    with postgres_schema() as url:
        database = Database(url)
        yield database
        database.dispose()


def _organisation(connection, allows_notes: bool) -> int:  # type: ignore[no-untyped-def]
    return connection.execute(
        text(
            "INSERT INTO organisation (legal_name, operating_name, business_number, address, "
            "preferred_language, indigenous_led_attested, data_governance_consent, "
            "data_agreement_allows_notes, created_at) VALUES ('Test Org', '', '100000009', '', "
            "'en', true, true, :notes, '2026-01-05 10:00:00') RETURNING id"
        ),
        {"notes": allows_notes},
    ).scalar_one()


def test_the_migration_backfills_each_organisation_from_its_booleans(db: Database) -> None:
    upgrade(db.engine, "0007")
    with db.engine.begin() as connection:
        allowing = _organisation(connection, True)
        withholding = _organisation(connection, False)
    upgrade(db.engine)
    with db.reading() as session:
        allowed, withheld = current_terms(session, allowing), current_terms(session, withholding)
    assert allowed.notes_readers == "governance_and_auditors"
    assert withheld.notes_readers == "governance_body"
    for terms in (allowed, withheld):
        # Nothing was agreed about deleting an existing organisation's data: it is kept.
        assert terms.at_close == "keep" and terms.secondary_use == "none"
        assert terms.purposes == ["grant_administration"] and terms.retention_years == 7
    downgrade(db.engine, "0007")
    upgrade(db.engine)


def _version(connection, organisation_id: int, version: int, accepted: bool) -> None:  # type: ignore[no-untyped-def]
    connection.execute(
        text(
            "INSERT INTO data_agreement_version (organisation_id, version, purposes, "
            "notes_readers, retention_years, secondary_use, at_close, proposed_by_party, "
            "proposed_at, accepted_at) VALUES (:o, :v, '[\"grant_administration\"]', "
            "'governance_body', 7, 'none', 'keep', 'fund', '2026-02-01 10:00:00', "
            + ("'2026-02-02 10:00:00'" if accepted else "NULL")
            + ")"
        ),
        {"o": organisation_id, "v": version},
    )


def test_a_version_is_never_changed_or_removed_only_a_proposal_accepted(db: Database) -> None:
    upgrade(db.engine)
    with db.engine.begin() as connection:
        organisation_id = _organisation(connection, False)
        _version(connection, organisation_id, 1, accepted=True)
        _version(connection, organisation_id, 2, accepted=False)
    refused = (
        "UPDATE data_agreement_version SET notes_readers = 'governance_and_auditors' "
        "WHERE version = 1",
        "UPDATE data_agreement_version SET accepted_at = NULL WHERE version = 1",
        "UPDATE data_agreement_version SET at_close = 'destroy', "
        "accepted_at = '2026-02-03 10:00:00' WHERE version = 2",
        "UPDATE data_agreement_version SET purposes = '[]', "
        "accepted_at = '2026-02-03 10:00:00' WHERE version = 2",
        "DELETE FROM data_agreement_version WHERE version = 2",
        "DELETE FROM data_agreement_version",
    )
    for statement in refused:
        with pytest.raises(DBAPIError, match=MESSAGE), db.engine.begin() as connection:
            connection.execute(text(statement))
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE data_agreement_version SET accepted_at = '2026-02-03 10:00:00' "
                "WHERE version = 2"
            )
        )
    with pytest.raises(DBAPIError, match=MESSAGE), db.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE data_agreement_version SET accepted_at = '2026-02-04 10:00:00' "
                "WHERE version = 2"
            )
        )
