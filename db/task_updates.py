"""Changes officials make to tasks (done, progress) with their history; the audit log; answers and votes.

Everything here runs in the caller's session and transaction; authorisation is the caller's job
(the assistant service decides who may do what, this module only does it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from db.errors import AlreadyDone, NotFound
from db.models import AuditEntry, Feedback, Official, Task, TaskEvent, TaskStatus, Unit

# --- tasks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    at: datetime
    kind: str  # created, updated, imported, progress, done
    official: str | None
    note: str | None
    evidence: str | None
    changes: dict[str, Any]


@dataclass(frozen=True)
class TaskRecord:
    """One task with what a reader needs to see and what an authoriser needs to check."""

    id: int
    code: str
    title: str
    description: str | None
    unit_code: str
    unit_name: str
    unit_id: int
    unit_lft: int
    assigned_by_code: str | None
    assigned_by_name: str | None
    cooperating: list[str]
    assigned_on: date | None
    deadline: date | None
    status: TaskStatus
    completed_on: date | None
    source_symbol: str | None
    source_section: str | None


def find_task(session: Session, code: str) -> TaskRecord:
    lead, by = aliased(Unit), aliased(Unit)
    row = session.execute(
        select(Task, lead, by)
        .join(lead, lead.id == Task.lead_unit_id)
        .outerjoin(by, by.id == Task.assigned_by_id)
        .where(Task.code == code.strip())
    ).first()
    if row is None:
        raise NotFound("task.not_found", code=code.strip())
    task, unit, assigner = row
    return TaskRecord(
        id=task.id,
        code=task.code,
        title=task.title,
        description=task.description,
        unit_code=unit.code,
        unit_name=unit.name,
        unit_id=unit.id,
        unit_lft=unit.lft,
        assigned_by_code=assigner.code if assigner else None,
        assigned_by_name=assigner.name if assigner else None,
        cooperating=list(task.cooperating or []),
        assigned_on=task.assigned_on,
        deadline=task.deadline,
        status=task.status,
        completed_on=task.completed_on,
        source_symbol=task.source_symbol,
        source_section=task.source_section,
    )


def task_history(session: Session, task_id: int) -> list[EventView]:
    rows = session.execute(
        select(TaskEvent, Official.full_name)
        .outerjoin(Official, Official.id == TaskEvent.official_id)
        .where(TaskEvent.task_id == task_id)
        .order_by(TaskEvent.at, TaskEvent.id)
    ).all()
    return [EventView(e.at, e.kind, name, e.note, e.evidence, dict(e.changes or {})) for e, name in rows]


def mark_done(
    session: Session,
    task_id: int,
    *,
    official_id: int | None,
    on: date,
    note: str | None = None,
    evidence: str | None = None,
    now: datetime | None = None,
) -> TaskEvent:
    """Close the task as of `on`, recording who did it, the note and the evidence reference."""
    task = session.get(Task, task_id, with_for_update=True)
    if task is None:
        raise NotFound("task.gone")
    if task.status == TaskStatus.DONE:
        done_on = task.completed_on.strftime("%d/%m/%Y") if task.completed_on else "?"
        raise AlreadyDone("task.already_done", code=task.code, date=done_on)
    changes: dict[str, Any] = {
        "status": TaskStatus.OPEN.value,
        "completed_on": None,
        "_new": {"status": TaskStatus.DONE.value, "completed_on": on.isoformat()},
    }
    task.status, task.completed_on = TaskStatus.DONE, on
    event = TaskEvent(
        task_id=task.id,
        official_id=official_id,
        kind="done",
        changes=changes,
        note=note,
        evidence=evidence,
        at=now or datetime.now(),
    )
    session.add(event)
    session.flush()
    return event


def record_progress(
    session: Session,
    task_id: int,
    *,
    official_id: int | None,
    note: str,
    evidence: str | None = None,
    now: datetime | None = None,
) -> TaskEvent:
    event = TaskEvent(
        task_id=task_id,
        official_id=official_id,
        kind="progress",
        changes={},
        note=note,
        evidence=evidence,
        at=now or datetime.now(),
    )
    session.add(event)
    session.flush()
    return event


def units_with_children(session: Session, codes: list[str]) -> set[str]:
    """Which of these units have sub-units (so a summary can drill down into them)."""
    if not codes:
        return set()
    parent, child = aliased(Unit), aliased(Unit)
    stmt = select(parent.code).join(child, child.parent_id == parent.id).where(parent.code.in_(codes)).distinct()
    return set(session.scalars(stmt))


def digest_recipients(session: Session) -> list[Official]:
    """Active officials linked to Telegram who want the morning digest, with their units loaded."""
    stmt = (
        select(Official)
        .join(Unit, Unit.id == Official.unit_id)
        .where(Official.active.is_(True), Official.digest.is_(True), Official.telegram_user_id.is_not(None))
        .order_by(Official.id)
    )
    officials = list(session.scalars(stmt))
    for o in officials:
        _ = o.unit  # load while the session is open
    return officials


# --- audit --------------------------------------------------------------------------------------


def audit(
    session: Session,
    *,
    channel: str,
    action: str,
    allowed: bool = True,
    official_id: int | None = None,
    telegram_user_id: int | None = None,
    detail: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            channel=channel[:16],
            action=action[:64],
            allowed=allowed,
            official_id=official_id,
            telegram_user_id=telegram_user_id,
            detail=(detail or None) and detail[:2000],
            at=datetime.now(),
        )
    )


def audit_entries(
    session: Session,
    *,
    action: str | None = None,
    allowed: bool | None = None,
    official_id: int | None = None,
    telegram_user_id: int | None = None,
) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    if allowed is not None:
        stmt = stmt.where(AuditEntry.allowed.is_(allowed))
    if official_id is not None:
        stmt = stmt.where(AuditEntry.official_id == official_id)
    if telegram_user_id is not None:
        stmt = stmt.where(AuditEntry.telegram_user_id == telegram_user_id)
    return list(session.scalars(stmt))


# --- answers and feedback -------------------------------------------------------------------------


def store_answer(
    session: Session,
    *,
    official_id: int | None,
    channel: str,
    question: str,
    answer: str,
    found: bool,
    citations: list[dict[str, Any]],
    note: str | None = None,
) -> int:
    row = Feedback(
        official_id=official_id,
        channel=channel[:16],
        question=question,
        answer=answer,
        found=found,
        citations=citations,
        note=note or None,
        at=datetime.now(),
    )
    session.add(row)
    session.flush()
    return row.id


def record_vote(session: Session, answer_id: int, *, official_id: int, vote: int) -> Feedback:
    """Store 👍 (+1) or 👎 (-1) on an answer; only the official who asked may vote (a new vote replaces the old)."""
    row = session.get(Feedback, answer_id)
    if row is None or row.official_id != official_id:
        raise NotFound("feedback.answer_not_found")
    row.vote = 1 if vote > 0 else -1
    row.voted_at = datetime.now()
    return row


def feedback_rows(session: Session, *, voted_only: bool = False) -> list[dict[str, Any]]:
    stmt = (
        select(Feedback, Official.full_name, Unit.code)
        .outerjoin(Official, Official.id == Feedback.official_id)
        .outerjoin(Unit, Unit.id == Official.unit_id)
        .order_by(Feedback.id)
    )
    if voted_only:
        stmt = stmt.where(Feedback.vote.is_not(None))
    return [
        {
            "id": f.id,
            "at": f.at,
            "official": name,
            "unit": unit,
            "channel": f.channel,
            "question": f.question,
            "answer": f.answer,
            "found": f.found,
            "citations": f.citations or [],
            "note": f.note,
            "vote": f.vote,
            "voted_at": f.voted_at,
        }
        for f, name, unit in session.execute(stmt)
    ]


def feedback_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Feedback.vote, func.count()).group_by(Feedback.vote)).all()
    counts = {"answers": 0, "up": 0, "down": 0}
    for vote, n in rows:
        counts["answers"] += n
        if vote == 1:
            counts["up"] += n
        elif vote == -1:
            counts["down"] += n
    return counts
