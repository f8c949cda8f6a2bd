"""`troly worker`: take ingestion jobs from the database and run them through the document library.

Any number of workers may run, on any machines sharing the database: each job is claimed by one of them
(db/jobs.py). While a job runs, a thread renews its heartbeat; a worker that dies (SIGKILL, power cut) stops
renewing it, and after `stale_after` seconds another worker takes the job over and runs it again — a sync is
idempotent by content hash, so what the first one finished is skipped. SIGTERM/SIGINT stop the running sync
between documents, give the job back to the queue (the next worker resumes it at once) and end the loop.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db import jobs
from db import task_updates as tu
from db.clock import utc_now
from db.errors import TrolyError
from db.models import JobKind

if TYPE_CHECKING:
    from db.blobs import BlobStore
    from db.session import Database
    from ingestion.sync import Library, SyncProgress, SyncReport

log = logging.getLogger(__name__)

INCOMING_PREFIX = "incoming/"  # an upload waiting for its job: incoming/<job key>/<name>


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


@dataclass(frozen=True)
class WorkerTimings:
    poll: float = 1.0  # seconds between looks at an empty queue
    heartbeat: float = 5.0  # seconds between two heartbeats of a running job
    stale_after: float = 60.0  # a running job whose heartbeat is older than this is taken over

    def __post_init__(self) -> None:
        if self.stale_after <= 2 * self.heartbeat:  # a busy machine must not lose its job to a late heartbeat
            raise ValueError("stale_after must exceed twice the heartbeat interval")


class Worker:
    def __init__(
        self,
        db: Database,
        library: Library,
        store: BlobStore,
        *,
        name: str | None = None,
        timings: WorkerTimings = WorkerTimings(),
        now: Callable[[], datetime] = utc_now,
        on_job: Callable[[int, str], None] | None = None,
    ) -> None:
        self.db, self.library, self.store = db, library, store
        self.name = name or worker_name()
        self.timings = timings
        self.now = now
        self.on_job = on_job  # (job id, "claimed" | "done" | "failed" | "released" | "lost"): for the CLI's lines
        self._stopping = threading.Event()
        self._current: int | None = None

    # -- the loop ------------------------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop taking jobs; a running sync stops before its next document and its job goes back to the queue.
        Safe from a signal handler's thread."""
        self._stopping.set()
        if self._current is not None:
            self.library.stop()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def run(self, *, max_jobs: int | None = None, idle_exit: bool = False) -> int:
        """Take jobs until stopped (or `max_jobs` were run, or — with `idle_exit` — the queue is empty)."""
        ran = 0
        while not self.stopping and (max_jobs is None or ran < max_jobs):
            job_id = self.claim()
            if job_id is None:
                if idle_exit:
                    break
                self._stopping.wait(self.timings.poll)
                continue
            self.process(job_id)
            ran += 1
        return ran

    def claim(self) -> int | None:
        with self.db.session() as s:
            return jobs.claim(s, self.name, now=self.now(), stale_after=timedelta(seconds=self.timings.stale_after))

    # -- one job -------------------------------------------------------------------------------------------------

    def process(self, job_id: int) -> None:
        from ingestion.errors import SyncInterrupted

        with self.db.session() as s:
            job = jobs.get(s, job_id)
        assert job is not None
        self._event(job_id, "claimed")
        self._current = job_id
        lost = threading.Event()
        beating = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job_id, beating, lost), name="troly-heartbeat", daemon=True)
        beat.start()
        try:
            if self.stopping:  # stopped between the claim and here: the sync would stop at once
                raise SyncInterrupted()
            report = self._run(job, self._progress_writer(job_id))
        except SyncInterrupted:
            beating.set()
            with self.db.session() as s:
                released = jobs.release(s, job_id, self.name)
            self._event(job_id, "released" if released else "lost")
            return
        except Exception as exc:  # noqa: BLE001 - a job that fails is reported, the worker goes on
            log.exception("job %s failed", job_id)
            beating.set()
            self._finish(job, error=str(exc) or type(exc).__name__)
            return
        finally:
            beating.set()
            beat.join(timeout=5)
            self._current = None
        self._finish(job, report=report)

    def _run(self, job: jobs.JobRecord, progress: Callable[[SyncProgress], None]) -> SyncReport:
        args = job.args
        if job.kind == JobKind.UPLOAD:
            key = str(args["blob"])
            data = self.store.get(key)
            if data is None:  # e.g. a job re-run by hand after its upload was removed
                raise TrolyError("jobs.upload_gone")
            return self.library.add_upload(str(args["name"]), data, progress=progress)
        paths = [Path(p) for p in args.get("paths", [])] or None
        return self.library.sync(
            paths, prune=bool(args.get("prune")), rebuild=bool(args.get("rebuild")), progress=progress
        )

    def _finish(self, job: jobs.JobRecord, *, report: SyncReport | None = None, error: str | None = None) -> None:
        result = report.as_dict() if report is not None else None
        with self.db.session() as s:
            mine = jobs.finish(s, job.id, self.name, now=self.now(), result=result, error=error)
        if not mine:  # taken over while we were paused past the heartbeat: the other worker reports
            self._event(job.id, "lost")
            return
        if job.kind == JobKind.UPLOAD:  # an upload kept (or refused) by now: the waiting copy goes either way
            self.store.delete(str(job.args["blob"]))
        self._audit(job, report, error)
        self._event(job.id, "failed" if error is not None or (report is not None and report.failed) else "done")

    def _audit(self, job: jobs.JobRecord, report: SyncReport | None, error: str | None) -> None:
        action = "adddoc_done" if job.kind == JobKind.UPLOAD else "reload_done"
        if report is not None:
            counts = " ".join(
                f"{n}={len(getattr(report, n))}" for n in ("added", "updated", "removed", "unchanged", "failed")
            )
        else:
            counts = f"error: {error}"
        name = f"{job.args.get('name')} | " if job.kind == JobKind.UPLOAD else ""
        try:
            with self.db.session() as s:
                tu.audit(
                    s,
                    channel="worker",
                    action=action,
                    allowed=True,
                    official_id=job.official_id,
                    telegram_user_id=None,
                    detail=f"job {job.id} | {name}{counts}"[:500],
                )
        except Exception:  # noqa: BLE001 - the report is in the job row; a failed audit write must not lose it
            log.exception("audit of job %s failed", job.id)

    def _progress_writer(self, job_id: int) -> Callable[[SyncProgress], None]:
        """Progress to the job row, at most every half second (and always the last step)."""
        last = [0.0]

        def write(p: SyncProgress) -> None:
            now = time.monotonic()
            if now - last[0] < 0.5 and p.done < p.total:
                return
            last[0] = now
            try:
                with self.db.session() as s:
                    jobs.progress(s, job_id, self.name, done=p.done, total=p.total, current=p.current, now=self.now())
            except Exception:  # noqa: BLE001 - progress is for show; the sync goes on
                log.warning("could not write the progress of job %s", job_id, exc_info=True)

        return write

    def _beat(self, job_id: int, done: threading.Event, lost: threading.Event) -> None:
        while not done.wait(self.timings.heartbeat):
            try:
                with self.db.session() as s:
                    mine = jobs.heartbeat(s, job_id, self.name, now=self.now())
            except Exception:  # noqa: BLE001 - a database blip: try again at the next beat
                log.warning("heartbeat of job %s failed", job_id, exc_info=True)
                continue
            if not mine:
                # Another worker has it (ours was late): let this sync end on its own (writes are idempotent);
                # only the owner may write the result.
                log.warning("job %s was taken over by another worker", job_id)
                lost.set()
                return

    def _event(self, job_id: int, what: str) -> None:
        log.info("job %s %s by %s", job_id, what, self.name)
        if self.on_job is not None:
            self.on_job(job_id, what)


def describe(job: Any) -> str:
    """A job's arguments in a few words (CLI lines)."""
    args = job.args
    if job.kind == JobKind.UPLOAD:
        return str(args.get("name"))
    return " ".join(str(p) for p in args.get("paths", [])) or "DOCS_DIR"
