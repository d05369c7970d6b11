"""What a refusal may leave in the audit trail (models.denials): bounded, out of unseen grants'
trails, and counted rather than repeated when a caller repeats it.

Each test acts as its own new user at its own moment (``now``), so the windows of one test
never meet another's.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models import denials
from models.clock import utcnow
from models.engine import record_denial
from models.errors import GuardFailed, NotFound, NotPermitted
from models.tables import AuditEvent
from tests.support.models_support import (
    World,
    audit_events,
    grant,
    new_grant,
    user_holding_only,
)


def outsider(world: World, grant_id: int):  # type: ignore[no-untyped-def]
    """A new applicant of another organisation than the grant's."""
    own = grant(world.db, grant_id).organisation_id
    other = next(org for org in world.cast.applicants if org != own)
    return user_holding_only(world, "applicant", organisation_id=other)


def events_of(world: World, actor_id: int) -> list[AuditEvent]:
    with world.db.reading() as session:
        return list(
            session.exec(
                select(AuditEvent).where(AuditEvent.actor_id == actor_id).order_by(AuditEvent.id)
            )
        )


def test_an_undeclared_action_name_is_stored_as_a_marker_and_the_reason_is_cut(world):
    grant_id = new_grant(world)
    who = outsider(world, grant_id)
    name = "x" * 15_016

    record_denial(world.db, grant_id, name, who, NotFound("n" * 20_000))

    (event,) = events_of(world, who.user_id)  # type: ignore[arg-type]
    assert event.action == denials.UNKNOWN_ACTION
    assert len(event.payload_summary["reason"]) == denials.MAX_REASON
    assert len(str(event.payload_summary)) < 2 * denials.MAX_REASON


def test_a_route_template_is_kept_but_a_raw_url_is_not(world):
    grant_id = new_grant(world)
    who = outsider(world, grant_id)
    template = "GET /api/v1/grants/{grant_id}/history"
    record_denial(world.db, grant_id, "", who, NotFound("no"), route=template)
    record_denial(world.db, grant_id, "", who, NotPermitted("no"), route="GET /x?" + "y" * 500)
    stored = [e.action for e in events_of(world, who.user_id)]  # type: ignore[arg-type]
    assert stored == [template, denials.UNKNOWN_ACTION]


def test_a_404_on_another_organisations_grant_stays_out_of_that_grants_trail(world):
    grant_id = new_grant(world)
    who = outsider(world, grant_id)
    trail = len(audit_events(world.db, grant_id))

    record_denial(world.db, grant_id, "submit", who, NotFound(f"grant {grant_id} does not exist"))

    assert len(audit_events(world.db, grant_id)) == trail
    (event,) = events_of(world, who.user_id)  # type: ignore[arg-type]
    assert (event.grant_id, event.action, event.rule) == (None, "submit", "not-found")
    assert event.payload_summary["requested_grant_id"] == grant_id


def test_a_refusal_on_a_grant_the_caller_sees_is_in_its_trail(world):
    grant_id = new_grant(world)
    auditor = user_holding_only(world, "auditor")
    record_denial(world.db, grant_id, "submit", auditor, NotPermitted("auditors read"))
    assert audit_events(world.db, grant_id)[-1].actor_id == auditor.user_id


def test_repeats_within_a_minute_are_counted_into_one_aggregate_when_the_next_opens(world):
    grant_id = new_grant(world)
    who = outsider(world, grant_id)
    start = utcnow() + timedelta(days=1)
    error = NotFound(f"grant {grant_id} does not exist")

    for second in range(50):  # 50 probes within the first minute
        record_denial(
            world.db, grant_id, "approve", who, error, now=start + timedelta(seconds=second)
        )
    first_minute = events_of(world, who.user_id)  # type: ignore[arg-type]
    assert [(e.outcome, e.action) for e in first_minute] == [("denied", "approve")]
    assert denials.pending_count(world.db) >= 49

    record_denial(world.db, grant_id, "approve", who, error, now=start + timedelta(seconds=61))

    events = events_of(world, who.user_id)  # type: ignore[arg-type]
    assert [e.outcome for e in events] == ["denied", denials.AGGREGATED, "denied"]
    aggregate = events[1]
    assert (aggregate.action, aggregate.rule, aggregate.grant_id) == ("approve", "not-found", None)
    assert aggregate.payload_summary["count"] == 49
    assert aggregate.payload_summary["window_start"] == events[0].occurred_at.isoformat()


def test_kinds_and_rules_are_counted_apart(world):
    grant_id = new_grant(world)
    who = outsider(world, grant_id)
    now = utcnow() + timedelta(days=2)
    for key in ("submit", "withdraw", "submit"):
        record_denial(world.db, grant_id, key, who, NotFound("no"), now=now)
    record_denial(world.db, grant_id, "submit", who, NotPermitted("no"), now=now)
    full = [(e.action, e.rule) for e in events_of(world, who.user_id)]  # type: ignore[arg-type]
    assert full == [("submit", "not-found"), ("withdraw", "not-found"), ("submit", "not-permitted")]
    assert denials.flush_aggregates(world.db) >= 1


def test_another_process_sees_the_open_window_in_the_database(world, monkeypatch):
    grant_id = new_grant(world)
    who = outsider(world, grant_id)
    now = utcnow() + timedelta(days=3)
    record_denial(world.db, grant_id, "sign", who, NotFound("no"), now=now)
    # A second service process: the same database, none of the first one's counts.
    monkeypatch.setattr(denials, "_pending", {})

    record_denial(world.db, grant_id, "sign", who, NotFound("no"), now=now + timedelta(seconds=5))

    assert len(events_of(world, who.user_id)) == 1  # type: ignore[arg-type]
    assert denials.flush_aggregates(world.db) == 1
    events = events_of(world, who.user_id)  # type: ignore[arg-type]
    assert [(e.outcome, e.payload_summary.get("count")) for e in events] == [
        ("denied", None),
        (denials.AGGREGATED, 1),
    ]


def test_a_refusal_inside_a_flow_run_is_always_kept_whole(world):
    grant_id = new_grant(world)
    who = user_holding_only(world, "approver")
    refusal = GuardFailed([("quorum_met", "no quorum")])
    for run in ("run-1", "run-2", "run-3"):
        record_denial(world.db, grant_id, "approve", who, refusal, flow_run_id=run)
    events = events_of(world, who.user_id)  # type: ignore[arg-type]
    assert [(e.flow_run_id, e.grant_id, e.rule) for e in events] == [
        (run, grant_id, "quorum_met") for run in ("run-1", "run-2", "run-3")
    ]


def test_a_failed_write_gives_its_counts_back(world, monkeypatch):
    grant_id = new_grant(world)
    who = outsider(world, grant_id)
    start = utcnow() + timedelta(days=4)
    for second in range(3):
        record_denial(
            world.db, grant_id, "score", who, NotFound("no"), now=start + timedelta(seconds=second)
        )
    held = denials.pending_count(world.db)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(denials, "_window_start", broken)
    with pytest.raises(RuntimeError):
        record_denial(
            world.db, grant_id, "score", who, NotFound("no"), now=start + timedelta(seconds=90)
        )
    assert denials.pending_count(world.db) == held
