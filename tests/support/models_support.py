"""Factories and helpers for the models/ tests. Fictional data only.

Two kinds of world:

* ``fake_context(action_key)``: unsaved rows in an ``ActionContext`` in which every guard of
  that action holds. Unit tests break one fact and watch one guard refuse.
* ``seeded_world(directory)``: a real database (SQLite, or PostgreSQL: see
  ``tests.support.databases``) seeded with the demo cast. ``prepare`` takes
  a fresh grant (through the engine, by the demo script) to the point where an action is next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import SQLModel, select

from models import lifecycle
from models.clock import utcnow
from models.context import ActionContext, Actor
from models.db import Database
from models.engine import TransitionResult, apply_action
from models.fictional import cast as fictional_cast
from models.fictional.cast import FUND_CODE
from models.fictional.rows import contact_fields, fund_fields, organisation_fields, user_fields
from models.fictional.script import Step, Variant, actor, on_day, steps
from models.fictional.seeding import Cast, application_for, seed
from models.governed import engine_window
from models.offers import Offer
from models.payloads import REVIEW_CRITERIA
from models.provisioning import create_application, create_user, system_actor
from models.tables import (
    Amendment,
    AuditEvent,
    BudgetLine,
    Contact,
    Fund,
    FundAllocation,
    Grant,
    Instalment,
    Organisation,
    OutcomeReport,
    ReviewAssignment,
    ReviewScore,
    User,
)
from models.visibility import system_role
from tests.support.databases import keep, kept_database_url

# --------------------------------------------------------------------------- fakes

NOW = datetime(2026, 6, 1, 14, 30, tzinfo=UTC)
START = date(2027, 4, 1)
END = date(2028, 3, 31)
FISCAL_YEAR = 2027
REQUESTED = 25_000_000
ORGANISATION = fictional_cast.ORGANISATIONS[0]
(SIGNER, SIGNER_TITLE), (NON_SIGNER, _) = ORGANISATION["contacts"]
# The addresses the two contacts are on file under: an applicant user signs in with one of them.
SIGNER_EMAIL = fictional_cast.lead_email(ORGANISATION)
NON_SIGNER_EMAIL = fictional_cast.staff_email(ORGANISATION)
PROJECT_TITLE, PROJECT_DESCRIPTION = fictional_cast.PROJECTS[0]


@dataclass(frozen=True)
class FakePeople:
    screening_officer: User
    payments_officer: User
    elder: User
    survivor_advisor: User
    reviewer: User
    approver: User
    finance: User
    applicant: User
    system: User

    @property
    def reviewers(self) -> list[User]:
        return [self.elder, self.survivor_advisor, self.reviewer]

    def everyone(self) -> list[User]:
        return [
            self.screening_officer,
            self.payments_officer,
            *self.reviewers,
            self.approver,
            self.finance,
            self.applicant,
            self.system,
        ]

    def acting_as(self, role: str) -> User:
        return {
            "applicant": self.applicant,
            "officer": self.screening_officer,
            "reviewer": self.elder,
            "approver": self.approver,
            "finance": self.finance,
            "system": self.system,
        }[role]


def _fake_user(user_id: int, person: fictional_cast.Person, **changes: Any) -> User:
    return User(id=user_id, **user_fields(person), **changes)


def fake_people() -> FakePeople:
    """The shared cast's people as unsaved users, the applicant of the first organisation."""
    return FakePeople(
        screening_officer=_fake_user(10, fictional_cast.SCREENING_OFFICER),
        payments_officer=_fake_user(11, fictional_cast.PAYMENTS_OFFICER),
        elder=_fake_user(20, fictional_cast.ELDER),
        survivor_advisor=_fake_user(21, fictional_cast.SURVIVOR_ADVISOR),
        reviewer=_fake_user(22, fictional_cast.REVIEWER),
        approver=_fake_user(30, fictional_cast.APPROVER),
        finance=_fake_user(40, fictional_cast.FINANCE),
        applicant=_fake_user(50, fictional_cast.applicant(ORGANISATION), organisation_id=1),
        system=User(id=90, name="grantflow", roles=["system"]),
    )


def governed(model: type, state: str, **fields: Any) -> Any:
    """An unsaved Grant, Instalment or OutcomeReport already in ``state``."""
    with engine_window():
        return model(state=state, **fields)


def force_state(row: Any, state: str) -> None:
    """Put an unsaved fake in ``state`` as the engine would."""
    with engine_window():
        row.state = state


def fake_fund(**changes: Any) -> Fund:
    return Fund(id=1, **fund_fields(**{"call_deadline": NOW + timedelta(days=30), **changes}))


def fake_organisation(**changes: Any) -> Organisation:
    return Organisation(id=1, **{**organisation_fields(ORGANISATION), **changes})


def fake_contacts() -> list[Contact]:
    """The first organisation's contacts: the lead (``SIGNER``) signs, the second does not."""
    return [
        Contact(id=number, organisation_id=1, **fields)
        for number, fields in enumerate(contact_fields(ORGANISATION), start=1)
    ]


def fake_grant(state: str, **changes: Any) -> Grant:
    fields: dict[str, Any] = {
        "id": 1,
        "reference": f"{FUND_CODE}-2026-0001",
        "fund_id": 1,
        "organisation_id": 1,
        "project_title": PROJECT_TITLE,
        "project_description": PROJECT_DESCRIPTION,
        "community": ORGANISATION["community"],
        "requested_cents": REQUESTED,
        "start_date": START,
        "end_date": END,
    }
    return governed(Grant, state, **{**fields, **changes})


def fake_instalments(states: tuple[str, str, str] = ("scheduled",) * 3) -> list[Instalment]:
    """The plan of a low-risk one-year grant of $250,000: initial, one periodic, holdback."""
    plan = (("initial", START, 5_000_000), ("periodic", START, 17_500_000))
    plan += (("holdback", END + timedelta(days=90), 2_500_000),)
    return [
        governed(
            Instalment,
            state,
            id=100 + sequence,
            grant_id=1,
            sequence=sequence,
            kind=kind,
            due_date=due,
            amount_cents=amount,
        )
        for sequence, ((kind, due, amount), state) in enumerate(
            zip(plan, states, strict=True), start=1
        )
    ]


def fake_report(state: str = "due", **changes: Any) -> OutcomeReport:
    fields: dict[str, Any] = {
        "id": 200,
        "grant_id": 1,
        "sequence": 1,
        "kind": "final",
        "period_start": START,
        "period_end": END,
        "due_date": END + timedelta(days=60),
    }
    return governed(OutcomeReport, state, **{**fields, **changes})


def all_scores(reviewer_id: int, score: int = 4) -> list[ReviewScore]:
    return [
        ReviewScore(grant_id=1, reviewer_id=reviewer_id, criterion=criterion, score=score)
        for criterion in REVIEW_CRITERIA
    ]


FAKE_PAYLOADS: dict[str, dict[str, Any]] = {
    "request_info": {"items": ["Signed Board resolution for the second year"]},
    "amend_application": {"project_title": f"{PROJECT_TITLE} (revised)"},
    "withdraw": {"reason": "The Board decided to apply next year."},
    "declare_conflict": {"kind": "none"},
    "score": {"scores": dict.fromkeys(REVIEW_CRITERIA, 4)},
    "recommend": {
        "consensus_rating": 4,
        "rationale": "Strong community support.",
        "recommended_cents": REQUESTED,
    },
    "not_recommend": {"consensus_rating": 2, "rationale": "Partnership plan not ready."},
    "approve": {"approved_cents": REQUESTED, "risk_rating": "low"},
    "decline": {"reason": "Outside the eligible activities of this call."},
    "record_insurance": {
        "certificate_ref": "CGL-0001",
        "insurer": fictional_cast.INSURER,
        "coverage_cents": 500_000_000,
    },
    "initiate_payment": {"sequence": 1},
    "release_payment": {"sequence": 1},
    "hold_payment": {"sequence": 1, "reason": "Bank details being verified."},
    "resume_payment": {"sequence": 1},
    "submit_report": {
        "sequence": 1,
        "expenditure_cents": REQUESTED,
        "people_served_new": 25,
        "people_served_continuing": 12,
        "service_contacts": 310,
        "referrals": 18,
        "culturally_based_services": 42,
    },
    "accept_report": {"sequence": 1},
    "remind_report": {"sequence": 1},
    "record_overdue_report": {"sequence": 1},
    "return_report": {"sequence": 1, "reason": "Please add the referral counts."},
    "terminate": {"reason": "The recipient organisation dissolved."},
    "propose_amendment": {
        "approved_cents": 27_500_000,
        "approved_cents_reason": "A second site opens in the extended term.",
        "end_date": "2028-09-30",
        "end_date_reason": "The second site opens in the spring.",
    },
    "withdraw_amendment": {"sequence": 1, "reason": "Proposed in error."},
    "approve_amendment": {"sequence": 1},
    "decline_amendment": {"sequence": 1, "reason": "The allocation is needed elsewhere."},
    "sign_amendment": {"sequence": 1},
    "countersign_amendment": {"sequence": 1},
}
# The state each amendment action finds amendment 1 in (the fake world's amendment: six months
# and $25,000 more, proposed by the payments officer).
AMENDED_END = date(2028, 9, 30)
AMENDED_CENTS = 27_500_000


def fake_amendment(state: str = "proposed", **changes: Any) -> Amendment:
    """Amendment 1 of the fake grant: an extension to ``AMENDED_END`` and an increase to
    ``AMENDED_CENTS``, proposed by the payments officer."""
    fields: dict[str, Any] = {
        "id": 300,
        "grant_id": 1,
        "sequence": 1,
        "approved_cents_before": REQUESTED,
        "approved_cents_after": AMENDED_CENTS,
        "approved_cents_reason": "A second site opens in the extended term.",
        "end_date_before": END,
        "end_date_after": AMENDED_END,
        "end_date_reason": "The second site opens in the spring.",
        "annual_report_days_before": 90,
        "final_report_days_before": 60,
        "proposed_by_id": fake_people().payments_officer.id,
        "proposed_at": NOW - timedelta(days=3),
    }
    return governed(Amendment, state, **{**fields, **changes})


_REVIEWED = ("recommended", "not_recommended", "approved", "signed", "active", "closing")
_INSTALMENT_STATES: dict[str, tuple[str, str, str]] = {
    "release_payment": ("initiated", "scheduled", "scheduled"),
    "resume_payment": ("held", "scheduled", "scheduled"),
    "begin_closeout": ("released", "released", "scheduled"),
    "close": ("released", "released", "released"),
}
# When each action dated by the payment plan or the reporting schedule is taken, in the fake
# world: an instalment is payable from its due date, a report accepted once its period ends,
# reminded in the 30 days before its due date and overdue after it.
_MOMENTS: dict[str, datetime] = {
    "initiate_payment": datetime.combine(START + timedelta(days=1), NOW.timetz()),
    "release_payment": datetime.combine(START + timedelta(days=1), NOW.timetz()),
    "accept_report": datetime.combine(END + timedelta(days=30), NOW.timetz()),
    "begin_closeout": datetime.combine(END + timedelta(days=30), NOW.timetz()),
    "close": datetime.combine(END + timedelta(days=30), NOW.timetz()),
    "remind_report": datetime.combine(END + timedelta(days=50), NOW.timetz()),
    "record_overdue_report": datetime.combine(END + timedelta(days=65), NOW.timetz()),
}
_REPORT_STATES = {
    "accept_report": "submitted",
    "return_report": "submitted",
    "begin_closeout": "accepted",
    "close": "accepted",
}


def fake_context(action_key: str) -> ActionContext:
    """A request to take ``action_key`` that satisfies every guard the action names."""
    action = lifecycle.ACTIONS_BY_KEY[action_key]
    people = fake_people()
    user = people.acting_as(action.roles[0])
    state = action.from_states[0] if action.subject == "grant" else "active"
    grant = fake_grant(state)
    assignments: list[ReviewAssignment] = []
    scores: list[ReviewScore] = []
    instalments: list[Instalment] = []
    reports: list[OutcomeReport] = []
    if state != "draft":
        grant.submitted_at = NOW - timedelta(days=20)
    if state not in ("draft", "submitted", "needs_info"):
        grant.screened_by_id = grant.coordinator_id = people.screening_officer.id
        conflict = None if action_key == "declare_conflict" else "none"
        assignments = [
            ReviewAssignment(grant_id=1, reviewer_id=r.id, conflict=conflict)
            for r in people.reviewers
        ]
    if state in _REVIEWED or action_key in ("recommend", "not_recommend"):
        scores = [s for r in people.reviewers for s in all_scores(r.id)]
    if state in _REVIEWED and state not in ("recommended", "not_recommended"):
        grant.approved_cents = REQUESTED
        grant.offer_expires_on = NOW.date() + timedelta(days=20)
    if action_key == "lapse":
        grant.offer_expires_on = NOW.date() - timedelta(days=1)
    if state == "needs_info":
        days_ago = 20 if action_key == "close_incomplete" else 2
        grant.info_requested_at = NOW - timedelta(days=days_ago)
    if state in ("active", "closing"):
        grant.signer_name = SIGNER
        grant.countersigned_at = NOW - timedelta(days=5)
        grant.countersigned_by_id = people.approver.id
        grant.insurance_certificate_ref = "CGL-0001"
        instalments = fake_instalments(_INSTALMENT_STATES.get(action_key, ("scheduled",) * 3))
        reports = [fake_report(_REPORT_STATES.get(action_key, "due"))]
    if action_key == "release_payment":
        instalments[0].initiated_by_id = people.payments_officer.id
    amendments: list[Amendment] = []
    budget = [BudgetLine(id=1, grant_id=1, fiscal_year=FISCAL_YEAR, requested_cents=REQUESTED)]
    allocations = {
        FISCAL_YEAR: FundAllocation(
            id=1, fund_id=1, fiscal_year=FISCAL_YEAR, allocated_cents=400_000_000
        )
    }
    if "amendment" in action_key:
        budget[0].approved_cents = REQUESTED
        allocations[FISCAL_YEAR + 1] = FundAllocation(
            id=2, fund_id=1, fiscal_year=FISCAL_YEAR + 1, allocated_cents=400_000_000
        )
    if action.subject == "amendment":
        amendments = [fake_amendment(action.from_states[0])]
    ctx = ActionContext(
        action=action,
        actor=Actor(user.id, user.name, tuple(user.roles), user.organisation_id),
        role=action.roles[0],
        payload=action.payload.model_validate(FAKE_PAYLOADS.get(action_key, {})),
        now=_MOMENTS.get(action_key, NOW),
        fund=fake_fund(),
        grant=grant,
        organisation=fake_organisation(),
        contacts=fake_contacts(),
        budget=budget,
        allocations=allocations,
        panel=people.reviewers if "panel" in action.needs else [],
        users={u.id: u for u in people.everyone()},
        assignments=assignments,
        scores=scores,
        instalments=instalments,
        reports=reports,
        amendments=amendments,
    )
    if "offer" in action.needs:
        ctx.offer = Offer(audit_event_id=7, document_id=11, sha256="0f" * 32)
    if action.subject == "instalment":
        ctx.subject = instalments[0]
    elif action.subject == "report":
        ctx.subject = reports[0]
    elif action.subject == "amendment":
        ctx.subject = amendments[0]
    return ctx


def acting_as(ctx: ActionContext, user: User, role: str | None = None) -> ActionContext:
    """The same request taken by someone else."""
    ctx.actor = Actor(user.id, user.name, tuple(user.roles), user.organisation_id)
    ctx.role = role or user.roles[0]
    return ctx


def with_payload(ctx: ActionContext, **changes: Any) -> ActionContext:
    """The same request with some payload fields changed (and validated)."""
    ctx.payload = type(ctx.payload).model_validate({**ctx.payload.model_dump(), **changes})
    return ctx


# --------------------------------------------------------------------------- real database


def new_database(directory: Path) -> Database:
    """A new, empty grantflow database: a SQLite file in ``directory``, or a PostgreSQL schema
    when ``GRANTFLOW_TEST_DATABASE=postgresql`` (dropped, and its engine disposed, when the
    session ends)."""
    db = Database(kept_database_url(directory, "t.db"))
    keep(db.dispose)
    db.create_schema()
    return db


@dataclass
class World:
    db: Database
    cast: Cast

    def applicant_of(self, grant_id: int) -> Actor:
        return actor(self.cast.applicants[grant(self.db, grant_id).organisation_id])

    def applicant_of_another_organisation(self, grant_id: int) -> Actor:
        own = grant(self.db, grant_id).organisation_id
        return actor(next(user for org, user in self.cast.applicants.items() if org != own))


def seeded_world(directory: Path) -> World:
    db = new_database(directory)
    return World(db, seed(db))


def new_grant(world: World, index: int = 0, **changes: Any) -> int:
    """A draft application from the index-th fictional applicant; ``changes`` override it."""
    organisation, data = application_for(index, world.cast)
    created = create_application(world.db, organisation.id, {**data, **changes})
    assert created.id is not None
    return created.id


def take(world: World, step: Step, grant_id: int, **options: Any) -> TransitionResult:
    """Take ``step`` through the engine, at the moment the script dates it (unless ``now`` is
    among ``options``)."""
    action_key, who, payload, at = Step(*step)
    options.setdefault("now", at)
    return apply_action(world.db, grant_id, action_key, who, payload, **options)


def advance(
    world: World,
    grant_id: int,
    until: str,
    *,
    variant: Variant = "full",
    occurrence: int = 1,
) -> Step:
    """From a draft grant, take the demo script's steps until ``until`` is next (its
    ``occurrence``-th time); return that step, not taken."""
    seen = 0
    for step in steps(world.db, world.cast, grant_id, variant):
        if step[0] == until:
            seen += 1
            if seen == occurrence:
                return step
        take(world, step, grant_id)
    raise AssertionError(f"the {variant} script never reaches '{until}' #{occurrence}")


def run_script(world: World, grant_id: int, variant: Variant = "full") -> list[TransitionResult]:
    return [take(world, step, grant_id) for step in steps(world.db, world.cast, grant_id, variant)]


@dataclass(frozen=True)
class Prepared:
    """A grant at a point where ``action`` may be taken, and who would take it with what."""

    grant_id: int
    action: str
    actor: Actor
    payload: dict[str, Any]
    now: datetime | None = None

    @property
    def step(self) -> Step:
        return Step(self.action, self.actor, self.payload, self.now)


def _scripted(variant: Variant = "full") -> Callable[[World, str], Prepared]:
    def prepare_scripted(world: World, action_key: str) -> Prepared:
        grant_id = new_grant(world)
        _, who, payload, at = advance(world, grant_id, action_key, variant=variant)
        return Prepared(grant_id, action_key, who, payload, now=at)

    return prepare_scripted


def _just_before(
    until: str,
    who: Callable[[World, int], Actor],
    payload: Callable[[dict], dict],
    variant: Variant = "full",
) -> Callable[[World, str], Prepared]:
    """A grant taken to where the ``variant`` script would take ``until``; another action is
    taken there."""

    def prepare_there(world: World, action_key: str) -> Prepared:
        grant_id = new_grant(world)
        _, _, scripted_payload, at = advance(world, grant_id, until, variant=variant)
        actor_there = who(world, grant_id)
        return Prepared(grant_id, action_key, actor_there, payload(scripted_payload), now=at)

    return prepare_there


def _payments_officer(world: World, grant_id: int) -> Actor:
    return actor(world.cast.payments_officer)


def _screening_officer(world: World, grant_id: int) -> Actor:
    return actor(world.cast.screening_officer)


def _approver(world: World, grant_id: int) -> Actor:
    return actor(world.cast.approver)


def _resume_payment(world: World, action_key: str) -> Prepared:
    grant_id = new_grant(world)
    _, officer, ref, at = advance(world, grant_id, "initiate_payment")
    hold = Step("hold_payment", officer, {**ref, "reason": "Bank details changed."}, at)
    take(world, hold, grant_id)
    return Prepared(grant_id, action_key, officer, ref, now=at)


def _system(world: World) -> Actor:
    return actor(system_actor(world.db))


def _close_incomplete(world: World, action_key: str) -> Prepared:
    """An information request left unanswered past its cure period."""
    grant_id = new_grant(world)
    advance(world, grant_id, "amend_application", variant="info_requested")
    fund = world.cast.fund
    later = utcnow() + timedelta(days=fund.cure_period_days + 1)
    return Prepared(grant_id, action_key, _system(world), {}, now=later)


def _report_deadline(days_from_due: int) -> Callable[[World, str], Prepared]:
    """The first report still due, ``days_from_due`` days from its due date."""

    def prepare_report(world: World, action_key: str) -> Prepared:
        grant_id = new_grant(world)
        advance(world, grant_id, "submit_report")
        report = reports(world.db, grant_id)[0]
        when = on_day(report.due_date + timedelta(days=days_from_due))
        return Prepared(grant_id, action_key, _system(world), {"sequence": 1}, now=when)

    return prepare_report


def _lapse(world: World, action_key: str) -> Prepared:
    grant_id = new_grant(world)
    advance(world, grant_id, "sign")
    officer = actor(world.cast.screening_officer)
    return Prepared(grant_id, action_key, officer, {}, now=utcnow() + timedelta(days=400))


PREPARATIONS: dict[str, Callable[[World, str], Prepared]] = {
    "submit": _scripted(),
    "request_info": _scripted("info_requested"),
    "amend_application": _scripted("info_requested"),
    "screen_in": _scripted(),
    "withdraw": _just_before(
        "screen_in", World.applicant_of, lambda _: {"reason": "We will apply next year."}
    ),
    "declare_conflict": _scripted(),
    "score": _scripted(),
    "recommend": _scripted(),
    "not_recommend": _scripted("declined_at_approval"),
    "approve": _scripted(),
    "decline": _scripted("declined_at_screening"),
    "lapse": _lapse,
    "close_incomplete": _close_incomplete,
    "remind_report": _report_deadline(-10),
    "record_overdue_report": _report_deadline(1),
    "sign": _scripted(),
    "countersign": _scripted(),
    "record_insurance": _scripted(),
    "initiate_payment": _scripted(),
    "release_payment": _scripted(),
    "hold_payment": _just_before(
        "initiate_payment", _payments_officer, lambda ref: {**ref, "reason": "Bank check."}
    ),
    "resume_payment": _resume_payment,
    "submit_report": _scripted(),
    "accept_report": _scripted(),
    "return_report": _just_before(
        "accept_report", _screening_officer, lambda ref: {**ref, "reason": "Add referrals."}
    ),
    "begin_closeout": _scripted(),
    "close": _scripted(),
    "terminate": _just_before(
        "initiate_payment", _approver, lambda _: {"reason": "The recipient dissolved."}
    ),
    "propose_amendment": _scripted("amended"),
    "withdraw_amendment": _just_before(
        "approve_amendment",
        _payments_officer,
        lambda ref: {**ref, "reason": "Proposed in error."},
        "amended",
    ),
    "approve_amendment": _scripted("amended"),
    "decline_amendment": _just_before(
        "approve_amendment", _approver, lambda ref: {**ref, "reason": "Not this year."}, "amended"
    ),
    "sign_amendment": _scripted("amended"),
    "countersign_amendment": _scripted("amended"),
}


def prepare(world: World, action_key: str) -> Prepared:
    """A fresh grant at a state ``action_key`` leaves from, with the person who would take it."""
    return PREPARATIONS[action_key](world, action_key)


def take_prepared(world: World, ready: Prepared, **options: Any) -> TransitionResult:
    return take(world, ready.step, ready.grant_id, now=ready.now, **options)


def user_holding_only(world: World, role: str, organisation_id: int | None = None) -> Actor:
    if role == system_role():
        return _system(world)  # no person holds it: grantflow's own actor
    user = create_user(
        world.db,
        name=f"Only {role.title()} (fictional)",
        roles=[role],
        organisation_id=organisation_id,
    )
    return actor(user)


# --------------------------------------------------------------------------- reading back


def grant(db: Database, grant_id: int) -> Grant:
    with db.reading() as session:
        row = session.get(Grant, grant_id)
        assert row is not None
        return row


def instalments(db: Database, grant_id: int) -> list[Instalment]:
    with db.reading() as session:
        query = select(Instalment).where(Instalment.grant_id == grant_id)
        return list(session.exec(query.order_by(Instalment.sequence)))


def reports(db: Database, grant_id: int) -> list[OutcomeReport]:
    with db.reading() as session:
        query = select(OutcomeReport).where(OutcomeReport.grant_id == grant_id)
        return list(session.exec(query.order_by(OutcomeReport.sequence)))


def allocations(db: Database, fund_id: int) -> dict[int, FundAllocation]:
    with db.reading() as session:
        query = select(FundAllocation).where(FundAllocation.fund_id == fund_id)
        return {a.fiscal_year: a for a in session.exec(query)}


def subject_state(db: Database, action_key: str, grant_id: int, payload: dict[str, Any]) -> str:
    """The current state of the row ``action_key`` acts on."""
    subject = lifecycle.ACTIONS_BY_KEY[action_key].subject
    if subject == "grant":
        return grant(db, grant_id).state
    rows: list[Any] = {
        "instalment": instalments,
        "report": reports,
        "amendment": amendments,
    }[subject](db, grant_id)
    return next(row.state for row in rows if row.sequence == payload["sequence"])


def amendments(db: Database, grant_id: int) -> list[Amendment]:
    with db.reading() as session:
        query = select(Amendment).where(Amendment.grant_id == grant_id)
        return list(session.exec(query.order_by(Amendment.sequence)))


def audit_events(db: Database, grant_id: int | None = None) -> list[AuditEvent]:
    with db.reading() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if grant_id is not None:
            query = query.where(AuditEvent.grant_id == grant_id)
        return list(session.exec(query))


def snapshot(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with db.reading() as session:
        connection = session.connection()
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(table.select().order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
        }
