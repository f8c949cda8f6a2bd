"""Task queries: the monitoring classification, due/overdue lists and overdue summaries.

All counting happens in SQL: `task_class(as_of)` is one CASE expression that both
databases evaluate, and the summaries are GROUP BY queries over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from db.models import Task, TaskClass, Unit
from db.units import get_unit, root_unit


def task_class(as_of: date) -> ColumnElement[str]:
    """The category of a task as of a date (a task completed after `as_of` was still open then)."""
    done_by = and_(Task.completed_on.is_not(None), Task.completed_on <= as_of)
    return case(
        (Task.deadline.is_(None), TaskClass.RECURRING.value),
        (and_(done_by, Task.completed_on <= Task.deadline), TaskClass.DONE_ON_TIME.value),
        (done_by, TaskClass.DONE_LATE.value),
        (Task.deadline >= as_of, TaskClass.IN_PROGRESS.value),
        else_=TaskClass.OVERDUE.value,
    )


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

    def days_late(self, as_of: date) -> int:
        return (as_of - self.deadline).days if self.deadline else 0


def _task_list(session: Session, unit_code: str, include_subunits: bool) -> Select[Task, Unit]:
    unit = get_unit(session, unit_code)
    stmt = select(Task, Unit).join(Unit, Unit.id == Task.lead_unit_id)
    if include_subunits:
        return stmt.where(Unit.lft.between(unit.lft, unit.rgt))
    return stmt.where(Task.lead_unit_id == unit.id)


def _views(rows: Any) -> list[TaskView]:
    return [
        TaskView(t.code, t.title, u.code, u.name, t.deadline, t.completed_on, t.source_symbol, t.source_section)
        for t, u in rows
    ]


def due_soon(
    session: Session, unit_code: str, days: int = 7, *, include_subunits: bool = False, as_of: date | None = None
) -> list[TaskView]:
    """Open tasks of the unit whose deadline falls within the next `days` days (today included)."""
    as_of = as_of or date.today()
    stmt = _task_list(session, unit_code, include_subunits).where(
        open_then(as_of), Task.deadline.between(as_of, as_of + timedelta(days=days))
    )
    return _views(session.execute(stmt.order_by(Task.deadline, Task.code)).all())


def overdue(
    session: Session, unit_code: str, *, include_subunits: bool = False, as_of: date | None = None
) -> list[TaskView]:
    """Open tasks of the unit whose deadline has passed, oldest deadline first."""
    as_of = as_of or date.today()
    stmt = _task_list(session, unit_code, include_subunits).where(
        open_then(as_of), Task.deadline < as_of, assigned_by_then(as_of)
    )
    return _views(session.execute(stmt.order_by(Task.deadline, Task.code)).all())


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

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def pct_done(self) -> float:
        return round(100.0 * self.done / self.assigned, 1) if self.assigned else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit_code,
            "name": self.unit_name,
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


_COUNTS = [c.value for c in TaskClass]


def _count_columns(as_of: date) -> list[Any]:
    cls = task_class(as_of)
    return [func.count().label("assigned")] + [
        func.sum(case((cls == name, 1), else_=0)).label(name) for name in _COUNTS
    ]


def _fill(row: SummaryRow, counts: tuple[int | None, ...]) -> SummaryRow:
    row.assigned = int(counts[0] or 0)
    for name, value in zip(_COUNTS, counts[1:], strict=True):
        setattr(row, name, int(value or 0))
    return row


def _worst_first(rows: list[SummaryRow]) -> list[SummaryRow]:
    return sorted(rows, key=lambda r: (-r.overdue, r.pct_done, -r.assigned, r.unit_code))


def overdue_summary(
    session: Session,
    unit_code: str | None = None,
    *,
    assigned_by: str | None = None,
    as_of: date | None = None,
) -> Summary:
    """The monitoring table, worst units first.

    - `assigned_by=X`: what committee X has assigned, one row per receiving (lead) unit;
      with `unit_code` too, only receivers inside that unit's subtree.
    - otherwise: what the subtree of `unit_code` (default: the root) must deliver, one row per
      direct sub-unit (its whole subtree), plus a row for tasks led by the unit itself.
    """
    as_of = as_of or date.today()
    counts = _count_columns(as_of)
    if assigned_by:
        committee = get_unit(session, assigned_by)
        scope = get_unit(session, unit_code) if unit_code else None
        lead = aliased(Unit)
        stmt = (
            select(lead.code, lead.name, *counts)
            .select_from(Task)
            .join(lead, lead.id == Task.lead_unit_id)
            .where(Task.assigned_by_id == committee.id, assigned_by_then(as_of))
            .group_by(lead.code, lead.name)
        )
        if scope is not None:
            stmt = stmt.where(lead.lft.between(scope.lft, scope.rgt))
        rows = [_fill(SummaryRow(code, name), tuple(c)) for code, name, *c in session.execute(stmt)]
        summary = Summary(committee.code, committee.name, "assigned_by", as_of)
    else:
        unit = get_unit(session, unit_code) if unit_code else root_unit(session)
        lead, child = aliased(Unit), aliased(Unit)
        stmt = (
            select(child.code, child.name, *counts)
            .select_from(child)
            .join(lead, lead.lft.between(child.lft, child.rgt))
            .join(Task, Task.lead_unit_id == lead.id)
            .where(child.parent_id == unit.id, assigned_by_then(as_of))
            .group_by(child.code, child.name)
        )
        rows = [_fill(SummaryRow(code, name), tuple(c)) for code, name, *c in session.execute(stmt)]
        own = session.execute(
            select(*counts).where(Task.lead_unit_id == unit.id, assigned_by_then(as_of))
        ).one()
        if own[0]:
            rows.append(_fill(SummaryRow(unit.code, f"{unit.name} (trực tiếp)"), tuple(own)))
        summary = Summary(unit.code, unit.name, "subtree", as_of)
    summary.rows = _worst_first(rows)
    total = SummaryRow("TONG", "Tổng cộng")
    for name in ["assigned", *_COUNTS]:
        setattr(total, name, sum(getattr(r, name) for r in summary.rows))
    summary.total = total
    return summary
