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
  threshold (proving a small count).

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


def integer_range(matrix, rhs, index: int, width: int) -> tuple[float, float]:
    """The smallest and largest integer value of unknown ``index`` (up to a ceiling far above
    any count here, which stands for unbounded)."""
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
    return ends[0], ends[1]


def recovered(table: SuppressedTable) -> list[tuple[Key, str]]:
    unknowns, matrix, rhs = unknowns_system(table)
    found = []
    determined = algebra_determined(matrix, len(unknowns))
    for index, key in enumerate(unknowns):
        if index in determined:
            found.append((key, "linear algebra"))
            continue
        lowest, highest = (
            integer_range(matrix, rhs, index, len(unknowns)) if matrix else (1, CEILING)
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
