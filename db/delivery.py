"""Exactly-once records shared by every process of a deployment: the morning digest sent per official and day,
and the Telegram updates taken for handling.

A claim is one `INSERT … ON CONFLICT DO NOTHING` on the record's primary key, committed by the caller's
transaction: of two processes claiming the same key, PostgreSQL makes the second wait for the first to commit
and then inserts nothing; SQLite lets one writer in at a time. Only the process whose row went in does the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import DigestSent, HandledUpdate


def _insert_once(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """Insert `values` unless a row with the same primary key exists; whether this call inserted it."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(model).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(model).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - the two databases we support
        raise NotImplementedError(dialect)
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT through SQLAlchemy's ORM execute
    key = next(iter(model.__table__.primary_key.columns))
    return session.execute(stmt.returning(key)).first() is not None


Claim = Literal["new", "taken_over", "done", "busy"]


def claim_update(session: Session, bot_id: int, update_id: int, owner: str, at: datetime, lease: timedelta) -> Claim:
    """Take update `update_id` of bot `bot_id` for process `owner`: "new" (first delivery), "taken_over" (another
    process took it more than `lease` ago and never finished: it died), "done" (handled already) or "busy"
    (another process, or this one, is handling it now)."""
    key = (HandledUpdate.bot_id == bot_id, HandledUpdate.update_id == update_id)
    row = {"bot_id": bot_id, "update_id": update_id, "received_at": at, "owner": owner}
    if _insert_once(session, HandledUpdate, row):
        return "new"
    takeover = (
        update(HandledUpdate)
        .where(*key, HandledUpdate.done_at.is_(None), HandledUpdate.owner != owner)
        .where(HandledUpdate.received_at <= at - lease)
        .values(owner=owner, received_at=at)
        .returning(HandledUpdate.update_id)
    )
    if session.execute(takeover).first() is not None:
        return "taken_over"
    done = session.scalar(select(HandledUpdate.done_at).where(*key))
    return "done" if done is not None else "busy"


def update_handled(session: Session, bot_id: int, update_id: int, owner: str, at: datetime) -> None:
    """Every handler of the update has run in process `owner`."""
    session.execute(
        update(HandledUpdate)
        .where(HandledUpdate.bot_id == bot_id, HandledUpdate.update_id == update_id, HandledUpdate.owner == owner)
        .values(done_at=at)
    )


def claim_digest(session: Session, official_id: int, day: date, at: datetime) -> bool:
    """Take the digest of `official_id` for `day`; False when some process already took it (sent or not)."""
    return _insert_once(session, DigestSent, {"official_id": official_id, "day": day, "claimed_at": at})


def digest_outcome(session: Session, official_id: int, day: date, at: datetime, error: str | None) -> None:
    """What became of a claimed digest: sent at `at`, or the error that stopped it."""
    values: dict[str, Any] = {"sent_at": at} if error is None else {"error": error[:255]}
    session.execute(
        update(DigestSent).where(DigestSent.official_id == official_id, DigestSent.day == day).values(**values)
    )


@dataclass(frozen=True)
class Pruned:
    updates: int
    digests: int


def prune(session: Session, *, updates_before: datetime, digests_before: date) -> Pruned:
    """Forget update ids received before `updates_before` and digest records of days before `digests_before`."""
    updates = session.execute(delete(HandledUpdate).where(HandledUpdate.received_at < updates_before))
    digests = session.execute(delete(DigestSent).where(DigestSent.day < digests_before))
    return Pruned(int(updates.rowcount), int(digests.rowcount))  # type: ignore[attr-defined]
