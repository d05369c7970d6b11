"""The API's reads cost a fixed number of queries, however many grants a page holds.

Each SQL statement the installation's engine runs while a request is answered is counted (an
event listener on the real engine, SQLite or PostgreSQL by the test switch). A list of 8 grants
must cost what a list of 2 does: a query per listed grant (its organisation, fiscal years,
pending documents, amendments) is the N+1 that made the list slow at 10,000 grants.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from models import engine
from models.engine import apply_action
from models.fictional import application_for
from models.fictional.script import steps
from models.grant_rows import context_over
from models.provisioning import create_application
from tests.support.api_support import ApiWorld, make_api_world

# How far each grant goes through the demo script: a draft, submitted, screened in (a panel
# assigned), reviewed, approved (budget lines, instalments, owed documents), signed, and
# active with its first instalment paid (instalments and reports to act on).
STOPS = (
    None,
    "submit",
    "screen_in",
    "score",
    "approve",
    "sign",
    "approve",
    "screen_in",
    "release_payment",
)
# The grant's own tables, which an answer about its actions reads at most once each.
GRANT_TABLES = (
    "fund",
    "organisation",
    "contact",
    "budgetline",
    "fundallocation",
    "reviewassignment",
    "reviewscore",
    "instalment",
    "outcomereport",
    "amendment",
)


@pytest.fixture
def world(installation) -> ApiWorld:  # type: ignore[no-untyped-def]
    world = make_api_world(installation)
    for index, stop in enumerate(STOPS):
        organisation, data = application_for(index, world.cast)
        grant = create_application(installation, organisation.id, data)
        if stop is None:
            continue
        for action, who, payload, at in steps(installation, world.cast, grant.id):  # type: ignore[arg-type]
            apply_action(installation, grant.id, action, who, payload, now=at)
            if action == stop and (stop != "score" or who.user_id == world.cast.reviewers[-1].id):
                break
    return world


@contextmanager
def counted(world: ApiWorld) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = world.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def queries(world: ApiWorld, user, path: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    with counted(world) as statements:
        answer = world.client.get(path, headers=world.headers(user))
    assert answer.status_code == 200, answer.text
    return len(statements), answer.json()


def test_the_list_costs_the_same_queries_for_2_grants_as_for_8(world: ApiWorld) -> None:
    officer = world.cast.screening_officer
    few, small = queries(world, officer, "/api/v1/grants?limit=2")
    many, large = queries(world, officer, "/api/v1/grants?limit=8")
    assert len(small["items"]) == 2 and len(large["items"]) == 8
    assert many == few, f"limit=2 ran {few} queries, limit=8 ran {many}"
    # What the batched page holds is what each grant's own answer says.
    for item in large["items"]:
        _, one = queries(world, officer, f"/api/v1/grants/{item['id']}")
        assert one == item


def test_an_applicant_and_a_reviewer_page_cost_no_query_per_grant(world: ApiWorld) -> None:
    applicant = world.applicant_of(0)
    reviewer = world.cast.reviewers[0]
    for user in (applicant, reviewer):
        few, small = queries(world, user, "/api/v1/grants?limit=1")
        many, large = queries(world, user, "/api/v1/grants?limit=100")
        assert len(small["items"]) == 1 and len(large["items"]) >= 2
        assert many == few, f"{user.name}: limit=1 ran {few} queries, limit=100 ran {many}"
        for item in large["items"]:
            _, one = queries(world, user, f"/api/v1/grants/{item['id']}")
            assert one == item


def test_the_actions_offered_read_the_grants_rows_once_however_many_are_asked(
    world: ApiWorld,
) -> None:
    """Each action (and each instalment or report it targets) is judged over one load of the
    grant's rows: each of its tables is read at most once per answer, not once per action
    asked about, nor again for the rules after finding what the actions apply to."""
    cast = world.cast
    people = [cast.screening_officer, cast.payments_officer, cast.approver, cast.finance]
    most_asked, subject_offered = 0, False
    for grant_id in range(1, len(STOPS) + 1):
        for user in [*people, *cast.reviewers]:
            with counted(world) as statements:
                answer = world.client.get(
                    f"/api/v1/grants/{grant_id}/actions", headers=world.headers(user)
                )
            if answer.status_code == 404 and user in cast.reviewers:
                continue  # not on the panel of this grant
            assert answer.status_code == 200, answer.text
            asked = sum(max(1, len(offer["targets"])) for offer in answer.json())
            most_asked = max(most_asked, asked)
            for table in GRANT_TABLES:
                # A read of the table's rows selects its columns (a visibility check may
                # only name it in a subquery).
                reads = [s for s in statements if s.lstrip().startswith(f"SELECT {table}.")]
                assert len(reads) <= 1, f"{user.name} on grant {grant_id}: {table} {reads}"
            if any(offer["subject"] != "grant" for offer in answer.json()):
                subject_offered = True
    assert most_asked >= 3, "no answer offered several actions: the test would prove nothing"
    assert subject_offered, "no instalment or report was offered: the test would prove less"


@pytest.mark.parametrize("variant", ["full", "amended"])
def test_every_step_of_a_whole_lifecycle_is_offered_over_one_read_of_each_table(
    installation,  # type: ignore[no-untyped-def]
    variant: str,
) -> None:
    """From submission to close-out (and through an amendment), the actor of each step is
    offered it, on the instalment, report or amendment it applies to, before it is taken; and
    each answer reads each of the grant's tables once, whichever rows it holds by then."""
    world = make_api_world(installation)
    people = {user.id: user for user in world.everyone()}
    organisation, data = application_for(0, world.cast)
    grant = create_application(installation, organisation.id, data)
    taken = 0
    for action, who, payload, at in steps(installation, world.cast, grant.id, variant):  # type: ignore[arg-type]
        user = people.get(who.user_id)
        if user is not None:
            with counted(world) as statements:
                answer = world.client.get(
                    f"/api/v1/grants/{grant.id}/actions", headers=world.headers(user)
                )
            assert answer.status_code == 200, answer.text
            offers = {offer["key"]: offer for offer in answer.json()}
            assert action in offers, f"step {taken + 1}: {action} not offered to {user.name}"
            if "sequence" in payload:
                assert payload["sequence"] in offers[action]["targets"], (action, payload)
            for table in GRANT_TABLES:
                reads = [s for s in statements if s.lstrip().startswith(f"SELECT {table}.")]
                assert len(reads) <= 1, f"{action}: {table} read {len(reads)} times"
        apply_action(installation, grant.id, action, who, payload, now=at)
        taken += 1
    assert (
        world.client.get(
            f"/api/v1/grants/{grant.id}", headers=world.headers(world.cast.screening_officer)
        ).json()["state"]
        == "closed"
    )
    assert taken >= 15


def _every_row_at_once(rows, grant, role, action, actor, payload, now):  # type: ignore[no-untyped-def]
    """The context an action itself gets: every one of the grant's rows read first."""
    return context_over(rows.load_all(), grant, role, action, actor, payload, now)


@pytest.mark.parametrize("variant", ["full", "amended"])
def test_an_actions_answer_reads_only_the_rows_its_rules_look_at(
    installation,  # type: ignore[no-untyped-def]
    variant: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Readiness reads each of the grant's rows when a rule first looks at it: at every step of
    a whole lifecycle, for every person, the answer is the one given over every row read at
    once (the action's own context), for fewer queries; a closed grant's answer, offering
    nothing, reads none of the grant's tables."""
    world = make_api_world(installation)
    organisation, data = application_for(0, world.cast)
    grant = create_application(installation, organisation.id, data)
    path = f"/api/v1/grants/{grant.id}/actions"
    costs = {"lazily": 0, "at once": 0}

    def answers(mode: str) -> dict[int, tuple[int, object]]:
        found = {}
        for user in world.everyone():
            with counted(world) as statements:
                answer = world.client.get(path, headers=world.headers(user))
            found[user.id] = (answer.status_code, answer.json())
            costs[mode] += len(statements)
        return found

    offered = 0
    for action, who, payload, at in steps(installation, world.cast, grant.id, variant):  # type: ignore[arg-type]
        lazily = answers("lazily")
        with monkeypatch.context() as patched:
            patched.setattr(engine, "ReadingContext", _every_row_at_once)
            at_once = answers("at once")
        assert lazily == at_once, f"before {action}"
        offered += sum(len(body) for status, body in lazily.values() if status == 200)
        apply_action(installation, grant.id, action, who, payload, now=at)
    assert offered >= 30, "few actions were offered: the comparison would prove little"
    assert costs["lazily"] < 0.75 * costs["at once"], costs  # measured: 0.65
    seen = 0
    for user in world.everyone():
        with counted(world) as statements:
            answer = world.client.get(path, headers=world.headers(user))
        # Those it is not visible to are answered 404 (a panel member not on its panel).
        assert answer.status_code in (200, 404), (user.name, answer.text)
        seen += answer.status_code == 200
        if answer.status_code == 200:
            assert answer.json() == [], (user.name, answer.text)
        read = [
            t for t in GRANT_TABLES for s in statements if s.lstrip().startswith(f"SELECT {t}.")
        ]
        assert read == [], f"{user.name}: a closed grant's answer read {read}"
    assert seen >= 5, "too few people see the closed grant: the check would prove little"


def test_a_page_and_a_grant_read_their_names_with_the_grants(world: ApiWorld) -> None:
    """The organisation's name and the fund's code come in the grants' own query: a page is
    the caller, the count, the grants and one read of each related table shown (budget lines,
    owed documents, amendments); one grant the same without the count."""
    officer = world.cast.screening_officer
    for path, expected in (("/api/v1/grants?limit=8", 6), ("/api/v1/grants/1", 5)):
        with counted(world) as statements:
            answer = world.client.get(path, headers=world.headers(officer))
        assert answer.status_code == 200, answer.text
        sent = [s for s in statements if s.strip() != "BEGIN"]  # SQLite's, on its own
        assert len(sent) == expected, "\n".join(sent)
        named = [s for s in sent if "organisation.legal_name" in s]
        assert len(named) == 1 and "grant JOIN organisation" in named[0].replace('"', ""), named


def test_a_history_reads_the_fund_with_the_grant_and_asks_for_assignment_only_of_the_panel(
    world: ApiWorld,
) -> None:
    """Everyone asks for the history of a grant screened in (its panel assigned): its fund's
    threshold comes in the grant's own query, and whether the caller is assigned to its review
    is asked only of people whose roles reach grants that way; the reviewers' answers and
    everyone else's are what the authorization matrix holds them to."""
    from models.visibility import declared

    screened_in = STOPS.index("screen_in") + 1
    panel_answers = 0
    for user in world.everyone():
        with counted(world) as statements:
            answer = world.client.get(
                f"/api/v1/grants/{screened_in}/history", headers=world.headers(user)
            )
        assert answer.status_code in (200, 404), answer.text
        reads = [s.lstrip() for s in statements]
        assert not [s for s in reads if s.startswith("SELECT fund.")], user.name
        by_assignment = any(v.reach == "assigned_panel" for v in declared(user.roles))
        asked = [s for s in reads if s.startswith("SELECT reviewassignment.")]
        assert len(asked) == (1 if by_assignment else 0), (user.name, asked)
        panel_answers += by_assignment and answer.status_code == 200
    assert panel_answers >= 3  # the panel members assigned to it read its history
