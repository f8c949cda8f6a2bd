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

from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import Task, TaskTally, TaskTallyState, Unit

# The tally's columns in category-code order; the first five are db.queries' _COUNTS order.
TALLY_COLUMNS = ("done_on_time", "done_late", "in_progress", "overdue", "recurring", "later")
LATER = 5  # assigned after the date: not counted in any category yet
NO_ASSIGNER = 0  # the tally's assigning unit for tasks that have none (a key column cannot be NULL)

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


def _dated_between(lo: date, hi: date) -> ColumnElement[bool]:
    """Tasks whose category can differ between `lo` and `hi` (lo < hi): a date of theirs lies between."""
    return or_(
        and_(Task.assigned_on > lo, Task.assigned_on <= hi),
        and_(Task.completed_on > lo, Task.completed_on <= hi),
        and_(Task.deadline >= lo, Task.deadline < hi),
    )


def _corrections(
    frm: date, to: date, scope: Unit | None, assigned_by_id: int | None
) -> Select[tuple[int, int, int, int, int, int, int, int]]:
    """Per (lead, assigning unit): the counts as of `to` minus the counts as of `frm`, from the tasks dated between."""
    at_to, at_frm = category_at(to), category_at(frm)
    deltas = [
        func.sum(case((at_to == i, 1), else_=0) - case((at_frm == i, 1), else_=0)).label(name)
        for i, name in enumerate(TALLY_COLUMNS)
    ]
    assigner = func.coalesce(Task.assigned_by_id, NO_ASSIGNER)
    stmt = select(Task.lead_unit_id, assigner.label("assigned_by_id"), *deltas).where(
        _dated_between(min(frm, to), max(frm, to))
    )
    if assigned_by_id is not None:
        stmt = stmt.where(Task.assigned_by_id == assigned_by_id)
    if scope is not None:
        stmt = stmt.join(Unit, Unit.id == Task.lead_unit_id).where(Unit.lft.between(scope.lft, scope.rgt))
    return stmt.group_by(Task.lead_unit_id, assigner)


def counts(session: Session, as_of: date, *, scope: Unit | None = None, assigned_by_id: int | None = None) -> Counts:
    """The counts as of `as_of` per (lead unit, assigning unit), for lead units in the subtree of `scope` (None:
    all) and tasks assigned by `assigned_by_id` (None: any). Pairs with nothing counted are left out.

    One statement reads the tally and its corrections, so on PostgreSQL (a snapshot per statement) a change
    committed meanwhile is in both or in neither; a marker row proves the pivot did not move in between."""
    while True:
        at = pivot(session)
        marker = select(literal(-1), literal(-1), *[literal(0) for _ in TALLY_COLUMNS]).where(
            TaskTallyState.id == 1, TaskTallyState.pivot == at
        )
        tally = select(
            TaskTally.lead_unit_id, TaskTally.assigned_by_id, *[getattr(TaskTally, c) for c in TALLY_COLUMNS]
        )
        if assigned_by_id is not None:
            tally = tally.where(TaskTally.assigned_by_id == assigned_by_id)
        if scope is not None:
            tally = tally.join(Unit, Unit.id == TaskTally.lead_unit_id).where(Unit.lft.between(scope.lft, scope.rgt))
        parts = [marker, tally] + ([_corrections(at, as_of, scope, assigned_by_id)] if as_of != at else [])
        rows = session.connection().execute(union_all(*parts)).all()
        out: Counts = {}
        seen_marker = False
        for lead, by, *values in rows:
            if lead == -1:
                seen_marker = True
                continue
            key = (lead, by)
            acc = out.get(key)
            if acc is None:
                out[key] = [int(v or 0) for v in values]
            else:
                for i, v in enumerate(values):
                    acc[i] += int(v or 0)
        if seen_marker:  # else the pivot moved between the two reads: read again at the new one
            return {k: v for k, v in out.items() if any(v[:LATER])}


def advance(session: Session, today: date) -> bool:
    """Move the pivot forward to `today` (never back), correcting the tally by the tasks dated in between; in
    the caller's transaction. A no-op (one read) when the pivot is already there; True when it moved.

    Rolling forward once a day keeps every summary for today a read of the tally alone."""
    at = pivot(session)
    if at >= today:
        return False
    # The update takes the state row first: on PostgreSQL it waits for task writers (their triggers hold the
    # row FOR SHARE) and holds off new ones, so the corrections below see every change made against `at`.
    moved = session.execute(
        update(TaskTallyState)
        .where(TaskTallyState.id == 1, TaskTallyState.pivot == at)
        .values(pivot=today)
        .execution_options(synchronize_session=False)
    )
    if getattr(moved, "rowcount", 0) != 1:  # another process moved it meanwhile
        return False
    rows = [
        {
            "lead_unit_id": lead,
            "assigned_by_id": by,
            **{c: int(v or 0) for c, v in zip(TALLY_COLUMNS, values, strict=True)},
        }
        for lead, by, *values in session.execute(_corrections(at, today, None, None))
    ]
    rows = [r for r in rows if any(r[c] for c in TALLY_COLUMNS)]
    if rows:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(TaskTally)
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
    session.execute(TaskTally.__table__.delete())
    sums = [func.sum(case((cat == i, 1), else_=0)) for i in range(len(TALLY_COLUMNS))]
    grouped = select(Task.lead_unit_id, assigner, *sums).group_by(Task.lead_unit_id, assigner)
    session.execute(
        TaskTally.__table__.insert().from_select(["lead_unit_id", "assigned_by_id", *TALLY_COLUMNS], grouped)
    )


def stored(session: Session) -> Counts:
    """The tally as stored (at its pivot), for checks."""
    cols = [getattr(TaskTally, c) for c in TALLY_COLUMNS]
    return {
        (lead, by): [int(v) for v in values]
        for lead, by, *values in session.execute(select(TaskTally.lead_unit_id, TaskTally.assigned_by_id, *cols))
        if any(values)
    }
