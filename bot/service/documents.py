"""Use cases of documents (admins): re-sync the documents folder, add an uploaded document, refuse files."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.i18n import t
from bot.service.access import ServiceBase, _safe_name
from bot.service.errors import ServiceError
from bot.service.views import Caller, SyncView
from db.models import Role
from ingestion.loaders import LOADERS

if TYPE_CHECKING:
    from ingestion.sync import SyncProgress, SyncReport

log = logging.getLogger(__name__)

TASK_FILE_SUFFIXES = (".xlsx", ".xlsm", ".csv")
DOCUMENT_SUFFIXES: tuple[str, ...] = tuple(LOADERS)  # what the loaders read, nothing copied


class DocumentCases(ServiceBase):
    """The document library: /reload, uploads."""

    def reload(
        self, who: Caller, progress: Callable[[SyncProgress], None] | None = None, *, rebuild: bool = False
    ) -> SyncView:
        """Re-sync the documents folder (long: call from a worker thread; `progress` is called from it)."""
        with self._request(who, "reload", "rebuild" if rebuild else "", role=Role.ADMIN) as req:
            library = self._library(req.me.lang)
        report = _interruptible(lambda: library.sync(rebuild=rebuild, progress=progress), req.me.lang)
        self._audit(who, "reload_done", allowed=True, detail=_sync_detail(report), official_id=req.me.id)
        return SyncView(report, req.me.lang)

    def add_document(
        self,
        who: Caller,
        filename: str,
        data: bytes,
        progress: Callable[[SyncProgress], None] | None = None,
    ) -> SyncView:
        """An admin's upload: kept under TROLY_DATA_DIR/uploads by a safe base name, indexed as the live version
        of the document of that name (a previous version stays in the history); a file that fails is not kept."""
        from ingestion.sync import safe_file_name

        name = safe_file_name(filename)
        with self._request(who, "adddoc", name, role=Role.ADMIN) as req:
            library = self._library(req.me.lang)
            if not name.lower().endswith(DOCUMENT_SUFFIXES):
                raise ServiceError(t("doc.bad_type", req.me.lang, types=" ".join(DOCUMENT_SUFFIXES)), req.me.lang)
        report = _interruptible(lambda: library.add_upload(name, data, progress=progress), req.me.lang)
        self._audit(who, "adddoc_done", allowed=True, detail=f"{name} | {_sync_detail(report)}", official_id=req.me.id)
        return SyncView(report, req.me.lang, added_file=name)

    def refuse_file(self, who: Caller, filename: str) -> None:
        """A file sent without a command by someone who may not ingest or import: audited, then refused."""
        with self._request(who, "file", _safe_name(filename), role=Role.ADMIN):
            pass


def _interruptible(sync: Callable[[], SyncReport], lang: str) -> SyncReport:
    """Run a document sync; one stopped because the bot is shutting down is said as such."""
    from ingestion.errors import SyncInterrupted

    try:
        return sync()
    except SyncInterrupted as exc:
        raise ServiceError(t("reload.interrupted", lang), lang) from exc


def _sync_detail(report: SyncReport) -> str:
    counts = {
        "added": len(report.added),
        "updated": len(report.updated),
        "removed": len(report.removed),
        "unchanged": len(report.unchanged),
        "failed": len(report.failed),
    }
    return " ".join(f"{name}={n}" for name, n in counts.items())
