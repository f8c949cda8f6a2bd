"""The long-lived services, built once from Settings at the entry point (the bot's post_init, the console).

Uploaded documents and task evidence go to one store (`blobs`), the database by default (db/blobs.py): any
replica or worker reads them. With INGEST_MODE=queue the bot builds no document library: /reload and uploads are
jobs for `troly worker`.

The answerer and the document library are optional: if building either fails (no index yet, the LLM
down, the modules not installed), the bot still starts, says so when asked, and task features work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from db.blobs import BlobStore
    from db.session import Database
    from ingestion.sync import Library
    from retrieval.protocols import Answerer

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    blobs: BlobStore | None = None  # None: DatabaseBlobStore(db) (see `store`)
    answerer: Answerer | None = None
    library: Library | None = None
    answerer_error: str | None = None
    library_error: str | None = None

    @property
    def store(self) -> BlobStore:
        """Where uploads and evidence are kept: the given store, else the database."""
        if self.blobs is None:
            from db.blobs import DatabaseBlobStore

            self.blobs = DatabaseBlobStore(self.db)
        return self.blobs

    def close(self) -> None:
        for obj in (self.answerer, self.library):
            close = getattr(obj, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:  # noqa: BLE001 - closing must not mask the real shutdown
                    log.warning("closing %s failed", type(obj).__name__, exc_info=True)
        self.db.dispose()


def build_answerer(settings: Settings) -> tuple[Answerer | None, str | None]:
    try:
        from retrieval.build import build_answerer as build
    except ImportError as exc:
        log.warning("answers unavailable: %s", exc)
        return None, f"retrieval not installed ({exc})"
    try:
        return build(settings), None
    except Exception as exc:  # noqa: BLE001 - any failure leaves the bot up without answers
        log.warning("answers unavailable: %s", exc, exc_info=log.isEnabledFor(logging.DEBUG))
        return None, str(exc) or type(exc).__name__


def build_library(settings: Settings, db: Database | None = None) -> tuple[Library | None, str | None]:
    """The document library; with `db`, uploaded documents are kept in the database (any process reads them)."""
    try:
        from ingestion.sync import build_library as build
    except ImportError as exc:
        log.warning("document sync unavailable: %s", exc)
        return None, f"ingestion not installed ({exc})"
    try:
        from db.blobs import DatabaseBlobStore

        return build(settings, uploads=DatabaseBlobStore(db) if db is not None else None), None
    except Exception as exc:  # noqa: BLE001
        log.warning("document sync unavailable: %s", exc, exc_info=log.isEnabledFor(logging.DEBUG))
        return None, str(exc) or type(exc).__name__


def build_services(settings: Settings, *, answers: bool = True, library: bool = True) -> Services:
    """The database (schema checked: a stale schema is an error worth stopping for), then the optional parts.
    In queue mode the library is `troly worker`'s, not the bot's."""
    from db.blobs import DatabaseBlobStore
    from db.session import Database

    db = Database(settings.database_url)
    services = Services(settings=settings, db=db, blobs=DatabaseBlobStore(db))
    if answers:
        services.answerer, services.answerer_error = build_answerer(settings)
    if library and not settings.queued_ingest:
        services.library, services.library_error = build_library(settings, db)
    return services
