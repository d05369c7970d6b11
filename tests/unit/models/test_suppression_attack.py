"""An attacker tries to recover every suppressed count from everything published.

1,000 generated tables (one and two axes, three axes with fiscal years, single rows and
columns, tables of only small counts, zeros), each suppressed by ``models.suppression`` at its
own threshold. The attacker knows every published cell and total, the table's shape, that
totals are sums, and that zeros are never suppressed (so a suppressed count is at least 1). It
tries, for each suppressed quantity:

- exact linear algebra (its own rational elimination, not the module's): is the unit vector of
  the quantity in the row space of the equations restricted to the unknowns?
- integer programming (scipy's HiGHS): the smallest and largest integer values the quantity can
  take. Recovered if only one value is possible, or if every possible value is below the
  threshold (proving a small count). Each solution is a possible table; a quantity that the
  tables found so far show taking two values, one at least the threshold, is safe without
  solving for it (exact: a test checks the verdicts are those of solving every quantity).

The test passes with 0 recovered, and prints the counts it attacked.
"""

from __future__ import annotations

import itertools
import os
import random
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from models.suppression import Key, SuppressedTable, equations, suppress

TABLES = int(os.environ.get("SUPPRESSION_ATTACK_TABLES", "1000"))
CEILING = 1e6
SHAPES = [
    (1, 1), (1, 2), (1, 5), (2, 1), (6, 1), (2, 2), (2, 3), (3, 3), (4, 3), (3, 5), (5, 4),
    (2, 2, 2), (3, 2, 2), (2, 3, 3), (1, 3, 2), (3, 1, 3),
]  # fmt: skip


def generated_table(chooser: random.Random) -> tuple[tuple[int, ...], dict, int]:
    shape = chooser.choice(SHAPES)
    threshold = chooser.choice([5, 10, 10, 11, 20])
    style = chooser.choice(["mixed", "all_small", "sparse", "large_few_small"])
    cells = list(itertools.product(*(range(size) for size in shape)))
    counts = {}
    for cell in cells:
        if style == "all_small":
            counts[cell] = chooser.randint(0, threshold - 1)
        elif style == "sparse":
            counts[cell] = chooser.choice([0, 0, 0, 1, 2, threshold, 3 * threshold])
        elif style == "large_few_small":
            counts[cell] = chooser.choice(
                [chooser.randint(1, threshold - 1)] + [chooser.randint(threshold, 500)] * 4
            )
        else:
            counts[cell] = chooser.choice(
                [0, chooser.randint(1, threshold - 1), chooser.randint(threshold, 200)]
            )
    return shape, counts, threshold


def unknowns_system(
    table: SuppressedTable,
) -> tuple[list[Key], list[list[Fraction]], list[Fraction]]:
    """The equations restricted to the suppressed quantities, published ones moved right."""
    unknowns = sorted(table.suppressed, key=lambda key: tuple(-1 if p is None else p for p in key))
    column = {key: i for i, key in enumerate(unknowns)}
    matrix, rhs = [], []
    for equation in equations(table.shape):
        row = [Fraction(0)] * len(unknowns)
        right = Fraction(0)
        for key, sign in [(equation.total, 1)] + [(part, -1) for part in equation.parts]:
            if key in column:
                row[column[key]] += sign
            else:
                right -= sign * table.published(key)
        if any(row):
            matrix.append(row)
            rhs.append(right)
    return unknowns, matrix, rhs


def algebra_determined(rows: list[list[Fraction]], width: int) -> set[int]:
    """The unknowns whose unit vector lies in the row space: in the reduced row echelon form
    (computed here, densely), a pivot whose row has no other non-zero entry."""
    matrix = [list(row) for row in rows]
    found = 0
    pivots = []
    for column in range(width):
        pivot = next((r for r in range(found, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
        lead = matrix[found][column]
        matrix[found] = [entry / lead for entry in matrix[found]]
        for r in range(len(matrix)):
            factor = matrix[r][column]
            if r != found and factor != 0:
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[found], strict=True)]
        pivots.append(column)
        found += 1
    return {
        column
        for row, column in zip(matrix, pivots, strict=False)
        if sum(1 for entry in row if entry != 0) == 1
    }


def integer_range(
    matrix, rhs, index: int, width: int, seen: list[list[int]] | None = None
) -> tuple[float, float]:
    """The smallest and largest integer value of unknown ``index`` (up to a ceiling far above
    any count here, which stands for unbounded). Each solution found is a possible table:
    ``seen`` collects it (every unknown's value in it)."""
    constraint = LinearConstraint(
        np.array(matrix, dtype=float), np.array(rhs, dtype=float), np.array(rhs, dtype=float)
    )
    bounds = Bounds(np.ones(width), np.full(width, CEILING))
    integrality = np.ones(width)
    ends = []
    for sign in (1.0, -1.0):
        objective = np.zeros(width)
        objective[index] = sign
        result = milp(objective, constraints=[constraint], bounds=bounds, integrality=integrality)
        assert result.success, result.message
        ends.append(sign * result.fun)
        possible = [round(value) for value in result.x]
        if seen is not None and satisfies(matrix, rhs, possible):
            seen.append(possible)
    return ends[0], ends[1]


def satisfies(matrix, rhs, values: list[int]) -> bool:
    """Whether the integer values meet every equation exactly and the bounds (each at least 1):
    a solver's answer, rounded, is taken as a possible table only when it is one."""
    return min(values, default=1) >= 1 and all(
        sum(a * v for a, v in zip(row, values, strict=True)) == right
        for row, right in zip(matrix, rhs, strict=True)
    )


def shown_safe(seen: list[list[int]], index: int, threshold: int) -> bool:
    """Whether possible tables already found prove unknown ``index`` safe: it takes two
    different values in them (no bound pins it) and one of them is at least the threshold (no
    bound proves it small). The integer programs for it would find both ends at least that far
    apart, so they need not run."""
    values = {solution[index] for solution in seen}
    return len(values) > 1 and max(values) >= threshold


def recovered(table: SuppressedTable, shortcut: bool = True) -> list[tuple[Key, str]]:
    """The suppressed quantities the attacker pins down, and how. With ``shortcut``, a quantity
    the possible tables found so far already show safe is not solved for again."""
    unknowns, matrix, rhs = unknowns_system(table)
    found = []
    determined = algebra_determined(matrix, len(unknowns))
    seen: list[list[int]] = []  # possible tables the integer programs found
    for index, key in enumerate(unknowns):
        if index in determined:
            found.append((key, "linear algebra"))
            continue
        if shortcut and shown_safe(seen, index, table.threshold):
            continue
        lowest, highest = (
            integer_range(matrix, rhs, index, len(unknowns), seen) if matrix else (1, CEILING)
        )
        if highest - lowest < 0.5:
            found.append((key, "bounds pin it"))
        elif highest < table.threshold - 0.5:
            found.append((key, "bounds prove a small count"))
    return found


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_no_suppressed_count_is_recovered_from_1000_tables() -> None:
    chooser = random.Random(20261130)
    attacked = recovered_cells = small_published = 0
    for _ in range(TABLES):
        shape, counts, threshold = generated_table(chooser)
        table = suppress(shape, counts, threshold)
        small_published += sum(
            1
            for key, value in table.values.items()
            if 0 < value < threshold and not table.is_suppressed(key)
        )
        attacked += len(table.suppressed)
        found = recovered(table)
        recovered_cells += len(found)
        assert not found, (shape, counts, threshold, found)
    print(
        f"{TABLES} tables, {attacked} suppressed quantities attacked, {recovered_cells} recovered"
    )
    assert small_published == 0
    assert attacked > 1_000  # the generated tables do exercise suppression


def test_the_attacker_recovers_a_lone_suppressed_cell() -> None:
    """The attacker works: primary suppression alone leaves a cell a total gives away."""
    counts = {(0, 0): 3, (0, 1): 40, (1, 0): 25, (1, 1): 50}
    table = suppress((2, 2), counts, 10)
    naive = SuppressedTable(table.shape, 10, table.values, table.primary, table.primary)
    assert recovered(naive)
    assert not recovered(table)


def test_the_shortcut_decides_every_quantity_as_the_integer_programs_do() -> None:
    """Skipping the quantities already shown safe changes no verdict: on tables suppressed by
    primary suppression alone (where the attacker does recover counts) and on tables
    ``suppress`` protects, the attack with and without the shortcut finds the same."""
    chooser = random.Random(20261203)
    recovered_by_both = 0
    for _ in range(60):
        shape, counts, threshold = generated_table(chooser)
        table = suppress(shape, counts, threshold)
        naive = SuppressedTable(table.shape, threshold, table.values, table.primary, table.primary)
        for attacked in (naive, table):
            found = recovered(attacked)
            assert found == recovered(attacked, shortcut=False), (shape, counts, threshold)
            recovered_by_both += len(found)
    print(f"{recovered_by_both} quantities recovered, alike with and without the shortcut")
    assert recovered_by_both > 20  # the naive tables do give counts away
