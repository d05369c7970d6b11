"""The deadlines grantflow keeps by itself, as rules over dates.

One place says when a report reminder is due, when a report is overdue, when an offer lapses
and when an information request's cure period ends; the guards of the system's actions
(``models.guards``) and the daily sweep that finds their subjects (``workflows.sweep``) both
read these functions, so the sweep never proposes what the engine would refuse.

Every rule is a window, not a single day: a sweep that missed days finds on its next run
everything those days would have found (a reminder whose window is still open, a report
that became overdue meanwhile), and the sweep's keys keep each from happening twice.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.clock import as_utc
from models.tables import Fund, Grant, Instalment, OutcomeReport

# Where the fund works: a sweep "of a day" happens at this hour of that day, Toronto time.
FUND_TIME_ZONE = ZoneInfo("America/Toronto")
SWEEP_HOUR = 6
# Reminders before a report's due date, days ahead (the latest one whose window is open is
# sent; a sweep that missed the first one's window sends only the nearer one).
REPORT_REMINDER_DAYS: tuple[int, ...] = (30, 7)
# The applicant is warned this many days before an unsigned offer lapses, and before the
# cure period of an information request ends.
OFFER_WARNING_DAYS = 7
CURE_WARNING_DAYS = 3


def fund_today(moment: datetime) -> date:
    """The fund's calendar day at ``moment`` (Toronto)."""
    return as_utc(moment).astimezone(FUND_TIME_ZONE).date()


def sweep_moment(day: date) -> datetime:
    """The moment a sweep of ``day`` acts at: ``SWEEP_HOUR`` in Toronto, in UTC."""
    return as_utc(datetime.combine(day, time(SWEEP_HOUR), tzinfo=FUND_TIME_ZONE))


# ------------------------------------------------------------------------------- reports


def report_open(report: OutcomeReport) -> bool:
    """Still owed by the organisation: not yet submitted, or returned for changes."""
    return report.state in ("due", "returned")


def report_overdue(report: OutcomeReport, today: date) -> bool:
    return report_open(report) and report.due_date < today


def reminder_point(report: OutcomeReport, today: date) -> int | None:
    """Which reminder (days ahead, from ``REPORT_REMINDER_DAYS``) is due on ``today``: the
    nearest one whose window has opened, while the report is open and not yet due."""
    if not report_open(report) or today > report.due_date:
        return None
    left = (report.due_date - today).days
    opened = [days for days in REPORT_REMINDER_DAYS if left <= days]
    return min(opened) if opened else None


def reminder_window_opens(report: OutcomeReport) -> date:
    return report.due_date - timedelta(days=max(REPORT_REMINDER_DAYS))


def report_period_over(report: OutcomeReport, today: date) -> bool:
    return report.period_end < today


# ---------------------------------------------------------------------------- payments


def instalment_payable(instalment: Instalment, today: date) -> bool:
    return instalment.due_date <= today


# ------------------------------------------------------------------------------ offers


def offer_lapsed(grant: Grant, today: date) -> bool:
    return grant.offer_expires_on is not None and today > grant.offer_expires_on


def offer_warning_due(grant: Grant, today: date) -> bool:
    expires = grant.offer_expires_on
    if grant.state != "approved" or expires is None:
        return False
    return expires - timedelta(days=OFFER_WARNING_DAYS) <= today <= expires


# --------------------------------------------------------------------- information requests


def cure_period_ends(grant: Grant, fund: Fund) -> datetime | None:
    """When the applicant's time to answer an information request runs out."""
    if grant.info_requested_at is None:
        return None
    return as_utc(grant.info_requested_at) + timedelta(days=fund.cure_period_days)


def cure_period_over(grant: Grant, fund: Fund, now: datetime) -> bool:
    """Over once its last day (on the fund's calendar) has passed: an application is never
    closed on the day the applicant may still answer."""
    ends = cure_period_ends(grant, fund)
    if grant.state != "needs_info" or ends is None:
        return False
    return as_utc(now) > ends and fund_today(now) > fund_today(ends)


def cure_warning_due(grant: Grant, fund: Fund, today: date) -> bool:
    ends = cure_period_ends(grant, fund)
    if grant.state != "needs_info" or ends is None:
        return False
    last_day = fund_today(ends)
    return last_day - timedelta(days=CURE_WARNING_DAYS) <= today <= last_day


# ---------------------------------------------------------------------- the calendar ahead


def deadline_days(
    grants: list[Grant],
    reports: list[OutcomeReport],
    instalments: list[Instalment],
    fund: Fund,
    after: date,
    until: date,
) -> list[date]:
    """The days in (``after``, ``until``] on which some rule here starts or stops to hold for
    these rows: where a sweep finds something to do. A simulated calendar (the demo, the
    tests) sweeps those days instead of every day; the windows make the two equivalent."""
    days: set[date] = set()
    for report in reports:
        for lead in REPORT_REMINDER_DAYS:
            days.add(report.due_date - timedelta(days=lead))
        days.add(report.due_date + timedelta(days=1))
    for instalment in instalments:
        days.add(instalment.due_date)
    for grant in grants:
        if grant.offer_expires_on is not None:
            days.add(grant.offer_expires_on - timedelta(days=OFFER_WARNING_DAYS))
            days.add(grant.offer_expires_on + timedelta(days=1))
        ends = cure_period_ends(grant, fund)
        if ends is not None:
            last_day = fund_today(ends)
            days.add(last_day - timedelta(days=CURE_WARNING_DAYS))
            days.add(last_day + timedelta(days=1))
    return sorted(day for day in days if after < day <= until)
