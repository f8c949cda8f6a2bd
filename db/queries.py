"""Task queries: the monitoring classification, due/overdue lists and overdue summaries.

All counting happens in SQL: `task_class(as_of)` is one CASE expression that both
databases evaluate, and the summaries are GROUP BY queries over it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from db import tally
from db.clock import DUE_WINDOW_DAYS
from db.models import Task, TaskClass, Unit
from db.units import get_unit, root_unit


def class_predicates(as_of: date) -> dict[str, ColumnElement[bool]]:
    """The monitoring categories as of a date: five exclusive, exhaustive predicates.

    A task completed after `as_of` was still open then. Both `task_class` (one label per task) and the
    summaries (sums per unit) are built from these, so the two cannot disagree.
    """
    # SQL's NULL counts as false in CASE and is skipped by SUM, so comparisons with a NULL deadline or
    # completion date need no IS NOT NULL guards: a task without a deadline matches only RECURRING.
    done_by = Task.completed_on <= as_of
    open_ = or_(Task.completed_on.is_(None), Task.completed_on > as_of)
    return {
        TaskClass.RECURRING.value: Task.deadline.is_(None),
        TaskClass.DONE_ON_TIME.value: and_(done_by, Task.completed_on <= Task.deadline),
        TaskClass.DONE_LATE.value: and_(done_by, Task.completed_on > Task.deadline),
        TaskClass.IN_PROGRESS.value: and_(Task.deadline >= as_of, open_),
        TaskClass.OVERDUE.value: and_(Task.deadline < as_of, open_),
    }


def task_class(as_of: date) -> ColumnElement[str]:
    """The category of each task as of a date, as one CASE expression."""
    return case(*[(pred, name) for name, pred in class_predicates(as_of).items()], else_=TaskClass.OVERDUE.value)


def open_then(as_of: date) -> ColumnElement[bool]:
    return or_(Task.completed_on.is_(None), Task.completed_on > as_of)


def assigned_by_then(as_of: date) -> ColumnElement[bool]:
    return or_(Task.assigned_on.is_(None), Task.assigned_on <= as_of)


@dataclass(frozen=True)
class TaskView:
    code: str
    title: str
    unit_code: str
    unit_name: str
    deadline: date | None
    completed_on: date | None
    source_symbol: str | None
    source_section: str | None
    assigned_by_code: str | None = None  # the assigning unit ("Đơn vị giao"), when the task has one
    assigned_by_name: str | None = None

    def days_late(self, as_of: date) -> int:
        return (as_of - self.deadline).days if self.deadline else 0


_Assigner = aliased(Unit)


def _task_list(
    session: Session, unit_code: str | None, include_subunits: bool, assigned_by: str | None = None
) -> Select[Task, Unit, Unit]:
    """Tasks with their lead unit and (outer-joined) assigning unit: of one unit, of its subtree, and/or
    assigned by one committee (`unit_code` None: wherever the committee's tasks went)."""
    stmt = (
        select(Task, Unit, _Assigner)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .outerjoin(_Assigner, _Assigner.id == Task.assigned_by_id)
    )
    if assigned_by:
        stmt = stmt.where(Task.assigned_by_id == get_unit(session, assigned_by).id)
    if unit_code is None:
        return stmt
    unit = get_unit(session, unit_code)
    if include_subunits:
        return stmt.where(Unit.lft.between(unit.lft, unit.rgt))
    return stmt.where(Task.lead_unit_id == unit.id)


def _views(rows: Any) -> list[TaskView]:
    return [
        TaskView(
            t.code,
            t.title,
            u.code,
            u.name,
            t.deadline,
            t.completed_on,
            t.source_symbol,
            t.source_section,
            by.code if by else None,
            by.name if by else None,
        )
        for t, u, by in rows
    ]


def due_soon(
    session: Session,
    unit_code: str | None,
    days: int = DUE_WINDOW_DAYS,
    *,
    include_subunits: bool = False,
    as_of: date | None = None,
    assigned_by: str | None = None,
    start: int = 0,
) -> list[TaskView]:
    """Open tasks of the unit whose deadline falls within the next `days` days (today included), or from `start`
    days on when the window starts later ("tháng 12" asked in November).

    `assigned_by=X`: only what committee X assigned (with `unit_code` None: to any unit).
    """
    as_of = as_of or date.today()
    stmt = _task_list(session, unit_code, include_subunits, assigned_by).where(
        open_then(as_of), Task.deadline.between(as_of + timedelta(days=start), as_of + timedelta(days=days))
    )
    return _views(session.execute(stmt.order_by(Task.deadline, Task.code)).all())


def overdue(
    session: Session,
    unit_code: str | None,
    *,
    include_subunits: bool = False,
    as_of: date | None = None,
    assigned_by: str | None = None,
) -> list[TaskView]:
    """Open tasks of the unit whose deadline has passed, oldest deadline first (`assigned_by` as in due_soon)."""
    as_of = as_of or date.today()
    stmt = _task_list(session, unit_code, include_subunits, assigned_by).where(
        open_then(as_of), Task.deadline < as_of, assigned_by_then(as_of)
    )
    return _views(session.execute(stmt.order_by(Task.deadline, Task.code)).all())


def task_titles(session: Session, unit_code: str, *, include_subunits: bool) -> list[tuple[str, int]]:
    """The distinct titles of the unit's tasks (of its subtree with `include_subunits`) and how many tasks have
    each: far fewer than the tasks (the demo's 9,879 tasks have 87 titles), so a title can be looked up by its
    words without reading every task."""
    unit = get_unit(session, unit_code)
    stmt = select(Task.title, func.count()).join(Unit, Unit.id == Task.lead_unit_id)
    stmt = stmt.where(Unit.lft.between(unit.lft, unit.rgt) if include_subunits else Task.lead_unit_id == unit.id)
    return [(title, int(n)) for title, n in session.execute(stmt.group_by(Task.title)).all()]


def tasks_titled(session: Session, unit_code: str, titles: list[str], *, include_subunits: bool) -> list[TaskView]:
    """The unit's tasks (of its subtree with `include_subunits`) with one of these exact titles, by deadline."""
    if not titles:
        return []
    stmt = _task_list(session, unit_code, include_subunits).where(Task.title.in_(titles))
    return _views(session.execute(stmt.order_by(Task.deadline, Task.code)).all())


@dataclass(frozen=True)
class UnitGroup:
    """The tasks of a list that fall under one direct sub-unit (its whole subtree), or the unit's own (`own`)."""

    unit_code: str
    unit_name: str
    own: bool  # the listed unit's own tasks (not a sub-unit's)
    has_children: bool  # a drill-down into it lists by sub-unit again
    count: int
    earliest: date | None  # the earliest deadline: an overdue list's worst delay, a due list's first date


def group_by_subunit(session: Session, unit_code: str, tasks: list[TaskView]) -> list[UnitGroup]:
    """`tasks` (of the subtree of `unit_code`) grouped by the direct sub-unit they fall under, most tasks first
    (then the earliest deadline); the unit's own tasks are one group of their own (nested-set ranges, no
    query per task)."""
    unit = get_unit(session, unit_code)
    children = session.execute(
        select(Unit.code, Unit.name, Unit.lft, Unit.rgt).where(Unit.parent_id == unit.id).order_by(Unit.lft)
    ).all()
    starts = [c.lft for c in children]
    codes = sorted({t.unit_code for t in tasks})
    lfts: dict[str, int] = {}
    if codes:
        lfts = {code: lft for code, lft in session.execute(select(Unit.code, Unit.lft).where(Unit.code.in_(codes)))}
    count: dict[int, int] = {}
    earliest: dict[int, date | None] = {}
    for task in tasks:
        slot = -1 if task.unit_code == unit.code else bisect_right(starts, lfts[task.unit_code]) - 1
        count[slot] = count.get(slot, 0) + 1
        first = earliest.get(slot)
        if task.deadline is not None and (first is None or task.deadline < first):
            first = task.deadline
        earliest[slot] = first
    groups = []
    for slot, n in count.items():
        if slot == -1:
            groups.append(UnitGroup(unit.code, unit.name, True, False, n, earliest[slot]))
        else:
            c = children[slot]
            groups.append(UnitGroup(c.code, c.name, False, c.rgt - c.lft > 1, n, earliest[slot]))
    return sorted(groups, key=lambda g: (-g.count, g.earliest or date.max, g.unit_code))


@dataclass
class SummaryRow:
    unit_code: str
    unit_name: str
    assigned: int = 0
    done_on_time: int = 0
    done_late: int = 0
    in_progress: int = 0
    overdue: int = 0
    recurring: int = 0
    own: bool = field(default=False, kw_only=True)  # the unit's own tasks beside its sub-units' rows

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def pct_done(self) -> float:
        return round(100.0 * self.done / self.assigned, 1) if self.assigned else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit_code,
            # --json keeps the name it always had (the own row's Vietnamese mark included): a machine contract
            "name": f"{self.unit_name} (trực tiếp)" if self.own else self.unit_name,
            "assigned": self.assigned,
            "done_on_time": self.done_on_time,
            "done_late": self.done_late,
            "in_progress": self.in_progress,
            "overdue": self.overdue,
            "recurring": self.recurring,
            "pct_done": self.pct_done,
        }


@dataclass
class Summary:
    """An overdue summary: one row per sub-unit (view `subtree`) or receiving unit (view `assigned_by`)."""

    unit_code: str
    unit_name: str
    view: str
    as_of: date
    rows: list[SummaryRow] = field(default_factory=list)
    total: SummaryRow = field(default_factory=lambda: SummaryRow("", ""))

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit_code,
            "name": self.unit_name,
            "view": self.view,
            "as_of": self.as_of.isoformat(),
            "rows": [r.as_dict() for r in self.rows],
            "total": self.total.as_dict(),
        }


_COUNTS = [c.value for c in TaskClass]  # done_on_time, done_late, in_progress, overdue, recurring
_SUMMED = [
    TaskClass.DONE_ON_TIME.value,
    TaskClass.DONE_LATE.value,
    TaskClass.IN_PROGRESS.value,
    TaskClass.RECURRING.value,
]


def _scanned_counts(
    session: Session, as_of: date, *where: ColumnElement[bool], scope: Unit | None = None
) -> list[tuple[int, list[int]]]:
    """[(lead unit id, counts in _COUNTS order)] by scanning every task in scope: the reference the tally is
    checked against (`overdue_summary(scan=True)`), summed per unit in SQL (Python sees one row per unit).

    Overdue is the count minus the other four (the predicates are exclusive and exhaustive): one
    comparison less per task.
    """
    preds = class_predicates(as_of)
    stmt = select(Task.lead_unit_id, func.count(), *[func.sum(cast(preds[name], Integer)) for name in _SUMMED]).where(
        assigned_by_then(as_of), *where
    )
    if scope is not None:
        stmt = stmt.join(Unit, Unit.id == Task.lead_unit_id).where(Unit.lft.between(scope.lft, scope.rgt))
    out: list[tuple[int, list[int]]] = []
    for row in session.connection().execute(stmt.group_by(Task.lead_unit_id)):
        unit_id, total = row[0], int(row[1])
        on_time, late, in_progress, recurring = (int(v or 0) for v in row[2:6])
        overdue = total - on_time - late - in_progress - recurring
        out.append((unit_id, [on_time, late, in_progress, overdue, recurring]))  # _COUNTS order
    return out


def _tallied_counts(
    session: Session, as_of: date, *, scope: Unit | None = None, assigned_by_id: int | None = None
) -> list[tuple[int, list[int]]]:
    """As `_scanned_counts`, from the task tally: work per unit, not per task (db/tally.py)."""
    return _per_lead(tally.counts(session, as_of, scope=scope, assigned_by_id=assigned_by_id))


def _per_lead(counts: tally.Counts) -> list[tuple[int, list[int]]]:
    """{(lead, assigning unit): tally columns} summed per lead unit, in _COUNTS order (LATER dropped)."""
    per_unit: dict[int, list[int]] = {}
    for (lead, _), values in counts.items():
        acc = per_unit.setdefault(lead, [0] * len(_COUNTS))
        for i in range(len(_COUNTS)):
            acc[i] += values[i]
    return list(per_unit.items())


def _lfts(session: Session, unit: Unit, ids: list[int]) -> dict[int, int]:
    """{unit id: lft} for these units of `unit`'s subtree: by id when few, by the subtree's range when many."""
    stmt = select(Unit.id, Unit.lft)
    if len(ids) <= 500:
        stmt = stmt.where(Unit.id.in_(ids)) if ids else stmt.where(Unit.id == -1)
    else:
        stmt = stmt.where(Unit.lft.between(unit.lft, unit.rgt))
    return {uid: lft for uid, lft in session.connection().execute(stmt)}


def _row(code: str, name: str, counts: list[int]) -> SummaryRow:
    return SummaryRow(code, name, sum(counts), *counts)


def _unit_names(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for i in range(0, len(ids), 5000):
        for uid, code, name in session.execute(
            select(Unit.id, Unit.code, Unit.name).where(Unit.id.in_(ids[i : i + 5000]))
        ):
            out[uid] = (code, name)
    return out


def _worst_first(rows: list[SummaryRow]) -> list[SummaryRow]:
    return sorted(rows, key=lambda r: (-r.overdue, r.pct_done, -r.assigned, r.unit_code))


def overdue_summary(
    session: Session,
    unit_code: str | None = None,
    *,
    assigned_by: str | None = None,
    as_of: date | None = None,
    scan: bool = False,
) -> Summary:
    """The monitoring table, worst units first, counted from the task tally (`scan`: by scanning every task,
    the reference the tally is tested against).

    - `assigned_by=X`: what committee X has assigned, one row per receiving (lead) unit;
      with `unit_code` too, only receivers inside that unit's subtree.
    - otherwise: what the subtree of `unit_code` (default: the root) must deliver, one row per
      direct sub-unit (its whole subtree), plus a row for tasks led by the unit itself.
    """
    as_of = as_of or date.today()
    tallied = not scan and tally.near(session, as_of)
    if assigned_by:
        committee = get_unit(session, assigned_by)
        scope = get_unit(session, unit_code) if unit_code else None
        if not tallied:
            counts = _scanned_counts(session, as_of, Task.assigned_by_id == committee.id, scope=scope)
        else:
            counts = _tallied_counts(session, as_of, scope=scope, assigned_by_id=committee.id)
        names = _unit_names(session, [unit_id for unit_id, _ in counts])
        rows = [_row(*names[unit_id], by_class) for unit_id, by_class in counts]
        summary = Summary(committee.code, committee.name, "assigned_by", as_of)
    else:
        unit = get_unit(session, unit_code) if unit_code else root_unit(session)
        children = session.execute(
            select(Unit.id, Unit.code, Unit.name, Unit.lft, Unit.rgt)
            .where(Unit.parent_id == unit.id)
            .order_by(Unit.lft)
        ).all()
        starts = [c.lft for c in children]
        acc = [[0] * len(_COUNTS) for _ in range(len(children) + 1)]  # the last slot: the unit's own tasks
        if tallied:
            # The tally and its corrections summed per sub-unit in SQL; the unit's own tasks per lead unit.
            by_subunit, by_lead = tally.subtree_counts(session, unit, as_of)
            slot_of = {c.id: i for i, c in enumerate(children)}
            for (child_id, _), values in by_subunit.items():
                slot = slot_of[child_id]
                acc[slot] = [x + y for x, y in zip(acc[slot], values[: len(_COUNTS)], strict=True)]
            counts = _per_lead(by_lead)
        else:
            # The whole tree needs no range join: every task is in it.
            counts = _scanned_counts(session, as_of, scope=unit if unit.parent_id is not None else None)
        lfts = _lfts(session, unit, [unit_id for unit_id, _ in counts if unit_id != unit.id])
        for unit_id, by_class in counts:
            # The direct sub-unit whose nested-set range holds this unit (or the unit itself).
            slot = -1 if unit_id == unit.id else bisect_right(starts, lfts[unit_id]) - 1
            acc[slot] = [x + y for x, y in zip(acc[slot], by_class, strict=True)]
        rows = [_row(c.code, c.name, acc[i]) for i, c in enumerate(children) if any(acc[i])]
        if any(acc[-1]):
            rows.append(replace(_row(unit.code, unit.name, acc[-1]), own=True))
        summary = Summary(unit.code, unit.name, "subtree", as_of)
    summary.rows = _worst_first(rows)
    total = SummaryRow("TONG", "Tổng cộng")
    for name in ["assigned", *_COUNTS]:
        setattr(total, name, sum(getattr(r, name) for r in summary.rows))
    summary.total = total
    return summary


def summary_assigners(session: Session, summary: Summary, *, scan: bool = False) -> dict[str, list[tuple[str, str]]]:
    """The assigning units ("Đơn vị giao") behind each row of a summary: {row unit code: [(code, name)]}.

    The assigning units with a task counted as of the summary's date, from the task tally summed per row
    (`scan`, or a date far from the tally's pivot: one DISTINCT over the tasks' (lead unit, assigning unit)
    pairs, mapped to the rows as `overdue_summary` maps counts); the assigned_by view: the committee itself for
    every row. Rows with no assigning unit get [].
    """
    if summary.view == "assigned_by":
        committee = get_unit(session, summary.unit_code)
        return {r.unit_code: [(committee.code, committee.name)] for r in summary.rows}
    unit = get_unit(session, summary.unit_code)
    row_units = session.execute(
        select(Unit.id, Unit.code, Unit.lft, Unit.rgt).where(Unit.code.in_([r.unit_code for r in summary.rows]))
    ).all()
    subs = sorted((r for r in row_units if r.id != unit.id), key=lambda r: r.lft)
    starts = [r.lft for r in subs]

    def row_of(lead_id: int, lft: int) -> str | None:
        # The unit's own row holds only its own tasks; a sub-unit's row its whole subtree.
        if lead_id == unit.id:
            return unit.code
        i = bisect_right(starts, lft) - 1
        return subs[i].code if i >= 0 and lft <= subs[i].rgt else None

    found: dict[str, set[int]] = {r.unit_code: set() for r in summary.rows}
    if scan or not tally.near(session, summary.as_of):
        lead = aliased(Unit)
        pairs = session.execute(
            select(lead.id, lead.lft, Task.assigned_by_id)
            .join(lead, lead.id == Task.lead_unit_id)
            .where(
                lead.lft.between(unit.lft, unit.rgt),
                Task.assigned_by_id.is_not(None),
                assigned_by_then(summary.as_of),
            )
            .distinct()
        ).all()
        for lead_id, lft, by in pairs:
            code = row_of(lead_id, lft)
            if code in found and by is not None:
                found[code].add(by)
    else:
        by_subunit, by_lead = tally.subtree_counts(session, unit, summary.as_of)
        code_of = {r.id: r.code for r in subs}
        id_of = {r.code: r.id for r in row_units}
        per_row: tally.Counts = {}
        for (child_id, by), values in by_subunit.items():
            if child_id in code_of:
                tally.add(per_row, (child_id, by), values)
        lfts = _lfts(session, unit, [lead for lead, _ in by_lead if lead != unit.id])
        for (lead_id, by), values in by_lead.items():
            code = row_of(lead_id, lfts.get(lead_id, -1))
            if code is not None and code in id_of:
                tally.add(per_row, (id_of[code], by), values)
        ids = {r.id: r.code for r in row_units}
        for (row_id, by), values in per_row.items():
            if by != tally.NO_ASSIGNER and any(values[: tally.LATER]) and ids[row_id] in found:
                found[ids[row_id]].add(by)
    names = _unit_names(session, sorted({by for ids_ in found.values() for by in ids_}))
    return {code: sorted(names[by] for by in ids) for code, ids in found.items()}
