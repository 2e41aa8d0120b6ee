"""Disclosure control for everything one publication of the annual report releases.

A publication (the page, the PDF, the CSV files and the JSON of one report in publication mode)
prints many figures, and many of them are the same quantity (the number of applications is the
total of five tables and a figure in two answers) or sums of others (the outcomes add up to
the applications). Hiding a small count in one table protects nothing when another table, an
answer or the JSON prints it, or when it can be computed from what they print together.

So every figure is recorded once in a `Ledger`, under one key, with the other names it is
published under, its true value and a label; with it are recorded the relations a reader
knows from the definitions: this total is the sum of those parts, this count is at most that
one. Every table cell, answer and JSON value reads its shown text from the ledger, so a figure
is shown the same way everywhere.

The rule (`Ledger.protect`):

1. Primary: every protected count from 1 to k-1 is shown as "<k" (with k = 2, as ".."; "<2"
   could only be 1). Zeros are shown: nobody is identified by no one.
2. Check: for each hidden count, the smallest and the largest value it can have given every
   shown figure, every relation, that a "<k" is 1..k-1 and that a ".." is a positive count,
   in whole numbers: integer programs solved by HiGHS (highspy), one per group of hidden
   counts that share relations. A hidden count whose smallest and largest values are equal
   is determined.
3. Secondary: while some hidden count is determined, the first in ledger order is protected by
   one more hidden figure, shown as "..": the first shown figure whose hiding alone frees it,
   trying the figures in a relation with it first (in order of cost: the fewest relations,
   so a detail before a total printed in many places, then the smallest value), then those
   one relation further; else the first "<k" around it whose change to ".." alone frees it (a
   sum's total first); else the cheapest shown figure, and the next round goes on from there.
   The same data always gives the same pattern, and `Ledger.reasons` says why each figure is
   hidden.

Counts that are not about the people the unit works with (staff, trainings) are not protected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import highspy
import numpy as np

SECONDARY = ".."


@dataclass(frozen=True)
class Figure:
    """One quantity the report publishes."""

    key: str
    value: int
    label: str
    protected: bool
    order: int


@dataclass(frozen=True)
class Relation:
    """sum(coefficient * figure) = 0 (`equal`) or <= 0: what a reader knows from the
    definitions, whatever the data."""

    terms: tuple[tuple[str, int], ...]
    equal: bool
    reason: str

    def holds(self, values: Mapping[str, int]) -> bool:
        total = sum(coefficient * values[key] for key, coefficient in self.terms)
        return total == 0 if self.equal else total <= 0

    def as_json(self) -> dict[str, object]:
        return {
            "terms": dict(self.terms),
            "sense": "=" if self.equal else "<=",
            "rhs": 0,
            "reason": self.reason,
        }


class Ledger:
    """Every figure of one report, the names it is published under, the relations between
    them, and (after `protect`) how each is shown."""

    def __init__(self) -> None:
        self.figures: dict[str, Figure] = {}
        self.aliases: dict[str, str] = {}
        self.relations: list[Relation] = []
        self.hidden: dict[str, str] = {}
        # Why each hidden figure is hidden (for whoever maintains the rule; not published).
        self.reasons: dict[str, str] = {}
        self.k = 0

    # --- Recording ---------------------------------------------------------------------------

    def add(self, key: str, value: int, *, label: str, protected: bool = True) -> str:
        """Record a figure. Recording the same key again must give the same value: it is the
        same quantity, and two places printing it differently would be a bug."""
        key = self.aliases.get(key, key)
        existing = self.figures.get(key)
        if existing is not None:
            if existing.value != value:
                raise ValueError(f"{key} recorded as {existing.value} and as {value}")
            return key
        self.figures[key] = Figure(key, int(value), label, protected, len(self.figures))
        return key

    def alias(self, name: str, key: str) -> None:
        """`name` is another published name of the figure `key` (the same quantity)."""
        key = self.canonical(key)
        if name in self.figures:
            if self.figures[name].value != self.figures[key].value:
                raise ValueError(f"{name} and {key} are not the same quantity")
            del self.figures[name]
        self.aliases[name] = key

    def canonical(self, name: str) -> str:
        key = self.aliases.get(name, name)
        if key not in self.figures:
            raise KeyError(name)
        return key

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.aliases.get(name, name) in self.figures

    def value(self, name: str) -> int:
        return self.figures[self.canonical(name)].value

    def relate(self, terms: Mapping[str, int], *, equal: bool, reason: str) -> None:
        combined: dict[str, int] = {}
        for name, coefficient in terms.items():
            key = self.canonical(name)
            combined[key] = combined.get(key, 0) + coefficient
        relation = Relation(
            tuple((key, c) for key, c in combined.items() if c), equal=equal, reason=reason
        )
        if not relation.terms:
            return
        if not relation.holds({key: figure.value for key, figure in self.figures.items()}):
            raise ValueError(f"relation does not hold: {relation}")
        if relation not in self.relations:
            self.relations.append(relation)

    def sum(self, total: str, parts: Iterable[str], *, reason: str) -> None:
        """total = the sum of parts."""
        terms: dict[str, int] = {}
        for name, coefficient in [(total, 1), *((part, -1) for part in parts)]:
            key = self.canonical(name)
            terms[key] = terms.get(key, 0) + coefficient
        self.relate(terms, equal=True, reason=reason)

    def at_most(
        self, smaller: Mapping[str, int], larger: Mapping[str, int], *, reason: str
    ) -> None:
        """sum(smaller) <= sum(larger), each a {figure: coefficient} mapping."""
        terms: dict[str, int] = {}
        for name, coefficient in smaller.items():
            key = self.canonical(name)
            terms[key] = terms.get(key, 0) + coefficient
        for name, coefficient in larger.items():
            key = self.canonical(name)
            terms[key] = terms.get(key, 0) - coefficient
        self.relate(terms, equal=False, reason=reason)

    # --- Showing -------------------------------------------------------------------------------

    def shown(self, name: str) -> str:
        key = self.canonical(name)
        return self.hidden.get(key, str(self.figures[key].value))

    def published(self, name: str) -> int | str:
        """The figure as the JSON publishes it: the count, or "<k" / ".."."""
        key = self.canonical(name)
        return self.hidden.get(key, self.figures[key].value)

    def protect(self, k: int) -> None:
        """Publication mode: decide what is hidden (see the module's docstring)."""
        self.k = k
        self.hidden, self.reasons = {}, {}
        if k <= 1:
            return
        # With k = 2 a "<2" could only be 1: small counts are shown as ".." from the start.
        small = f"<{k}" if k > 2 else SECONDARY
        for key, figure in self.figures.items():
            if figure.protected and 0 < figure.value < k:
                self.hidden[key] = small
                self.reasons[key] = f"a count from 1 to {k - 1}"
        checker = Checker(self)
        while (first := checker.first_determined(self.hidden)) is not None:
            cell = self._next_to_hide(first, checker)
            blurred = cell in self.hidden
            self.hidden[cell] = SECONDARY
            self.reasons[cell] = f"{self.figures[first].label} could otherwise be computed" + (
                " (from “<k” to “..”)" if blurred else ""
            )

    # --- Choosing the next figure to hide --------------------------------------------------------

    def relation_count(self, key: str) -> int:
        return sum(1 for relation in self.relations for k, _c in relation.terms if k == key)

    def _neighbours(self, key: str) -> set[str]:
        return {
            other
            for relation in self.relations
            if any(k == key for k, _c in relation.terms)
            for other, _c in relation.terms
            if other != key
        }

    def _next_to_hide(self, exposed: str, checker: Checker) -> str:
        """The figure to hide (or to blur from "<k" to "..") so that `exposed` is no longer
        determined: the first shown figure, nearest first and in cost order, whose hiding
        alone frees it; else the first "<k" around it whose blurring alone does; else the
        cheapest shown figure (or, with none, a "<k"), and the next round goes on from there."""
        candidates: list[str] = []
        small: list[str] = [exposed] if self.hidden[exposed] != SECONDARY else []
        seen = {exposed}
        frontier = [exposed]
        while frontier:
            neighbours = sorted(
                {n for key in frontier for n in self._neighbours(key)} - seen,
                key=lambda key: self.figures[key].order,
            )
            layer = [
                key
                for key in neighbours
                if key not in self.hidden
                and self.figures[key].protected
                and self.figures[key].value > 0
            ]
            candidates += sorted(layer, key=self._cost)
            small += [key for key in neighbours if self.hidden.get(key, SECONDARY) != SECONDARY]
            seen.update(neighbours)
            frontier = [key for key in neighbours if key in self.hidden]
        # A sum's total is blurred before its parts: an unbounded total frees every part.
        small.sort(key=lambda key: (not self._is_total(key), -self.figures[key].order))
        for key in [*candidates[:TRIALS], *small[:TRIALS]]:
            if not checker.is_determined(exposed, {**self.hidden, key: SECONDARY}):
                return key
        if candidates:
            return candidates[0]
        if small:
            return small[0]
        raise ValueError(f"cannot protect {exposed}")  # pragma: no cover - see Checker

    def _is_total(self, key: str) -> bool:
        """Whether `key` is the total of a recorded sum."""
        return any(
            relation.equal
            and dict(relation.terms)[key] == 1
            and all(c == -1 for other, c in relation.terms if other != key)
            for relation in self.relations
            if any(k == key for k, _c in relation.terms)
        )

    def _cost(self, key: str) -> tuple[int, int, int]:
        figure = self.figures[key]
        return self.relation_count(key), figure.value, figure.order


# How many single hides and blurs are tried before falling back to the cheapest.
TRIALS = 8


class Checker:
    """Which hidden figures a reader can determine: per connected group of hidden figures (two
    hidden figures in one relation are in one group), an integer program whose variables are
    the group's figures, bounded as a reader knows them, with the shown figures as constants
    (HiGHS). A figure is determined when its smallest and its largest value are equal.

    Hiding more only widens what a reader must consider (the true values stay possible), so a
    figure once shown to have two possible values keeps them: later rounds test only the
    figures not yet known to be free, and a group that has not changed keeps its answers."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        values = [figure.value for figure in ledger.figures.values()]
        # An upper bound for a ".." far above any value the data could have; it only makes the
        # programs bounded (a tighter model can only find more, never fewer, determined counts).
        self.big = 4 * sum(values) + 10 * max(ledger.k, 1) + 100
        self.free: set[str] = set()
        self.last: dict[str, str] = {}
        self.verdicts: dict[tuple[tuple[tuple[str, str], ...], str], bool] = {}
        self.whole: tuple[highspy.Highs, dict[str, int]] | None = None
        self.solves = 0

    def determined(self, hidden: Mapping[str, str]) -> set[str]:
        """Every hidden figure a reader can determine."""
        return set(self._determined(hidden, first_only=False))

    def first_determined(self, hidden: Mapping[str, str]) -> str | None:
        """The first determined figure in ledger order (what `Ledger.protect` needs), without
        testing the figures after it."""
        found = self._determined(hidden, first_only=True)
        return found[0] if found else None

    def _determined(self, hidden: Mapping[str, str], *, first_only: bool) -> list[str]:
        if not all(
            key in hidden and hidden[key] in (shown, SECONDARY) for key, shown in self.last.items()
        ):
            self.free, self.verdicts = set(), {}  # not a widening of the last round
        self.last = dict(hidden)
        order = self.ledger.figures
        group_of = {key: group for group in self._groups(hidden) for key in group}
        programs: dict[tuple[tuple[str, str], ...], _Program] = {}
        found = []
        for key in sorted(hidden, key=lambda key: order[key].order):
            if key in self.free:
                continue
            group = group_of[key]
            signature = tuple((member, hidden[member]) for member in group)
            verdict = self.verdicts.get((signature, key))
            if verdict is None:
                if signature not in programs:
                    programs[signature] = _Program(self, group, hidden)
                verdict = programs[signature].pinned(key)
                self.verdicts[(signature, key)] = verdict
            if verdict:
                found.append(key)
                if first_only:
                    break
        return found

    def _groups(self, hidden: Mapping[str, str]) -> list[list[str]]:
        parent = {key: key for key in hidden}

        def find(key: str) -> str:
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        for relation in self.ledger.relations:
            members = [key for key, _c in relation.terms if key in hidden]
            for other in members[1:]:
                parent[find(other)] = find(members[0])
        groups: dict[str, list[str]] = {}
        for key in hidden:
            groups.setdefault(find(key), []).append(key)
        order = self.ledger.figures
        return [sorted(group, key=lambda key: order[key].order) for group in groups.values()]

    def is_determined(self, key: str, hidden: Mapping[str, str]) -> bool:
        """Whether `key` alone is determined, for trying a further figure to hide: one program
        over every figure (shown ones fixed) whose bounds change from trial to trial instead of
        a program built per trial."""
        model, index = self._whole()
        n = len(index)
        lower = np.array([figure.value for figure in self.ledger.figures.values()], dtype=float)
        upper = lower.copy()
        for name, shown in hidden.items():
            lower[index[name]] = 1.0
            upper[index[name]] = self.big if shown == SECONDARY else self.ledger.k - 1
        columns = np.arange(n, dtype=np.int32)
        model.changeColsBounds(n, columns, lower, upper)
        i = index[key]
        if lower[i] == upper[i]:
            return True
        truth = self.ledger.figures[key].value
        for sense in SENSES:
            cost = np.zeros(n)
            cost[i] = 1.0
            self.solves += 1
            if round(_run(model, cost, sense)[i]) != truth:
                return False
        return True

    def _whole(self) -> tuple[highspy.Highs, dict[str, int]]:
        if self.whole is None:
            index = {key: i for i, key in enumerate(self.ledger.figures)}
            values = np.array([f.value for f in self.ledger.figures.values()], dtype=float)
            model = _model(values, values)
            for relation in self.ledger.relations:
                model.addRow(
                    0.0 if relation.equal else -highspy.kHighsInf,
                    0.0,
                    len(relation.terms),
                    np.array([index[key] for key, _c in relation.terms], dtype=np.int32),
                    np.array([float(c) for _key, c in relation.terms]),
                )
            self.whole = (model, index)
        return self.whole


SENSES = (highspy.ObjSense.kMaximize, highspy.ObjSense.kMinimize)


def _model(lower: np.ndarray, upper: np.ndarray) -> highspy.Highs:
    """A silent program with one variable per bound (whole numbers: see `_run`)."""
    n = len(lower)
    # highspy's constructor has no annotations (the rest of its API has).
    model = highspy.Highs()  # type: ignore[no-untyped-call]
    model.setOptionValue("output_flag", False)
    model.setOptionValue("threads", 1)
    empty = np.array([], np.int32)
    model.addCols(n, np.zeros(n), lower, upper, 0, empty, empty, [])
    return model


def _run(model: highspy.Highs, cost: np.ndarray, sense: highspy.ObjSense) -> list[float]:
    """The optimal whole-number values for this objective. The linear program first: the
    relations are sums, whose optimal corners are nearly always whole numbers, and then they
    are also the integer program's optimum. Otherwise the integer program itself."""
    n = len(cost)
    columns = np.arange(n, dtype=np.int32)
    model.changeColsCost(n, columns, cost)
    model.changeObjectiveSense(sense)
    values = _solved(model)
    if all(abs(v - round(v)) < 1e-7 for v in values):
        return values
    model.changeColsIntegrality(n, columns, np.array([highspy.HighsVarType.kInteger] * n))
    try:
        return _solved(model)
    finally:
        model.changeColsIntegrality(n, columns, np.array([highspy.HighsVarType.kContinuous] * n))


def _solved(model: highspy.Highs) -> list[float]:
    model.run()
    status = model.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"disclosure check: {model.modelStatusToString(status)}")
    return list(model.getSolution().col_value)


class _Program:
    """The integer program of one group of hidden figures."""

    def __init__(self, checker: Checker, group: list[str], hidden: Mapping[str, str]) -> None:
        ledger = checker.ledger
        self.checker = checker
        self.group = group
        self.index = {key: i for i, key in enumerate(group)}
        self.truth = [ledger.figures[key].value for key in group]
        self.lower = np.ones(len(group))
        self.upper = np.array(
            [checker.big if hidden[key] == SECONDARY else ledger.k - 1 for key in group],
            dtype=float,
        )
        self.model = _model(self.lower, self.upper)
        for relation in ledger.relations:
            inside = [(self.index[key], c) for key, c in relation.terms if key in self.index]
            if not inside:
                continue
            # The other terms are shown figures: hidden ones in one relation share a group.
            rhs = -float(
                sum(
                    c * ledger.figures[key].value
                    for key, c in relation.terms
                    if key not in self.index
                )
            )
            self.model.addRow(
                rhs if relation.equal else -highspy.kHighsInf,
                rhs,
                len(inside),
                np.array([i for i, _c in inside], dtype=np.int32),
                np.array([float(c) for _i, c in inside]),
            )
        # Push every figure not yet known to be free away from its true value at once: one or
        # two solutions usually show most of them free.
        while len(open_ := self._open()) > 1:
            before = len(checker.free)
            for sense in SENSES:
                cost = np.zeros(len(group))
                cost[[self.index[key] for key in open_]] = 1.0
                self._differ(cost, sense)
            if len(checker.free) == before:
                break

    def _open(self) -> list[str]:
        return [
            key
            for i, key in enumerate(self.group)
            if key not in self.checker.free and self.lower[i] != self.upper[i]
        ]

    def _differ(self, cost: np.ndarray, sense: highspy.ObjSense) -> None:
        """Every figure whose value in the optimal solution differs from the truth is free."""
        solution = _run(self.model, cost, sense)
        self.checker.solves += 1
        self.checker.free.update(
            key for i, key in enumerate(self.group) if round(solution[i]) != self.truth[i]
        )

    def pinned(self, key: str) -> bool:
        """Whether only the true value fits `key`."""
        i = self.index[key]
        if self.lower[i] == self.upper[i]:
            return True
        for sense in SENSES:
            if key in self.checker.free:
                return False
            cost = np.zeros(len(self.group))
            cost[i] = 1.0
            self._differ(cost, sense)
        return key not in self.checker.free
