"""The task tally (db/tally.py) against the full scanning query, on SQLite and PostgreSQL.

Random sequences of imports, re-imports, done updates, direct edits, bulk inserts, deletes and pivot moves;
after each, the summaries read from the tally equal the summaries that scan every task, for many as-of
dates (at the pivot, near it, far before and after), for the whole tree, a province, a commune, what a
committee assigned (with and without a unit scope), and the assigning units behind each row.
"""

from __future__ import annotations

import csv
import random
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update

from db import tally
from db.bulk import bulk_insert
from db.demo import REPORT_DATE
from db.errors import ImportRejected
from db.importer import import_tasks
from db.models import Task, TaskStatus, TaskTally, TaskTallyState, Unit, UnitKind
from db.queries import overdue_summary, summary_assigners
from db.session import Database, upgrade
from db.task_updates import mark_done
from db.units import renumber

START = date(2025, 1, 1)
SPAN = 540  # days of dates the random tasks draw from


def _day(rng: random.Random) -> date:
    return START + timedelta(days=rng.randrange(SPAN))


@pytest.fixture
def units(database: Database) -> list[str]:
    """ROOT → 3 provinces → 3 communes each, the first commune of each with 2 hamlets."""
    codes = ["ROOT"]
    with database.session() as s:
        root = Unit(code="ROOT", name="Ban Chỉ đạo", kind=UnitKind.CENTRAL)
        s.add(root)
        for p in range(3):
            prov = Unit(code=f"P{p}", name=f"Tỉnh {p}", kind=UnitKind.PROVINCE, parent=root)
            s.add(prov)
            codes.append(prov.code)
            for c in range(3):
                commune = Unit(code=f"P{p}C{c}", name=f"Xã {p}.{c}", kind=UnitKind.COMMUNE, parent=prov)
                s.add(commune)
                codes.append(commune.code)
                if c == 0:
                    for h in range(2):
                        s.add(Unit(code=f"P{p}C{c}H{h}", name=f"Thôn {h}", kind=UnitKind.OTHER, parent=commune))
                        codes.append(f"P{p}C{c}H{h}")
        s.flush()
        renumber(s)
    return codes


def _write_import(path: Path, rng: random.Random, units: list[str], codes: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["code", "title", "lead_unit", "assigned_by", "assigned_on", "deadline", "status", "completed_on"])
        for code in codes:
            deadline = "" if rng.random() < 0.15 else _day(rng).isoformat()
            done = rng.random() < 0.45
            w.writerow(
                [
                    code,
                    f"Nhiệm vụ {code}",
                    rng.choice(units),
                    "" if rng.random() < 0.2 else rng.choice(units[:4]),
                    "" if rng.random() < 0.1 else _day(rng).isoformat(),
                    deadline,
                    "done" if done else "open",
                    _day(rng).isoformat() if done else "",
                ]
            )


def _as_of_dates(rng: random.Random, at: date) -> list[date]:
    return [
        at,
        at - timedelta(days=1),
        at + timedelta(days=1),
        at + timedelta(days=rng.randrange(1, 60)),
        at - timedelta(days=rng.randrange(1, 400)),
        _day(rng),
        date(2024, 6, 1),  # before every task's dates
        date(2027, 1, 1),  # after them
    ]


def _assert_same(database: Database, rng: random.Random, units: list[str]) -> None:
    with database.session() as s:
        at = tally.pivot(s)
        # The stored tally is what an independent count of the tasks at its pivot gives.
        expected: dict[tuple[int, int], Counter[int]] = {}
        for t in s.scalars(select(Task)):
            expected.setdefault((t.lead_unit_id, t.assigned_by_id or 0), Counter())[_category(t, at)] += 1
        stored = tally.stored(s)
        lfts = {uid: lft for uid, lft in s.execute(select(Unit.id, Unit.lft))}
        assert all(lfts[r.lead_unit_id] == r.lead_lft for r in s.scalars(select(TaskTally)))
        assert stored == {
            k: [c[i] for i in range(len(tally.TALLY_COLUMNS))] for k, c in expected.items() if sum(c.values())
        }
        for as_of in _as_of_dates(rng, at):
            views = [
                {"unit_code": None},
                {"unit_code": rng.choice(units[1:4])},
                {"unit_code": rng.choice(units[4:])},
                {"assigned_by": rng.choice(units[:4])},
                {"assigned_by": "ROOT", "unit_code": rng.choice(units[1:4])},
            ]
            for view in views:
                fast = overdue_summary(s, as_of=as_of, **view)  # type: ignore[arg-type]
                full = overdue_summary(s, as_of=as_of, scan=True, **view)  # type: ignore[arg-type]
                assert fast.as_dict() == full.as_dict(), (as_of, view)
                assert summary_assigners(s, fast) == summary_assigners(s, full, scan=True), (as_of, view)


def _category(t: Task, at: date) -> int:
    """An independent Python oracle for the tally's category codes."""
    if t.assigned_on is not None and t.assigned_on > at:
        return 5
    if t.deadline is None:
        return 4
    if t.completed_on is not None and t.completed_on <= at:
        return 0 if t.completed_on <= t.deadline else 1
    return 2 if t.deadline >= at else 3


@pytest.mark.parametrize("seed", [1, 2])
def test_tally_equals_the_full_count_after_random_changes(
    database: Database, units: list[str], tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    if seed == 2:  # every as-of date through the tally and its corrections, however far from the pivot
        monkeypatch.setattr(tally, "NEAR_DAYS", 100_000)
    with database.session() as s:  # a pivot among the tasks' dates, where the categories change
        s.execute(update(TaskTallyState).values(pivot=_day(rng)))
    pool = [f"T-{i:04d}" for i in range(160)]
    extra = 0
    kinds = ["import", "done", "edit", "bulk", "delete", "advance", "move"]
    # Every kind of change at least once, in a random order, then a few more.
    ops = ["import", *rng.sample(kinds, len(kinds)), *rng.choices(kinds, k=3)]
    for step, op in enumerate(ops):
        with database.session() as s:
            if op == "import":  # new codes and re-imports of existing ones, in one file
                path = tmp_path / f"import-{step}.csv"
                _write_import(path, rng, units, rng.sample(pool, rng.randrange(20, 90)))
                import_tasks(s, path)
            elif op == "done":
                open_ids = s.scalars(select(Task.id).where(Task.status == TaskStatus.OPEN)).all()
                for task_id in rng.sample(list(open_ids), min(8, len(open_ids))):
                    mark_done(s, task_id, official_id=None, on=_day(rng))
            elif op == "edit":  # ad-hoc changes outside the importer: the triggers see them too
                ids = s.scalars(select(Task.id)).all()
                for task_id in rng.sample(list(ids), min(6, len(ids))):
                    s.execute(
                        update(Task)
                        .where(Task.id == task_id)
                        .values(
                            deadline=_day(rng),
                            lead_unit_id=select(Unit.id).where(Unit.code == rng.choice(units)).scalar_subquery(),
                        )
                    )
            elif op == "bulk":  # db/bulk.py: COPY on PostgreSQL, executemany on SQLite
                unit_ids = {code: uid for code, uid in s.execute(select(Unit.code, Unit.id))}
                rows = []
                for _ in range(rng.randrange(5, 40)):
                    extra += 1
                    done = rng.random() < 0.5
                    rows.append(
                        {
                            "code": f"B-{extra:05d}",
                            "title": "Nhiệm vụ nhập khối",
                            "lead_unit_id": unit_ids[rng.choice(units)],
                            "assigned_by_id": unit_ids[rng.choice(units[:4])],
                            "assigned_on": _day(rng),
                            "deadline": None if rng.random() < 0.1 else _day(rng),
                            "status": TaskStatus.DONE if done else TaskStatus.OPEN,
                            "completed_on": _day(rng) if done else None,
                            "cooperating": [],
                        }
                    )
                bulk_insert(s, Task.__table__, rows)  # type: ignore[arg-type]
            elif op == "delete":
                codes = s.scalars(select(Task.code)).all()
                s.execute(delete(Task).where(Task.code.in_(rng.sample(list(codes), min(15, len(codes))))))
            elif op == "move":  # a commune moves to another province: renumbered, its subtree's range moves
                commune = s.scalars(
                    select(Unit).where(Unit.code == rng.choice([u for u in units if len(u) == 4]))
                ).one()
                commune.parent_id = s.scalars(select(Unit.id).where(Unit.code == rng.choice(units[1:4]))).one()
                s.flush()
                renumber(s)
            else:
                tally.advance(s, tally.pivot(s) + timedelta(days=rng.randrange(1, 90)))
        _assert_same(database, rng, units)


def test_the_pivot_moves_forward_only_and_keeps_the_counts(
    database: Database, units: list[str], tmp_path: Path
) -> None:
    rng = random.Random(7)
    path = tmp_path / "tasks.csv"
    _write_import(path, rng, units, [f"T-{i:03d}" for i in range(120)])
    with database.session() as s:
        import_tasks(s, path)
        tally.rebuild(s)
        first = tally.pivot(s)
        before = {d: overdue_summary(s, as_of=d).as_dict() for d in _as_of_dates(rng, first)}
        assert tally.advance(s, first - timedelta(days=30)) is False and tally.pivot(s) == first
        assert tally.advance(s, first + timedelta(days=45)) is True and tally.pivot(s) == first + timedelta(days=45)
        assert tally.advance(s, first + timedelta(days=45)) is False
        assert {d: overdue_summary(s, as_of=d).as_dict() for d in before} == before
    _assert_same(database, rng, units)


def test_a_rolled_back_change_leaves_the_tally_as_it_was(database: Database, units: list[str], tmp_path: Path) -> None:
    rng = random.Random(3)
    path = tmp_path / "tasks.csv"
    _write_import(path, rng, units, [f"T-{i:03d}" for i in range(60)])
    with database.session() as s:
        import_tasks(s, path)
    with database.session() as s:
        kept = tally.stored(s)
    _write_import(path, rng, units, [f"T-{i:03d}" for i in range(30, 100)])
    with pytest.raises(ImportRejected), database.session() as s:
        import_tasks(s, path)  # written, then the transaction is abandoned
        assert tally.stored(s) != kept
        raise ImportRejected([])
    with database.session() as s:
        assert tally.stored(s) == kept


def test_the_published_figures_come_from_the_tally(demo_db: Database) -> None:
    """1287 / 601 / 404 / 104 / 178 for BCDTW as of 2025-12-04, at the pivot and far from it."""
    with demo_db.session() as s:
        for pivot in (tally.pivot(s), REPORT_DATE):
            if pivot > tally.pivot(s):
                tally.advance(s, pivot)
            t = overdue_summary(s, assigned_by="BCDTW", as_of=REPORT_DATE).total
            assert (t.assigned, t.done, t.in_progress, t.overdue, t.recurring) == (1287, 601, 404, 104, 178)
        # A leader's units include sub-units: Hà Nội's summary counts its communes' tasks.
        hn = overdue_summary(s, "HN", as_of=REPORT_DATE)
        assert hn.as_dict() == overdue_summary(s, "HN", as_of=REPORT_DATE, scan=True).as_dict()
        assert hn.total.assigned > 0 and len(hn.rows) > 1


def test_the_pivot_and_task_writers_on_postgresql(database: Database, units: list[str], tmp_path: Path) -> None:
    """Task writers hold the pivot (their triggers take the state row FOR SHARE) until they commit: moving it
    meanwhile is put off (the summary stays exact), and a writer that comes while it moves waits, then counts
    its change against the new pivot."""
    if database.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: nothing can interleave")
    rng = random.Random(5)
    path = tmp_path / "tasks.csv"
    _write_import(path, rng, units, [f"T-{i:03d}" for i in range(80)])
    with database.session() as s:
        import_tasks(s, path)
        start = tally.pivot(s)
    wrote, release = threading.Event(), threading.Event()

    def writer(codes: range, name: str) -> None:
        with database.session() as s:
            _write_import(tmp_path / name, random.Random(name), units, [f"T-{i:03d}" for i in codes])
            import_tasks(s, tmp_path / name)
            wrote.set()
            release.wait(30)

    busy = threading.Thread(target=writer, args=(range(40, 140), "more.csv"))
    busy.start()
    assert wrote.wait(30)
    with database.session() as s:
        assert tally.advance(s, start + timedelta(days=100)) is False and tally.pivot(s) == start
    release.set()
    busy.join(30)
    _assert_same(database, rng, units)

    def waiting_for_a_lock() -> int:
        with database.session() as s:
            return int(
                s.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    )
                )
                or 0
            )

    with database.session() as s:
        assert tally.advance(s, start + timedelta(days=200)) is True
        late = threading.Thread(target=writer, args=(range(100, 200), "late.csv"))
        late.start()
        deadline = time.monotonic() + 30
        while not waiting_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_for_a_lock() == 1  # the late writer waits for the pivot to move
    late.join(30)
    with database.session() as s:
        assert tally.pivot(s) == start + timedelta(days=200)
    _assert_same(database, rng, units)


def test_the_migration_fills_the_tally_from_existing_tasks(blank_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks written before 0006_counts (no tally yet) are counted by the upgrade itself."""
    monkeypatch.setattr(tally, "NEAR_DAYS", 100_000)  # every date through the tally
    from alembic import command

    from db.session import _alembic_config

    db = Database(blank_url, check=False)
    cfg = _alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003_org")
    rng = random.Random(11)
    with db.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO unit (id, code, name, kind, lft, rgt, depth) VALUES (1, 'ROOT', 'R', 'central', 1, 6, 0)")
        )
        for uid, code in ((2, "A"), (3, "B")):
            lft = 2 if uid == 2 else 4
            conn.execute(
                text(
                    "INSERT INTO unit (id, code, name, kind, parent_id, lft, rgt, depth) VALUES (:i, :c, :c, 'province', 1, :l, :r, 1)"
                ),
                {"i": uid, "c": code, "l": lft, "r": lft + 1},
            )
        for i in range(200):
            done = rng.random() < 0.5
            conn.execute(
                text(
                    "INSERT INTO task (code, title, lead_unit_id, assigned_by_id, cooperating, assigned_on, deadline, "
                    "status, completed_on, updated_at) VALUES (:code, 't', :lead, :by, '[]', :a, :d, :s, :c, :u)"
                ),
                {
                    "code": f"OLD-{i:03d}",
                    "lead": rng.choice([1, 2, 3]),
                    "by": rng.choice([None, 1, 2]),
                    "a": _day(rng),
                    "d": None if rng.random() < 0.1 else _day(rng),
                    "s": "done" if done else "open",
                    "c": _day(rng) if done else None,
                    "u": datetime.now(UTC),
                },
            )
    upgrade(db.engine)
    with db.session() as s:
        assert sum(sum(v) for v in tally.stored(s).values()) == 200
        for as_of in (tally.pivot(s), date(2025, 6, 1), date(2025, 12, 31)):
            for view in ({}, {"unit_code": "A"}, {"assigned_by": "ROOT"}):
                fast = overdue_summary(s, as_of=as_of, **view)  # type: ignore[arg-type]
                assert fast.as_dict() == overdue_summary(s, as_of=as_of, scan=True, **view).as_dict()  # type: ignore[arg-type]
    db.dispose()
