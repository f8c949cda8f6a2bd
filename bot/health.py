"""`troly health` and `/healthz`: is this process's deployment fit to serve?

Four checks, each reported whether it passes or not:

- database: reachable, schema at the head revision (a SQLite file must exist: connecting would create an
  empty one);
- chroma: the embedded folder or the `CHROMA_URL` server answers, the collection is there, and it holds
  at least one vector per live chunk;
- index: documents, chunks, generation and the time of the last change in the catalog (an empty index
  fails: every question would be refused);
- queue: ingestion jobs waiting, running and failed, the oldest waiting one's age and the last heartbeat of a
  worker; it fails when a job has waited more than QUEUE_STALL_MINUTES with no job running (no worker is
  taking jobs).

Every failure is one line a user can read (the messages of db/ and retrieval/ errors, in Vietnamese).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.i18n import t

if TYPE_CHECKING:
    from db.session import Database
    from retrieval.index import DocumentIndex

log = logging.getLogger(__name__)
CHECKS = ("database", "chroma", "index", "queue")
QUEUE_STALL_MINUTES = 5


@dataclass
class Check:
    name: str
    ok: bool
    detail: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **self.detail, "error": self.error}


@dataclass
class HealthReport:
    checks: list[Check]
    took_ms: float = 0.0

    @property
    def healthy(self) -> bool:
        return all(c.ok for c in self.checks)

    def failures(self) -> list[str]:
        """One line per failed check: its label, then the reason."""
        return [t("error.prefix", message=f"{t(f'health.{c.name}')}: {c.error}") for c in self.checks if not c.ok]

    def lines(self) -> list[str]:
        """One line per passed check, for people (the failures are `failures()`)."""
        out = []
        for c in self.checks:
            if not c.ok:
                continue
            d = c.detail
            if c.name == "database":
                summary = t("health.ok_database", **d)
            elif c.name == "chroma":
                summary = t("health.ok_chroma", **d | {"mode": t(f"health.mode.{d['mode']}")})
            elif c.name == "index":
                summary = t("health.ok_index", **d | {"last_change": d["last_change"] or "—"})
            elif c.name == "queue":
                summary = t("health.ok_queue", **d) if d.get("depth") is not None else t("health.queue_not_checked")
            else:
                summary = str(d.get("note", ""))
            out.append(f"✓ {t(f'health.{c.name}')}: {summary}")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "checks": {c.name: c.as_dict() for c in self.checks},
            "took_ms": round(self.took_ms, 1),
        }


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


class HealthCheck:
    """Runs the checks; `db` and `index` are the process's own when it has them (the bot), else opened
    here on first use and closed by `close()`. Safe to call from a worker thread, one call at a time."""

    def __init__(self, settings: Settings, *, db: Database | None = None, index: DocumentIndex | None = None) -> None:
        self.settings = settings
        self._db, self._own_db = db, False
        self._index, self._own_index = index, False

    # -- database ------------------------------------------------------------------------------

    def _sqlite_file(self) -> Path | None:
        from sqlalchemy.engine import make_url

        url = make_url(self.settings.database_url)
        if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
            return Path(url.database)
        return None

    def check_database(self) -> Check:
        from sqlalchemy.exc import DBAPIError

        from db.errors import SchemaOutOfDate
        from db.session import Database, current_revision, head_revision, unavailable

        url = self.settings.database_url
        head = head_revision()
        detail: dict[str, Any] = {"dialect": url.split(":", 1)[0].split("+", 1)[0], "revision": None, "head": head}
        path = self._sqlite_file()
        if path is not None and not path.exists():
            return Check("database", False, detail, t("health.db_file_missing", path=path))
        try:
            if self._db is None:
                self._db, self._own_db = Database(url, check=False), True
            current = current_revision(self._db.engine)
        except DBAPIError as exc:
            return Check("database", False, detail, _one_line(str(unavailable(exc, url))))
        detail["revision"] = current
        if current != head:
            return Check("database", False, detail, _one_line(str(SchemaOutOfDate(current, head))))
        return Check("database", True, detail)

    # -- the document index and its vectors ----------------------------------------------------

    def _open_index(self) -> DocumentIndex:
        if self._index is None:
            from retrieval.build import open_index

            self._index, self._own_index = open_index(self.settings), True
        return self._index

    def check_index_and_chroma(self) -> tuple[Check, Check]:
        from retrieval.errors import RetrievalError

        where = self.settings.chroma_url or str(self.settings.data_dir / "index" / "chroma")
        chroma: dict[str, Any] = {
            "mode": "server" if self.settings.chroma_url else "embedded",
            "at": where,
            "collection": None,
            "vectors": None,
        }
        try:
            index = self._open_index()
            state = index.catalog_state()
            chroma["collection"] = state.collection
        except (RetrievalError, OSError) as exc:
            reason = _one_line(str(exc))
            return (
                Check("index", False, {}, reason),
                Check("chroma", False, chroma, t("health.not_checked", reason=reason)),
            )
        except Exception as exc:  # noqa: BLE001 - e.g. sqlite3.DatabaseError: a damaged catalog file
            reason = t("health.catalog_unreadable", detail=_one_line(str(exc)))
            return (
                Check("index", False, {}, reason),
                Check("chroma", False, chroma, t("health.not_checked", reason=reason)),
            )
        detail = {
            "documents": state.documents,
            "chunks": state.chunks,
            "generation": state.generation,
            "last_change": state.last_change,
            "last_sync": None,
        }
        index_check = (
            Check("index", True, detail) if state.documents else Check("index", False, detail, t("health.index_empty"))
        )
        try:
            vectors = index.vector_count()
        except RetrievalError as exc:
            return index_check, Check("chroma", False, chroma, _one_line(str(exc)))
        chroma["vectors"] = vectors
        if vectors < state.chunks:
            return index_check, Check(
                "chroma", False, chroma, t("health.vectors_missing", vectors=vectors, chunks=state.chunks)
            )
        return index_check, Check("chroma", True, chroma)

    def check_queue(self) -> Check:
        from db import jobs
        from db.clock import utc_now

        if self._db is None:  # the database check failed before opening it
            return Check("queue", False, {"depth": None}, t("health.queue_not_checked"))
        try:
            with self._db.session() as s:
                state = jobs.queue_state(s)
        except Exception as exc:  # noqa: BLE001 - reported as the check's failure
            return Check("queue", False, {"depth": None}, _one_line(str(exc)))
        now = utc_now()
        waited = (now - state.oldest_queued).total_seconds() if state.oldest_queued is not None else None
        detail = {
            "depth": state.queued,
            "running": state.running,
            "failed": state.failed,
            "oldest_wait_s": round(waited) if waited is not None else None,
            "last_heartbeat": state.last_heartbeat.isoformat() if state.last_heartbeat is not None else None,
        }
        if waited is not None and not state.running and waited > QUEUE_STALL_MINUTES * 60:
            return Check("queue", False, detail, t("health.queue_stalled", n=state.queued, minutes=round(waited / 60)))
        return Check("queue", True, detail)

    # -- all -----------------------------------------------------------------------------------

    def run(self) -> HealthReport:
        started = time.perf_counter()
        database = self.check_database()
        index, chroma = self.check_index_and_chroma()
        queue = (
            self.check_queue()
            if database.ok  # else the database's own line says it all: no second failure for the same cause
            else Check("queue", True, {"depth": None, "checked": False})
        )
        checks = [database, chroma, index, queue]
        return HealthReport(checks, (time.perf_counter() - started) * 1000)

    def close(self) -> None:
        if self._own_index and self._index is not None:
            self._index.close()
            self._index = None
        if self._own_db and self._db is not None:
            self._db.dispose()
            self._db = None
