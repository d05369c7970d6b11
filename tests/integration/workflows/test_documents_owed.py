"""A step never half-happens: a committed step has all its documents, or owes them visibly.

Fault injection (``GRANTFLOW_TEST_FAIL_RENDER``) makes rendering fail for each
document-producing step of a grant's lifecycle in turn, with real Prefect and a real database
(SQLite, and PostgreSQL in the PostgreSQL pass). The step commits; its documents stay owed
and the grant shows them pending to staff; once the fault clears, the owed-documents flow
produces every one of them, and a repeat of the request (same Idempotency-Key) completes the
step's answer.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlmodel import select

from models import fictional, lifecycle
from models.fictional.script import steps
from models.provisioning import create_application
from models.tables import OwedDocument, StoredDocument
from service.views import grant_public, named_grants
from workflows import owed_documents
from workflows.actions import run_action_inline
from workflows.faults import FAIL_RENDER
from workflows.owed_documents import settle_owed_documents

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]


@pytest.fixture(autouse=True)
def retries_without_the_pause(monkeypatch):  # type: ignore[no-untyped-def]
    """The rendering task keeps its three attempts (asserted below) without the one-second
    pause before each retry: in a lifecycle faulted at every document-producing step those
    pauses were more than half the test's time. The pause itself is production policy, and
    stays as it is."""
    task = owed_documents.render_and_store
    assert task.retries == 2 and task.retry_delay_seconds == 1
    monkeypatch.setattr(
        owed_documents, "render_and_store", task.with_options(retry_delay_seconds=0)
    )


def pending_for(db, grant_id: int, user) -> list[str]:  # type: ignore[no-untyped-def]
    from models.tables import Grant

    with db.reading() as session:
        shown = session.exec(named_grants().where(Grant.id == grant_id)).one()
        return grant_public(session, shown, user).documents_pending


def stored_kinds(db, event_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with db.reading() as session:
        rows = session.exec(
            select(StoredDocument).where(StoredDocument.audit_event_id == event_id)
        ).all()
    return sorted((row.kind, row.format) for row in rows)


def open_owed(db) -> list[OwedDocument]:  # type: ignore[no-untyped-def]
    with db.reading() as session:
        return list(
            session.exec(select(OwedDocument).where(OwedDocument.stored_at.is_(None))).all()  # type: ignore[union-attr]
        )


# "info_requested" is the "full" script with an information round before screening (request,
# amendment, a second submit), so it faults every document-producing step "full" takes and
# more; "full" on its own would repeat a whole faulted lifecycle (about 80 s a pass) for nothing.
@pytest.mark.parametrize("variant", ["declined_at_approval", "info_requested"])
def test_every_step_whose_rendering_fails_commits_and_owes_its_documents_until_produced(
    installation, monkeypatch, variant
):
    db = installation
    cast = fictional.seed(db)
    officer = cast.screening_officer
    organisation, application = fictional.application_for(1, cast)
    grant = create_application(db, organisation.id, application)
    faulted: list[str] = []
    for action, who, payload, at in steps(db, cast, grant.id, variant):
        kinds = list(lifecycle.ACTIONS_BY_KEY[action].documents)
        key = str(uuid.uuid4())
        if kinds:
            monkeypatch.setenv(FAIL_RENDER, "*")
        outcome = asyncio.run(
            run_action_inline(
                grant.id, grant.reference, action, who, payload, idempotency_key=key, now=at
            )
        )
        monkeypatch.delenv(FAIL_RENDER, raising=False)
        if not kinds:
            continue
        faulted.append(action)
        # Committed, with nothing produced and everything owed, visibly.
        assert outcome.to_state is not None and outcome.documents == []
        assert outcome.documents_pending == kinds
        assert pending_for(db, grant.id, officer) == kinds
        owed = [row for row in open_owed(db) if row.audit_event_id == outcome.event_id]
        assert all(row.attempts == 3 and row.last_error for row in owed), owed

        settled = asyncio.run(settle_owed_documents())
        assert settled is not None and settled["still_owed"] == 0
        expected = sorted((kind, fmt) for kind in kinds for fmt in ("docx", "pdf"))
        assert stored_kinds(db, outcome.event_id) == expected
        assert pending_for(db, grant.id, officer) == []
        # The request repeated with its key is answered whole, and changes nothing.
        again = asyncio.run(
            run_action_inline(
                grant.id, grant.reference, action, who, payload, idempotency_key=key, now=at
            )
        )
        assert again.replayed and again.event_id == outcome.event_id
        assert again.documents_pending == []
        assert sorted((d["kind"], d["format"]) for d in again.documents) == expected
    assert open_owed(db) == []
    print(f"\n{variant}: rendering failed for {len(faulted)} steps: {', '.join(faulted)}")
    assert faulted


def test_one_failing_kind_leaves_the_others_stored_and_a_repeat_completes_the_step(
    installation, monkeypatch
):
    db = installation
    cast = fictional.seed(db)
    organisation, application = fictional.application_for(0, cast)
    grant = create_application(db, organisation.id, application)
    key = str(uuid.uuid4())
    for action, who, payload, at in steps(db, cast, grant.id):
        if action != "approve":
            asyncio.run(run_action_inline(grant.id, grant.reference, action, who, payload, now=at))
            continue
        monkeypatch.setenv(FAIL_RENDER, "grant_agreement")
        first = asyncio.run(
            run_action_inline(
                grant.id, grant.reference, action, who, payload, idempotency_key=key, now=at
            )
        )
        assert first.grant_state == "approved"
        assert first.documents_pending == ["grant_agreement"]
        assert {d["kind"] for d in first.documents} == {"approval_memo", "decision_letter"}
        # Still failing: the repeat is answered from the record, still owing the agreement.
        still = asyncio.run(
            run_action_inline(
                grant.id, grant.reference, action, who, payload, idempotency_key=key, now=at
            )
        )
        assert still.replayed and still.documents_pending == ["grant_agreement"]
        monkeypatch.delenv(FAIL_RENDER)
        done = asyncio.run(
            run_action_inline(
                grant.id, grant.reference, action, who, payload, idempotency_key=key, now=at
            )
        )
        assert done.replayed and done.documents_pending == []
        assert {d["kind"] for d in done.documents} == {
            "approval_memo",
            "decision_letter",
            "grant_agreement",
        }
        break
    assert open_owed(db) == []


def test_grantflow_documents_retry_produces_what_is_owed_and_says_when_it_cannot(
    installation, monkeypatch, tmp_path
):
    import os
    import subprocess
    import sys

    from prefect.settings import PREFECT_API_URL

    db = installation
    cast = fictional.seed(db)
    organisation, application = fictional.application_for(2, cast)
    grant = create_application(db, organisation.id, application)
    action, who, payload, _ = next(steps(db, cast, grant.id))
    monkeypatch.setenv(FAIL_RENDER, "acknowledgement_of_receipt")
    outcome = asyncio.run(run_action_inline(grant.id, grant.reference, action, who, payload))
    assert outcome.documents_pending == ["acknowledgement_of_receipt"]

    def retry(**extra: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), **extra}
        env.pop(FAIL_RENDER, None)
        env.update(extra)
        return subprocess.run(
            [sys.executable, "-m", "service.cli", "documents", "retry"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    still_failing = retry(**{FAIL_RENDER: "acknowledgement_of_receipt"})
    assert still_failing.returncode == 1, still_failing.stdout + still_failing.stderr
    assert "1 still owed" in still_failing.stdout
    fixed = retry()
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "0 still owed" in fixed.stdout
    assert [kind for kind, _ in stored_kinds(db, outcome.event_id)] == [
        "acknowledgement_of_receipt"
    ] * 2
    assert retry().stdout.strip() == "no documents are owed"


def test_serves_catch_up_gives_the_run_gate_back_after_each_step(installation, monkeypatch):
    """While in-process runs take turns (Prefect on SQLite), an action arriving during a
    catch-up of owed documents runs after the step being produced, not after the whole batch;
    every owed document is still produced, each step once."""
    from workflows.actions import run_gate
    from workflows.gate import needs_run_gate

    assert needs_run_gate(), "the harness's Prefect is on SQLite: runs take turns"
    db = installation
    cast = fictional.seed(db)
    owing = []
    monkeypatch.setenv(FAIL_RENDER, "*")
    for index in range(3):
        organisation, application = fictional.application_for(index, cast)
        grant = create_application(db, organisation.id, application)
        action, who, payload, _ = next(steps(db, cast, grant.id))
        owing.append(
            asyncio.run(run_action_inline(grant.id, grant.reference, action, who, payload))
        )
    monkeypatch.delenv(FAIL_RENDER)
    assert all(outcome.documents_pending for outcome in owing)
    organisation, application = fictional.application_for(3, cast)
    waiting = create_application(db, organisation.id, application)
    action, who, payload, _ = next(steps(db, cast, waiting.id))

    order: list[tuple[str, int]] = []
    first_step_started = asyncio.Event()
    produce = owed_documents.produce_owed

    async def recorded(event_id: int):  # type: ignore[no-untyped-def]
        order.append(("step", event_id))
        first_step_started.set()
        return await produce(event_id)

    monkeypatch.setattr(owed_documents, "produce_owed", recorded)

    async def an_action_during_the_catch_up():  # type: ignore[no-untyped-def]
        await first_step_started.wait()
        outcome = await run_action_inline(waiting.id, waiting.reference, action, who, payload)
        order.append(("action", outcome.event_id))
        return outcome

    async def both():  # type: ignore[no-untyped-def]
        return await asyncio.gather(
            owed_documents.settle_in_turns(run_gate), an_action_during_the_catch_up()
        )

    settled, outcome = asyncio.run(both())
    assert outcome.documents_pending == [] and outcome.documents
    assert settled == {"steps_tried": 3, "still_owed": 0}
    steps_in_order = [event for kind, event in order if kind == "step"]
    assert sorted(steps_in_order) == sorted(o.event_id for o in owing)  # each step once
    assert [kind for kind, _ in order] == ["step", "action", "step", "step"], order
    for owed in owing:
        assert len(stored_kinds(db, owed.event_id)) == 2 * len(owed.documents_pending)
    assert open_owed(db) == []
