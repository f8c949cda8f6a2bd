"""SQLAlchemy models of the task side: units, officials, invites, tasks and their history."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from db.clock import as_utc


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, timezone-aware. PostgreSQL keeps it as `timestamptz`; SQLite has no zones, so the
    value is written as naive UTC and read back aware. A naive value given to it is taken as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    pass


class UnitKind(enum.StrEnum):
    CENTRAL = "central"
    MINISTRY = "ministry"
    PROVINCE = "province"
    DEPARTMENT = "department"
    COMMUNE = "commune"
    OTHER = "other"


class Role(enum.StrEnum):
    OFFICIAL = "official"
    LEADER = "leader"
    ADMIN = "admin"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class TaskClass(enum.StrEnum):
    """The categories of the national monitoring system, as of a given date."""

    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    RECURRING = "recurring"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native enum type) so PostgreSQL and SQLite share one schema.
    return Enum(cls, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e], length=16)


class Unit(Base):
    """A unit in the tree central committee → ministries/provinces → departments/communes.

    `lft`/`rgt` are nested-set bounds (renumbered whenever units change), so a subtree is
    one index range: `lft BETWEEN x.lft AND x.rgt`.
    """

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[UnitKind] = mapped_column(_enum(UnitKind, "unit_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    lft: Mapped[int] = mapped_column(Integer, default=0)
    rgt: Mapped[int] = mapped_column(Integer, default=0)
    depth: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    __table_args__ = (Index("ix_unit_lft_rgt", "lft", "rgt"),)


class Official(Base):
    __tablename__ = "official"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(255))
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    digest: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    unit: Mapped[Unit] = relationship()


class Invite(Base):
    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    full_name: Mapped[str | None] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("official.id"))
    # set: the invite re-links this official (e.g. to a new Telegram account) instead of creating one
    official_id: Mapped[int | None] = mapped_column(ForeignKey("official.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship()


class InviteAttempt(Base):
    """A wrong invite code sent by a Telegram user: kept in the database so that the limit on wrong
    codes holds across restarts and across bot processes."""

    __tablename__ = "invite_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_invite_attempt_user_at", "telegram_user_id", "at"),)


class Task(Base):
    __tablename__ = "task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    source_symbol: Mapped[str | None] = mapped_column(String(64))
    source_section: Mapped[str | None] = mapped_column(String(255))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    cooperating: Mapped[list[str]] = mapped_column(JSON, default=list)
    assigned_on: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)  # NULL: recurring (thường xuyên)
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus, "task_status"), default=TaskStatus.OPEN)
    completed_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now(), onupdate=func.now())

    lead_unit: Mapped[Unit] = relationship(foreign_keys=[lead_unit_id])
    assigned_by: Mapped[Unit | None] = relationship(foreign_keys=[assigned_by_id])

    __table_args__ = (
        # Covering indexes: the summaries and due/overdue lists read only these columns.
        Index("ix_task_lead", "lead_unit_id", "deadline", "completed_on", "assigned_on"),
        Index("ix_task_assigned_by", "assigned_by_id", "lead_unit_id", "deadline", "completed_on", "assigned_on"),
        # The tally read for a date other than its pivot visits only the tasks with a date in between.
        Index("ix_task_deadline", "deadline"),
        Index("ix_task_completed_on", "completed_on"),
        Index("ix_task_assigned_on", "assigned_on"),
    )


class TaskTally(Base):
    """How many tasks each (lead unit, assigning unit) had in each monitoring category as of the pivot date
    (TaskTallyState). Kept by database triggers on `task` (migration 0006_counts) in the transaction of every
    change; read through db/tally.py, which corrects it to any as-of date."""

    __tablename__ = "task_tally"

    lead_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assigned_by_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: no assigning unit
    # The lead unit's nested-set lft, kept by a trigger on unit: a subtree's rows are one index range.
    lead_lft: Mapped[int] = mapped_column(Integer, server_default="0")
    done_on_time: Mapped[int] = mapped_column(Integer, server_default="0")
    done_late: Mapped[int] = mapped_column(Integer, server_default="0")
    in_progress: Mapped[int] = mapped_column(Integer, server_default="0")
    overdue: Mapped[int] = mapped_column(Integer, server_default="0")
    recurring: Mapped[int] = mapped_column(Integer, server_default="0")
    later: Mapped[int] = mapped_column(Integer, server_default="0")  # assigned after the pivot

    __table_args__ = (
        Index("ix_task_tally_assigned_by", "assigned_by_id", "lead_unit_id"),
        Index("ix_task_tally_lead_lft", "lead_lft"),
    )


class TaskTallyState(Base):
    """One row (id 1): the date the tally's categories are taken at."""

    __tablename__ = "task_tally_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pivot: Mapped[date] = mapped_column(Date)


class TaskEvent(Base):
    """One change to a task: who, when, what, with an optional note and evidence file."""

    __tablename__ = "task_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("official.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    kind: Mapped[str] = mapped_column(String(32))  # created, updated, imported, progress, done
    changes: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(String(512))


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now(), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("official.id"))
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(16))  # cli, telegram, console
    action: Mapped[str] = mapped_column(String(64))
    allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[str | None] = mapped_column(Text)


class Feedback(Base):
    """An answer the assistant gave (question, answer text, citations) and the asker's vote on it, if any."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now(), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("official.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # telegram, console
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    found: Mapped[bool] = mapped_column(Boolean, default=False)
    citations: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    vote: Mapped[int | None] = mapped_column(Integer)  # +1 👍, -1 👎, NULL: not voted
    voted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DigestSent(Base):
    """The morning digest of one official on one day (TZ_NAME's date). The row is the claim: it is inserted
    before sending, and the primary key lets only one process (replica, restart) win it."""

    __tablename__ = "digest_sent"

    official_id: Mapped[int] = mapped_column(ForeignKey("official.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # NULL: being sent, or failed (see error)
    error: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (
        PrimaryKeyConstraint("official_id", "day", name="pk_digest_sent"),
        Index("ix_digest_sent_day", "day"),
    )


class HandledUpdate(Base):
    """A Telegram update taken for handling by some bot process: one row per (bot, update_id), so an update
    Telegram delivers again (to this replica or another) is handled once. `owner` is the process that took it;
    `done_at` stays NULL until its handlers have run, so that one whose process died can be taken over."""

    __tablename__ = "handled_update"

    bot_id: Mapped[int] = mapped_column(BigInteger)
    update_id: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    owner: Mapped[str] = mapped_column(String(32))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        PrimaryKeyConstraint("bot_id", "update_id", name="pk_handled_update"),
        Index("ix_handled_update_received_at", "received_at"),
    )


class JobKind(enum.StrEnum):
    RELOAD = "reload"  # the documents and uploads folders, synced whole (/reload, `troly ingest --queue`)
    UPLOAD = "upload"  # one document someone sent (its bytes wait in the blob store)
    INGEST = "ingest"  # given paths (`troly ingest --queue PATH…`)


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class IngestJob(Base):
    """A document sync handed to `troly worker`: queued by the bot or the CLI, claimed by one worker at a time
    (its heartbeat says it is alive; a job whose heartbeat stopped is taken over), with its progress and report
    for whoever asked (the bot edits the message `chat_id`/`message_id` from this row)."""

    __tablename__ = "ingest_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[JobKind] = mapped_column(_enum(JobKind, "job_kind"))
    args: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    state: Mapped[JobState] = mapped_column(_enum(JobState, "job_state"), default=JobState.QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    current: Mapped[str] = mapped_column(String(512), default="")
    result: Mapped[dict[str, object] | None] = mapped_column(JSON)  # the sync report
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("official.id"))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the final report was sent (once)

    __table_args__ = (Index("ix_ingest_job_state", "state", "id"),)


class Blob(Base):
    """A stored file (an uploaded document, task evidence, an upload waiting for its job), by key: in the
    database so that every bot replica and worker reads what another one received."""

    __tablename__ = "blob"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())


# -- the document catalog (retrieval/index.py reads and writes these; vectors live in Chroma) -----------
# Lexical search is dialect-specific and created by the migration, not declared here: on SQLite two FTS5
# tables (catalog_chunk_fts, catalog_chunk_raw) keyed by catalog_chunk.pk; on PostgreSQL two tsvector
# columns of catalog_chunk (lex, raw) with GIN indexes.


class CatalogState(Base):
    """The one row of deployment-wide index state: the generation every cache is keyed on, live counts
    (so no question counts the chunk table), the embedder, the deployment id and its Chroma collection."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
    chunks: Mapped[int] = mapped_column(BigInteger, default=0)
    lexical_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    embedder: Mapped[str | None] = mapped_column(String(255))
    deployment: Mapped[str] = mapped_column(String(64))
    collection: Mapped[str | None] = mapped_column(String(128))
    retired_collection: Mapped[str | None] = mapped_column(String(128))
    retired_at: Mapped[float | None] = mapped_column(Float)
    changed_at: Mapped[str | None] = mapped_column(String(32))
    # The cutoff of the last garbage collection: vectors written before it were looked at then.
    gc_cutoff: Mapped[float | None] = mapped_column(Float)


class CatalogDocument(Base):
    """A live document: the version of its name in use."""

    __tablename__ = "catalog_document"

    doc_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    version: Mapped[str] = mapped_column(String(128))
    title: Mapped[str | None] = mapped_column(Text)
    symbol: Mapped[str | None] = mapped_column(String(255))
    doc_type: Mapped[str | None] = mapped_column(String(255))
    issuer: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(16))
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    indexed_at: Mapped[str | None] = mapped_column(String(32), index=True)  # when it went live
    number: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[str | None] = mapped_column(String(128))
    source: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(BigInteger)


class CatalogChunk(Base):
    """A passage of a live document; `id` is also its vector's id in Chroma."""

    __tablename__ = "catalog_chunk"

    pk: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    doc_id: Mapped[str] = mapped_column(String(512), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    lex_len: Mapped[int] = mapped_column(Integer, default=0)  # folded tokens, for BM25's length norm


class CatalogVersion(Base):
    """Every distinct content a document name has had; the live one is catalog_document.number."""

    __tablename__ = "catalog_version"

    doc_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    content: Mapped[str] = mapped_column(String(128))
    version: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    symbol: Mapped[str | None] = mapped_column(String(255))
    chunks: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[str | None] = mapped_column(String(32))


class CatalogArchivedChunk(Base):
    """The text of versions no longer live (never lost silently; `troly docs history`)."""

    __tablename__ = "catalog_archived_chunk"

    doc_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)


class CatalogTerm(Base):
    """How many live chunks hold each folded token, and each phrase of two adjacent tokens ("ho so"), kept
    as chunks are written and removed: a question on a large index reads the rarity of its words and
    phrases here instead of counting matches."""

    __tablename__ = "catalog_term"

    term: Mapped[str] = mapped_column(Text, primary_key=True)
    chunks: Mapped[int] = mapped_column(BigInteger, default=0)


class CatalogRawTerm(Base):
    """How many live chunks hold each word with its diacritics (lower-cased, as the raw full-text index
    splits it), kept like catalog_term: whether the index knows a word is one look-up, not a search."""

    __tablename__ = "catalog_raw_term"

    term: Mapped[str] = mapped_column(Text, primary_key=True)
    chunks: Mapped[int] = mapped_column(BigInteger, default=0)


class CatalogVector(Base):
    """A vector this deployment wrote to Chroma, recorded before the write: garbage collection deletes only
    these, and only once the catalog no longer references them and they are older than a grace period."""

    __tablename__ = "catalog_vector"
    __table_args__ = (
        Index(
            "ix_catalog_vector_kept",
            "written_at",
            sqlite_where=sql_text("vector IS NOT NULL"),
            postgresql_where=sql_text("vector IS NOT NULL"),
        ),
    )

    collection: Mapped[str] = mapped_column(String(128), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    written_at: Mapped[float] = mapped_column(Float, index=True)  # epoch seconds
    written_by: Mapped[str | None] = mapped_column(String(64))  # the sync lock token of the writer
    # With embedded Chroma, the vector itself (float32) for a day: a process whose client loaded before it
    # went live compares it in memory instead of reloading every vector.
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)


class EmbeddingCache(Base):
    """Passage vectors by model and text hash: an unchanged corpus computes no embedding, on any machine."""

    __tablename__ = "embedding_cache"

    model: Mapped[str] = mapped_column(String(255), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class SyncLock(Base):
    """Who is syncing the index (one sync at a time across every process). A holder refreshes `heartbeat_at`;
    one whose heartbeat is older than the expiry is taken for dead and the lock taken over."""

    __tablename__ = "sync_lock"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    holder: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(255))  # a holder on this host whose pid is gone is dead at once
    pid: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[float] = mapped_column(Float)
    heartbeat_at: Mapped[float] = mapped_column(Float)
