"""The audit log's column check: orjson's encoding settles an event only when it is exactly
``leaf_data``'s, and any difference goes to ``leaf_data`` itself.

Verification compares each event's stored leaf data with its columns through orjson (fast),
falling back to ``json`` (the definition) where the bytes differ. These tests generate events
of every shape a row can hold (non-ASCII and control characters, nested payloads, floats,
large integers, naive and aware times) and check that the fast check never disagrees with the
definition: no false alarm on an intact event, no edited column let through.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from models.audit import (
    ROW_FIELDS,
    SORTED_FIELDS,
    column_leaves,
    event_leaf,
    event_rows,
    stored_leaf_mismatches,
)
from models.audit_leaves import LEAF_FIELDS, leaf_data

checks = settings(max_examples=100, deadline=None, database=None)

TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.none()
).flatmap(
    lambda moment: st.sampled_from(
        [moment, moment.replace(tzinfo=UTC), moment.replace(tzinfo=timezone(timedelta(hours=-5)))]
    )
)
OPTIONAL_TEXT = st.none() | TEXT
OPTIONAL_ID = st.none() | st.integers(min_value=1, max_value=2**62)


@st.composite
def events(draw) -> SimpleNamespace:
    fields = {
        "id": draw(st.integers(min_value=1, max_value=2**62)),
        "grant_id": draw(OPTIONAL_ID),
        "subject": draw(TEXT),
        "subject_id": draw(OPTIONAL_ID),
        "actor_id": draw(OPTIONAL_ID),
        "actor_name": draw(TEXT),
        "role": draw(TEXT),
        "action": draw(TEXT),
        "outcome": draw(TEXT),
        "from_state": draw(OPTIONAL_TEXT),
        "to_state": draw(OPTIONAL_TEXT),
        "rule": draw(OPTIONAL_TEXT),
        "payload_summary": draw(st.dictionaries(TEXT, JSON, max_size=5)),
        "flow_run_id": draw(OPTIONAL_TEXT),
        "idempotency_key": draw(OPTIONAL_TEXT),
        "request_hash": draw(OPTIONAL_TEXT),
        "occurred_at": draw(MOMENTS),
    }
    assert set(fields) == set(LEAF_FIELDS)
    return SimpleNamespace(**fields)


def sealed(event: SimpleNamespace) -> SimpleNamespace:
    return SimpleNamespace(**vars(event), leaf=leaf_data(event))


@checks
@given(st.lists(events(), min_size=1, max_size=8))
def test_intact_events_raise_no_alarm_whatever_they_hold(drawn):
    rows = event_rows([sealed(event) for event in drawn])
    assert stored_leaf_mismatches(rows) == []


@checks
@given(st.lists(events(), min_size=1, max_size=8), st.data())
def test_an_edited_column_is_always_found(drawn, data):
    rows = [list(row) for row in event_rows([sealed(event) for event in drawn])]
    victim = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    column = data.draw(st.sampled_from([n for n in SORTED_FIELDS if n != "occurred_at"]))
    position = SORTED_FIELDS.index(column)
    rows[victim][position] = data.draw(
        (JSON if column == "payload_summary" else OPTIONAL_TEXT).filter(
            lambda value: value != rows[victim][position]
        )
    )
    found = stored_leaf_mismatches([tuple(row) for row in rows])
    # Equal canonical JSON means equal values (1 and 1.0, True and 1 are told apart by JSON).
    edited = leaf_data(SimpleNamespace(**dict(zip(ROW_FIELDS, rows[victim], strict=True))))
    assert found == ([victim] if edited != rows[victim][-1] else [])


@checks
@given(events())
def test_orjson_writes_leaf_data_byte_for_byte_for_the_values_a_log_holds(event):
    """The fast path settles nearly every event: for strings, whole numbers in 64 bits, UTC
    times and nested payloads orjson's bytes are exactly ``leaf_data``'s."""
    event.occurred_at = event.occurred_at.replace(tzinfo=UTC)
    event.payload_summary = {"text": event.actor_name, "n": event.id, "nested": {"b": [None]}}
    record = {name: getattr(event, name) for name in SORTED_FIELDS}
    fast = orjson.dumps(record, option=orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC)
    assert fast == leaf_data(event)


def plain_event(payload: dict) -> SimpleNamespace:
    event = SimpleNamespace(**{name: None for name in LEAF_FIELDS})
    event.id, event.subject, event.actor_name, event.role = 1, "grant", "Avery", "officer"
    event.action, event.outcome, event.occurred_at = "score", "applied", datetime(2026, 4, 1)
    event.payload_summary = payload
    return sealed(event)


def test_where_orjson_writes_otherwise_the_definition_decides():
    floats = event_rows([plain_event({"large": 1e16, "tiny": 1e-07})])[0]
    assert orjson.dumps(1e-07) == b"1e-7"  # the fast bytes differ: json's are the definition
    assert b'"tiny":1e-07' in floats[-1]
    wide = event_rows([plain_event({"wide": 2**70})])[0]  # orjson refuses it outright
    assert stored_leaf_mismatches([floats, wide]) == []
    forged = (*floats[:-1], floats[-1].replace(b"1e+16", b"1e+17"))
    assert stored_leaf_mismatches([forged, wide]) == [0]
    assert stored_leaf_mismatches([floats, (*wide[:-1], wide[-1].replace(b"2", b"3"))]) == [1]


@checks
@given(st.lists(events(), min_size=1, max_size=8), st.data())
def test_column_leaves_are_what_the_columns_say_whatever_the_stored_leaf_holds(drawn, data):
    """Checkpoints and inclusion proofs hash the stored leaf where it is the columns' canonical
    JSON, and the columns themselves where it is not (edited, or missing): either way the leaf
    of what the columns say, as ``event_leaf`` makes it."""
    events_ = [sealed(event) for event in drawn]
    victim = events_[data.draw(st.integers(min_value=0, max_value=len(events_) - 1))]
    victim.leaf = data.draw(st.sampled_from([None, b"{}", victim.leaf + b" "]))
    assert column_leaves(event_rows(events_)) == [event_leaf(event) for event in events_]
