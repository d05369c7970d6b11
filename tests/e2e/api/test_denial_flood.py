"""Issue 9, item 6: an applicant's probes of another organisation's grant cannot flood the audit
trail (reproduced over the ASGI app: 600 requests, random action names up to 15,016 characters).
"""

from __future__ import annotations

import random
import string
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import func, select

from models import denials, lifecycle
from models.tables import AuditEvent
from service.action_keys import LONGEST_ACTION_KEY
from tests.support.api_support import ApiWorld, make_api_world

pytestmark = pytest.mark.usefixtures("prefect_harness")

REQUESTS = 600


@dataclass
class Flood:
    world: ApiWorld
    grant_a: dict[str, Any]
    grant_b: dict[str, Any]


@pytest.fixture(scope="module")
def flood(prefect_harness, tmp_path_factory) -> Iterator[Flood]:
    from workflows.runtime import database, reset_caches

    directory = tmp_path_factory.mktemp("denial-flood")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRANTFLOW_DATABASE_URL", f"sqlite:///{directory / 'grantflow.db'}")
        patch.setenv("GRANTFLOW_DOCUMENT_DIR", str(directory / "documents"))
        reset_caches()
        world = make_api_world(database())
        yield Flood(
            world,
            grant_a=world.grant_at(0, stop_after="submit"),
            grant_b=world.grant_at(1, stop_after="submit"),
        )
        database().dispose()
    reset_caches()


def _events(world: ApiWorld, *conditions: Any) -> int:
    with world.db.reading() as session:
        return session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()


def _last_id(world: ApiWorld) -> int:
    with world.db.reading() as session:
        return session.exec(select(func.max(AuditEvent.id))).one() or 0


def _probe_names(count: int) -> list[str]:
    """Half well-formed names (declared keys and lookalikes), half junk up to 15,016 chars."""
    rng = random.Random(9)
    names = []
    for n in range(count):
        if n % 3 == 0:
            names.append(rng.choice(lifecycle.ACTIONS).key)
        elif n % 3 == 1:
            names.append("".join(rng.choices(string.ascii_lowercase + "_", k=rng.randint(1, 16))))
        else:
            alphabet = string.ascii_letters + string.digits + "-_.~%"
            names.append("".join(rng.choices(alphabet, k=rng.choice([17, 200, 4_000, 15_016]))))
    names[2] = "a" * 15_016
    return names


def test_600_probes_of_another_organisations_grant_leave_its_trail_alone(flood):
    world, grant_a = flood.world, flood.grant_a
    outsider = world.headers(world.applicant_of(1))
    trail_before = _events(world, AuditEvent.grant_id == grant_a["id"])
    first_new = _last_id(world) + 1
    statuses: dict[int, int] = {}

    started = time.perf_counter()
    for name in _probe_names(REQUESTS):
        response = world.client.post(
            f"/api/v1/grants/{grant_a['id']}/actions/{name}",
            json={"note": "x" * 1000},
            headers=outsider,
        )
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    elapsed = time.perf_counter() - started
    counted = denials.flush_aggregates(world.db)

    assert set(statuses) <= {404, 422}, statuses
    assert _events(world, AuditEvent.grant_id == grant_a["id"]) == trail_before
    written = _events(world, AuditEvent.id >= first_new)
    denied = _events(world, AuditEvent.id >= first_new, AuditEvent.outcome == "denied")
    # At most one full event per declared key probed, plus one aggregate of its repeats.
    assert denied <= len(lifecycle.ACTIONS)
    assert written <= 2 * len(lifecycle.ACTIONS)
    with world.db.reading() as session:
        new = session.exec(select(AuditEvent).where(AuditEvent.id >= first_new)).all()
    assert all(len(e.action) <= LONGEST_ACTION_KEY for e in new)
    assert all(e.action in lifecycle.ACTIONS_BY_KEY for e in new)
    assert all(e.grant_id is None for e in new)
    assert all("note" not in str(e.payload_summary) for e in new), "never the request body"
    declared = sum(1 for name in _probe_names(REQUESTS) if name in lifecycle.ACTIONS_BY_KEY)
    assert denied + counted == declared, "every probe of a real action is on the record once"
    print(
        f"denial flood: {REQUESTS} requests in {elapsed:.1f} s ({statuses}); {written} events "
        f"written ({denied} denied, {written - denied} aggregates of {counted} repeats); "
        f"grant A's trail +{_events(world, AuditEvent.grant_id == grant_a['id']) - trail_before}"
    )


def test_an_unknown_or_overlong_action_name_records_nothing(flood):
    world, grant_a = flood.world, flood.grant_a
    outsider = world.headers(world.applicant_of(1))
    before = _last_id(world)
    for name, status in (
        ("nope", 404),
        ("x" * 15_016, 422),
        ("Submit", 422),
        ("a" * (LONGEST_ACTION_KEY + 1), 422),
    ):
        url = f"/api/v1/grants/{grant_a['id']}/actions/{name}"
        response = world.client.post(url, headers=outsider)
        assert response.status_code == status, (name[:20], response.text[:200])
    assert _last_id(world) == before


def test_an_applicant_refused_on_its_own_grant_is_still_on_that_grants_record(flood):
    world, grant_b = flood.world, flood.grant_b
    applicant = world.headers(world.applicant_of(1))
    before = _events(world, AuditEvent.grant_id == grant_b["id"], AuditEvent.outcome == "denied")
    response = world.client.post(
        f"/api/v1/grants/{grant_b['id']}/actions/approve", json={}, headers=applicant
    )
    assert response.status_code == 403
    after = _events(world, AuditEvent.grant_id == grant_b["id"], AuditEvent.outcome == "denied")
    assert after == before + 1


def test_the_longest_declared_key_bounds_the_action_parameter():
    assert max(len(a.key) for a in lifecycle.ACTIONS) == LONGEST_ACTION_KEY
    assert len(denials.UNKNOWN_ACTION) <= LONGEST_ACTION_KEY
