"""Nothing sealed or personal in Prefect: flow and task parameters, results, logs, artifacts
and events carry ids only; the grant's own artifact (``grant-<id>``, a row per step) too.

A unique marker is planted in every free-text field a grant's lifecycle touches: the
application, the organisation and its contacts, every user's name, and every string field of
every action payload taken (reviewers' conflict notes and the panel's deliberation notes
included). The grant is then taken through its whole lifecycle, in each execution mode, and
Prefect's database file and its API (flow runs, task runs, logs, artifacts, events) are
searched for the marker: 0 found. A positive control (the grant's reference in its flow run
names, the runs' ids in Prefect's events and in the grant's artifact) shows the search looks
where the data is, and a title written into the grant's artifact is found.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from models import fictional, lifecycle
from models.fictional.script import steps
from models.provisioning import create_application
from models.tables import Contact, Organisation, User
from tests.support.models_support import World
from workflows.actions import run_action_inline
from workflows.deployments import submit_action
from workflows.grant_artifact import artifact_key

pytestmark = pytest.mark.slow


class Planter:
    """Hands out markers sharing one prefix, so one search finds any of them."""

    def __init__(self) -> None:
        self.prefix = f"MKR{uuid.uuid4().hex[:12]}"
        self.planted: list[str] = []

    def mark(self, where: str) -> str:
        marker = f"{self.prefix}{len(self.planted):03d}"
        self.planted.append(f"{where}={marker}")
        return marker

    def text(self, where: str, value: str = "Note") -> str:
        return f"{value} {self.mark(where)}"

    def payload(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload with a marker in every free-text field its schema declares."""
        schema = lifecycle.ACTIONS_BY_KEY[action].payload.model_json_schema()
        planted = dict(payload)
        for name, declared in schema.get("properties", {}).items():
            where = f"{action}.{name}"
            # An optional field (an amendment's) is "anyOf" its type and null: plant the type.
            alternatives = declared.get("anyOf", [declared])
            spec = next((a for a in alternatives if a.get("type") != "null"), declared)
            if self.prefix in str(planted.get(name, "")):
                continue  # already marked where it came from (an amended title is the grant's own)
            if spec.get("type") == "string" and "enum" not in spec and "format" not in spec:
                planted[name] = self.text(where, planted.get(name) or "Note")
            elif spec.get("type") == "array" and spec.get("items", {}).get("type") == "string":
                planted[name] = [self.text(where, item) for item in planted.get(name) or ["Item"]]
        return planted


def plant_in_people(world: World, planter: Planter, organisation_id: int) -> None:
    with world.db.transaction() as session:
        for user in session.exec(select(User)).all():
            user.name = planter.text("user.name", user.name)
            session.add(user)
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        organisation.legal_name = planter.text("organisation.legal_name", organisation.legal_name)
        organisation.operating_name = planter.text("organisation.operating_name")
        organisation.address = planter.text("organisation.address", organisation.address)
        session.add(organisation)
        for contact in session.exec(
            select(Contact).where(Contact.organisation_id == organisation_id)
        ).all():
            contact.name = planter.text("contact.name", contact.name)
            contact.title = planter.text("contact.title", contact.title)
            session.add(contact)


def new_marked_grant(world: World, planter: Planter) -> Any:
    organisation, application = fictional.application_for(0, world.cast)
    plant_in_people(world, planter, organisation.id)  # type: ignore[arg-type]
    for field in ("project_title", "project_description", "community"):
        application[field] = planter.text(f"application.{field}", application[field])
    return create_application(world.db, organisation.id, application)


def drive_inline(world: World, grant: Any, planter: Planter) -> int:
    taken = 0
    for action, who, payload, at in steps(world.db, world.cast, grant.id, "info_requested"):
        marked = planter.payload(action, payload)
        asyncio.run(run_action_inline(grant.id, grant.reference, action, who, marked, now=at))
        taken += 1
    return taken


def drive_through_workers(world: World, grant: Any, planter: Planter) -> int:
    from workflows.worker import Worker, WorkerSettings

    settings = WorkerSettings(poll_seconds=0.2, heartbeat_seconds=0.5, lease_seconds=2)
    taken = 0
    for action, who, payload, _ in steps(world.db, world.cast, grant.id, "info_requested"):
        marked = planter.payload(action, payload)
        asyncio.run(submit_action(grant.id, grant.reference, action, who, marked))
        worker = Worker(settings, log=lambda _: None)  # a new one each step, with its lease
        assert asyncio.run(worker.run(asyncio.Event(), until_idle=True)) == 1
        taken += 1
    return taken


def flush_prefect_queues() -> None:
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=30)
    EventsWorker.drain_all(timeout=30)


def prefect_database_bytes() -> bytes:
    from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL

    url = PREFECT_API_DATABASE_CONNECTION_URL.value()
    path = Path(url.split("///", 1)[1])
    return b"".join(
        candidate.read_bytes()
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-journal"))
        if candidate.exists()
    )


async def prefect_api_text(grant_id: int) -> tuple[str, list[str]]:
    """Everything Prefect's API says about the grant's flow runs, and their ids."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterTags,
        LogFilter,
        LogFilterFlowRunId,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
    )

    parts: list[str] = []
    async with get_client() as client:
        # Page through: earlier tests' grants of the same id on this Prefect server carry the
        # same tag, and one page (Prefect's default limit) may end before this grant's runs.
        runs = []
        for offset in range(0, 100_000, 200):
            page = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[f"grant:{grant_id}"])),
                limit=200,
                offset=offset,
            )
            runs += page
            if len(page) < 200:
                break
        ids = [run.id for run in runs]
        parts += [run.model_dump_json() for run in runs]
        for offset in range(0, 10_000, 200):
            tasks = await client.read_task_runs(
                task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=ids)),
                limit=200,
                offset=offset,
            )
            parts += [task.model_dump_json() for task in tasks]
            if len(tasks) < 200:
                break
        for offset in range(0, 100_000, 200):
            logs = await client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=ids)),
                limit=200,
                offset=offset,
            )
            parts += [log.model_dump_json() for log in logs]
            if len(logs) < 200:
                break
        # The grant's artifact by its runs, and by its key too: a version written outside its
        # runs is searched. Paged: earlier tests' grants of the same id wrote the same key.
        artifacts = []
        for wanted in (
            ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=ids)),
            ArtifactFilter(key=ArtifactFilterKey(any_=[artifact_key(grant_id)])),
        ):
            for offset in range(0, 100_000, 200):
                page = await client.read_artifacts(artifact_filter=wanted, limit=200, offset=offset)
                artifacts += page
                if len(page) < 200:
                    break
        parts += [artifact.model_dump_json() for artifact in artifacts]
        parts.append(await events_text(str(client.api_url)))
    return "\n".join(parts), [str(run_id) for run_id in ids]


async def events_text(api_url: str) -> str:
    """Every event Prefect recorded in the last hour, page by page."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    body = {
        "filter": {
            "occurred": {
                "since": (now - timedelta(hours=1)).isoformat(),
                "until": (now + timedelta(minutes=1)).isoformat(),
            }
        },
        "limit": 50,
    }
    pages = []
    async with httpx.AsyncClient(base_url=api_url.rstrip("/") + "/", timeout=30) as http:
        answer = (await http.post("events/filter", json=body)).raise_for_status().json()
        pages.append(json.dumps(answer["events"]))
        while answer.get("next_page"):
            answer = (await httpx.AsyncClient(timeout=30).get(answer["next_page"])).json()
            pages.append(json.dumps(answer["events"]))
    return "\n".join(pages)


def search_prefect(grant: Any, planter: Planter) -> dict[str, int]:
    flush_prefect_queues()
    time.sleep(3)  # the server writes events in batches
    api, run_ids = asyncio.run(prefect_api_text(grant.id))
    stored = prefect_database_bytes()
    prefix = planter.prefix
    found = {
        "database": stored.count(prefix.encode()),
        "api": api.count(prefix),
    }
    # The positive control: the search reads where Prefect keeps these runs.
    assert grant.reference.encode() in stored, "the grant's flow runs are not in that database"
    assert run_ids and all(run_id in api for run_id in run_ids)
    # Prefect's event feed is not kept (``service.environment.PREFECT_SERVICES_UNUSED``): the
    # runs' state-change events reach its server, which records the runs from them, and are
    # never stored, here or in its database.
    assert '"prefect.flow-run.' not in api
    assert b"prefect.flow-run.Completed" not in stored
    latest = asyncio.run(latest_grant_artifact(run_ids))
    assert latest.key == artifact_key(grant.id) and json.dumps(latest.data) in api
    # The grant's steps, each a run of this grant (the tag also finds earlier tests' grants of
    # the same id on this Prefect server, so a subset).
    steps = json.loads(latest.data)
    assert steps and {row["flow_run_id"] for row in steps} <= set(run_ids)
    return found


async def latest_grant_artifact(run_ids: list[str]) -> Any:
    """The newest version of the grant's artifact its own flow runs wrote."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )
    from prefect.client.schemas.sorting import ArtifactSort

    async with get_client() as client:
        versions = await client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[uuid.UUID(run) for run in run_ids]),
                key=ArtifactFilterKey(exists_=True),
            ),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    assert versions, "the grant's flow runs wrote no artifact"
    return versions[0]


def a_leaked_title_is_found(grant: Any, planter: Planter) -> bool:
    """Write a title into the grant's artifact, as a leak would, and search again."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import ArtifactCreate

    title = planter.text("artifact.leaked_title", "Title")

    async def leak() -> None:
        async with get_client() as client:
            await client.create_artifact(
                ArtifactCreate(
                    key=artifact_key(grant.id),
                    type="table",
                    data=json.dumps([{"step": 1, "title": title}]),
                )
            )

    asyncio.run(leak())
    api, _ = asyncio.run(prefect_api_text(grant.id))
    return title in api


@pytest.mark.parametrize("mode", ["inline", "deployment"])
def test_no_marker_planted_in_a_lifecycles_free_text_reaches_prefect(
    deployment_world: World, mode: str
) -> None:
    world = deployment_world
    planter = Planter()
    grant = new_marked_grant(world, planter)
    drive = drive_inline if mode == "inline" else drive_through_workers
    taken = drive(world, grant, planter)

    found = search_prefect(grant, planter)
    fields = sorted({entry.split("=")[0] for entry in planter.planted})
    print(
        f"\n{mode}: {taken} steps, {len(planter.planted)} markers in {len(fields)} fields; "
        f"found in Prefect's database: {found['database']}, in its API: {found['api']}"
    )
    assert {"declare_conflict.note", "recommend.deliberation_notes"} <= set(fields)
    assert found == {"database": 0, "api": 0}, planter.planted
    assert a_leaked_title_is_found(grant, planter)
