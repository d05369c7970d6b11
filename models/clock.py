"""Time rules: UTC storage, Ontario fiscal years (April to March)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC, so say so."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def fiscal_year_of(day: date) -> int:
    """The Ontario fiscal year containing ``day``, named by the year of its April."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_start(fiscal_year: int) -> date:
    return date(fiscal_year, 4, 1)


def fiscal_year_end(fiscal_year: int) -> date:
    return date(fiscal_year + 1, 3, 31)


def fiscal_years_between(start: date, end: date) -> list[int]:
    return list(range(fiscal_year_of(start), fiscal_year_of(end) + 1))


def add_business_days(day: date, business_days: int) -> date:
    current = day
    remaining = business_days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
