"""The data agreement's "who may read the deliberation notes", enforced: every option x every
caller x every route that reads the grant, 0 leaks.

A grant is taken past its recommendation with a unique marker in its sealed deliberation notes
and in each member's conflict note. For each option of ``notes_readers`` (set through the API,
proposed by the organisation's signing authority and accepted by the Fund's), every caller
reads the grant, its history, its actions, its documents (every file it may download, PDF text
and DOCX XML), its organisation's agreement and its dossier. The notes may appear in one place
only: an auditing role's dossier, under "governance_and_auditors". A conflict note appears
nowhere. Each leak is named; the test also proves the one allowed appearance does appear, so
the search cannot pass by finding nothing anywhere.
"""

from __future__ import annotations

import asyncio
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest

from models import fictional
from models.data_agreement import NOTES_READERS
from models.fictional.script import Step, steps
from models.provisioning import create_application
from models.tables import User
from models.visibility import auditing_roles
from tests.support.api_support import ApiWorld, module_api_world
from tests.support.reading import pdf_text, without_spaces
from workflows.actions import run_action_inline

pytestmark = pytest.mark.usefixtures("prefect_harness")
ORGANISATION = 1  # its signing authority is a cast applicant (models.fictional)


@dataclass
class Planted:
    world: ApiWorld
    grant_id: int
    organisation_id: int
    notes: str
    conflicts: list[str]
    callers: dict[str, User]


def _texts(data: bytes, name: str) -> str:
    if name.endswith(".pdf"):
        return without_spaces(pdf_text(data))
    if name.endswith((".docx", ".zip")):
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "\n".join(_texts(archive.read(member), member) for member in archive.namelist())
    return data.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def planted(prefect_harness, tmp_path_factory) -> Iterator[Planted]:
    with module_api_world(tmp_path_factory.mktemp("agreement-matrix")) as world:
        organisation, application = fictional.application_for(ORGANISATION, world.cast)
        grant = create_application(world.db, organisation.id, application)
        notes = f"notes{uuid.uuid4().hex[:14]}"
        conflicts: list[str] = []
        for step in steps(world.db, world.cast, grant.id):
            if step.action == "declare_conflict":
                conflicts.append(f"conflict{uuid.uuid4().hex[:14]}")
                step = Step(step.action, step.actor, {"kind": "indirect", "note": conflicts[-1]})
            elif step.action == "recommend":
                step = Step(step.action, step.actor, {**step.payload, "deliberation_notes": notes})
            asyncio.run(
                run_action_inline(
                    grant.id, grant.reference, step.action, step.actor, step.payload, now=step.at
                )
            )
            if step.action == "approve":
                break
        callers = {u.name: u for u in world.everyone()}
        callers["admin"] = world.user_with_roles("admin")
        yield Planted(world, grant.id, organisation.id, notes, conflicts, callers)


def _set_notes_readers(planted: Planted, option: str) -> None:
    world = planted.world
    signer = world.applicant_of(ORGANISATION)
    base = f"/api/v1/organisations/{planted.organisation_id}/data-agreement"
    current = world.client.get(base, headers=world.headers(signer)).json()["current"]
    if current["notes_readers"] == option:
        return
    terms = {k: current[k] for k in ("purposes", "retention_years", "secondary_use", "at_close")}
    proposed = world.client.post(
        f"{base}/proposals", json={**terms, "notes_readers": option}, headers=world.headers(signer)
    )
    assert proposed.status_code == 201, proposed.text
    version = proposed.json()["version"]
    accepted = world.client.post(
        f"{base}/proposals/{version}/acceptance", headers=world.headers(world.cast.approver)
    )
    assert accepted.status_code == 200, accepted.text


def _reads(planted: Planted, user: User, with_files: bool) -> Iterator[tuple[str, str]]:
    """(what, its text) for everything ``user`` may read of the grant."""
    world, grant_id = planted.world, planted.grant_id
    headers = world.headers(user)
    for suffix in ("", "/history", "/actions", "/documents"):
        response = world.client.get(f"/api/v1/grants/{grant_id}{suffix}", headers=headers)
        yield f"GET grant{suffix} ({response.status_code})", response.text
    agreement = f"/api/v1/organisations/{planted.organisation_id}/data-agreement"
    yield "GET data-agreement", world.client.get(agreement, headers=headers).text
    listing = world.client.get(f"/api/v1/grants/{grant_id}/documents", headers=headers)
    if with_files and listing.status_code == 200:
        for document in listing.json():
            file = world.client.get(f"/api/v1/documents/{document['id']}/file", headers=headers)
            if file.status_code == 200:
                yield f"document {document['filename']}", _texts(file.content, document["filename"])
    dossier = world.client.get(f"/api/v1/grants/{grant_id}/dossier", headers=headers)
    if dossier.status_code == 200:
        yield "dossier", _texts(dossier.content, "dossier.zip")


def _may_read_notes(user: User, option: str, what: str) -> bool:
    audits = any(role in auditing_roles() for role in user.roles)
    return what == "dossier" and audits and option == "governance_and_auditors"


@pytest.fixture(scope="module")
def findings(planted: Planted) -> dict[str, Any]:
    leaks: list[str] = []
    shown: list[tuple[str, str, str]] = []
    reads = 0
    # "governance_and_auditors" first, so the files (the agreement does not change them) are
    # read once, under the most open option.
    for index, option in enumerate(
        sorted(NOTES_READERS, key=lambda o: o != "governance_and_auditors")
    ):
        _set_notes_readers(planted, option)
        for name, user in planted.callers.items():
            for what, text in _reads(planted, user, with_files=index == 0):
                reads += 1
                for conflict in planted.conflicts:
                    if conflict in text:
                        leaks.append(f"{option}: {name} reads a conflict note in {what}")
                if planted.notes in text:
                    if _may_read_notes(user, option, what):
                        shown.append((option, name, what))
                    else:
                        leaks.append(f"{option}: {name} reads the deliberation notes in {what}")
    return {"leaks": leaks, "shown": shown, "reads": reads}


def test_every_option_of_the_agreement_is_enforced_0_leaks(findings):
    print(f"agreement visibility matrix: {findings['reads']} reads, {len(findings['leaks'])} leaks")
    assert findings["reads"] > 0
    assert findings["leaks"] == []


def test_the_notes_reach_auditors_exactly_where_the_agreement_lets_them(planted, findings):
    auditors = {
        name
        for name, user in planted.callers.items()
        if any(role in auditing_roles() for role in user.roles)
    }
    assert auditors, "the matrix has no auditing caller"
    assert set(findings["shown"]) == {
        ("governance_and_auditors", name, "dossier") for name in auditors
    }
