"""A grant reads as one workflow in Prefect: one artifact per grant, a version per step.

Read back from the real Prefect API after the session's ``closed_grant`` was taken from
application to close-out by real flow runs (tests/conftest.py). Every test installation of the
session shares one Prefect server and numbers its grants from 1, so the artifacts are found
through this grant's own flow runs, not by key alone.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from uuid import UUID

import pytest

from models import fictional
from models.fictional.script import steps
from models.provisioning import create_application
from workflows.actions import run_action_inline
from workflows.grant_artifact import artifact_key

pytestmark = pytest.mark.usefixtures("prefect_harness")


async def artifacts_of_runs(run_ids: list[str]) -> list[Any]:
    """The artifacts the given flow runs created, oldest first."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.client.schemas.sorting import ArtifactSort

    async with get_client() as client:
        return await client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(run_id) for run_id in run_ids])
            ),
            sort=ArtifactSort.CREATED_DESC,
        )


def rows_of(artifact: Any) -> list[dict[str, Any]]:
    data = artifact.data
    return json.loads(data) if isinstance(data, str) else data


def test_a_grants_whole_lifecycle_is_one_artifact_with_a_version_per_step(closed_grant) -> None:
    outcomes = closed_grant.outcomes
    run_ids = [outcome.flow_run_id for outcome in outcomes]
    versions = list(reversed(asyncio.run(artifacts_of_runs(run_ids))))

    assert {version.key for version in versions} == {artifact_key(closed_grant.grant.id)}
    assert [str(version.flow_run_id) for version in versions] == run_ids
    # Each step's version lists every step so far.
    assert [len(rows_of(version)) for version in versions] == list(range(1, len(outcomes) + 1))

    latest = rows_of(versions[-1])
    assert [row["flow_run_id"] for row in latest] == run_ids
    assert [row["audit_event_id"] for row in latest] == [o.event_id for o in outcomes]
    assert [row["action"] for row in latest] == [o.action for o in outcomes]
    assert [row["to_state"] for row in latest] == [o.to_state for o in outcomes]
    assert all(isinstance(row["request_id"], int) for row in latest)
    assert latest[0]["stage"] == "intake" and latest[-1]["stage"] == "close_out"
    assert latest[-1]["to_state"] == "closed"
    assert "`closed`" in (versions[-1].description or "")
    assert set(latest[0]) == {
        "step",
        "stage",
        "action",
        "subject",
        "subject_id",
        "from_state",
        "to_state",
        "occurred_at",
        "audit_event_id",
        "request_id",
        "flow_run_id",
    }


def test_a_step_whose_artifact_cannot_be_published_still_completes(
    installation, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    db = installation
    cast = fictional.seed(db)
    organisation, application = fictional.application_for(2, cast)
    grant = create_application(db, organisation.id, application)
    action, who, payload, _ = next(iter(steps(db, cast, grant.id)))

    async def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise ConnectionError("Prefect is away")

    monkeypatch.setattr("workflows.grant_artifact.acreate_table_artifact", refuse)
    with caplog.at_level(logging.WARNING, logger="workflows.grant_artifact"):
        outcome = asyncio.run(run_action_inline(grant.id, grant.reference, action, who, payload))

    assert outcome.action == action and outcome.event_id
    assert f"grant {grant.id}: its Prefect artifact was not updated (ConnectionError)" in (
        caplog.text
    )
    assert "Prefect is away" not in caplog.text
