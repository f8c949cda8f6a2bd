"""Classification, due/overdue lists and summaries, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from db.demo import REPORT, REPORT_DATE
from db.errors import UnknownUnit
from db.models import Task, TaskClass, TaskStatus, Unit, UnitKind
from db.queries import due_soon, overdue, overdue_summary, summary_assigners, task_class
from db.session import Database
from db.units import renumber

AS_OF = date(2025, 6, 1)


def classify(t: Task, as_of: date) -> str:
    """An independent Python oracle for the SQL CASE expression."""
    if t.deadline is None:
        return "recurring"
    if t.completed_on is not None and t.completed_on <= as_of:
        return "done_on_time" if t.completed_on <= t.deadline else "done_late"
    return "in_progress" if t.deadline >= as_of else "overdue"


@pytest.fixture
def tree(database: Database) -> Database:
    """PROV → (COMMUNE_A, COMMUNE_B → HAMLET); MIN beside it; tasks of every category."""
    with database.session() as s:
        root = Unit(code="ROOT", name="Ban Chỉ đạo", kind=UnitKind.CENTRAL)
        prov = Unit(code="PROV", name="Tỉnh A", kind=UnitKind.PROVINCE, parent=root)
        ca = Unit(code="CA", name="Xã A", kind=UnitKind.COMMUNE, parent=prov)
        cb = Unit(code="CB", name="Xã B", kind=UnitKind.COMMUNE, parent=prov)
        hamlet = Unit(code="HB1", name="Thôn B1", kind=UnitKind.OTHER, parent=cb)
        mini = Unit(code="MIN", name="Bộ X", kind=UnitKind.MINISTRY, parent=root)
        s.add_all([root, prov, ca, cb, hamlet, mini])
        s.flush()
        renumber(s)

        def task(
            code: str,
            unit: Unit,
            deadline: date | None,
            completed: date | None = None,
            by: Unit | None = None,
            assigned: date = date(2025, 1, 10),
        ) -> None:
            s.add(
                Task(
                    code=code,
                    title=f"Nhiệm vụ {code}",
                    lead_unit_id=unit.id,
                    assigned_by_id=(by or root).id,
                    deadline=deadline,
                    completed_on=completed,
                    assigned_on=assigned,
                    cooperating=[],
                    status=TaskStatus.DONE if completed else TaskStatus.OPEN,
                    source_symbol="57-NQ/TW",
                    source_section="Mục III › 1",
                )
            )

        task("A-ONTIME", ca, date(2025, 5, 1), date(2025, 4, 20))
        task("A-LATE", ca, date(2025, 4, 1), date(2025, 4, 15))
        task("A-OVERDUE", ca, date(2025, 5, 20))
        task("A-DUE3", ca, date(2025, 6, 3))
        task("A-DUE30", ca, date(2025, 7, 1))
        task("A-REC", ca, None)
        task("A-DONE-LATER", ca, date(2025, 5, 25), date(2025, 6, 10))  # overdue as of 1 June
        task("B-OVERDUE", cb, date(2025, 3, 1), by=prov)
        task("H-DUE", hamlet, date(2025, 6, 5), by=prov)
        task("P-OWN", prov, date(2025, 5, 30))
        task("M-ONTIME", mini, date(2025, 5, 1), date(2025, 5, 1))
        task("FUTURE", ca, date(2025, 9, 1), assigned=date(2025, 7, 1))  # not yet assigned on 1 June
    return database


def test_sql_classification_matches_python_oracle(tree: Database) -> None:
    with tree.session() as s:
        for as_of in (date(2025, 4, 10), AS_OF, date(2025, 6, 20)):
            rows = s.execute(select(Task, task_class(as_of))).all()
            assert rows
            for t, cls in rows:
                assert cls == classify(t, as_of), (t.code, as_of)
            assert {cls for _, cls in rows} <= {c.value for c in TaskClass}


def test_due_soon_and_overdue_for_one_unit_and_subtree(tree: Database) -> None:
    with tree.session() as s:
        assert [t.code for t in due_soon(s, "CA", 7, as_of=AS_OF)] == ["A-DUE3"]
        assert [t.code for t in due_soon(s, "CA", 45, as_of=AS_OF)] == ["A-DUE3", "A-DUE30"]
        assert [t.code for t in overdue(s, "CA", as_of=AS_OF)] == ["A-OVERDUE", "A-DONE-LATER"]
        # The subtree: the hamlet under commune B, the province's own task.
        assert [t.code for t in due_soon(s, "PROV", 7, include_subunits=True, as_of=AS_OF)] == ["A-DUE3", "H-DUE"]
        assert [t.code for t in overdue(s, "PROV", include_subunits=True, as_of=AS_OF)] == [
            "B-OVERDUE",
            "A-OVERDUE",
            "A-DONE-LATER",
            "P-OWN",
        ]
        assert overdue(s, "PROV", as_of=AS_OF)[0].code == "P-OWN"
        late = overdue(s, "CA", as_of=AS_OF)[0]
        assert late.days_late(AS_OF) == 12 and late.source_symbol == "57-NQ/TW"
        with pytest.raises(UnknownUnit, match="NOPE"):
            overdue(s, "NOPE")


def test_subtree_summary_has_a_row_per_direct_subunit_and_totals_that_add_up(tree: Database) -> None:
    with tree.session() as s:
        summary = overdue_summary(s, "PROV", as_of=AS_OF)
        by_code = {r.unit_code: r for r in summary.rows}
        assert set(by_code) == {"CA", "CB", "PROV"}
        ca, cb = by_code["CA"], by_code["CB"]
        assert (ca.assigned, ca.done_on_time, ca.done_late, ca.in_progress, ca.overdue, ca.recurring) == (
            7,
            1,
            1,
            2,
            2,
            1,
        )
        assert (cb.assigned, cb.overdue, cb.in_progress) == (2, 1, 1)  # the hamlet's task counts for B
        assert ca.pct_done == round(100 * 2 / 7, 1)
        for field in ("assigned", "done_on_time", "done_late", "in_progress", "overdue", "recurring"):
            assert getattr(summary.total, field) == sum(getattr(r, field) for r in summary.rows)
        assert summary.total.assigned == (
            summary.total.done_on_time
            + summary.total.done_late
            + summary.total.in_progress
            + summary.total.overdue
            + summary.total.recurring
        )
        # Worst first: most overdue, then lowest % done.
        assert summary.rows[0].unit_code == "CA"
        root = overdue_summary(s, None, as_of=AS_OF)
        assert root.unit_code == "ROOT" and {r.unit_code for r in root.rows} == {"PROV", "MIN"}
        assert root.total.assigned == 11  # FUTURE was not assigned yet


def test_the_units_own_row_is_marked_in_the_readers_language(tree: Database) -> None:
    from rich.console import Console

    from bot.render.text import summary_row_name, summary_table

    with tree.session() as s:
        summary = overdue_summary(s, "PROV", as_of=AS_OF)
    [own] = [r for r in summary.rows if r.own]
    assert (own.unit_code, own.unit_name) == ("PROV", "Tỉnh A")
    assert summary_row_name(own, "vi") == "Tỉnh A (trực tiếp)" and summary_row_name(own, "en") == "Tỉnh A (itself)"
    assert own.as_dict()["name"] == "Tỉnh A (trực tiếp)"  # --json keeps the name it always had
    console = Console(width=200, record=True)
    console.print(summary_table(summary, "en"))
    text = console.export_text()
    assert "Tỉnh A (itself)" in text and "trực tiếp" not in text


def test_assigned_by_view_counts_what_a_committee_assigned(tree: Database) -> None:
    with tree.session() as s:
        by_prov = overdue_summary(s, assigned_by="PROV", as_of=AS_OF)
        assert by_prov.view == "assigned_by"
        assert {r.unit_code: r.assigned for r in by_prov.rows} == {"CB": 1, "HB1": 1}
        by_root = overdue_summary(s, assigned_by="ROOT", as_of=AS_OF)
        assert by_root.total.assigned == 9
        scoped = overdue_summary(s, "PROV", assigned_by="ROOT", as_of=AS_OF)
        assert {r.unit_code for r in scoped.rows} == {"CA", "PROV"}


def test_lists_carry_the_assigning_unit_and_filter_by_it(tree: Database) -> None:
    with tree.session() as s:
        late = overdue(s, "PROV", include_subunits=True, as_of=AS_OF)
        assert {t.code: t.assigned_by_code for t in late} == {
            "B-OVERDUE": "PROV",
            "A-OVERDUE": "ROOT",
            "A-DONE-LATER": "ROOT",
            "P-OWN": "ROOT",
        }
        assert {t.assigned_by_name for t in late} == {"Tỉnh A", "Ban Chỉ đạo"}
        # What the province assigned, within its subtree or anywhere (no unit given).
        assert [t.code for t in overdue(s, "PROV", include_subunits=True, as_of=AS_OF, assigned_by="PROV")] == [
            "B-OVERDUE"
        ]
        assert [t.code for t in overdue(s, None, as_of=AS_OF, assigned_by="PROV")] == ["B-OVERDUE"]
        assert [t.code for t in due_soon(s, None, 30, as_of=AS_OF, assigned_by="PROV")] == ["H-DUE"]
        assert [t.code for t in due_soon(s, "PROV", 30, include_subunits=True, as_of=AS_OF, assigned_by="ROOT")] == [
            "A-DUE3",
            "A-DUE30",
        ]
        with pytest.raises(UnknownUnit, match="NOPE"):
            due_soon(s, None, 30, assigned_by="NOPE")


def test_summary_assigners_per_row(tree: Database) -> None:
    with tree.session() as s:
        prov = overdue_summary(s, "PROV", as_of=AS_OF)
        assert summary_assigners(s, prov) == {
            "CA": [("ROOT", "Ban Chỉ đạo")],  # FUTURE (not yet assigned) does not count
            "CB": [("PROV", "Tỉnh A")],  # the hamlet's task counts for commune B
            "PROV": [("ROOT", "Ban Chỉ đạo")],  # the province's own task
        }
        root = overdue_summary(s, None, as_of=AS_OF)
        assert summary_assigners(s, root) == {
            "PROV": [("PROV", "Tỉnh A"), ("ROOT", "Ban Chỉ đạo")],
            "MIN": [("ROOT", "Ban Chỉ đạo")],
        }
        by_prov = overdue_summary(s, assigned_by="PROV", as_of=AS_OF)
        assert summary_assigners(s, by_prov) == {"CB": [("PROV", "Tỉnh A")], "HB1": [("PROV", "Tỉnh A")]}


def test_demo_reproduces_the_central_committee_report(demo_db: Database) -> None:
    with demo_db.session() as s:
        summary = overdue_summary(s, assigned_by="BCDTW", as_of=REPORT_DATE)
        total = summary.total
        assert total.assigned == REPORT["assigned"] == 1287
        assert total.done == REPORT["done"] == 601
        assert total.in_progress == REPORT["in_progress"] == 404
        assert total.overdue == REPORT["overdue"] == 104
        assert total.recurring == REPORT["recurring"] == 178
        # Cross-check against the oracle over every row, not only the SQL aggregate.
        central = s.scalar(select(Unit.id).where(Unit.code == "BCDTW"))
        tasks = s.scalars(select(Task).where(Task.assigned_by_id == central)).all()
        oracle = Counter(classify(t, REPORT_DATE) for t in tasks if t.assigned_on <= REPORT_DATE)
        assert oracle["done_on_time"] + oracle["done_late"] == 601 and oracle["overdue"] == 104
        due_in_december = sum(
            1
            for t in tasks
            if t.assigned_on <= REPORT_DATE
            and classify(t, REPORT_DATE) == "in_progress"
            and t.deadline < date(2025, 12, 31)
        )
        assert due_in_december == 368
        overdues = [r.overdue for r in summary.rows]
        assert overdues == sorted(overdues, reverse=True)


def test_demo_has_the_unit_tree_the_issue_names(demo_db: Database) -> None:
    with demo_db.session() as s:
        kinds = Counter(
            s.scalars(
                select(Unit.kind).where(Unit.parent_id == select(Unit.id).where(Unit.code == "BCDTW").scalar_subquery())
            )
        )
        assert kinds[UnitKind.MINISTRY] == 22 and kinds[UnitKind.PROVINCE] == 34
        hanoi = s.scalar(select(Unit).where(Unit.code == "HN"))
        communes = s.scalars(select(Unit).where(Unit.parent_id == hanoi.id, Unit.kind == UnitKind.COMMUNE)).all()
        assert len(communes) == 126
        gialai = s.scalar(select(Unit).where(Unit.code == "GL"))
        assert s.scalars(select(Unit).where(Unit.parent_id == gialai.id)).all()
        summary = overdue_summary(s, "HN", as_of=date(2026, 11, 23))
        assert len([r for r in summary.rows if r.unit_code.startswith("HN-")]) >= 126


def test_sqlite_sessions_take_turns_to_write(tmp_path: Path) -> None:
    """Eight threads writing at once (as the bot's question threads do): every row lands, and a session
    that fails after writing hands the write lock on (a leak would hang the next writer)."""
    from db import task_updates as tu
    from db.models import AuditEntry
    from db.session import upgrade

    db = Database(f"sqlite:///{tmp_path / 'w.db'}", check=False)
    upgrade(db.engine)
    db = Database(db.url)

    def write(n: int) -> None:
        for i in range(25):
            with db.session() as s:
                tu.audit(
                    s,
                    channel="test",
                    action="ask",
                    allowed=True,
                    official_id=None,
                    telegram_user_id=n,
                    detail=f"{n}/{i}",
                )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    with pytest.raises(RuntimeError):
        with db.session() as s:
            tu.audit(s, channel="test", action="ask", allowed=True, official_id=None, telegram_user_id=99, detail="x")
            s.flush()
            raise RuntimeError("fails after writing")
    with ThreadPoolExecutor(1) as pool:  # another thread: waits forever if the lock was not released
        pool.submit(write, 100).result(timeout=30)
    with db.session() as s:
        details = list(s.scalars(select(AuditEntry.detail)))
    assert len(details) == 8 * 25 + 25 and "x" not in details
    db.dispose()
