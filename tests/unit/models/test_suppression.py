"""The suppression rule's properties on generated tables (``models.suppression``)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.suppression import quantity_keys, suppress, suppress_report_counts


@st.composite
def tables(draw: st.DrawFn) -> tuple[tuple[int, ...], dict, int]:
    shape = draw(st.sampled_from([(1, 1), (1, 4), (3, 1), (2, 2), (3, 3), (4, 2), (2, 2, 2)]))
    threshold = draw(st.sampled_from([5, 10, 20]))
    cells = list(itertools.product(*(range(size) for size in shape)))
    values = st.one_of(st.just(0), st.integers(1, threshold - 1), st.integers(threshold, 300))
    counts = {cell: draw(values) for cell in cells}
    return shape, counts, threshold


@settings(max_examples=60, deadline=None)
@given(tables())
def test_every_small_count_is_suppressed_and_no_zero_is(table: tuple) -> None:
    shape, counts, threshold = table
    result = suppress(shape, counts, threshold)
    for key, value in result.values.items():
        if 0 < value < threshold:
            assert result.published(key) is None
        if value == 0:
            assert result.published(key) == 0
    assert result.primary <= result.suppressed


@settings(max_examples=40, deadline=None)
@given(tables())
def test_published_quantities_are_the_true_sums_and_the_result_is_deterministic(
    table: tuple,
) -> None:
    shape, counts, threshold = table
    result = suppress(shape, counts, threshold)
    assert suppress(shape, dict(reversed(list(counts.items()))), threshold) == result
    grand = tuple(None if size > 1 else 0 for size in shape)
    assert result.values[grand] == sum(counts.values())
    assert set(result.values) == set(quantity_keys(shape))


def test_a_table_with_nothing_small_publishes_everything() -> None:
    counts = {(0, 0): 10, (0, 1): 11, (1, 0): 0, (1, 1): 40}
    assert suppress((2, 2), counts, 10).suppressed == frozenset()


def test_a_small_cell_takes_complements_so_the_totals_do_not_give_it_away() -> None:
    counts = {(0, 0): 3, (0, 1): 40, (1, 0): 25, (1, 1): 50}
    result = suppress((2, 2), counts, 10)
    assert (0, 0) in result.suppressed
    assert result.suppressed == {(0, 0), (0, 1), (1, 0), (1, 1)}  # a cycle; totals stay


def test_a_single_row_hides_the_smallest_other_cell_and_keeps_its_total() -> None:
    result = suppress((1, 3), {(0, 0): 2, (0, 1): 30, (0, 2): 50}, 10)
    assert result.suppressed == {(0, 0), (0, 1)}  # 2 + 30 = 32: either one lies in 1..31
    assert result.published((0, None)) == 82


def test_a_small_total_is_suppressed_with_its_cells() -> None:
    result = suppress((1, 2), {(0, 0): 3, (0, 1): 4}, 10)
    assert result.suppressed == {(0, 0), (0, 1), (0, None)}


@pytest.mark.parametrize(
    ("shape", "counts", "threshold", "message"),
    [
        ((2,), {(0,): 1, (1,): -1}, 10, "non-negative"),
        ((2,), {(0,): 1}, 10, "exactly one count"),
        ((2,), {(0,): 1, (1,): 2}, 0, "at least 1"),
        ((0,), {}, 10, "at least one long"),
    ],
)
def test_bad_tables_are_refused(shape: tuple, counts: dict, threshold: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        suppress(shape, counts, threshold)


def test_one_reports_counts_hide_each_small_one_and_keep_zero_and_unreported() -> None:
    counts = {"people_served_new": 4, "referrals": 0, "service_contacts": 310, "extra": None}
    assert suppress_report_counts(counts, 10) == {
        "people_served_new": None,
        "referrals": 0,
        "service_contacts": 310,
        "extra": None,
    }
    with pytest.raises(ValueError, match="at least 1"):
        suppress_report_counts(counts, 0)
