"""A grant from application to active agreement over a real ``grantflow serve`` on loopback.

Everything is set up through the product's own ways in: ``grantflow users create`` for the
people (each prints its token), the admin's ``POST /api/v1/funds`` and
``POST /api/v1/organisations``, then the lifecycle over real HTTP. The officer asks for more
information, the applicant amends its application and submits it again; only the applicant
user who is the organisation's signing contact may sign (a colleague is neither offered it nor
allowed). The applicant gets its agreement as PDF and DOCX, with the amended title, and the
executed agreement names the signing contact (and says the same in French, asked for once);
another organisation's applicant sees nothing of it. SIGINT stops the server cleanly. All data
is fictional.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from models import lifecycle
from models.clock import fiscal_year_of
from models.payloads import REVIEW_CRITERIA
from service.prefect_server import free_port
from tests.support.reading import docx_text, pdf_text, squash
from tests.support.serving import prefect_auth, seed_prefect_database

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

GRANTFLOW = Path(sys.executable).with_name("grantflow")
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PROBLEM = "application/problem+json"

ORGANISATION_A = {
    "legal_name": "Sweetgrass Crossing Healing Society",
    "operating_name": "Sweetgrass Crossing",
    "business_number": "200000001RR0001",
    "address": "7 Cedar Lane, Heron Falls, ON P0A 1B0",
    "preferred_language": "en",
    "indigenous_led_attested": True,
    "community_resolution_ref": "BCR-200000001-2026",
    "data_governance_consent": True,
    "contacts": [
        {
            "name": "Nova Tallpine",
            "title": "Executive Director",
            "email": "nova@sweetgrass.example.org",
            "phone": "555-0142",
            "signing_authority": True,
            "senior": True,
        },
        {
            "name": "Ellis Riverstone",
            "title": "Program Coordinator",
            "email": "ellis@sweetgrass.example.org",
        },
    ],
}
ORGANISATION_B = {
    "legal_name": "Tamarack Shore Youth Lodge",
    "operating_name": "Tamarack Shore",
    "business_number": "200000002RR0001",
    "address": "19 Portage Road, Loon Narrows, ON P0B 2C0",
    "preferred_language": "en",
    "indigenous_led_attested": True,
    "community_resolution_ref": "BCR-200000002-2026",
    "data_governance_consent": True,
    "contacts": [
        {
            "name": "Sky Whitecloud",
            "title": "Board Chair",
            "email": "sky@tamarack.example.org",
            "signing_authority": True,
            "senior": True,
        },
        {"name": "Jordan Mapleleaf", "title": "Coordinator", "email": "j@tamarack.example.org"},
    ],
}


def clean_env(data_dir: Path) -> dict[str, str]:
    """This process's environment without any Prefect or grantflow setting, plus the data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GRANTFLOW_"))}
    env["GRANTFLOW_DATA_DIR"] = str(data_dir)
    return env


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path, seconds: float = 180):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited early:\n{log.read_text()[-3000:]}"
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def create_user(env: dict[str, str], *options: str) -> str:
    """``grantflow users create ...``; the token is what it prints on stdout."""
    done = subprocess.run(
        [str(GRANTFLOW), "users", "create", *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert token and len(token.split()) == 1, done.stdout
    return token


class Person:
    """Someone holding a token, talking to the server over HTTP."""

    def __init__(self, base_url: str, token: str, name: str) -> None:
        self.name = name
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=180
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, body: Any = None) -> httpx.Response:
        return self.http.post(path, json=body)

    def ok(self, response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, f"{self.name}: {response.text}"
        return response.json() if "json" in response.headers.get("content-type", "") else None

    def act(self, grant_id: int, action: str, payload: dict[str, Any] | None = None) -> dict:
        result = self.ok(self.post(f"/api/v1/grants/{grant_id}/actions/{action}", payload or {}))
        assert result["action"] == action and result["flow_run_id"], result
        return result


def fund_request(first_year: int) -> dict[str, Any]:
    return {
        "code": "SERVE",
        "name_en": "Healing Paths Fund (fictional)",
        "name_fr": "Fonds Sentiers de guérison (fictif)",
        "call_deadline": (datetime.now(UTC) + timedelta(days=60)).isoformat(),
        # The approver of the test below signs for the Fund and countersigns.
        "signer_name": "Sasha Redpine",
        "signer_title": "Director, Healing Paths",
        "signer_title_fr": "Directrice, Sentiers de guérison",
        "signer_email": "sasha.redpine@fund.example",
        "notice_address": "8 Example Crescent\nThunder Bay ON P0P 0P0",
        "notice_email": "notices@fund.example",
        "allocations": {str(first_year + k): 300_000_000 for k in range(4)},
    }


ORIGINAL_TITLE = "River Teachings Mentorship"
AMENDED_TITLE = "River Teachings: Canoe Journey Mentorship"


def application(first_year: int) -> dict[str, Any]:
    return {
        "fund_code": "SERVE",
        "project_title": ORIGINAL_TITLE,
        "project_description": "Land-based mentorship with Elders and survivor mentors for "
        "youth at risk of exploitation (fictional).",
        "community": "Heron Falls (fictional)",
        "start_date": date(first_year, 4, 1).isoformat(),
        "end_date": date(first_year + 1, 3, 31).isoformat(),
        "budget": {str(first_year): 15_000_000},
    }


def assert_not_found(response: httpx.Response) -> None:
    assert response.status_code == 404, f"{response.request.url}: {response.text}"
    assert response.headers["content-type"] == PROBLEM


def test_a_grant_reaches_an_active_agreement_over_a_real_server(tmp_path):
    data_dir, log_path = tmp_path / "var", tmp_path / "serve.log"
    env = clean_env(data_dir)
    port, prefect_port = free_port(), free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = log_path.open("w")
    seed_prefect_database(data_dir)
    serve = subprocess.Popen(
        [str(GRANTFLOW), "serve", "--port", str(port), "--prefect-port", str(prefect_port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = wait_until_healthy(f"{base_url}/healthz", serve, log_path)
        prefect_api = f"http://127.0.0.1:{prefect_port}/api"
        assert health == {"status": "ok"}  # and nothing else (no address, no configuration)

        # -- setting up through the product's own ways in
        admin = Person(
            base_url, create_user(env, "--role", "admin", "--name", "Ari Admin"), "admin"
        )
        first_year = fiscal_year_of(date.today()) + 1
        admin.ok(admin.post("/api/v1/funds", fund_request(first_year - 1)), 201)
        org_a = admin.ok(admin.post("/api/v1/organisations", ORGANISATION_A), 201)
        org_b = admin.ok(admin.post("/api/v1/organisations", ORGANISATION_B), 201)

        def person(name: str, *options: str) -> Person:
            return Person(base_url, create_user(env, "--name", name, *options), name)

        signer, not_signer = ORGANISATION_A["contacts"]
        applicant_a = person(
            "Nova Tallpine",
            "--role",
            "applicant",
            "--org",
            str(org_a["id"]),
            "--email",
            signer["email"],
        )
        colleague_a = person(
            "Ellis Riverstone",
            "--role",
            "applicant",
            "--org",
            str(org_a["id"]),
            "--email",
            not_signer["email"].upper(),
        )
        applicant_b = person("Sky Whitecloud", "--role", "applicant", "--org", str(org_b["id"]))
        officer = person("Avery Northwind", "--role", "officer")
        person("Jesse Clearsky", "--role", "officer")
        reviewers = [
            person("Elder Marguerite Swiftriver", "--role", "reviewer", "--elder"),
            person("Robin Greywing", "--role", "reviewer", "--survivor-advisor"),
            person("Kai Birchwood", "--role", "reviewer"),
        ]
        approver = person(
            "Sasha Redpine", "--role", "approver", "--email", "sasha.redpine@fund.example"
        )
        person("Quinn Ironleaf", "--role", "finance")

        # -- the lifecycle, over HTTP
        grant = applicant_a.ok(applicant_a.post("/api/v1/grants", application(first_year)), 201)
        grant_id = grant["id"]
        assert grant["organisation_id"] == org_a["id"] and grant["state"] == "draft"
        applicant_a.act(grant_id, "submit")
        officer.act(grant_id, "request_info", {"items": ["The second mentor's letter"]})
        amended = applicant_a.act(
            grant_id,
            "amend_application",
            {"project_title": AMENDED_TITLE, "budget": {str(first_year): 16_000_000}},
        )
        assert amended["grant_state"] == "needs_info" and amended["documents"] == []
        grant = applicant_a.ok(applicant_a.get(f"/api/v1/grants/{grant_id}"))
        assert (grant["project_title"], grant["requested_cents"]) == (AMENDED_TITLE, 16_000_000)
        applicant_a.act(grant_id, "submit")
        officer.act(grant_id, "screen_in")
        for reviewer in reviewers:
            reviewer.act(grant_id, "declare_conflict", {"kind": "none"})
            reviewer.act(grant_id, "score", {"scores": dict.fromkeys(REVIEW_CRITERIA, 4)})
        requested = grant["requested_cents"]
        officer.act(
            grant_id,
            "recommend",
            {
                "consensus_rating": 4,
                "rationale": "Survivor-led design, Elder guidance and a sound budget.",
                "recommended_cents": requested,
            },
        )
        approver.act(grant_id, "approve", {"approved_cents": requested, "risk_rating": "low"})
        offered = colleague_a.ok(colleague_a.get(f"/api/v1/grants/{grant_id}/actions"))
        assert "sign" not in {action["key"] for action in offered}
        refused = colleague_a.post(f"/api/v1/grants/{grant_id}/actions/sign", {})
        assert refused.status_code == 409, refused.text
        assert refused.json()["detail"] == (
            f"only a contact with signing authority for {ORGANISATION_A['legal_name']} can "
            "sign, and the address you signed in with is not one of theirs "
            "[signer_has_signing_authority]"
        )
        offered = applicant_a.ok(applicant_a.get(f"/api/v1/grants/{grant_id}/actions"))
        assert "sign" in {action["key"] for action in offered}
        applicant_a.act(grant_id, "sign")
        countersigned = approver.act(grant_id, "countersign")
        assert countersigned["grant_state"] == "active"
        assert applicant_a.ok(applicant_a.get(f"/api/v1/grants/{grant_id}"))["state"] == "active"

        # Every step ran as a flow run on the installation's Prefect server.
        history = officer.ok(officer.get(f"/api/v1/grants/{grant_id}/history"))
        applied = [
            event
            for event in history
            if event["outcome"] == "applied" and lifecycle.action(event["action"])
        ]
        assert [event["action"] for event in applied] == [
            "submit",
            "request_info",
            "amend_application",
            "submit",
            "screen_in",
            *["declare_conflict", "score"] * 3,
            "recommend",
            "approve",
            "sign",
            "countersign",
        ]
        runs = httpx.post(
            f"{prefect_api}/flow_runs/filter",
            json={"flow_runs": {"tags": {"all_": [f"grant:{grant_id}"]}}, "limit": 200},
            auth=prefect_auth(data_dir),
            timeout=30,
        ).json()
        assert {event["flow_run_id"] for event in applied} <= {run["id"] for run in runs}
        assert f"{grant['reference']} · countersign" in {run["name"] for run in runs}

        # -- the applicant's agreement, as PDF and DOCX
        documents = applicant_a.ok(applicant_a.get(f"/api/v1/grants/{grant_id}/documents"))
        kinds = {document["kind"] for document in documents}
        assert {"grant_agreement", "executed_agreement"} <= kinds
        assert not kinds & {"review_summary", "approval_memo"}, kinds  # staff and panel only
        agreement = {d["format"]: d for d in documents if d["kind"] == "grant_agreement"}
        assert set(agreement) == {"pdf", "docx"}
        files = {}
        for fmt, media_type in (("pdf", PDF), ("docx", DOCX)):
            response = applicant_a.get(agreement[fmt]["download_url"])
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == media_type
            assert hashlib.sha256(response.content).hexdigest() == agreement[fmt]["sha256"]
            files[fmt] = response.content
        assert files["pdf"].startswith(b"%PDF")
        for text in (squash(pdf_text(files["pdf"])), squash(docx_text(files["docx"]))):
            assert ORGANISATION_A["legal_name"] in text
            assert AMENDED_TITLE in text and ORIGINAL_TITLE not in text
        executed = {d["format"]: d for d in documents if d["kind"] == "executed_agreement"}
        for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
            text = squash(read(applicant_a.get(executed[fmt]["download_url"]).content))
            assert signer["name"] in text and AMENDED_TITLE in text

        # -- the executed agreement in French, on request, saying what the English one says
        copy_url = f"/api/v1/documents/{executed['pdf']['id']}/other-language"
        french = {d["format"]: d for d in applicant_a.ok(applicant_a.post(copy_url), 201)}
        assert {d["language"] for d in french.values()} == {"fr"}
        for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
            text = squash(read(applicant_a.get(french[fmt]["download_url"]).content))
            assert "Entente de paiement de transfert (signée)" in text
            assert signer["name"] in text and AMENDED_TITLE in text
        again = applicant_a.ok(applicant_a.post(copy_url))  # 200: found, not made twice
        assert {d["id"] for d in again} == {d["id"] for d in french.values()}
        assert_not_found(applicant_b.post(copy_url))

        # -- another organisation's applicant sees none of it
        every_document = officer.ok(officer.get(f"/api/v1/grants/{grant_id}/documents"))
        assert len(every_document) > len(documents)
        for path in ("", "/history", "/documents", "/actions"):
            assert_not_found(applicant_b.get(f"/api/v1/grants/{grant_id}{path}"))
        for document in every_document:
            assert_not_found(applicant_b.get(f"/api/v1/documents/{document['id']}"))
            assert_not_found(applicant_b.get(document["download_url"]))
        listed = applicant_b.ok(applicant_b.get("/api/v1/grants", params={"limit": 100}))
        assert grant_id not in {item["id"] for item in listed["items"]}
        assert listed["total"] == 0
        assert_not_found(applicant_b.post(f"/api/v1/grants/{grant_id}/actions/withdraw", {}))
    finally:
        if serve.poll() is None:
            serve.send_signal(signal.SIGINT)
        try:
            returncode = serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
            raise
        finally:
            log.close()

    output = log_path.read_text()
    assert returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert "Application shutdown complete" in output
    assert not (data_dir / "prefect" / "server.json").exists()
