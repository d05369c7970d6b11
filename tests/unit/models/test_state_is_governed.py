"""A grant's, an instalment's or a report's state changes only through the lifecycle engine."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from models.engine import apply_action
from models.governed import StateAssignmentError, engine_window
from models.lifecycle import INITIAL_STATE
from models.tables import Grant, Instalment, OutcomeReport
from tests.support.models_support import (
    ORGANISATION,
    PROJECT_TITLE,
    World,
    advance,
    fake_grant,
    fake_instalments,
    fake_report,
    new_grant,
    seeded_world,
)

UNSAVED_FIELDS = {
    Grant: {
        "reference": "FAKE-2026-0001",
        "fund_id": 1,
        "organisation_id": 1,
        "project_title": PROJECT_TITLE,
        "project_description": "Land-based healing (fictional).",
        "community": ORGANISATION["community"],
        "requested_cents": 25_000_000,
        "start_date": date(2027, 4, 1),
        "end_date": date(2028, 3, 31),
    },
    Instalment: {
        "grant_id": 1,
        "sequence": 1,
        "kind": "initial",
        "due_date": date(2027, 4, 1),
        "amount_cents": 5_000_000,
    },
    OutcomeReport: {
        "grant_id": 1,
        "sequence": 1,
        "kind": "final",
        "period_start": date(2027, 4, 1),
        "period_end": date(2028, 3, 31),
        "due_date": date(2028, 5, 30),
    },
}
SUBJECTS = {Grant: "grant", Instalment: "instalment", OutcomeReport: "report"}
LATER_STATE = {Grant: "active", Instalment: "released", OutcomeReport: "accepted"}
governed_models = pytest.mark.parametrize("model", list(UNSAVED_FIELDS), ids=lambda m: m.__name__)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return seeded_world(tmp_path_factory.mktemp("governed"))


@governed_models
def test_a_new_row_starts_in_its_lifecycles_initial_state(model):
    assert model(**UNSAVED_FIELDS[model]).state == INITIAL_STATE[SUBJECTS[model]]


@governed_models
def test_state_cannot_be_assigned_directly(model):
    row = model(**UNSAVED_FIELDS[model])
    with pytest.raises(StateAssignmentError) as refused:
        row.state = LATER_STATE[model]
    assert str(refused.value) == (
        f"{model.__name__}.state cannot be assigned directly; "
        "change it through models.engine.apply_action"
    )
    assert row.state == INITIAL_STATE[SUBJECTS[model]]


@governed_models
def test_a_row_cannot_be_created_in_a_later_state(model):
    with pytest.raises(StateAssignmentError, match="starts at its initial state"):
        model(**UNSAVED_FIELDS[model], state=LATER_STATE[model])


@governed_models
def test_state_cannot_be_slipped_in_through_validation_or_bulk_update(model):
    with pytest.raises(StateAssignmentError):
        model.model_validate({**UNSAVED_FIELDS[model], "state": LATER_STATE[model]})
    row = model(**UNSAVED_FIELDS[model])
    with pytest.raises(StateAssignmentError):
        row.sqlmodel_update({"state": LATER_STATE[model]})


def test_other_fields_of_a_governed_row_stay_assignable():
    grant = fake_grant("draft")
    grant.project_title = "Strong Roots Outreach"
    assert grant.project_title == "Strong Roots Outreach"


def test_the_engine_window_closes_when_its_block_ends_even_on_error():
    grant = fake_grant("draft")
    with pytest.raises(RuntimeError), engine_window():
        grant.state = "submitted"
        raise RuntimeError("the engine failed mid-action")
    assert grant.state == "submitted"
    with pytest.raises(StateAssignmentError):
        grant.state = "in_review"


def test_fakes_built_inside_the_engine_window_hold_any_state():
    assert fake_grant("closing").state == "closing"
    assert [i.state for i in fake_instalments(("released", "held", "initiated"))] == [
        "released",
        "held",
        "initiated",
    ]
    assert fake_report("returned").state == "returned"


def test_a_row_loaded_from_the_database_carries_its_stored_state(world):
    grant_id = new_grant(world)
    advance(world, grant_id, "screen_in")
    with world.db.reading() as session:
        loaded = session.get(Grant, grant_id)
        assert loaded.state == "submitted"
        with pytest.raises(StateAssignmentError):
            loaded.state = "approved"


def test_the_engine_still_moves_the_state_and_the_move_is_stored(world):
    grant_id = new_grant(world)
    submit = advance(world, grant_id, "submit")
    result = apply_action(world.db, grant_id, *submit[:3], now=submit.at)
    assert (result.from_state, result.to_state, result.grant_state) == (
        "draft",
        "submitted",
        "submitted",
    )
    with world.db.reading() as session:
        assert session.get(Grant, grant_id).state == "submitted"


def test_a_state_assigned_in_a_session_is_never_written(world):
    grant_id = new_grant(world)
    with pytest.raises(StateAssignmentError), world.db.transaction() as session:
        session.get(Grant, grant_id).state = "active"
    with world.db.reading() as session:
        assert session.get(Grant, grant_id).state == "draft"


def test_state_cannot_be_assigned_after_a_commit_expires_the_row(world):
    grant_id = new_grant(world)
    with Session(world.db.engine) as session:
        loaded = session.get(Grant, grant_id)
        session.commit()
        with pytest.raises(StateAssignmentError):
            loaded.state = "closed"
        session.add(loaded)
        session.commit()
    with world.db.reading() as session:
        assert session.get(Grant, grant_id).state == "draft"
