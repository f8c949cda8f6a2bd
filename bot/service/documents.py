"""Use cases of documents (admins): re-sync the documents folder, add an uploaded document, refuse files."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.i18n import t
from bot.service.access import ServiceBase, _safe_name
from bot.service.errors import ServiceError
from bot.service.views import Caller, JobView, SyncView
from db import jobs
from db.models import JobKind, JobState, Official, Role
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

    # ------------------------------------------------------------------ as jobs for `troly worker` (INGEST_MODE=queue)

    def queue_reload(
        self, who: Caller, *, rebuild: bool = False, chat_id: int | None = None, message_id: int | None = None
    ) -> JobView:
        """/reload as a job; `chat_id`/`message_id`: the message that shows its progress (kept in the job row, so
        whichever bot replica is running edits it)."""
        with self._request(who, "reload", "queued rebuild" if rebuild else "queued", role=Role.ADMIN) as req:
            job_id = jobs.enqueue(
                req.session,
                JobKind.RELOAD,
                {"paths": [], "prune": False, "rebuild": rebuild},
                official_id=req.me.id,
                chat_id=chat_id,
                message_id=message_id,
            )
            req.detail += f" | job {job_id}"
            return JobView(job_id, "queued", req.me.lang, ahead=jobs.ahead_of(req.session, job_id))

    def queue_upload(
        self, who: Caller, filename: str, data: bytes, *, chat_id: int | None = None, message_id: int | None = None
    ) -> JobView:
        """An upload as a job: the bytes wait in the store (any worker reads them) until the job has indexed and
        kept the document, or refused it; then the waiting copy is deleted."""
        from bot.worker import INCOMING_PREFIX
        from ingestion.sync import safe_file_name

        name = safe_file_name(filename)
        with self._request(who, "adddoc", f"{name} | queued", role=Role.ADMIN) as req:
            if not name.lower().endswith(DOCUMENT_SUFFIXES):
                raise ServiceError(t("doc.bad_type", req.me.lang, types=" ".join(DOCUMENT_SUFFIXES)), req.me.lang)
            key = f"{INCOMING_PREFIX}{uuid.uuid4().hex}/{name}"
            self.services.store.put(key, data)
            job_id = jobs.enqueue(
                req.session,
                JobKind.UPLOAD,
                {"name": name, "blob": key},
                official_id=req.me.id,
                chat_id=chat_id,
                message_id=message_id,
            )
            req.detail += f" | job {job_id}"
            return JobView(job_id, "queued", req.me.lang, ahead=jobs.ahead_of(req.session, job_id), added_file=name)

    def job_status(self, job_id: int) -> JobView | None:
        """A job as its requester sees it, in their language (for the bot following the job: no caller to check,
        the job row says who asked and where)."""
        with self.db.session() as s:
            job = jobs.get(s, job_id)
            if job is None:
                return None
            official = s.get(Official, job.official_id) if job.official_id is not None else None
            lang = (official.language if official is not None else None) or "vi"
            ahead = jobs.ahead_of(s, job_id) if job.state == JobState.QUEUED else 0
        added = str(job.args.get("name")) if job.kind == JobKind.UPLOAD else None
        report = SyncView(report_from_dict(job.result), lang, added_file=added) if job.result is not None else None
        return JobView(
            job.id,
            job.state.value,
            lang,
            done=job.done,
            total=job.total,
            current=job.current,
            ahead=ahead,
            report=report,
            error=job.error,
            added_file=added,
        )

    def claim_job_report(self, job_id: int) -> bool:
        """Whether this process sends a finished job's report: exactly one bot replica does."""
        with self.db.session() as s:
            return jobs.claim_report(s, job_id, now=self.time.now())

    def followed_jobs(self) -> list[tuple[int, int, int]]:
        """(job id, chat id, message id) of the jobs whose report nobody has sent yet: a bot (re)starting follows
        them again."""
        with self.db.session() as s:
            return [(j.id, j.chat_id, j.message_id) for j in jobs.unreported(s) if j.chat_id and j.message_id]

    def refuse_file(self, who: Caller, filename: str) -> None:
        """A file sent without a command by someone who may not ingest or import: audited, then refused."""
        with self._request(who, "file", _safe_name(filename), role=Role.ADMIN):
            pass


def _interruptible(sync: Callable[[], SyncReport], lang: str) -> SyncReport:
    """Run a document sync; one stopped because the bot is shutting down is said as such."""
    from ingestion.errors import SyncInterrupted
    from retrieval.errors import SyncBusy

    try:
        return sync()
    except SyncInterrupted as exc:
        raise ServiceError(t("reload.interrupted", lang), lang) from exc
    except SyncBusy as exc:  # another replica or `troly ingest` is syncing: say who, lose nothing
        raise ServiceError(exc.render(lang), lang) from exc


def _sync_detail(report: SyncReport) -> str:
    counts = {
        "added": len(report.added),
        "updated": len(report.updated),
        "removed": len(report.removed),
        "unchanged": len(report.unchanged),
        "failed": len(report.failed),
    }
    return " ".join(f"{name}={n}" for name, n in counts.items())


def report_from_dict(data: dict[str, Any]) -> SyncReport:
    """A sync report from its stored form (`SyncReport.as_dict`, which keeps only the number of unchanged
    documents: the report counts them, it does not list them). A failure's reason comes back as its message
    key and parameters, so the reader sees it in their language; a stored text without them stays as it is."""
    from ingestion.errors import IngestError
    from ingestion.sync import SyncReport

    def reason(f: dict[str, Any]) -> IngestError:
        if f.get("key"):
            return IngestError(str(f["key"]), **dict(f.get("params") or {}))
        return IngestError("ingest.reason", reason=str(f["reason"]))

    return SyncReport(
        added=list(data.get("added", [])),
        updated=list(data.get("updated", [])),
        removed=list(data.get("removed", [])),
        unchanged=[""] * int(data.get("unchanged", 0) or 0),
        failed=[(str(f["source"]), reason(f)) for f in data.get("failed", [])],
        older=[(str(o["source"]), int(o["version"]), int(o["live"])) for o in data.get("older", [])],
        versions={n: (int(v["live"]), v.get("previous")) for n, v in (data.get("versions") or {}).items()},
        embedded=int(data.get("embedded", 0) or 0),
        chunks=int(data.get("chunks", 0) or 0),
    )
