"""The back-off after failed passwords, and when a session ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.sign_in import (
    ABSOLUTE_LIMIT,
    FREE_FAILURES,
    IDLE_LIMIT,
    LONGEST_WAIT,
    SignInFailures,
    WebSession,
    next_attempt_at,
    session_is_live,
    wait_after,
)

NOW = datetime(2027, 5, 1, 12, 0, tzinfo=UTC)


def test_the_first_failures_cost_nothing_then_the_wait_doubles_up_to_a_ceiling():
    waits = [wait_after(n).total_seconds() for n in range(FREE_FAILURES + 7)]
    assert waits[:FREE_FAILURES] == [0] * FREE_FAILURES
    assert waits[FREE_FAILURES:] == [30, 60, 120, 240, 480, 900, 900]
    assert wait_after(10_000) == LONGEST_WAIT


def test_the_next_attempt_waits_from_the_last_failure():
    assert next_attempt_at(None) is None
    few = SignInFailures(email="a@example.org", failures=2, last_failed_at=NOW)
    assert next_attempt_at(few) is None
    many = SignInFailures(email="a@example.org", failures=FREE_FAILURES + 1, last_failed_at=NOW)
    assert next_attempt_at(many) == NOW + timedelta(seconds=60)


def test_a_session_ends_when_signed_out_idle_or_too_old():
    fresh = WebSession(token_hash="h", csrf_token="c", user_id=1, created_at=NOW, last_seen_at=NOW)
    assert session_is_live(fresh, NOW + IDLE_LIMIT - timedelta(seconds=1))
    assert not session_is_live(fresh, NOW + IDLE_LIMIT)
    used = WebSession(
        token_hash="h",
        csrf_token="c",
        user_id=1,
        created_at=NOW,
        last_seen_at=NOW + ABSOLUTE_LIMIT - timedelta(minutes=1),
    )
    assert not session_is_live(used, NOW + ABSOLUTE_LIMIT)
    ended = WebSession(
        token_hash="h", csrf_token="c", user_id=1, created_at=NOW, last_seen_at=NOW, ended_at=NOW
    )
    assert not session_is_live(ended, NOW)
    naive = WebSession(
        token_hash="h",
        csrf_token="c",
        user_id=1,
        created_at=NOW.replace(tzinfo=None),
        last_seen_at=NOW.replace(tzinfo=None),
    )
    assert session_is_live(naive, NOW)  # SQLite hands times back without their zone
