"""Engines, sessions and the schema version check."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from db.errors import DbUnavailable, SchemaOutOfDate

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":  # psycopg 3 is the driver we ship
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        on_disk = bool(parsed.database) and parsed.database != ":memory:"
        if on_disk:
            Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        # The bot runs up to ~20 sessions at once (question threads + the default pool): keep that many
        # connections open rather than reopening (and re-running the pragmas) on each request.
        pooling = {"pool_size": 10, "max_overflow": 20} if on_disk else {}
        engine = create_engine(parsed, connect_args={"timeout": 30}, **pooling)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the schema to head; returns (before, after)."""
    before = current_revision(engine)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    after = current_revision(engine)
    log.info("schema %s -> %s", before, after)
    return before, after


def check_schema(engine: Engine) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaOutOfDate(current, head)


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class Database:
    """An engine plus a session factory; built once at the entry point.

    On SQLite, sessions of this process take turns to write: a session takes a lock at its first write
    and keeps it until it commits. Left to SQLite, concurrent writers sleep in its busy handler (1, 2,
    5 … 100 ms) while the lock holder waits for the GIL; the bot under load spent its question threads so.
    """

    def __init__(self, url: str, *, check: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer: threading.Lock | None = None
        self._local = threading.local()
        if self.engine.dialect.name == "sqlite":
            self._writer = threading.Lock()
            event.listen(self.engine, "before_cursor_execute", self._before_execute)
        if check:
            check_schema(self.engine)

    def _before_execute(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        local = self._local
        if getattr(local, "sessions", 0) and not getattr(local, "writing", False) and self._writer is not None:
            if statement.lstrip()[:6].upper() in _WRITES:
                self._writer.acquire()
                local.writing = True

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        local = self._local
        local.sessions = getattr(local, "sessions", 0) + 1
        try:
            with self.sessions() as s, s.begin():
                yield s
        finally:
            local.sessions -= 1
            if getattr(local, "writing", False) and not local.sessions and self._writer is not None:
                local.writing = False
                self._writer.release()

    def dispose(self) -> None:
        self.engine.dispose()


def unavailable(exc: BaseException, url: str) -> DbUnavailable:
    """A driver's "cannot connect" error as one Vietnamese line naming the server (never the password)."""
    try:
        u = make_url(url)
        where = f"{u.host or 'localhost'}:{u.port or 5432}/{u.database}" if u.host or u.port else str(u.database)
    except Exception:  # noqa: BLE001 - the URL was checked at start; describe it vaguely if not
        where = "(DATABASE_URL)"
    detail = str(getattr(exc, "orig", None) or exc).lower()
    if "password authentication failed" in detail or "authentication failed" in detail or "no password" in detail:
        return DbUnavailable("db.login_refused", where=where)
    if "does not exist" in detail and "database" in detail:
        return DbUnavailable("db.missing", where=where)
    if "unable to open database file" in detail or "readonly" in detail or "read-only" in detail:
        return DbUnavailable("db.cannot_open", where=where)
    if (
        "connection refused" in detail
        or "could not connect" in detail
        or "timeout" in detail
        or "name or service not known" in detail
        or "no route" in detail
        or "failed to resolve" in detail
    ):
        return DbUnavailable("db.unreachable", where=where)
    first = (
        str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    )
    return DbUnavailable("db.failed", where=where, error=first)
