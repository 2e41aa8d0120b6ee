"""Statistical disclosure control for published tables.

Publication mode hides every count from 1 to k-1 (shown "<k"): a small count can identify a
person. Hiding those cells (primary suppression) is not enough when the table also shows totals:
a single hidden cell in a row with a visible row total is the total minus the visible cells, and
"<3" and "<3" in a row whose hidden part sums to 2 are both 1. Secondary suppression hides further
cells (shown "..") until no hidden cell can be computed. Two checks decide "can be computed":
linear algebra over the table's sum equations (catches chains of equations, not only a lone
hidden cell in a row) and interval reasoning with what a reader knows of each hidden cell (a
"<k" cell lies in 1..k-1; a ".." cell is some positive count: zeros are never hidden).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

Cell = tuple[int, int]  # (row, column); column -1 is the row total, row -1 the column total


@dataclass(frozen=True)
class Grid:
    """Counts of a table with optional totals. Totals are derived, never given."""

    values: tuple[tuple[int, ...], ...]
    row_totals: bool = True
    column_totals: bool = True

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), len(self.values[0]) if self.values else 0

    def value(self, cell: Cell) -> int:
        row, column = cell
        rows = self.shape[0]
        if row == -1 and column == -1:
            return sum(sum(r) for r in self.values)
        if column == -1:
            return sum(self.values[row])
        if row == -1:
            return sum(self.values[r][column] for r in range(rows))
        return self.values[row][column]

    def cells(self) -> list[Cell]:
        rows, columns = self.shape
        cells = [(r, c) for r in range(rows) for c in range(columns)]
        if self.row_totals:
            cells += [(r, -1) for r in range(rows)]
        if self.column_totals:
            cells += [(-1, c) for c in range(columns)]
        if self.row_totals and self.column_totals:
            cells.append((-1, -1))
        return cells

    def equations(self) -> list[tuple[Cell, list[Cell]]]:
        """Each shown total with the cells it is the sum of."""
        rows, columns = self.shape
        result: list[tuple[Cell, list[Cell]]] = []
        if self.row_totals:
            result += [((r, -1), [(r, c) for c in range(columns)]) for r in range(rows)]
        if self.column_totals:
            result += [((-1, c), [(r, c) for r in range(rows)]) for c in range(columns)]
        if self.row_totals and self.column_totals:
            result.append(((-1, -1), [(-1, c) for c in range(columns)]))
            result.append(((-1, -1), [(r, -1) for r in range(rows)]))
        return result


def _determined(grid: Grid, hidden: set[Cell]) -> set[Cell]:
    """The hidden cells whose value follows from the visible cells and the sum equations.

    Unknowns are the hidden cells; each equation "total = sum of parts" becomes a linear
    equation over them. A hidden cell is determined when its unit vector lies in the row space
    of that system (Gaussian elimination over the rationals: exact, and tables are small).
    """
    unknowns = sorted(hidden)
    index = {cell: i for i, cell in enumerate(unknowns)}
    rows: list[list[Fraction]] = []
    for total, parts in grid.equations():
        coefficients = [Fraction(0)] * len(unknowns)
        involved = False
        for cell, sign in [(total, 1), *((part, -1) for part in parts)]:
            if cell in index:
                coefficients[index[cell]] += sign
                involved = True
        if involved and any(coefficients):
            rows.append(coefficients)
    # Reduced row echelon form.
    pivot_row = 0
    pivots: list[int] = []
    for column in range(len(unknowns)):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        pivot = rows[pivot_row][column]
        rows[pivot_row] = [value / pivot for value in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivots.append(column)
        pivot_row += 1
    determined = set()
    for r, column in enumerate(pivots):
        # A pivot row with no other non-zero entry pins that unknown to a value.
        if all(rows[r][c] == 0 for c in range(len(unknowns)) if c != column):
            determined.add(unknowns[column])
    return determined


def _pinned_by_bounds(grid: Grid, primary: set[Cell], secondary: set[Cell], k: int) -> set[Cell]:
    """Hidden cells whose value interval shrinks to one value by propagating the equations."""
    hidden = primary | secondary
    unbounded = 10**9  # a ".." cell has no upper bound but what the shown totals imply
    low = dict.fromkeys(hidden, 1)
    high = {cell: (k - 1 if cell in primary else unbounded) for cell in hidden}
    changed = True
    while changed:
        changed = False
        for total, parts in grid.equations():
            # total - sum(parts) = 0: move the known cells to a constant.
            terms = [(total, 1), *((part, -1) for part in parts)]
            constant = -sum(sign * grid.value(cell) for cell, sign in terms if cell not in hidden)
            unknown = [(cell, sign) for cell, sign in terms if cell in hidden]
            for cell, sign in unknown:
                others = [(c, s) for c, s in unknown if c != cell]
                # sign * x = constant - sum(s_j * x_j)
                rest_low = sum(s * (low[c] if s > 0 else high[c]) for c, s in others)
                rest_high = sum(s * (high[c] if s > 0 else low[c]) for c, s in others)
                lo, hi = constant - rest_high, constant - rest_low
                if sign < 0:
                    lo, hi = -hi, -lo
                if lo > low[cell]:
                    low[cell], changed = lo, True
                if hi < high[cell]:
                    high[cell], changed = hi, True
    return {cell for cell in hidden if low[cell] >= high[cell]}


def disclosed(grid: Grid, primary: set[Cell], secondary: set[Cell], k: int) -> set[Cell]:
    """Hidden cells a reader can compute from what is shown."""
    hidden = primary | secondary
    return _determined(grid, hidden) | _pinned_by_bounds(grid, primary, secondary, k)


def suppress(grid: Grid, k: int) -> tuple[set[Cell], set[Cell]]:
    """(primary, secondary): cells (totals included) to show as "<k" and as "..", so that no
    count from 1 to k-1 can be read or computed. Zeros are shown: nobody identifies no one."""
    if k <= 1:
        return set(), set()
    primary = {cell for cell in grid.cells() if 0 < grid.value(cell) < k}
    secondary: set[Cell] = set()
    while True:
        exposed = disclosed(grid, primary, secondary, k)
        if not exposed:
            return primary, secondary
        # Protect the first exposed cell that can be protected through its own equations. One
        # that cannot (every cell it shares an equation with is hidden already) is exposed through
        # another exposed cell, which is protected first: in ((0, 1), (1, 3)) with its totals
        # hidden, the column total 1 equals the hidden 1 below the 0, which its row gives away.
        cell = next(
            (
                partner
                for candidate in sorted(exposed)
                if (partner := _partner_for(grid, primary, secondary, candidate)) is not None
            ),
            None,
        )
        if cell is None:
            raise ValueError(f"cannot protect cells {sorted(exposed)}")  # nothing left to hide
        primary.discard(cell)  # a "<k" cell may have to become ".." when nothing else is left
        secondary.add(cell)


def _partner_for(
    grid: Grid, primary: set[Cell], secondary: set[Cell], exposed: Cell
) -> Cell | None:
    """A further cell to hide (or to blur from "<k" to "..") that protects `exposed`: the
    smallest visible count sharing an equation with it (least information lost), else that
    equation's total, else a "<k" cell of the equation; None when all of them are ".." already."""
    hidden = primary | secondary
    candidates: list[tuple[int, Cell]] = []
    totals: list[Cell] = []
    blurrable: list[Cell] = []
    for total, parts in grid.equations():
        members = [total, *parts]
        if exposed not in members:
            continue
        for cell in parts:
            if cell not in hidden and cell != exposed and grid.value(cell) > 0:
                candidates.append((grid.value(cell), cell))
        if total not in hidden:
            totals.append(total)
        blurrable += [cell for cell in members if cell in primary]
    if candidates:
        return min(candidates)[1]
    if totals:
        return min(totals, key=lambda cell: (grid.value(cell), cell))
    if blurrable:
        return max(blurrable)  # totals (row or column -1) sort first; prefer a body cell
    return None
