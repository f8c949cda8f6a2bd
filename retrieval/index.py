"""The document index: dense vectors in Chroma, a lexical index and a catalog in the database, kept consistent.

Consistency without a distributed transaction: the catalog (tables `catalog_*` in the database of
DATABASE_URL, shared by every process of a deployment) is the source of truth for which chunk ids are
live. A document version's vectors are written to Chroma first (each recorded in `catalog_vector` before
the write, so this deployment knows which vectors it owns), then made live by one database transaction
that swaps its chunks (catalog + lexical index) and bumps the generation; the old version's vectors are
deleted afterwards. Dense results whose ids are not live are ignored, so a crash at any point leaves the
previous version answering, and a reader never sees half a document. Leftover vectors are collected by a
later sync, once older than a grace period, and only those this deployment recorded as its own.

One sync at a time across all processes: `sync_lock` is a row in the database with a heartbeat; a holder
that died is taken over once its heartbeat is older than the expiry, and a write made under a lock that
was taken over is refused, so a version never goes live without its vectors.

Versions: a document is identified by its name (see ingestion/sync.py). Every distinct content a name
has had is a numbered version in `catalog_version`; only one is live (the `catalog_document` row). When
another version goes live, the chunks of the one it replaces move to `catalog_archived_chunk` in the same
transaction, so no text is ever lost silently and `troly docs history NAME` can list them.

Lexical search: SQLite ranks with FTS5's BM25; PostgreSQL keeps our folded tokens as they are in a
tsvector (GIN index) and ranks by the same BM25 formula only the chunks holding the question's rarer terms.

Freshness across processes: every search reads the catalog's state (one row: generation, collection); an
embedded Chroma client keeps serving what it loaded, so it is reopened when another process has changed
the index; the active collection is switched by `--rebuild` once the new one is complete.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import socket
import threading
import time
import uuid
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, bindparam, inspect, text

from retrieval.errors import EmbedderMismatch, IndexUnavailable, SyncBusy
from retrieval.places import issuer_place
from retrieval.protocols import SearchFilters
from retrieval.text import expand_query, raw_words, tokens, with_spellings, word_pairs
from retrieval.types import Chunk, DocumentMeta, StoredChunk

log = logging.getLogger(__name__)
_BATCH = 2000
_FEW = 5000  # documents' chunks held in memory for nearest_in (384 floats each: ~8 MB)
# Up to this many vectors the nearest are found exactly, in memory (3 MB): the approximate search returned another set
# between processes for the same vector (252 vectors: the 9th nearest missed in one process of three), so a question's
# passages, and its answer, changed from one run to the next. They are read again after each change of the catalog:
# 160–190 ms at 2,000 vectors (400–590 ms at 5,000), inside the first question's 300 ms after an ingest.
_EXACT_VECTORS = 2000
GRACE_SECONDS = 15 * 60.0  # an unreferenced vector younger than this may belong to a write in flight
FRESH_VECTOR_SECONDS = 24 * 3600.0  # how long catalog_vector keeps a vector for embedded clients loaded before
LOCK_EXPIRY_SECONDS = 120.0  # a sync lock whose heartbeat is older than this belongs to a dead process
_HEARTBEAT_SECONDS = 10.0
_EXACT_CHUNKS = 20_000  # up to this many live chunks lexical search ranks every chunk holding a term
_CANDIDATES = 1500  # above it, the chunks ranked per question, those of the rarest terms first
_COUNT_CAP = 20_000  # chunks holding a term are counted up to this many
_COMMON = 5_000  # above _EXACT_CHUNKS, a term held by more chunks adds candidates only if too few were found
_RESCORED = 100  # the passages best by words that the question's phrases score again (as many as by every match)
# A lexeme and its positions in a tsvector's text (our lexemes are \w+: no quote to unescape).
_LEXEME = re.compile(r"'([^']*)':([0-9A-D,]+)")
_STATE_SECONDS = 0.05  # how long a read of the state row serves (a question reads it a dozen times)
_SYNC = "sync"
_TOKEN = re.compile(r"\w+")  # a folded token as the lexical index splits it ('_' joins a document number)
_RAW_PART = re.compile(r"[^\W_]+")  # a word as the raw full-text index splits it (FTS5's unicode61, no '_')


@dataclass(frozen=True)
class IndexedDocument:
    doc_id: str
    version: str
    meta: DocumentMeta
    chunks: int
    indexed_at: str
    number: int = 0  # the live version's number (1, 2, …)
    content: str = ""  # hash of the file's bytes (and sidecars), without the pipeline version
    source: str = ""  # the file the live version came from


@dataclass(frozen=True)
class Provenance:
    """Where a version comes from: its content hash (what makes it the same or another version), its size
    in bytes and the file's path."""

    content: str
    size: int = 0
    source: str = ""


@dataclass(frozen=True)
class DocumentVersion:
    doc_id: str
    number: int
    content: str
    size: int
    source: str
    title: str
    symbol: str
    chunks: int
    created_at: str
    live: bool


@dataclass(frozen=True)
class CatalogState:
    """What the catalog holds, for `troly health`: live documents and chunks, the generation counter and
    the time of the last change made live (the newest `indexed_at`; no sync run is recorded as such)."""

    documents: int
    chunks: int
    generation: int
    last_change: str | None
    collection: str | None = None
    deployment: str = ""


@dataclass(frozen=True)
class _State:
    """The one row of `catalog_state`."""

    generation: int
    chunks: int
    lexical_tokens: int
    embedder: str | None
    deployment: str
    collection: str | None
    retired_collection: str | None
    retired_at: float | None


# What one document write carries: (doc_id, version, meta, chunks, vectors).
DocumentWrite = tuple[str, str, DocumentMeta, Sequence[Chunk], np.ndarray]


def chunk_id(doc_id: str, version: str, ordinal: int) -> str:
    return hashlib.sha1(f"{doc_id}\0{version}\0{ordinal}".encode()).hexdigest()[:32]


def _date_int(iso: str) -> int:
    digits = iso.replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def _tsvector(words: Sequence[str]) -> str:
    """A tsvector literal holding our tokens exactly as they are, with positions (term frequency for BM25)."""
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(words[:16383], start=1):
        positions.setdefault(word, []).append(i)
    return " ".join(f"{_quoted(w)}:{','.join(map(str, p[:256]))}" for w, p in positions.items())


def _quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _phrase(term: str, *, raw: bool = False) -> str:
    """A term as FTS5 reads it inside quotes, for PostgreSQL: its words (FTS5's unicode61 split, keeping '_'
    in folded tokens) one after the other. "gia lai" is the phrase 'gia' <-> 'lai', not one word."""
    parts = re.findall(r"[^\W_]+" if raw else r"\w+", term) or [term]
    return " <-> ".join(_quoted(p) for p in parts)


def _tsquery(terms: Sequence[str]) -> str:
    return " | ".join(f"({_phrase(t)})" for t in terms)


def _positions(tsvector: str) -> dict[int, str]:
    """A chunk's folded tokens by position, read back from its tsvector (PostgreSQL)."""
    at: dict[int, str] = {}
    for lexeme, positions in _LEXEME.findall(tsvector):
        for p in positions.split(","):
            at[int(p.rstrip("ABCD"))] = lexeme
    return at


def _adjacent(lexical: Sequence[str]) -> set[str]:
    """The phrases of two adjacent tokens a chunk holds ("a b"), as FTS5 and a tsquery's <-> match them."""
    return {f"{a} {b}" for a, b in zip(lexical, lexical[1:], strict=False)}


def _occurrences(stream: str, needle: str) -> int:
    """How often a space-framed needle occurs; two may share the space between them (" a b a b ")."""
    n, found = 0, stream.find(needle)
    while found >= 0:
        n += 1
        found = stream.find(needle, found + len(needle) - 1)
    return n


class Catalog(dict[str, DocumentMeta]):
    """The live documents' metadata by id, with the lookups questions make of it built once: a question that names
    a document looked through every symbol and title, three times an answer (5 ms at 1,000 documents). A changed
    catalog is a new Catalog (DocumentIndex.document_meta), so what is built here never goes stale."""

    @cached_property
    def numbered(self) -> dict[str, list[str]]:
        """The documents by the number their symbol opens with, leading zeros dropped ("057-NQ/TW" → "57")."""
        out: dict[str, list[str]] = {}
        for doc_id, meta in self.items():
            if first := re.match(r"\d+", meta.symbol):
                out.setdefault(first.group(0).lstrip("0"), []).append(doc_id)
        return out

    @cached_property
    def titled(self) -> dict[str, set[str]]:
        """The documents whose title holds each token (a title naming another document holds its symbol_token)."""
        out: dict[str, set[str]] = {}
        for doc_id, meta in self.items():
            for token in set(tokens(meta.title)):
                out.setdefault(token, set()).add(doc_id)
        return out

    @cached_property
    def by_language(self) -> dict[str, list[str]]:
        """The documents in each language."""
        out: dict[str, list[str]] = {}
        for doc_id, meta in self.items():
            out.setdefault(meta.language, []).append(doc_id)
        return out


def inverse_frequency(df: int, total: int) -> float:
    """FTS5's BM25 idf, with its floor for a term in over half the chunks."""
    idf = math.log((total - df + 0.5) / (df + 0.5))
    return idf if idf > 0 else 1e-6


def bm25(tf: int, length: int, df: int, total: int, average: float, k1: float = 1.2, b: float = 0.75) -> float:
    """FTS5's BM25 term weight (same constants)."""
    return inverse_frequency(df, total) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / (average or 1.0)))


class DocumentIndex:
    """Write and search the index. One instance per process; safe to share between threads.

    `engine` is the deployment's database (built from DATABASE_URL at the entry point); `data_dir` holds
    the embedded Chroma folder when there is no `chroma_url`. `collection` names the Chroma collection
    (default: one derived from the deployment id the database holds); `--rebuild` switches to a new one."""

    def __init__(
        self,
        engine: Engine,
        data_dir: Path,
        embedder_name: str,
        *,
        chroma_url: str | None = None,
        collection: str | None = None,
        legacy_ok: bool = False,
        create: bool = True,
        grace_seconds: float = GRACE_SECONDS,
        lock_expiry: float = LOCK_EXPIRY_SECONDS,
        exact_chunks: int = _EXACT_CHUNKS,
    ) -> None:
        self.engine = engine
        # Above this many live chunks the index is large: lexical search ranks candidates, not every match,
        # and an embedded Chroma client is not reopened on every change made elsewhere.
        self.exact_chunks = exact_chunks
        self.dir = data_dir / "index"
        self.embedder_name = embedder_name
        self.chroma_url = chroma_url
        self.collection_base = collection
        self.grace_seconds = grace_seconds
        self.lock_expiry = lock_expiry
        self.postgres = engine.dialect.name == "postgresql"
        self._lock = threading.RLock()
        self._client: Any = None
        self._collections: dict[str, Any] = {}
        self._generation = -1  # the generation our Chroma client is known to be current with
        self._lock_token: str | None = None  # set while this instance holds the sync lock
        self._refreshing: threading.Thread | None = None  # an embedded client being reopened
        self._state_cache: tuple[float, _State | None] = (0.0, None)
        self._retired: Any = None  # the embedded system of the client before the current one
        # Embedded, on a large index: when the client was opened (its vectors are complete up to then, as
        # catalog_document.indexed_at reads), and the vectors of chunks made live since, with their metadata.
        self._loaded_at = ""
        self._fresh: tuple[tuple[int, str], list[str], np.ndarray, list[dict[str, Any]]] = (
            (-1, ""),
            [],
            np.zeros((0, 0), np.float32),
            [],
        )
        # What searches look up again and again, each tagged with the catalog generation it was read
        # at or after (read the generation first, then the data: the tag is never newer than the data).
        self._vector_count: tuple[tuple[int, str], int] = ((-1, ""), 0)
        self._every_vector: tuple[tuple[int, str], list[str], np.ndarray, list[dict[str, Any]]] = (
            (-1, ""),
            [],
            np.zeros((0, 0), np.float32),
            [],
        )
        self._vocabulary: tuple[int, dict[tuple[str, str], int]] = (-1, {})
        self._counts: tuple[int, int, dict[tuple[str, str], int]] = (-1, 0, {})  # generation, chunks, counts
        # generation, read since, the documents' metadata
        self._documents_read: tuple[int, str, Catalog] = (-1, "", Catalog())
        # nearest_in's documents, their chunk ids and vectors (None: too many to hold, Chroma filters instead)
        self._few: tuple[tuple[int, tuple[str, ...]], list[str] | None, np.ndarray] = ((-1, ()), [], np.zeros((0, 0)))
        self._ensure_schema(create)
        if not legacy_ok:
            self._check_legacy()
        self._check_embedder()

    # -- schema and state --------------------------------------------------------------------------

    def _ensure_schema(self, create: bool) -> None:
        """A fresh database gets the whole schema (the embedded default needs no `troly db upgrade`), unless
        only reading (`create` false: `troly health` never creates or migrates); one at an older revision is
        left for `troly db upgrade` to migrate."""
        from db.errors import SchemaOutOfDate
        from db.session import current_revision, head_revision, upgrade

        url = self.engine.url
        if not create and url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
            raise SchemaOutOfDate(None, head_revision())  # connecting would create the file
        if inspect(self.engine).has_table("catalog_state"):
            return
        current = current_revision(self.engine)
        if current is None and create:
            upgrade(self.engine)
            return
        raise SchemaOutOfDate(current, head_revision())

    def _check_legacy(self) -> None:
        """A deployment from before the catalog moved into the database: say how to rebuild, never ignore it."""
        legacy = self.dir / "catalog.db"
        if legacy.exists() and not self.count_documents() and not self.versions():
            raise IndexUnavailable("retrieval.legacy_catalog", path=str(legacy))

    def _state(self, conn: Connection | None = None) -> _State:
        if conn is None:
            at, cached = self._state_cache
            if cached is not None and time.monotonic() - at < _STATE_SECONDS:
                return cached
        sql = text(
            """SELECT generation, chunks, lexical_tokens, embedder, deployment, collection, retired_collection,
                      retired_at FROM catalog_state WHERE id = 1"""
        )
        if conn is not None:
            row = conn.execute(sql).one()
        else:
            with self.engine.connect() as c:
                row = c.execute(sql).one()
        state = _State(
            int(row.generation),
            int(row.chunks),
            int(row.lexical_tokens),
            row.embedder,
            row.deployment,
            row.collection,
            row.retired_collection,
            row.retired_at,
        )
        self._state_cache = (time.monotonic(), state) if conn is None else (0.0, None)
        return state

    def generation(self) -> int:
        return self._state().generation

    @property
    def deployment(self) -> str:
        return self._state().deployment

    def _base_collection(self, state: _State) -> str:
        return self.collection_base or f"troly_{state.deployment[:12]}"

    def _known_words(self) -> dict[tuple[str, str], int]:
        generation = self.generation()
        tagged = self._vocabulary
        if tagged[0] != generation or len(tagged[1]) > 200_000:  # bounded whatever people type
            tagged = self._vocabulary = (generation, {})
        return tagged[1]

    def _check_embedder(self) -> None:
        built = self._state().embedder
        if built and built != self.embedder_name and self.count_documents():
            raise EmbedderMismatch(built, self.embedder_name)

    @contextmanager
    def _write(self, *, bump: bool = True) -> Iterator[Connection]:
        """One write transaction (on SQLite taken at once: BEGIN IMMEDIATE, no deadlock on upgrade). With
        `bump`, the generation moves on at its end, and a lock this instance held must still be ours."""
        with self._lock, self.engine.connect() as conn:
            current = self._generation == self.generation()  # were we up to date before this write?
            if not self.postgres:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                if bump and self._lock_token is not None:
                    self._still_holding(conn)
                yield conn
                new = None
                if bump:
                    conn.execute(
                        text("UPDATE catalog_state SET generation = generation + 1, changed_at = :at WHERE id = 1"),
                        {"at": _now()},
                    )
                    new = self._state(conn).generation
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            if new is not None and current:
                self._generation = new  # our own write: no need to reopen Chroma to see it
                if self._client is not None:
                    self._loaded_at = _since_now()  # nor to compare its vectors apart (_fresh_vectors)

    # -- catalog -----------------------------------------------------------------------------------

    def count_documents(self) -> int:
        with self.engine.connect() as c:
            return int(c.execute(text("SELECT count(*) FROM catalog_document")).scalar_one())

    def count_chunks(self) -> int:
        """Live chunks (kept in the state row as chunks are written: no count per question)."""
        return self._state().chunks

    def documents(self) -> dict[str, IndexedDocument]:
        """The live documents."""
        with self.engine.connect() as c:
            rows = c.execute(
                text(
                    """SELECT doc_id, version, title, symbol, doc_type, issuer, date, language, chunks, indexed_at,
                              number, content, source FROM catalog_document"""
                )
            ).all()
        return {
            r.doc_id: IndexedDocument(
                r.doc_id,
                r.version,
                _meta_of(r),
                r.chunks,
                r.indexed_at,
                r.number or 0,
                r.content or "",
                r.source or "",
            )
            for r in rows
        }

    def versions(self, doc_id: str | None = None) -> list[DocumentVersion]:
        """Every version (of one document, or of all), oldest first; `live` marks the one in use."""
        sql = """SELECT v.doc_id, v.number, v.content, v.size, v.source, v.title, v.symbol, v.chunks, v.created_at,
                        d.number AS live_number
                 FROM catalog_version v LEFT JOIN catalog_document d ON d.doc_id = v.doc_id"""
        params: dict[str, Any] = {}
        if doc_id is not None:
            sql += " WHERE v.doc_id = :doc_id"
            params["doc_id"] = doc_id
        with self.engine.connect() as c:
            rows = c.execute(text(sql + " ORDER BY v.doc_id, v.number"), params).all()
        return [
            DocumentVersion(
                r.doc_id,
                r.number,
                r.content or "",
                r.size or 0,
                r.source or "",
                r.title or "",
                r.symbol or "",
                r.chunks or 0,
                r.created_at or "",
                r.live_number is not None and r.live_number == r.number,
            )
            for r in rows
        ]

    def version_text(self, doc_id: str, number: int) -> list[tuple[str, str]]:
        """(section, text) of each chunk of a version, live or archived, in document order."""
        with self.engine.connect() as c:
            live = c.execute(
                text("SELECT number FROM catalog_document WHERE doc_id = :d"), {"d": doc_id}
            ).scalar_one_or_none()
            if live == number:
                return self.live_text(doc_id)
            rows = c.execute(
                text(
                    """SELECT section, text FROM catalog_archived_chunk WHERE doc_id = :d AND number = :n
                       ORDER BY ordinal"""
                ),
                {"d": doc_id, "n": number},
            ).all()
        return [(r.section or "", r.text or "") for r in rows]

    def live_text(self, doc_id: str) -> list[tuple[str, str]]:
        """(section, text) of each chunk of a live document, in document order."""
        with self.engine.connect() as c:
            rows = c.execute(
                text("SELECT section, text FROM catalog_chunk WHERE doc_id = :d ORDER BY ordinal"), {"d": doc_id}
            ).all()
        return [(r.section or "", r.text or "") for r in rows]

    def document_meta(self) -> Catalog:
        """Each document's title, number, kind, issuer, date and language (a question may name a document): read
        whole once, then on each change only the documents made live since (reading them all again grew with the
        corpus). A document taken out of use may stay listed: its chunks are not live, so nothing of it is found."""
        generation = self.generation()
        at, since, catalog = self._documents_read
        if at != generation:
            now = _since_now()
            sql = "SELECT doc_id, title, symbol, doc_type, issuer, date, language FROM catalog_document" + (
                " WHERE indexed_at >= :since" if at >= 0 else ""
            )
            with self.engine.connect() as c:
                rows = c.execute(text(sql), {"since": since}).all()
            catalog = Catalog({**catalog, **{r.doc_id: _meta_of(r) for r in rows}})
            self._documents_read = (generation, now, catalog)
        return catalog

    def get_chunks(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        if not ids:
            return {}
        sql = text(
            """SELECT c.id, c.doc_id, c.text, c.section, c.ordinal,
                      d.title, d.symbol, d.doc_type, d.issuer, d.date, d.language
               FROM catalog_chunk c JOIN catalog_document d ON d.doc_id = c.doc_id WHERE c.id IN :ids"""
        ).bindparams(bindparam("ids", expanding=True))
        with self.engine.connect() as c:
            rows = c.execute(sql, {"ids": list(ids)}).all()
        return {
            r.id: StoredChunk(
                r.id,
                r.doc_id,
                r.text,
                r.section or "",
                r.ordinal,
                _meta_of(r),
            )
            for r in rows
        }

    def _live_among(self, ids: Sequence[str]) -> set[str]:
        """Which of these chunk ids are live: a look-up of a few ids, never the whole live set."""
        if not ids:
            return set()
        sql = text("SELECT id FROM catalog_chunk WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
        with self.engine.connect() as c:
            return {r.id for r in c.execute(sql, {"ids": list(ids)})}

    def catalog_state(self) -> CatalogState:
        with self.engine.connect() as c:
            row = c.execute(text("SELECT count(*) AS documents, max(indexed_at) AS last FROM catalog_document")).one()
            state = self._state(c)
        return CatalogState(
            int(row.documents), state.chunks, state.generation, row.last or None, state.collection, state.deployment
        )

    # -- the sync lock -----------------------------------------------------------------------------

    @contextmanager
    def sync_lock(self, holder: str, *, wait: float = 0.0) -> Iterator[None]:
        """Hold the deployment's one sync lock (waiting up to `wait` seconds for it), refreshing its heartbeat
        from a thread. Raises SyncBusy naming the holder when another process keeps it."""
        token = uuid.uuid4().hex
        who = f"{holder}, {socket.gethostname()} pid {os.getpid()}"  # what the other process is told
        deadline = time.monotonic() + wait
        while True:
            busy = self._try_lock(token, who)
            if busy is None:
                break
            if time.monotonic() >= deadline:
                since = time.strftime("%H:%M:%S", time.localtime(busy[1]))
                raise SyncBusy(busy[0], since)
            time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(token, stop), name="sync-lock-heartbeat", daemon=True)
        beat.start()
        self._lock_token = token
        try:
            yield
        finally:
            self._lock_token = None
            stop.set()
            beat.join()
            with self._write(bump=False) as conn:
                conn.execute(text("DELETE FROM sync_lock WHERE name = :n AND token = :t"), {"n": _SYNC, "t": token})

    def _try_lock(self, token: str, who: str) -> tuple[str, float] | None:
        """Take the lock if free, expired, or held by a process of this host that is gone; else (holder, since).
        The vectors of a holder known dead are collectable at once (no write of theirs is in flight)."""
        now = time.time()
        host, pid = socket.gethostname(), os.getpid()
        params = {"n": _SYNC, "t": token, "h": who, "host": host, "pid": pid, "now": now}
        with self._write(bump=False) as conn:
            row = None
            while row is None:  # PostgreSQL reads each statement afresh: released in between, it is free now
                conn.execute(
                    text(
                        """INSERT INTO sync_lock (name, token, holder, host, pid, acquired_at, heartbeat_at)
                           VALUES (:n, :t, :h, :host, :pid, :now, :now) ON CONFLICT (name) DO NOTHING"""
                    ),
                    params,
                )
                row = conn.execute(
                    text("SELECT token, holder, host, pid, acquired_at, heartbeat_at FROM sync_lock WHERE name = :n"),
                    {"n": _SYNC},
                ).one_or_none()
            if row.token == token:
                return None
            dead = row.host == host and not _alive(int(row.pid))
            if not dead and row.heartbeat_at >= now - self.lock_expiry:
                return row.holder, float(row.acquired_at)
            conn.execute(
                text(
                    """UPDATE sync_lock SET token = :t, holder = :h, host = :host, pid = :pid, acquired_at = :now,
                              heartbeat_at = :now WHERE name = :n AND token = :old"""
                ),
                {**params, "old": row.token},
            )
            if dead:
                conn.execute(
                    text("UPDATE catalog_vector SET written_at = 0 WHERE written_by = :old"), {"old": row.token}
                )
            log.warning("took over the sync lock of %s (%s)", row.holder, "gone" if dead else "no heartbeat")
        return None

    def _heartbeat(self, token: str, stop: threading.Event) -> None:
        while not stop.wait(_HEARTBEAT_SECONDS):
            try:
                with self._write(bump=False) as conn:
                    conn.execute(
                        text("UPDATE sync_lock SET heartbeat_at = :now WHERE name = :n AND token = :t"),
                        {"now": time.time(), "n": _SYNC, "t": token},
                    )
            except Exception:  # noqa: BLE001 - a missed beat is retried; the write path checks ownership
                log.warning("sync lock heartbeat failed", exc_info=True)

    def lock_holder(self) -> tuple[str, float] | None:
        """Who holds the sync lock and since when (epoch seconds), if anyone live does."""
        with self.engine.connect() as c:
            row = c.execute(
                text("SELECT holder, acquired_at, heartbeat_at FROM sync_lock WHERE name = :n"), {"n": _SYNC}
            ).one_or_none()
        if row is None or row.heartbeat_at < time.time() - self.lock_expiry:
            return None
        return row.holder, float(row.acquired_at)

    def _still_holding(self, conn: Connection) -> None:
        row = conn.execute(
            text("SELECT token, holder, acquired_at FROM sync_lock WHERE name = :n"), {"n": _SYNC}
        ).one_or_none()
        if row is None or row.token != self._lock_token:
            holder, since = (row.holder, float(row.acquired_at)) if row is not None else ("?", time.time())
            raise SyncBusy(holder, time.strftime("%H:%M:%S", time.localtime(since)))

    # -- Chroma ------------------------------------------------------------------------------------

    def _open_client(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if self.chroma_url:
                from urllib.parse import urlparse

                u = urlparse(self.chroma_url)
                return chromadb.HttpClient(
                    host=u.hostname or "127.0.0.1",
                    port=u.port or (443 if u.scheme == "https" else 8000),
                    ssl=u.scheme == "https",
                    settings=settings,
                )
            # A PersistentClient caches its system per path: drop it so we see other processes' writes.
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
            self.dir.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(self.dir / "chroma"), settings=settings)
        except Exception as exc:  # noqa: BLE001 - chroma raises many types for "not reachable"
            raise IndexUnavailable("retrieval.chroma_unreachable", error=str(exc)) from exc

    def _collection(self, name: str) -> Any:
        """The collection `name` (created if missing) of the current client."""
        with self._lock:
            found = self._collections.get(name)
            if found is not None:
                return found
            if self._client is None:
                self._loaded_at = _since_now()
                self._client = self._open_client()
            try:
                # Always our own embeddings: without embedding_function=None Chroma would load (download) its default.
                collection = self._client.get_or_create_collection(
                    name, metadata={"hnsw:space": "cosine", "embedder": self.embedder_name}, embedding_function=None
                )
            except Exception as exc:  # noqa: BLE001 - chroma raises many types for "not reachable"
                raise IndexUnavailable("retrieval.chroma_unreachable", error=str(exc)) from exc
            built = (collection.metadata or {}).get("embedder")
            if built and built != self.embedder_name and collection.count():
                raise EmbedderMismatch(built, self.embedder_name)
            self._collections[name] = collection
            return collection

    def _active_name(self) -> str:
        """The deployment's live collection, named on first use (the setting, else from the deployment id)."""
        state = self._state()
        if state.collection:
            return state.collection
        with self._write(bump=False) as conn:
            conn.execute(
                text("UPDATE catalog_state SET collection = :c WHERE id = 1 AND collection IS NULL"),
                {"c": self._base_collection(state)},
            )
            name = self._state(conn).collection
        assert name is not None
        return name

    def _chroma(self, *, fresh: bool = False) -> Any:
        """The live collection. Embedded, a client keeps serving what it loaded: when another process has
        changed the index, a search goes on with the client it has while a new one is opened (and its
        vectors loaded, which took hundreds of ms at 50,000 chunks) in the background; on a large index
        none is opened until many chunks went live elsewhere (search_dense compares their vectors itself:
        loading half a million vectors on every ingest is work that grows with the corpus). A write
        (`fresh`), or a switch of collection, waits for a new client."""
        with self._lock:
            state = self._state()
            name = state.collection or self._active_name()
            stale = state.generation != self._generation and not self.chroma_url and self._client is not None
            if stale and (fresh or name not in self._collections):
                self._retire_client()
                self._client = None
                self._collections.clear()
            elif stale:
                if state.chunks <= self.exact_chunks:
                    self._refresh_in_background(state.generation, name)
                return self._collections[name]
            self._generation = state.generation
            return self._collection(name)

    def _retire_client(self) -> None:
        """Stop the embedded system a previous client used (the one before the current: a search may still be
        running on the current one's collection), and remember the current one's for next time."""
        from chromadb.api.shared_system_client import SharedSystemClient

        current = SharedSystemClient._identifier_to_system.get(str(self.dir / "chroma"))
        if self._retired is not None and self._retired is not current:
            try:
                self._retired.stop()
            except Exception:  # noqa: BLE001 - stopping an old system is best effort
                log.debug("stopping an old Chroma system failed", exc_info=True)
        self._retired = current

    def _refresh_in_background(self, generation: int, name: str) -> None:
        if self._refreshing is not None and self._refreshing.is_alive():
            return

        def reopen() -> None:
            # Without the lock: searches go on with the current client while this one opens and loads.
            try:
                from chromadb.api.shared_system_client import SharedSystemClient

                since = _since_now()
                previous = SharedSystemClient._identifier_to_system.get(str(self.dir / "chroma"))
                client = self._open_client()
                collection = client.get_or_create_collection(
                    name, metadata={"hnsw:space": "cosine", "embedder": self.embedder_name}, embedding_function=None
                )
                if collection.count():  # load the vectors now, not on the next question
                    probe = np.zeros(len(collection.get(limit=1, include=["embeddings"])["embeddings"][0]), np.float32)
                    collection.query(query_embeddings=[probe], n_results=1, include=[])
                with self._lock:
                    if self._generation < generation:
                        if self._retired is not None and self._retired is not previous:
                            try:
                                self._retired.stop()
                            except Exception:  # noqa: BLE001 - stopping an old system is best effort
                                log.debug("stopping an old Chroma system failed", exc_info=True)
                        self._retired = previous
                        self._client = client
                        self._collections = {name: collection}
                        self._generation = generation
                        self._loaded_at = since
            except Exception:  # noqa: BLE001 - the next search tries again; the current client keeps serving
                log.warning("reopening the embedded Chroma client failed", exc_info=True)

        self._refreshing = threading.Thread(target=reopen, name="chroma-reopen", daemon=True)
        self._refreshing.start()

    def wait_fresh(self, timeout: float = 30.0) -> None:
        """Wait for a background reopen of the embedded client (tests, and a caller that needs the newest)."""
        self._chroma()
        thread = self._refreshing
        if thread is not None:
            thread.join(timeout)

    @property
    def collection_name(self) -> str:
        return self._active_name()

    def vector_count(self) -> int:
        """Vectors in this deployment's collection (Chroma reached now, not from a cache): for `troly health`.
        Raises IndexUnavailable when Chroma cannot be reached or the collection has gone."""
        collection = self._chroma()
        try:
            return int(collection.count())
        except Exception as exc:  # noqa: BLE001 - chroma raises many types for "not reachable"
            with self._lock:
                self._client = None  # reopened (and the collection looked up again) next time
                self._collections.clear()
            raise IndexUnavailable("retrieval.chroma_unreachable", error=str(exc)) from exc

    def _write_vectors(self, collection_name: str, docs: Sequence[DocumentWrite]) -> None:
        """Record the vectors as ours (committed first: a crash after the upsert leaves them collectable),
        then write them."""
        ids: list[str] = []
        vectors: list[np.ndarray] = []
        metadatas: list[dict[str, Any]] = []
        for doc_id, version, meta, chunks, doc_vectors in docs:
            if len(chunks) != len(doc_vectors):
                raise ValueError("one vector per chunk")
            ids += [chunk_id(doc_id, version, c.ordinal) for c in chunks]
            vectors.append(np.asarray(doc_vectors, dtype=np.float32))
            metadatas += [
                {
                    "doc_id": doc_id,
                    "version": version,
                    "doc_type": meta.doc_type,
                    "symbol": meta.symbol,
                    "date": _date_int(meta.date),
                }
            ] * len(chunks)
        if not ids:
            return
        now = time.time()
        stacked = np.vstack(vectors).astype(np.float32)
        # Embedded, the vector is kept too: other processes' clients cannot see it until they reload.
        kept = [None] * len(ids) if self.chroma_url else [row.tobytes() for row in stacked]
        with self._write(bump=False) as conn:
            conn.execute(
                text(
                    """INSERT INTO catalog_vector (collection, id, written_at, written_by, vector)
                       VALUES (:c, :id, :at, :by, :v)
                       ON CONFLICT (collection, id) DO UPDATE SET written_at = excluded.written_at,
                                                                  written_by = excluded.written_by,
                                                                  vector = excluded.vector"""
                ),
                [
                    {"c": collection_name, "id": i, "at": now, "by": self._lock_token, "v": v}
                    for i, v in zip(ids, kept, strict=True)
                ],
            )
        collection = (
            self._chroma(fresh=True)
            if collection_name == self._state().collection
            else self._collection(collection_name)
        )
        for i in range(0, len(ids), _BATCH):
            collection.upsert(
                ids=ids[i : i + _BATCH], embeddings=stacked[i : i + _BATCH], metadatas=metadatas[i : i + _BATCH]
            )

    def _delete_vectors(self, collection_name: str, ids: list[str]) -> None:
        """Delete vectors we own that the catalog no longer references (callers make sure of both)."""
        if not ids:
            return
        self._chroma(fresh=True)
        collection = self._collection(collection_name)
        for i in range(0, len(ids), _BATCH):
            collection.delete(ids=ids[i : i + _BATCH])
        with self._write(bump=False) as conn:
            conn.execute(
                text("DELETE FROM catalog_vector WHERE collection = :c AND id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                [{"c": collection_name, "ids": ids[i : i + 500]} for i in range(0, len(ids), 500)],
            )

    # -- writing -----------------------------------------------------------------------------------

    def write_document(
        self,
        doc_id: str,
        version: str,
        meta: DocumentMeta,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        provenance: Provenance | None = None,
    ) -> None:
        """Make `version` of `doc_id` live with these chunks, replacing any previous version atomically."""
        self.write_documents([(doc_id, version, meta, chunks, vectors)], [provenance] if provenance else None)

    def write_documents(
        self, docs: Sequence[DocumentWrite], provenance: Sequence[Provenance] | None = None
    ) -> dict[str, int]:
        """Several documents: their vectors go to Chroma in one call (small upserts are slow), then each
        document is made live in its own transaction, then the replaced vectors are deleted.

        Each document's content (`provenance`, else its version string) decides its version number: the
        number of a version with the same content (re-indexed or brought back), else the next one. The
        version it replaces keeps its text in `catalog_archived_chunk`. Returns each document's live number."""
        if provenance is not None and len(provenance) != len(docs):
            raise ValueError("one provenance per document")
        if not any(len(d[3]) for d in docs):
            return {}
        active = self._active_name()
        self._write_vectors(active, docs)
        stale: list[str] = []
        numbers: dict[str, int] = {}
        for i, doc in enumerate(docs):
            prov = provenance[i] if provenance is not None else Provenance(doc[1])
            with self._write() as conn:
                if self._state(conn).collection != active:  # a rebuild switched collections under us
                    raise IndexUnavailable("retrieval.collection_switched")
                old, numbers[doc[0]] = self._make_live(conn, doc, prov)
            stale += old
        self._delete_vectors(active, stale)
        return numbers

    def _make_live(self, conn: Connection, doc: DocumentWrite, prov: Provenance) -> tuple[list[str], int]:
        """Inside a write transaction: `doc` becomes the live version of its name. Returns the chunk ids it
        replaced (their vectors are deleted after the commit) and its version number."""
        doc_id, version, meta, chunks, _ = doc
        ids = [chunk_id(doc_id, version, c.ordinal) for c in chunks]
        now = _now()
        old = [r.id for r in conn.execute(text("SELECT id FROM catalog_chunk WHERE doc_id = :d"), {"d": doc_id})]
        number = conn.execute(
            text("SELECT number FROM catalog_version WHERE doc_id = :d AND content = :c"),
            {"d": doc_id, "c": prov.content},
        ).scalar_one_or_none()
        fields = {
            "d": doc_id,
            "version": version,
            "title": meta.title,
            "symbol": meta.symbol,
            "chunks": len(chunks),
            "source": prov.source,
            "size": prov.size,
        }
        if number is not None:
            conn.execute(
                text(
                    """UPDATE catalog_version SET version = :version, title = :title, symbol = :symbol,
                              chunks = :chunks, source = :source, size = :size WHERE doc_id = :d AND number = :n"""
                ),
                {**fields, "n": number},
            )
        else:
            number = 1 + int(
                conn.execute(
                    text("SELECT coalesce(max(number), 0) FROM catalog_version WHERE doc_id = :d"), {"d": doc_id}
                ).scalar_one()
            )
            conn.execute(
                text(
                    """INSERT INTO catalog_version (doc_id, number, content, version, size, source, title, symbol,
                              chunks, created_at)
                       VALUES (:d, :n, :content, :version, :size, :source, :title, :symbol, :chunks, :at)"""
                ),
                {**fields, "n": number, "content": prov.content, "at": now},
            )
        self._archive_live(conn, doc_id, keep=number)
        conn.execute(
            text("DELETE FROM catalog_archived_chunk WHERE doc_id = :d AND number = :n"), {"d": doc_id, "n": number}
        )
        self._delete_rows(conn, doc_id)
        self._insert_chunks(conn, doc_id, meta, chunks, ids)
        conn.execute(text("DELETE FROM catalog_document WHERE doc_id = :d"), {"d": doc_id})
        conn.execute(
            text(
                """INSERT INTO catalog_document (doc_id, version, title, symbol, doc_type, issuer, date, language,
                          chunks, indexed_at, number, content, source, size)
                   VALUES (:d, :version, :title, :symbol, :doc_type, :issuer, :date, :language, :chunks, :at, :n,
                           :content, :source, :size)"""
            ),
            {
                **fields,
                "doc_type": meta.doc_type,
                "issuer": meta.issuer,
                "date": meta.date,
                "language": meta.language,
                "at": now,
                "n": number,
                "content": prov.content,
            },
        )
        conn.execute(text("UPDATE catalog_state SET embedder = :e WHERE id = 1"), {"e": self.embedder_name})
        replaced = sorted(set(old) - set(ids))
        _unreferenced(conn, replaced)
        return replaced, int(number)

    def _insert_chunks(
        self, conn: Connection, doc_id: str, meta: DocumentMeta, chunks: Sequence[Chunk], ids: list[str]
    ) -> None:
        rows = []
        total = 0
        held: Counter[str] = Counter()  # chunks holding each token, and each phrase of two
        held_raw: Counter[str] = Counter()  # chunks holding each word with its diacritics
        # Each passage holds, for its words, the place its document's issuer is of: a question about "xã Hòa Minh Sơn"
        # names what only the report's header says, not the passage with the figures.
        place = issuer_place(meta.issuer)
        for cid, c in zip(ids, chunks, strict=True):
            lexical = tokens(f"{meta.symbol} {place} {c.section} {c.text}")
            held.update(set(lexical) | _adjacent(lexical))
            raw = raw_words(f"{meta.title} {c.text}")
            raw_parts = [w for r in raw for w in _RAW_PART.findall(r)]
            held_raw.update(set(raw_parts))
            total += len(lexical)
            row: dict[str, Any] = {
                "id": cid,
                "d": doc_id,
                "ordinal": c.ordinal,
                "section": c.section,
                "kind": c.kind,
                "text": c.text,
                "n": len(lexical),
            }
            if self.postgres:
                row["lex"] = _tsvector(lexical)
                row["raw"] = _tsvector(raw_parts)
            else:
                row["lex"] = " ".join(lexical)
                row["raw"] = " ".join(raw)
            rows.append(row)
        if not rows:
            return
        if self.postgres:
            conn.execute(
                text(
                    """INSERT INTO catalog_chunk (id, doc_id, ordinal, section, kind, text, lex_len, lex, raw)
                       VALUES (:id, :d, :ordinal, :section, :kind, :text, :n, CAST(:lex AS tsvector),
                               CAST(:raw AS tsvector))"""
                ),
                rows,
            )
        else:
            conn.execute(
                text(
                    """INSERT INTO catalog_chunk (id, doc_id, ordinal, section, kind, text, lex_len)
                       VALUES (:id, :d, :ordinal, :section, :kind, :text, :n)"""
                ),
                rows,
            )
            conn.execute(
                text("INSERT INTO catalog_chunk_fts (rowid, tokens) SELECT pk, :lex FROM catalog_chunk WHERE id = :id"),
                rows,
            )
            conn.execute(
                text("INSERT INTO catalog_chunk_raw (rowid, words) SELECT pk, :raw FROM catalog_chunk WHERE id = :id"),
                rows,
            )
        conn.execute(
            text("UPDATE catalog_state SET chunks = chunks + :c, lexical_tokens = lexical_tokens + :t WHERE id = 1"),
            {"c": len(rows), "t": total},
        )
        for table, counted in (("catalog_term", held), ("catalog_raw_term", held_raw)):
            if counted:
                conn.execute(
                    text(
                        f"""INSERT INTO {table} (term, chunks) VALUES (:term, :n)
                            ON CONFLICT (term) DO UPDATE SET chunks = {table}.chunks + excluded.chunks"""
                    ),
                    [{"term": t, "n": n} for t, n in sorted(counted.items())],
                )

    def _archive_live(self, conn: Connection, doc_id: str, *, keep: int | None = None) -> None:
        """Copy the live version's chunks into the archive, unless that version is `keep` (re-indexed)."""
        live = conn.execute(
            text("SELECT number FROM catalog_document WHERE doc_id = :d"), {"d": doc_id}
        ).scalar_one_or_none()
        if live is None or live == keep:
            return
        conn.execute(
            text("DELETE FROM catalog_archived_chunk WHERE doc_id = :d AND number = :n"), {"d": doc_id, "n": live}
        )
        conn.execute(
            text(
                """INSERT INTO catalog_archived_chunk (doc_id, number, ordinal, section, kind, text)
                   SELECT doc_id, :n, ordinal, section, kind, text FROM catalog_chunk WHERE doc_id = :d"""
            ),
            {"d": doc_id, "n": live},
        )

    def remove_document(self, doc_id: str) -> None:
        """Take a document out of use; its versions and their text stay in the history."""
        active = self._active_name()
        with self._write() as conn:
            old = [r.id for r in conn.execute(text("SELECT id FROM catalog_chunk WHERE doc_id = :d"), {"d": doc_id})]
            self._archive_live(conn, doc_id)
            self._delete_rows(conn, doc_id)
            conn.execute(text("DELETE FROM catalog_document WHERE doc_id = :d"), {"d": doc_id})
            _unreferenced(conn, old)
        self._delete_vectors(active, old)

    def _terms_held(self, conn: Connection, doc_id: str, *, raw: bool) -> list[dict[str, Any]]:
        """How many of a document's live chunks hold each term (folded tokens and their phrases of two, or
        words with diacritics)."""
        if self.postgres:
            sql = f"""SELECT u.lexeme AS term, count(*) AS n FROM catalog_chunk c, unnest(c.{"raw" if raw else "lex"}) u
                      WHERE c.doc_id = :d GROUP BY u.lexeme"""
            held = [{"term": r.term, "n": int(r.n)} for r in conn.execute(text(sql), {"d": doc_id})]
            if not raw:
                phrases: Counter[str] = Counter()
                for r in conn.execute(
                    text("SELECT CAST(lex AS text) AS lex FROM catalog_chunk WHERE doc_id = :d"), {"d": doc_id}
                ):
                    at = _positions(r.lex)
                    phrases.update({f"{w} {at[i + 1]}" for i, w in at.items() if i + 1 in at})
                held.extend({"term": t, "n": n} for t, n in phrases.items())
            return held
        table, column = ("catalog_chunk_raw", "words") if raw else ("catalog_chunk_fts", "tokens")
        counter: Counter[str] = Counter()
        for r in conn.execute(
            text(
                f"SELECT {column} AS held FROM {table} WHERE rowid IN (SELECT pk FROM catalog_chunk WHERE doc_id = :d)"
            ),
            {"d": doc_id},
        ):
            if raw:
                counter.update(set(_RAW_PART.findall(r.held)))
            else:
                lexical = r.held.split()
                counter.update(set(lexical) | _adjacent(lexical))
        return [{"term": t, "n": n} for t, n in counter.items()]

    def _delete_rows(self, conn: Connection, doc_id: str) -> None:
        """The live chunks of a document and their lexical rows, with the live counts kept right."""
        gone = conn.execute(
            text("SELECT count(*) AS n, coalesce(sum(lex_len), 0) AS lexical FROM catalog_chunk WHERE doc_id = :d"),
            {"d": doc_id},
        ).one()
        if not gone.n:
            return
        gone_terms = self._terms_held(conn, doc_id, raw=False)
        gone_raw = self._terms_held(conn, doc_id, raw=True)
        if gone_terms:
            conn.execute(text("UPDATE catalog_term SET chunks = chunks - :n WHERE term = :term"), gone_terms)
        if gone_raw:
            conn.execute(text("UPDATE catalog_raw_term SET chunks = chunks - :n WHERE term = :term"), gone_raw)
        if not self.postgres:
            for table in ("catalog_chunk_fts", "catalog_chunk_raw"):
                conn.execute(
                    text(f"DELETE FROM {table} WHERE rowid IN (SELECT pk FROM catalog_chunk WHERE doc_id = :d)"),
                    {"d": doc_id},
                )
        conn.execute(text("DELETE FROM catalog_chunk WHERE doc_id = :d"), {"d": doc_id})
        conn.execute(
            text("UPDATE catalog_state SET chunks = chunks - :c, lexical_tokens = lexical_tokens - :t WHERE id = 1"),
            {"c": int(gone.n), "t": int(gone.lexical)},
        )

    # -- rebuilding into a new collection ----------------------------------------------------------

    def start_rebuild(self) -> str:
        """The name of a new collection for `--rebuild`: vectors go there while the live one keeps serving."""
        return f"{self._base_collection(self._state())}_{uuid.uuid4().hex[:8]}"

    def stage_documents(self, collection: str, docs: Sequence[DocumentWrite]) -> None:
        """Write documents' vectors into the collection being rebuilt (nothing goes live yet)."""
        self._write_vectors(collection, docs)

    def finish_rebuild(
        self, collection: str, docs: Sequence[DocumentWrite], provenance: Sequence[Provenance]
    ) -> dict[str, int]:
        """One transaction: the staged documents become the live index, every other document leaves it (its
        text stays in the history), and `collection` becomes the live collection. The previous collection
        is retired: dropped by a later sync once the grace period has passed."""
        numbers: dict[str, int] = {}
        with self._write() as conn:
            state = self._state(conn)
            conn.execute(
                text(
                    """INSERT INTO catalog_archived_chunk (doc_id, number, ordinal, section, kind, text)
                       SELECT c.doc_id, d.number, c.ordinal, c.section, c.kind, c.text
                       FROM catalog_chunk c JOIN catalog_document d ON d.doc_id = c.doc_id
                       WHERE NOT EXISTS (SELECT 1 FROM catalog_archived_chunk a
                                         WHERE a.doc_id = c.doc_id AND a.number = d.number AND a.ordinal = c.ordinal)"""
                )
            )
            if not self.postgres:
                conn.execute(text("DELETE FROM catalog_chunk_fts"))
                conn.execute(text("DELETE FROM catalog_chunk_raw"))
            conn.execute(text("DELETE FROM catalog_chunk"))
            conn.execute(text("DELETE FROM catalog_term"))
            conn.execute(text("DELETE FROM catalog_raw_term"))
            conn.execute(text("DELETE FROM catalog_document"))
            conn.execute(text("UPDATE catalog_state SET chunks = 0, lexical_tokens = 0, embedder = NULL WHERE id = 1"))
            for doc, prov in zip(docs, provenance, strict=True):
                _, numbers[doc[0]] = self._make_live(conn, doc, prov)
            conn.execute(
                text(
                    """UPDATE catalog_state SET collection = :c, retired_collection = :old, retired_at = :at
                       WHERE id = 1"""
                ),
                {"c": collection, "old": state.collection, "at": time.time()},
            )
        return numbers

    def collect_garbage(self) -> int:
        """Delete vectors this deployment wrote that the catalog no longer references and that are older than
        the grace period, and collections it retired or abandoned once past it. Returns how many vectors."""
        self._chroma(fresh=True)
        state = self._state()
        active = state.collection or ""
        cutoff = time.time() - self.grace_seconds
        removed = 0
        with self.engine.connect() as c:
            # Only vectors written since the last collection's cutoff (less a grace for clocks of other
            # machines), and those marked unreferenced (written_at = 0): the older ones were looked at then,
            # and any the catalog stopped referencing since was marked. Not a scan of every vector.
            since = c.execute(text("SELECT gc_cutoff FROM catalog_state WHERE id = 1")).scalar()
            low = (since - self.grace_seconds) if since else -1.0
            orphans = [
                r.id
                for r in c.execute(
                    text(
                        """SELECT v.id FROM catalog_vector v LEFT JOIN catalog_chunk c ON c.id = v.id
                           WHERE v.collection = :a AND c.id IS NULL
                             AND (v.written_at = 0 OR (v.written_at > :low AND v.written_at < :cutoff))"""
                    ),
                    {"a": active, "cutoff": cutoff, "low": low},
                )
            ]
            others = c.execute(
                text(
                    """SELECT collection, max(written_at) AS newest, count(*) AS n FROM catalog_vector
                       WHERE collection <> :a GROUP BY collection"""
                ),
                {"a": active},
            ).all()
        if orphans:
            self._delete_vectors(active, orphans)
            removed += len(orphans)
        with self._write(bump=False) as conn:  # clients loaded over a day ago reload instead (_fresh_vectors)
            conn.execute(text("UPDATE catalog_state SET gc_cutoff = :c WHERE id = 1"), {"c": cutoff})
            conn.execute(
                text("UPDATE catalog_vector SET vector = NULL WHERE vector IS NOT NULL AND written_at < :old"),
                {"old": time.time() - FRESH_VECTOR_SECONDS},
            )
        for other in others:
            retired_recently = other.collection == state.retired_collection and (state.retired_at or 0) > cutoff
            if other.newest >= cutoff or retired_recently:
                continue
            with self._lock:
                if self._client is None:
                    self._loaded_at = _since_now()
                    self._client = self._open_client()
                try:
                    self._client.delete_collection(other.collection)
                except Exception:  # noqa: BLE001 - already gone is what we wanted
                    log.info("collection %s was already gone", other.collection)
                self._collections.pop(other.collection, None)
            with self._write(bump=False) as conn:
                conn.execute(text("DELETE FROM catalog_vector WHERE collection = :c"), {"c": other.collection})
            removed += int(other.n)
        return removed

    # -- searching ---------------------------------------------------------------------------------

    def search_dense(
        self, vector: np.ndarray, k: int, filters: SearchFilters | None = None, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first; only live chunks (of `doc_ids` when given)."""
        collection = self._chroma()
        key = (self._generation, collection.name)
        if self._vector_count[0] != key:
            self._vector_count = (key, collection.count())
        total = self._vector_count[1]
        if not total:
            return []
        if total <= _EXACT_VECTORS:
            similar = self._nearest_exactly(collection, key, vector, k * 3 + 10, filters, doc_ids)
        else:
            where = _chroma_where(filters)
            if doc_ids is not None:
                only = {"doc_id": {"$in": list(doc_ids)}}
                where = only if where is None else {"$and": [where, only]}
            result = collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=min(total, k * 3 + 10),
                where=where,
                include=["distances"],
            )
            ids, distances = result["ids"][0], result["distances"][0]
            similar = {i: 1.0 - float(d) for i, d in zip(ids, distances, strict=True)}
        fresh_ids, fresh_matrix, fresh_meta = self._fresh_vectors(collection)
        if fresh_ids:  # chunks made live elsewhere since this embedded client loaded: compared here
            sims = fresh_matrix @ np.asarray(vector, dtype=np.float32)
            added = 0
            for i in np.argsort(-sims):
                if added >= k * 3 + 10:
                    break
                if _meets(fresh_meta[i], filters, doc_ids):
                    similar[fresh_ids[i]] = max(float(sims[i]), similar.get(fresh_ids[i], -1.0))
                    added += 1
        live = self._live_among(list(similar))
        found = [(i, sim) for i, sim in similar.items() if i in live]
        # Equal similarities (a text indexed twice, translations) come back in any order: order them by id,
        # so that the same question gets the same passages every time.
        return sorted(found, key=lambda hit: (-round(hit[1], 6), hit[0]))[:k]

    def _nearest_exactly(
        self,
        collection: Any,
        key: tuple[int, str],
        vector: np.ndarray,
        n: int,
        filters: SearchFilters | None,
        doc_ids: Sequence[str] | None,
    ) -> dict[str, float]:
        """(vector id → cosine similarity) of the n nearest that pass the filters, among every vector of a small
        collection, held in memory for the generation it was read at."""
        if self._every_vector[0] != key:
            got = collection.get(include=["embeddings", "metadatas"])
            matrix = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
            if len(matrix):
                matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)  # cosine, as Chroma's
            self._every_vector = (key, list(got["ids"]), matrix, [m or {} for m in got["metadatas"]])
        _, ids, matrix, metas = self._every_vector
        if not ids:
            return {}
        query = np.asarray(vector, dtype=np.float32)
        sims = matrix @ (query / max(float(np.linalg.norm(query)), 1e-12))
        similar: dict[str, float] = {}
        for i in np.argsort(-sims, kind="stable"):
            if len(similar) >= n:
                break
            if _meets(metas[i], filters, doc_ids):
                similar[ids[i]] = float(sims[i])
        return similar

    def _fresh_vectors(self, collection: Any) -> tuple[list[str], np.ndarray, list[dict[str, Any]]]:
        """Embedded, while another process's changes are not in the loaded client (which can neither search
        nor read them): the vectors of the chunks made live since it was loaded, as the writer kept them in
        catalog_vector, with their documents' metadata. Once there are too many (or some were kept no longer),
        a new client is loaded in the background. Nothing otherwise."""
        empty: tuple[list[str], np.ndarray, list[dict[str, Any]]] = ([], np.zeros((0, 0), np.float32), [])
        if self.chroma_url:
            return empty
        state = self._state()
        if state.generation == self._generation:
            return empty
        key = (state.generation, self._loaded_at)
        if self._fresh[0] != key:
            sql = text(
                """SELECT c.id, d.doc_id, d.doc_type, d.symbol, d.date, v.vector
                   FROM catalog_document d JOIN catalog_chunk c ON c.doc_id = d.doc_id
                   LEFT JOIN catalog_vector v ON v.collection = :collection AND v.id = c.id
                   WHERE d.indexed_at >= :since LIMIT :n"""
            )
            with self.engine.connect() as c:
                rows = c.execute(sql, {"collection": collection.name, "since": self._loaded_at, "n": _FEW + 1}).all()
            if len(rows) > _FEW or any(r.vector is None for r in rows):
                # Too many to compare here, or kept no longer: a new client, loaded in the background.
                self._refresh_in_background(state.generation, collection.name)
                rows = [r for r in rows[:_FEW] if r.vector is not None]
            matrix = (
                np.frombuffer(b"".join(r.vector for r in rows), dtype=np.float32).reshape(len(rows), -1)
                if rows
                else np.zeros((0, 0), np.float32)
            )
            meta = [
                {"doc_id": r.doc_id, "doc_type": r.doc_type, "symbol": r.symbol, "date": _date_int(r.date or "")}
                for r in rows
            ]
            self._fresh = (key, [r.id for r in rows], matrix, meta)
        return self._fresh[1], self._fresh[2], self._fresh[3]

    def nearest_in(self, vector: np.ndarray, k: int, doc_ids: Sequence[str]) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) among the chunks of a few documents, best first. A Chroma query
        filtered by document took ~40 ms on 50,000 chunks; a few thousand vectors held in memory (per
        catalog generation) are compared in well under a millisecond."""
        key = (self.generation(), tuple(sorted(doc_ids)))
        if self._few[0] != key:
            sql = text("SELECT id FROM catalog_chunk WHERE doc_id IN :d LIMIT :n").bindparams(
                bindparam("d", expanding=True)
            )
            ids: list[str] = []
            if key[1] and len(key[1]) <= _FEW:  # more documents hold more chunks than are held: not listed
                with self.engine.connect() as c:
                    ids = [r.id for r in c.execute(sql, {"d": list(key[1]), "n": _FEW + 1})]
            if len(ids) > _FEW or len(key[1]) > _FEW:
                self._few = (key, None, np.zeros((0, 0)))
            else:
                got = self._chroma().get(ids=ids, include=["embeddings"]) if ids else {"ids": [], "embeddings": []}
                matrix = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
                self._few = (key, list(got["ids"]), matrix)
        _, held, matrix = self._few
        if held is None:
            # Most of the index (the Vietnamese documents, for an Arabic question): the nearest passages overall
            # hold them; a query filtered by a thousand documents took ~200 ms at 50,000 chunks.
            nearest = self.search_dense(vector, max(k, 50))
            wanted = set(doc_ids)
            chunks = self.get_chunks([c for c, _ in nearest])
            found = [(c, sim) for c, sim in nearest if c in chunks and chunks[c].doc_id in wanted][:k]
            return found if len(found) >= k else self.search_dense(vector, k, None, doc_ids)
        if not held:
            return []
        sims = matrix @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-sims)[:k]
        return [(held[i], float(sims[i])) for i in order]

    def search_lexical(self, query: str, k: int, filters: SearchFilters | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score ≥ 0), best first.

        The passages best by the question's words are scored again with its phrases: each pair of adjacent
        words within a phrase ("số hóa hồ sơ, giấy tờ" → so hoa, hoa ho, ho so, giay to) adds BM25 as a word
        does, weighted by how few chunks hold it. A passage that says what the question says, in its order,
        outranks one holding the same words apart (measured on the tuning half: hit@3 and contains up on the
        paraphrased and fresh questions). Re-scoring the best _RESCORED ranked as adding the phrases to
        every match did on every question of the eval sets.

        Up to _EXACT_CHUNKS live chunks every chunk holding a term is ranked (FTS5 on SQLite). Above, only
        candidates are: the chunks of the rarest terms first, at most _CANDIDATES in all, so the cost of a
        question does not grow with the corpus (a median question matched 15% of 50,000 chunks)."""
        # Function words stay in: "hạn", "ngày", "tháng" carry the deadline questions (measured on the eval set).
        terms = sorted(set(with_spellings(expand_query(query))))
        if not terms:
            return []
        best = self._by_words(self._drop_ubiquitous(terms), max(k, _RESCORED), filters)
        return self._with_phrases(best, sorted(" ".join(pair) for pair in word_pairs(query, spelt=False)), k)

    def _by_words(self, terms: list[str], k: int, filters: SearchFilters | None) -> list[tuple[int, float]]:
        """(chunk pk, BM25 score of the words), best first."""
        filtered = bool(filters and (filters.doc_types or filters.symbols or filters.date_from or filters.date_to))
        exact = self.count_chunks() <= self.exact_chunks
        if self.postgres or (not filtered and not exact):
            return self._search_candidates(terms, k, filters, budget=None if exact else _CANDIDATES)
        match = " OR ".join(f'"{t}"' for t in terms)
        with self.engine.connect() as c:
            if not filtered:
                # Rank inside FTS5 only: joining every match before sorting cost ~0.8 s per question on 50,000
                # chunks.
                sql = """SELECT rowid AS pk, -rank AS score FROM catalog_chunk_fts
                         WHERE catalog_chunk_fts MATCH :m ORDER BY rank LIMIT :k"""
                return [(r.pk, float(r.score)) for r in c.execute(text(sql), {"m": match, "k": k})]
            where, params = _document_filter(filters)
            sql = f"""SELECT c.pk, -bm25(catalog_chunk_fts) AS score FROM catalog_chunk_fts
                      JOIN catalog_chunk c ON c.pk = catalog_chunk_fts.rowid
                      JOIN catalog_document d ON d.doc_id = c.doc_id
                      WHERE catalog_chunk_fts MATCH :m{where} ORDER BY score DESC LIMIT :k"""
            return [
                (r.pk, float(r.score)) for r in c.execute(_expanding(text(sql), params), {**params, "m": match, "k": k})
            ]

    def _with_phrases(self, best: list[tuple[int, float]], phrases: list[str], k: int) -> list[tuple[str, float]]:
        """The passages scored by words, with each phrase they hold scored as BM25 scores a word (its
        frequency in the passage, how few chunks hold it), the best k by the sum. Only phrases one of them
        holds are counted across the index."""
        if not best:
            return []
        pks = [pk for pk, _ in best]
        held: dict[str, dict[int, int]] = {}  # phrase → chunk pk → how often it holds it
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT pk, id, lex_len FROM catalog_chunk WHERE pk IN :pks").bindparams(
                    bindparam("pks", expanding=True)
                ),
                {"pks": pks},
            ).all()
            if self.postgres and phrases:
                # Only the positions of the phrases' words (marked with weight A, then kept): reading every
                # lexeme's back from the tsvector's text cost 8 ms a question for 100 passages.
                at: dict[int, dict[str, set[int]]] = {}
                for r in conn.execute(
                    text(
                        """SELECT c.pk, u.lexeme, u.positions FROM catalog_chunk c CROSS JOIN LATERAL
                           unnest(ts_filter(setweight(c.lex, 'A', CAST(:lexemes AS text[])), '{a}')) u
                           WHERE c.pk IN :pks"""
                    ).bindparams(bindparam("pks", expanding=True)),
                    {"pks": pks, "lexemes": sorted({w for p in phrases for w in p.split(" ")})},
                ):
                    at.setdefault(r.pk, {})[r.lexeme] = set(r.positions)
                for phrase in phrases:
                    first, second = phrase.split(" ")
                    held[phrase] = {
                        pk: n
                        for pk, words in at.items()
                        if (n := sum(p + 1 in words.get(second, ()) for p in words.get(first, ())))
                    }
            elif phrases:
                marks = ",".join("?" * len(pks))
                cursor = conn.connection.cursor()
                try:
                    cursor.execute(f"SELECT rowid, tokens FROM catalog_chunk_fts WHERE rowid IN ({marks})", pks)
                    streams = {pk: f" {stored} " for pk, stored in cursor.fetchall()}
                finally:
                    cursor.close()
                held = {p: {pk: n for pk, s in streams.items() if (n := _occurrences(s, f" {p} "))} for p in phrases}
        ids = {r.pk: r.id for r in rows}
        lengths = {r.pk: int(r.lex_len or 0) for r in rows}
        scores = dict(best)
        held = {p: tf for p, tf in held.items() if tf}
        if held:
            state = self._state()
            total = state.chunks
            average = (state.lexical_tokens / total) if total else 1.0
            frequency = self.chunk_frequency(sorted(held), cap=max(_COUNT_CAP, total // 10 + 1))
            k1, b = 1.2, 0.75  # as bm25()
            for phrase, found in held.items():
                weight = inverse_frequency(frequency[phrase], total) * (k1 + 1)
                for pk, tf in found.items():
                    scores[pk] += weight * tf / (tf + k1 * (1 - b + b * lengths.get(pk, 0) / (average or 1.0)))
        ranked = sorted(scores.items(), key=lambda hit: (-hit[1], hit[0]))
        return [(ids[pk], score) for pk, score in ranked if pk in ids][:k]

    def _search_candidates(
        self, terms: list[str], k: int, filters: SearchFilters | None, *, budget: int | None
    ) -> list[tuple[int, float]]:
        """BM25 (FTS5's formula over our own tokens) of candidate chunks: those holding the rarest terms
        first, up to `budget` chunks (None: every chunk holding a term)."""
        state = self._state()
        total = state.chunks
        if not total:
            return []
        average = state.lexical_tokens / total
        frequency = self.chunk_frequency(terms, cap=max(_COUNT_CAP, total // 10 + 1))
        where, params = _document_filter(filters)
        ordered = sorted(terms, key=lambda t: (frequency[t], t))
        if self.postgres:
            return self._score_in_postgres(ordered, frequency, k, where, params, budget=budget)
        candidates: list[int] = []
        seen: set[int] = set()
        with self.engine.connect() as conn:
            groups = [[t] for t in ordered] if budget else [terms]
            for group in groups:
                left = (budget - len(candidates)) if budget else total
                if left <= 0:
                    break
                if budget and len(candidates) >= k and frequency[group[0]] > _COMMON:
                    break  # a chunk holding only common terms seldom ranks; enumerating them cost most of the time
                cursor = conn.connection.cursor()
                try:
                    match = " OR ".join(f'"{t}"' for t in group)
                    cursor.execute(
                        "SELECT rowid FROM catalog_chunk_fts WHERE catalog_chunk_fts MATCH ? LIMIT ?", (match, left)
                    )
                    picked = [row[0] for row in cursor.fetchall()]
                finally:
                    cursor.close()
                for pk in picked:
                    if pk not in seen:
                        seen.add(pk)
                        candidates.append(pk)
            if not candidates:
                return []
            wanted = set(terms)
            k1, b = 1.2, 0.75  # as bm25(), inlined: this loop runs over every candidate
            idf = {t: inverse_frequency(frequency[t], total) * (k1 + 1) for t in terms}
            marks = ",".join("?" * len(candidates))
            cursor = conn.connection.cursor()  # thousands of short rows: the driver's cursor, not Row objects
            try:
                cursor.execute(f"SELECT rowid, tokens FROM catalog_chunk_fts WHERE rowid IN ({marks})", candidates)
                fetched = cursor.fetchall()
            finally:
                cursor.close()
            # Tokens are single-space separated. Every candidate in one string: each term's occurrences are
            # found by str.find (in C) and told apart by where each candidate starts; a count per candidate and
            # term cost 10 ms a question at 500,000 chunks, splitting them more.
            texts = [stored for _, stored in fetched]
            starts, at = [], 1
            for stored in texts:
                starts.append(at)
                at += len(stored) + 3  # " \n " between candidates
            joined = " " + " \n ".join(texts) + " "
            norms = [k1 * (1 - b + b * (stored.count(" ") + 1) / (average or 1.0)) for stored in texts]
            totals = [0.0] * len(texts)
            for term in wanted:
                needle, weight = f" {term} ", idf[term]
                held: dict[int, int] = {}
                found = joined.find(needle)
                while found >= 0:
                    i = bisect_right(starts, found + 1) - 1
                    held[i] = held.get(i, 0) + 1
                    found = joined.find(needle, found + len(needle) - 1)  # the space after may open the next
                for i, tf in held.items():
                    totals[i] += weight * tf / (tf + norms[i])
        scores: dict[int, float] = {pk: totals[i] for i, (pk, _) in enumerate(fetched)}
        return sorted(scores.items(), key=lambda hit: (-hit[1], hit[0]))[:k]

    def _score_in_postgres(
        self,
        ordered: list[str],
        frequency: dict[str, int],
        k: int,
        where: str,
        params: dict[str, Any],
        *,
        budget: int | None,
    ) -> list[tuple[int, float]]:
        """PostgreSQL: candidates picked and ranked by one statement (a round trip per term, and another for
        the scores, cost more than the search itself). The chunks of each term, rarest first, follow one
        another until `budget` rows are read (PostgreSQL stops there); a term held by over _COMMON chunks
        adds none once the rarer terms' counts reach k. BM25 is summed over the wanted lexemes of each
        candidate's tsvector, as on SQLite."""
        state = self._state()
        total = state.chunks
        average = (state.lexical_tokens / total) or 1.0
        k1, b = 1.2, 0.75  # as bm25()
        join = " JOIN catalog_document d ON d.doc_id = c.doc_id" if where else ""
        groups: list[list[str]] = [ordered]  # every chunk holding a term
        if budget is not None:
            # Terms no chunk held when last counted go first, in one branch (a branch costs ~1 ms even when
            # empty; an English question has a dozen such words); each other term has its own, rarest first.
            unseen = [t for t in ordered if not frequency[t]]
            groups, planned = [unseen] if unseen else [], 0
            for term in ordered[len(unseen) :]:
                if planned >= budget or (planned >= k and frequency[term] > _COMMON and not where):
                    break  # a chunk holding only common terms seldom ranks; enumerating them cost most of the time
                groups.append([term])
                planned += frequency[term]
        bind: dict[str, Any] = {
            **params,
            "terms": ordered,
            "idf": [inverse_frequency(frequency[t], total) * (k1 + 1) for t in ordered],
            "fixed": k1 * (1 - b),
            "per_token": k1 * b / average,
            "k": k,
            "budget": budget if budget is not None else total,
        }
        picks = []
        for i, group in enumerate(groups):
            bind[f"q{i}"] = _tsquery(group)
            picks.append(
                f"(SELECT c.pk, c.id, c.lex_len, c.lex FROM catalog_chunk c{join}"
                f" WHERE c.lex @@ CAST(:q{i} AS tsquery){where} LIMIT :budget)"
            )
        if not picks:
            return []
        # Only the wanted lexemes of a candidate are unnested (marked with weight A, then kept): unnesting
        # every lexeme cost 30 µs a candidate, most of the search.
        sql = f"""WITH picked AS MATERIALIZED (
                      SELECT * FROM ({" UNION ALL ".join(picks)}) s LIMIT :budget),
                  candidate AS (SELECT DISTINCT ON (pk) pk, id, lex_len, lex FROM picked),
                  weight AS (SELECT * FROM unnest(CAST(:terms AS text[]), CAST(:idf AS float8[])) AS w(term, idf))
                  SELECT c.pk, sum(w.idf * greatest(1, cardinality(u.positions))
                                   / (greatest(1, cardinality(u.positions)) + :fixed + :per_token * c.lex_len)) AS score
                  FROM candidate c
                  CROSS JOIN LATERAL unnest(ts_filter(setweight(c.lex, 'A', CAST(:terms AS text[])), '{{a}}')) u
                  JOIN weight w ON w.term = u.lexeme
                  GROUP BY c.pk ORDER BY score DESC, c.pk LIMIT :k"""
        with self.engine.connect() as conn:
            return [(r.pk, float(r.score)) for r in conn.execute(_expanding(text(sql), params), bind)]

    def _drop_ubiquitous(self, terms: list[str]) -> list[str]:
        """Leave out terms found in over a tenth of a large index: their BM25 weight is nil, yet scoring
        every chunk they match dominated the time on 50,000 chunks. (Above _EXACT_CHUNKS the counts are read
        from catalog_term, not counted.)"""
        total = self.count_chunks()
        if total < 2000:
            return terms
        limit = total // 10
        counts = self.chunk_frequency(terms, cap=max(_COUNT_CAP, limit + 1))
        return [t for t in terms if counts[t] <= limit] or terms

    def document_frequency(self, terms: Sequence[str], *, raw: bool = False) -> dict[str, int]:
        """Whether any chunk contains each term (1) or none does (0): folded tokens, or raw words with diacritics.

        Words are looked up in the vocabulary kept as chunks are written (catalog_term, catalog_raw_term): on
        PostgreSQL a search for a word no chunk holds was planned as a scan of every chunk. Only a phrase
        whose words are all known is searched."""
        if not terms:
            return {}
        table = "catalog_chunk_raw" if raw else "catalog_chunk_fts"
        known = self._known_words()  # the same words come back question after question
        missing = [t for t in dict.fromkeys(terms) if (table, t) not in known]
        if missing:
            words = {t: (_RAW_PART if raw else _TOKEN).findall(t) for t in missing}
            vocabulary = "catalog_raw_term" if raw else "catalog_term"
            held = text(f"SELECT term FROM {vocabulary} WHERE term IN :t AND chunks > 0").bindparams(
                bindparam("t", expanding=True)
            )
            if self.postgres:
                column = "raw" if raw else "lex"
                phrase = f"SELECT 1 FROM catalog_chunk WHERE {column} @@ CAST(:q AS tsquery) LIMIT 1"
            else:
                phrase = f"SELECT 1 FROM {table} WHERE {table} MATCH :q LIMIT 1"
            with self.engine.connect() as c:
                wanted = sorted({w for parts in words.values() for w in parts})
                present = {r.term for r in c.execute(held, {"t": wanted})} if wanted else set()
                for term, parts in words.items():
                    found = 1 if parts and all(p in present for p in parts) else 0
                    if found and len(parts) > 1:
                        if self.postgres:  # the index, not a scan of every chunk, whatever the planner guesses
                            c.exec_driver_sql("SET LOCAL enable_seqscan = off")
                        query = _phrase(term, raw=raw) if self.postgres else '"' + term.replace('"', '""') + '"'
                        found = 1 if c.execute(text(phrase), {"q": query}).first() else 0
                    known[(table, term)] = found
                c.rollback()
        return {term: known[(table, term)] for term in terms}

    def chunk_frequency(self, terms: Sequence[str], cap: int = 1000) -> dict[str, int]:
        """How many chunks contain each folded term, counted up to `cap` (rarity for weighting words). On a
        large index counts are kept until the live chunks change by 1% (one ingest does not make every
        question count its words again); on a small one they are exact per generation."""
        known = self._counts_cache()
        tag = f"count<{cap}"  # a count is only known up to the cap it was taken with
        if self.postgres:
            sql = "SELECT count(*) FROM (SELECT 1 FROM catalog_chunk WHERE lex @@ CAST(:q AS tsquery) LIMIT :cap) s"
        else:
            sql = "SELECT count(*) FROM (SELECT 1 FROM catalog_chunk_fts WHERE catalog_chunk_fts MATCH :q LIMIT :cap)"
        out: dict[str, int] = {}
        missing = [t for t in terms if (tag, t) not in known]
        if missing and self.count_chunks() > self.exact_chunks:
            # Counted as chunks are written (exactly FTS5's count for a token, or two adjacent); a longer
            # phrase is counted.
            single = [t for t in missing if re.fullmatch(r"\w+(?: \w+)?", t)]
            stmt = text("SELECT term, chunks FROM catalog_term WHERE term IN :t").bindparams(
                bindparam("t", expanding=True)
            )
            with self.engine.connect() as c:
                found = {r.term: int(r.chunks) for r in c.execute(stmt, {"t": single})} if single else {}
            for term in single:
                known[(tag, term)] = min(cap, max(0, found.get(term, 0)))
            missing = [t for t in missing if (tag, t) not in known]
        if missing:
            with self.engine.connect() as c:
                for term in missing:
                    query = _phrase(term) if self.postgres else '"' + term.replace('"', '""') + '"'
                    known[(tag, term)] = int(c.execute(text(sql), {"q": query, "cap": cap}).scalar_one())
        for term in terms:
            out[term] = known[(tag, term)]
        return out

    def _counts_cache(self) -> dict[tuple[str, str], int]:
        state = self._state()
        at, counted_at, counts = self._counts
        if state.generation != at:
            small = state.chunks <= self.exact_chunks
            if small or abs(state.chunks - counted_at) * 100 > counted_at or len(counts) > 200_000:
                counts, counted_at = {}, state.chunks
            self._counts = (state.generation, counted_at, counts)
        return counts

    def close(self) -> None:
        with self._lock:
            self._collections.clear()
            self._client = None
        self.engine.dispose()  # the pooled connections; the engine reconnects if used again


def _unreferenced(conn: Connection, ids: Sequence[str]) -> None:
    """Vectors the catalog stopped referencing in this transaction: collectable at once if their deletion
    right after the commit does not happen (a crash), since no write of them is in flight."""
    stmt = text("UPDATE catalog_vector SET written_at = 0 WHERE id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    for i in range(0, len(ids), 500):
        conn.execute(stmt, {"ids": list(ids[i : i + 500])})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _expanding(stmt: Any, params: dict[str, Any]) -> Any:
    for name in ("doc_types", "symbols"):
        if name in params:
            stmt = stmt.bindparams(bindparam(name, expanding=True))
    return stmt


def _document_filter(filters: SearchFilters | None) -> tuple[str, dict[str, Any]]:
    """SQL conditions on the document `d` for these filters, and their parameters."""
    if not filters:
        return "", {}
    sql, params = "", dict[str, Any]()
    if filters.doc_types:
        sql += " AND d.doc_type IN :doc_types"
        params["doc_types"] = list(filters.doc_types)
    if filters.symbols:
        sql += " AND d.symbol IN :symbols"
        params["symbols"] = list(filters.symbols)
    if filters.date_from:
        sql += " AND d.date >= :date_from"
        params["date_from"] = filters.date_from
    if filters.date_to:
        sql += " AND d.date != '' AND d.date <= :date_to"
        params["date_to"] = filters.date_to
    return sql, params


def _chroma_where(filters: SearchFilters | None) -> dict[str, Any] | None:
    if not filters:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.doc_types:
        clauses.append({"doc_type": {"$in": list(filters.doc_types)}})
    if filters.symbols:
        clauses.append({"symbol": {"$in": list(filters.symbols)}})
    if filters.date_from:
        clauses.append({"date": {"$gte": _date_int(filters.date_from)}})
    if filters.date_to:
        clauses.append({"date": {"$lte": _date_int(filters.date_to)}})
        clauses.append({"date": {"$gt": 0}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _meta_of(row: Any) -> DocumentMeta:
    """A document's metadata from a catalog row (empty strings for what it does not state)."""
    return DocumentMeta(
        row.title or "", row.symbol or "", row.doc_type or "", row.issuer or "", row.date or "", row.language or ""
    )


def _since_now() -> str:
    """Now as catalog_document.indexed_at reads (to the second), less a margin for a commit in flight."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() - 2))


def _meets(meta: dict[str, Any], filters: SearchFilters | None, doc_ids: Sequence[str] | None) -> bool:
    """Whether a vector's metadata passes these filters (what _chroma_where asks Chroma)."""
    if doc_ids is not None and meta.get("doc_id") not in doc_ids:
        return False
    if not filters:
        return True
    date = int(meta.get("date") or 0)
    if filters.doc_types and meta.get("doc_type") not in filters.doc_types:
        return False
    if filters.symbols and meta.get("symbol") not in filters.symbols:
        return False
    if filters.date_from and date < _date_int(filters.date_from):
        return False
    return not filters.date_to or 0 < date <= _date_int(filters.date_to)
