"""``grantflow serve`` answers /healthz before its Prefect server is up, says so on /readyz,
and an action sent meanwhile waits for Prefect and is carried out whole.

A real serve on loopback over a fictional installation seeded in its data directory. Its
Prefect server is held from being called ready (``GRANTFLOW_TEST_HOLD_PREFECT_UNTIL``) until
the test has seen /healthz answer, /readyz say ``starting`` and an applicant's ``submit``
wait; then it is released, /readyz says ``ready`` and the action's answer holds the step, its
flow run and its documents, which Prefect knows.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from models import fictional
from models.db import Database
from models.fictional.script import steps
from models.provisioning import create_application
from service.users import rotate_token
from tests.support.serving import Serving

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def seeded_installation(data_dir: Path) -> tuple[int, str]:
    """A fictional installation in ``data_dir``: a draft grant and its applicant's token."""
    data_dir.mkdir(mode=0o700)
    db = Database(f"sqlite:///{data_dir / 'grantflow.db'}")
    try:
        db.create_schema()
        cast = fictional.seed(db)
        organisation, application = fictional.application_for(0, cast)
        grant = create_application(db, organisation.id, application)
        action, actor, _payload, _at = next(steps(db, cast, grant.id))
        assert action == "submit"
        return grant.id, rotate_token(db, actor.user_id)
    finally:
        db.dispose()


def test_serve_answers_health_first_and_an_early_action_waits_for_prefect(tmp_path):
    data_dir, release = tmp_path / "var", tmp_path / "release-prefect"
    grant_id, token = seeded_installation(data_dir)
    serving = Serving(
        data_dir,
        tmp_path / "serve.log",
        env={"GRANTFLOW_TEST_HOLD_PREFECT_UNTIL": str(release)},
        cold=True,  # a first start, as a new installation's
    ).start()
    answers: list[httpx.Response] = []
    try:
        assert serving.wait_healthy(ready=False) == {"status": "ok"}
        starting = httpx.get(f"{serving.base_url}/readyz", timeout=10)
        assert (starting.status_code, starting.json()) == (503, {"prefect": "starting"})
        assert starting.headers["x-content-type-options"] == "nosniff"

        def submit() -> None:
            answers.append(
                httpx.post(
                    f"{serving.base_url}/api/v1/grants/{grant_id}/actions/submit",
                    json={},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=300,
                )
            )

        def grant_state() -> str:
            grant = httpx.get(
                f"{serving.base_url}/api/v1/grants/{grant_id}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )
            assert grant.status_code == 200, grant.text
            return grant.json()["state"]

        assert grant_state() == "draft"  # reads do not wait for Prefect
        sender = threading.Thread(target=submit)
        sender.start()
        sender.join(timeout=5)
        # The action waits for Prefect, and nothing of it is half done meanwhile.
        assert sender.is_alive() and not answers, answers and answers[0].text
        assert grant_state() == "draft"
        assert httpx.get(f"{serving.base_url}/readyz", timeout=10).status_code == 503

        release.touch()
        assert serving.wait_for("/readyz") == {"prefect": "ready"}
        sender.join(timeout=300)
        assert answers, "the action never answered"
        answer = answers[0]
        assert answer.status_code == 200, answer.text
        outcome = answer.json()
        assert (outcome["action"], outcome["grant_state"]) == ("submit", "submitted")
        assert outcome["flow_run_id"] and outcome["documents_pending"] == []
        assert {d["format"] for d in outcome["documents"]} == {"pdf", "docx"}

        history = httpx.get(
            f"{serving.base_url}/api/v1/grants/{grant_id}/history",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ).json()
        submitted = [event for event in history if event["action"] == "submit"]
        assert len(submitted) == 1
        assert submitted[0]["flow_run_id"] == outcome["flow_run_id"]
        assert submitted[0]["flow_run_status"] == "found"
    finally:
        release.touch()
        returncode = serving.stop()
    assert returncode == 0, serving.log()
    assert "Traceback" not in serving.log_path.read_text(), serving.log()
