"""What a grant's answer lists from its related tables (its fiscal years, the documents it
still owes, its amendments), read for a page of grants at once (``service.views.grants_public``):
on SQLite and PostgreSQL, after every step of an amended grant's whole lifecycle and for a page
of grants together, exactly what each grant's tables say read one grant at a time, in order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from models import fictional
from models.engine import apply_action
from models.fictional.script import steps
from models.provisioning import create_application
from models.tables import Amendment, BudgetLine, Grant, OwedDocument, User
from service.views import grants_public, named_grants
from tests.support.databases import seeded_database

pytestmark = pytest.mark.both_databases


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Any]]:
    with seeded_database(request.param, tmp_path_factory.mktemp("related")) as found:
        yield found


def table_by_table(session: Session, grant_id: int) -> dict[str, list[Any]]:
    """What the answer lists, each table read on its own for one grant."""
    years = session.exec(
        select(BudgetLine.fiscal_year)
        .where(BudgetLine.grant_id == grant_id)
        .order_by(BudgetLine.fiscal_year)
    ).all()
    kinds = session.exec(
        select(OwedDocument.kind)
        .where(OwedDocument.grant_id == grant_id, OwedDocument.stored_at.is_(None))  # type: ignore[union-attr]
        .order_by(OwedDocument.id)  # type: ignore[arg-type]
    ).all()
    sequences = session.exec(
        select(Amendment.sequence)
        .where(Amendment.grant_id == grant_id)
        .order_by(Amendment.sequence)  # type: ignore[arg-type]
    ).all()
    return {
        "fiscal_years": list(years),
        "documents_pending": list(dict.fromkeys(kinds)),
        "amendments": list(sequences),
    }


def as_answered(answer: Any) -> dict[str, list[Any]]:
    return {
        "fiscal_years": answer.fiscal_years,
        "documents_pending": answer.documents_pending,
        "amendments": [amendment.sequence for amendment in answer.amendments],
    }


def answers(db: Any, officer: User, ids: list[int]) -> list[dict[str, list[Any]]]:
    with db.reading() as session:
        shown = session.execute(named_grants().where(Grant.id.in_(ids)))  # type: ignore[attr-defined]
        rows = sorted(shown, key=lambda row: row.id)
        return [as_answered(answer) for answer in grants_public(session, rows, officer)]


def expected(db: Any, ids: list[int]) -> list[dict[str, list[Any]]]:
    with db.reading() as session:
        return [table_by_table(session, grant_id) for grant_id in sorted(ids)]


def test_every_step_of_an_amended_lifecycle_answers_as_the_tables_read_one_by_one(world):
    db, cast = world
    officer = cast.screening_officer
    made = []
    for index, variant in enumerate(("amended", "full")):
        organisation, application = fictional.application_for(index, cast)
        made.append((create_application(db, organisation.id, application).id, variant))
    ids = [grant_id for grant_id, _ in made]
    seen = {"fiscal_years": 0, "documents_pending": 0, "amendments": 0}
    for grant_id, variant in made:
        for action, actor, payload, at in steps(db, cast, grant_id, variant):
            apply_action(db, grant_id, action, actor, payload, now=at)
            alone = answers(db, officer, [grant_id])
            assert alone == expected(db, [grant_id]), f"after {action}"
            for field, values in alone[0].items():
                seen[field] += bool(values)
        # A page of several grants reads them together: nothing of one lands on another.
        assert answers(db, officer, ids) == expected(db, ids)
    # Each part was non-empty at some step, so each was compared with something in it.
    assert all(seen.values()), seen
    assert any(len(answer["fiscal_years"]) > 1 for answer in expected(db, ids))
