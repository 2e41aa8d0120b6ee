"""Disclosure control for one table of counts with its totals (`Grid`): the single-table view
of reporting.disclosure, which the annual report applies to the whole publication at once.

Publication mode hides every count from 1 to k-1 (shown "<k"): a small count can identify a
person. Hiding those cells (primary suppression) is not enough when the table also shows totals:
a single hidden cell in a row with a visible row total is the total minus the visible cells, and
"<3" and "<3" in a row whose hidden part sums to 2 are both 1. Secondary suppression hides further
cells (shown "..") until no hidden cell can be computed, as reporting.disclosure decides it: an
integer program per hidden cell over the table's sum equations, with what a reader knows of each
hidden cell (a "<k" cell lies in 1..k-1; a ".." cell is some positive count: zeros are never
hidden).
"""

from __future__ import annotations

from dataclasses import dataclass

from reporting.disclosure import SECONDARY, Checker, Ledger

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


def _key(cell: Cell) -> str:
    return f"{cell[0]},{cell[1]}"


def _ledger(grid: Grid) -> Ledger:
    ledger = Ledger()
    for cell in grid.cells():
        ledger.add(_key(cell), grid.value(cell), label=_key(cell))
    for total, parts in grid.equations():
        ledger.sum(_key(total), [_key(part) for part in parts], reason="table total")
    return ledger


def disclosed(grid: Grid, primary: set[Cell], secondary: set[Cell], k: int) -> set[Cell]:
    """Hidden cells a reader can compute from what is shown."""
    ledger = _ledger(grid)
    ledger.k = k
    hidden = {_key(cell): f"<{k}" for cell in primary}
    hidden.update({_key(cell): SECONDARY for cell in secondary})
    cells = {_key(cell): cell for cell in grid.cells()}
    return {cells[key] for key in Checker(ledger).determined(hidden)}


def suppress(grid: Grid, k: int) -> tuple[set[Cell], set[Cell]]:
    """(primary, secondary): cells (totals included) to show as "<k" and as "..", so that no
    count from 1 to k-1 can be read or computed. Zeros are shown: nobody identifies no one."""
    ledger = _ledger(grid)
    ledger.protect(k)
    cells = {_key(cell): cell for cell in grid.cells()}
    primary = {cells[key] for key, shown in ledger.hidden.items() if shown != SECONDARY}
    secondary = {cells[key] for key, shown in ledger.hidden.items() if shown == SECONDARY}
    return primary, secondary
