"""Small-cell suppression of a table of counts and all its published totals.

A table is a grid of non-negative integer counts (any number of axes: grants x fiscal years, or
grants x fiscal years x categories). Every total a reader sees is published with it: for each
axis longer than one, the sums over that axis, and over every combination of such axes (row,
column and year totals, and the grand total). An axis of length one gets no total, because
its total would repeat the cells. Cells and totals are both *quantities*, keyed by a tuple with
``None`` on each summed axis.

The rule (DOMAIN, "Survivor-centred outcome data"):

- **Primary suppression**: every quantity, cell or total, from 1 to ``threshold - 1``.
- **Zero is published.** A zero describes no person, so it identifies no one. Because zeros
  are never suppressed, a reader knows every suppressed quantity is at least 1; the checks
  below give the reader that knowledge (lower bound 1, not 0), so publishing zeros is shown
  safe by the same test as everything else, not assumed.
- **Complementary suppression**: more quantities (cells first, then totals; the smallest
  first) until no suppressed quantity can be worked out from what is published. A suppressed
  quantity ``q`` is safe when, over every table of real numbers that agrees with every
  published quantity, every total equation, and keeps each suppressed quantity at least 1:

  1. ``q`` is not determined by the equations alone (exact rational Gaussian elimination:
     its unit vector is not in the row space of the equations restricted to the unknowns);
  2. its largest feasible value is at least ``threshold`` (rounded down, so also over
     integers), so nothing proves it is a small count; and
  3. it can take another integer value than its own (the feasible interval holds two
     integers), so nothing pins it.

  (2) and (3) are computed exactly with a rational simplex over the equations and the lower
  bounds. Linear-programming bounds on a table of more than two axes can be looser than the
  integer ones; every quantity of a two-axis table has integral bounds.

The result is deterministic: the same table and threshold give the same suppressed set.
Suppression never fails: suppressing every non-zero quantity is always safe (the whole table
scaled up satisfies every equation, so nothing is bounded above), and the search ends there
at worst.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

Index = tuple[int, ...]
Key = tuple[int | None, ...]

DEFAULT_THRESHOLD = 10


@dataclass(frozen=True)
class SuppressedTable:
    """A table's published quantities: each cell and total, and which are suppressed."""

    shape: tuple[int, ...]
    threshold: int
    values: Mapping[Key, int]
    primary: frozenset[Key]
    suppressed: frozenset[Key]

    def published(self, key: Key) -> int | None:
        """The quantity as published: its count, or ``None`` when it is suppressed."""
        return None if key in self.suppressed else self.values[key]

    def is_suppressed(self, key: Key) -> bool:
        return key in self.suppressed


@dataclass(frozen=True)
class Equation:
    """``total`` equals the sum of ``parts``: one published total over one axis."""

    total: Key
    parts: tuple[Key, ...]


def quantity_keys(shape: Sequence[int]) -> list[Key]:
    """Every published quantity of a table of ``shape``: cells first, then totals over more
    and more axes; within a level, in index order."""
    choices = [
        list(range(size)) + ([None] if size > 1 else []) for size in shape
    ]  # an axis of one has no total
    keys: list[Key] = list(itertools.product(*choices))
    return sorted(keys, key=_key_order)


def _key_order(key: Key) -> tuple[int, tuple[int, ...]]:
    summed = sum(1 for part in key if part is None)
    return summed, tuple(-1 if part is None else part for part in key)


def equations(shape: Sequence[int]) -> list[Equation]:
    """The total equations: for each total and each axis it sums, the total is the sum of the
    quantities one step less summed along that axis."""
    found = []
    for key in quantity_keys(shape):
        for axis, part in enumerate(key):
            if part is None:
                parts = tuple(key[:axis] + (i,) + key[axis + 1 :] for i in range(shape[axis]))
                found.append(Equation(key, parts))
    return found


def quantity_values(shape: Sequence[int], counts: Mapping[Index, int]) -> dict[Key, int]:
    """Each cell's count and each total's sum."""
    values: dict[Key, int] = {}
    for key in quantity_keys(shape):
        ranges = [
            range(size) if part is None else (part,) for part, size in zip(key, shape, strict=True)
        ]
        values[key] = sum(counts[index] for index in itertools.product(*ranges))
    return values


def suppress_report_counts(
    counts: Mapping[str, int | None], threshold: int = DEFAULT_THRESHOLD
) -> dict[str, int | None]:
    """One outcome report's counts as a reader below the exact view gets them: a count from 1
    to ``threshold - 1`` becomes ``None``.

    A single report is published with no total: its measures are different units (people,
    contacts, referrals, services) and no view adds them, not even people served new and
    continuing. With no published total there is no equation between the counts, so a
    suppressed count cannot be worked out from the others and primary suppression is all the
    rule needs (the complementary step of :func:`suppress` finds nothing to add to a table of
    one row with no totals). A zero is shown, as in every table; a count not reported stays
    ``None``."""
    if threshold < 1:
        raise ValueError(f"the threshold must be at least 1, not {threshold}")
    return {
        name: None if value is not None and 0 < value < threshold else value
        for name, value in counts.items()
    }


def _check_table(shape: Sequence[int], counts: Mapping[Index, int], threshold: int) -> None:
    if threshold < 1:
        raise ValueError(f"the threshold must be at least 1, not {threshold}")
    if not shape or any(size < 1 for size in shape):
        raise ValueError(f"a table needs at least one axis, each at least one long: {shape}")
    expected = set(itertools.product(*(range(size) for size in shape)))
    if set(counts) != expected:
        raise ValueError("the counts must hold exactly one count for every cell of the shape")
    for index, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"cell {index} must be a non-negative integer, not {count!r}")


def suppress(
    shape: Sequence[int], counts: Mapping[Index, int], threshold: int = DEFAULT_THRESHOLD
) -> SuppressedTable:
    """Which quantities of the table (cells and totals) to suppress before publishing it."""
    _check_table(shape, counts, threshold)
    shape = tuple(shape)
    values = quantity_values(shape, counts)
    system = equations(shape)
    primary = frozenset(key for key, value in values.items() if 0 < value < threshold)
    suppressed = set(primary)
    order = {key: position for position, key in enumerate(quantity_keys(shape))}
    known: dict[frozenset[Key], Key | None] = {}
    while True:
        exposed = first_exposed(values, system, suppressed, threshold, known)
        if exposed is None:
            break
        suppressed.add(_complement_for(exposed, values, system, suppressed, order))
    return SuppressedTable(shape, threshold, values, primary, frozenset(suppressed))


def _complement_for(
    exposed: Key,
    values: Mapping[Key, int],
    system: Sequence[Equation],
    suppressed: set[Key],
    order: Mapping[Key, int],
) -> Key:
    """The next quantity to suppress for ``exposed``: a published non-zero quantity on a total
    equation of its group of unknowns; cells before totals, then those on ``exposed``'s own
    equations, then the smallest."""

    def candidates(around: set[Key]) -> list[Key]:
        near = {
            key
            for equation in system
            for key in (equation.total, *equation.parts)
            if around & {equation.total, *equation.parts}
        }
        return [key for key in near if key not in suppressed and values[key] > 0]

    found = candidates(_group_of(exposed, system, suppressed))
    own = set(candidates({exposed}))
    if not found:  # nothing published is tied to it: cannot happen (see the module's note)
        found = [key for key in values if key not in suppressed and values[key] > 0]
    return min(found, key=lambda key: (_key_order(key)[0], key not in own, values[key], order[key]))


def _group_of(start: Key, system: Sequence[Equation], suppressed: set[Key]) -> set[Key]:
    """The suppressed quantities tied to ``start`` through equations."""
    group = {start}
    frontier = [start]
    while frontier:
        key = frontier.pop()
        for equation in system:
            members = {equation.total, *equation.parts}
            if key in members:
                for other in members & suppressed:
                    if other not in group:
                        group.add(other)
                        frontier.append(other)
    return group


def first_exposed(
    values: Mapping[Key, int],
    system: Sequence[Equation],
    suppressed: Iterable[Key],
    threshold: int,
    known: dict[frozenset[Key], Key | None] | None = None,
) -> Key | None:
    """The first suppressed quantity that what is published would expose, or ``None``.
    Suppressed quantities tied by equations are judged together, as a group; ``known`` keeps
    each group's answer between calls (a group's answer depends on its members only)."""
    known = {} if known is None else known
    hidden = sorted(set(suppressed), key=_key_order)
    checked: set[Key] = set()
    for key in hidden:
        if key in checked:
            continue
        group = _group_of(key, system, set(hidden))
        checked.update(group)
        name = frozenset(group)
        if name not in known:
            known[name] = _first_exposed_in(
                sorted(group, key=_key_order), values, system, threshold
            )
        if known[name] is not None:
            return known[name]
    return None


def _first_exposed_in(
    group: Sequence[Key], values: Mapping[Key, int], system: Sequence[Equation], threshold: int
) -> Key | None:
    problem = _Unknowns(group, values, system)
    for member in group:
        if not problem.safe(member, values[member], threshold):
            return member
    return None


Row = dict[int, Fraction]  # a sparse row: column -> non-zero coefficient


class _Unknowns:
    """A group of suppressed quantities and the equations over them, published values moved
    to the right-hand side, each unknown at least 1."""

    def __init__(self, group: Sequence[Key], values: Mapping[Key, int], system: Sequence[Equation]):
        self.keys = list(group)
        column = {key: i for i, key in enumerate(self.keys)}
        rows: list[tuple[Row, Fraction]] = []
        for equation in system:
            terms = [(equation.total, 1)] + [(part, -1) for part in equation.parts]
            if not any(key in column for key, _ in terms):
                continue
            coefficients: dict[int, int] = {}
            rhs = 0
            for key, sign in terms:
                if key in column:
                    coefficients[column[key]] = coefficients.get(column[key], 0) + sign
                else:
                    rhs -= sign * values[key]
            rows.append(({j: Fraction(c) for j, c in coefficients.items() if c}, Fraction(rhs)))
        self.reduced = rref(rows)
        self.determined = {
            next(iter(row)) for row, _ in self.reduced if len(row) == 1
        }  # a pivot whose row names no free unknown
        self._polytope: _Polytope | None = None

    def safe(self, key: Key, value: int, threshold: int) -> bool:
        column = self.keys.index(key)
        if column in self.determined:
            return False
        if self._polytope is None:
            self._polytope = _Polytope(self.reduced, len(self.keys))
        highest = self._polytope.maximum(column, stop_at=max(threshold, value + 1))
        if highest is not None and _floor(highest) < threshold:
            return False
        if highest is None or _floor(highest) > value:
            return True
        return _ceil(self._polytope.minimum(column)) < value


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def rref(rows: Sequence[tuple[Row, Fraction]]) -> list[tuple[Row, Fraction]]:
    """The reduced row echelon form of the equations ``row . x = rhs`` (exact), without the
    rows that reduce to nothing; each kept row's first entry is its pivot, with coefficient 1."""
    pending = [(dict(row), rhs) for row, rhs in rows if row]
    done: list[tuple[Row, Fraction]] = []
    while pending:
        row, rhs = pending.pop(0)
        for pivot_row, pivot_rhs in done:  # eliminate the pivots found so far
            pivot = next(iter(pivot_row))
            factor = row.get(pivot)
            if factor:
                row, rhs = _combine(row, rhs, pivot_row, pivot_rhs, factor)
        if not row:
            if rhs != 0:
                raise ValueError("the published quantities contradict the totals")
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {pivot: Fraction(1), **{j: c / scale for j, c in row.items() if j != pivot}}
        rhs = rhs / scale
        done = [
            _combine(other, other_rhs, row, rhs, other[pivot])
            if pivot in other
            else (other, other_rhs)
            for other, other_rhs in done
        ]
        done.append((row, rhs))
    return done


def _combine(
    row: Row, rhs: Fraction, pivot_row: Row, pivot_rhs: Fraction, factor: Fraction
) -> tuple[Row, Fraction]:
    """``row - factor * pivot_row``, dropping zeros; the pivot's own entry stays first."""
    result = dict(row)
    for j, c in pivot_row.items():
        entry = result.get(j, 0) - factor * c
        if entry:
            result[j] = entry
        else:
            result.pop(j, None)
    first = next(iter(row))
    if first in result:  # keep the row's pivot first
        result = {first: result.pop(first), **result}
    return result, rhs - factor * pivot_rhs


class _Polytope:
    """``{x : A x = b, x >= 1}`` as a simplex tableau over ``w = x - 1 >= 0``: exact, sparse,
    Bland's rule (so it never cycles)."""

    def __init__(self, reduced: Sequence[tuple[Row, Fraction]], width: int):
        self.width = width
        rows = []
        for row, rhs in reduced:
            shifted = rhs - sum(row.values(), Fraction(0))
            rows.append((dict(row), shifted))
        basis = [next(iter(row)) for row, _ in rows]
        if any(rhs < 0 for _, rhs in rows):
            rows, basis = _phase_one(rows, basis, width)
        self.rows = rows
        self.basis = basis

    def maximum(self, column: int, stop_at: int | None = None) -> Fraction | None:
        """The largest feasible ``x[column]``, ``None`` if unbounded; it stops early once the
        value reaches ``stop_at`` (returning a value at least that)."""
        stop = None if stop_at is None else Fraction(stop_at - 1)
        value = _maximise(self.rows, self.basis, {column: Fraction(1)}, self.width, stop)
        return None if value is None else value + 1

    def minimum(self, column: int) -> Fraction:
        value = _maximise(self.rows, self.basis, {column: Fraction(-1)}, self.width)
        assert value is not None  # bounded below by 1
        return 1 - value


def _phase_one(
    rows: list[tuple[Row, Fraction]], basis: list[int], width: int
) -> tuple[list[tuple[Row, Fraction]], list[int]]:
    """A feasible basis: an artificial unknown for each row whose basic value is negative,
    their sum minimised to zero, then driven out of the basis."""
    tableau = []
    new_basis = []
    artificials = {}
    for i, (row, rhs) in enumerate(rows):
        if rhs < 0:
            artificial = width + len(artificials)
            artificials[artificial] = i
            row = {j: -c for j, c in row.items()}
            row[artificial] = Fraction(1)
            tableau.append((row, -rhs))
            new_basis.append(artificial)
        else:
            tableau.append((row, rhs))
            new_basis.append(basis[i])
    cost = {a: Fraction(-1) for a in artificials}
    total = width + len(artificials)
    value = _maximise(tableau, new_basis, cost, total, in_place=True)
    if value != 0:
        raise ValueError("the published quantities contradict the totals")
    for i, b in enumerate(new_basis):
        if b >= width:
            column = next((j for j in tableau[i][0] if j < width), None)
            if column is not None:
                _pivot(tableau, new_basis, i, column)
    kept = [
        ({j: c for j, c in row.items() if j < width}, rhs)
        for (row, rhs), b in zip(tableau, new_basis, strict=True)
        if b < width
    ]
    return kept, [b for b in new_basis if b < width]


def _maximise(
    rows: list[tuple[Row, Fraction]],
    basis: list[int],
    cost: Mapping[int, Fraction],
    width: int,
    stop: Fraction | None = None,
    in_place: bool = False,
) -> Fraction | None:
    """Maximise ``cost . w`` from a feasible basis (rows in canonical form); ``None`` if
    unbounded. Works on a copy unless ``in_place``."""
    if not in_place:
        rows = [(dict(row), rhs) for row, rhs in rows]
        basis = list(basis)
    objective: Row = dict(cost)  # reduced costs
    value = Fraction(0)
    for (row, rhs), b in zip(rows, basis, strict=True):
        weight = cost.get(b)
        if weight:
            value += weight * rhs
            for j, c in row.items():
                entry = objective.get(j, 0) - weight * c
                if entry:
                    objective[j] = entry
                else:
                    objective.pop(j, None)
    while True:
        if stop is not None and value >= stop:
            return value
        entering = min((j for j, c in objective.items() if c > 0), default=None)
        if entering is None:
            return value
        best: tuple[tuple[Fraction, int], int] | None = None
        for i, (row, rhs) in enumerate(rows):
            c = row.get(entering)
            if c is not None and c > 0:
                candidate = (rhs / c, basis[i])
                if best is None or candidate < best[0]:
                    best = (candidate, i)
        if best is None:
            return None
        leaving = best[1]
        _pivot(rows, basis, leaving, entering)
        row, rhs = rows[leaving]
        weight = objective[entering]
        value += weight * rhs
        for j, c in row.items():
            entry = objective.get(j, 0) - weight * c
            if entry:
                objective[j] = entry
            else:
                objective.pop(j, None)


def _pivot(rows: list[tuple[Row, Fraction]], basis: list[int], index: int, column: int) -> None:
    row, rhs = rows[index]
    scale = row[column]
    row = {j: c / scale for j, c in row.items()}
    rhs = rhs / scale
    rows[index] = (row, rhs)
    for i, (other, other_rhs) in enumerate(rows):
        factor = other.get(column)
        if i != index and factor:
            combined = dict(other)
            for j, c in row.items():
                entry = combined.get(j, 0) - factor * c
                if entry:
                    combined[j] = entry
                else:
                    combined.pop(j, None)
            rows[i] = (combined, other_rhs - factor * rhs)
    basis[index] = column
