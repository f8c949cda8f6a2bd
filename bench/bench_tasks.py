"""Task database at scale: 1,000,000 tasks over 40,000 units, SQLite and PostgreSQL side by side.

Targets (issue 2): due/overdue for one unit p95 ≤ 20 ms; summary of a province with 200 sub-units
≤ 200 ms; national summary ≤ 2 s; importing 100,000 rows ≤ 60 s. Issue 13 item 8: the national summary
≤ 200 ms p95 at 1M tasks, from the task tally (db/tally.py): "scan" rows are the full query it replaced,
"tally" rows read at the pivot (today, where `advance` keeps it), a day and a week past it (no advance yet),
and as of AS_OF (nine months before the pivot: the tasks dated in between are visited).
Scale with BENCH_TASKS (default 1,000,000); PostgreSQL from TROLY_TEST_PG_URL.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import aliased

from db import tally
from db.demo import seed_demo
from db.importer import import_tasks
from db.models import Task, Unit, UnitKind
from db.queries import due_soon, overdue, overdue_summary, summary_assigners
from db.session import Database, upgrade

AS_OF = date(2026, 3, 1)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    return sorted(values)[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run(url: str, label: str, n_tasks: int, workdir: Path) -> dict[str, float]:
    db = Database(url, check=False)
    upgrade(db.engine)
    t0 = time.perf_counter()
    with db.session() as s:
        report = seed_demo(s, tasks=n_tasks)
    seed_s = time.perf_counter() - t0
    # After a bulk load: statistics, and on PostgreSQL the visibility map too (VACUUM), without which
    # index-only scans still visit the heap; autovacuum would do it a little later in production.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.dialect == "postgresql" else "ANALYZE"))
    print(f"[{label}] seeded {report.tasks:,} tasks on {report.units:,} units in {seed_s:.1f} s", flush=True)
    rng = random.Random(1)
    with db.session() as s:
        units = list(
            s.scalars(select(Unit.code).where(Unit.kind.in_([UnitKind.COMMUNE, UnitKind.DEPARTMENT, UnitKind.OTHER])))
        )
        parent = aliased(Unit)
        per_parent = s.execute(
            select(parent.code, parent.kind, func.count())
            .select_from(Unit)
            .join(parent, parent.id == Unit.parent_id)
            .group_by(parent.code, parent.kind)
            .order_by(func.count().desc())
        ).all()
        # The province with 200 direct sub-units (or the widest one at smaller scales); a commune with hamlets.
        province, _, children = next(
            (r for r in per_parent if r[1] == UnitKind.PROVINCE and r[2] == 200),
            next(r for r in per_parent if r[1] == UnitKind.PROVINCE),
        )
        commune = next((r[0] for r in per_parent if r[1] in (UnitKind.COMMUNE, UnitKind.DEPARTMENT)), units[0])
    sample = [rng.choice(units) for _ in range(200)]
    results: dict[str, float] = {}
    with db.session() as s:
        lists: list[float] = []
        for code in sample:
            lists += timed(partial(due_soon, s, code, 14, as_of=AS_OF), 1)
            lists += timed(partial(overdue, s, code, as_of=AS_OF), 1)
        results["due/overdue one unit p50 ms"] = statistics.median(lists)
        results["due/overdue one unit p95 ms"] = pct(lists, 95)
        sub = timed(lambda: overdue(s, commune, include_subunits=True, as_of=AS_OF), 20)
        results["overdue commune+subtree p95 ms"] = pct(sub, 95)
        pivot = tally.pivot(s)
        for name, when, scan, repeat in [
            ("scan", pivot, True, 5),
            ("tally at pivot", pivot, False, 20),
            ("tally pivot+1d", pivot + timedelta(days=1), False, 10),
            ("tally pivot+7d", pivot + timedelta(days=7), False, 10),
            ("tally AS_OF", AS_OF, False, 3),
        ]:
            prov = timed(partial(overdue_summary, s, province, as_of=when, scan=scan), repeat)
            results[f"province ({children} sub-units) {name} p50 ms"] = statistics.median(prov)
            results[f"province ({children} sub-units) {name} p95 ms"] = pct(prov, 95)
            nat = timed(partial(overdue_summary, s, None, as_of=when, scan=scan), repeat)
            results[f"national {name} p50 ms"] = statistics.median(nat)
            results[f"national {name} p95 ms"] = pct(nat, 95)
        summary = overdue_summary(s, None, as_of=pivot)
        for name, scan in [("scan", True), ("tally", False)]:
            assigners = timed(partial(summary_assigners, s, summary, scan=scan), 5)
            results[f"national assigners {name} p50 ms"] = statistics.median(assigners)
        results["tally rows"] = float(len(tally.stored(s)))
        total = s.scalar(select(func.count()).select_from(Task))
    with db.session() as s:  # what the first summary of a new day pays, once
        results["advance the pivot 1 day ms"] = timed(lambda: tally.advance(s, pivot + timedelta(days=1)), 1)[0]
    # Import 100,000 rows: half new codes, half updates of existing tasks.
    path = workdir / f"import_{label}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            ["Mã nhiệm vụ", "Nội dung", "Đơn vị chủ trì", "Hạn hoàn thành", "Trạng thái", "Ngày hoàn thành", "Văn bản"]
        )
        for i in range(100_000):
            code = f"SC-{i:07d}" if i % 2 else f"IMP-{i:06d}"
            w.writerow([code, f"Nhiệm vụ nhập {i}", rng.choice(units), "31/12/2026", "Đang thực hiện", "", "57-NQ/TW"])
    t0 = time.perf_counter()
    with db.session() as s:
        rep = import_tasks(s, path)
    results["import 100,000 rows s"] = time.perf_counter() - t0
    print(f"[{label}] import: {rep.as_dict()}", flush=True)
    results["tasks"] = float(total or 0)
    db.dispose()
    return results


def main() -> None:
    n_tasks = int(os.environ.get("BENCH_TASKS", "1000000"))
    work = Path(tempfile.mkdtemp(prefix="troly-bench-"))
    table: dict[str, dict[str, float]] = {}
    backends = os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",")
    if "sqlite" in backends:
        table["sqlite"] = run(f"sqlite:///{work / 'bench.db'}", "sqlite", n_tasks, work)
    pg = os.environ.get("TROLY_TEST_PG_URL") if "postgresql" in backends else None
    if pg:
        name = f"troly_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(make_url(pg).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            table["postgresql"] = run(
                make_url(pg).set(database=name).render_as_string(hide_password=False), "postgresql", n_tasks, work
            )
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    shutil.rmtree(work, ignore_errors=True)
    keys = list(next(iter(table.values())))
    print(f"\n{'figure':52} " + " ".join(f"{k:>12}" for k in table))
    for key in keys:
        print(f"{key:52} " + " ".join(f"{table[b].get(key, float('nan')):12.1f}" for b in table))


if __name__ == "__main__":
    main()
