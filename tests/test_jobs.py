"""Ingestion as jobs (issue 13 item 4): the queue in the database, `troly worker` processes taking jobs (one worker
per job; a killed worker's job taken over), the bot following a queued upload, and uploads and evidence kept in
the database. Real SQLite and PostgreSQL, real `troly worker` subprocesses, a real `chroma run` where two
processes write vectors, the real PTB bot against the fake Bot API."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fake_telegram import FakeTelegram, plain_text
from fakes import ADMIN, DOC_A, DOC_B, HA, TODAY, audits, chroma_run, link_telegram, who
from sqlalchemy import select

from bot.cli import cli
from bot.config import Settings
from bot.service import Assistant, Evidence
from bot.telegram_app import build_application, running
from bot.wiring import Services, build_library, build_services
from bot.worker import Worker, WorkerTimings
from db import jobs
from db.blobs import DatabaseBlobStore
from db.models import Blob, IngestJob, JobKind, JobState
from db.session import Database

TROLY = str(Path(sys.executable).with_name("troly"))
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def job_row(db: Database, job_id: int) -> jobs.JobRecord:
    with db.session() as s:
        job = jobs.get(s, job_id)
    assert job is not None
    return job


def wait_until(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


# --- the queue itself -------------------------------------------------------------------------------------


def test_a_job_is_claimed_once_and_taken_over_only_when_its_heartbeat_is_stale(database: Database) -> None:
    stale = timedelta(seconds=60)
    with database.session() as s:
        first = jobs.enqueue(s, JobKind.RELOAD, {"paths": []})
        second = jobs.enqueue(s, JobKind.INGEST, {"paths": ["/x"]})
    with database.session() as s:
        assert jobs.claim(s, "a", now=T0, stale_after=stale) == first  # the oldest first
        assert jobs.claim(s, "b", now=T0, stale_after=stale) == second
        assert jobs.claim(s, "c", now=T0, stale_after=stale) is None
        assert jobs.progress(s, first, "a", done=1, total=3, current="x.md", now=T0 + timedelta(seconds=30))
    with database.session() as s:  # heartbeats 20 s (a: its progress) and 50 s (b) old: neither is stale
        assert jobs.claim(s, "c", now=T0 + timedelta(seconds=50), stale_after=stale) is None
    with database.session() as s:  # 61 s and 91 s: both are; the oldest job first
        assert jobs.claim(s, "c", now=T0 + timedelta(seconds=91), stale_after=stale) == first
    with database.session() as s:
        assert jobs.claim(s, "d", now=T0 + timedelta(seconds=91), stale_after=stale) == second
        # the workers that lost their jobs can no longer write to them
        assert not jobs.heartbeat(s, first, "a", now=T0 + timedelta(seconds=92))
        assert not jobs.finish(s, second, "b", now=T0 + timedelta(seconds=92), result={"added": []})
        assert jobs.finish(s, first, "c", now=T0 + timedelta(seconds=95), result={"added": ["x.md"]})
        assert jobs.release(s, second, "d")  # a stopping worker gives it back
    a, b = job_row(database, first), job_row(database, second)
    assert (a.state, a.claimed_by, a.attempts, a.result) == (JobState.DONE, "c", 2, {"added": ["x.md"]})
    assert (b.state, b.claimed_by, b.attempts) == (JobState.QUEUED, None, 2)
    with database.session() as s:
        assert jobs.claim_report(s, first, now=T0) and not jobs.claim_report(s, first, now=T0)  # one report
        assert not jobs.claim_report(s, second, now=T0)  # not finished


def test_racing_claimers_never_get_the_same_job(db_url: str) -> None:
    """Eight workers (each its own engine, as separate processes would be) claim 60 jobs at once."""
    setup = Database(db_url)
    with setup.session() as s:
        ids = [jobs.enqueue(s, JobKind.RELOAD, {"n": n}) for n in range(60)]
    setup.dispose()
    claimed: list[tuple[str, int]] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def claimer(name: str) -> None:
        db = Database(db_url)
        try:
            start.wait()
            misses = 0
            while misses < 3:
                with db.session() as s:
                    got = jobs.claim(s, name, now=datetime.now(UTC), stale_after=timedelta(seconds=60))
                if got is None:
                    misses += 1
                    continue
                with lock:
                    claimed.append((name, got))
        finally:
            db.dispose()

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    got = sorted(job for _, job in claimed)
    assert got == ids  # every job once, none twice
    assert len({name for name, _ in claimed}) > 1


# --- `troly worker` processes -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_run(tmp_path_factory.mktemp("chroma")) as url:
        yield url


def worker_env(data: Path, db_url: str, docs: Path, chroma: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CHROMA_URL", "INGEST_MODE")}
    env |= {"TROLY_DATA_DIR": str(data), "DATABASE_URL": db_url, "DOCS_DIR": str(docs), "PYTHONUNBUFFERED": "1"}
    if chroma:
        env["CHROMA_URL"] = chroma
    return env


def start_worker(env: dict[str, str], name: str, *args: str, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen(
        [TROLY, "worker", "--name", name, "--poll", "0.05", *args], env=env, stdout=out, stderr=subprocess.STDOUT
    )


def test_a_worker_takes_a_queued_ingest_and_the_document_answers(
    db_url: str, tmp_path: Path, hermetic_env: Path
) -> None:
    docs = tmp_path / "docs"
    write(docs, "b.md", DOC_B)
    env = worker_env(hermetic_env, db_url, docs)
    queued = CliRunner().invoke(cli, ["ingest", "--queue", str(docs), "--json"], env=env, catch_exceptions=False)
    assert queued.exit_code == 0, queued.output
    job_id = json.loads(queued.output)["job"]
    human = CliRunner().invoke(cli, ["ingest", "--queue"], env=env, catch_exceptions=False)  # DOCS_DIR, whole
    assert human.exit_code == 0 and f"#{job_id + 1}" in human.output and "1 việc đang chờ trước" in human.output
    missing = CliRunner().invoke(cli, ["ingest", "--queue", str(tmp_path / "khong-co")], env=env)
    assert missing.exit_code == 1 and "khong-co" in missing.output

    done = subprocess.run([TROLY, "worker", "--once"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"Việc #{job_id}: xong" in done.stdout and f"Việc #{job_id + 1}: xong" in done.stdout
    db = Database(db_url)
    try:
        first, second = job_row(db, job_id), job_row(db, job_id + 1)
        assert first.state == JobState.DONE and first.result and first.result["added"] == ["b.md"]
        assert (first.done, first.total, first.attempts) == (1, 1, 1)
        assert second.state == JobState.DONE and second.result and second.result["unchanged"] == 1
    finally:
        db.dispose()
    asked = subprocess.run(
        [TROLY, "ask", "Sở Tài chính bố trí bao nhiêu tỷ đồng cho nền tảng dữ liệu dùng chung?", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    answer = json.loads(asked.stdout)
    assert answer["found"] and answer["citations"][0]["source"] == "b.md", asked.stdout
    assert "12 tỷ" in answer["short"] + answer["answer"]


def test_two_workers_never_run_the_same_job(db_url: str, tmp_path: Path, hermetic_env: Path, chroma_url: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = worker_env(hermetic_env, db_url, empty, chroma_url)
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    workers: list[subprocess.Popen[bytes]] = []
    db = Database(db_url)
    try:
        # One after the other: two processes opening a new data dir's SQLite catalog at once race in its own
        # schema migration (retrieval/index.py), which is not what this test is about.
        for i, log in enumerate(logs):
            workers.append(start_worker(env, f"w{i + 1}", log=log))
            wait_until(lambda log=log: "đang chờ việc" in log.read_text(), 120, f"worker {i + 1} to start")  # type: ignore[misc]
        with db.session() as s:  # quick jobs (an empty folder: nothing to write), all at once
            ids = [jobs.enqueue(s, JobKind.INGEST, {"paths": [str(empty)]}) for _ in range(40)]
        wait_until(lambda: all(job_row(db, i).finished for i in ids), 120, "every job to finish")
        rows = [job_row(db, i) for i in ids]
        odd = [(r.id, r.state, r.attempts, r.error) for r in rows if r.state != JobState.DONE or r.attempts != 1]
        assert not odd, (odd, [log.read_text(errors="replace")[-2000:] for log in logs])  # each claimed once
        assert {r.claimed_by for r in rows} == {"w1", "w2"}  # and both took part
        for p in workers:
            p.send_signal(signal.SIGTERM)
        assert [p.wait(timeout=30) for p in workers] == [0, 0]
        assert all("đã dừng" in p.read_text() for p in logs)
    finally:
        for p in workers:
            if p.poll() is None:
                p.kill()
                p.wait()
        db.dispose()


def write_corpus(folder: Path, documents: int) -> None:
    """Distinct documents of four passages each (the embedding cache is by content)."""
    for d in range(documents):
        parts = [f"# Kế hoạch số {d + 1}/KH-UBND về chuyển đổi số đợt {d + 1}\n"]
        for a in range(4):
            parts.append(
                f"## Điều {a + 1}. Nhiệm vụ {a + 1} của kế hoạch {d + 1}\n\n"
                f"Sở, ban, ngành hoàn thành chỉ tiêu {d * 7 + a * 3 + 11}% trước ngày {a + 1}/{d % 12 + 1}/2026, "
                f"báo cáo định kỳ hằng quý (mã {d:02d}-{a:02d}); kinh phí {d * 13 + a + 5} tỷ đồng.\n"
            )
        (folder / f"ke-hoach-{d + 1:02d}.md").write_text("\n".join(parts), encoding="utf-8")


def test_a_killed_workers_job_is_finished_by_another(
    db_url: str, tmp_path: Path, hermetic_env: Path, chroma_url: str
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_corpus(docs, 24)
    env = worker_env(hermetic_env, db_url, docs, chroma_url)
    db = Database(db_url)
    first = second = None
    try:
        with db.session() as s:
            job_id = jobs.enqueue(s, JobKind.RELOAD, {"paths": [], "prune": False, "rebuild": False})
        timing = ("--heartbeat", "0.3", "--stale-after", "2")
        first = start_worker(env, "first", *timing, log=tmp_path / "first.log")
        # past the first batch (8 documents of 4 passages: the sync writes per batch of 32 passages)
        wait_until(lambda: job_row(db, job_id).done >= 10, 240, "the first worker's progress")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = job_row(db, job_id)
        assert killed_at.state == JobState.RUNNING and killed_at.claimed_by == "first"

        second = start_worker(env, "second", *timing, log=tmp_path / "second.log")
        wait_until(lambda: job_row(db, job_id).finished, 300, "the second worker to finish the job")
        job = job_row(db, job_id)
        assert (job.state, job.claimed_by, job.attempts) == (JobState.DONE, "second", 2)
        assert job.result is not None and not job.result["failed"]
        assert len(job.result["added"]) + job.result["unchanged"] == 24  # none lost, none twice
        assert job.result["unchanged"] >= 8  # what the first worker finished was not done again
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
        listed = CliRunner().invoke(cli, ["docs", "list", "--json"], env=env, catch_exceptions=False)
        assert len(json.loads(listed.output)) == 24
    finally:
        for p in (first, second):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        db.dispose()


# --- the bot in queue mode ----------------------------------------------------------------------------------


U_ADMIN = 503


def test_an_upload_in_queue_mode_is_followed_to_its_report(
    sqlite_demo_db: Database, tmp_path: Path, hermetic_env: Path
) -> None:
    """INGEST_MODE=queue: the bot builds no library; an upload waits in the database as a job, a worker (here a
    thread with the real library) indexes it, and the bot edits its one message from the job row to the report."""
    db = sqlite_demo_db
    link_telegram(db, ADMIN, U_ADMIN)
    docs = tmp_path / "docs"
    write(docs, "a.md", DOC_A)
    store = DatabaseBlobStore(db)
    worker_settings = Settings(data_dir=hermetic_env, database_url=db.url, docs_dir=docs)
    library, error = build_library(worker_settings, db)
    assert library is not None, error
    worker = Worker(db, library, store, name="t", timings=WorkerTimings(poll=0.05, heartbeat=0.5, stale_after=5))
    runner = threading.Thread(target=worker.run, daemon=True)

    async def scenario() -> None:
        async with FakeTelegram() as tg:
            settings = Settings(
                data_dir=hermetic_env,
                database_url=db.url,
                telegram_bot_token=tg.token,
                telegram_api_url=tg.base_url,
                docs_dir=docs,
                ingest_mode="queue",
            )
            services = Services(settings=settings, db=db, blobs=store, answerer_error="no index")
            app = build_application(settings, services=services, progress_interval=0.2)
            async with running(app, settings, poll_timeout=1):
                tg.add_file("nd", DOC_B.encode(), file_name="../b.md")
                tg.push_message(U_ADMIN, document={"file_id": "nd", "file_name": "../b.md"})
                waiting = await tg.wait_for("editMessageText", lambda c: "hàng đợi" in str(c.text), timeout=30)
                start = next(c for c in tg.calls if c.method == "sendMessage" and c.chat_id == U_ADMIN)
                assert int(waiting.params["message_id"]) == start.result["message_id"]
                with db.session() as s:  # the bytes wait in the database for whichever worker takes the job
                    [incoming] = s.scalars(select(Blob.key).where(Blob.key.like("incoming/%"))).all()
                assert incoming.endswith("/b.md")
                runner.start()
                done = await tg.wait_for("editMessageText", lambda c: "xong" in str(c.text), timeout=120)
                text = plain_text(str(done.text), "HTML")
                assert "Thêm mới: 1" in text and "b.md" in text and "phiên bản 1 đang được dùng" in text
                edits = [c for c in tg.calls if c.method == "editMessageText" and c.chat_id == U_ADMIN]
                assert {int(c.params["message_id"]) for c in edits} == {start.result["message_id"]}
                assert edits[-1] is done  # the report is the last word, sent once
                await asyncio.sleep(1.0)
                assert [c for c in tg.calls if c.method == "editMessageText"][-1] is done

                # /capnhat: the full sync covers the uploads kept in the database; nothing is removed
                tg.push_message(U_ADMIN, "/capnhat")
                report = await tg.wait_for("editMessageText", lambda c: "Đồng bộ xong" in str(c.text), timeout=120)
                text = plain_text(str(report.text), "HTML")
                assert "Thêm mới: 1" in text and "Không đổi: 1" in text and "Gỡ bỏ: 0" in text

    try:
        asyncio.run(scenario())
    finally:
        worker.stop()
        runner.join(timeout=30)
        library.close()
    # The upload is kept in the database (any replica or worker reads it), not under TROLY_DATA_DIR; the
    # waiting copy is gone; the worker's audit entries name the official who asked.
    assert store.get("uploads/b.md") == DOC_B.encode()
    assert [b.key for b in store.list("")] == ["uploads/b.md"]
    assert not (hermetic_env / "uploads").exists()
    with db.session() as s:
        rows = s.scalars(select(IngestJob).order_by(IngestJob.id)).all()
        assert [(r.kind, r.state) for r in rows] == [(JobKind.UPLOAD, JobState.DONE), (JobKind.RELOAD, JobState.DONE)]
        assert all(r.reported_at is not None and r.official_id is not None for r in rows)
    done = [(a.channel, a.action, a.official_id) for a in audits(db) if a.channel == "worker"]
    assert done == [("worker", "adddoc_done", rows[0].official_id), ("worker", "reload_done", rows[0].official_id)]


def test_evidence_is_read_from_the_database_by_another_data_dir(demo_url: str, tmp_path: Path) -> None:
    """Two installations (their own TROLY_DATA_DIR, as on two machines) over one database: evidence attached
    through one is read through the other."""
    one = build_services(Settings(data_dir=tmp_path / "one", database_url=demo_url), answers=False, library=False)
    two = build_services(Settings(data_dir=tmp_path / "two", database_url=demo_url), answers=False, library=False)
    try:
        view = Assistant(one, clock=lambda: TODAY).update_task(
            who(one.db, HA), "done", "HN-01962", "xong", Evidence("biên bản.pdf", b"%PDF-1.4 bien ban")
        )
        assert view.evidence and view.evidence.startswith("evidence/HN-01962/")
        assert two.store.get(view.evidence) == b"%PDF-1.4 bien ban"
        assert not (tmp_path / "one").exists() or not any((tmp_path / "one").rglob("*.pdf"))
    finally:
        one.close()
        two.close()
