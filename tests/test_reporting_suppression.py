"""Publication mode: small counts hidden, and no hidden count computable from what is shown."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.suppression import Grid, disclosed, suppress

K = 3


def _brute_force_disclosed(grid: Grid, primary: set, secondary: set, k: int) -> set:
    """Independent check: search every assignment of the hidden cells a reader would consider
    possible (a "<k" cell in 1..k-1, a ".." cell any positive count up to the smallest shown total
    it is part of) that agrees with every shown number; a hidden cell is disclosed if all those assignments
    give it one value. Depth-first, pruning an equation once its open cells cannot reach it."""
    hidden = sorted(primary | secondary)
    equations = grid.equations()
    upper = {}
    for cell in hidden:
        # Unbounded in principle; twice the grand total (plus k) is room enough to show that a
        # second value exists wherever one does.
        bound = 2 * grid.value((-1, -1)) + k if cell not in primary else k - 1
        for total, parts in equations:
            if cell in parts and total not in primary | secondary:
                bound = min(bound, grid.value(total))
        upper[cell] = bound
    lower = dict.fromkeys(hidden, 1)
    possible: dict = {cell: set() for cell in hidden}
    assignment: dict = {}

    def feasible() -> bool:
        for total, parts in equations:
            terms = [(total, 1), *((part, -1) for part in parts)]
            fixed = sum(
                sign * assignment.get(cell, grid.value(cell))
                for cell, sign in terms
                if cell not in possible or cell in assignment
            )
            open_terms = [
                (cell, sign) for cell, sign in terms if cell in possible and cell not in assignment
            ]
            low = fixed + sum(sign * (lower[c] if sign > 0 else upper[c]) for c, sign in open_terms)
            high = fixed + sum(
                sign * (upper[c] if sign > 0 else lower[c]) for c, sign in open_terms
            )
            if not low <= 0 <= high:
                return False
        return True

    def search(index: int) -> None:
        if not feasible():
            return
        if index == len(hidden):
            for cell, value in assignment.items():
                possible[cell].add(value)
            return
        cell = hidden[index]
        for value in range(lower[cell], upper[cell] + 1):
            assignment[cell] = value
            search(index + 1)
            del assignment[cell]

    search(0)
    return {cell for cell, values in possible.items() if len(values) <= 1}


def test_the_seed_outcomes_in_publication_mode():
    # granted 12, rejected 1, pending 1, withdrawn 0; total 14. "<3" + "<3" = 2 would give away
    # that both are 1, so one more cell must go.
    grid = Grid(((12,), (1,), (1,), (0,)), row_totals=False, column_totals=True)
    primary, secondary = suppress(grid, K)
    assert primary == {(1, 0), (2, 0)}
    assert secondary
    assert (3, 0) not in primary | secondary  # the zero stays
    assert not disclosed(grid, primary, secondary, K)
    assert not _brute_force_disclosed(grid, primary, secondary, K)


def test_a_lone_small_cell_in_a_row_takes_a_partner():
    grid = Grid(((2, 5, 7), (4, 6, 9), (8, 8, 8)))
    primary, secondary = suppress(grid, K)
    assert primary == {(0, 0)}
    assert len(secondary) >= 2  # its row and its column each need a second hidden cell
    assert not disclosed(grid, primary, secondary, K)


def test_nothing_hidden_when_every_count_is_large_or_zero():
    grid = Grid(((9, 0), (0, 5)))
    assert suppress(grid, K) == (set(), set())


def test_small_totals_are_hidden_too():
    grid = Grid(((1, 0), (0, 0)))
    primary, secondary = suppress(grid, K)
    assert {(0, 0), (0, -1), (-1, 0), (-1, -1)} <= primary | secondary
    assert not disclosed(grid, primary, secondary, K)


def test_when_every_count_is_small_some_become_dots():
    grid = Grid(((1, 1),), row_totals=True, column_totals=False)
    primary, secondary = suppress(grid, K)
    assert primary | secondary == {(0, 0), (0, 1), (0, -1)}
    assert secondary
    assert not _brute_force_disclosed(grid, primary, secondary, K)


def test_internal_mode_hides_nothing():
    assert suppress(Grid(((1, 2), (3, 4))), 1) == (set(), set())


def test_a_cell_exposed_only_through_another_exposed_cell_is_protected():
    """Found by the property test below: with its totals hidden, the column total 1 equals the
    hidden 1 under the 0, and that 1 is its row's total 4 minus the 3 beside it. No cell the
    column total shares an equation with can still be hidden; the 3 must go instead."""
    grid = Grid(((0, 1), (1, 3)))
    primary, secondary = suppress(grid, K)
    assert (1, 1) in secondary
    assert not _brute_force_disclosed(grid, primary, secondary, K)


def test_every_small_table_is_protected():
    """Every 2 × 2 table of counts 0–3, with and without totals: suppression finds a pattern
    and no hidden cell can be computed back."""
    for values in itertools.product(range(4), repeat=4):
        for row_totals, column_totals in itertools.product((True, False), repeat=2):
            grid = Grid(
                (values[:2], values[2:]), row_totals=row_totals, column_totals=column_totals
            )
            primary, secondary = suppress(grid, K)
            assert not _brute_force_disclosed(grid, primary, secondary, K), grid


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=3).flatmap(
        lambda rows: st.integers(min_value=1, max_value=3).flatmap(
            lambda columns: st.lists(
                st.lists(st.integers(min_value=0, max_value=5), min_size=columns, max_size=columns),
                min_size=rows,
                max_size=rows,
            )
        )
    ),
    st.booleans(),
    st.booleans(),
)
def test_no_hidden_cell_is_recoverable_from_totals(values, row_totals, column_totals):
    grid = Grid(
        tuple(tuple(row) for row in values), row_totals=row_totals, column_totals=column_totals
    )
    primary, secondary = suppress(grid, K)
    shown = set(grid.cells()) - primary - secondary
    assert all(not 0 < grid.value(cell) < K for cell in shown)
    assert all(0 < grid.value(cell) < K for cell in primary)
    assert all(grid.value(cell) > 0 for cell in secondary)
    assert not _brute_force_disclosed(grid, primary, secondary, K)
