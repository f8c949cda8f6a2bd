"""The task tally: task counts per (lead unit, assigning unit) and monitoring category, read for any as-of date.

A category depends on the as-of date (an open task becomes overdue when its deadline passes; a task done
after the as-of date was still open then), so counts per category are right for one date only. The tally
(`task_tally`) holds them for one pivot date (`task_tally_state`); database triggers (migration 0006_counts)
keep it in the transaction of every task change, whatever wrote the task. The counts as of another date D
are the tally plus, for each task with a date (assigned, deadline, completed) between the pivot and D, its
category at D minus its category at the pivot: exact for every date, and cheap while D is near the pivot,
which `advance` keeps at today (the date almost every summary asks for). A date far from the pivot (a report
as of last year) visits the tasks dated in between: at worst as many as the full count, never wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from db.models import Task, TaskTally, TaskTallyState, Unit

# The tally's columns in category-code order; the first five are db.queries' _COUNTS order.
TALLY_COLUMNS = ("done_on_time", "done_late", "in_progress", "overdue", "recurring", "later")
LATER = 5  # assigned after the date: not counted in any category yet
NO_ASSIGNER = 0  # the tally's assigning unit for tasks that have none (a key column cannot be NULL)

_AnySelect = Select[*tuple[Any, ...]]

# Beyond this many days between the pivot and the as-of date, the tasks dated in between are so many that
# counting every task is as cheap (db.queries falls back to the full query, equally exact).
NEAR_DAYS = 62

Counts = dict[tuple[int, int], list[int]]  # {(lead unit id, assigning unit id or 0): counts in TALLY_COLUMNS order}


def category_at(when: date) -> ColumnElement[int]:
    """The category code of each task as of `when` (the migration's trigger SQL says the same)."""
    return case(
        (Task.assigned_on > when, LATER),
        (Task.deadline.is_(None), 4),
        (and_(Task.completed_on <= when, Task.completed_on <= Task.deadline), 0),
        (Task.completed_on <= when, 1),
        (Task.deadline >= when, 2),
        else_=3,
    )


def pivot(session: Session) -> date:
    value = session.scalar(select(TaskTallyState.pivot).where(TaskTallyState.id == 1))
    assert value is not None, "migration 0006_counts writes the tally state"
    return value


def near(session: Session, as_of: date) -> bool:
    """Whether reading the tally for `as_of` beats counting every task (see NEAR_DAYS)."""
    return abs((as_of - pivot(session)).days) <= NEAR_DAYS


def _dated_between(lo: date, hi: date) -> ColumnElement[bool]:
    """Tasks whose category can differ between `lo` and `hi` (lo < hi): a date of theirs lies between."""
    return or_(
        and_(Task.assigned_on > lo, Task.assigned_on <= hi),
        and_(Task.completed_on > lo, Task.completed_on <= hi),
        and_(Task.deadline >= lo, Task.deadline < hi),
    )


def _corrections(frm: date, to: date, scope: Unit | None, assigned_by_id: int | None) -> _AnySelect:
    """Per (lead, assigning unit, the lead's lft): the counts as of `to` minus the counts as of `frm`, from the
    tasks dated between."""
    at_to, at_frm = category_at(to), category_at(frm)
    deltas = [
        func.sum(case((at_to == i, 1), else_=0) - case((at_frm == i, 1), else_=0)).label(name)
        for i, name in enumerate(TALLY_COLUMNS)
    ]
    assigner = func.coalesce(Task.assigned_by_id, NO_ASSIGNER)
    stmt = (
        select(Task.lead_unit_id, assigner.label("assigned_by_id"), Unit.lft.label("lead_lft"), *deltas)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .where(_dated_between(min(frm, to), max(frm, to)))
    )
    if assigned_by_id is not None:
        stmt = stmt.where(Task.assigned_by_id == assigned_by_id)
    if scope is not None:
        stmt = stmt.where(Unit.lft.between(scope.lft, scope.rgt))
    return stmt.group_by(Task.lead_unit_id, assigner, Unit.lft)


def add(into: Counts, key: tuple[int, int], values: Sequence[int | None]) -> None:
    """Add `values` into the counts at `key`."""
    acc = into.get(key)
    if acc is None:
        into[key] = [int(v or 0) for v in values]
    else:
        for i, v in enumerate(values):
            acc[i] += int(v or 0)


_MARKER, _LEAD, _SUBUNIT = 0, 1, 2  # what a row of `_read` is keyed by


def _read(session: Session, parts: Callable[[date], list[_AnySelect]]) -> tuple[Counts, Counts]:
    """({(lead unit, assigning unit): counts}, {(direct sub-unit, assigning unit): counts}) from the statements
    `parts(pivot)` builds (each row: kind, key, assigning unit, the TALLY_COLUMNS), summed.

    One statement reads the tally and its corrections, so on PostgreSQL (a snapshot per statement) a change
    committed meanwhile is in both or in neither; a marker row proves the pivot did not move in between."""
    while True:
        at = pivot(session)
        marker = select(literal(_MARKER), literal(-1), literal(-1), *[literal(0) for _ in TALLY_COLUMNS]).where(
            TaskTallyState.id == 1, TaskTallyState.pivot == at
        )
        leads: Counts = {}
        subunits: Counts = {}
        seen_marker = False
        rows: Sequence[Any] = session.connection().execute(union_all(marker, *parts(at))).all()
        for row in rows:
            kind, key, by, values = int(row[0]), int(row[1]), int(row[2]), list(row[3:])
            if kind == _MARKER:
                seen_marker = True
            else:
                add(leads if kind == _LEAD else subunits, (key, by), values)
        if seen_marker:  # else the pivot moved between the two reads: read again at the new one
            return leads, subunits


def _tally_rows(scope: Unit | None, assigned_by_id: int | None) -> _AnySelect:
    stmt = select(
        literal(_LEAD),
        TaskTally.lead_unit_id,
        TaskTally.assigned_by_id,
        *[getattr(TaskTally, c) for c in TALLY_COLUMNS],
    )
    if assigned_by_id is not None:
        stmt = stmt.where(TaskTally.assigned_by_id == assigned_by_id)
    if scope is not None:
        stmt = stmt.where(TaskTally.lead_lft.between(scope.lft, scope.rgt))
    return stmt


def _corrected(at: date, as_of: date, scope: Unit | None, assigned_by_id: int | None) -> list[_AnySelect]:
    if at == as_of:
        return []
    d = _corrections(at, as_of, scope, assigned_by_id).subquery()
    return [select(literal(_LEAD), d.c.lead_unit_id, d.c.assigned_by_id, *[d.c[c] for c in TALLY_COLUMNS])]


def counts(session: Session, as_of: date, *, scope: Unit | None = None, assigned_by_id: int | None = None) -> Counts:
    """The counts as of `as_of` per (lead unit, assigning unit), for lead units in the subtree of `scope` (None:
    all) and tasks assigned by `assigned_by_id` (None: any). Pairs with nothing counted are left out."""
    leads, _ = _read(
        session,
        lambda at: [_tally_rows(scope, assigned_by_id), *_corrected(at, as_of, scope, assigned_by_id)],
    )
    return {k: v for k, v in leads.items() if any(v[:LATER])}


def subtree_counts(session: Session, unit: Unit, as_of: date) -> tuple[Counts, Counts]:
    """The counts of `unit`'s subtree as of `as_of`, for a summary by direct sub-unit: ({(direct sub-unit id,
    assigning unit): counts of the sub-unit's whole subtree}, {(`unit`'s id, assigning unit): counts of its own
    tasks}). Summed in SQL per sub-unit, tally and corrections alike (no row per lead unit reaches Python):
    work per unit, not per task. LATER is left in; pairs are not filtered (a sum can be 0)."""
    child = aliased(Unit)

    def per_subunit(src: FromClause) -> _AnySelect:
        # Each sub-unit's rows are one range of the lead units' lft: an index range, no join per lead unit.
        return (
            select(literal(_SUBUNIT), child.id, src.c.assigned_by_id, *[func.sum(src.c[c]) for c in TALLY_COLUMNS])
            .select_from(child)
            .join(src, src.c.lead_lft.between(child.lft, child.rgt))
            .where(child.parent_id == unit.id)
            .group_by(child.id, src.c.assigned_by_id)
        )

    def own(src: FromClause) -> _AnySelect:
        return select(
            literal(_LEAD), src.c.lead_unit_id, src.c.assigned_by_id, *[src.c[c] for c in TALLY_COLUMNS]
        ).where(src.c.lead_unit_id == unit.id)

    def parts(at: date) -> list[_AnySelect]:
        stored = TaskTally.__table__
        out = [per_subunit(stored), own(stored)]
        if at != as_of:
            scope = unit if unit.parent_id is not None else None  # the whole tree needs no range join
            corrections = _corrections(at, as_of, scope, None).cte("corrections")
            out += [per_subunit(corrections), own(corrections)]
        return out

    leads, subunits = _read(session, parts)
    return subunits, leads


def advance(session: Session, today: date) -> bool:
    """Move the pivot forward to `today` (never back), correcting the tally by the tasks dated in between; in
    the caller's transaction. A no-op (one read) when the pivot is already there or a task writer is busy on
    PostgreSQL; True when it moved.

    Rolling forward once a day keeps every summary for today a read of the tally alone."""
    at = pivot(session)
    if at >= today:
        return False
    # The state row first: on PostgreSQL task writers hold it FOR SHARE (their triggers) until they commit;
    # holding it, this sees every change made against `at` and holds off new ones. A writer still busy (a long
    # import) leaves the pivot where it is for now: the caller's summary stays exact, only less cheap.
    locked = session.execute(
        select(TaskTallyState.id)
        .where(TaskTallyState.id == 1, TaskTallyState.pivot == at)
        .with_for_update(skip_locked=True)
    ).first()
    if locked is None:
        return False
    moved = session.execute(
        update(TaskTallyState)
        .where(TaskTallyState.id == 1, TaskTallyState.pivot == at)
        .values(pivot=today)
        .execution_options(synchronize_session=False)
    )
    if getattr(moved, "rowcount", 0) != 1:  # another process moved it meanwhile (SQLite takes no row lock)
        return False
    rows = [
        {
            "lead_unit_id": lead,
            "assigned_by_id": by,
            "lead_lft": lft,
            **{c: int(v or 0) for c, v in zip(TALLY_COLUMNS, values, strict=True)},
        }
        for lead, by, lft, *values in session.execute(_corrections(at, today, None, None))
    ]
    rows = [r for r in rows if any(r[c] for c in TALLY_COLUMNS)]
    if rows:
        dialect = session.get_bind().dialect.name
        upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = upsert(TaskTally)
        stmt = stmt.on_conflict_do_update(
            index_elements=["lead_unit_id", "assigned_by_id"],
            set_={c: getattr(TaskTally, c) + getattr(stmt.excluded, c) for c in TALLY_COLUMNS},
        )
        # Lock order by key, as the triggers do, so two writers never wait for each other in a circle.
        session.execute(stmt, sorted(rows, key=lambda r: (r["lead_unit_id"], r["assigned_by_id"])))
    return True


def rebuild(session: Session) -> None:
    """Recount the tally from the tasks at its pivot (a repair; the triggers keep it otherwise)."""
    at = pivot(session)
    cat = category_at(at)
    assigner = func.coalesce(Task.assigned_by_id, NO_ASSIGNER)
    session.execute(delete(TaskTally))
    sums = [func.sum(case((cat == i, 1), else_=0)) for i in range(len(TALLY_COLUMNS))]
    grouped = (
        select(Task.lead_unit_id, assigner, Unit.lft, *sums)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .group_by(Task.lead_unit_id, assigner, Unit.lft)
    )
    columns = ["lead_unit_id", "assigned_by_id", "lead_lft", *TALLY_COLUMNS]
    session.execute(insert(TaskTally).from_select(columns, grouped))


def stored(session: Session) -> Counts:
    """The tally as stored (at its pivot), for checks."""
    cols = [getattr(TaskTally, c) for c in TALLY_COLUMNS]
    return {
        (lead, by): [int(v) for v in values]
        for lead, by, *values in session.execute(select(TaskTally.lead_unit_id, TaskTally.assigned_by_id, *cols))
        if any(values)
    }
