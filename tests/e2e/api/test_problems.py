"""Every error is an RFC 9457 problem a person can act on; lists page and filter; files download.

One installation for the module: a grant of each of the four demo organisations, each stopped
at a different point of the lifecycle (approved with documents, submitted, in review, draft).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models import fictional, lifecycle
from models.provisioning import create_application
from models.tables import BudgetLine, Grant
from service.limits import MAX_BODY_BYTES
from service.users import revoke_user
from tests.support.api_support import ApiWorld, module_api_world

pytestmark = pytest.mark.usefixtures("prefect_harness")

PROBLEM = "application/problem+json"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Fixture:
    world: ApiWorld
    approved: dict[str, Any]
    submitted: dict[str, Any]
    in_review: dict[str, Any]
    draft: dict[str, Any]

    @property
    def client(self) -> TestClient:
        return self.world.client

    def officer(self, **extra: str) -> dict[str, str]:
        return self.world.headers(self.world.cast.screening_officer, **extra)


@pytest.fixture(scope="module")
def fx(prefect_harness, tmp_path_factory) -> Iterator[Fixture]:
    directory = tmp_path_factory.mktemp("problems")
    with module_api_world(directory, crashes_as_answers=True) as world:
        organisation, data = fictional.application_for(3, world.cast)
        draft = create_application(world.db, organisation.id, data)
        yield Fixture(
            world=world,
            approved=world.grant_at(0, stop_after="approve"),
            submitted=world.grant_at(1, stop_after="submit"),
            in_review=world.grant_at(2, stop_after="screen_in"),
            draft={"id": draft.id, "organisation_id": organisation.id},
        )


def assert_problem(response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(problem), problem
    assert problem["status"] == status
    assert problem["type"].startswith("https://")
    assert problem["title"] and problem["detail"]
    assert problem["instance"] == response.request.url.path
    if code is not None:
        assert problem["type"].rsplit("/", 1)[-1] == code, problem
    return problem


# 400 -------------------------------------------------------------------------------------------

# A multipart body whose part header holds a bare carriage return (what schemathesis sent).
BROKEN_MULTIPART = (
    b'--X\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\rbroken\r\n\r\n'
    b"%PDF-1.7\r\n--X--\r\n"
)
UPLOAD_ROUTES = [
    "/api/v1/documents/verification",
    "/api/v1/documents/{document_id}/organisation-signature",
]


@pytest.mark.parametrize("route", UPLOAD_ROUTES)
def test_a_multipart_body_that_cannot_be_read_is_a_documented_400(fx, route):
    response = fx.client.post(
        route.format(document_id=1),
        content=BROKEN_MULTIPART,
        headers=fx.officer(**{"Content-Type": "multipart/form-data; boundary=X"}),
    )
    problem = assert_problem(response, 400)
    assert "multipart" in problem["detail"].lower(), problem
    documented = fx.client.get("/openapi.json").json()["paths"][route]["post"]["responses"]
    assert "multipart" in documented["400"]["description"]


# 401 -------------------------------------------------------------------------------------------


def _revoked_token(fx: Fixture) -> str:
    user = fx.world.user_with_roles("officer")
    token = fx.world.tokens[user.id]
    revoke_user(fx.world.db, user.id)
    return token


@pytest.mark.parametrize("credentials", ["none", "unknown", "revoked", "basic", "empty"])
def test_a_caller_without_a_working_token_gets_401_with_a_bearer_challenge(fx, credentials):
    authorization = {
        "none": None,
        "unknown": "Bearer gf_not-a-real-token",
        "revoked": f"Bearer {_revoked_token(fx)}" if credentials == "revoked" else None,
        "basic": "Basic dXNlcjpwYXNz",
        "empty": "Bearer ",
    }[credentials]
    headers = {"Authorization": authorization} if authorization else {}
    response = fx.client.get(f"/api/v1/grants/{fx.approved['id']}", headers=headers)
    problem = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "token" in problem["detail"]


# 404 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/grants/999999",
        "/api/v1/grants/999999/actions",
        "/api/v1/grants/999999/history",
        "/api/v1/grants/999999/documents",
        "/api/v1/documents/999999",
        "/api/v1/documents/999999/file",
        "/api/v1/organisations/999999",
    ],
)
def test_an_unknown_object_is_a_404_problem(fx, path):
    problem = assert_problem(fx.client.get(path, headers=fx.officer()), 404, "not-found")
    assert "999999" in problem["detail"]


def test_an_unknown_route_is_a_404_problem(fx):
    assert_problem(fx.client.get("/api/v1/nowhere", headers=fx.officer()), 404)
    assert_problem(fx.client.get("/api/v1/nowhere"), 404)


def test_an_unknown_action_is_a_404_listing_the_real_actions(fx):
    response = fx.client.post(
        f"/api/v1/grants/{fx.approved['id']}/actions/nope", headers=fx.officer()
    )
    problem = assert_problem(response, 404, "unknown-action")
    assert "'nope'" in problem["detail"]
    for action in lifecycle.ACTIONS:
        assert action.key in problem["detail"]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/grants/{2**63}",
        f"/api/v1/grants/{2**63}/actions",
        f"/api/v1/grants/{2**63}/history",
        f"/api/v1/grants/{2**63}/documents",
        f"/api/v1/documents/{2**63}",
        f"/api/v1/documents/{2**63}/file",
        f"/api/v1/organisations/{2**63}",
    ],
)
def test_an_id_beyond_64_bits_is_a_client_error_not_a_crash(fx, path):
    """SQLite cannot bind such an id (OverflowError): it must never reach a query."""
    response = fx.client.get(path, headers=fx.officer())
    assert response.status_code in (404, 422), response.text
    assert_problem(response, response.status_code)


# 405 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/v1/grants/{id}", {"GET"}),
        pytest.param(
            "PUT",
            "/api/v1/grants",
            {"GET", "POST"},
        ),
        ("PATCH", "/api/v1/grants/{id}/actions/submit", {"POST"}),
        ("POST", "/api/v1/documents/1", {"GET"}),
    ],
)
def test_a_method_the_route_does_not_take_is_a_405_saying_which_it_does(fx, method, path, allowed):
    path = path.format(id=fx.approved["id"])
    response = fx.client.request(method, path, headers=fx.officer())
    assert_problem(response, 405)
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


# 409 -------------------------------------------------------------------------------------------


def test_an_action_in_the_wrong_state_is_a_409_naming_the_states_it_applies_to(fx):
    response = fx.client.post(
        f"/api/v1/grants/{fx.submitted['id']}/actions/approve",
        json={"approved_cents": 100, "risk_rating": "low"},
        headers=fx.world.headers(fx.world.cast.approver),
    )
    problem = assert_problem(response, 409, "wrong-state")
    assert "submitted" in problem["detail"]
    assert "it applies to: recommended" in problem["detail"]


def test_a_guard_that_does_not_hold_is_a_409_naming_the_rule(fx):
    response = fx.client.post(
        f"/api/v1/grants/{fx.approved['id']}/actions/lapse", headers=fx.officer()
    )
    problem = assert_problem(response, 409, "rule-failed")
    assert problem["rules"] == ["offer_deadline_passed"]
    assert "[offer_deadline_passed]" in problem["detail"]


def test_a_refused_action_changes_nothing(fx):
    before = fx.client.get(f"/api/v1/grants/{fx.in_review['id']}", headers=fx.officer()).json()
    response = fx.client.post(
        f"/api/v1/grants/{fx.in_review['id']}/actions/recommend",
        json={"consensus_rating": 4, "rationale": "Strong", "recommended_cents": 100},
        headers=fx.officer(),
    )
    assert "quorum_met" in assert_problem(response, 409, "rule-failed")["rules"]
    after = fx.client.get(f"/api/v1/grants/{fx.in_review['id']}", headers=fx.officer()).json()
    assert after == before


# 413 -------------------------------------------------------------------------------------------


def _oversized_json() -> bytes:
    return b'{"project_title": "' + b"x" * (MAX_BODY_BYTES + 1) + b'"}'


def _post_paths(fx: Fixture) -> dict[str, str]:
    return {
        "create": "/api/v1/grants",
        "action": f"/api/v1/grants/{fx.submitted['id']}/actions/request_info",
    }


@pytest.mark.parametrize("route", ["create", "action"])
def test_a_body_over_64_kib_with_a_content_length_is_a_413(fx, route):
    response = fx.client.post(
        _post_paths(fx)[route],
        content=_oversized_json(),
        headers=fx.officer(**{"Content-Type": "application/json"}),
    )
    assert_problem(response, 413, "body-too-large")
    assert "64 KiB" in response.json()["detail"]


@pytest.mark.parametrize("route", ["create", "action"])
def test_a_chunked_body_over_64_kib_is_a_413(fx, route):
    payload = _oversized_json()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 8192):
            yield payload[start : start + 8192]

    response = fx.client.post(
        _post_paths(fx)[route],
        content=chunks(),
        headers=fx.officer(**{"Content-Type": "application/json"}),
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "body-too-large")


def test_a_body_of_exactly_64_kib_is_not_refused_for_its_size(fx):
    head = json.dumps(_application(fx, project_title="")).encode()[:-1]
    padding = MAX_BODY_BYTES - len(head) - len(b', "project_description": ""}')
    body = head + b', "project_description": "' + b"x" * padding + b'"}'
    assert len(body) == MAX_BODY_BYTES
    response = fx.client.post(
        "/api/v1/grants", content=body, headers=fx.officer(**{"Content-Type": "application/json"})
    )
    problem = assert_problem(response, 422)  # judged on its fields, not on its size
    assert sorted(_fields(problem)) == ["project_description", "project_title"]


# 415 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b"please fund us"),
        ("application/x-www-form-urlencoded", b"project_title=x"),
        ("application/xml", b"<grant/>"),
    ],
)
def test_a_body_that_is_not_json_is_a_415(fx, content_type, body):
    response = fx.client.post(
        "/api/v1/grants", content=body, headers=fx.officer(**{"Content-Type": content_type})
    )
    problem = assert_problem(response, 415, "unsupported-media-type")
    assert content_type in problem["detail"] and "application/json" in problem["detail"]


# 422 -------------------------------------------------------------------------------------------


def _application(fx: Fixture, **changes: Any) -> dict[str, Any]:
    return {**fx.world.application(0), **changes}


def _fields(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem["errors"]]


def _apply(fx: Fixture, body: Any) -> Any:
    applicant = fx.world.applicant_of(0)
    return fx.client.post("/api/v1/grants", json=body, headers=fx.world.headers(applicant))


def test_a_bad_date_is_a_422_naming_the_field(fx):
    problem = assert_problem(_apply(fx, _application(fx, start_date="first of April")), 422)
    assert _fields(problem) == ["start_date"]
    assert "start_date" in problem["detail"]


def test_a_negative_budget_amount_is_a_422(fx):
    application = _application(fx)
    year = next(iter(application["budget"]))
    application["budget"] = {**application["budget"], year: -1}
    problem = assert_problem(_apply(fx, application), 422)
    assert [field.split(".")[0] for field in _fields(problem)] == ["budget"]
    assert "greater than or equal to 0" in problem["detail"] or "negative" in problem["detail"]


def test_an_unknown_field_is_refused_by_name(fx):
    problem = assert_problem(_apply(fx, _application(fx, surprise="field")), 422)
    assert _fields(problem) == ["surprise"]


def test_a_missing_field_is_named(fx):
    application = _application(fx)
    del application["project_title"]
    assert _fields(assert_problem(_apply(fx, application), 422)) == ["project_title"]


def test_an_end_before_the_start_is_explained(fx):
    application = _application(fx, end_date=_application(fx)["start_date"])
    problem = assert_problem(_apply(fx, application), 422)
    assert "end_date must be after start_date" in problem["detail"]


def test_malformed_json_is_a_422_problem(fx):
    response = fx.client.post(
        "/api/v1/grants",
        content=b'{"project_title": ',
        headers=fx.officer(**{"Content-Type": "application/json"}),
    )
    assert_problem(response, 422)


def test_a_bad_action_payload_is_a_422_naming_every_field(fx):
    response = fx.client.post(
        f"/api/v1/grants/{fx.submitted['id']}/actions/decline",
        json={"reason": "no", "surprise": True},
        headers=fx.officer(),
    )
    problem = assert_problem(response, 422, "invalid-payload")
    assert sorted(_fields(problem)) == ["reason", "surprise"]


def test_a_path_id_that_is_not_a_number_is_a_422_naming_it(fx):
    problem = assert_problem(fx.client.get("/api/v1/grants/abc", headers=fx.officer()), 422)
    assert _fields(problem)[0].endswith("grant_id")


# Listing: pages and filters ----------------------------------------------------------------------


def _list(fx: Fixture, headers: dict[str, str], **query: Any) -> dict[str, Any]:
    response = fx.client.get("/api/v1/grants", params=query, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_pages_cover_every_grant_once_in_order(fx):
    everything = _list(fx, fx.officer(), limit=100)
    ids = [grant["id"] for grant in everything["items"]]
    assert ids == sorted(ids) and everything["total"] == len(ids) >= 4
    seen = []
    for offset in range(0, len(ids) + 2, 2):
        page = _list(fx, fx.officer(), limit=2, offset=offset)
        assert (page["limit"], page["offset"], page["total"]) == (2, offset, len(ids))
        assert len(page["items"]) == min(2, max(0, len(ids) - offset))
        seen += [grant["id"] for grant in page["items"]]
    assert seen == ids


def test_the_default_page_is_20_from_the_start(fx):
    page = _list(fx, fx.officer())
    assert (page["limit"], page["offset"]) == (20, 0)


@pytest.mark.parametrize(
    "query",
    [{"limit": 0}, {"limit": 101}, {"limit": -1}, {"offset": -1}, {"limit": "many"}],
    ids=str,
)
def test_a_page_size_out_of_range_is_a_422_naming_it(fx, query):
    response = fx.client.get("/api/v1/grants", params=query, headers=fx.officer())
    problem = assert_problem(response, 422)
    assert _fields(problem)[0].endswith(next(iter(query)))


def _grants_in_db(fx: Fixture) -> list[dict[str, Any]]:
    """What the filters are about, read straight from the tables (the oracle)."""
    with fx.world.db.reading() as session:
        years: dict[int, set[int]] = {}
        for line in session.exec(select(BudgetLine)):
            years.setdefault(line.grant_id, set()).add(line.fiscal_year)
        return [
            {
                "id": grant.id,
                "state": grant.state,
                "stage": lifecycle.grant_state(grant.state).stage,
                "organisation_id": grant.organisation_id,
                "fiscal_year": years.get(grant.id, set()),
            }
            for grant in session.exec(select(Grant))
        ]


def _filter_values(fx: Fixture, name: str) -> list[Any]:
    if name == "state":
        return [state.key for state in lifecycle.GRANT_STATES]
    if name == "stage":
        return list(lifecycle.STAGES)
    if name == "organisation_id":
        return [organisation.id for organisation in fx.world.cast.organisations]
    years = sorted({y for grant in _grants_in_db(fx) for y in grant["fiscal_year"]})
    return [*years, years[-1] + 1]


@pytest.mark.parametrize("caller", ["officer", "applicant"])
@pytest.mark.parametrize("name", ["state", "stage", "organisation_id", "fiscal_year"])
def test_each_filter_returns_exactly_the_matching_grants_the_caller_may_see(fx, name, caller):
    applicant = fx.world.applicant_of(0)
    headers = fx.officer() if caller == "officer" else fx.world.headers(applicant)
    grants = _grants_in_db(fx)
    matched_something = False
    for value in _filter_values(fx, name):
        expected = sorted(
            grant["id"]
            for grant in grants
            if (caller == "officer" or grant["organisation_id"] == applicant.organisation_id)
            and (value in grant[name] if name == "fiscal_year" else grant[name] == value)
        )
        page = _list(fx, headers, limit=100, **{name: value})
        assert [grant["id"] for grant in page["items"]] == expected, (name, value)
        assert page["total"] == len(expected), (name, value)
        matched_something |= bool(expected)
    assert matched_something


def test_filters_combine(fx):
    page = _list(
        fx,
        fx.officer(),
        stage="intake",
        organisation_id=fx.submitted["organisation_id"],
        limit=100,
    )
    assert [grant["id"] for grant in page["items"]] == [fx.submitted["id"]]


@pytest.mark.parametrize("query", [{"state": "approve"}, {"stage": "reviewing"}], ids=str)
def test_an_unknown_state_or_stage_filter_is_a_422(fx, query):
    response = fx.client.get("/api/v1/grants", params=query, headers=fx.officer())
    assert_problem(response, 422)


# Document downloads ------------------------------------------------------------------------------


def _documents(fx: Fixture) -> list[dict[str, Any]]:
    response = fx.client.get(f"/api/v1/grants/{fx.approved['id']}/documents", headers=fx.officer())
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(("fmt", "media_type"), [("pdf", "application/pdf"), ("docx", DOCX)])
def test_a_document_downloads_with_its_type_name_and_etag(fx, fmt, media_type):
    documents = [d for d in _documents(fx) if d["format"] == fmt]
    assert {d["kind"] for d in documents} >= {"acknowledgement_of_receipt", "approval_memo"}
    for document in documents:
        response = fx.client.get(document["download_url"], headers=fx.officer())
        assert response.status_code == 200
        assert response.headers["content-type"] == media_type
        assert response.headers["content-disposition"] == (
            f'attachment; filename="{document["filename"]}"'
        )
        assert document["filename"].endswith("." + fmt)
        assert document["kind"] in document["filename"]
        digest = hashlib.sha256(response.content).hexdigest()
        assert digest == document["sha256"]
        assert response.headers["etag"] == f'"{digest}"'
        assert len(response.content) == document["size_bytes"]


def test_a_download_whose_etag_matches_is_304_without_a_body(fx):
    document = _documents(fx)[0]
    etag = f'"{document["sha256"]}"'
    response = fx.client.get(
        document["download_url"], headers=fx.officer(**{"If-None-Match": etag})
    )
    assert response.status_code == 304
    assert response.headers["etag"] == etag
    assert response.content == b""


def test_a_download_whose_etag_differs_is_the_whole_file(fx):
    document = _documents(fx)[0]
    response = fx.client.get(
        document["download_url"], headers=fx.officer(**{"If-None-Match": '"stale"'})
    )
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == document["sha256"]


@pytest.mark.parametrize("form", ["list", "weak", "star"])
def test_if_none_match_in_any_rfc_form_is_304(fx, form):
    document = _documents(fx)[0]
    etag = f'"{document["sha256"]}"'
    header = {"list": f'"stale", {etag}', "weak": f"W/{etag}", "star": "*"}[form]
    response = fx.client.get(
        document["download_url"], headers=fx.officer(**{"If-None-Match": header})
    )
    assert response.status_code == 304


def _serving_from(monkeypatch, store) -> None:  # type: ignore[no-untyped-def]
    import workflows.runtime

    monkeypatch.setattr(workflows.runtime, "document_store", lambda: store)


def test_a_download_needs_nothing_of_the_store_but_its_protocol(fx, monkeypatch):
    from documents.storage import content_key
    from tests.support.memory_store import InMemoryDocumentStore
    from workflows.runtime import document_store

    documents = _documents(fx)
    local, memory = document_store(), InMemoryDocumentStore()
    for document in documents:
        key = content_key(document["sha256"], document["format"])
        memory.put(local.read(key), document["format"])
    assert not hasattr(memory, "path")
    expected = {d["id"]: fx.client.get(d["download_url"], headers=fx.officer()) for d in documents}
    _serving_from(monkeypatch, memory)
    for document in documents:
        response = fx.client.get(document["download_url"], headers=fx.officer())
        before = expected[document["id"]]
        assert response.status_code == before.status_code == 200
        assert response.content == before.content
        assert hashlib.sha256(response.content).hexdigest() == document["sha256"]
        for header in ("content-type", "content-disposition", "etag", "cache-control"):
            assert response.headers[header] == before.headers[header], header
        assert response.headers["content-length"] == str(document["size_bytes"])


def test_a_tampered_stored_file_is_a_logged_500_problem_not_its_bytes(
    fx, monkeypatch, tmp_path, caplog
):
    from documents import LocalDocumentStore

    document = next(d for d in _documents(fx) if d["format"] == "pdf")
    original = fx.client.get(document["download_url"], headers=fx.officer()).content
    copy = LocalDocumentStore(tmp_path / "documents")
    stored = copy.put(original, "pdf")
    on_disk = copy.root / stored.key  # the store's own layout, computed here on purpose
    on_disk.chmod(0o600)
    on_disk.write_bytes(original.replace(b"PDF", b"FDP", 1))
    _serving_from(monkeypatch, copy)
    with caplog.at_level("ERROR", logger="service.routes.documents"):
        response = fx.client.get(document["download_url"], headers=fx.officer())
    problem = assert_problem(response, 500, "document-corrupted")
    assert str(document["id"]) in problem["detail"]
    assert "etag" not in response.headers and "content-disposition" not in response.headers
    assert any(
        record.levelname == "ERROR" and str(document["id"]) in record.getMessage()
        for record in caplog.records
    )
    # A cached copy is still current: If-None-Match needs no bytes, so it still answers 304.
    etag = f'"{document["sha256"]}"'
    cached = fx.client.get(document["download_url"], headers=fx.officer(**{"If-None-Match": etag}))
    assert cached.status_code == 304
