"""Who may do what on the pages: every page route x every caller x {own object, other's}.

The pages' counterpart of ``tests/e2e/api/test_authorization_matrix.py``, on a world built the
same way and judged by the same rules (its ``World.sees_grant`` and ``sees_document``, read
from the tables, never from ``service.authz``). ``WEB_ROUTES`` says, for each (method, path
template) the app serves as a page, how to fill it and what each caller should get; a
meta-test fails when the app serves a page route the table does not know (or the reverse), and
another when the API matrix and this one together miss a route the app serves.

Every caller signs in through the real ``/login`` form (a session each); "not signed in" has
no cookie; "revoked user" signed in, then was revoked, and its cookie must stop working. On the
pages:

- a page for someone not signed in is a 303 to ``/login?next=<here>`` that says nothing more;
- an object the caller may not see answers 404 (an HTML page naming nothing), never 403/2xx;
- an action posted by a role outside ``action.roles`` on a visible grant answers 403; by a
  role inside them 303, 409 or 422, never 403; auditors never change anything;
- a document's copy in the other language, asked for with the grant page's form, sends whoever
  may read the document back to its grant (303); an auditor, read-only, is refused (403);
- a page that answers 200 shows nothing the caller may not see: the grant page links only the
  documents the caller may read, offers only the actions its roles take, and shows others'
  refused attempts to staff only; the home page lists only grants the caller sees;
- every 403/404 for a signed-in caller is on the record as the API's are (``models.denials``).

The probed grants are 'approved' and every action is posted with an empty form (its CSRF token
and an idempotency key only), so nothing they answer can move them (a test proves it).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import pytest
from sqlmodel import select

from models import denials, fictional, lifecycle
from models.clock import utcnow
from models.tables import AuditEvent, Grant, Instalment, Organisation, User
from models.visibility import system_role
from service.authz import application_scope
from service.users import revoke_user, rotate_token
from service.web import serves_a_page
from service.web.i18n import Language, Words
from tests.e2e.api.test_authorization_matrix import (
    READ_ONLY,
    SEES_EVERYTHING,
    Caller,
    Obj,
    World,
    _assigned,
    _documents_of,
    _obj,
    api_routes,
    app_routes,
)
from tests.e2e.api.test_authorization_matrix import ROUTES as API_ROUTES
from tests.support.api_support import ApiWorld, module_api_world
from tests.support.denial_records import (
    aggregated_since,
    denials_since,
    last_denial,
    last_event,
    sort_denials,
)
from tests.support.web_support import Browser, browser, csrf_of, give_everyone_a_password, signed_in

pytestmark = pytest.mark.usefixtures("prefect_harness")

Route = tuple[str, str]
LOGIN = {("GET", "/login"), ("POST", "/login")}  # before any session: not the matrix's rules
PUBLIC = {*LOGIN, ("GET", "/static/grantflow.css")}
AUDITORS = ("auditor", "admin")
NOT_SIGNED_IN = ("not signed in", "revoked user")
BOTH_ROLES = "applicant of A on B's panel"


# The world ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Secrets:
    """What a page about a grant names, that someone who may not see it must never read."""

    reference: str
    title: str
    organisation: str


@dataclass
class WebWorld:
    rules: World  # the API matrix's world: its callers, objects and rules
    browsers: dict[str, Browser]  # a signed-in session per caller (none for "not signed in")
    csrf: dict[str, str]  # each session's CSRF token, read from its home page when signed in
    secrets: dict[int, Secrets]  # by grant id
    users: dict[str, User]
    languages: dict[str, Language]  # the language of each signed-in caller's pages
    counter: Iterator[int] = field(default_factory=itertools.count)
    aggregated: dict[tuple[int, str, str], int] = field(default_factory=dict)

    @property
    def api(self) -> ApiWorld:
        return self.rules.api

    @property
    def callers(self) -> dict[str, Caller]:
        return self.rules.callers

    @property
    def objects(self) -> tuple[Obj, Obj]:
        return self.rules.objects

    def unique(self) -> int:
        return next(self.counter)


def _caller(api: ApiWorld, name: str, user: User) -> Caller:
    return Caller(
        name=name,
        token=None,
        roles=tuple(user.roles),
        user_id=user.id,
        organisation_id=user.organisation_id,
        assigned_grants=_assigned(api, user.id) if "reviewer" in user.roles else frozenset(),  # type: ignore[arg-type]
    )


def _language_of(page: str) -> Language:
    found = re.search(r'<html lang="(en|fr)">', page)
    assert found, "a page says its language"
    return found.group(1)  # type: ignore[return-value]


def _secrets(api: ApiWorld, grant_id: int) -> Secrets:
    with api.db.reading() as session:
        grant = session.get(Grant, grant_id)
        assert grant is not None
        organisation = session.get(Organisation, grant.organisation_id)
        assert organisation is not None
        return Secrets(grant.reference, grant.project_title, organisation.legal_name)


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory) -> Iterator[WebWorld]:  # type: ignore[no-untyped-def]
    directory = tmp_path_factory.mktemp("web-authorization-matrix")
    with module_api_world(directory, crashes_as_answers=True) as api:
        # As the API matrix builds it: a reviewer on A's panel only, one on B's only (who also
        # applies for A's organisation: its own tests below), one on no panel.
        member_of_a_on_b = api.user_with_roles("applicant", "reviewer", organisation_index=0)
        grant_b = api.grant_at(1, stop_after="approve")
        revoke_user(api.db, member_of_a_on_b.id)  # type: ignore[arg-type]
        panel_of_a_only = api.user_with_roles("reviewer")
        grant_a = api.grant_at(0, stop_after="approve")
        rotate_token(api.db, member_of_a_on_b.id)  # type: ignore[arg-type]  # active again
        on_no_panel = api.user_with_roles("reviewer")
        admin = api.user_with_roles("admin")
        revoked = api.user_with_roles("officer")
        # As in the API matrix, applicants who are not their organisation's signing contact:
        # an empty form may sign for a signing contact, and nothing here may move the grants.
        applicant_of_a = api.user_with_roles("applicant", organisation_index=0)
        applicant_of_b = api.user_with_roles("applicant", organisation_index=1)
        give_everyone_a_password(api)
        cast = api.cast
        users = {
            "applicant of A": applicant_of_a,
            "applicant of B": applicant_of_b,
            "officer": cast.screening_officer,
            "reviewer on A's panel": panel_of_a_only,
            "reviewer on no panel": on_no_panel,
            "approver": cast.approver,
            "finance": cast.finance,
            "auditor": cast.auditor,
            "admin": admin,
        }
        callers = [_caller(api, name, user) for name, user in users.items()]
        both_roles = _caller(api, BOTH_ROLES, member_of_a_on_b)  # outside the matrix
        users[BOTH_ROLES] = member_of_a_on_b
        browsers = {name: signed_in(user) for name, user in users.items()}
        homes = {name: person.get("/").text for name, person in browsers.items()}
        csrf = {name: csrf_of(page) for name, page in homes.items()}
        languages = {name: _language_of(page) for name, page in homes.items()}
        # Signed in, then revoked: the session it holds must stop working at once.
        browsers["revoked user"] = signed_in(revoked)
        assert browsers["revoked user"].get("/").status_code == 200
        csrf["revoked user"] = csrf_of(browsers["revoked user"].get("/").text)
        revoke_user(api.db, revoked.id)  # type: ignore[arg-type]
        browsers["not signed in"] = browser()
        csrf["not signed in"] = ""
        callers += [Caller(name=name, token=None) for name in NOT_SIGNED_IN]
        objects = (_obj(api, "grant A", 0, grant_a), _obj(api, "grant B", 1, grant_b))
        rules = World(
            api=api,
            callers={c.name: c for c in callers},
            objects=objects,
            both_roles=both_roles,
        )
        yield WebWorld(
            rules=rules,
            browsers=browsers,
            csrf=csrf,
            secrets={obj.grant_id: _secrets(api, obj.grant_id) for obj in objects},
            users=users,
            languages=languages,
        )


# The attempts ---------------------------------------------------------------------------------

Findings = tuple[list[str], list[str]]  # (leaks, other wrong answers)
Check = Callable[[WebWorld, Caller, Any], Findings]


@dataclass(frozen=True)
class Attempt:
    route: Route
    caller: Caller
    target: str
    url: str
    expected: frozenset[int]
    hidden: bool = False  # the caller may not see the object: anything but 404 (or 303) leaks
    form: dict[str, str] | None = None  # a POST's fields, beside the session's CSRF token
    with_csrf: bool = True
    check: Check | None = None
    grant_id: int | None = None  # the grant the page is about, if any

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
    form: dict[str, str] | None = None,
    check: Check | None = None,
    grant_id: int | None = None,
) -> Attempt:
    if not caller.authenticated:
        check = _sent_to_sign_in(url)
        return Attempt(route, caller, target, url, frozenset({303}), True, form, True, check)
    return Attempt(
        route, caller, target, url, frozenset(allowed), hidden, form, True, check, grant_id
    )


def _visible(flag: bool) -> dict[str, Any]:
    return {"allowed": {200} if flag else {404}, "hidden": not flag}


def _same(label: str, got: Any, want: Any) -> list[str]:
    return [] if got == want else [f"{label}: got {got}, expected {want}"]


def _sent_to_sign_in(url: str) -> Check:
    def check(world: WebWorld, caller: Caller, response: Any) -> Findings:
        leaks = [] if not response.content else [f"says {len(response.content)} bytes"]
        if "grantflow_session=" in response.headers.get("set-cookie", ""):
            leaks.append("sets a session cookie")
        want = f"/login?next={quote(url, safe='')}"
        return leaks, _same("location", response.headers.get("location"), want)

    return check


_DOCUMENT_LINK = re.compile(r'href="/documents/(\d+)/file"')
_ACTION_FORM = re.compile(r'action="/grants/(\d+)/actions/([a-z_]+)"')
_COPY_FORM = re.compile(r'action="/documents/(\d+)/other-language"')
_GRANT_LINK = re.compile(r'href="/grants/(\d+)"')
_TIMELINE = re.compile(r'<ol class="timeline">(.*?)</ol>', re.S)
_TIMELINE_ENTRY = re.compile(r'<li class="([a-z_]+)">')


def timeline_outcomes(page: str) -> list[str]:
    """The outcome of each entry of a grant page's timeline ('applied', 'denied', ...)."""
    found = _TIMELINE.search(page)
    return _TIMELINE_ENTRY.findall(found.group(1)) if found else []


def _grant_page_checked(obj: Obj) -> Check:
    def check(world: WebWorld, caller: Caller, response: Any) -> Findings:
        page = response.text
        leaks, wrong = [], []
        linked = [int(i) for i in _DOCUMENT_LINK.findall(page)]
        may = [
            i
            for i, _k, audience in obj.documents
            if world.rules.sees_document(caller, obj, audience)
        ]
        leaks += [f"links document {i} it may not see" for i in linked if i not in may]
        wrong += _same("documents linked", sorted(set(linked)), sorted(may))
        for document_id in (int(i) for i in _COPY_FORM.findall(page)):
            if document_id not in may:
                leaks.append(f"offers a copy of document {document_id} it may not see")
            elif set(caller.roles) <= set(READ_ONLY):
                leaks.append(f"offers a read-only caller a copy of document {document_id}")
        for grant_id, key in _ACTION_FORM.findall(page):
            if int(grant_id) != obj.grant_id:
                wrong.append(f"a form posts to grant {grant_id}")
            if not caller.holds(lifecycle.ACTIONS_BY_KEY[key].roles):
                leaks.append(f"offers a form for {key}, which none of its roles may take")
        outcomes = timeline_outcomes(page)
        wrong += [] if outcomes else ["no timeline"]
        if not caller.holds(SEES_EVERYTHING):
            others = [o for o in outcomes if o != "applied"]
            if others or 'class="refused"' in page:
                leaks.append(f"shows {len(others)} refused attempts of others")
        return leaks, wrong

    return check


def _home_checked(world: WebWorld, caller: Caller, response: Any) -> Findings:
    page = response.text
    listed = {int(i) for i in _GRANT_LINK.findall(page)}
    may = set(world.rules.visible_grant_ids(caller))
    leaks = [f"lists grant {i} it may not see" for i in sorted(listed - may)]
    user = world.users[caller.name]
    if 'href="/applications/new"' in page and application_scope(user) == "none":
        leaks.append("offers to start an application")
    if 'href="/audit/verify"' in page and not caller.holds(AUDITORS):
        leaks.append("offers the audit trail's check")
    reads_access_log = caller.holds(AUDITORS) or (
        "applicant" in caller.roles and caller.organisation_id is not None
    )
    if ('href="/access"' in page) != reads_access_log:
        leaks.append("links the access log wrongly")
    if 'href="/exports/' in page and not caller.holds(SEES_EVERYTHING):
        leaks.append("offers the officers' CSV lists")
    if re.search(r'href="/organisations/\d+/export"', page):
        leaks.append("offers an organisation's export to a caller who is not its signing contact")
    return leaks, []


def _application_form_checked(world: WebWorld, caller: Caller, response: Any) -> Findings:
    if application_scope(world.users[caller.name]) != "own_organisation":
        return [], []
    others = [
        s.organisation
        for obj in world.objects
        if obj.organisation_id != caller.organisation_id
        for s in [world.secrets[obj.grant_id]]
    ]
    leaks = [f"names organisation {name!r}" for name in others if name in response.text]
    if 'name="organisation_id"' in response.text:
        leaks.append("offers a choice of organisation")
    return leaks, []


def _created_for(organisation_id: int) -> Check:
    def check(world: WebWorld, caller: Caller, response: Any) -> Findings:
        found = re.fullmatch(
            r"/grants/(\d+)\?done=create_application#outcome", response.headers["location"]
        )
        if not found:
            return [], [f"sent to {response.headers['location']}"]
        with world.api.db.reading() as session:
            grant = session.get(Grant, int(found.group(1)))
            assert grant is not None
        if grant.organisation_id != organisation_id:
            return [f"created grant {grant.id} for organisation {grant.organisation_id}"], []
        return [], []

    return check


def _not_a_page(world: WebWorld, caller: Caller, response: Any) -> Findings:
    kind = response.headers.get("content-type", "")
    return [], [f"answered {kind}"] if kind.startswith("text/html") else []


def _signed_out(world: WebWorld, caller: Caller, response: Any) -> Findings:
    wrong = [] if response.headers["location"].startswith("/login") else ["not sent to sign in"]
    after = world.browsers[caller.name].get("/")
    return (
        [f"its session still works ({after.status_code})"] if after.status_code != 303 else []
    ), wrong


def _offers_sign_in(world: WebWorld, caller: Caller, response: Any) -> Findings:
    return [], [] if 'name="password"' in response.text else ["no sign-in form"]


def sign_in_page(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    if caller.authenticated:
        yield Attempt(route, caller, "the sign-in page", "/login", frozenset({303}))
    else:
        yield Attempt(
            route, caller, "the sign-in page", "/login", frozenset({200}), check=_offers_sign_in
        )


def sign_in_without_token(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    """The form's own CSRF check comes first: a post without it signs no one in."""
    form = {"email": "nobody@people.example", "password": "not the right passphrase"}
    yield Attempt(
        route, caller, "a forged sign-in", "/login", frozenset({403}), form=form, with_csrf=False
    )


def sign_out(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    yield _attempt(route, caller, "its session", "/logout", {303}, form={}, check=_signed_out)


def home(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    yield _attempt(route, caller, "its home", "/", {200}, check=_home_checked)


def grant_page(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    for obj in world.objects:
        visible = world.rules.sees_grant(caller, obj.grant_id, obj.organisation_id)
        url = f"/grants/{obj.grant_id}"
        check = _grant_page_checked(obj)
        yield _attempt(
            route, caller, obj.label, url, **_visible(visible), check=check, grant_id=obj.grant_id
        )


def take_action(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    for action, obj in itertools.product(lifecycle.ACTIONS, world.objects):
        url = f"/grants/{obj.grant_id}/actions/{action.key}"
        if not world.rules.sees_grant(caller, obj.grant_id, obj.organisation_id):
            outcome = _visible(False)
        elif caller.holds(action.roles):
            outcome = {"allowed": {303, 409, 422}}
        else:
            outcome = {"allowed": {403}}
        form = {"idempotency_key": f"web-matrix-{world.unique()}"}
        target = f"{action.key} on {obj.label}"
        yield _attempt(route, caller, target, url, **outcome, form=form, grant_id=obj.grant_id)


def application_form(world: WebWorld, caller: Caller, obj: Obj) -> dict[str, str]:
    """The application form filled as a person would, for ``obj``'s organisation, its amounts
    typed as the caller's pages write them."""
    words = Words(world.languages[caller.name])
    data = world.api.application(obj.index)
    form = {"organisation_id": str(obj.organisation_id)}
    for name in ("fund_code", "project_title", "project_description", "community"):
        form[name] = str(data[name])
    for name in ("start_date", "end_date"):
        form[name] = date.fromisoformat(str(data[name])).isoformat()
    for row, (year, cents) in enumerate(sorted(data["budget"].items()), start=1):
        form[f"budget.{row}.year"] = str(year)
        form[f"budget.{row}.amount"] = words.amount(int(cents))
    return form


def new_application_page(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    may = caller.authenticated and application_scope(world.users[caller.name]) != "none"
    check = _application_form_checked
    yield _attempt(
        route,
        caller,
        "the application form",
        "/applications/new",
        {200 if may else 403},
        check=check,
    )


def create_application(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    for obj in world.objects:
        target = f"application for {obj.label}'s organisation"
        if not caller.authenticated:
            yield _attempt(route, caller, target, "/applications/new", set(), form={})
            continue
        scope = application_scope(world.users[caller.name])
        # An applicant's form has no choice of organisation: whatever it posts, its own.
        for_whom = caller.organisation_id if scope == "own_organisation" else obj.organisation_id
        allowed = {403} if scope == "none" else {303}
        check = _created_for(for_whom)  # type: ignore[arg-type]
        form = application_form(world, caller, obj)
        yield _attempt(route, caller, target, "/applications/new", allowed, form=form, check=check)


def document_file(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    for obj in world.objects:
        for document_id, kind, audience in obj.documents:
            visible = world.rules.sees_document(caller, obj, audience)
            url = f"/documents/{document_id}/file"
            target = f"{kind} ({audience}) of {obj.label}"
            yield _attempt(
                route,
                caller,
                target,
                url,
                **_visible(visible),
                check=_not_a_page,
                grant_id=obj.grant_id,
            )


def dossier(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    for obj in world.objects:
        url = f"/grants/{obj.grant_id}/dossier"
        if not world.rules.sees_grant(caller, obj.grant_id, obj.organisation_id):
            yield _attempt(route, caller, obj.label, url, **_visible(False), grant_id=obj.grant_id)
        else:
            allowed = {200} if caller.holds(AUDITORS) else {403}
            yield _attempt(
                route, caller, obj.label, url, allowed, check=_not_a_page, grant_id=obj.grant_id
            )


def verify_audit(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    allowed = {200} if caller.holds(AUDITORS) else {403}
    yield _attempt(route, caller, "the audit trail", "/audit/verify", allowed)


def access_log(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    """Who read what: auditors all of it, an organisation's own users its part; 403 else."""
    reads = caller.holds(AUDITORS) or (
        "applicant" in caller.roles and caller.organisation_id is not None
    )
    yield _attempt(route, caller, "the access log", "/access", {200} if reads else {403})


FUND_OUTCOME_READERS = ("officer", "approver", "finance", "auditor", "admin")
# Pages about the fund, not a grant: tried once per caller, not on each grant.
FUND_PAGES = {("GET", "/funds/{code}/outcomes")}


def fund_outcomes(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    allowed = {200} if caller.holds(FUND_OUTCOME_READERS) else {403}
    url = f"/funds/{fictional.FUND_CODE}/outcomes"
    yield _attempt(route, caller, "the fund's outcomes", url, allowed)


# The Fund's signing authority is the matrix's approver; no applicant caller is its
# organisation's signing contact (models.data_agreement).
AGREEMENT_PARTIES = ("approver",)
AGREEMENT_FORM = {
    "purposes": "grant_administration",
    "notes_readers": "governance_and_auditors",
    "secondary_use": "none",
    "at_close": "keep",
    "retention_years": "7",
}


def agreement_page(suffix: str) -> Callable:
    """The agreement's page (200 for whoever sees the organisation); its proposal form (303 for
    a party's first proposal, 403 for the rest); accepting version 2 (the approver's own: the
    page explains the refusal, 409; 403 for the rest)."""

    def expand(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
        for obj in world.objects:
            url = f"/organisations/{obj.organisation_id}/data-agreement{suffix}"
            target = f"{obj.label}'s data agreement"
            form = None if route[0] == "GET" else AGREEMENT_FORM
            if not world.rules.sees_organisation(caller, obj.organisation_id):
                yield _attempt(route, caller, target, url, **_visible(False), form=form)
            elif route[0] == "GET":
                yield _attempt(route, caller, target, url, {200})
            elif not caller.holds(AGREEMENT_PARTIES):
                yield _attempt(route, caller, target, url, {403}, form=form)
            else:
                allowed = {303} if suffix.endswith("proposals") else {409}
                yield _attempt(route, caller, target, url, allowed, form=form)

    return expand


def _back_to_grant(obj: Obj) -> Check:
    def check(world: WebWorld, caller: Caller, response: Any) -> Findings:
        where = response.headers.get("location", "")
        wanted = re.fullmatch(rf"/grants/{obj.grant_id}\?copied=(en|fr)#copied", where)
        return [], [] if wanted else [f"sent to {where}"]

    return check


def copy_document(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    for obj in world.objects:
        for document_id, kind, audience in obj.documents:
            url = f"/documents/{document_id}/other-language"
            target = f"{kind} ({audience}) of {obj.label}"
            if not world.rules.sees_document(caller, obj, audience):
                outcome = _visible(False)
            elif set(caller.roles) <= set(READ_ONLY):
                outcome = {"allowed": {403}}
            else:
                outcome = {"allowed": {303}}
            yield _attempt(
                route,
                caller,
                target,
                url,
                **outcome,
                form={},
                check=_back_to_grant(obj),
                grant_id=obj.grant_id,
            )


def organisation_signature(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    """As the API's: only the organisation's signing authority signs for it (these callers are
    not its signing contacts: 403), and who may not see the document is told it does not exist
    (404); both before the form (with no file here) is read."""
    for obj in world.objects:
        for document_id, kind, audience in obj.documents:
            url = f"/grants/{obj.grant_id}/documents/{document_id}/organisation-signature"
            target = f"{kind} ({audience}) of {obj.label}"
            visible = world.rules.sees_document(caller, obj, audience)
            outcome = {"allowed": {403}} if visible else _visible(False)
            yield _attempt(route, caller, target, url, **outcome, form={}, grant_id=obj.grant_id)


def export_list(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    """The officers' CSV lists, as the API's: for whoever sees every grant, 403 to the rest."""
    allowed = {200} if caller.holds(SEES_EVERYTHING) else {403}
    yield _attempt(route, caller, "the list", route[1], allowed, check=_not_a_page)


def export_organisation(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    """As the API's: the callers are not signing contacts (403), or may not see it (404)."""
    for obj in world.objects:
        url = f"/organisations/{obj.organisation_id}/export"
        target = f"{obj.label}'s organisation"
        if not world.rules.sees_organisation(caller, obj.organisation_id):
            yield _attempt(route, caller, target, url, **_visible(False))
        else:
            yield _attempt(route, caller, target, url, {403})


def stylesheet(world: WebWorld, caller: Caller, route: Route) -> Iterator[Attempt]:
    yield Attempt(route, caller, "the stylesheet", route[1], frozenset({200}))


# In the order they are tried: the actions before the pages that show their refusals, and
# signing out last of all (it ends every session).
WEB_ROUTES: dict[Route, Callable[[WebWorld, Caller, Route], Iterator[Attempt]]] = {
    ("GET", "/login"): sign_in_page,
    ("POST", "/login"): sign_in_without_token,
    ("GET", "/static/grantflow.css"): stylesheet,
    ("POST", "/grants/{grant_id}/actions/{action}"): take_action,
    ("GET", "/"): home,
    ("GET", "/grants/{grant_id}"): grant_page,
    ("GET", "/applications/new"): new_application_page,
    ("POST", "/applications/new"): create_application,
    ("GET", "/documents/{document_id}/file"): document_file,
    ("GET", "/grants/{grant_id}/dossier"): dossier,
    ("GET", "/audit/verify"): verify_audit,
    ("GET", "/access"): access_log,
    ("GET", "/exports/grants.csv"): export_list,
    ("GET", "/exports/payments.csv"): export_list,
    ("GET", "/exports/reports.csv"): export_list,
    ("GET", "/organisations/{organisation_id}/export"): export_organisation,
    ("GET", "/funds/{code}/outcomes"): fund_outcomes,
    ("GET", "/organisations/{organisation_id}/data-agreement"): agreement_page(""),
    ("POST", "/organisations/{organisation_id}/data-agreement/proposals"): agreement_page(
        "/proposals"
    ),
    (
        "POST",
        "/organisations/{organisation_id}/data-agreement/proposals/{version}/acceptance",
    ): agreement_page("/proposals/2/acceptance"),
    # After the grant pages: the copies it makes are documents those pages' checks do not know.
    ("POST", "/documents/{document_id}/other-language"): copy_document,
    (
        "POST",
        "/grants/{grant_id}/documents/{document_id}/organisation-signature",
    ): organisation_signature,
    ("POST", "/logout"): sign_out,
}
# What changes the record (signing in and out changes only one's own session).
WRITES = {route for route in WEB_ROUTES if route[0] != "GET"} - LOGIN - {("POST", "/logout")}


def page_routes() -> set[Route]:
    return {route for route in app_routes() if serves_a_page(route[1])}


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
    page: str = ""  # the grant page's HTML, when it answered one

    @property
    def denied(self) -> bool:
        """A refusal the rules make (the sign-in form's own CSRF refusal is not one)."""
        caller = self.attempt.caller
        return (
            caller.authenticated and self.status in (403, 404) and self.attempt.route not in LOGIN
        )

    @property
    def denial_key(self) -> tuple[int | None, str, str]:
        """Caller, rule and kind, as ``models.denials`` counts repeats: the action key on the
        action route (as the API's), else the route template."""
        rule = "not-found" if self.status == 404 else "not-permitted"
        method, template = self.attempt.route
        is_action = "/actions/{" in template
        kind = self.attempt.url.rsplit("/", 1)[-1] if is_action else f"{method} {template}"
        return self.attempt.caller.user_id, rule, kind

    def __str__(self) -> str:
        notes = "; ".join(self.leaks + self.wrong)
        expected = "/".join(map(str, sorted(self.attempt.expected)))
        return (
            f"{self.attempt} -> {self.status} (expected {expected}){': ' + notes if notes else ''}"
        )


def _send(world: WebWorld, attempt: Attempt) -> Any:
    client = world.browsers[attempt.caller.name].client
    if attempt.method == "GET":
        return client.get(attempt.url, follow_redirects=False)
    token = {"csrf_token": world.csrf[attempt.caller.name]} if attempt.with_csrf else {}
    return client.post(attempt.url, data={**token, **(attempt.form or {})}, follow_redirects=False)


def _names_the_grant(world: WebWorld, attempt: Attempt, page: str) -> list[str]:
    if attempt.grant_id is None:
        return []
    secrets = world.secrets[attempt.grant_id]
    named = [s for s in (secrets.reference, secrets.title, secrets.organisation) if s in page]
    return [f"the refusal names {name!r}" for name in named]


def _run(world: WebWorld, attempt: Attempt, last: int) -> tuple[Outcome, int]:
    at = utcnow()
    response = _send(world, attempt)
    status = response.status_code
    leaks, wrong = [], []
    if status not in attempt.expected:
        wrong.append("unexpected status")
    if attempt.hidden and (status in range(200, 300) or status == 403):
        leaks.append("answered for an object it may not see")
    if attempt.hidden and status == 404:
        leaks += _names_the_grant(world, attempt, response.text)
    if "auditor" in attempt.caller.roles and attempt.route in WRITES and status in (200, 201, 303):
        leaks.append("an auditor changed something")
    if attempt.check is not None and (status in range(200, 400)):
        found_leaks, found_wrong = attempt.check(world, attempt.caller, response)
        leaks += found_leaks
        wrong += found_wrong
    if status >= 400:
        kind = response.headers.get("content-type", "")
        wrong += [] if kind.startswith("text/html") else [f"the error is {kind}, not a page"]
    events = denials_since(world.api.db, last)
    logged = [(e.rule, e.action, e.grant_id) for e in events]
    page = response.text if attempt.route == ("GET", "/grants/{grant_id}") and status == 200 else ""
    outcome = Outcome(attempt, status, leaks, wrong, [e.actor_id for e in events], at, logged, page)
    return outcome, max([last, *(e.id for e in events)])  # type: ignore[list-item]


def generate(world: WebWorld) -> list[Attempt]:
    return [
        attempt
        for route, expand in WEB_ROUTES.items()
        for caller in world.callers.values()
        for attempt in expand(world, caller, route)
    ]


@dataclass(frozen=True)
class Money:
    """What the probed grants hold that an action would change."""

    states: dict[int, str]
    instalments: list[tuple[int, int, str, int]]
    grants: int


def _money(world: WebWorld) -> Money:
    ids = [obj.grant_id for obj in world.objects]
    with world.api.db.reading() as session:
        states = {i: session.get(Grant, i).state for i in ids}  # type: ignore[union-attr]
        rows = session.exec(
            select(Instalment).where(Instalment.grant_id.in_(ids)).order_by(Instalment.id)  # type: ignore[union-attr]
        ).all()
        grants = len(session.exec(select(Grant.id)).all())
    return Money(states, [(r.id, r.grant_id, r.state, r.amount_cents) for r in rows], grants)  # type: ignore[misc]


@dataclass
class Run:
    outcomes: list[Outcome]
    before: Money
    after: Money
    first_event: int


@pytest.fixture(scope="module")
def run(world: WebWorld) -> Run:
    results = []
    last = last_denial(world.api.db)
    first = last_event(world.api.db)
    before = _money(world)
    for attempt in generate(world):
        outcome, last = _run(world, attempt, last)
        results.append(outcome)
    denials.flush_aggregates(world.api.db)
    world.aggregated = aggregated_since(world.api.db, first)
    return Run(results, before, _money(world), first)


@pytest.fixture(scope="module")
def outcomes(run: Run) -> list[Outcome]:
    return run.outcomes


def _listing(outcomes: list[Outcome], limit: int = 40) -> str:
    lines = [str(o) for o in outcomes[:limit]]
    more = len(outcomes) - limit
    return "\n".join(lines + ([f"... and {more} more"] if more > 0 else []))


# The rules ------------------------------------------------------------------------------------


def test_the_table_covers_every_page_route_the_app_serves_and_no_other():
    served = page_routes()
    assert not served - set(WEB_ROUTES), f"page routes without a row: {served - set(WEB_ROUTES)}"
    assert not set(WEB_ROUTES) - served, (
        f"rows for routes the app lacks: {set(WEB_ROUTES) - served}"
    )


def test_the_api_matrix_and_this_one_together_try_every_route_the_app_serves():
    assert set(API_ROUTES) == api_routes()
    assert not set(API_ROUTES) & set(WEB_ROUTES)
    missing = app_routes() - set(API_ROUTES) - set(WEB_ROUTES)
    assert not missing, f"routes neither matrix tries: {sorted(missing)}"
    assert set(API_ROUTES) | set(WEB_ROUTES) == app_routes()


def test_every_role_has_a_caller_signed_in_through_the_form(world):
    held = {role for caller in world.callers.values() for role in caller.roles}
    # Every role a person holds: grantflow's own actor never signs in
    # (tests/integration/models/test_system_actor.py).
    assert held == set(lifecycle.ROLES) - {system_role()}
    assert {c.name for c in world.callers.values() if not c.authenticated} == set(NOT_SIGNED_IN)
    cookies = {
        name: dict(b.client.cookies).get("grantflow_session") for name, b in world.browsers.items()
    }
    signed = [cookies[name] for name in world.callers if name != "not signed in"]
    assert all(signed) and len(set(signed)) == len(signed), "a session of its own each"
    assert cookies["not signed in"] is None


def test_the_world_has_the_reviewers_and_documents_the_rules_need(world):
    grant_a, grant_b = world.objects
    assert world.callers["reviewer on A's panel"].assigned_grants == {grant_a.grant_id}
    assert not world.callers["reviewer on no panel"].assigned_grants
    assert grant_a.organisation_id != grant_b.organisation_id


def test_every_route_is_tried_by_every_caller_on_each_object(world, outcomes):
    tried = {(o.attempt.route, o.attempt.caller.name) for o in outcomes}
    assert tried == set(itertools.product(WEB_ROUTES, world.callers))
    for route in WEB_ROUTES:
        if "{" in route[1] and route not in FUND_PAGES:
            labels = {o.attempt.target for o in outcomes if o.attempt.route == route}
            for obj in world.objects:
                assert any(obj.label in label for label in labels), (route, obj.label)
    actions = {o.attempt.url.rsplit("/", 1)[-1] for o in outcomes if "/actions/" in o.attempt.url}
    assert actions == set(lifecycle.ACTIONS_BY_KEY)
    assert list(WEB_ROUTES)[-1] == ("POST", "/logout"), "signing out ends the sessions: last"


def test_no_caller_sees_or_changes_what_it_may_not(outcomes):
    leaks = [o for o in outcomes if o.leaks]
    assert not leaks, f"{len(leaks)} leaks:\n{_listing(leaks)}"


def test_every_page_answers_every_caller_as_the_rules_say(outcomes):
    wrong = [o for o in outcomes if o.wrong]
    assert not wrong, f"{len(wrong)} wrong answers:\n{_listing(wrong)}"


def test_what_the_caller_may_not_see_is_404_never_403(outcomes):
    hidden = [o for o in outcomes if o.attempt.hidden and o.attempt.caller.authenticated]
    assert hidden
    revealing = [o for o in hidden if o.status != 404]
    assert not revealing, _listing(revealing)


def test_whoever_is_not_signed_in_is_sent_to_sign_in_everywhere_but_the_public_pages(outcomes):
    away = [
        o
        for o in outcomes
        if not o.attempt.caller.authenticated and o.attempt.route not in PUBLIC and o.status != 303
    ]
    assert not away, _listing(away)
    revoked = [o for o in outcomes if o.attempt.caller.name == "revoked user"]
    assert revoked and all(o.status in (200, 303, 403) for o in revoked)


def test_an_action_follows_the_lifecycle_roles_on_a_visible_grant(outcomes):
    visible_actions = [
        o
        for o in outcomes
        if "/actions/" in o.attempt.url
        and 404 not in o.attempt.expected
        and o.attempt.caller.authenticated
    ]
    assert visible_actions
    for outcome in visible_actions:
        action = lifecycle.ACTIONS_BY_KEY[outcome.attempt.url.rsplit("/", 1)[-1]]
        may = outcome.attempt.caller.holds(action.roles)
        assert (outcome.status == 403) != may, str(outcome)
        assert outcome.status in ({303, 409, 422} if may else {403}), str(outcome)


def test_an_auditor_never_changes_anything(world, run):
    writes = [
        o
        for o in run.outcomes
        if o.attempt.caller.roles == ("auditor",) and o.attempt.route in WRITES
    ]
    assert len(writes) >= 2 * len(lifecycle.ACTIONS)
    assert not [o for o in writes if o.status in range(200, 400)], _listing(writes)
    assert {o.status for o in writes} <= {403, 404}
    auditor = world.callers["auditor"].user_id
    with world.api.db.reading() as session:
        changed = session.exec(
            select(AuditEvent).where(
                AuditEvent.actor_id == auditor,
                AuditEvent.outcome == "applied",
                AuditEvent.id > run.first_event,  # type: ignore[operator]
            )
        ).all()
    assert not changed, [(e.action, e.grant_id) for e in changed]


def test_the_probed_grants_did_not_move(run):
    assert set(run.after.states.values()) == {"approved"}
    assert run.after.states == run.before.states
    assert run.after.instalments == run.before.instalments
    created = [
        o
        for o in run.outcomes
        if o.attempt.route == ("POST", "/applications/new")
        and o.attempt.caller.authenticated
        and o.status == 303
    ]
    assert run.after.grants == run.before.grants + len(created)


def test_the_timelines_hide_refused_attempts_the_staff_see(outcomes):
    """The check on applicants' and reviewers' timelines means something: there are refusals on
    the probed grants' trails (the matrix's own 403s) and staff are shown them."""
    staff = [o for o in outcomes if o.page and o.attempt.caller.holds(SEES_EVERYTHING)]
    assert staff and all("denied" in timeline_outcomes(o.page) for o in staff), _listing(staff)
    others = [o for o in outcomes if o.page and not o.attempt.caller.holds(SEES_EVERYTHING)]
    assert others and all(set(timeline_outcomes(o.page)) == {"applied"} for o in others)


def test_every_denial_is_one_denied_event_or_a_counted_repeat(world, outcomes):
    """As the API's: the first of each (caller, rule, kind) in a minute a 'denied' event naming
    that kind and rule, each repeat within the minute one count of a 'denials_aggregated'."""
    refused = [o for o in outcomes if o.denied]
    stray = [o for o in outcomes if not o.denied and o.denials_logged]
    assert not stray, f"answers that are not denials but logged one:\n{_listing(stray)}"
    found = sort_denials(refused)
    full, repeats = found.full, found.repeats
    assert not found.wrong, _listing(found.wrong)
    assert world.aggregated == found.counted()
    leaks = sum(1 for o in outcomes if o.leaks)
    print(
        f"web authorization matrix: {len(outcomes)} attempts, {leaks} leaks, {len(refused)} "
        f"denials: {len(full)} logged in full, {len(repeats)} repeats counted in "
        f"{len(world.aggregated)} aggregates"
    )
    assert len(full) + len(repeats) == len(refused)


def test_every_hidden_grant_page_is_on_the_record(world, outcomes):
    """The least of the above, said plainly: each 404 a signed-in caller got for a grant page
    is a 'denied' event (kept out of that grant's trail) or counted into an aggregate."""
    hidden = [
        o
        for o in outcomes
        if o.attempt.route == ("GET", "/grants/{grant_id}")
        and o.status == 404
        and o.attempt.caller.authenticated
    ]
    assert hidden
    counted = {o.denial_key for o in hidden if not o.logged}
    unrecorded = [o for o in hidden if not o.logged and o.denial_key not in world.aggregated]
    assert not unrecorded, _listing(unrecorded)
    assert all(grant is None for o in hidden for _rule, _action, grant in o.logged)
    assert counted <= set(world.aggregated)


def test_a_hidden_grant_looks_like_one_that_does_not_exist(world):
    """The 404 for a grant another organisation holds is the 404 for no grant at all."""
    person = signed_in(world.users["applicant of A"])  # the matrix signed everyone out
    _grant_a, grant_b = world.objects
    pages = [person.get(f"/grants/{i}") for i in (grant_b.grant_id, 999_999)]
    assert [p.status_code for p in pages] == [404, 404]
    hidden, missing = (
        p.text.replace(f"/grants/{i}?", "/grants/ID?")
        for p, i in zip(pages, (grant_b.grant_id, 999_999), strict=True)
    )
    assert hidden == missing


# A person who applies for one organisation and reviews for the fund -----------------------------


def test_an_applicant_who_reviews_is_linked_only_the_documents_of_each_of_its_roles(world):
    """On its own grant the applicant-audience documents, on the one on its panel the panel's."""
    caller = world.rules.both_roles
    person = world.browsers[caller.name]
    grant_a, grant_b = world.objects
    assert caller.assigned_grants == {grant_b.grant_id}
    for obj, audience in ((grant_a, "applicant"), (grant_b, "panel")):
        page = person.get(f"/grants/{obj.grant_id}")
        assert page.status_code == 200
        linked = sorted(int(i) for i in _DOCUMENT_LINK.findall(page.text))
        # The grant's documents as stored now: the matrix had copies made in the other language.
        stored = _documents_of(world.api, obj.grant_id)
        assert len(stored) > len(obj.documents)
        assert linked == [i for i, _kind, a in stored if a == audience], obj.label
        assert set(timeline_outcomes(page.text)) == {"applied"}
        for document_id, _kind, other in stored:
            status = person.get(f"/documents/{document_id}/file").status_code
            assert status == (200 if other == audience else 404), (obj.label, other)
