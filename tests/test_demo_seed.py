from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from db.demo import seed_demo
from db.models import Task, Unit
from db.session import Database


def _snapshot(db: Database) -> list[tuple[object, ...]]:
    with db.session() as s:
        rows = s.execute(
            select(Task.code, Task.title, Task.deadline, Task.completed_on, Unit.code)
            .join(Unit, Unit.id == Task.lead_unit_id)
            .order_by(Task.code)
        ).all()
    return [tuple(r) for r in rows]


def test_seed_is_deterministic_and_replaces_previous_data(database: Database) -> None:
    with database.session() as s:
        first = seed_demo(s)
    snap1 = _snapshot(database)
    with database.session() as s:
        second = seed_demo(s)
    assert first == second
    assert _snapshot(database) == snap1
    assert len(snap1) == first.tasks


def test_scale_option_adds_units_and_exactly_n_tasks(database: Database) -> None:
    with database.session() as s:
        report = seed_demo(s, tasks=15_000)
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == 15_000 == report.tasks
        units = s.scalar(select(func.count()).select_from(Unit))
        assert units == report.units and units > 500
        # Nested-set bounds are consistent: every unit lies strictly inside its parent's range.
        parent = aliased(Unit)
        bad = s.scalar(
            select(func.count())
            .select_from(Unit)
            .join(parent, parent.id == Unit.parent_id)
            .where((Unit.lft <= parent.lft) | (Unit.rgt >= parent.rgt) | (Unit.depth != parent.depth + 1))
        )
        assert bad == 0
