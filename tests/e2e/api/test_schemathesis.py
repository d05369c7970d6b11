"""Schemathesis over the whole OpenAPI schema, against the ASGI app on a seeded installation.

Every operation is fuzzed (positive and negative data) as a staff member holding many roles,
as an applicant, and without a token. Every answer must be no server error and must conform to
the schema: a documented status code, its declared content type, its declared headers and a
body matching its schema.

Random ids and action names mostly meet a 404, and an action's payload is declared as a free
object, so part of every case is steered: path parameters towards objects that exist (the
seeded grants, their documents, the organisations, the declared action keys), bodies towards
well-formed payloads with one number replaced by an arbitrary integer. The actions it sends
really run their Prefect flows.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import select

from models.lifecycle import ACTIONS
from models.payloads import REVIEW_CRITERIA
from models.tables import Grant, StoredDocument
from service.api import create_app
from tests.support.api_support import make_api_world

pytestmark = [
    pytest.mark.slow,
    # every operation as three callers in two modes, in one test: about two minutes alone,
    # past the suite's 300 s hang guard on a loaded machine (a fresh-clone CI run, 2026-12-03)
    pytest.mark.timeout(900),
    pytest.mark.usefixtures("prefect_harness"),
    # schemathesis' own strategies draw from `random`; not this suite's concern
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# (identity, generation mode) -> examples per operation. Bounded so the whole run stays well
# within three minutes on two cores, successful actions running real Prefect flows included.
BUDGET: dict[tuple[str, GenerationMode], int] = {
    ("staff", GenerationMode.POSITIVE): 40,
    ("staff", GenerationMode.NEGATIVE): 20,
    ("applicant", GenerationMode.POSITIVE): 25,
    ("applicant", GenerationMode.NEGATIVE): 10,
    ("anonymous", GenerationMode.POSITIVE): 4,
}
ACTION_KEYS = [action.key for action in ACTIONS]
REASON = {"reason": "Fictional reason given by the fuzzer."}
PAYLOADS: dict[str, dict[str, Any]] = {
    "request_info": {"items": ["A signed Board resolution"]},
    "amend_application": {"project_title": "Safe Paths Home (revised)"},
    "screen_in": {"coordinator_id": 1},
    "withdraw": REASON,
    "declare_conflict": {"kind": "none"},
    "score": {"scores": dict.fromkeys(REVIEW_CRITERIA, 4)},
    "recommend": {"consensus_rating": 4, "rationale": "Strong", "recommended_cents": 100},
    "not_recommend": {"consensus_rating": 2, "rationale": "Not yet ready"},
    "approve": {"approved_cents": 100, "risk_rating": "low"},
    "decline": REASON,
    "record_insurance": {"certificate_ref": "CGL-1", "insurer": "Example", "coverage_cents": 1},
    "initiate_payment": {"sequence": 1},
    "release_payment": {"sequence": 1},
    "hold_payment": {"sequence": 1, **REASON},
    "resume_payment": {"sequence": 1},
    "submit_report": {
        "sequence": 1,
        "expenditure_cents": 1,
        "people_served_new": 1,
        "people_served_continuing": 1,
        "service_contacts": 1,
        "referrals": 1,
        "culturally_based_services": 1,
    },
    "accept_report": {"sequence": 1},
    "return_report": {"sequence": 1, **REASON},
    "terminate": REASON,
}


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)  # (operation, status) -> count
    server_errors: dict[str, list[str]] = field(default_factory=dict)
    violations: dict[str, list[str]] = field(default_factory=dict)
    not_negatable: set[str] = field(default_factory=set)

    def status_count(self, status: int) -> int:
        return sum(n for (_op, code), n in self.statuses.items() if code == status)


@dataclass
class Seeded:
    db: Any
    grant_ids: list[int]
    document_ids: list[int]
    organisation_ids: list[int]
    applications: list[dict[str, Any]]
    identities: dict[str, tuple[dict[str, str], tuple[str, ...]]] = field(default_factory=dict)

    def actions_open_on(self, grant_id: int, roles: tuple[str, ...]) -> list[str]:
        """The actions one of ``roles`` may take from the grant's state now (rules aside)."""
        with self.db.reading() as session:
            grant = session.get(Grant, grant_id)
            state = grant.state if grant else None
        return [
            action.key
            for action in ACTIONS
            if set(roles) & set(action.roles)
            and state in (action.from_states if action.subject == "grant" else action.grant_states)
        ]


def seed(world) -> Seeded:  # type: ignore[no-untyped-def]
    """A few grants in different states, each with the documents its steps produced."""
    grants = [
        world.grant_at(0, stop_after="submit"),  # submitted
        world.grant_at(1, stop_after="screen_in"),  # in review
        world.grant_at(2, stop_after="approve"),  # approved, agreement issued
        world.grant_at(0, stop_after="countersign"),  # active
        world.grant_at(3, stop_after="decline", variant="declined_at_screening"),
    ]
    draft = world.client.post(
        "/api/v1/grants", json=world.application(1), headers=world.headers(world.applicant_of(1))
    )
    assert draft.status_code == 201, draft.text
    with world.db.reading() as session:
        documents = session.exec(select(StoredDocument.id).order_by(StoredDocument.id)).all()
    return Seeded(
        db=world.db,
        grant_ids=[grant["id"] for grant in grants] + [draft.json()["id"]],
        document_ids=list(documents),
        organisation_ids=[organisation.id for organisation in world.cast.organisations],
        applications=[json.loads(json.dumps(world.application(i))) for i in range(4)],
    )


def with_one_number_fuzzed(data, body: Any) -> Any:  # type: ignore[no-untyped-def]
    """``body`` with one integer anywhere in it replaced by an arbitrary one (or unchanged)."""
    paths: list[tuple] = []

    def walk(value: Any, path: tuple) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int):
            paths.append(path)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))

    walk(body, ())
    if not paths:
        return body
    chosen = data.draw(st.sampled_from(paths), label="fuzzed number")
    copy = _deep_copy(body)
    target = copy
    for key in chosen[:-1]:
        target = target[key]
    target[chosen[-1]] = data.draw(st.integers(), label="value")
    return copy


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _deep_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_deep_copy(item) for item in value]
    return value


def steer(case, data, seeded: Seeded, roles: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """Point most cases at objects that exist and most bodies at well-formed ones."""
    known = {
        "grant_id": seeded.grant_ids,
        "document_id": seeded.document_ids,
        "organisation_id": seeded.organisation_ids,
        "action": ACTION_KEYS,
    }
    for name, values in known.items():
        if name in case.path_parameters and data.draw(st.integers(0, 9), label=name) < 8:
            case.path_parameters[name] = data.draw(st.sampled_from(values), label=name)
    if case.method != "POST" or data.draw(st.integers(0, 9), label="steer body") < 3:
        return
    if case.path == "/api/v1/grants":
        body = dict(data.draw(st.sampled_from(seeded.applications), label="application"))
        body["organisation_id"] = data.draw(st.sampled_from(seeded.organisation_ids))
        case.body = maybe_one_number_fuzzed(data, body)
    elif case.path.endswith("/actions/{action}"):
        # A grant that exists, an action one of the caller's roles may take from its state now
        # (the rules may still refuse it), and that action's well-formed payload.
        grant_id = data.draw(st.sampled_from(seeded.grant_ids), label="grant")
        open_now = seeded.actions_open_on(grant_id, roles) or ACTION_KEYS
        action = data.draw(st.sampled_from(open_now), label="action open now")
        case.path_parameters.update(grant_id=grant_id, action=action)
        case.body = maybe_one_number_fuzzed(data, PAYLOADS.get(action, {}))


def maybe_one_number_fuzzed(data, body: Any) -> Any:  # type: ignore[no-untyped-def]
    if data.draw(st.booleans(), label="fuzz a number"):
        return with_one_number_fuzzed(data, body)
    return body


def exercise(operation, identity: str, mode, seeded: Seeded, tally: Tally) -> None:  # type: ignore[no-untyped-def]
    headers, roles = seeded.identities[identity]

    @settings(
        max_examples=BUDGET[(identity, mode)],
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case, data) -> None:  # type: ignore[no-untyped-def]
        steer(case, data, seeded, roles)
        tally.requests += 1
        try:
            response = case.call(headers=headers)
        except Exception as error:  # noqa: BLE001 - the app raised: a 500 over a real socket
            key = f"{operation.label} -> raised {type(error).__name__}"
            example = f"[{identity}/{mode.value}] {error}\n{case.as_curl_command(headers)}"
            tally.server_errors.setdefault(key, []).append(example[:1000])
            return
        tally.statuses[(operation.label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except BaseExceptionGroup as group:
            for failure in group.exceptions:
                title = getattr(failure, "title", type(failure).__name__)
                key = f"{operation.label} -> {response.status_code}: {title}"
                found = tally.server_errors if response.status_code >= 500 else tally.violations
                example = f"[{identity}/{mode.value}] {failure}\n{response.text[:300]}"
                found.setdefault(key, []).append(example[:1000])

    try:
        run()
    except Unsatisfiable:
        # Nothing to negate (no parameters, no body): the positive runs cover the operation.
        assert mode == GenerationMode.NEGATIVE, f"{operation.label}: no {identity} cases"
        tally.not_negatable.add(operation.label)


def test_every_operation_answers_within_its_schema(installation, capsys):
    started = time.perf_counter()
    world = make_api_world(installation)
    staff = world.user_with_roles("officer", "approver", "finance", "admin")
    applicant = world.applicant_of(0)
    seeded = seed(world)
    seeded.identities = {
        "staff": (world.headers(staff), tuple(staff.roles)),
        "applicant": (world.headers(applicant), tuple(applicant.roles)),
        "anonymous": ({}, ()),
    }
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
    operations = [result.ok() for result in schema.get_all_operations()]
    declared = {
        f"{method.upper()} {path}"
        for path, items in schema.raw_schema["paths"].items()
        for method in items
    }
    assert {op.label for op in operations} == declared

    tally = Tally()
    for identity, mode in BUDGET:
        for operation in operations:
            exercise(operation, identity, mode, seeded, tally)

    server_errors = sum(len(found) for found in tally.server_errors.values())
    violations = sum(len(found) for found in tally.violations.values())
    summary = (
        f"schemathesis: {len(operations)} operations, {tally.requests} requests, "
        f"{server_errors} server errors, {violations} schema violations "
        f"({time.perf_counter() - started:.0f} s)"
    )
    with capsys.disabled():
        print(f"\n{summary}\n{per_operation(tally)}")
    assert not (tally.server_errors or tally.violations), report(
        {**tally.server_errors, **tally.violations}
    )
    untouched = declared - {label for label, _status in tally.statuses}
    assert not untouched, f"operations never exercised: {sorted(untouched)}"
    assert tally.status_count(200) and tally.status_count(201), "no request ever succeeded"


def per_operation(tally: Tally) -> str:
    labels = sorted({label for label, _status in tally.statuses})
    return "\n".join(
        f"  {label}: "
        + ", ".join(
            f"{status}x{count}"
            for (op, status), count in sorted(tally.statuses.items())
            if op == label
        )
        for label in labels
    )


def report(found: dict[str, list[str]]) -> str:
    """Each distinct failure once, with one example and how often it happened."""
    return "\n\n".join(
        f"{key} (x{len(examples)})\n{examples[0]}" for key, examples in sorted(found.items())
    )
