"""The document index: dense vectors in Chroma, a lexical FTS5 index and a catalog, kept consistent.

Consistency without a distributed transaction: the catalog (SQLite, under TROLY_DATA_DIR/index) is
the source of truth for which chunk ids are live. A document version is written to Chroma first,
then made live by one SQLite transaction that swaps its chunks (catalog + lexical index) and bumps
the generation; the old version's vectors are deleted afterwards. Dense results whose ids are not
live are ignored, so a crash at any point leaves the previous version answering, and a reader never
sees half a document. Leftover vectors are collected by the next sync.

Versions: a document is identified by its name (see ingestion/sync.py). Every distinct content a name
has had is a numbered version in `doc_version`; only one is live (the `document` row). When another
version goes live, the chunks of the one it replaces move to `archived_chunk` in the same transaction,
so no text is ever lost silently and `troly docs history NAME` can list them.

Freshness across processes: Chroma's local client keeps serving what it loaded, so every search first
reads the catalog's generation (one cheap SQLite read) and reopens the Chroma client when another
process has changed the index.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import EmbedderMismatch, IndexUnavailable
from retrieval.protocols import SearchFilters
from retrieval.text import expand_query, raw_words, tokens
from retrieval.types import Chunk, DocumentMeta, StoredChunk

log = logging.getLogger(__name__)
COLLECTION = "troly_chunks"
_BATCH = 2000
_FEW = 5000  # documents' chunks held in memory for nearest_in (384 floats each: ~8 MB)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS document (
    doc_id TEXT PRIMARY KEY, version TEXT NOT NULL, title TEXT, symbol TEXT, doc_type TEXT, issuer TEXT,
    date TEXT, language TEXT, chunks INTEGER, indexed_at TEXT
);
CREATE TABLE IF NOT EXISTS chunk (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL, ordinal INTEGER,
    section TEXT, kind TEXT, text TEXT
);
CREATE INDEX IF NOT EXISTS chunk_doc ON chunk (doc_id);
CREATE TABLE IF NOT EXISTS doc_version (
    doc_id TEXT NOT NULL, number INTEGER NOT NULL, content TEXT NOT NULL, version TEXT, size INTEGER,
    source TEXT, title TEXT, symbol TEXT, chunks INTEGER, created_at TEXT,
    PRIMARY KEY (doc_id, number)
);
CREATE TABLE IF NOT EXISTS archived_chunk (
    doc_id TEXT NOT NULL, number INTEGER NOT NULL, ordinal INTEGER NOT NULL, section TEXT, kind TEXT, text TEXT,
    PRIMARY KEY (doc_id, number, ordinal)
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5 (tokens, tokenize = "unicode61 remove_diacritics 0 tokenchars '_'");
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_raw USING fts5 (words, tokenize = "unicode61 remove_diacritics 0");
"""


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


def chunk_id(doc_id: str, version: str, ordinal: int) -> str:
    return hashlib.sha1(f"{doc_id}\0{version}\0{ordinal}".encode()).hexdigest()[:32]


def _date_int(iso: str) -> int:
    digits = iso.replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


class DocumentIndex:
    """Write and search the index. One instance per process; safe to share between threads."""

    def __init__(self, data_dir: Path, embedder_name: str, *, chroma_url: str | None = None) -> None:
        self.dir = data_dir / "index"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.embedder_name = embedder_name
        self.chroma_url = chroma_url
        self._lock = threading.RLock()
        # Writes go through one connection under the lock; each thread reads through its own (WAL lets
        # readers run side by side, and a reader never sees another thread's uncommitted write).
        self._db = sqlite3.connect(self.dir / "catalog.db", timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._migrate()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._client: Any = None
        self._collection: Any = None
        self._generation = -1
        # What searches look up again and again, each tagged with the catalog generation it was read
        # at or after (read the generation first, then the data: the tag is never newer than the data).
        self._live_ids: tuple[int, frozenset[str]] = (-1, frozenset())
        self._vector_count: tuple[int, int] = (-1, 0)
        self._vocabulary: tuple[int, dict[tuple[str, str], int]] = (-1, {})
        self._languages: tuple[int, dict[str, str]] = (-1, {})
        # nearest_in's documents, their chunk ids and vectors (None: too many to hold, Chroma filters instead)
        self._few: tuple[tuple[int, tuple[str, ...]], list[str] | None, np.ndarray] = ((-1, ()), [], np.zeros((0, 0)))
        self._check_embedder()

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.dir / "catalog.db", timeout=30, check_same_thread=False, isolation_level=None)
            self._local.conn = conn
            with self._lock:
                self._readers.append(conn)
        return conn

    def _known_words(self) -> dict[tuple[str, str], int]:
        generation = self.generation()
        tagged = self._vocabulary
        if tagged[0] != generation or len(tagged[1]) > 200_000:  # bounded whatever people type
            tagged = self._vocabulary = (generation, {})
        return tagged[1]

    # -- catalog ---------------------------------------------------------------------------------

    def _meta(self, key: str, db: sqlite3.Connection | None = None) -> str | None:
        row = (db or self._reader()).execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def generation(self, db: sqlite3.Connection | None = None) -> int:
        return int(self._meta("generation", db) or 0)

    def _migrate(self) -> None:
        """Catalogs written before versions existed: the live document gets the provenance columns and
        becomes version 1 of itself (content unknown, so the next sync of its file makes version 2)."""
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(document)")}
        if "number" in columns:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for column in ("number INTEGER", "content TEXT", "source TEXT", "size INTEGER"):
                    self._db.execute(f"ALTER TABLE document ADD COLUMN {column}")
                self._db.execute("UPDATE document SET number = 1, content = '', source = '', size = 0")
                self._db.execute(
                    """INSERT OR IGNORE INTO doc_version (doc_id, number, content, version, size, source, title, symbol,
                       chunks, created_at) SELECT doc_id, 1, '', version, 0, '', title, symbol, chunks, indexed_at FROM document"""
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _check_embedder(self) -> None:
        built = self._meta("embedder")
        if built and built != self.embedder_name and self.count_documents():
            raise EmbedderMismatch(built, self.embedder_name)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            current = self._generation == self.generation()  # were we up to date before this write?
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                new = self.generation(self._db) + 1  # inside the write transaction
                self._db.execute(
                    "INSERT INTO meta VALUES ('generation', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(new),),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            if current:
                self._generation = new  # our own write: no need to reopen Chroma to see it

    def count_documents(self) -> int:
        return int(self._reader().execute("SELECT count(*) FROM document").fetchone()[0])

    def count_chunks(self) -> int:
        """Live chunks (every question weighs words by it: read once per generation, not counted each time)."""
        return len(self._live())

    def documents(self) -> dict[str, IndexedDocument]:
        """The live documents."""
        rows = (
            self._reader()
            .execute(
                """SELECT doc_id, version, title, symbol, doc_type, issuer, date, language, chunks, indexed_at,
                      number, content, source FROM document"""
            )
            .fetchall()
        )
        return {
            r[0]: IndexedDocument(
                r[0],
                r[1],
                DocumentMeta(r[2] or "", r[3] or "", r[4] or "", r[5] or "", r[6] or "", r[7] or ""),
                r[8],
                r[9],
                r[10] or 0,
                r[11] or "",
                r[12] or "",
            )
            for r in rows
        }

    def versions(self, doc_id: str | None = None) -> list[DocumentVersion]:
        """Every version (of one document, or of all), oldest first; `live` marks the one in use."""
        sql = """SELECT v.doc_id, v.number, v.content, v.size, v.source, v.title, v.symbol, v.chunks, v.created_at,
                        d.number IS NOT NULL AND d.number = v.number
                 FROM doc_version v LEFT JOIN document d ON d.doc_id = v.doc_id"""
        params: tuple[str, ...] = ()
        if doc_id is not None:
            sql += " WHERE v.doc_id = ?"
            params = (doc_id,)
        rows = self._reader().execute(sql + " ORDER BY v.doc_id, v.number", params).fetchall()
        return [
            DocumentVersion(
                r[0], r[1], r[2] or "", r[3] or 0, r[4] or "", r[5] or "", r[6] or "", r[7] or 0, r[8] or "", bool(r[9])
            )
            for r in rows
        ]

    def version_text(self, doc_id: str, number: int) -> list[tuple[str, str]]:
        """(section, text) of each chunk of a version, live or archived, in document order."""
        live = self._reader().execute("SELECT number FROM document WHERE doc_id = ?", (doc_id,)).fetchone()
        if live and live[0] == number:
            sql, params = "SELECT section, text FROM chunk WHERE doc_id = ? ORDER BY ordinal", (doc_id,)
        else:
            sql = "SELECT section, text FROM archived_chunk WHERE doc_id = ? AND number = ? ORDER BY ordinal"
            params = (doc_id, number)  # type: ignore[assignment]
        return [(r[0] or "", r[1] or "") for r in self._reader().execute(sql, params)]

    def languages(self) -> dict[str, str]:
        """Each document's language (read once per generation: a search asks on every question)."""
        generation = self.generation()
        if self._languages[0] != generation:
            rows = self._reader().execute("SELECT doc_id, language FROM document").fetchall()
            self._languages = (generation, {r[0]: r[1] or "" for r in rows})
        return self._languages[1]

    def get_chunks(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = (
            self._reader()
            .execute(
                f"""SELECT c.id, c.doc_id, c.text, c.section, c.ordinal,
                       d.title, d.symbol, d.doc_type, d.issuer, d.date, d.language
                FROM chunk c JOIN document d ON d.doc_id = c.doc_id WHERE c.id IN ({marks})""",
                list(ids),
            )
            .fetchall()
        )
        return {
            r[0]: StoredChunk(
                r[0],
                r[1],
                r[2],
                r[3] or "",
                r[4],
                DocumentMeta(r[5] or "", r[6] or "", r[7] or "", r[8] or "", r[9] or "", r[10] or ""),
            )
            for r in rows
        }

    def catalog_state(self) -> CatalogState:
        db = self._reader()
        documents, last = db.execute("SELECT count(*), max(indexed_at) FROM document").fetchone()
        chunks = int(db.execute("SELECT count(*) FROM chunk").fetchone()[0])
        return CatalogState(int(documents), chunks, self.generation(db), last or None)

    # -- Chroma ----------------------------------------------------------------------------------

    def _open_chroma(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if self.chroma_url:
                from urllib.parse import urlparse

                u = urlparse(self.chroma_url)
                client = chromadb.HttpClient(
                    host=u.hostname or "127.0.0.1",
                    port=u.port or (443 if u.scheme == "https" else 8000),
                    ssl=u.scheme == "https",
                    settings=settings,
                )
            else:
                # A PersistentClient caches its system per path: drop it so we see other processes' writes.
                from chromadb.api.shared_system_client import SharedSystemClient

                SharedSystemClient.clear_system_cache()
                client = chromadb.PersistentClient(path=str(self.dir / "chroma"), settings=settings)
            # Always our own embeddings: without embedding_function=None Chroma would load (download) its default.
            collection = client.get_or_create_collection(
                COLLECTION, metadata={"hnsw:space": "cosine", "embedder": self.embedder_name}, embedding_function=None
            )
        except Exception as exc:  # noqa: BLE001 - chroma raises many types for "not reachable"
            raise IndexUnavailable("retrieval.chroma_unreachable", error=str(exc)) from exc
        built = (collection.metadata or {}).get("embedder")
        if built and built != self.embedder_name and collection.count():
            raise EmbedderMismatch(built, self.embedder_name)
        self._client = client
        return collection

    def _chroma(self) -> Any:
        with self._lock:
            generation = self.generation()
            if self._collection is None or (generation != self._generation and not self.chroma_url):
                self._collection = self._open_chroma()
            self._generation = generation
            return self._collection

    def vector_count(self) -> int:
        """Vectors in this deployment's collection (Chroma reached now, not from a cache): for `troly health`.
        Raises IndexUnavailable when Chroma cannot be reached or the collection has gone."""
        collection = self._chroma()
        try:
            return int(collection.count())
        except Exception as exc:  # noqa: BLE001 - chroma raises many types for "not reachable"
            with self._lock:
                self._collection = None  # reopened (and the collection looked up again) next time
            raise IndexUnavailable(f"Không đọc được kho vector Chroma: {exc}") from exc

    # -- writing ---------------------------------------------------------------------------------

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
        self,
        docs: Sequence[tuple[str, str, DocumentMeta, Sequence[Chunk], np.ndarray]],
        provenance: Sequence[Provenance] | None = None,
    ) -> dict[str, int]:
        """Several documents: their vectors go to Chroma in one call (small upserts are slow), then each
        document is made live in its own transaction, then the replaced vectors are deleted.

        Each document's content (`provenance`, else its version string) decides its version number: the
        number of a version with the same content (re-indexed or brought back), else the next one. The
        version it replaces keeps its text in `archived_chunk`. Returns each document's live number."""
        if provenance is not None and len(provenance) != len(docs):
            raise ValueError("one provenance per document")
        collection = self._chroma()
        all_ids: list[str] = []
        all_vectors: list[np.ndarray] = []
        metadatas: list[dict[str, Any]] = []
        for doc_id, version, meta, chunks, vectors in docs:
            if len(chunks) != len(vectors):
                raise ValueError("one vector per chunk")
            all_ids += [chunk_id(doc_id, version, c.ordinal) for c in chunks]
            all_vectors.append(np.asarray(vectors, dtype=np.float32))
            metadatas += [
                {
                    "doc_id": doc_id,
                    "version": version,
                    "doc_type": meta.doc_type,
                    "symbol": meta.symbol,
                    "date": _date_int(meta.date),
                }
            ] * len(chunks)
        if not all_ids:
            return {}
        stacked = np.vstack(all_vectors)
        for i in range(0, len(all_ids), _BATCH):
            collection.upsert(
                ids=all_ids[i : i + _BATCH], embeddings=stacked[i : i + _BATCH], metadatas=metadatas[i : i + _BATCH]
            )
        stale: list[str] = []
        numbers: dict[str, int] = {}
        for i, (doc_id, version, meta, chunks, _) in enumerate(docs):
            prov = provenance[i] if provenance is not None else Provenance(version)
            ids = [chunk_id(doc_id, version, c.ordinal) for c in chunks]
            now = time.strftime("%Y-%m-%d %H:%M:%S")
            with self._tx() as db:
                old = [r[0] for r in db.execute("SELECT id FROM chunk WHERE doc_id = ?", (doc_id,))]
                row = db.execute(
                    "SELECT number FROM doc_version WHERE doc_id = ? AND content = ?", (doc_id, prov.content)
                ).fetchone()
                if row:
                    number = int(row[0])
                    db.execute(
                        """UPDATE doc_version SET version = ?, title = ?, symbol = ?, chunks = ?, source = ?, size = ?
                                  WHERE doc_id = ? AND number = ?""",
                        (version, meta.title, meta.symbol, len(chunks), prov.source, prov.size, doc_id, number),
                    )
                else:
                    number = 1 + int(
                        db.execute(
                            "SELECT coalesce(max(number), 0) FROM doc_version WHERE doc_id = ?", (doc_id,)
                        ).fetchone()[0]
                    )
                    db.execute(
                        """INSERT INTO doc_version (doc_id, number, content, version, size, source, title, symbol, chunks,
                           created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                        (
                            doc_id,
                            number,
                            prov.content,
                            version,
                            prov.size,
                            prov.source,
                            meta.title,
                            meta.symbol,
                            len(chunks),
                            now,
                        ),
                    )
                self._archive_live(db, doc_id, keep=number)
                db.execute("DELETE FROM archived_chunk WHERE doc_id = ? AND number = ?", (doc_id, number))
                self._delete_rows(db, doc_id)
                for cid, c in zip(ids, chunks, strict=True):
                    cur = db.execute(
                        "INSERT INTO chunk (id, doc_id, ordinal, section, kind, text) VALUES (?, ?, ?, ?, ?, ?)",
                        (cid, doc_id, c.ordinal, c.section, c.kind, c.text),
                    )
                    lexical = " ".join(tokens(f"{meta.symbol} {c.section} {c.text}"))
                    db.execute("INSERT INTO chunk_fts (rowid, tokens) VALUES (?, ?)", (cur.lastrowid, lexical))
                    db.execute(
                        "INSERT INTO chunk_raw (rowid, words) VALUES (?, ?)",
                        (cur.lastrowid, " ".join(raw_words(f"{meta.title} {c.text}"))),
                    )
                db.execute(
                    """INSERT OR REPLACE INTO document (doc_id, version, title, symbol, doc_type, issuer, date, language,
                       chunks, indexed_at, number, content, source, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (
                        doc_id,
                        version,
                        meta.title,
                        meta.symbol,
                        meta.doc_type,
                        meta.issuer,
                        meta.date,
                        meta.language,
                        len(chunks),
                        now,
                        number,
                        prov.content,
                        prov.source,
                        prov.size,
                    ),
                )
                db.execute("INSERT OR REPLACE INTO meta VALUES ('embedder', ?)", (self.embedder_name,))
            numbers[doc_id] = number
            stale += sorted(set(old) - set(ids))
        if stale:
            self._chroma_delete(stale)
        return numbers

    def _archive_live(self, db: sqlite3.Connection, doc_id: str, *, keep: int | None = None) -> None:
        """Copy the live version's chunks into the archive, unless that version is `keep` (re-indexed)."""
        row = db.execute("SELECT number FROM document WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None or row[0] is None or row[0] == keep:
            return
        db.execute(
            """INSERT OR REPLACE INTO archived_chunk (doc_id, number, ordinal, section, kind, text)
               SELECT doc_id, ?, ordinal, section, kind, text FROM chunk WHERE doc_id = ?""",
            (row[0], doc_id),
        )

    def remove_document(self, doc_id: str) -> None:
        """Take a document out of use; its versions and their text stay in the history."""
        with self._tx() as db:
            old = [r[0] for r in db.execute("SELECT id FROM chunk WHERE doc_id = ?", (doc_id,))]
            self._archive_live(db, doc_id)
            self._delete_rows(db, doc_id)
            db.execute("DELETE FROM document WHERE doc_id = ?", (doc_id,))
        if old:
            self._chroma_delete(old)

    def _delete_rows(self, db: sqlite3.Connection, doc_id: str) -> None:
        db.execute("DELETE FROM chunk_fts WHERE rowid IN (SELECT rowid FROM chunk WHERE doc_id = ?)", (doc_id,))
        db.execute("DELETE FROM chunk_raw WHERE rowid IN (SELECT rowid FROM chunk WHERE doc_id = ?)", (doc_id,))
        db.execute("DELETE FROM chunk WHERE doc_id = ?", (doc_id,))

    def _chroma_delete(self, ids: list[str]) -> None:
        collection = self._chroma()
        for i in range(0, len(ids), _BATCH):
            collection.delete(ids=ids[i : i + _BATCH])

    def collect_garbage(self) -> int:
        """Delete vectors that are not live (left by a crash mid-sync). Returns how many."""
        collection = self._chroma()
        live = {r[0] for r in self._reader().execute("SELECT id FROM chunk")}
        stored = collection.get(include=[])["ids"]
        orphans = [i for i in stored if i not in live]
        if orphans:
            self._chroma_delete(orphans)
        return len(orphans)

    def clear(self) -> None:
        """Drop the live index (for --rebuild): the version history and archived text stay, so the files
        synced next come back as the versions they were."""
        with self._lock:
            collection = self._chroma()
            ids = collection.get(include=[])["ids"]
            for i in range(0, len(ids), _BATCH):
                collection.delete(ids=ids[i : i + _BATCH])
            with self._tx() as db:
                db.execute(
                    """INSERT OR REPLACE INTO archived_chunk (doc_id, number, ordinal, section, kind, text)
                       SELECT c.doc_id, d.number, c.ordinal, c.section, c.kind, c.text
                       FROM chunk c JOIN document d ON d.doc_id = c.doc_id WHERE d.number IS NOT NULL"""
                )
                db.execute("DELETE FROM chunk_fts")
                db.execute("DELETE FROM chunk_raw")
                db.execute("DELETE FROM chunk")
                db.execute("DELETE FROM document")
                db.execute("DELETE FROM meta WHERE key = 'embedder'")

    # -- searching -------------------------------------------------------------------------------

    def search_dense(
        self, vector: np.ndarray, k: int, filters: SearchFilters | None = None, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first; only live chunks (of `doc_ids` when given)."""
        collection = self._chroma()
        generation = self._generation
        if self._vector_count[0] != generation:
            self._vector_count = (generation, collection.count())
        total = self._vector_count[1]
        if not total:
            return []
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
        live = self._live()
        found = [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True) if i in live]
        # Equal similarities (a text indexed twice, translations) come back in any order: order them by id,
        # so that the same question gets the same passages every time.
        return sorted(found, key=lambda hit: (-round(hit[1], 6), hit[0]))[:k]

    def nearest_in(self, vector: np.ndarray, k: int, doc_ids: Sequence[str]) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) among the chunks of a few documents, best first. A Chroma query
        filtered by document took ~40 ms on 50,000 chunks; a few thousand vectors held in memory (per
        catalog generation) are compared in well under a millisecond."""
        key = (self.generation(), tuple(sorted(doc_ids)))
        if self._few[0] != key:
            marks = ",".join("?" * len(key[1]))
            ids = [r[0] for r in self._reader().execute(f"SELECT id FROM chunk WHERE doc_id IN ({marks})", key[1])]
            if len(ids) > _FEW:
                self._few = (key, None, np.zeros((0, 0)))
            else:
                got = self._chroma().get(ids=ids, include=["embeddings"]) if ids else {"ids": [], "embeddings": []}
                matrix = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
                self._few = (key, list(got["ids"]), matrix)
        _, held, matrix = self._few
        if held is None:
            return self.search_dense(vector, k, None, doc_ids)
        if not held:
            return []
        sims = matrix @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-sims)[:k]
        return [(held[i], float(sims[i])) for i in order]

    def _live(self) -> frozenset[str]:
        """Every live chunk id (loaded once per generation: 50,000 ids take ~30 ms, a search ~0)."""
        generation = self.generation()
        if self._live_ids[0] != generation:
            self._live_ids = (generation, frozenset(r[0] for r in self._reader().execute("SELECT id FROM chunk")))
        return self._live_ids[1]

    def search_lexical(self, query: str, k: int, filters: SearchFilters | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score ≥ 0), best first."""
        # Function words stay in: "hạn", "ngày", "tháng" carry the deadline questions (measured on the eval set).
        terms = sorted(set(expand_query(query)))
        if not terms:
            return []
        terms = self._drop_ubiquitous(terms)
        match = " OR ".join(f'"{t}"' for t in terms)
        if not filters or not (filters.doc_types or filters.symbols or filters.date_from or filters.date_to):
            # Rank inside FTS5 first and join only the top k: joining every match before sorting
            # cost ~0.8 s per question on 50,000 chunks.
            sql = """SELECT c.id, -f.rank FROM (SELECT rowid, rank FROM chunk_fts WHERE chunk_fts MATCH ?
                     ORDER BY rank LIMIT ?) f JOIN chunk c ON c.rowid = f.rowid ORDER BY f.rank"""
            return [(r[0], float(r[1])) for r in self._reader().execute(sql, (match, k))]
        sql = """SELECT c.id, -bm25(chunk_fts) AS score FROM chunk_fts
                 JOIN chunk c ON c.rowid = chunk_fts.rowid JOIN document d ON d.doc_id = c.doc_id
                 WHERE chunk_fts MATCH ?"""
        params: list[Any] = [match]
        if filters.doc_types:
            sql += f" AND d.doc_type IN ({','.join('?' * len(filters.doc_types))})"
            params += list(filters.doc_types)
        if filters.symbols:
            sql += f" AND d.symbol IN ({','.join('?' * len(filters.symbols))})"
            params += list(filters.symbols)
        if filters.date_from:
            sql += " AND d.date >= ?"
            params.append(filters.date_from)
        if filters.date_to:
            sql += " AND d.date != '' AND d.date <= ?"
            params.append(filters.date_to)
        sql += " ORDER BY score DESC LIMIT ?"
        params.append(k)
        return [(r[0], float(r[1])) for r in self._reader().execute(sql, params)]

    def _drop_ubiquitous(self, terms: list[str]) -> list[str]:
        """Leave out terms found in over a tenth of a large index: their BM25 weight is nil, yet scoring
        every chunk they match dominated the time on 50,000 chunks."""
        total = len(self._live())
        if total < 2000:
            return terms
        limit = total // 10
        counts = self.chunk_frequency(terms, cap=limit + 1)
        return [t for t in terms if counts[t] <= limit] or terms

    def document_frequency(self, terms: Sequence[str], *, raw: bool = False) -> dict[str, int]:
        """Whether any chunk contains each term (1) or none does (0): folded tokens, or raw words with diacritics."""
        if not terms:
            return {}
        table = "chunk_raw" if raw else "chunk_fts"
        known = self._known_words()  # the same words come back question after question
        out: dict[str, int] = {}
        for term in terms:
            found = known.get((table, term))
            if found is None:
                # A MATCH uses the full-text index (fts5vocab would scan the whole vocabulary).
                phrase = '"' + term.replace('"', '""') + '"'
                row = (
                    self._reader().execute(f"SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT 1", (phrase,)).fetchone()
                )
                found = known[(table, term)] = 1 if row else 0
            out[term] = found
        return out

    def chunk_frequency(self, terms: Sequence[str], cap: int = 1000) -> dict[str, int]:
        """How many chunks contain each folded term, counted up to `cap` (rarity for weighting words)."""
        known = self._known_words()
        tag = f"count<{cap}"  # a count is only known up to the cap it was taken with
        out: dict[str, int] = {}
        for term in terms:
            n = known.get((tag, term))
            if n is None:
                phrase = '"' + term.replace('"', '""') + '"'
                n = known[(tag, term)] = (
                    self._reader()
                    .execute(
                        "SELECT count(*) FROM (SELECT 1 FROM chunk_fts WHERE chunk_fts MATCH ? LIMIT ?)", (phrase, cap)
                    )
                    .fetchone()[0]
                )
            out[term] = n
        return out

    def close(self) -> None:
        with self._lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        self._local = threading.local()
        self._db.close()


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
