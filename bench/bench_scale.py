"""Answer latency as the corpus grows, on both stacks: SQLite + embedded Chroma, PostgreSQL + a `chroma run`.

For each size (BENCH_SCALE, default "50000,500000" chunks) and stack (BENCH_STACKS, default
"sqlite,postgresql"): the index is filled with passages whose text follows a word-bigram model of the
demo corpus and the ALQAC development documents (their vocabulary and its frequencies, not a few sentences
recombined) and synthetic vectors (embedding 500,000 passages would take days on this CPU); the real
corpus is indexed too, so questions find their answers. Then:

- answer p50/p95 over the eval questions (each embedded anew, once per answer), and without the embedder;
- the first question after an ingest: another index instance (as another process would) writes one
  document, and the next question is timed; repeated, p50 and max.

Goals (issue 13): p95 ≤ 150 ms at 500k chunks, first question after an ingest ≤ 300 ms. PostgreSQL comes
from TROLY_TEST_PG_URL (`make bench` starts it); the stack is skipped without it.

Filling is not what is measured, and 500,000 chunks take many minutes per stack: with BENCH_KEEP=DIR each
(stack, size) index is kept in DIR (its PostgreSQL database named after DIR and the size) and reused by
the next run, which only tops it up.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np

from bench.corpus import ROOT
from bot.config import Settings
from ingestion.sync import Library
from retrieval.answer import ExtractiveAnswerer
from retrieval.build import build_embedder, build_index
from retrieval.embedders import CachedEmbedder
from retrieval.evaluate import load_questions
from retrieval.index import DocumentIndex, Provenance
from retrieval.search import HybridSearcher
from retrieval.types import Chunk, DocumentMeta

ALQAC = ROOT.parent / "shared" / "eval" / "alqac-dev" / "docs"
SEEDS = ROOT.parent / "shared" / "seeds"
PER_DOC = 50
_WORD = re.compile(r"\S+")


def pct(values: list[float], p: float) -> float:
    return sorted(values)[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Bigrams:
    """A word-bigram model of real documents: generated passages keep their vocabulary and word frequencies."""

    def __init__(self, folders: list[Path]) -> None:
        self.next: dict[str, list[str]] = {}
        self.starts: list[str] = []
        for folder in folders:
            for path in sorted(folder.glob("*")):
                if path.suffix not in (".md", ".txt"):
                    continue
                body = path.read_text(encoding="utf-8", errors="replace").split("---", 2)[-1]
                for line in body.splitlines():
                    words = _WORD.findall(line.strip().lstrip("#|-* "))
                    if len(words) < 6:
                        continue
                    self.starts.append(words[0])
                    for a, b in zip(words, words[1:], strict=False):
                        self.next.setdefault(a, []).append(b)

    def passage(self, rng: random.Random, words: int) -> str:
        out: list[str] = []
        word = rng.choice(self.starts)
        while len(out) < words:
            out.append(word)
            follow = self.next.get(word)
            word = rng.choice(follow) if follow and rng.random() > 0.04 else rng.choice(self.starts)
        return " ".join(out)

    @property
    def vocabulary(self) -> int:
        return len(self.next)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def chroma_server(folder: Path) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("chroma")), "run", "--path", str(folder), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def postgres_database(kept: str | None = None) -> Iterator[str | None]:
    """A new database, dropped afterwards; or, named `kept`, the one of an earlier run (created if missing)."""
    base = os.environ.get("TROLY_TEST_PG_URL")
    if not base:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = kept or f"troly_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        exists = c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        if not kept:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill(index: DocumentIndex, model: Bigrams, upto: int, dim: int, seed: int) -> float:
    """Write synthetic documents until the index holds `upto` chunks; returns the seconds it took."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    centres = nrng.normal(0, 1, (256, dim)).astype(np.float32)
    t0 = time.perf_counter()
    d = index.count_documents()
    while index.count_chunks() < upto:
        batch, provenance = [], []
        # 100 documents a call: one Chroma upsert of 5,000 vectors (small upserts cost most of the fill).
        for _ in range(min(100, max(1, (upto - index.count_chunks()) // PER_DOC))):
            chunks = [
                Chunk(model.passage(rng, rng.randint(25, 90)), f"Điều {1 + k // 5} › Khoản {1 + k % 5}", k)
                for k in range(PER_DOC)
            ]
            vectors = centres[nrng.integers(0, len(centres), PER_DOC)] + nrng.normal(0, 0.6, (PER_DOC, dim))
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            meta = DocumentMeta(f"Văn bản tổng hợp {d}", f"{5000 + d}/KH-SYN", "Kế hoạch", "", "2026-01-01", "vi")
            batch.append((f"syn-{d:06d}.md", f"v{d}", meta, chunks, vectors.astype(np.float32)))
            # A source outside the synced folders: a sync of the real corpus leaves these documents alone
            # (one without a source counts as from a folder synced whole, and is removed).
            provenance.append(Provenance(f"v{d}", source=f"bench:syn-{d:06d}"))
            d += 1
        index.write_documents(batch, provenance)
    return time.perf_counter() - t0


def measure(answerer: ExtractiveAnswerer, questions: list[str]) -> tuple[list[float], list[float]]:
    """Each question once (the questions differ: none is answered from another's vector). The model alone is
    timed (CachedEmbedder.inner), so the answer embeds its question anew, and reuses that vector within the
    answer as a deployment does."""
    embedder = answerer.searcher.embedder
    model = getattr(embedder, "inner", embedder)
    answerer.answer(f"{questions[0]} (khởi động)")
    total, rest = [], []
    for q in questions:
        t0 = time.perf_counter()
        model.embed([q], query=True)
        embedded = time.perf_counter() - t0
        t0 = time.perf_counter()
        answerer.answer(q)
        took = time.perf_counter() - t0
        total.append(took * 1000)
        rest.append(max(0.0, took - embedded) * 1000)
    return total, rest


def after_ingest(answerer: ExtractiveAnswerer, env: dict[str, str], questions: list[str]) -> list[float]:
    """Another process writes one document; the next (new) question is timed. Five times."""
    out = []
    for i in range(5):
        subprocess.run([sys.executable, "-m", "bench.bench_scale", "--write-one", str(i)], env=env, check=True)
        t0 = time.perf_counter()
        answerer.answer(f"{questions[(i * 7) % len(questions)]} (lần {i})")
        out.append((time.perf_counter() - t0) * 1000)
    return out


def write_one(i: int) -> None:
    """(In another process) one small new document, as an ingest elsewhere in the deployment would write."""
    settings = Settings.from_env()
    embedder = build_embedder(settings)
    index = build_index(settings, embedder)
    dim = index._chroma().get(limit=1, include=["embeddings"])["embeddings"][0].shape[-1]
    rng = np.random.default_rng(i)
    vectors = rng.normal(0, 1, (3, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks = [Chunk(f"Văn bản mới số {i}, đoạn {k}: giao Sở Nội vụ báo cáo trước ngày 15.", "", k) for k in range(3)]
    meta = DocumentMeta(f"Văn bản mới {i}")
    index.write_document(f"moi-{i}.md", f"m{i}", meta, chunks, vectors, Provenance(f"m{i}", source=f"bench:moi-{i}"))
    index.close()


def _reuse_embeddings(embedder: CachedEmbedder) -> None:
    """Passage vectors already computed in another database (BENCH_EMBEDDINGS_FROM, a SQLite file holding
    an embedding_cache): the real corpus is then not embedded again for each stack."""
    source = os.environ.get("BENCH_EMBEDDINGS_FROM")
    if not source or not Path(source).exists():
        return
    import sqlite3

    from sqlalchemy import text

    with sqlite3.connect(source) as conn:
        rows = [{"m": m, "h": h, "v": v} for m, h, v in conn.execute("SELECT model, hash, vector FROM embedding_cache")]
    with embedder.engine.begin() as c:
        c.execute(
            text("INSERT INTO embedding_cache (model, hash, vector) VALUES (:m, :h, :v) ON CONFLICT DO NOTHING"), rows
        )


def run_stack(
    stack: str, sizes: list[int], model: Bigrams, questions: list[str], work: Path, kept: str | None = None
) -> None:
    with ExitStack() as stack_of:
        env = {"TROLY_DATA_DIR": str(work / "data")}
        if stack == "postgresql":
            pg_url = stack_of.enter_context(postgres_database(kept))
            if pg_url is None:
                print(f"[{stack}] skipped: TROLY_TEST_PG_URL is not set (run `make bench`)")
                return
            env |= {"DATABASE_URL": pg_url, "CHROMA_URL": stack_of.enter_context(chroma_server(work / "chroma"))}
        settings = Settings.from_env(env)
        embedder = build_embedder(settings)
        index = build_index(settings, embedder)
        _reuse_embeddings(embedder)
        library = Library(index, embedder, ROOT / "docs_corpus")
        t0 = time.perf_counter()
        library.sync([ROOT / "docs_corpus", *([SEEDS] if SEEDS.exists() else [])])
        print(f"[{stack}] real corpus: {index.count_chunks()} chunks in {time.perf_counter() - t0:.0f} s", flush=True)
        dim = int(embedder.embed(["kích thước"], query=True).shape[-1])
        answerer = ExtractiveAnswerer(HybridSearcher(index, embedder))
        child_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        for size in sizes:
            took = fill(index, model, size, dim, seed=size)
            print(f"[{stack}] filled to {index.count_chunks()} chunks in {took:.0f} s", flush=True)
            total, rest = measure(answerer, questions)
            first = after_ingest(answerer, child_env, questions)
            print(
                f"[{stack}] {index.count_chunks()} chunks (filled in {took:.0f} s): "
                f"answer p50 {statistics.median(total):.0f} ms, p95 {pct(total, 95):.0f} ms; "
                f"without the embedder p50 {statistics.median(rest):.0f} ms, p95 {pct(rest, 95):.0f} ms; "
                f"first question after an ingest p50 {statistics.median(first):.0f} ms, max {max(first):.0f} ms",
                flush=True,
            )
        library.close()


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SCALE", "50000,500000").split(",") if s.strip()]
    stacks = [s.strip() for s in os.environ.get("BENCH_STACKS", "sqlite,postgresql").split(",") if s.strip()]
    questions = [q.question for q in load_questions(ROOT / "tests" / "eval" / "qa.jsonl")]
    model = Bigrams([ROOT / "docs_corpus", *([ALQAC] if ALQAC.exists() else [])])
    print(f"text model: {model.vocabulary} distinct words from docs_corpus and ALQAC dev; {len(questions)} questions")
    keep = os.environ.get("BENCH_KEEP")
    for stack in stacks:
        if keep:
            for size in sizes:
                work = Path(keep).resolve() / f"{stack}-{size}"
                work.mkdir(parents=True, exist_ok=True)
                name = re.sub(r"\W", "_", f"troly_keep_{work.parent.name}_{size}")[:60]
                run_stack(stack, [size], model, questions, work, kept=name)
            continue
        work = Path(tempfile.mkdtemp(prefix=f"troly-bench-scale-{stack}-"))
        try:
            run_stack(stack, sizes, model, questions, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write-one"]:
        write_one(int(sys.argv[2]))
    else:
        main()
