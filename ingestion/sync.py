"""The sync pipeline: bring folders/files into the index, by content hash.

New and changed files are loaded, chunked, embedded (through the content-hash cache) and written;
unchanged ones are skipped without being read past their bytes. Documents are dropped only for files
deleted from a folder synced as a whole (the documents folder and the uploads folder by default, or any
folder with `prune`), and every drop is listed. A document's identity is its file name (document_name);
new content under a known name is a new version of it and the replaced version stays in the history.
A file that fails is reported with its reason and the rest of the run goes on. See retrieval/index.py
for why a crash at any point leaves the previous index answering.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ingestion.chunking import chunk_document
from ingestion.errors import IngestError, SyncInterrupted, UnsupportedFile
from ingestion.loaders import DEFAULT_LIMITS, SUPPORTED_SUFFIXES, Limits, LoadedDocument, load_document
from retrieval.embedders import PARALLEL_FROM
from retrieval.index import DocumentIndex, DocumentWrite, IndexedDocument, Provenance
from retrieval.protocols import Embedder, RetrievalSettings
from retrieval.types import Chunk, DocumentMeta

log = logging.getLogger(__name__)

# Bump when loading, chunking or a passage's search words change in a way that should re-index unchanged files
# (6: each passage holds the place its document's issuer is of).
PIPELINE_VERSION = "6"
_SIDECARS = (".meta.yaml", ".meta.yml", ".yaml", ".yml")
UPLOADS_PREFIX = "uploads/"  # the key of an uploaded document in the store: uploads/<safe name>
STORED_SOURCE = "blob:"  # a version's source when its bytes are in the store, e.g. blob:uploads/a.md


class UploadStore(Protocol):
    """Where uploaded documents are kept, by key (the deployment's database by default: db/blobs.py), so that
    every bot replica and worker reads what another one received."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def list(self, prefix: str) -> list[Any]:
        """Items with a `key`."""


@dataclass(frozen=True)
class SyncProgress:
    done: int
    total: int
    current: str


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Files that failed, each with why: an error whose message is rendered in the reader's language at the edge.
    failed: list[tuple[str, IngestError]] = field(default_factory=list)
    # Files holding an older version of a document whose newer version stays live: (name, their version, live version).
    older: list[tuple[str, int, int]] = field(default_factory=list)
    # The live version of each document added or updated: name → (live number, the number it replaced or None).
    versions: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    embedded: int = 0  # passages the model actually embedded (0 on an unchanged corpus)
    chunks: int = 0  # chunks written

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self, lang: str = "vi") -> dict[str, object]:
        """The report for machines (`--json`, the audit), each failure's reason in `lang`."""
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": len(self.unchanged),
            # The key and parameters too: a stored report (an ingestion job's) is read later, in the reader's language.
            "failed": [
                {"source": s, "reason": r.render(lang), "key": r.key, "params": _plain(r.params)}
                for s, r in self.failed
            ],
            "embedded": self.embedded,
            "chunks": self.chunks,
            "versions": {n: {"live": live, "previous": prev} for n, (live, prev) in sorted(self.versions.items())},
            "older": [{"source": n, "version": v, "live": live} for n, v, live in self.older],
        }


def _plain(params: dict[str, object]) -> dict[str, object]:
    """An error's parameters as JSON keeps them (numbers and text)."""
    return {k: v if isinstance(v, int | float | str) else str(v) for k, v in params.items()}


@dataclass(frozen=True)
class SourceFile:
    doc_id: str  # the document's name: see document_name()
    path: Path  # where the bytes are read from now
    version: str  # content + pipeline version: changes when the file must be indexed again
    content: str = ""  # the bytes (and sidecars) alone: the same content is the same version of the document
    size: int = 0
    source: str = ""  # the file recorded as the version's origin (an upload's final place, not its staging copy)
    forced: bool = False  # an upload: it becomes the live version even if an older one


def document_name(path: Path) -> str:
    """A document's identity: its file name (NFC), whatever folder it was read from.

    Not the path relative to the folder given, which changed with the folder passed (`troly ingest docs`
    and `troly ingest docs/x.md` named one file twice) and let a file from anywhere replace another one by
    sharing a relative path. The name is what officials and citations (`source`) know the document by, so
    the same name from another folder or an upload is another version of that document, kept in the
    history, never a silent replacement; two different files of one name in one run are refused."""
    return unicodedata.normalize("NFC", path.name)


_UNSAFE = re.compile(r"[^\w.()\-]+", re.UNICODE)


def safe_file_name(name: str, *, max_length: int = 120) -> str:
    """A name fit to store a file someone sent under: the base name only (no folders, no `..`), no control
    or separator characters, not hidden, at most `max_length` characters with its suffix kept. Letters of
    any script stay (Vietnamese names keep their diacritics, composed as NFC)."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if not unicodedata.category(ch).startswith("C"))
    cleaned = _UNSAFE.sub("_", base).strip("._ -")
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot or not stem:
        stem, suffix = cleaned, ""
    suffix = suffix[:10]
    stem = stem[: max(1, max_length - len(suffix) - 1)].rstrip("._ -") or "tai-lieu"
    return f"{stem}.{suffix}" if suffix else stem


def _is_sidecar(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith((".meta.yaml", ".meta.yml")):
        return True
    # "<doc>.yaml" beside "<doc>.<ext>" is that document's metadata, not a document.
    return path.suffix.lower() in (".yaml", ".yml") and any(
        path.with_name(path.stem + s).exists() for s in SUPPORTED_SUFFIXES
    )


def _hashes(path: Path) -> tuple[str, str, int]:
    """(version, content, size): the content hash covers the bytes and metadata sidecars; the version adds
    the pipeline version, so a pipeline change re-indexes the same content as the same document version."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:  # in pieces: a huge file is refused later, not held in memory here
        while block := f.read(1 << 20):
            h.update(block)
            size += len(block)
    for suffix in _SIDECARS:  # metadata sidecars are part of the document
        for side in (path.with_name(path.name + suffix), path.with_suffix(suffix)):
            if side != path and side.exists():
                h.update(side.read_bytes())
    content = h.hexdigest()
    return hashlib.sha256(f"{PIPELINE_VERSION}\0{content}".encode()).hexdigest(), content, size


def _source_file(path: Path, *, name: str | None = None, source: str | None = None, forced: bool = False) -> SourceFile:
    version, content, size = _hashes(path)
    return SourceFile(
        name or document_name(path),
        path,
        version,
        content,
        size,
        source if source is not None else str(path.resolve()),
        forced,
    )


def discover(paths: Iterable[Path]) -> tuple[list[SourceFile], list[tuple[str, IngestError]], set[str]]:
    """(files to index, files skipped with a reason, every file path seen, skipped ones included)."""
    files: list[SourceFile] = []
    skipped: list[tuple[str, IngestError]] = []
    seen: set[str] = set()
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            candidates = sorted(
                p
                for p in root.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
            )
        elif root.is_file():
            candidates = [root]
        else:
            skipped.append((str(root), IngestError("ingest.path_missing", path=root)))
            continue
        for p in candidates:
            name = document_name(p)
            if _is_sidecar(p):
                continue
            seen.add(str(p.resolve()))
            if p.suffix.lower() not in SUPPORTED_SUFFIXES:
                if root.is_file():
                    skipped.append((name, _unsupported(p)))
                continue
            try:
                files.append(_source_file(p))
            except OSError as exc:
                skipped.append((name, IngestError("ingest.cannot_read", path=p, error=exc.strerror or str(exc))))
    return files, skipped, seen


def _unsupported(path: Path) -> IngestError:
    """A file the sync skips for its suffix (not one of the loaders')."""
    if not path.suffix:
        return UnsupportedFile("ingest.no_suffix_skipped", path=path)
    return UnsupportedFile("ingest.suffix_skipped", path=path, suffix=path.suffix)


def _under(source: str, roots: list[Path]) -> bool:
    if not source:  # a catalog from before versions: its files came from the folder synced as a whole
        return True
    path = Path(source)
    return any(path == r or r in path.parents for r in roots)


def embedding_text(meta: DocumentMeta, chunk: Chunk) -> str:
    """What is embedded for a chunk: the symbol and title travel with each passage into its vector,
    so "Nghị quyết 57" finds the passages of that resolution."""
    heading = " — ".join(x for x in (meta.symbol, meta.title) if x)
    return f"{heading}\n{chunk.section}\n{chunk.text}" if heading else chunk.text


class Library:
    """Documents on disk and the index built from them. Uploaded documents are kept in the `uploads` store when
    there is one (the database: any process reads them), else in `uploads_dir` (under TROLY_DATA_DIR, never in the
    documents folder, which may be a source checkout); a sync of the defaults covers both."""

    def __init__(
        self,
        index: DocumentIndex,
        embedder: Embedder,
        docs_dir: Path,
        *,
        uploads_dir: Path | None = None,
        uploads: UploadStore | None = None,
        max_chars: int = 1200,
        batch_chunks: int = PARALLEL_FROM,  # embedded together: a batch this large e5 spreads over its worker processes
        limits: Limits = DEFAULT_LIMITS,
        lock_wait: float = 0.0,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.docs_dir = docs_dir
        self.uploads_dir = uploads_dir
        self.uploads = uploads
        self.max_chars = max_chars
        self.batch_chunks = batch_chunks
        self.limits = limits
        self.lock_wait = lock_wait  # seconds to wait for another process's sync before saying who runs it
        self._stop = threading.Event()

    def stop(self) -> None:
        """Stop a running sync (from another thread or a signal handler): the embedding workers are stopped at
        once, the sync raises SyncInterrupted before its next document. Documents written so far stay; the
        rest is picked up by the next sync. The library is not meant to sync again after this."""
        self._stop.set()
        close = getattr(self.embedder, "close", None)
        if callable(close):
            close()

    def close(self) -> None:
        close = getattr(self.embedder, "close", None)
        if callable(close):
            close()
        self.index.close()

    def default_paths(self) -> list[Path]:
        """What a sync with no paths covers, each folder as a whole."""
        paths = [self.docs_dir]
        if self.uploads_dir is not None and self.uploads_dir.is_dir():
            paths.append(self.uploads_dir)
        return paths

    def sync(
        self,
        paths: list[Path] | None = None,
        *,
        prune: bool = False,
        rebuild: bool = False,
        progress: Callable[[SyncProgress], None] | None = None,
        holder: str = "troly ingest",
    ) -> SyncReport:
        """Add and update documents from `paths` (default: the documents and uploads folders, synced as a
        whole). Documents are removed only for files gone from a folder synced as a whole: the defaults, or
        `paths` themselves with `prune`. One sync at a time in the deployment: SyncBusy names who runs one."""
        targets = paths or self.default_paths()
        with self.index.sync_lock(holder, wait=self.lock_wait):
            files, skipped, seen = discover(targets)
            whole = [Path(p).resolve() for p in targets] if (prune or not paths) else []
            staging = None if paths or self.uploads is None else Path(tempfile.mkdtemp(prefix="troly-uploads-"))
            try:
                if staging is not None:
                    files += self._stored_uploads(staging)
                return self._run(files, skipped, whole, seen, rebuild=rebuild, progress=progress)
            finally:
                if staging is not None:
                    shutil.rmtree(staging, ignore_errors=True)

    def _stored_uploads(self, staging: Path) -> list[SourceFile]:
        """The uploaded documents of the store, copied to `staging` to be read like files (each in its own folder:
        no sidecar of another one is taken for its metadata)."""
        assert self.uploads is not None
        files = []
        for n, item in enumerate(self.uploads.list(UPLOADS_PREFIX)):
            data = self.uploads.get(item.key)
            if data is None:  # removed since the listing
                continue
            path = staging / str(n) / item.key.removeprefix(UPLOADS_PREFIX)
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            files.append(_source_file(path, source=STORED_SOURCE + item.key))
        return files

    def add_upload(
        self,
        filename: str,
        data: bytes,
        *,
        progress: Callable[[SyncProgress], None] | None = None,
    ) -> SyncReport:
        """Index a document someone sent and keep it (in the store, else the uploads folder) under a safe name. It becomes the
        live version of the document of that name (the previous version stays in the history). A file that
        fails is not kept anywhere."""
        if self.uploads_dir is None and self.uploads is None:
            raise IngestError("ingest.no_uploads_dir")
        name = safe_file_name(filename)
        report = SyncReport()
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            report.failed.append((name, _unsupported(Path(name))))
            return report
        if self.uploads is not None:  # kept in the store once indexed; staged in a private temporary folder
            staging = Path(tempfile.mkdtemp(prefix="troly-incoming-"))
        else:
            assert self.uploads_dir is not None
            self.uploads_dir.mkdir(parents=True, exist_ok=True)
            # Staged beside the uploads folder (same file system: the final move is atomic), never inside a
            # folder that is synced: a file that fails to load leaves nothing behind.
            staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=self.uploads_dir.parent))
        try:
            staged = staging / name
            staged.write_bytes(data)
            key = UPLOADS_PREFIX + name
            target = self.uploads_dir / name if self.uploads is None and self.uploads_dir is not None else None
            source = str(target.resolve()) if target is not None else STORED_SOURCE + key
            upload = _source_file(staged, name=name, source=source, forced=True)
            with self.index.sync_lock(f"tải lên {name}", wait=self.lock_wait):
                report = self._run([upload], [], [], set(), progress=progress)
            if not any(failed == name for failed, _ in report.failed):
                if target is not None:
                    os.replace(staged, target)
                else:  # indexed first: a job stopped in between runs again and stores it then
                    assert self.uploads is not None
                    self.uploads.put(key, data)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return report

    def _plan(
        self,
        files: list[SourceFile],
        whole: list[Path],
        seen: set[str],
        before: dict[str, IndexedDocument],
        report: SyncReport,
    ) -> tuple[list[SourceFile], list[str]]:
        """Which file (if any) of each name becomes or stays live, and which documents are removed."""
        known: dict[str, dict[str, int]] = {}
        for v in self.index.versions():
            known.setdefault(v.doc_id, {})[v.content] = v.number
        by_name: dict[str, list[SourceFile]] = {}
        for f in files:
            by_name.setdefault(f.doc_id, []).append(f)
        chosen: list[SourceFile] = []
        for name, candidates in by_name.items():
            live = before.get(name)
            versions = known.get(name, {})
            fresh: dict[str, list[SourceFile]] = {}
            for c in candidates:
                if c.content not in versions:
                    fresh.setdefault(c.content, []).append(c)
            forced = [c for c in candidates if c.forced]
            gone = live is not None and _under(live.source, whole) and live.source not in seen
            choice: SourceFile | None
            if forced:
                choice = forced[0]
            elif len(fresh) > 1:
                # Two different files claim one name: neither silently replaces the other.
                clash = ", ".join(str(c.path) for group in fresh.values() for c in group)
                clashing = sum(map(len, fresh.values()))
                report.failed.append((name, IngestError("ingest.name_clash", n=clashing, files=clash)))
                continue
            elif fresh:
                choice = next(iter(fresh.values()))[0]  # new content: the next version
            elif live is not None and any(c.content == live.content for c in candidates):
                same = [c for c in candidates if c.content == live.content]
                choice = next((c for c in same if c.source == live.source), same[0])
            elif live is not None and any(c.source == live.source for c in candidates):
                choice = next(
                    c for c in candidates if c.source == live.source
                )  # its file went back to an older version
            elif live is None or gone:
                choice = max(candidates, key=lambda c: versions.get(c.content, 0))  # bring back the newest one found
            else:
                for c in candidates:  # an older version: the newer one stays live
                    report.older.append((name, versions[c.content], live.number))
                continue
            chosen.append(choice)
        removed = sorted(
            name
            for name, doc in before.items()
            if name not in by_name and _under(doc.source, whole) and doc.source not in seen
        )
        return chosen, removed

    def _run(
        self,
        files: list[SourceFile],
        skipped: list[tuple[str, IngestError]],
        whole: list[Path],
        seen: set[str],
        *,
        rebuild: bool = False,
        progress: Callable[[SyncProgress], None] | None = None,
    ) -> SyncReport:
        report = SyncReport()
        report.failed.extend(skipped)
        before = self.index.documents()
        chosen, removed = self._plan(files, whole, seen, before, report)
        # A rebuild writes every vector into a new collection; the live one keeps serving until it is complete.
        target = self.index.start_rebuild() if rebuild else None
        staged: list[tuple[DocumentWrite, Provenance]] = []
        indexed = {} if rebuild else before
        computed_before = getattr(self.embedder, "computed", 0)
        todo = [f for f in chosen if indexed.get(f.doc_id) is None or indexed[f.doc_id].version != f.version]
        report.unchanged = sorted(f.doc_id for f in chosen if f not in todo)
        total = len(todo) + len(removed)
        done = 0
        # Files are embedded in batches (the embedder spreads a batch over its worker processes),
        # then each document is written on its own, so a crash never leaves half of one.
        batch: list[tuple[SourceFile, LoadedDocument, list[Chunk]]] = []

        def flush() -> None:
            nonlocal done
            if not batch:
                return
            texts = [embedding_text(doc.meta, c) for _, doc, chunks in batch for c in chunks]
            if self._stop.is_set():
                raise SyncInterrupted()
            try:
                vectors = self.embedder.embed(texts)
            except Exception as exc:  # noqa: BLE001 - the model failing fails these files, not the run
                if self._stop.is_set():  # the workers were stopped under it
                    raise SyncInterrupted() from exc
                log.exception("embedding failed")
                report.failed.extend(
                    (f.doc_id, IngestError("ingest.embedding_failed", path=f.path, error=str(exc))) for f, _, _ in batch
                )
                batch.clear()
                return
            writes, start = [], 0
            for f, doc, chunks in batch:
                writes.append((f.doc_id, f.version, doc.meta, chunks, vectors[start : start + len(chunks)]))
                start += len(chunks)
            provenance = [Provenance(f.content, f.size, f.source) for f, _, _ in batch]
            if target is not None:
                self.index.stage_documents(target, writes)
                staged.extend(zip(writes, provenance, strict=True))
                batch.clear()
                return
            numbers = self.index.write_documents(writes, provenance)
            for f, _, chunks in batch:
                previous = before.get(f.doc_id)
                (report.updated if previous is not None else report.added).append(f.doc_id)
                report.versions[f.doc_id] = (numbers[f.doc_id], previous.number if previous is not None else None)
                report.chunks += len(chunks)
            batch.clear()

        pending = 0
        for f in todo:
            if self._stop.is_set():
                raise SyncInterrupted()
            if progress:
                progress(SyncProgress(done, total, f.doc_id))
            try:
                doc = load_document(f.path, self.limits)
                chunks = chunk_document(doc, max_chars=self.max_chars)
                if not chunks:
                    raise IngestError("ingest.nothing_to_index", path=f.path)
            except IngestError as exc:
                report.failed.append((f.doc_id, exc))
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
                log.exception("ingesting %s failed", f.doc_id)
                report.failed.append((f.doc_id, IngestError("ingest.unexpected", path=f.path, error=str(exc))))
            else:
                batch.append((f, doc, chunks))
                pending += len(chunks)
                if pending >= self.batch_chunks:
                    flush()
                    pending = 0
            done += 1
        flush()
        if self._stop.is_set():
            raise SyncInterrupted()
        if target is not None:
            numbers = self.index.finish_rebuild(target, [w for w, _ in staged], [p for _, p in staged])
            for write, _ in staged:
                doc_id = write[0]
                previous = before.get(doc_id)
                (report.updated if previous is not None else report.added).append(doc_id)
                report.versions[doc_id] = (numbers[doc_id], previous.number if previous is not None else None)
                report.chunks += len(write[3])
            removed = [doc_id for doc_id in removed if doc_id in numbers]
        for doc_id in removed:
            if progress:
                progress(SyncProgress(done, total, doc_id))
            self.index.remove_document(doc_id)
            report.removed.append(doc_id)
            done += 1
        if rebuild:  # documents whose files were not among the paths: listed, their text kept in the history
            live = self.index.documents()
            report.removed = sorted(set(report.removed) | {d for d in before if d not in live})
        if todo or removed or rebuild:
            self.index.collect_garbage()
        if progress:
            progress(SyncProgress(total, total, ""))
        report.embedded = getattr(self.embedder, "computed", 0) - computed_before
        return report


class LibrarySettings(RetrievalSettings, Protocol):
    """What a Library is built from (bot.config.Settings has it; ingestion knows no bot)."""

    @property
    def docs_dir(self) -> Path: ...
    @property
    def max_document_chars(self) -> int: ...


def build_library(settings: LibrarySettings, *, uploads: UploadStore | None = None) -> Library:
    """A Library for the configured data dir, embedder, Chroma and documents folder; uploaded documents are kept
    in `uploads` when given (the entry points pass the database's store), else under TROLY_DATA_DIR/uploads."""
    from retrieval.build import build_embedder, build_index

    embedder = build_embedder(settings)
    return Library(
        # The library is what `troly ingest --rebuild` runs on: an index from before the catalog moved into
        # the database is no reason to refuse it.
        build_index(settings, embedder, legacy_ok=True),
        embedder,
        Path(settings.docs_dir),
        uploads_dir=Path(settings.data_dir) / "uploads",
        uploads=uploads,
        limits=Limits(max_chars=settings.max_document_chars or DEFAULT_LIMITS.max_chars),
    )
