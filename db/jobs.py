"""The ingestion job queue in the database: enqueue, claim (one worker per job), heartbeat, progress, finish.

Every change a worker makes is one UPDATE conditioned on the row still being its own (`claimed_by`), so a
worker whose job was taken over (its heartbeat had stopped: paused, cut off, killed) can no longer write to it.
Claiming is one statement too — `UPDATE … WHERE id = (the oldest queued, or running with a stale heartbeat)
AND (the same condition)` — so two workers never both get a job: on PostgreSQL the second one's UPDATE waits for
the first one's row lock and then finds the row no longer claimable (and `SKIP LOCKED` lets it look past rows
being claimed); on SQLite writers are serialised. No read precedes the write in that transaction: on SQLite a
read transaction upgraded to a write after another process wrote fails at once instead of waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from db.models import IngestJob, JobKind, JobState


@dataclass(frozen=True)
class JobRecord:
    id: int
    kind: JobKind
    args: dict[str, Any]
    state: JobState
    done: int
    total: int
    current: str
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    claimed_by: str | None
    heartbeat_at: datetime | None
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    official_id: int | None
    chat_id: int | None
    message_id: int | None
    reported_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


def _record(row: IngestJob) -> JobRecord:
    return JobRecord(
        id=row.id,
        kind=JobKind(row.kind),
        args=dict(row.args or {}),
        state=JobState(row.state),
        done=row.done or 0,
        total=row.total or 0,
        current=row.current or "",
        result=dict(row.result) if row.result is not None else None,
        error=row.error,
        attempts=row.attempts or 0,
        claimed_by=row.claimed_by,
        heartbeat_at=row.heartbeat_at,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        official_id=row.official_id,
        chat_id=row.chat_id,
        message_id=row.message_id,
        reported_at=row.reported_at,
    )


def enqueue(
    s: Session,
    kind: JobKind,
    args: dict[str, Any],
    *,
    official_id: int | None = None,
    chat_id: int | None = None,
    message_id: int | None = None,
) -> int:
    job = IngestJob(
        kind=kind,
        args=args,
        state=JobState.QUEUED,
        done=0,
        total=0,
        current="",
        attempts=0,
        official_id=official_id,
        chat_id=chat_id,
        message_id=message_id,
    )
    s.add(job)
    s.flush()
    return job.id


def get(s: Session, job_id: int) -> JobRecord | None:
    row = s.get(IngestJob, job_id)
    return None if row is None else _record(row)


def _claimable(now: datetime, stale_after: timedelta) -> Any:
    return or_(
        IngestJob.state == JobState.QUEUED,
        and_(IngestJob.state == JobState.RUNNING, IngestJob.heartbeat_at < now - stale_after),
    )


def claim(s: Session, worker: str, *, now: datetime, stale_after: timedelta) -> int | None:
    """Take the oldest job that is queued, or running with a heartbeat older than `stale_after` (its worker is
    gone); returns its id, or None when there is none (or another worker took it first)."""
    claimable = _claimable(now, stale_after)
    oldest = (
        select(IngestJob.id)
        .where(claimable)
        .order_by(IngestJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    taken = s.execute(
        update(IngestJob)
        .where(IngestJob.id == oldest, claimable)
        .values(
            state=JobState.RUNNING,
            claimed_by=worker,
            heartbeat_at=now,
            started_at=func.coalesce(IngestJob.started_at, now),
            attempts=IngestJob.attempts + 1,
        )
        .returning(IngestJob.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    return int(taken) if taken is not None else None


def _mine(job_id: int, worker: str) -> Any:
    return and_(IngestJob.id == job_id, IngestJob.claimed_by == worker, IngestJob.state == JobState.RUNNING)


def _update_mine(s: Session, job_id: int, worker: str, **values: Any) -> bool:
    result = s.execute(
        update(IngestJob).where(_mine(job_id, worker)).values(**values).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def heartbeat(s: Session, job_id: int, worker: str, *, now: datetime) -> bool:
    """Still alive; False when the job is no longer this worker's (taken over, or finished)."""
    return _update_mine(s, job_id, worker, heartbeat_at=now)


def progress(s: Session, job_id: int, worker: str, *, done: int, total: int, current: str, now: datetime) -> bool:
    return _update_mine(s, job_id, worker, done=done, total=total, current=current[:500], heartbeat_at=now)


def finish(
    s: Session,
    job_id: int,
    worker: str,
    *,
    now: datetime,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> bool:
    """Done (with the report) or failed (with the reason, and whatever report there is)."""
    state = JobState.FAILED if error is not None else JobState.DONE
    values: dict[str, Any] = {"state": state, "result": result, "error": error, "finished_at": now, "heartbeat_at": now}
    if result is not None and error is None:
        values["current"] = ""
    return _update_mine(s, job_id, worker, **values)


def release(s: Session, job_id: int, worker: str) -> bool:
    """Give a job back to the queue (the worker is stopping): the next worker resumes it at once."""
    return _update_mine(s, job_id, worker, state=JobState.QUEUED, claimed_by=None, heartbeat_at=None)


def claim_report(s: Session, job_id: int, *, now: datetime) -> bool:
    """Whether the caller is the one to send a finished job's report (exactly one of the bot replicas is)."""
    result = s.execute(
        update(IngestJob)
        .where(
            IngestJob.id == job_id,
            IngestJob.reported_at.is_(None),
            IngestJob.state.in_([JobState.DONE, JobState.FAILED]),
        )
        .values(reported_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def ahead_of(s: Session, job_id: int) -> int:
    """How many queued jobs will be taken before this one."""
    return int(
        s.scalar(
            select(func.count()).select_from(IngestJob).where(IngestJob.state == JobState.QUEUED, IngestJob.id < job_id)
        )
        or 0
    )


def unreported(s: Session) -> list[JobRecord]:
    """Jobs someone follows in a chat whose report has not been sent yet (a restarted bot follows them again)."""
    rows = s.scalars(
        select(IngestJob)
        .where(IngestJob.message_id.is_not(None), IngestJob.reported_at.is_(None))
        .order_by(IngestJob.id)
    )
    return [_record(r) for r in rows]


@dataclass(frozen=True)
class QueueState:
    queued: int
    running: int
    failed: int
    oldest_queued: datetime | None
    last_heartbeat: datetime | None


def queue_state(s: Session) -> QueueState:
    counts = {state: n for state, n in s.execute(select(IngestJob.state, func.count()).group_by(IngestJob.state))}
    oldest = s.scalar(select(func.min(IngestJob.created_at)).where(IngestJob.state == JobState.QUEUED))
    beat = s.scalar(select(func.max(IngestJob.heartbeat_at)))
    return QueueState(
        queued=int(counts.get(JobState.QUEUED, 0)),
        running=int(counts.get(JobState.RUNNING, 0)),
        failed=int(counts.get(JobState.FAILED, 0)),
        oldest_queued=oldest,
        last_heartbeat=beat,
    )
