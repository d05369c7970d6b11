"""The payment plan (Schedule E) over generated budgets: the rules of ``models.schedule`` hold
for every budget of one to three fiscal years, any start and approval day, any risk rating and
any initial payment and holdback rates a fund may be set up with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.budget import release_by_year
from models.clock import fiscal_year_end, fiscal_year_of, fiscal_year_start
from models.money import basis_points_of
from models.provisioning import FundMoneyTerms
from models.schedule import (
    HOLDBACK_DAYS_AFTER_END,
    MAX_INITIAL_BPS,
    PERIODS_PER_YEAR,
    PlannedInstalment,
    charged_by_year,
    charged_fiscal_year,
    funded_years,
    holdback_cents,
    initial_payment_cents,
    plan_instalments,
)
from models.tables import Fund

# 13 tests of 300 examples each: 3,900 generated plans, about 10 s on one core.
plans_settings = settings(max_examples=300, deadline=None, database=None)

MAX_AWARD = Fund.model_fields["max_award_cents"].default
MAX_HOLDBACK_BPS = FundMoneyTerms.model_fields["holdback_bps"].metadata[-1].le
MAX_FUND_INITIAL_BPS = FundMoneyTerms.model_fields["initial_payment_bps"].metadata[-1].le


@dataclass(frozen=True)
class PlanInputs:
    budget: dict[int, int]
    start: date
    end: date
    risk: str
    initial_bps: int
    holdback_bps: int
    approval_day: date | None

    @property
    def approved(self) -> int:
        return sum(self.budget.values())

    @property
    def term_starts(self) -> date:
        return min(self.start, self.approval_day or self.start)

    def plan(self) -> list[PlannedInstalment]:
        return plan_instalments(
            self.approved,
            self.budget,
            self.start,
            self.end,
            self.risk,
            self.initial_bps,
            self.holdback_bps,
            initial_due=self.approval_day,
        )


def _cut(approved: int) -> st.SearchStrategy[int]:
    """Where one fiscal year's budget ends: anywhere, or right at an edge (tiny years)."""
    edges = sorted({cut for cut in (0, 1, 2, 100, approved - 1, approved) if 0 <= cut <= approved})
    return st.one_of(st.integers(0, approved), st.sampled_from(edges))


@st.composite
def plan_inputs(draw: st.DrawFn) -> PlanInputs:
    """An approved budget of one to three fiscal years (uneven, possibly a year of $0 or a few
    cents, up to the maximum award), a project starting anywhere in its first fiscal year, an
    approval day before the start (or on or after it, or none), and a fund's rates."""
    first_year = draw(st.integers(2026, 2030))
    years = draw(st.integers(1, 3))
    last_year = first_year + years - 1
    approved = draw(st.one_of(st.integers(1, MAX_AWARD), st.sampled_from([1, 7, 100, MAX_AWARD])))
    cuts = sorted(draw(st.lists(_cut(approved), min_size=years - 1, max_size=years - 1)))
    bounds = [0, *cuts, approved]
    budget = {first_year + i: bounds[i + 1] - bounds[i] for i in range(years)}
    if not funded_years(budget):
        budget[first_year] = approved  # keep the drawn total when every cut fell on one edge
    start = draw(st.dates(fiscal_year_start(first_year), fiscal_year_end(first_year)))
    earliest_end = max(start + timedelta(days=1), fiscal_year_start(last_year))
    end = draw(st.dates(earliest_end, max(earliest_end, fiscal_year_end(last_year))))
    approval_day = draw(
        st.one_of(
            st.dates(start - timedelta(days=400), start - timedelta(days=1)),
            st.just(start),
            st.dates(start, start + timedelta(days=120)),
            st.none(),
        )
    )
    return PlanInputs(
        budget=budget,
        start=start,
        end=end,
        risk=draw(st.sampled_from(sorted(PERIODS_PER_YEAR))),
        initial_bps=draw(st.integers(0, MAX_FUND_INITIAL_BPS)),
        holdback_bps=draw(st.integers(0, MAX_HOLDBACK_BPS)),
        approval_day=approval_day,
    )


@plans_settings
@given(inputs=plan_inputs())
def test_instalments_add_up_to_the_approved_amount_and_none_is_zero(inputs: PlanInputs):
    plan = inputs.plan()
    assert sum(i.amount_cents for i in plan) == inputs.approved
    assert all(i.amount_cents > 0 for i in plan)
    assert [i.sequence for i in plan] == list(range(1, len(plan) + 1))


@plans_settings
@given(inputs=plan_inputs())
def test_due_dates_strictly_increase_in_sequence_order(inputs: PlanInputs):
    dues = [i.due_date for i in inputs.plan()]
    assert all(earlier < later for earlier, later in zip(dues, dues[1:], strict=False))


@plans_settings
@given(inputs=plan_inputs())
def test_due_dates_fall_in_the_term_and_the_holdback_after_the_end(inputs: PlanInputs):
    plan = inputs.plan()
    regular = [i for i in plan if i.kind != "holdback"]
    assert all(inputs.term_starts <= i.due_date <= inputs.end for i in regular)
    assert all(i.due_date >= inputs.start for i in regular if i.kind == "periodic")
    holdback_due = inputs.end + timedelta(days=HOLDBACK_DAYS_AFTER_END)
    assert [i.due_date for i in plan if i.kind == "holdback"] in ([], [holdback_due])


@plans_settings
@given(inputs=plan_inputs())
def test_each_fiscal_year_is_charged_exactly_its_approved_budget(inputs: PlanInputs):
    charged = charged_by_year(inputs.plan())
    funded = {year: cents for year, cents in inputs.budget.items() if cents > 0}
    assert charged == funded
    assert all(charged.get(year, 0) <= cents for year, cents in inputs.budget.items())


@plans_settings
@given(inputs=plan_inputs())
def test_the_holdback_is_charged_to_the_last_funded_year_and_paid_last(inputs: PlanInputs):
    plan = inputs.plan()
    last_year = funded_years(inputs.budget)[-1]
    rate = basis_points_of(inputs.approved, inputs.holdback_bps)
    expected = min(rate, inputs.budget[last_year])
    holdbacks = [i for i in plan if i.kind == "holdback"]
    if expected == 0:
        assert holdbacks == []
    else:
        assert holdbacks == [plan[-1]]
        assert (plan[-1].amount_cents, plan[-1].fiscal_year) == (expected, last_year)
    assert holdback_cents(inputs.budget, inputs.holdback_bps) == expected


@plans_settings
@given(inputs=plan_inputs())
def test_the_initial_payment_comes_first_and_takes_in_a_first_period_due_that_day(
    inputs: PlanInputs,
):
    plan = inputs.plan()
    initial = initial_payment_cents(inputs.budget, inputs.initial_bps, inputs.holdback_bps)
    assert initial * 10_000 <= inputs.approved * min(inputs.initial_bps, MAX_INITIAL_BPS)
    initials = [i for i in plan if i.kind == "initial"]
    if initial == 0:
        assert initials == []
        return
    first_year = funded_years(inputs.budget)[0]
    assert initials == [plan[0]]
    assert (plan[0].due_date, plan[0].fiscal_year) == (inputs.term_starts, first_year)
    folded_period = plan[0].amount_cents - initial
    assert folded_period >= 0
    if plan[0].due_date < inputs.start:  # approved before the start: nothing to fold in
        assert folded_period == 0


@plans_settings
@given(inputs=plan_inputs())
def test_a_year_pays_its_periods_evenly_inside_the_year_and_no_more_than_the_risk_allows(
    inputs: PlanInputs,
):
    """A first period's payment folded into the initial payment counts as one of its year's
    periods, paid on the start day."""
    plan = inputs.plan()
    periodic = [i for i in plan if i.kind == "periodic"]
    initial = initial_payment_cents(inputs.budget, inputs.initial_bps, inputs.holdback_bps)
    folded = plan[0].amount_cents - initial if plan[0].kind == "initial" else 0
    years = funded_years(inputs.budget)
    for year in years:
        in_year = [i for i in periodic if i.fiscal_year == year]
        assert all(fiscal_year_of(i.due_date) == year for i in in_year)
        amounts = [i.amount_cents for i in in_year]
        if folded and year == years[0]:
            assert plan[0].due_date == inputs.start
            amounts.insert(0, folded)
        assert len(amounts) <= PERIODS_PER_YEAR[inputs.risk]
        assert amounts == sorted(amounts, reverse=True)
        assert not amounts or amounts[0] - amounts[-1] <= 1


@plans_settings
@given(inputs=plan_inputs())
def test_schedule_e_reads_the_charged_year_back_from_kind_and_due_date(inputs: PlanInputs):
    years = funded_years(inputs.budget)
    for instalment in inputs.plan():
        charged = charged_fiscal_year(instalment.kind, instalment.due_date, years)
        assert charged == instalment.fiscal_year
        assert charged in years


@plans_settings
@given(inputs=plan_inputs())
def test_years_are_charged_in_sequence_order(inputs: PlanInputs):
    years = [i.fiscal_year for i in inputs.plan()]
    assert years == sorted(years)


@plans_settings
@given(inputs=plan_inputs(), data=st.data())
def test_commitment_given_back_for_unpaid_instalments_is_what_they_charged(
    inputs: PlanInputs, data: st.DataObject
):
    """What a termination or a withheld holdback gives back, latest year first
    (``models.budget.release_by_year``), leaves each year's allocation committed with exactly
    what the instalments already paid charged to it."""
    plan = inputs.plan()
    paid = data.draw(st.integers(0, len(plan)), label="instalments paid")
    unpaid = plan[paid:]
    given_back = release_by_year(inputs.budget, sum(i.amount_cents for i in unpaid))
    assert given_back == charged_by_year(unpaid)


@plans_settings
@given(inputs=plan_inputs())
def test_the_plan_is_deterministic_whatever_order_the_budget_comes_in(inputs: PlanInputs):
    reordered = PlanInputs(
        budget=dict(reversed(inputs.budget.items())),
        start=inputs.start,
        end=inputs.end,
        risk=inputs.risk,
        initial_bps=inputs.initial_bps,
        holdback_bps=inputs.holdback_bps,
        approval_day=inputs.approval_day,
    )
    assert inputs.plan() == inputs.plan() == reordered.plan()


@plans_settings
@given(inputs=plan_inputs())
def test_a_year_with_room_for_them_holds_the_full_rates(inputs: PlanInputs):
    """The caps (a holdback or initial payment larger than its year's budget) only bite when
    the year is that small: a year with room is charged the full rate, rounded down."""
    years = funded_years(inputs.budget)
    holdback_rate = basis_points_of(inputs.approved, inputs.holdback_bps)
    initial_rate = basis_points_of(inputs.approved, min(inputs.initial_bps, MAX_INITIAL_BPS))
    first_year_room = inputs.budget[years[0]] - (holdback_rate if len(years) == 1 else 0)
    if inputs.budget[years[-1]] >= holdback_rate:
        assert holdback_cents(inputs.budget, inputs.holdback_bps) == holdback_rate
        if first_year_room >= initial_rate:
            initial = initial_payment_cents(inputs.budget, inputs.initial_bps, inputs.holdback_bps)
            assert initial == initial_rate


@plans_settings
@given(inputs=plan_inputs(), initial_bps=st.integers(MAX_INITIAL_BPS + 1, 10_000))
def test_an_initial_rate_above_twenty_percent_pays_twenty_percent(
    inputs: PlanInputs, initial_bps: int
):
    capped = initial_payment_cents(inputs.budget, MAX_INITIAL_BPS, inputs.holdback_bps)
    assert initial_payment_cents(inputs.budget, initial_bps, inputs.holdback_bps) == capped
    assert capped * 10_000 <= inputs.approved * MAX_INITIAL_BPS


# The demo grant of issue 13 (models.fictional.seeding.application_for, index 3, approved as
# requested, medium risk): $200,000.00 in 2027-28 and $200,012.34 in 2028-29, the fund's
# default rates, approved on or after the start. The old plan took the initial payment and the
# holdback off the top and split the rest in proportion to the budget, so 2027-28 was due
# $80,002.46 + $70,000.01 + $70,000.00 = $220,002.47, more than its budget.
DEMO_BUDGET = {2027: 20_000_000, 2028: 20_001_234}


def demo_plan(approval_day: date) -> list[PlannedInstalment]:
    defaults = Fund()
    return plan_instalments(
        sum(DEMO_BUDGET.values()),
        DEMO_BUDGET,
        date(2027, 4, 1),
        date(2029, 3, 31),
        "medium",
        defaults.initial_payment_bps,
        defaults.holdback_bps,
        initial_due=approval_day,
    )


def due_in_fiscal_year(plan: list[PlannedInstalment], year: int) -> int:
    return sum(
        i.amount_cents
        for i in plan
        if fiscal_year_start(year) <= i.due_date <= fiscal_year_end(year)
    )


def test_the_demo_grant_is_no_longer_paid_more_than_its_first_years_budget():
    plan = demo_plan(approval_day=date(2027, 4, 1))
    assert due_in_fiscal_year(plan, 2027) == charged_by_year(plan)[2027] == 20_000_000
    assert charged_by_year(plan) == DEMO_BUDGET
    assert [(i.kind, i.due_date, i.amount_cents, i.fiscal_year) for i in plan] == [
        # $80,002.46 initial payment and the first half-year's $59,998.77, one instalment
        ("initial", date(2027, 4, 1), 14_000_123, 2027),
        ("periodic", date(2027, 10, 1), 5_999_877, 2027),
        ("periodic", date(2028, 4, 1), 8_000_556, 2028),
        ("periodic", date(2028, 10, 1), 8_000_555, 2028),
        ("holdback", date(2029, 6, 29), 4_000_123, 2028),
    ]


def test_a_demo_grant_approved_before_the_start_pays_its_initial_payment_on_approval():
    plan = demo_plan(approval_day=date(2026, 11, 30))
    assert [(i.kind, i.due_date, i.amount_cents, i.fiscal_year) for i in plan] == [
        ("initial", date(2026, 11, 30), 8_000_246, 2027),
        ("periodic", date(2027, 4, 1), 5_999_877, 2027),
        ("periodic", date(2027, 10, 1), 5_999_877, 2027),
        ("periodic", date(2028, 4, 1), 8_000_556, 2028),
        ("periodic", date(2028, 10, 1), 8_000_555, 2028),
        ("holdback", date(2029, 6, 29), 4_000_123, 2028),
    ]
    assert charged_by_year(plan) == DEMO_BUDGET


def test_a_small_last_year_caps_the_holdback_and_a_small_first_year_the_initial_payment():
    budget = {2027: 1_000_000, 2028: 98_000_000, 2029: 1_000_000}
    plan = plan_instalments(
        100_000_000, budget, date(2027, 4, 1), date(2030, 3, 31),
        "low", 2_000, 1_000, initial_due=date(2027, 2, 15),
    )  # fmt: skip
    assert [(i.kind, i.due_date, i.amount_cents, i.fiscal_year) for i in plan] == [
        ("initial", date(2027, 2, 15), 1_000_000, 2027),
        ("periodic", date(2028, 4, 1), 98_000_000, 2028),
        ("holdback", date(2030, 6, 29), 1_000_000, 2029),
    ]


@pytest.mark.parametrize(
    ("budget", "start", "end", "message"),
    [
        ({2027: -1, 2028: 11}, date(2027, 4, 1), date(2029, 3, 1), "must not be negative"),
        ({2027: 10}, date(2027, 4, 1), date(2027, 4, 1), "ends after it starts"),
        ({2029: 10}, date(2027, 4, 1), date(2028, 3, 1), r"budget years \[2029\] fall outside"),
    ],
)
def test_a_plan_refuses_a_budget_it_cannot_charge(budget, start, end, message):
    with pytest.raises(ValueError, match=message):
        plan_instalments(10, budget, start, end, "low", 2_000, 1_000)
