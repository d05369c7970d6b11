"""What an application says, and the rules every version of it follows.

An application is written twice: at intake (``models.provisioning.ApplicationInput``) and when
the applicant amends it (``models.payloads.ApplicationAmendment``, the ``amend_application``
action). Both declare their fields with the types below and check dates and budget with the
same functions, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from models.clock import fiscal_years_between
from models.text_types import LONG_TEXT_MAX, NAME_MAX, MultiLine, SingleLine

MAX_CENTS = 10**13  # $100 billion: far past any grant or fund, far inside 64 bits when summed

# An Ontario fiscal year, named by the year of its April. JSON object keys are strings: say
# which strings a per-fiscal-year map takes.
FiscalYear = Annotated[int, Field(ge=2000, le=2100)]
FISCAL_YEAR_KEYS: dict[str, Any] = {"propertyNames": {"pattern": "^(20[0-9]{2}|2100)$"}}

# The free-text rule's types with their lengths, as types of their own. The lengths come before
# the rule's metadata so pydantic checks them on the string itself ("String should have at
# least 3 characters"), after the rule has normalised it; nested the other way round they would
# become a generic length check that speaks of "items".
ProjectTitle = Annotated[str, Field(min_length=3, max_length=NAME_MAX), *SingleLine.__metadata__]
ProjectDescription = Annotated[
    str, Field(min_length=10, max_length=LONG_TEXT_MAX), *MultiLine.__metadata__
]
Community = Annotated[str, Field(min_length=2, max_length=NAME_MAX), *SingleLine.__metadata__]


def budget_amounts_valid(budget: dict[int, int]) -> dict[int, int]:
    """No year asks for less than nothing, and the whole budget asks for something."""
    if any(amount < 0 for amount in budget.values()):
        raise ValueError("budget amounts must not be negative")
    if sum(budget.values()) <= 0:
        raise ValueError("the budget must request more than $0.00")
    return budget


Budget = Annotated[
    dict[FiscalYear, Annotated[int, Field(le=MAX_CENTS)]],
    Field(
        min_length=1,
        description="Requested cents per Ontario fiscal year (keyed by its April)",
        json_schema_extra=FISCAL_YEAR_KEYS,
    ),
    AfterValidator(budget_amounts_valid),
]


def end_after_start(start_date: date, end_date: date) -> None:
    """Raises ``ValueError`` unless the project ends after it starts."""
    if end_date <= start_date:
        raise ValueError("end_date must be after start_date")


def budget_inside_project(budget_years: Collection[int], start_date: date, end_date: date) -> None:
    """Raises ``ValueError`` when a budget year falls outside the project's fiscal years."""
    outside = sorted(set(budget_years) - set(fiscal_years_between(start_date, end_date)))
    if outside:
        raise ValueError(f"budget years {outside} fall outside the project's fiscal years")


def plan_problem(
    start_date: date, end_date: date, budget: Mapping[int, int]
) -> tuple[str, str] | None:
    """The first of the intake checks on dates and budget that fails, as (field, message):
    what an application whose fields are only known together (an amendment merged with the
    grant it amends) is checked with."""
    try:
        end_after_start(start_date, end_date)
    except ValueError as problem:
        return "end_date", str(problem)
    try:
        budget_inside_project(budget, start_date, end_date)
    except ValueError as problem:
        return "budget", str(problem)
    return None


def requested_total(budget: Mapping[int, int]) -> int:
    """What an application requests: its budget's fiscal years added up."""
    return sum(budget.values())
