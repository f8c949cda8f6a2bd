"""The sync pipeline: make the index match a set of folders/files, by content hash.

New and changed files are loaded, chunked, embedded (through the content-hash cache) and written;
unchanged ones are skipped without being read past their bytes; removed ones are dropped. A file
that fails is reported with its reason and the rest of the run goes on. See retrieval/index.py for
why a crash at any point leaves the previous index answering.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.chunking import chunk_document
from ingestion.errors import IngestError, SyncInterrupted
from ingestion.loaders import DEFAULT_LIMITS, SUPPORTED_SUFFIXES, Limits, LoadedDocument, load_document
from retrieval.index import DocumentIndex
from retrieval.protocols import Embedder
from retrieval.types import Chunk, DocumentMeta

log = logging.getLogger(__name__)

# Bump when loading or chunking changes in a way that should re-index unchanged files.
PIPELINE_VERSION = "2"
_SIDECARS = (".meta.yaml", ".meta.yml", ".yaml", ".yml")


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
    failed: list[tuple[str, str]] = field(default_factory=list)
    embedded: int = 0  # passages the model actually embedded (0 on an unchanged corpus)
    chunks: int = 0  # chunks written

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added, "updated": self.updated, "removed": self.removed, "unchanged": len(self.unchanged),
            "failed": [{"source": s, "reason": r} for s, r in self.failed], "embedded": self.embedded,
            "chunks": self.chunks,
        }


@dataclass(frozen=True)
class SourceFile:
    doc_id: str  # path relative to its root, with forward slashes
    path: Path
    version: str


def _is_sidecar(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith((".meta.yaml", ".meta.yml")):
        return True
    # "<doc>.yaml" beside "<doc>.<ext>" is that document's metadata, not a document.
    return path.suffix.lower() in (".yaml", ".yml") and any(
        path.with_name(path.stem + s).exists() for s in SUPPORTED_SUFFIXES
    )


def _version(path: Path) -> str:
    h = hashlib.sha256(PIPELINE_VERSION.encode())
    with path.open("rb") as f:  # in pieces: a huge file is refused later, not held in memory here
        while block := f.read(1 << 20):
            h.update(block)
    for suffix in _SIDECARS:  # metadata sidecars are part of the document
        for side in (path.with_name(path.name + suffix), path.with_suffix(suffix)):
            if side != path and side.exists():
                h.update(side.read_bytes())
    return h.hexdigest()


def discover(paths: Iterable[Path]) -> tuple[list[SourceFile], list[tuple[str, str]], list[str]]:
    """(files to index, files skipped with a reason, the doc-id prefixes whose removals count)."""
    files: list[SourceFile] = []
    skipped: list[tuple[str, str]] = []
    scopes: list[str] = []
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            scopes.append("")
            candidates = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
            base = root
        elif root.is_file():
            candidates, base = [root], root.parent
            scopes.append(root.name)
        else:
            skipped.append((str(root), "không tìm thấy tệp hoặc thư mục"))
            continue
        for p in candidates:
            doc_id = p.relative_to(base).as_posix()
            if _is_sidecar(p):
                continue
            if p.suffix.lower() not in SUPPORTED_SUFFIXES:
                if root.is_file():
                    skipped.append((doc_id, f"định dạng {p.suffix or '(không đuôi)'} không được hỗ trợ"))
                continue
            try:
                files.append(SourceFile(doc_id, p, _version(p)))
            except OSError as exc:
                skipped.append((doc_id, f"không đọc được tệp: {exc.strerror or exc}"))
    return files, skipped, scopes


def embedding_text(meta: DocumentMeta, chunk: Chunk) -> str:
    """What is embedded for a chunk: the symbol and title travel with each passage into its vector,
    so "Nghị quyết 57" finds the passages of that resolution."""
    heading = " — ".join(x for x in (meta.symbol, meta.title) if x)
    return f"{heading}\n{chunk.section}\n{chunk.text}" if heading else chunk.text


class Library:
    """Documents on disk and the index built from them."""

    def __init__(
        self, index: DocumentIndex, embedder: Embedder, docs_dir: Path, *, max_chars: int = 1200, batch_chunks: int = 32,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.docs_dir = docs_dir
        self.max_chars = max_chars
        self.batch_chunks = batch_chunks
        self.limits = limits
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

    def sync(
        self, paths: list[Path] | None = None, *, rebuild: bool = False,
        progress: Callable[[SyncProgress], None] | None = None,
    ) -> SyncReport:
        report = SyncReport()
        files, skipped, scopes = discover(paths or [self.docs_dir])
        report.failed.extend(skipped)
        if rebuild:
            self.index.clear()
        indexed = self.index.documents()
        computed_before = getattr(self.embedder, "computed", 0)
        seen = {f.doc_id for f in files}
        todo = [f for f in files if indexed.get(f.doc_id) is None or indexed[f.doc_id].version != f.version]
        report.unchanged = sorted(f.doc_id for f in files if f not in todo)
        removed = sorted(
            d for d in indexed if d not in seen and any(scope in ("", d) for scope in scopes)
        )
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
                report.failed.extend((f.doc_id, f"không tính được vector: {exc}") for f, _, _ in batch)
                batch.clear()
                return
            writes, start = [], 0
            for f, doc, chunks in batch:
                writes.append((f.doc_id, f.version, doc.meta, chunks, vectors[start : start + len(chunks)]))
                start += len(chunks)
            self.index.write_documents(writes)
            for f, _, chunks in batch:
                (report.updated if f.doc_id in indexed else report.added).append(f.doc_id)
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
                    raise IngestError("tài liệu không có nội dung để lập chỉ mục — bỏ qua")
            except IngestError as exc:
                report.failed.append((f.doc_id, str(exc)))
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
                log.exception("ingesting %s failed", f.doc_id)
                report.failed.append((f.doc_id, f"lỗi không xác định: {exc}"))
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
        for doc_id in removed:
            if progress:
                progress(SyncProgress(done, total, doc_id))
            self.index.remove_document(doc_id)
            report.removed.append(doc_id)
            done += 1
        if todo or removed:
            self.index.collect_garbage()
        if progress:
            progress(SyncProgress(total, total, ""))
        report.embedded = getattr(self.embedder, "computed", 0) - computed_before
        return report

    def add_file(self, path: Path, *, progress: Callable[[SyncProgress], None] | None = None) -> SyncReport:
        """Copy a file into the documents folder and sync that folder."""
        self.docs_dir.mkdir(parents=True, exist_ok=True)
        target = self.docs_dir / path.name
        if path.resolve() != target.resolve():
            shutil.copyfile(path, target)
        return self.sync([self.docs_dir], progress=progress)


def build_library(settings: object) -> Library:
    """A Library for the configured data dir, embedder, Chroma and documents folder."""
    from retrieval.build import build_embedder, build_index

    embedder = build_embedder(settings)  # type: ignore[arg-type]
    index = build_index(settings, embedder)  # type: ignore[arg-type]
    max_chars = getattr(settings, "max_document_chars", None) or DEFAULT_LIMITS.max_chars
    return Library(index, embedder, Path(settings.docs_dir), limits=Limits(max_chars=max_chars))  # type: ignore[attr-defined]
