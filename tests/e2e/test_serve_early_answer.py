"""A real ``grantflow serve`` killed after answering early leaves the step's documents owed,
and a later owed-documents run produces them: answered early is never lost.

The serve process is told to stop its run just after the transition commits
(``GRANTFLOW_TEST_HOLD_AT=after-transition:submit``: the run waits there, the service still
answers), then it and its Prefect server are killed with SIGKILL, as a machine failure
would. ``grantflow documents retry`` then produces the acknowledgement. All data is fictional.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from models.tables import OwedDocument, StoredDocument
from tests.support.serving import GRANTFLOW, Serving, clean_env, processes_of

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """A data directory with the fictional cast and one draft; the draft and its token."""
    from models import fictional
    from models.provisioning import create_application
    from service.users import rotate_token
    from workflows.runtime import database, reset_caches

    data_dir = tmp_path / "data"
    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(data_dir))
    for name in ("GRANTFLOW_DATABASE_URL", "GRANTFLOW_DOCUMENT_DIR"):
        monkeypatch.delenv(name, raising=False)
    reset_caches()
    db = database()
    db.create_schema()
    cast = fictional.seed(db)
    organisation, data = fictional.application_for(0, cast)
    grant = create_application(db, organisation.id, data)
    token = rotate_token(db, cast.applicants[organisation.id].id)  # type: ignore[arg-type]
    yield {"data_dir": data_dir, "grant_id": grant.id, "token": token, "db": db}
    db.dispose()
    reset_caches()


def submit_early(serving: Serving, installation: dict) -> httpx.Response:
    """The draft's ``submit``, asking for the early answer."""
    return httpx.post(
        f"{serving.base_url}/api/v1/grants/{installation['grant_id']}/actions/submit",
        headers={"Authorization": f"Bearer {installation['token']}", "Prefer": "respond-async"},
        timeout=120,
    )


def owed_and_stored(db, grant_id: int) -> tuple[list[OwedDocument], list[StoredDocument]]:  # type: ignore[no-untyped-def]
    with db.reading() as session:
        owed = session.exec(select(OwedDocument).where(OwedDocument.grant_id == grant_id)).all()
        stored = session.exec(
            select(StoredDocument).where(StoredDocument.grant_id == grant_id)
        ).all()
        return list(owed), list(stored)


def test_a_serve_killed_after_answering_early_leaves_the_documents_owed_until_produced(
    installation: dict, tmp_path: Path
) -> None:
    data_dir, grant_id, db = installation["data_dir"], installation["grant_id"], installation["db"]
    marker = tmp_path / "held"
    serving = Serving(
        data_dir,
        tmp_path / "serve.log",
        env={
            "GRANTFLOW_TEST_HOLD_AT": "after-transition:submit",
            "GRANTFLOW_TEST_HOLD_FILE": str(marker),
        },
    ).start()
    try:
        serving.wait_healthy()
        response = submit_early(serving, installation)
        assert response.status_code == 202, f"{response.text}\n{serving.log()}"
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert time.monotonic() < deadline, f"serve never held its run:\n{serving.log()}"
            time.sleep(0.1)
    finally:
        assert serving.process is not None
        for pid in processes_of(serving.process.pid):  # serve and its Prefect server
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        serving.process.wait(timeout=30)
    body = response.json()
    assert body["documents"] == [] and body["documents_pending"] == ["acknowledgement_of_receipt"]

    owed, stored = owed_and_stored(db, grant_id)
    assert [(row.audit_event_id, row.stored_at) for row in owed] == [(body["event_id"], None)]
    assert stored == []

    retried = subprocess.run(
        [str(GRANTFLOW), "documents", "retry"],
        env=clean_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert retried.returncode == 0, retried.stdout + retried.stderr

    owed, stored = owed_and_stored(db, grant_id)
    assert all(row.stored_at is not None for row in owed), owed
    assert {(d.kind, d.format) for d in stored} >= {
        ("acknowledgement_of_receipt", "pdf"),
        ("acknowledgement_of_receipt", "docx"),
    }
    assert {d.audit_event_id for d in stored} == {body["event_id"]}
    files = [(d.kind, d.format, d.language, d.subject_key) for d in stored]
    assert len(files) == len(set(files))


def test_serve_stopped_after_answering_early_finishes_the_documents_first(
    installation: dict, tmp_path: Path
) -> None:
    data_dir, grant_id, db = installation["data_dir"], installation["grant_id"], installation["db"]
    serving = Serving(data_dir, tmp_path / "serve.log").start()
    try:
        serving.wait_healthy()
        response = submit_early(serving, installation)
    finally:
        returncode = serving.stop(signal.SIGINT)
    assert response.status_code == 202, f"{response.text}\n{serving.log()}"
    assert returncode == 0, serving.log()
    log = serving.log()
    # Stopped at once after the answer, serve waited for the run (its documents were still
    # being made) rather than cutting it off.
    assert "stopping: waiting up to 30 s for 1 run(s) answered early" in log, log
    assert "their documents stay owed" not in log, log

    owed, stored = owed_and_stored(db, grant_id)
    assert owed and all(row.stored_at is not None for row in owed), owed
    assert {(d.kind, d.format) for d in stored} >= {
        ("acknowledgement_of_receipt", "pdf"),
        ("acknowledgement_of_receipt", "docx"),
    }
    assert {d.flow_run_id for d in stored} == {response.json()["flow_run_id"]}
