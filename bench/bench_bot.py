"""The Telegram bot under load, through the fake Bot API server: 200 users, 1,000 questions, 500 task commands.

Each simulated user sends its next message as soon as the previous one is answered (closed loop, as fast
as the bot takes them). Checked: every request answered, none lost or duplicated (per-chat message counts
and the audit log agree). Printed: throughput and p50/p95 reply latency (first reply and complete answer).
Target (issue 5): ≥ 20 questions/s on this machine.

The 1,000 questions are all different (the eval set, then officials' wordings of it: "Cho tôi hỏi: …",
"… Cảm ơn."), so none is served from the question-vector cache; BENCH_REPEAT=1 cycles the eval set
instead. The bot runs in its own process, as deployed (BENCH_BOT_PROCESS=0: in this process).

Questions need the document index: the corpus is synced into BENCH_DATA_DIR (default
data/bench-index in the checkout; the first run embeds the corpus, later runs reuse it). Without
retrieval/ingestion (or if building them fails) only the task commands run.
Environment: BENCH_USERS (200), BENCH_QUESTIONS (1000), BENCH_TASK_COMMANDS (500), BENCH_DATA_DIR,
BENCH_DATABASE_URL (default: a fresh SQLite file; a PostgreSQL URL works too).
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 20)


@dataclass
class Stats:
    first: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    full: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    parts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    lost: int = 0
    refused: int = 0  # questions answered "not found in the documents"
    listed: int = 0  # questions answered from the task database (a listing of tasks)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def load_questions(n: int) -> list[str]:
    """`n` distinct questions (the eval set, then officials' wordings of it), or the eval set cycled
    when BENCH_REPEAT=1 (then most questions repeat and the question-vector cache serves them)."""
    from bench.corpus import distinct_questions

    path = ROOT / "tests" / "eval" / "qa.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    base = [(r["question"], r.get("lang", "vi")) for r in rows]
    if os.environ.get("BENCH_REPEAT") == "1":
        return [base[i % len(base)][0] for i in range(n)]
    return distinct_questions(base, n)


def index_settings(data_dir: Path, database_url: str | None = None) -> Any:
    from bot.config import Settings

    # The index's catalog, lexical index and embedding cache live in the deployment's database: a file beside the
    # index (in memory, each connection would see an empty one, and the answerer an empty catalog).
    url = database_url or f"sqlite:///{data_dir / 'troly.db'}"
    return Settings(data_dir=data_dir, database_url=url, docs_dir=ROOT / "docs_corpus")


def prepare_index(data_dir: Path, database_url: str | None = None) -> str | None:
    """Sync the corpus into `data_dir` (embeds only what changed); None when retrieval cannot run here."""
    try:
        from ingestion.sync import build_library
    except ImportError as exc:
        print(f"retrieval/ingestion not available ({exc})")
        return None
    try:
        t0 = time.perf_counter()
        report = build_library(index_settings(data_dir, database_url)).sync()
    except Exception as exc:  # noqa: BLE001 - the benchmark still measures the task commands
        print(f"index unavailable: {type(exc).__name__}: {exc}")
        return None
    return (
        f"index: {len(report.added) + len(report.updated) + len(report.unchanged)} documents, "
        f"{report.embedded} passages embedded now, sync {time.perf_counter() - t0:.1f}s"
    )


def build_answerer(data_dir: Path) -> Any:
    from retrieval.build import build_answerer as build

    answerer = build(index_settings(data_dir))
    answerer.answer("khởi động", k=5)  # warm-up (model load)
    return answerer


def prepare_database(url: str | None, tmp: Path, users: int) -> tuple[Any, list[tuple[int, str, list[str]]]]:
    """Demo data plus `users` officials linked to Telegram ids, each with the codes of a few open tasks of their unit."""
    from sqlalchemy import insert, select

    from db import queries
    from db.demo import seed_demo
    from db.models import Official, Role, Unit, UnitKind
    from db.session import Database, upgrade

    db = Database(url or f"sqlite:///{tmp / 'bench.db'}", check=False)
    upgrade(db.engine)
    with db.session() as s:
        seed_demo(s)
    people: list[tuple[int, str, list[str]]] = []
    with db.session() as s:
        communes = list(s.scalars(select(Unit).where(Unit.kind == UnitKind.COMMUNE).order_by(Unit.code)))
        rows, tasks_by_unit = [], {}
        for u in communes:
            tasks = queries.overdue(s, u.code, as_of=AS_OF) + queries.due_soon(s, u.code, 60, as_of=AS_OF)
            if len(tasks) >= 2:
                tasks_by_unit[u.code] = [t.code for t in tasks]
        codes = sorted(tasks_by_unit)
        unit_ids = {u.code: u.id for u in communes}
        for i in range(users):
            unit = codes[i % len(codes)]
            uid = 10_000 + i
            rows.append(
                {
                    "full_name": f"Cán bộ thử tải {i}",
                    "unit_id": unit_ids[unit],
                    "role": Role.OFFICIAL,
                    "telegram_user_id": uid,
                    "language": "vi",
                    "digest": False,
                    "active": True,
                }
            )
            people.append((uid, unit, tasks_by_unit[unit]))
        s.execute(insert(Official), rows)
    return db, people


def task_routed(db: Any, questions: list[str]) -> set[str]:
    """The questions the bot answers from the task database alone ("Những nhiệm vụ nào đã quá hạn?",
    bot/service/questions.py): their reply is the task listing, without the feedback buttons of a document answer,
    so it is complete at its first message. (Waiting for buttons that never come counted them lost.)"""
    from bot.service.intent import TASKS, UnitDirectory, UnitEntry, parse
    from db.units import unit_rows

    with db.session() as s:
        units = UnitDirectory(UnitEntry(r.code, r.name, r.level, r.parent) for r in unit_rows(s))
    return {q for q in set(questions) if (intent := parse(q, units)).route == TASKS and intent.kind is not None}


def scripts(
    people: list[tuple[int, str, list[str]]], n_questions: int, n_commands: int, questions: list[str]
) -> dict[int, list[tuple[str, str]]]:
    """Per user: its share of the questions and task commands, interleaved."""
    per_user: dict[int, list[tuple[str, str]]] = {uid: [] for uid, _, _ in people}
    commands: dict[int, list[tuple[str, str]]] = {uid: [] for uid, _, _ in people}
    for i in range(n_questions):
        uid = people[i % len(people)][0]
        per_user[uid].append(("question", questions[i % len(questions)]))
    for i in range(n_commands):
        uid, _, tasks = people[i % len(people)]
        k = i // len(people)
        kind = ("/viec", "/trehan", "/nhiemvu", "/tiendo")[(i + k) % 4]
        if kind == "/nhiemvu":
            text = f"/nhiemvu {tasks[1]}"
        elif kind == "/tiendo":
            text = f"/tiendo {tasks[0]} thử tải lần {k}"
        else:
            text = kind
        commands[uid].append(("command", text))
    for uid in per_user:
        qs, cs = per_user[uid], commands[uid]
        merged: list[tuple[str, str]] = []
        while qs or cs:
            if qs:
                merged.append(qs.pop(0))
            if cs:
                merged.append(cs.pop(0))
            if qs:
                merged.append(qs.pop(0))
        per_user[uid] = merged
    return per_user


async def drive(
    db: Any,
    index_dir: Path | None,
    people: list[tuple[int, str, list[str]]],
    plan: dict[int, list[tuple[str, str]]],
    data_dir: Path,
) -> tuple[Stats, float, Any]:
    from fake_telegram import Call, FakeTelegram

    from bot.config import Settings
    from bot.i18n import t
    from bot.telegram_app import build_application, running
    from bot.wiring import Services

    stats = Stats()
    listed = task_routed(db, [text for steps in plan.values() for kind, text in steps if kind == "question"])
    unavailable = (t("ask.unavailable"), t("ask.failed"))
    not_found = _not_found_prefix()
    async with FakeTelegram() as tg:
        queues: dict[int, asyncio.Queue[Call]] = {uid: asyncio.Queue() for uid, _, _ in people}
        seen = 0
        notify = tg._notify

        def route() -> None:  # O(1) per call instead of every waiter scanning every call
            nonlocal seen
            notify()
            while seen < len(tg.calls):
                call = tg.calls[seen]
                seen += 1
                if call.method == "sendMessage" and call.error is None and call.chat_id in queues:
                    queues[call.chat_id].put_nowait(call)

        tg._notify = route  # type: ignore[method-assign]
        settings = Settings(
            data_dir=data_dir, database_url=db.url, telegram_bot_token=tg.token, telegram_api_url=tg.base_url
        )
        separate = os.environ.get("BENCH_BOT_PROCESS", "1") != "0" and index_dir is not None
        app = None
        if not separate:
            answerer = build_answerer(index_dir) if index_dir is not None else None
            services = Services(
                settings=settings, db=db, answerer=answerer, answerer_error=None if answerer else "no index"
            )
            app = build_application(
                settings, services=services, clock=lambda: AS_OF, rate_limit=False, concurrency=len(people)
            )

        async def user(uid: int) -> None:
            q = queues[uid]
            for kind, text in plan[uid]:
                t0 = time.perf_counter()
                tg.push_message(uid, text)
                try:
                    call = await asyncio.wait_for(q.get(), 120)
                    stats.first[kind].append(time.perf_counter() - t0)
                    stats.parts[uid] += 1
                    if kind == "question" and text not in listed:
                        refused = str(call.text).startswith(not_found)
                        while not _has_feedback(call) and not str(call.text).startswith(unavailable):
                            call = await asyncio.wait_for(q.get(), 120)
                            stats.parts[uid] += 1
                        stats.refused += refused
                    stats.listed += kind == "question" and text in listed
                    stats.full[kind].append(time.perf_counter() - t0)
                except TimeoutError:
                    stats.lost += 1

        async def load() -> float:
            start = time.perf_counter()
            await asyncio.gather(*(user(uid) for uid, _, _ in people))
            took = time.perf_counter() - start
            await asyncio.sleep(1.0)  # anything late would be a duplicate
            return took

        if app is not None:
            async with running(app, settings, poll_timeout=10):
                elapsed = await load()
        else:
            # The bot in its own process, as deployed; this process is only the Bot API server and the users.
            env = {
                **os.environ,
                "BENCH_BOT_DATA_DIR": str(index_dir),
                "BENCH_BOT_DATABASE_URL": db.url,
                "BENCH_BOT_TOKEN": tg.token,
                "BENCH_BOT_API_URL": tg.base_url,
                "BENCH_BOT_AS_OF": AS_OF.isoformat(),
                "BENCH_BOT_CONCURRENCY": str(len(people)),
                "PYTHONPATH": str(ROOT),
            }
            proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.bot_process", env=env)
            try:
                await tg.wait_for("getUpdates", timeout=180)
                elapsed = await load()
            finally:
                proc.terminate()
                await proc.wait()
        sent: defaultdict[int, int] = defaultdict(int)
        for call in tg.calls:
            if call.method == "sendMessage" and call.error is None:
                sent[call.chat_id] += 1
    return stats, elapsed, sent


def _not_found_prefix() -> str:
    try:
        from retrieval.answer import not_found_text
    except ImportError:
        return "\0"
    return not_found_text()[:40]


def _has_feedback(call: Any) -> bool:
    markup = (call.result or {}).get("reply_markup") or {}
    return any(
        str(b.get("callback_data", "")).startswith("fb:") for row in markup.get("inline_keyboard", []) for b in row
    )


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    users = int(os.environ.get("BENCH_USERS", "200"))
    n_questions = int(os.environ.get("BENCH_QUESTIONS", "1000"))
    n_commands = int(os.environ.get("BENCH_TASK_COMMANDS", "500"))
    data_dir = Path(os.environ.get("BENCH_DATA_DIR") or ROOT / "data" / "bench-index")
    print(f"machine: {os.cpu_count()} CPUs; {users} users, {n_questions} questions, {n_commands} task commands")
    index_dir: Path | None = None
    if n_questions:
        print("preparing the index (first run embeds the corpus; later runs reuse it) …", flush=True)
        note = prepare_index(data_dir)
        if note is None:
            n_questions = 0
        else:
            print(note)
            index_dir = data_dir
    with tempfile.TemporaryDirectory(prefix="troly-bench-bot-") as tmp:
        url = os.environ.get("BENCH_DATABASE_URL")
        if index_dir is not None and url is None:
            # One database for the tasks and the index's catalog, as deployed: the index's, copied.
            with sqlite3.connect(index_dir / "troly.db") as source, sqlite3.connect(Path(tmp) / "bench.db") as copy:
                source.backup(copy)
        db, people = prepare_database(url, Path(tmp), users)
        if index_dir is not None and url is not None:
            note = prepare_index(index_dir, db.url)  # the catalog into the tasks' database (embedded anew there)
            print(note or "index unavailable in BENCH_DATABASE_URL")
        print(f"database: {db.dialect}")
        questions = load_questions(n_questions)
        print(f"questions: {len(set(questions))} distinct of {len(questions)}")
        plan = scripts(people, n_questions, n_commands, questions)
        stats, elapsed, sent = asyncio.run(drive(db, index_dir, people, plan, Path(tmp)))
        from sqlalchemy import func, select

        from db.models import AuditEntry

        with db.session() as s:
            audited = dict(s.execute(select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all())
        db.dispose()
    requests = sum(len(v) for v in plan.values())
    answered = sum(len(v) for v in stats.full.values())
    extra = sum(max(0, sent[uid] - stats.parts[uid]) for uid in stats.parts)
    print(f"\nrequests: {requests}  answered: {answered}  lost: {stats.lost}  duplicate/extra messages: {extra}")
    print(
        f"audit log: ask={audited.get('ask', 0)} due={audited.get('due', 0)} overdue={audited.get('overdue', 0)} "
        f"task={audited.get('task', 0)} progress={audited.get('progress', 0)}"
    )
    print(f"elapsed: {elapsed:.1f}s  → {requests / elapsed:.1f} requests/s overall")
    if n_questions:
        print(
            f"questions: {n_questions / elapsed:.1f} questions/s (while the task commands run alongside); "
            f"{n_questions - stats.refused - stats.listed} answered from the documents, {stats.refused} refused as not "
            f"found in them, {stats.listed} from the task database"
        )
    for kind in ("question", "command"):
        first, full = stats.first.get(kind, []), stats.full.get(kind, [])
        if first:
            print(
                f"{kind:>8}: n={len(first):5d}  first reply p50 {pct(first, 50) * 1000:7.0f} ms  "
                f"p95 {pct(first, 95) * 1000:7.0f} ms  | complete p50 {pct(full, 50) * 1000:7.0f} ms  "
                f"p95 {pct(full, 95) * 1000:7.0f} ms  mean {statistics.mean(full) * 1000:7.0f} ms"
            )
    ok = stats.lost == 0 and extra == 0 and answered == requests
    print("all answered, none lost or duplicated" if ok else "PROBLEM: lost or duplicated replies")


if __name__ == "__main__":
    main()
