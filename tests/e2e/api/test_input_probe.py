"""The input probe: every free-text field of every request, fed what documents cannot carry.

The fields are not listed by hand: they are read from the OpenAPI document (every route with a
JSON body), from each lifecycle action's payload schema (what ``GET .../actions`` serves; the
action route's own body is a free object) and from the set-up schema the command line uses
(``UserInput``). A field added tomorrow is probed tomorrow; a new route with a body fails here
until it has a base body to probe with.

Each field gets NUL, VT, ESC, U+FFFE, U+202E, an emoji and a syllabic no embedded font draws
(U+11AB0) (each must answer 422 naming the field, storing nothing), a value at its documented
maximum length, and a 5,000-character word. A value the door accepts is then placed where
documents print that field, and every document kind that prints it is rendered by the real
renderers and read back: the whole value in the PDF text, no layout box past the page edge,
the whole value in the DOCX text. No answer may be a 5xx.

Action payloads are sent to a closed grant: a payload is judged before the grant's state, so a
refused value answers 422 and an accepted one 409 (wrong state), and nothing runs twice.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from documents import KINDS, build_document
from documents.context import DocumentContext
from documents.render.docx import render_docx
from documents.render.pdf import lay_out, write_pdf
from models import lifecycle
from models.errors import InvalidPayload
from models.payloads import REVIEW_CRITERIA
from models.provisioning import OrganisationInput, UserInput
from models.tables import AuditEvent
from service.schemas import FundRequest
from service.users import create_user_with_token
from tests.support.api_support import ApiWorld, module_api_world
from tests.support.document_samples import sample_context
from tests.support.reading import docx_text, overflowing_boxes, pdf_body_text, without_spaces

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

REFUSED_EVERYWHERE = {
    "NUL": "Safe Paths\x00 Home",
    "VT": "Safe Paths\x0b Home",
    "ESC": "Safe Paths\x1b[31m Home",
    "U+FFFE": "Safe Paths\ufffe Home",
    "U+202E": "Safe Paths \u202eemoH",
    # no embedded font draws them: printed, they would be boxes
    "emoji": "Safe Paths 🙂 Home",
    "U+11AB0": "ᓂᑲᓇᐢ \U00011ab0 Lodge",
}
LONG_WORD = ("ᐊᓂᔑᓈᐯᒧᐎᓐAnishinaabemowin" * 250)[:5_000]
ACTIONS_ROUTE = "/api/v1/grants/{grant_id}/actions/{action}"


# The fields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextField:
    request: str  # "grants", "funds", "organisations", "user" or an action key
    path: tuple[str | int, ...]  # where in the body; 0 for a list's first item
    schema: dict[str, Any]

    @property
    def dotted(self) -> str:
        return ".".join(str(part) for part in self.path)

    @property
    def key(self) -> str:
        """The field without list positions: how SLOTS names it."""
        return f"{self.request}:" + ".".join(p for p in self.path if isinstance(p, str))

    @property
    def typed(self) -> bool:
        """A choice or a date: JSON spells it as a string, but nobody types prose into it."""
        return "enum" in self.schema or self.schema.get("format") in ("date", "date-time")

    @property
    def free_text(self) -> bool:
        """Prose, names, references: anything but a choice, a date or a pattern (codes)."""
        return not self.typed and "pattern" not in self.schema

    @property
    def must_take_its_maximum(self) -> bool:
        """Any value of its maximum length is valid (an email address has its own grammar)."""
        return self.free_text and "format" not in self.schema

    @property
    def multi_line(self) -> bool:
        return self.schema.get("x-text") == "multi-line"


def _strings(
    schema: dict[str, Any], defs: dict[str, Any], path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every string leaf of a JSON schema, with its path; lists contribute their first item."""
    if "$ref" in schema:
        yield from _strings(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, path)
        return
    for alternative in schema.get("anyOf", ()):
        yield from _strings(alternative, defs, path)
    kind = schema.get("type")
    if kind == "string" or "enum" in schema:
        yield path, schema
    elif kind == "array":
        yield from _strings(schema.get("items", {}), defs, (*path, 0))
    elif kind == "object":
        for name, sub in schema.get("properties", {}).items():
            yield from _strings(sub, defs, (*path, name))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            yield from _strings(extra, defs, (*path, "*"))


def _model_fields(request: str, schema: dict[str, Any]) -> list[TextField]:
    return [TextField(request, p, s) for p, s in _strings(schema, schema.get("$defs", {}), ())]


ROUTE_REQUESTS = {
    ("post", "/api/v1/grants"): "grants",
    ("post", "/api/v1/funds"): "funds",
    ("post", "/api/v1/organisations"): "organisations",
    # Its terms are all choices (no free text): every probe value is refused, nothing stored.
    ("post", "/api/v1/organisations/{organisation_id}/data-agreement/proposals"): "data_agreement",
}


def probed_fields(openapi: dict[str, Any]) -> list[TextField]:
    fields: list[TextField] = []
    components = openapi["components"]["schemas"]
    for route, item in openapi["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            if route == ACTIONS_ROUTE:
                continue  # a free object: each action's payload schema is walked below
            request = ROUTE_REQUESTS.get((method, route))
            assert request is not None, f"{method.upper()} {route} takes a body: add it here"
            found = [TextField(request, p, s) for p, s in _strings(body["schema"], components, ())]
            fields += found
    for action in lifecycle.ACTIONS:
        fields += _model_fields(action.key, action.payload.model_json_schema())
    fields += _model_fields("user", UserInput.model_json_schema())
    return fields


# Where documents print each free-text field: the field's stored value placed in a sample
# context. None: no document prints it (sealed notes, audit-only facts).

Slot = Callable[[DocumentContext, str], DocumentContext] | None


def _grant(**fields: Any) -> Slot:
    return lambda ctx, v: dataclasses.replace(
        ctx, grant=dataclasses.replace(ctx.grant, **{k: f(v) for k, f in fields.items()})
    )


def _organisation(name: str) -> Slot:
    return lambda ctx, v: dataclasses.replace(
        ctx, organisation=dataclasses.replace(ctx.organisation, **{name: v})
    )


def _contact(name: str) -> Slot:
    def place(ctx: DocumentContext, value: str) -> DocumentContext:
        first, *others = ctx.organisation.contacts
        contacts = (dataclasses.replace(first, **{name: value}), *others)
        return dataclasses.replace(
            ctx, organisation=dataclasses.replace(ctx.organisation, contacts=contacts)
        )

    return place


def _fund(name: str) -> Slot:
    return lambda ctx, v: dataclasses.replace(ctx, fund=dataclasses.replace(ctx.fund, **{name: v}))


def _detail(name: str, wrap: Callable[[str], Any] = lambda v: v) -> Slot:
    return lambda ctx, v: dataclasses.replace(ctx, details={**ctx.details, name: wrap(v)})


def _rationale(ctx: DocumentContext, value: str) -> DocumentContext:
    assert ctx.review is not None
    return dataclasses.replace(ctx, review=dataclasses.replace(ctx.review, rationale=value))


def _amendment_reason(*terms: str) -> Slot:
    """The reason printed beside an amendment's change of ``terms``: the sample amendment's own
    change when it makes one, else that change added (report days 90 -> 120)."""

    def place(ctx: DocumentContext, value: str) -> DocumentContext:
        if "changes" not in ctx.details:
            return ctx  # not an amendment document
        changes = [dict(c) for c in ctx.details["changes"]]
        if any(c["term"] in terms for c in changes):
            changes = [{**c, "reason": value} if c["term"] in terms else c for c in changes]
        else:
            changes += [{"term": t, "before": 90, "after": 120, "reason": value} for t in terms]
        return dataclasses.replace(ctx, details={**ctx.details, "changes": changes})

    return place


SLOTS: dict[str, Slot] = {
    "grants:project_title": _grant(project_title=lambda v: v),
    "grants:project_description": _grant(project_description=lambda v: v),
    "grants:community": _grant(community=lambda v: v),
    "organisations:legal_name": _organisation("legal_name"),
    "organisations:operating_name": _organisation("operating_name"),
    "organisations:address": _organisation("address"),
    "organisations:community_resolution_ref": None,  # kept on file, printed nowhere
    "organisations:contacts.name": _contact("name"),
    "organisations:contacts.title": _contact("title"),
    "organisations:contacts.email": _contact("email"),
    "organisations:contacts.phone": _contact("phone"),
    "funds:name_en": _fund("name_en"),
    "funds:name_fr": _fund("name_fr"),
    "funds:signer_name": _fund("signer_name"),
    "funds:signer_title": _fund("signer_title"),
    "funds:signer_title_fr": _fund("signer_title_fr"),
    "funds:signer_email": None,  # the address the signing authority signs in with, printed nowhere
    "funds:notice_address": _fund("notice_address"),
    "funds:notice_email": _fund("notice_email"),
    "user:name": _detail("approver_name"),
    "user:email": None,  # the address a user signs in with, printed nowhere
    "request_info:items": _detail("items", lambda v: [v]),
    "amend_application:project_title": _grant(project_title=lambda v: v),
    "amend_application:project_description": _grant(project_description=lambda v: v),
    "amend_application:community": _grant(community=lambda v: v),
    "withdraw:reason": None,  # withdrawing produces no document
    "declare_conflict:note": None,  # sealed with the panel
    "recommend:rationale": _rationale,
    "recommend:deliberation_notes": None,  # sealed with the panel
    "not_recommend:rationale": _rationale,
    "not_recommend:deliberation_notes": None,
    "approve:conditions": _grant(conditions=lambda v: (v,)),
    "decline:reason": _detail("reason"),
    "record_insurance:certificate_ref": None,
    "record_insurance:insurer": None,
    "hold_payment:reason": None,
    "return_report:reason": None,
    "terminate:reason": None,  # the reconciliation letter states figures, not the reason
    "propose_amendment:approved_cents_reason": _amendment_reason("approved_cents"),
    "propose_amendment:end_date_reason": _amendment_reason("end_date"),
    "propose_amendment:report_schedule_reason": _amendment_reason(
        "annual_report_days", "final_report_days"
    ),
    "withdraw_amendment:reason": None,  # withdrawing an amendment produces no document
    "decline_amendment:reason": None,  # declining one neither: the notice is a message
}
FRENCH_FIELDS = {"funds:name_fr", "funds:signer_title_fr"}


# The values ------------------------------------------------------------------------------------


def at_maximum(field: TextField) -> str:
    """A value exactly at the field's maximum length: syllabics and Latin, in words (lines in a
    multi-line field), ending in a letter so nothing is stripped."""
    length = field.schema["maxLength"]
    if not field.free_text:
        return "A" * length
    words = "ᐅᒋᒪᐤ Walking Together ᓵᑲᐦᐃᑲᓐ Healing Lodge" + ("\n" if field.multi_line else " ")
    text = "".join(itertools.islice(itertools.cycle(words), length - 1)) + "x"
    return text


def probe_values(field: TextField) -> dict[str, str]:
    maximum = {"maximum length": at_maximum(field)} if "maxLength" in field.schema else {}
    return {**REFUSED_EVERYWHERE, **maximum, "5,000-character word": LONG_WORD}


# Sending ---------------------------------------------------------------------------------------


@dataclass
class Probe:
    world: ApiWorld
    closed_grant_id: int
    admin: Any
    staff: Any
    codes: Iterator[str]

    @property
    def client(self) -> TestClient:
        return self.world.client

    def base(self, request: str) -> tuple[str, Any, dict[str, Any]]:
        """(route, caller, a valid body) for a request."""
        world = self.world
        if request == "grants":
            return "/api/v1/grants", world.applicant_of(0), world.application(0)
        if request == "funds":
            body = copy.deepcopy(FundRequest.model_config["json_schema_extra"]["examples"][0])  # type: ignore[index]
            body["code"] = next(self.codes)
            return "/api/v1/funds", self.admin, body
        if request == "organisations":
            body = OrganisationInput.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
            return "/api/v1/organisations", self.staff, copy.deepcopy(body)
        if request == "data_agreement":
            organisation_id = world.cast.organisations[1].id
            route = f"/api/v1/organisations/{organisation_id}/data-agreement/proposals"
            body = {"purposes": ["grant_administration"], "notes_readers": "none"}
            return route, world.applicant_of(1), body  # its signing authority
        action = lifecycle.require_action(request)
        caller = world.applicant_of(0) if "applicant" in action.roles else self.staff
        route = f"/api/v1/grants/{self.closed_grant_id}/actions/{request}"
        return route, caller, copy.deepcopy(PAYLOADS[request])

    def send(self, field: TextField, value: str) -> tuple[int, list[dict[str, str]]]:
        """The answer's status and the fields it names."""
        if field.request == "user":
            person: dict[str, Any] = {"name": "Probe Person", field.path[0]: value}
            try:
                create_user_with_token(self.world.db, roles=["officer"], **person)
            except InvalidPayload as refused:
                return 422, refused.errors
            return 201, []
        route, caller, body = self.base(field.request)
        _place(body, field.path, value)
        response = self.client.post(route, json=body, headers=self.world.headers(caller))
        errors = response.json().get("errors") or [] if response.status_code == 422 else []
        return response.status_code, errors


def _place(body: dict[str, Any], path: tuple[str | int, ...], value: str) -> None:
    target: Any = body
    for part, following in itertools.pairwise(path):
        if isinstance(part, int):
            target = target[part]
        else:
            target = target.setdefault(part, [""] if isinstance(following, int) else {})
    target[path[-1]] = value


REASON = {"reason": "Fictional reason for the probe."}
PAYLOADS: dict[str, dict[str, Any]] = {
    "request_info": {"items": ["A signed Board resolution"]},
    "amend_application": {"project_title": "Safe Paths Home (revised)"},
    "withdraw": REASON,
    "declare_conflict": {"kind": "indirect", "note": "A cousin sits on the board."},
    "score": {"scores": dict.fromkeys(REVIEW_CRITERIA, 4)},
    "recommend": {"consensus_rating": 4, "rationale": "Strong", "recommended_cents": 100},
    "not_recommend": {"consensus_rating": 2, "rationale": "Not yet ready"},
    "approve": {"approved_cents": 100, "risk_rating": "low", "conditions": ["Insurance first"]},
    "decline": REASON,
    "record_insurance": {
        "certificate_ref": "CGL-2027-118",
        "insurer": "Fictional Mutual",
        "coverage_cents": 200_000_000,
    },
    "hold_payment": {"sequence": 1, **REASON},
    "return_report": {"sequence": 1, **REASON},
    "terminate": REASON,
    "propose_amendment": {
        "approved_cents": 200,
        "approved_cents_reason": "A second site opens.",
        "end_date": "2029-03-31",
        "end_date_reason": "The second site opens in the spring.",
        "annual_report_days": 120,
        "report_schedule_reason": "Reports follow the Board's year.",
    },
    "withdraw_amendment": {"sequence": 1, **REASON},
    "decline_amendment": {"sequence": 1, **REASON},
}


def names(errors: list[dict[str, str]], field: TextField) -> bool:
    return any(
        e["field"] == field.dotted or e["field"].startswith(field.dotted + ".") for e in errors
    )


# Rendering what was accepted -------------------------------------------------------------------


def _strings_of(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            yield from _strings_of(getattr(value, item.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings_of(item)


# What each document's content, once rendered and read back, was found to have wrong. Two fields
# printed in the same place (a title at application and at amendment, a rationale to recommend
# or not) given the same value build the same content, and rendering is deterministic (the
# same content, the same bytes): such a document is rendered and read back once, its problems
# kept by content and value.
_CHECKED: dict[tuple[Any, str], list[str]] = {}


def _document_problems(kind: str, content: Any, wanted: str) -> list[str]:
    """What is wrong with ``content`` rendered in both formats and read back: a layout box
    past the page edge, ``wanted`` (spaces removed) not whole in the PDF's or the DOCX's text."""
    problems = []
    laid_out = lay_out(content)
    overflow = overflowing_boxes(laid_out.document)
    if overflow:
        problems.append(f"{kind} PDF: {overflow[0]}")
    if wanted not in without_spaces(pdf_body_text(write_pdf(laid_out))):
        problems.append(f"{kind} PDF: the value does not read back whole")
    if wanted not in without_spaces(docx_text(render_docx(content))):
        problems.append(f"{kind} DOCX: the value does not read back whole")
    return problems


def rendering_problems(field: TextField, value: str) -> tuple[list[str], int, int]:
    """What is wrong with the documents that print ``value`` in ``field``'s place; how many
    documents (kind and format) print it, and how many of those were rendered and read back
    here (the others were, with the same content, for another field)."""
    place = SLOTS[field.key]
    if place is None:
        return [], 0, 0
    language = "fr" if field.key in FRENCH_FIELDS else "en"
    wanted = without_spaces(value)
    problems, printing, rendered = [], 0, 0
    for kind in KINDS:
        content = build_document(place(sample_context(kind, language), value))
        if wanted not in without_spaces("".join(_strings_of(content))):
            continue
        printing += 2
        if (content, wanted) not in _CHECKED:
            _CHECKED[content, wanted] = _document_problems(kind, content, wanted)
            rendered += 2
        problems += _CHECKED[content, wanted]
    if printing == 0:
        problems.append("SLOTS places it, yet no document kind prints it")
    return problems, printing, rendered


# The probe -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def probe(prefect_harness, tmp_path_factory) -> Iterator[Probe]:
    directory = tmp_path_factory.mktemp("input-probe")
    with module_api_world(directory, crashes_as_answers=True) as world:
        closed = world.grant_at(0, stop_after="close", variant="amended")  # amendment 1 in force
        codes = (
            f"PR{a}{b}" for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        )
        yield Probe(
            world=world,
            closed_grant_id=closed["id"],
            admin=world.user_with_roles("admin"),
            staff=world.user_with_roles("officer", "reviewer", "approver", "finance"),
            codes=codes,
        )


def audit_events(probe: Probe) -> int:
    with probe.world.db.reading() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def test_the_probe_reaches_every_request_and_every_field_has_a_documented_maximum(probe):
    fields = probed_fields(probe.client.get("/openapi.json").json())
    requests = {field.request for field in fields}
    assert {"grants", "funds", "organisations", "user", "data_agreement"} <= requests
    assert {a.key for a in lifecycle.ACTIONS if a.key in PAYLOADS} - {"score"} <= requests
    for field in fields:
        if field.typed:
            continue
        assert "maxLength" in field.schema, f"{field.key} has no documented maximum length"
        if field.free_text:
            assert field.schema.get("x-text"), f"{field.key} does not follow the free-text rule"
            assert field.key in SLOTS, f"{field.key}: say in SLOTS where documents print it"


@pytest.mark.timeout(900)  # 60-odd fields, each rendered in every document kind that prints it
def test_every_free_text_field_refuses_what_documents_cannot_carry_and_renders_the_rest(probe):
    openapi = probe.client.get("/openapi.json").json()
    fields = probed_fields(openapi)
    tally: Counter[str] = Counter()
    failures: list[str] = []
    for field in fields:
        for label, value in probe_values(field).items():
            case = f"{field.request} {field.dotted} × {label}"
            before = audit_events(probe)
            status, errors = probe.send(field, value)
            tally["cases"] += 1
            if status >= 500:
                tally["server errors"] += 1
                failures.append(f"{case}: {status}")
                continue
            must_refuse = label in REFUSED_EVERYWHERE or (
                label == "5,000-character word"
                and field.schema.get("maxLength", len(value)) < len(value)
            )
            must_accept = (
                not must_refuse
                and label in ("maximum length", "5,000-character word")
                and field.must_take_its_maximum
            )
            if status == 422:
                tally["refused (422)"] += 1
                if not names(errors, field):
                    failures.append(f"{case}: 422 names {errors}, not {field.dotted}")
                if audit_events(probe) != before:
                    failures.append(f"{case}: refused, yet something was recorded")
                if must_accept:
                    failures.append(f"{case}: refused an acceptable value: {errors}")
                continue
            tally["accepted"] += 1
            if must_refuse:
                failures.append(f"{case}: accepted ({status})")
                continue
            if not field.free_text:
                continue
            problems, printing, rendered = rendering_problems(field, value)
            tally["documents printing an accepted value"] += printing
            tally["documents rendered and read back"] += rendered
            tally["accepted and printed"] += 1 if printing else 0
            failures += [f"{case}: {problem}" for problem in problems]
    tally["fields"] = len(fields)
    print(f"\ninput probe: {dict(tally)}")
    assert failures == [], "\n".join(failures)
    assert tally["server errors"] == 0


def test_a_control_character_in_a_project_title_is_refused_and_no_grant_is_created(probe):
    """The original bug: a NUL in a title was stored, then every later action on the grant
    answered 500 after its change had committed."""
    world = probe.world
    headers = world.headers(world.applicant_of(0))
    listed = world.client.get("/api/v1/grants", headers=headers).json()["total"]
    for title in ("Safe Paths\x00Home", "Safe Paths\x0bHome", "\u202eemoH shtaP efaS"):
        response = world.client.post(
            "/api/v1/grants", json={**world.application(0), "project_title": title}, headers=headers
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["project_title"]
    assert world.client.get("/api/v1/grants", headers=headers).json()["total"] == listed


def test_an_emoji_in_a_project_title_is_refused_naming_the_character_and_its_code_point(probe):
    world = probe.world
    headers = world.headers(world.applicant_of(0))
    listed = world.client.get("/api/v1/grants", headers=headers).json()["total"]
    body = {**world.application(0), "project_title": "Safe Paths Home 🙂"}
    response = world.client.post("/api/v1/grants", json=body, headers=headers)
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["field"] == "project_title"
    assert "🙂 (U+1F642 SLIGHTLY SMILING FACE) cannot be printed in documents" in error["message"]
    assert world.client.get("/api/v1/grants", headers=headers).json()["total"] == listed
