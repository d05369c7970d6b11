"""Who may do what over HTTP: every route x every caller x {own object, other organisation's}.

The attempts are generated from the app's routes, ``lifecycle.ROLES`` and ``lifecycle.ACTIONS``:
``ROUTES`` says, for each (method, path template), how to fill it and what each caller should
get; a meta-test fails when the app serves a route the table does not know (or the reverse),
and another when a role has no caller. The expectations come from the rules as written in
DESIGN.md, checked against rows read straight from the tables, never from ``service.authz``:

- applicants see only their organisation's grants, and only applicant-audience documents;
- reviewers see only the grants they are assigned to, and only panel documents of those;
- officer, approver, finance, auditor and admin see every grant and document;
- an object the caller may not see answers 404, never 403 or 2xx;
- a lifecycle action by a role outside ``action.roles`` on a visible grant answers 403; by a
  role inside them 200, 409 or 422, never 403;
- auditors never change anything;
- a document's copy in the other official language is made for whoever may read the document
  (201, or 200 once it exists), a copy of that document and nothing else; an auditor reads it
  but has no copy made (403), being read-only;
- every 403/404 for an authenticated caller is on the record: the first of each
  (caller, rule, kind) within a minute as one 'denied' audit event, the repeats counted into
  one 'denials_aggregated' event (``models.denials``: a caller cannot flood the trail).

The probed grants are 'approved' and every action is sent without a payload; signing needs none,
only a signer, so the applicant callers are applicant users of the two organisations who are not
their signing contacts. Nothing they answer can move the grants (a test proves they did not).
A caller holding two roles (applicant of one organisation, reviewer on another's panel) has
tests of its own at the end.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import select

from documents import KINDS
from models import denials, fictional, lifecycle
from models.clock import utcnow
from models.tables import Grant, ReviewAssignment, StoredDocument
from service.api import create_app
from service.users import revoke_user, rotate_token
from tests.support.api_support import ApiWorld, make_api_world
from tests.support.denial_records import (
    aggregated_since,
    denials_since,
    last_denial,
    last_event,
    sort_denials,
)

pytestmark = pytest.mark.usefixtures("prefect_harness")

SEES_EVERYTHING = ("officer", "approver", "finance", "auditor", "admin")
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/static/docs/swagger-ui-bundle.js"),
    ("GET", "/static/docs/swagger-ui.css"),
    ("GET", "/static/docs/redoc.standalone.js"),
    ("GET", "/static/docs/favicon.png"),
}
SUCCESS = range(200, 300)


# The world ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    name: str
    token: str | None
    roles: tuple[str, ...] = ()
    user_id: int | None = None
    organisation_id: int | None = None
    assigned_grants: frozenset[int] = frozenset()

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def holds(self, roles: tuple[str, ...]) -> bool:
        return any(role in roles for role in self.roles)


@dataclass(frozen=True)
class Obj:
    """A grant of the world and its documents (id, kind, audience)."""

    label: str
    index: int
    grant_id: int
    organisation_id: int
    documents: tuple[tuple[int, str, str], ...]


@dataclass
class World:
    api: ApiWorld
    callers: dict[str, Caller]
    objects: tuple[Obj, Obj]
    both_roles: Caller  # outside the matrix: its own tests below
    counter: Iterator[int] = field(default_factory=itertools.count)
    # (caller id, rule, kind) -> repeats counted into 'denials_aggregated' events by the matrix
    aggregated: dict[tuple[int, str, str], int] = field(default_factory=dict)

    def sees_grant(self, caller: Caller, grant_id: int, organisation_id: int) -> bool:
        if not caller.authenticated:
            return False
        if caller.holds(SEES_EVERYTHING):
            return True
        own = "applicant" in caller.roles and caller.organisation_id == organisation_id
        return own or ("reviewer" in caller.roles and grant_id in caller.assigned_grants)

    def sees_document(self, caller: Caller, obj: Obj, audience: str) -> bool:
        if not self.sees_grant(caller, obj.grant_id, obj.organisation_id):
            return False
        if caller.holds(SEES_EVERYTHING):
            return True
        on_panel = "reviewer" in caller.roles and obj.grant_id in caller.assigned_grants
        if on_panel and audience == "panel":
            return True
        return "applicant" in caller.roles and audience == "applicant"

    def sees_organisation(self, caller: Caller, organisation_id: int) -> bool:
        if not caller.authenticated:
            return False
        return caller.holds(SEES_EVERYTHING) or caller.organisation_id == organisation_id

    def visible_grant_ids(self, caller: Caller, organisation_id: int | None = None) -> list[int]:
        with self.api.db.reading() as session:
            grants = session.exec(select(Grant).order_by(Grant.id)).all()
            return [
                grant.id  # type: ignore[misc]
                for grant in grants
                if self.sees_grant(caller, grant.id, grant.organisation_id)  # type: ignore[arg-type]
                and organisation_id in (None, grant.organisation_id)
            ]

    def unique(self) -> int:
        return next(self.counter)


def _documents_of(api: ApiWorld, grant_id: int) -> tuple[tuple[int, str, str], ...]:
    with api.db.reading() as session:
        rows = session.exec(
            select(StoredDocument)
            .where(StoredDocument.grant_id == grant_id)
            .order_by(StoredDocument.id)
        ).all()
        return tuple((d.id, d.kind, KINDS[d.kind].audience) for d in rows)  # type: ignore[misc]


def _obj(api: ApiWorld, label: str, index: int, grant: dict[str, Any]) -> Obj:
    documents = _documents_of(api, grant["id"])
    audiences = {audience for _id, _kind, audience in documents}
    assert audiences == {"applicant", "panel", "staff"}, "probe documents of every audience"
    return Obj(label, index, grant["id"], grant["organisation_id"], documents)


def _assigned(api: ApiWorld, user_id: int) -> frozenset[int]:
    with api.db.reading() as session:
        rows = session.exec(
            select(ReviewAssignment).where(ReviewAssignment.reviewer_id == user_id)
        ).all()
        return frozenset(row.grant_id for row in rows)


SYSTEM_TOKEN = "token planted on the system actor"


def _planted_system_token(api: ApiWorld) -> str:
    from models.provisioning import system_actor
    from models.tables import User
    from service.tokens import new_token

    token, hashed = new_token()
    with api.db.transaction() as session:
        row = session.get(User, system_actor(api.db).id)
        row.token_hash = hashed  # type: ignore[union-attr]
        session.add(row)
    return token


def _caller(api: ApiWorld, name: str, user) -> Caller:  # type: ignore[no-untyped-def]
    return Caller(
        name=name,
        token=api.tokens[user.id],
        roles=tuple(user.roles),
        user_id=user.id,
        organisation_id=user.organisation_id,
        assigned_grants=_assigned(api, user.id) if "reviewer" in user.roles else frozenset(),
    )


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory) -> Iterator[World]:
    from workflows.runtime import database, reset_caches

    directory = tmp_path_factory.mktemp("authorization-matrix")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRANTFLOW_DATABASE_URL", f"sqlite:///{directory / 'grantflow.db'}")
        patch.setenv("GRANTFLOW_DOCUMENT_DIR", str(directory / "documents"))
        reset_caches()
        api = make_api_world(database())
        # A crash must show up as a 500 in the matrix, not abort it.
        api.client = TestClient(create_app(), raise_server_exceptions=False)
        # Screening puts every active reviewer on the panel: one who exists only from the
        # second screening on sits on grant A's panel and not on grant B's; one revoked
        # between the two (and given a new token after) sits on B's panel and not on A's.
        member_of_a_on_b = api.user_with_roles("applicant", "reviewer", organisation_index=0)
        grant_b = api.grant_at(1, stop_after="approve")
        revoke_user(api.db, member_of_a_on_b.id)
        panel_of_a_only = api.user_with_roles("reviewer")
        grant_a = api.grant_at(0, stop_after="approve")
        api.tokens[member_of_a_on_b.id] = rotate_token(api.db, member_of_a_on_b.id)
        on_no_panel = api.user_with_roles("reviewer")
        admin = api.user_with_roles("admin")
        revoked = api.user_with_roles("officer")
        revoke_user(api.db, revoked.id)
        cast = api.cast
        # Applicant users who are not a signing contact (no address): they may not sign.
        applicant_of_a = api.user_with_roles("applicant", organisation_index=0)
        applicant_of_b = api.user_with_roles("applicant", organisation_index=1)
        callers = [
            _caller(api, "applicant of A", applicant_of_a),
            _caller(api, "applicant of B", applicant_of_b),
            _caller(api, "officer", cast.screening_officer),
            _caller(api, "reviewer on A's panel", panel_of_a_only),
            _caller(api, "reviewer on no panel", on_no_panel),
            _caller(api, "approver", cast.approver),
            _caller(api, "finance", cast.finance),
            _caller(api, "auditor", cast.auditor),
            _caller(api, "admin", admin),
            Caller(name="no token", token=None),
            Caller(name="revoked token", token=api.tokens[revoked.id]),
            # grantflow's own actor holds no token; one planted on its row (a leak, a bad
            # migration) still authenticates nothing.
            Caller(name=SYSTEM_TOKEN, token=_planted_system_token(api), roles=("system",)),
        ]
        objects = (
            _obj(api, "grant A", 0, grant_a),
            _obj(api, "grant B", 1, grant_b),
        )
        yield World(
            api=api,
            callers={c.name: c for c in callers},
            objects=objects,
            both_roles=_caller(api, "applicant of A on B's panel", member_of_a_on_b),
        )
        database().dispose()
    reset_caches()


# The attempts ---------------------------------------------------------------------------------

Route = tuple[str, str]
Findings = tuple[list[str], list[str]]  # (leaks, other wrong answers)
Check = Callable[[World, Caller, Any], Findings]


@dataclass(frozen=True)
class Attempt:
    route: Route
    caller: Caller
    target: str
    url: str
    expected: frozenset[int]
    hidden: bool = False  # the caller may not see the object: anything but 404 (or 401) leaks
    body: dict[str, Any] | None = None
    check: Check | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None  # a multipart upload, not JSON

    @property
    def method(self) -> str:
        return self.route[0]

    def __str__(self) -> str:
        return f"{self.caller.name}: {self.method} {self.url} ({self.target})"


def _attempt(
    route: Route,
    caller: Caller,
    target: str,
    url: str,
    allowed: set[int],
    *,
    hidden: bool = False,
    body: dict[str, Any] | None = None,
    check: Check | None = None,
) -> Attempt:
    if not caller.authenticated:
        return Attempt(route, caller, target, url, frozenset({401}), True, body)
    return Attempt(route, caller, target, url, frozenset(allowed), hidden, body, check)


def _visible(flag: bool) -> dict[str, Any]:
    return {"allowed": {200} if flag else {404}, "hidden": not flag}


def _same(label: str, got: Any, want: Any) -> list[str]:
    return [] if got == want else [f"{label}: got {got}, expected {want}"]


def _grant_checked(obj: Obj) -> Check:
    def check(world: World, caller: Caller, response: Any) -> Findings:
        return [], _same("grant id", response.json()["id"], obj.grant_id)

    return check


def _actions_checked(obj: Obj) -> Check:
    def check(world: World, caller: Caller, response: Any) -> Findings:
        keys = [a["key"] for a in response.json()]
        offered = [k for k in keys if not caller.holds(lifecycle.ACTIONS_BY_KEY[k].roles)]
        return [f"offers {k}, which none of its roles may take" for k in offered], []

    return check


def _history_checked(obj: Obj) -> Check:
    def check(world: World, caller: Caller, response: Any) -> Findings:
        if caller.holds(SEES_EVERYTHING):
            return [], []
        others = [e["id"] for e in response.json() if e["outcome"] != "applied"]
        return [f"shows {len(others)} refused attempts of others"] if others else [], []

    return check


def _documents_checked(obj: Obj) -> Check:
    def check(world: World, caller: Caller, response: Any) -> Findings:
        got = [d["id"] for d in response.json()]
        want = [
            i for i, _kind, audience in obj.documents if world.sees_document(caller, obj, audience)
        ]
        leaked = [f"lists document {i} it may not see" for i in got if i not in want]
        return leaked, _same("document ids", got, want)

    return check


def _document_checked(document_id: int) -> Check:
    def check(world: World, caller: Caller, response: Any) -> Findings:
        if "json" not in response.headers["content-type"]:
            return [], []
        return [], _same("document id", response.json()["id"], document_id)

    return check


def _list_checked(organisation_id: int) -> Check:
    def check(world: World, caller: Caller, response: Any) -> Findings:
        page = response.json()
        got = [g["id"] for g in page["items"]]
        want = world.visible_grant_ids(caller, organisation_id)
        leaked = [f"lists grant {i} it may not see" for i in got if i not in want]
        if page["total"] > len(want):
            leaked.append(f"total {page['total']} counts grants it may not see ({len(want)})")
        return leaked, _same("grant ids", got, want) + _same("total", page["total"], len(want))

    return check


def list_grants(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    for obj in world.objects:
        url = f"/api/v1/grants?organisation_id={obj.organisation_id}&limit=100"
        check = _list_checked(obj.organisation_id)
        yield _attempt(
            route, caller, f"grants of {obj.label}'s organisation", url, {200}, check=check
        )


def create_grant(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    for obj in world.objects:
        body = {**world.api.application(obj.index), "organisation_id": obj.organisation_id}
        if "applicant" in caller.roles:
            allowed = {201} if caller.organisation_id == obj.organisation_id else {403}
        else:
            allowed = {201} if caller.holds(("officer", "admin")) else {403}
        target = f"application for {obj.label}'s organisation"
        yield _attempt(route, caller, target, "/api/v1/grants", allowed, body=body)


def grant_route(suffix: str, check_for: Callable[[Obj], Check]) -> Callable:
    def expand(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
        for obj in world.objects:
            visible = world.sees_grant(caller, obj.grant_id, obj.organisation_id)
            url = f"/api/v1/grants/{obj.grant_id}{suffix}"
            yield _attempt(route, caller, obj.label, url, **_visible(visible), check=check_for(obj))

    return expand


def take_action(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    for action, obj in itertools.product(lifecycle.ACTIONS, world.objects):
        url = f"/api/v1/grants/{obj.grant_id}/actions/{action.key}"
        if not world.sees_grant(caller, obj.grant_id, obj.organisation_id):
            outcome = _visible(False)
        elif caller.holds(action.roles):
            outcome = {"allowed": {200, 409, 422}}
        else:
            outcome = {"allowed": {403}}
        yield _attempt(route, caller, f"{action.key} on {obj.label}", url, **outcome)


def document_route(suffix: str) -> Callable:
    def expand(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
        for obj in world.objects:
            for document_id, kind, audience in obj.documents:
                visible = world.sees_document(caller, obj, audience)
                url = f"/api/v1/documents/{document_id}{suffix}"
                target = f"{kind} ({audience}) of {obj.label}"
                check = _document_checked(document_id)
                yield _attempt(route, caller, target, url, **_visible(visible), check=check)

    return expand


def read_organisation(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    for obj in world.objects:
        visible = world.sees_organisation(caller, obj.organisation_id)
        url = f"/api/v1/organisations/{obj.organisation_id}"
        yield _attempt(route, caller, f"{obj.label}'s organisation", url, **_visible(visible))


def create_fund(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    n = world.unique()
    body = {
        "code": "MX" + "".join(chr(65 + (n // 26**i) % 26) for i in range(3)),
        "name_en": f"Matrix fund {n}",
        "name_fr": f"Fonds matrice {n}",
        "call_deadline": "2030-01-01T00:00:00Z",
        "signer_name": "Pat Example",
        "signer_title": "Director",
        "allocations": {"2030": 10_000_000},
    }
    allowed = {201} if caller.holds(("admin",)) else {403}
    yield _attempt(route, caller, "a new fund", "/api/v1/funds", allowed, body=body)


def register_organisation(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    n = world.unique()
    body = {
        "legal_name": f"Matrix Organisation {n}",
        "business_number": str(300_000_000 + n),
        "indigenous_led_attested": True,
        "data_governance_consent": True,
        "contacts": [
            {
                "name": "Pat Example",
                "title": "Director",
                "email": f"pat{n}@example.org",
                "signing_authority": True,
                "senior": True,
            },
            {"name": "Sam Example", "title": "Coordinator", "email": f"sam{n}@example.org"},
        ],
    }
    allowed = {201} if caller.holds(("officer", "admin")) else {403}
    yield _attempt(route, caller, "a new organisation", "/api/v1/organisations", allowed, body=body)


AUDITORS = ("auditor", "admin")


def verify_audit(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    allowed = {200} if caller.holds(AUDITORS) else {403}
    yield _attempt(route, caller, "the audit trail", "/api/v1/audit/verify", allowed)


FUND_OUTCOME_READERS = ("officer", "approver", "finance", "auditor", "admin")
# Routes about the fund, not a grant: tried once per caller, not on each grant.
FUND_ROUTES = {("GET", "/api/v1/funds/{code}/outcomes")}


def fund_outcomes(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    allowed = {200} if caller.holds(FUND_OUTCOME_READERS) else {403}
    url = f"/api/v1/funds/{fictional.FUND_CODE}/outcomes"
    yield _attempt(route, caller, "the fund's outcomes", url, allowed)


def grant_dossier(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    for obj in world.objects:
        url = f"/api/v1/grants/{obj.grant_id}/dossier"
        if not world.sees_grant(caller, obj.grant_id, obj.organisation_id):
            yield _attempt(route, caller, obj.label, url, **_visible(False))
        else:
            allowed = {200} if caller.holds(AUDITORS) else {403}
            yield _attempt(route, caller, obj.label, url, allowed)


def access_events(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    """The access log: auditors read all of it, an organisation's own users its part (their
    rows are checked in tests/e2e/api/test_access_log.py); every other role is refused."""
    reads = caller.holds(AUDITORS) or (
        "applicant" in caller.roles and caller.organisation_id is not None
    )
    yield _attempt(route, caller, "the access log", route[1], {200} if reads else {403})


READ_ONLY = ("auditor",)
# The Fund's signing authority (models.data_agreement: the countersigning role and the Fund's
# signer address): of the matrix's callers only the approver. The applicant callers are not
# their organisation's signing contacts, so neither party.
AGREEMENT_PARTIES = ("approver",)
AGREEMENT_CHANGE = {"notes_readers": "governance_and_auditors", "at_close": "keep"}


def data_agreement_route(suffix: str) -> Callable:
    """Read (200 for whoever sees the organisation), propose (201 for a party, 403 for the
    rest: it is the approver's first proposal on each), accept version 2 (the approver's own
    proposal: 409 for it, 403 for the others)."""

    def expand(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
        for obj in world.objects:
            url = f"/api/v1/organisations/{obj.organisation_id}/data-agreement{suffix}"
            target = f"{obj.label}'s data agreement"
            body = AGREEMENT_CHANGE if route[0] == "POST" else None
            if not world.sees_organisation(caller, obj.organisation_id):
                yield _attempt(route, caller, target, url, **_visible(False), body=body)
            elif route[0] == "GET":
                yield _attempt(route, caller, target, url, {200})
            elif not caller.holds(AGREEMENT_PARTIES):
                yield _attempt(route, caller, target, url, {403}, body=AGREEMENT_CHANGE)
            else:
                proposing = suffix.endswith("proposals")
                allowed = {201} if proposing else {409}
                yield _attempt(route, caller, target, url, allowed, body=AGREEMENT_CHANGE)

    return expand


def _copy_checked(document_id: int, kind: str, obj: Obj) -> Check:
    def check(world: World, caller: Caller, response: Any) -> Findings:
        copies = response.json()
        others = [d["id"] for d in copies if (d["grant_id"], d["kind"]) != (obj.grant_id, kind)]
        leaks = [f"hands out documents {others}, not copies of {document_id}"] if others else []
        return leaks, _same("formats", sorted(d["format"] for d in copies), ["docx", "pdf"])

    return check


def copy_document(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    for obj in world.objects:
        for document_id, kind, audience in obj.documents:
            url = f"/api/v1/documents/{document_id}/other-language"
            target = f"{kind} ({audience}) of {obj.label}"
            if not world.sees_document(caller, obj, audience):
                outcome = _visible(False)
            elif set(caller.roles) <= set(READ_ONLY):
                outcome = {"allowed": {403}}
            else:
                outcome = {"allowed": {200, 201}}
            check = _copy_checked(document_id, kind, obj)
            yield _attempt(route, caller, target, url, **outcome, check=check)


def export_list(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    """The officers' CSV lists: for whoever sees every grant, refused (403) to the rest."""
    allowed = {200} if caller.holds(SEES_EVERYTHING) else {403}
    yield _attempt(route, caller, "the list", route[1], allowed)


def export_organisation(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    """An organisation's export is its signing authority's alone: the applicant callers are not
    its signing contacts and staff export through the command line (403); whoever may not see
    the organisation is told it does not exist (404)."""
    for obj in world.objects:
        url = f"/api/v1/organisations/{obj.organisation_id}/export"
        if not world.sees_organisation(caller, obj.organisation_id):
            yield _attempt(route, caller, f"{obj.label}'s organisation", url, **_visible(False))
        else:
            yield _attempt(route, caller, f"{obj.label}'s organisation", url, {403})


def _first_pdf(world: World, obj: Obj) -> tuple[int, bytes]:
    from workflows.runtime import document_store

    ids = [document_id for document_id, _kind, audience in obj.documents if audience == "applicant"]
    with world.api.db.reading() as session:
        rows = [session.get(StoredDocument, document_id) for document_id in ids]
    row = next(r for r in rows if r is not None and r.format == "pdf")
    return row.id, document_store().read(row.storage_key)  # type: ignore[return-value]


def _verification_checked(document_id: int, obj: Obj) -> Check:
    """The cryptographic answer for anyone; the stored document only to who may read it."""

    def check(world: World, caller: Caller, response: Any) -> Findings:
        stored = response.json()["stored"]
        listed = [entry["document_id"] for entry in stored or []]
        if not caller.token:
            return (["names stored documents to an anonymous caller"] if stored else []), []
        if world.sees_document(caller, obj, "applicant"):
            return [], _same("stored documents", listed, [document_id])
        return ([f"names document {document_id} it may not see"] if listed else []), []

    return check


def verify_document(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    """Anyone may verify a PDF (no token: 200); a token that is sent must be valid (401)."""
    for obj in world.objects:
        document_id, data = _first_pdf(world, obj)
        allowed = frozenset({200} if caller.authenticated or not caller.token else {401})
        files = {"file": ("document.pdf", data, "application/pdf")}
        check = _verification_checked(document_id, obj)
        target = f"a PDF of {obj.label}"
        yield Attempt(route, caller, target, route[1], allowed, False, None, check, files)


def organisation_signature(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    """Only the organisation's signing authority signs for it: the applicant callers are not
    its signing contacts and staff are no organisation's (403); whoever may not see the
    document is told it does not exist (404)."""
    files = {"pkcs12": ("key.p12", b"not a key", "application/x-pkcs12")}
    for obj in world.objects:
        for document_id, kind, audience in obj.documents:
            url = f"/api/v1/documents/{document_id}/organisation-signature"
            target = f"{kind} ({audience}) of {obj.label}"
            if not caller.authenticated:
                yield Attempt(route, caller, target, url, frozenset({401}), True, None, None, files)
                continue
            visible = world.sees_document(caller, obj, audience)
            allowed = frozenset({403} if visible else {404})
            yield Attempt(route, caller, target, url, allowed, not visible, None, None, files)


def public(world: World, caller: Caller, route: Route) -> Iterator[Attempt]:
    yield Attempt(route, caller, "the service", route[1], frozenset({200}))


ROUTES: dict[Route, Callable[[World, Caller, Route], Iterator[Attempt]]] = {
    ("GET", "/api/v1/grants"): list_grants,
    ("POST", "/api/v1/grants"): create_grant,
    ("GET", "/api/v1/grants/{grant_id}"): grant_route("", _grant_checked),
    ("GET", "/api/v1/grants/{grant_id}/actions"): grant_route("/actions", _actions_checked),
    ("POST", "/api/v1/grants/{grant_id}/actions/{action}"): take_action,
    ("GET", "/api/v1/grants/{grant_id}/history"): grant_route("/history", _history_checked),
    ("GET", "/api/v1/grants/{grant_id}/documents"): grant_route("/documents", _documents_checked),
    ("GET", "/api/v1/documents/{document_id}"): document_route(""),
    ("GET", "/api/v1/documents/{document_id}/file"): document_route("/file"),
    ("POST", "/api/v1/funds"): create_fund,
    ("POST", "/api/v1/organisations"): register_organisation,
    ("GET", "/api/v1/organisations/{organisation_id}"): read_organisation,
    ("GET", "/api/v1/organisations/{organisation_id}/data-agreement"): data_agreement_route(""),
    ("POST", "/api/v1/organisations/{organisation_id}/data-agreement/proposals"): (
        data_agreement_route("/proposals")
    ),
    (
        "POST",
        "/api/v1/organisations/{organisation_id}/data-agreement/proposals/{version}/acceptance",
    ): data_agreement_route("/proposals/2/acceptance"),
    ("GET", "/api/v1/audit/verify"): verify_audit,
    ("GET", "/api/v1/grants/{grant_id}/dossier"): grant_dossier,
    ("GET", "/api/v1/access-events"): access_events,
    ("GET", "/api/v1/exports/grants.csv"): export_list,
    ("GET", "/api/v1/exports/payments.csv"): export_list,
    ("GET", "/api/v1/exports/reports.csv"): export_list,
    ("GET", "/api/v1/organisations/{organisation_id}/export"): export_organisation,
    ("GET", "/api/v1/funds/{code}/outcomes"): fund_outcomes,
    # After the listings: the copies it makes are documents the listings above did not hold.
    ("POST", "/api/v1/documents/{document_id}/other-language"): copy_document,
    ("POST", "/api/v1/documents/verification"): verify_document,
    ("POST", "/api/v1/documents/{document_id}/organisation-signature"): organisation_signature,
    ("GET", "/api/v1/fund-certificate"): public,
    **dict.fromkeys(PUBLIC, public),
}
# Verifying a PDF is a POST (the file is its body) that reads and changes nothing.
WRITES = {route for route in ROUTES if route[0] != "GET"} - {
    ("POST", "/api/v1/documents/verification")
}


def app_routes() -> set[Route]:
    """(method, path template) of every route the app serves, included routers flattened."""
    from fastapi import routing

    app = create_app()
    flatten = getattr(routing, "iter_route_contexts", None)  # FastAPI >= 0.150 nests routers
    served = set()
    for route in flatten(app.routes) if flatten else app.routes:
        path, methods = getattr(route, "path", None), set(getattr(route, "methods", None) or ())
        assert path and methods, f"cannot tell which requests {route!r} serves"
        if not isinstance(getattr(route, "original_route", route), APIRoute):
            methods.discard("HEAD")  # Starlette adds HEAD beside GET for its own pages
        served |= {(method, path) for method in methods}
    return served


# Running them ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    attempt: Attempt
    status: int
    leaks: list[str]
    wrong: list[str]
    denials_logged: list[int | None]  # actor ids of the 'denied' events it appended
    at: datetime  # when the request was sent
    logged: list[tuple[str | None, str, int | None]] = field(default_factory=list)
    # (rule, action, grant id) of each 'denied' event it appended

    @property
    def denied(self) -> bool:
        return self.attempt.caller.authenticated and self.status in (403, 404)

    @property
    def denial_key(self) -> tuple[int | None, str, str]:
        """What repeats of a denial are counted under: caller, rule and kind (the action key
        on the action route, else the route template)."""
        rule = "not-found" if self.status == 404 else "not-permitted"
        method, template = self.attempt.route
        is_action = template.endswith("/actions/{action}")
        kind = self.attempt.url.rsplit("/", 1)[-1] if is_action else f"{method} {template}"
        return self.attempt.caller.user_id, rule, kind

    def __str__(self) -> str:
        notes = "; ".join(self.leaks + self.wrong)
        expected = "/".join(map(str, sorted(self.attempt.expected)))
        return (
            f"{self.attempt} -> {self.status} (expected {expected}){': ' + notes if notes else ''}"
        )


def _run(world: World, attempt: Attempt, last: int) -> tuple[Outcome, int]:
    at = utcnow()
    if attempt.files is not None:
        response = world.api.client.request(
            attempt.method, attempt.url, files=attempt.files, headers=attempt.caller.headers()
        )
    else:
        response = world.api.client.request(
            attempt.method, attempt.url, json=attempt.body, headers=attempt.caller.headers()
        )
    status = response.status_code
    leaks, wrong = [], []
    if status not in attempt.expected:
        wrong.append("unexpected status")
    if attempt.hidden and (status in SUCCESS or status == 403):
        leaks.append("answered for an object it may not see")
    if "auditor" in attempt.caller.roles and attempt.route in WRITES and status in SUCCESS:
        leaks.append("an auditor changed something")
    if attempt.check is not None and status in SUCCESS:
        found_leaks, found_wrong = attempt.check(world, attempt.caller, response)
        leaks += found_leaks
        wrong += found_wrong
    if status >= 400 and attempt.route not in PUBLIC:
        problem = response.headers.get("content-type") == "application/problem+json"
        wrong += [] if problem else ["the error is not application/problem+json"]
    events = denials_since(world.api.db, last)
    logged = [(e.rule, e.action, e.grant_id) for e in events]
    outcome = Outcome(attempt, status, leaks, wrong, [e.actor_id for e in events], at, logged)
    return outcome, max([last, *(e.id for e in events)])  # type: ignore[list-item]


def generate(world: World) -> list[Attempt]:
    return [
        attempt
        for route, expand in ROUTES.items()
        for caller in world.callers.values()
        for attempt in expand(world, caller, route)
    ]


@pytest.fixture(scope="module")
def outcomes(world: World) -> list[Outcome]:
    results = []
    last = last_denial(world.api.db)
    first = last_event(world.api.db)
    for attempt in generate(world):
        outcome, last = _run(world, attempt, last)
        results.append(outcome)
    # The repeats of the last window are still only counted in this process: write them now
    # (a running service writes them when the caller's next window opens).
    denials.flush_aggregates(world.api.db)
    world.aggregated = aggregated_since(world.api.db, first)
    return results


def _listing(outcomes: list[Outcome], limit: int = 40) -> str:
    lines = [str(o) for o in outcomes[:limit]]
    more = len(outcomes) - limit
    return "\n".join(lines + ([f"... and {more} more"] if more > 0 else []))


# The rules ------------------------------------------------------------------------------------


def api_routes() -> set[Route]:
    """The routes this matrix tries: all but the pages (tests/e2e/web has their matrix)."""
    from service.web import serves_a_page

    return {route for route in app_routes() if not serves_a_page(route[1])}


def test_the_table_covers_every_route_the_app_serves_and_no_other():
    served = api_routes()
    assert not served - set(ROUTES), f"routes without a row in ROUTES: {served - set(ROUTES)}"
    assert not set(ROUTES) - served, f"rows for routes the app lacks: {set(ROUTES) - served}"


# DESIGN.md, "External contract" (the routes users and tests rely on).
CONTRACT = {
    ("GET", "/healthz"),
    ("GET", "/openapi.json"),
    ("POST", "/api/v1/grants"),
    ("GET", "/api/v1/grants"),
    ("GET", "/api/v1/grants/{grant_id}"),
    ("GET", "/api/v1/grants/{grant_id}/actions"),
    ("POST", "/api/v1/grants/{grant_id}/actions/{action}"),
    ("GET", "/api/v1/grants/{grant_id}/history"),
    ("GET", "/api/v1/grants/{grant_id}/documents"),
    ("GET", "/api/v1/documents/{document_id}"),
    ("GET", "/api/v1/documents/{document_id}/file"),
    ("GET", "/api/v1/audit/verify"),
}


def test_the_app_serves_every_route_of_the_external_contract():
    missing = CONTRACT - app_routes()
    assert not missing, f"contract routes the app does not serve: {sorted(missing)}"


def test_every_role_has_a_caller(world):
    held = {role for caller in world.callers.values() for role in caller.roles}
    assert held == set(lifecycle.ROLES)
    assert {c.name for c in world.callers.values() if not c.authenticated} == {
        "no token",
        "revoked token",
        SYSTEM_TOKEN,
    }


def test_the_world_has_the_reviewers_and_documents_the_rules_need(world):
    grant_a, grant_b = world.objects
    assert world.callers["reviewer on A's panel"].assigned_grants == {grant_a.grant_id}
    assert not world.callers["reviewer on no panel"].assigned_grants
    assert grant_a.organisation_id != grant_b.organisation_id


def test_every_route_is_tried_by_every_caller_on_each_object(world, outcomes):
    tried = {(o.attempt.route, o.attempt.caller.name) for o in outcomes}
    assert tried == set(itertools.product(ROUTES, world.callers))
    for route in ROUTES:
        if "{" in route[1] and route not in PUBLIC | FUND_ROUTES:
            labels = {o.attempt.target for o in outcomes if o.attempt.route == route}
            for obj in world.objects:
                assert any(obj.label in label for label in labels), (route, obj.label)
    actions = {o.attempt.url.rsplit("/", 1)[-1] for o in outcomes if "/actions/" in o.attempt.url}
    assert actions == set(lifecycle.ACTIONS_BY_KEY)


def test_no_caller_sees_or_changes_what_it_may_not(outcomes):
    leaks = [o for o in outcomes if o.leaks]
    assert not leaks, f"{len(leaks)} leaks:\n{_listing(leaks)}"


def test_every_route_answers_every_caller_as_the_rules_say(outcomes):
    wrong = [o for o in outcomes if o.wrong]
    assert not wrong, f"{len(wrong)} wrong answers:\n{_listing(wrong)}"


def test_what_the_caller_may_not_see_is_404_never_403(outcomes):
    hidden = [o for o in outcomes if o.attempt.hidden and o.attempt.caller.authenticated]
    assert hidden
    revealing = [o for o in hidden if o.status != 404]
    assert not revealing, _listing(revealing)


def test_an_action_follows_the_lifecycle_roles_on_a_visible_grant(outcomes):
    visible_actions = [
        o
        for o in outcomes
        if "/actions/" in o.attempt.url
        and 404 not in o.attempt.expected
        and o.attempt.caller.authenticated
    ]
    for outcome in visible_actions:
        action = lifecycle.ACTIONS_BY_KEY[outcome.attempt.url.rsplit("/", 1)[-1]]
        may = outcome.attempt.caller.holds(action.roles)
        assert (outcome.status == 403) != may, str(outcome)
        assert outcome.status in ({200, 409, 422} if may else {403}), str(outcome)


def test_an_auditor_never_changes_anything(outcomes):
    writes = [
        o for o in outcomes if o.attempt.caller.roles == ("auditor",) and o.attempt.route in WRITES
    ]
    assert len(writes) >= 2 * len(lifecycle.ACTIONS)
    assert not [o for o in writes if o.status in SUCCESS]
    assert {o.status for o in writes} <= {403, 404}


def test_every_denial_is_one_denied_event_or_a_counted_repeat(world, outcomes):
    """Each 403/404 is on the record exactly once: the first of its (caller, rule, kind) in a
    minute as a 'denied' event naming that kind and rule, each repeat within the minute as one
    count of a 'denials_aggregated' event (before models.denials every denial was an event, so
    anyone could flood the trail)."""
    refused = [o for o in outcomes if o.denied]
    stray = [o for o in outcomes if not o.denied and o.denials_logged]
    assert not stray, f"answers that are not denials but logged one:\n{_listing(stray)}"
    found = sort_denials(refused)
    full, repeats = found.full, found.repeats
    assert not found.wrong, _listing(found.wrong)
    assert world.aggregated == found.counted()
    leaks = sum(1 for o in outcomes if o.leaks)
    print(
        f"authorization matrix: {len(outcomes)} attempts, {leaks} leaks, {len(refused)} denials: "
        f"{len(full)} logged in full, {len(repeats)} repeats counted in "
        f"{len(world.aggregated)} aggregates"
    )
    assert leaks == 0 and len(full) + len(repeats) == len(refused)


def test_a_denial_on_a_grant_the_caller_may_not_see_stays_out_of_that_grants_trail(outcomes):
    hidden = [o for o in outcomes if o.denied and o.status == 404 and o.logged]
    assert hidden
    in_trail = [o for o in hidden if any(grant is not None for _r, _a, grant in o.logged)]
    assert not in_trail, _listing(in_trail)
    on_grants = [o for o in outcomes if "/grants/{" in o.attempt.route[1]]
    seen = [o for o in on_grants if o.denied and o.status == 403]
    assert seen and all(grant is not None for o in seen for _r, _a, grant in o.logged)


def test_an_applicant_applying_for_another_organisation_learns_nothing_of_it(world):
    """Why the matrix expects 403 there: the same answer whether the organisation exists."""
    applicant = world.callers["applicant of A"]
    _grant_a, grant_b = world.objects
    answers = set()
    for organisation_id in (grant_b.organisation_id, 999_999):
        body = {**world.api.application(0), "organisation_id": organisation_id}
        response = world.api.client.post("/api/v1/grants", json=body, headers=applicant.headers())
        answers.add((response.status_code, response.json()["detail"]))
    assert len(answers) == 1 and answers.pop()[0] == 403


# Open to anyone, for anyone to check a signed agreement: the Fund's certificate, and verifying
# a PDF (without a token; a token that is sent must be valid, ``verify_document``).
OPEN_TO_ANYONE = {("GET", "/api/v1/fund-certificate"), ("POST", "/api/v1/documents/verification")}


def test_no_token_and_a_revoked_token_get_401_everywhere_but_the_public_routes(outcomes):
    for outcome in outcomes:
        if outcome.attempt.caller.authenticated or outcome.attempt.route in OPEN_TO_ANYONE:
            continue
        if outcome.attempt.route not in PUBLIC:
            assert outcome.status == 401, str(outcome)


def test_the_probed_grants_did_not_move(world, outcomes):
    with world.api.db.reading() as session:
        for obj in world.objects:
            assert session.get(Grant, obj.grant_id).state == "approved"  # type: ignore[union-attr]


# A person who applies for one organisation and reviews for the fund -----------------------------
# Community funds draw reviewers from the communities that apply. Such a caller's rights are the
# union of the two roles, each on its own objects: applicant-audience documents and the applicant
# view of its own organisation's grants; panel documents of the grants whose panel it sits on.


def _get(world: World, caller: Caller, url: str) -> Any:
    return world.api.client.get(url, headers=caller.headers())


def test_an_applicant_who_reviews_sees_its_own_grant_and_the_one_on_its_panel(world):
    caller = world.both_roles
    grant_a, grant_b = world.objects
    assert caller.assigned_grants == {grant_b.grant_id}
    for obj in world.objects:
        assert _get(world, caller, f"/api/v1/grants/{obj.grant_id}").status_code == 200
    for document_id, _kind, audience in grant_b.documents:
        status = _get(world, caller, f"/api/v1/documents/{document_id}").status_code
        if audience != "applicant":
            assert status == (200 if audience == "panel" else 404), (document_id, audience)
    for document_id, _kind, audience in grant_a.documents:
        status = _get(world, caller, f"/api/v1/documents/{document_id}").status_code
        assert status == (200 if audience == "applicant" else 404), (document_id, audience)


def test_an_applicant_who_reviews_is_offered_on_its_panels_grant_only_what_reviewers_take(world):
    """Its applicant actions are for its own organisation's grants: on the grant of its panel
    they are not offered (asking the engine about them would answer 404 for a visible grant)."""
    caller = world.both_roles
    _grant_a, grant_b = world.objects
    response = _get(world, caller, f"/api/v1/grants/{grant_b.grant_id}/actions")
    assert response.status_code == 200
    offered = [a["key"] for a in response.json()]
    assert all("reviewer" in lifecycle.ACTIONS_BY_KEY[key].roles for key in offered), offered


@pytest.mark.parametrize("suffix", ["", "/file"])
def test_an_applicant_who_reviews_never_reads_another_organisations_letters(world, suffix):
    caller = world.both_roles
    _grant_a, grant_b = world.objects
    letters = [i for i, _kind, audience in grant_b.documents if audience == "applicant"]
    assert letters
    statuses = {_get(world, caller, f"/api/v1/documents/{i}{suffix}").status_code for i in letters}
    assert statuses == {404}


def test_an_applicant_who_reviews_lists_only_panel_documents_of_another_organisations_grant(
    world,
):
    caller = world.both_roles
    _grant_a, grant_b = world.objects
    listed = _get(world, caller, f"/api/v1/grants/{grant_b.grant_id}/documents").json()
    assert {d["kind"] for d in listed} == {"review_summary"}


def test_an_applicant_who_reviews_gets_the_applicant_view_of_its_own_grants_history(world):
    caller = world.both_roles
    grant_a, _grant_b = world.objects
    events = _get(world, caller, f"/api/v1/grants/{grant_a.grant_id}/history").json()
    reviewers = {e["actor"] for e in events if e["role"] == "reviewer"}
    assert reviewers == {"Community review panel member"}
    assert {e["outcome"] for e in events} == {"applied"}
