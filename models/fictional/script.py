"""The steps that take one fictional grant through its lifecycle, as (action, actor, payload,
at).

A generator, so it reads the grant's instalments and reports only once approval created them.
The same script drives the demo (through Prefect) and the tests (through any runner).

``at`` is when the step happens on the fund's calendar: None (now) until the agreement is in
effect; then each instalment is paid on its due date and each report submitted and accepted
just after its period ends, in date order, as the rules require (an instalment is payable
from its due date, a report accepted once its period is over). A runner passes ``at`` as the
engine's ``now``: the grant lives its years in a moment, on a simulated clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, NamedTuple

from sqlmodel import select

from models.clock import as_utc, utcnow
from models.context import Actor
from models.db import Database
from models.deadlines import FUND_TIME_ZONE, fund_today
from models.fictional.cast import INSURER
from models.fictional.seeding import Cast
from models.payloads import REVIEW_CRITERIA
from models.tables import Amendment, Grant, Instalment, Organisation, OutcomeReport, User

Variant = Literal[
    "full",
    "declined_at_screening",
    "declined_at_approval",
    "info_requested",
    # Report 1 is submitted only after its due date: the sweep's overdue notice holds the
    # payments until it is accepted.
    "late_report",
    # Approved, never signed: the offer lapses at its deadline (by the sweep).
    "offer_lapsed",
    # In its first year the agreement is amended: six months longer and a tenth more money.
    "amended",
]
# The hour of the fund's day at which a scripted step dated on the calendar happens.
STEP_HOUR = 10
# A late report is submitted this many days after its due date.
LATE_BY_DAYS = 5


class Step(NamedTuple):
    action: str
    actor: Actor
    payload: dict[str, Any]
    at: datetime | None = None  # None: now


def on_day(day: date) -> datetime:
    """A scripted step's moment on ``day``: ``STEP_HOUR`` on the fund's clock, in UTC."""
    return as_utc(datetime.combine(day, time(STEP_HOUR), tzinfo=FUND_TIME_ZONE))


def actor(user: User) -> Actor:
    return Actor(user.id, user.name, tuple(user.roles), user.organisation_id)  # type: ignore[arg-type]


def _grant(db: Database, grant_id: int) -> Grant:
    with db.reading() as session:
        grant = session.get(Grant, grant_id)
        assert grant is not None
        return grant


def payable_instalments(db: Database, grant_id: int, holdback: bool) -> list[Instalment]:
    """The regular instalments, or the holdback, still to be paid: a holdback that close-out
    withheld (nothing payable) is settled and never paid."""
    with db.reading() as session:
        rows = session.exec(
            select(Instalment).where(Instalment.grant_id == grant_id).order_by(Instalment.sequence)
        )
        return [i for i in rows if (i.kind == "holdback") == holdback and i.state == "scheduled"]


def reports_of(db: Database, grant_id: int) -> list[OutcomeReport]:
    with db.reading() as session:
        return list(
            session.exec(
                select(OutcomeReport)
                .where(OutcomeReport.grant_id == grant_id)
                .order_by(OutcomeReport.sequence)
            )
        )


def _review(cast: Cast, scores: int) -> Iterator[Step]:
    for reviewer in cast.reviewers:
        yield Step("declare_conflict", actor(reviewer), {"kind": "none"})
        yield Step("score", actor(reviewer), {"scores": dict.fromkeys(REVIEW_CRITERIA, scores)})


def payment_steps(cast: Cast, instalment: Instalment, at: datetime | None) -> Iterator[Step]:
    ref = {"sequence": instalment.sequence}
    yield Step("initiate_payment", actor(cast.payments_officer), ref, at)
    yield Step("release_payment", actor(cast.finance), ref, at)


def _when(day: date) -> datetime | None:
    """``day``'s step moment, or None (now) when that day has come already."""
    return None if day <= fund_today(utcnow()) else on_day(day)


REVISED = {"en": "(revised)", "fr": "(version révisée)"}
RESOLUTION_ON_FILE = {
    "en": "The signed Board resolution for the second year is now on file.",
    "fr": "La résolution signée du conseil pour la deuxième année est maintenant au dossier.",
}


def amendment(grant: Grant, language: str) -> dict[str, Any]:
    """What the applicant changes after the information request: the title, and the
    description saying the requested resolution is on file."""
    return {
        "project_title": f"{grant.project_title} {REVISED[language]}",
        "project_description": f"{grant.project_description} {RESOLUTION_ON_FILE[language]}",
    }


CONDITION = {
    "en": "Certificate of insurance on file before the first payment.",
    "fr": "Certificat d'assurance au dossier avant le premier versement.",
}


def _language(db: Database, organisation_id: int) -> str:
    with db.reading() as session:
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        return organisation.preferred_language


def steps(db: Database, cast: Cast, grant_id: int, variant: Variant = "full") -> Iterator[Step]:
    grant = _grant(db, grant_id)
    applicant = actor(cast.applicants[grant.organisation_id])
    officer = actor(cast.screening_officer)
    approver = actor(cast.approver)
    yield Step("submit", applicant, {})
    if variant == "declined_at_screening":
        reason = "The project falls outside the fund's eligible activities for this call."
        yield Step("decline", officer, {"reason": reason})
        return
    if variant == "info_requested":
        items = ["Signed Board resolution for the 2nd year"]
        yield Step("request_info", officer, {"items": items})
        language = _language(db, grant.organisation_id)
        yield Step("amend_application", applicant, amendment(grant, language))
        yield Step("submit", applicant, {})
    yield Step("screen_in", officer, {})
    if variant == "declined_at_approval":
        yield from _review(cast, scores=2)
        yield Step(
            "not_recommend",
            officer,
            {
                "consensus_rating": 2,
                "rationale": "The panel found the partnership plan not yet ready.",
                "deliberation_notes": "Sealed panel discussion.",
            },
        )
        reason = "The panel did not recommend funding this round."
        yield Step("decline", approver, {"reason": reason})
        return
    yield from _review(cast, scores=4)
    yield Step(
        "recommend",
        officer,
        {
            "consensus_rating": 4,
            "rationale": "Strong community support, survivor-led design and a sound budget.",
            "recommended_cents": grant.requested_cents,
            "deliberation_notes": "Sealed panel discussion.",
        },
    )
    yield Step(
        "approve",
        approver,
        {
            "approved_cents": grant.requested_cents,
            "risk_rating": "low" if grant_id % 2 else "medium",
            "conditions": [CONDITION[_language(db, grant.organisation_id)]],
        },
    )
    if variant == "offer_lapsed":
        return  # never signed: the sweep lapses the offer after its deadline
    # The applicant user is the organisation's signing contact: nothing to type.
    yield Step("sign", applicant, {})
    yield Step("countersign", approver, {})
    yield Step(
        "record_insurance",
        actor(cast.payments_officer),
        {
            "certificate_ref": f"CGL-{grant.reference}",
            "insurer": INSURER,
            "coverage_cents": 500_000_000,
        },
    )
    yield from _agreement_years(db, cast, grant_id, applicant, officer, variant)
    closing_day = _last_regular_day(db, grant_id) + timedelta(days=1)
    yield Step("begin_closeout", officer, {}, _when(closing_day))
    for holdback in payable_instalments(db, grant_id, holdback=True):
        yield from payment_steps(cast, holdback, _when(max(closing_day, holdback.due_date)))
        closing_day = max(closing_day, holdback.due_date)
    yield Step("close", approver, {}, _when(closing_day))


def _report_days(report: OutcomeReport, variant: Variant) -> tuple[date, date]:
    """When a report is submitted and when it is accepted: just after its period ends, or
    (report 1 of a late grant) some days after its due date."""
    submitted = report.period_end + timedelta(days=1)
    if variant == "late_report" and report.sequence == 1:
        submitted = report.due_date + timedelta(days=LATE_BY_DAYS)
    return submitted, submitted + timedelta(days=1)


def _agreement_years(
    db: Database, cast: Cast, grant_id: int, applicant: Actor, officer: Actor, variant: Variant
) -> Iterator[Step]:
    """The regular instalments and the reports, in the order their days come (an amended
    grant's amendment on its day among them)."""
    yield from _calendar(db, cast, grant_id, applicant, officer, variant, since=None)


AMENDMENT_DAYS_BEFORE_FIRST_PERIOD_END = 60


def _calendar(  # noqa: PLR0913 - the script's actors and where it stands
    db: Database,
    cast: Cast,
    grant_id: int,
    applicant: Actor,
    officer: Actor,
    variant: Variant,
    since: date | None,
) -> Iterator[Step]:
    """What is left of the agreement's years from ``since`` (the start when None), read from
    the grant's rows as they stand: after an amendment, they are read again."""
    reports = [r for r in reports_of(db, grant_id) if r.state in ("due", "returned")]
    spent = report_spending(db, grant_id, reports)
    # (day, order within the day, what): an amendment first on its day, then payments, then
    # reports.
    calendar: list[tuple[date, int, int, str]] = []
    if variant == "amended" and since is None:
        calendar.append(
            (
                reports[0].period_end - timedelta(days=AMENDMENT_DAYS_BEFORE_FIRST_PERIOD_END),
                -1,
                0,
                "amend",
            )
        )
    for instalment in payable_instalments(db, grant_id, holdback=False):
        day = instalment.due_date if since is None else max(since, instalment.due_date)
        calendar.append((day, 0, instalment.sequence, "pay"))
    for report in reports:
        submitted, accepted = _report_days(report, variant)
        calendar.append((submitted, 1, report.sequence, "submit"))
        calendar.append((accepted, 2, report.sequence, "accept"))
    late = [(r.due_date, _report_days(r, variant)[1]) for r in reports]
    for day, _, sequence, what in sorted(calendar):
        at = _when(day)
        if what == "amend":
            yield from _amendment_steps(db, cast, grant_id, applicant, at)
            yield from _calendar(db, cast, grant_id, applicant, officer, variant, since=day)
            return
        if what == "pay":
            # While a report is overdue no payment is made (the sweep holds them): those
            # falling due meanwhile are paid once it is accepted, below.
            overdue = any(due < day <= accepted for due, accepted in late)
            instalment = _instalment(db, grant_id, sequence)
            if overdue or instalment.state != "scheduled":
                continue
            yield from payment_steps(cast, instalment, at)
        elif what == "submit":
            yield Step(
                "submit_report",
                applicant,
                {
                    "sequence": sequence,
                    "expenditure_cents": spent[sequence],
                    **fictional_outcomes(grant_id, sequence),
                },
                at,
            )
        else:
            yield Step("accept_report", officer, {"sequence": sequence}, at)
            # Payments the overdue report held resume on acceptance: pay them now.
            for held in payable_instalments(db, grant_id, holdback=False):
                if held.due_date <= day:
                    yield from payment_steps(cast, held, at)


def report_spending(db: Database, grant_id: int, to_come: list[OutcomeReport]) -> dict[int, int]:
    """What each report still to come says was spent: what is left of the approved amount
    once the reports already submitted are counted, in equal parts (the rest on the last)."""
    grant = _grant(db, grant_id)
    reported = sum(
        r.expenditure_cents or 0
        for r in reports_of(db, grant_id)
        if r.state not in ("due", "returned")
    )
    left = (grant.approved_cents or 0) - reported
    if not to_come:
        return {}
    shares = [left // len(to_come)] * len(to_come)
    shares[-1] += left - sum(shares)
    return {report.sequence: share for report, share in zip(to_come, shares, strict=True)}


AMENDMENT_REASONS = {
    "en": (
        "A second site opens in the extended term, with its own camps and mentors.",
        "The second site’s first camps run in the six months after the original end.",
    ),
    "fr": (
        "Un deuxième site ouvre pendant la période prolongée, avec ses propres camps et mentores.",
        "Les premiers camps du deuxième site ont lieu dans les six mois suivant la fin prévue.",
    ),
}


def amendment_proposal(grant: Grant, language: str) -> dict[str, Any]:
    """The scripted amendment: six months longer, and a tenth more money (whole dollars)."""
    increase = (grant.approved_cents or 0) // 10 // 100 * 100
    amount_reason, date_reason = AMENDMENT_REASONS[language]
    return {
        "approved_cents": (grant.approved_cents or 0) + increase,
        "approved_cents_reason": amount_reason,
        "end_date": date(grant.end_date.year, 9, 30).isoformat(),
        "end_date_reason": date_reason,
    }


def _amendment_steps(
    db: Database, cast: Cast, grant_id: int, applicant: Actor, at: datetime | None
) -> Iterator[Step]:
    """Proposed by the payments officer, approved and countersigned by the approver (the
    Fund's signing authority), signed by the organisation's signing contact."""
    grant = _grant(db, grant_id)
    language = _language(db, grant.organisation_id)
    number = {"sequence": _amendments_made(db, grant_id) + 1}
    proposal = amendment_proposal(grant, language)
    yield Step("propose_amendment", actor(cast.payments_officer), proposal, at)
    yield Step("approve_amendment", actor(cast.approver), number, at)
    yield Step("sign_amendment", applicant, number, at)
    yield Step("countersign_amendment", actor(cast.approver), number, at)


def _amendments_made(db: Database, grant_id: int) -> int:
    with db.reading() as session:
        return len(session.exec(select(Amendment).where(Amendment.grant_id == grant_id)).all())


def fictional_outcomes(grant_id: int, sequence: int) -> dict[str, int]:
    """A report's fictional counts: mostly large, but continuing clients and referrals are
    small for some grants, so the fund's outcome report shows suppression at work."""
    return {
        "people_served_new": 24 + sequence,
        "people_served_continuing": 12 if grant_id % 3 else 4,
        "service_contacts": 310 + 7 * grant_id,
        "referrals": 18 if grant_id % 2 else 3 + sequence,
        "culturally_based_services": 42,
    }


def _instalment(db: Database, grant_id: int, sequence: int) -> Instalment:
    with db.reading() as session:
        found = session.exec(
            select(Instalment).where(
                Instalment.grant_id == grant_id, Instalment.sequence == sequence
            )
        ).one()
        return found


def _last_regular_day(db: Database, grant_id: int) -> date:
    """The day of the last regular payment or report acceptance."""
    with db.reading() as session:
        paid = session.exec(
            select(Instalment).where(Instalment.grant_id == grant_id, Instalment.kind != "holdback")
        ).all()
        accepted = session.exec(select(OutcomeReport).where(OutcomeReport.grant_id == grant_id))
        days = [fund_today(i.released_at) for i in paid if i.released_at is not None]
        days += [fund_today(r.reviewed_at) for r in accepted if r.reviewed_at is not None]
    return max(days, default=fund_today(utcnow()))
