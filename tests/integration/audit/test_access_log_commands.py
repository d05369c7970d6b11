"""The command line's reads are on the access log too: ``grantflow audit export`` records the
operator's dossier (no user row: the operator), and one that cannot be recorded leaves no
file behind and fails."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from models.access_log import AccessEvent
from models.db import Database
from models.visibility import operator_role
from tests.support.databases import use_installation

pytestmark = pytest.mark.usefixtures("prefect_harness")

REFUSE = {
    "sqlite": (
        "CREATE TRIGGER access_event_refuse_insert BEFORE INSERT ON access_event "
        "BEGIN SELECT RAISE(ABORT, 'the access log is out of order'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION test_refuse_access_event() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'the access log is out of order'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER access_event_refuse_insert BEFORE INSERT ON access_event "
        "FOR EACH ROW EXECUTE FUNCTION test_refuse_access_event()",
    ),
}
ALLOW = {
    "sqlite": ("DROP TRIGGER access_event_refuse_insert",),
    "postgresql": (
        "DROP TRIGGER access_event_refuse_insert ON access_event",
        "DROP FUNCTION test_refuse_access_event()",
    ),
}


@pytest.fixture(scope="module")
def installed(closed_grant) -> Iterator[tuple[Database, object]]:
    from workflows.runtime import reset_caches

    with pytest.MonkeyPatch.context() as patch:
        db = use_installation(patch, closed_grant.root, closed_grant.url)
        yield db, closed_grant.grant
        db.dispose()
    reset_caches()


def _events(db: Database) -> list[AccessEvent]:
    with db.reading() as session:
        return list(session.exec(select(AccessEvent).order_by(AccessEvent.id)).all())


def _run(db: Database, statements: dict[str, tuple[str, ...]]) -> None:
    with db.engine.begin() as connection:
        for statement in statements[db.engine.dialect.name]:
            connection.exec_driver_sql(statement)


def test_the_operators_dossier_export_is_one_read_on_the_log(installed, tmp_path):
    from service.cli import app

    db, grant = installed
    before = _events(db)
    out = tmp_path / "dossier.zip"

    exported = CliRunner().invoke(
        app, ["audit", "export", "--grant", grant.reference, "--out", str(out)]
    )

    assert exported.exit_code == 0, exported.output
    assert zipfile.is_zipfile(out)
    new = [e for e in _events(db) if e.id not in {b.id for b in before}]
    assert len(new) == 1
    event = new[0]
    assert (event.user_id, event.role, event.kind, event.channel) == (
        None,
        operator_role(),
        "dossier",
        "cli",
    )
    assert (event.grant_id, event.organisation_id) == (grant.id, grant.organisation_id)


def test_an_export_that_cannot_be_recorded_leaves_no_file_and_fails(installed, tmp_path):
    from service.cli import app

    db, grant = installed
    before = _events(db)
    out = tmp_path / "unrecorded.zip"
    _run(db, REFUSE)
    try:
        refused = CliRunner().invoke(
            app, ["audit", "export", "--grant", grant.reference, "--out", str(out)]
        )
    finally:
        _run(db, ALLOW)

    assert refused.exit_code == 1, refused.output
    assert "not exported" in refused.output and "access log" in refused.output
    assert not out.exists()
    assert _events(db) == before


@pytest.mark.parametrize(
    ("command", "kind", "suffix"),
    [
        (["org", "export", "--org", "{organisation}"], "organisation_export", "zip"),
        (["export", "grants", "--organisation", "{organisation}"], "csv_export", "csv"),
    ],
)
def test_the_operators_exports_are_each_one_read_and_unrecorded_ones_leave_no_file(
    installed, tmp_path, command, kind, suffix
):
    from service.cli import app

    db, grant = installed
    arguments = [a.format(organisation=grant.organisation_id) for a in command]
    before = _events(db)
    out = tmp_path / f"export.{suffix}"

    exported = CliRunner().invoke(app, [*arguments, "--out", str(out)])

    assert exported.exit_code == 0, exported.output
    assert out.stat().st_size > 0
    new = [e for e in _events(db) if e.id not in {b.id for b in before}]
    assert [(e.user_id, e.role, e.kind, e.channel, e.organisation_id) for e in new] == [
        (None, operator_role(), kind, "cli", grant.organisation_id)
    ]

    unrecorded = tmp_path / f"unrecorded.{suffix}"
    recorded = _events(db)
    _run(db, REFUSE)
    try:
        refused = CliRunner().invoke(app, [*arguments, "--out", str(unrecorded)])
    finally:
        _run(db, ALLOW)
    assert refused.exit_code == 1, refused.output
    assert "access log" in refused.output
    assert not unrecorded.exists()
    assert _events(db) == recorded
