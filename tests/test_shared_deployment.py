"""Two installations (separate TROLY_DATA_DIR, as on two machines) sharing one database and one Chroma server
are one deployment: the catalog is shared, vectors are owned, one sync runs at a time. Real PostgreSQL (and
SQLite where the point is the lock), a real `chroma run`, the real embedder."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fakes import DOC_A, DOC_B, chroma_run
from sqlalchemy import text as sql_text

from bot.cli import cli
from bot.config import Settings
from ingestion.sync import Library
from retrieval.build import build_embedder, build_engine, build_index
from retrieval.embedders import CachedEmbedder
from retrieval.errors import SyncBusy
from retrieval.index import DocumentIndex
from retrieval.text import raw_words

QUESTION_A = "Xã Tân Lập hoàn thành số hoá sổ hộ tịch khi nào?"
QUESTION_B = "Sở Tài chính bố trí bao nhiêu tiền cho nền tảng dữ liệu dùng chung?"


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One `chroma run` for the module (both installations write to it)."""
    with chroma_run(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@dataclass
class Installation:
    data: Path
    docs: Path
    settings: Settings
    library: Library

    @property
    def index(self) -> DocumentIndex:
        return self.library.index

    def sources(self, question: str) -> set[str]:
        """The documents of the dense hits for a question (what this installation would answer from)."""
        vector = self.library.embedder.embed([question], query=True)[0]
        hits = self.index.search_dense(vector, 3)
        return {c.doc_id for c in self.index.get_chunks([cid for cid, _ in hits]).values()}


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def _installation(
    root: Path, name: str, db_url: str, chroma_url: str | None, inner: object | None = None
) -> Installation:
    data, docs = root / name / "data", root / name / "docs"
    env = {"TROLY_DATA_DIR": str(data), "DOCS_DIR": str(docs), "DATABASE_URL": db_url}
    if chroma_url:
        env["CHROMA_URL"] = chroma_url
    settings = Settings.from_env(env)
    if isinstance(inner, CachedEmbedder):  # the same model in-process: one set of embedding workers for both
        embedder = CachedEmbedder(inner.inner, build_engine(settings))
    else:
        embedder = build_embedder(settings)
    index = build_index(settings, embedder, legacy_ok=True)
    library = Library(index, embedder, docs, uploads_dir=data / "uploads", lock_wait=120)
    return Installation(data, docs, settings, library)


def _every_live_chunk_has_its_vector(index: DocumentIndex) -> None:
    for doc_id, doc in index.documents().items():
        from retrieval.index import chunk_id

        ids = [chunk_id(doc_id, doc.version, i) for i in range(doc.chunks)]
        assert len(index.get_chunks(ids)) == doc.chunks
        got = index._chroma().get(ids=ids, include=[])["ids"]
        assert sorted(got) == sorted(ids), f"{doc_id}: {len(got)} of {len(ids)} vectors"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_installations_on_one_postgresql_and_one_chroma_server_are_one_deployment(
    tmp_path: Path, db_url: str, chroma_server: str
) -> None:
    a = _installation(tmp_path, "a", db_url, chroma_server)
    b = _installation(tmp_path, "b", db_url, chroma_server, inner=a.library.embedder)
    try:
        _write(a.docs, "a.md", DOC_A)
        assert a.library.sync().added == ["a.md"]
        # B never ingested: it answers from the shared catalog and the deployment's collection.
        assert set(b.index.documents()) == {"a.md"} and b.sources(QUESTION_A) == {"a.md"}
        assert a.index.collection_name == b.index.collection_name

        # B ingests one file: A's vectors survive, A still answers, and a later sync of A changes nothing.
        _write(b.docs, "b.md", DOC_B)
        assert b.library.sync([b.docs]).added == ["b.md"]
        assert "a.md" in a.sources(QUESTION_A) and "b.md" in a.sources(QUESTION_B)
        _every_live_chunk_has_its_vector(a.index)
        again = a.library.sync([a.docs])
        assert again.unchanged == ["a.md"] and not again.added and not again.removed
        assert a.index.vector_count() == a.index.count_chunks()

        # A rebuild on B (over both folders) goes into a new collection; A answers all along.
        old = a.index.collection_name
        seen_during: list[set[str]] = []

        def watch(_progress: object) -> None:
            seen_during.append(a.sources(QUESTION_A))

        b.library.sync([a.docs, b.docs], rebuild=True, progress=watch)
        assert seen_during and all("a.md" in s for s in seen_during)
        assert a.index.collection_name == b.index.collection_name != old
        assert "a.md" in a.sources(QUESTION_A) and "b.md" in b.sources(QUESTION_B)
        _every_live_chunk_has_its_vector(a.index)
        # The retired collection is dropped once the grace period has passed, and only it.
        a.index.grace_seconds = 0
        a.index.collect_garbage()
        names = {c.name for c in a.index._client.list_collections()}
        assert old not in names and a.index.collection_name in names
        assert "a.md" in a.sources(QUESTION_A)
    finally:
        b.library.index.close()
        a.library.close()


def test_another_deployment_on_the_same_chroma_server_keeps_its_vectors(
    tmp_path: Path, hermetic_env: Path, chroma_server: str
) -> None:
    """Two deployments (two databases) on one Chroma server: each has its own collection, and neither's
    garbage collection or rebuild touches the other's vectors."""
    a = _installation(tmp_path, "a", f"sqlite:///{tmp_path / 'a.db'}", chroma_server)
    b = _installation(tmp_path, "b", f"sqlite:///{tmp_path / 'b.db'}", chroma_server, inner=a.library.embedder)
    try:
        _write(a.docs, "a.md", DOC_A)
        _write(b.docs, "b.md", DOC_B)
        a.library.sync()
        b.library.sync()
        assert a.index.collection_name != b.index.collection_name
        b.index.grace_seconds = 0
        b.library.sync(rebuild=True)
        b.index.collect_garbage()
        assert a.sources(QUESTION_A) == {"a.md"} and a.index.vector_count() == a.index.count_chunks()
        _every_live_chunk_has_its_vector(a.index)
        _every_live_chunk_has_its_vector(b.index)
    finally:
        b.library.index.close()
        a.library.close()


def test_concurrent_syncs_take_turns_and_every_live_document_keeps_its_vectors(
    tmp_path: Path, db_url: str, chroma_server: str
) -> None:
    a = _installation(tmp_path, "a", db_url, chroma_server)
    b = _installation(tmp_path, "b", db_url, chroma_server, inner=a.library.embedder)
    try:
        for i in range(6):
            _write(a.docs, f"a{i}.md", DOC_A.replace("Tân Lập", f"Tân Lập {i}"))
            _write(b.docs, f"b{i}.md", DOC_B.replace("12 tỷ", f"{i + 20} tỷ"))
        errors: list[BaseException] = []

        def run(inst: Installation, rounds: int) -> None:
            try:
                for r in range(rounds):
                    _write(inst.docs, "shared.md", f"Văn bản chung, lượt {r} của {inst.data.parent.name}.\n")
                    inst.library.sync([inst.docs])
            except BaseException as exc:  # noqa: BLE001 - reported by the test thread
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(inst, 3)) for inst in (a, b)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=600)
        assert not errors, errors
        live = a.index.documents()
        assert {f"a{i}.md" for i in range(6)} | {f"b{i}.md" for i in range(6)} | {"shared.md"} == set(live)
        _every_live_chunk_has_its_vector(a.index)
        _every_live_chunk_has_its_vector(b.index)
    finally:
        b.library.index.close()
        a.library.close()


def test_the_sync_lock_says_who_holds_it(tmp_path: Path, db_url: str) -> None:
    a = _installation(tmp_path, "a", db_url, None)
    try:
        _write(a.docs, "a.md", DOC_A)
        env = {"TROLY_DATA_DIR": str(tmp_path / "b"), "DOCS_DIR": str(a.docs), "DATABASE_URL": db_url}
        with a.index.sync_lock("troly ingest của quản trị viên A"):
            holder = a.index.lock_holder()
            assert holder is not None and "quản trị viên A" in holder[0]
            a.library.lock_wait = 0.3
            with pytest.raises(SyncBusy) as busy:
                a.library.sync()
            message = busy.value.render("vi")
            assert "quản trị viên A" in message and "Đang có một lượt đồng bộ" in message
            result = CliRunner().invoke(cli, ["ingest"], env=env)
            lines = result.output.strip().splitlines()
            assert result.exit_code == 1 and len(lines) == 1 and "quản trị viên A" in lines[0], result.output
        assert a.index.lock_holder() is None
        assert a.library.sync().added == ["a.md"]  # released: the next sync runs
    finally:
        a.library.close()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_lock_released_while_another_process_asks_for_it_is_taken(tmp_path: Path, db_url: str) -> None:
    """PostgreSQL reads each statement afresh: the holder may release between another taker's insert (which
    found the row) and its read of the holder (which then finds none). That taker must take the free lock,
    not fail with "no row" (seen as a failed job when two workers ran forty quick ones). A statement trigger
    that sleeps after each insert into sync_lock opens that moment wide."""
    a = _installation(tmp_path, "a", db_url, None)
    b = _installation(tmp_path, "b", db_url, None, inner=a.library.embedder)
    outcome: list[object] = []

    def take() -> None:
        try:
            with b.index.sync_lock("b", wait=10):
                outcome.append(b.index.lock_holder())
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            outcome.append(e)

    try:
        with a.index.sync_lock("a"):
            with a.index.engine.begin() as conn:
                conn.execute(
                    sql_text(
                        "CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS "
                        "$$ BEGIN PERFORM pg_sleep(0.6); RETURN NULL; END $$"
                    )
                )
                conn.execute(
                    sql_text(
                        "CREATE TRIGGER slow_insert AFTER INSERT ON sync_lock "
                        "FOR EACH STATEMENT EXECUTE FUNCTION slow_insert()"
                    )
                )
            taker = threading.Thread(target=take)
            taker.start()
            time.sleep(0.2)  # b's insert found a's row and sleeps in the trigger
        taker.join(timeout=30)
        assert len(outcome) == 1 and not isinstance(outcome[0], BaseException), outcome
        assert outcome[0] is not None and "b, " in outcome[0][0]  # type: ignore[index]
        assert a.index.lock_holder() is None
    finally:
        with a.index.engine.begin() as conn:
            conn.execute(sql_text("DROP TRIGGER IF EXISTS slow_insert ON sync_lock"))
            conn.execute(sql_text("DROP FUNCTION IF EXISTS slow_insert()"))
        b.library.index.close()
        a.library.close()


def test_a_lock_whose_holder_stopped_beating_is_taken_over(tmp_path: Path, db_url: str) -> None:
    first = _installation(tmp_path, "a", db_url, None)
    second = _installation(tmp_path, "b", db_url, None, inner=first.library.embedder)
    try:
        first.index._try_lock("someone-else", "a worker on another machine")
        with first.index.engine.begin() as conn:  # another host, silent for longer than the expiry
            from sqlalchemy import text

            conn.execute(text("UPDATE sync_lock SET host = 'other-host', heartbeat_at = heartbeat_at - 1000"))
        _write(second.docs, "b.md", DOC_B)
        second.library.lock_wait = 0
        assert second.library.sync().added == ["b.md"]
    finally:
        second.library.index.close()
        first.library.close()


def test_vectors_are_written_before_the_version_is_live(tmp_path: Path, hermetic_env: Path) -> None:
    """A write whose lock was taken over (the holder was presumed dead) is refused, not made live without
    its vectors being safe."""
    a = _installation(tmp_path, "a", f"sqlite:///{tmp_path / 'x.db'}", None)
    try:
        vectors = a.library.embedder.embed(["một đoạn"])
        from retrieval.types import Chunk, DocumentMeta

        with a.index.sync_lock("kiểm thử"):
            with a.index.engine.begin() as conn:
                from sqlalchemy import text

                conn.execute(text("UPDATE sync_lock SET token = 'thief'"))
            with pytest.raises(SyncBusy):
                a.index.write_document("x.md", "v1", DocumentMeta(), [Chunk("một đoạn", "", 0)], np.asarray(vectors))
        assert a.index.documents() == {}
    finally:
        a.library.close()


def test_lexical_search_reads_the_same_on_both_databases(tmp_path: Path, db_url: str) -> None:
    """Words of several tokens are phrases (a place like "gia lai", the refusal's look-ups), with or without
    diacritics, and BM25 ranks alike on SQLite (FTS5) and PostgreSQL (tsvector)."""
    a = _installation(tmp_path, "a", db_url, None)
    try:
        _write(a.docs, "a.md", DOC_A)
        _write(a.docs, "b.md", DOC_B)
        a.library.sync()
        assert a.index.document_frequency(["tan lap", "lap tan", "dong xanh"]) == {
            "tan lap": 1,
            "lap tan": 0,
            "dong xanh": 1,
        }
        assert a.index.document_frequency(["tân lập", "lập tân", "tài chính"], raw=True) == {
            "tân lập": 1,
            "lập tân": 0,
            "tài chính": 1,
        }
        assert a.index.chunk_frequency(["so", "tan lap"]) == {"so": 2, "tan lap": 1}
        found = a.index.search_lexical("so ho tich xa Tan Lap", 5)
        assert found and a.index.get_chunks([found[0][0]])[found[0][0]].doc_id == "a.md"
        assert all(score > 0 for _, score in found) and found == sorted(found, key=lambda hit: -hit[1])
    finally:
        a.library.close()


def test_a_document_loaded_later_is_named_by_its_number(tmp_path: Path, hermetic_env: Path) -> None:
    """The catalog's lookups (documents by number, by the words of their titles) are built once per catalog: a
    document made live afterwards is found by the next question that names it, and they read as the documents do."""
    from retrieval.index import Catalog
    from retrieval.search import named_documents, named_source

    a = _installation(tmp_path, "a", f"sqlite:///{tmp_path / 'x.db'}", None)
    try:
        _write(a.docs, "a.md", DOC_A)
        a.library.sync()
        before = a.index.document_meta()
        assert named_documents("Kế hoạch 901 giao gì?", before) == ["a.md"]
        assert named_documents("Thông báo 902 giao gì?", before) == []
        _write(
            a.docs,
            "b.md",
            DOC_B.replace('title: "Thông báo thử nghiệm B"', 'title: "Thông báo về Kế hoạch số 901-KH/TN"'),
        )
        a.library.sync()
        after = a.index.document_meta()
        assert after is not before and isinstance(after, Catalog)
        assert named_documents("Thông báo 0902 giao gì?", after) == ["b.md"]
        # A plan the new notice's title names is the topic they share, no longer a source the question names.
        assert named_source("Kế hoạch 901 giao gì?", "vi", before) == "a.md"
        assert named_source("Kế hoạch 901 giao gì?", "vi", after) == ""
        assert named_source("Kế hoạch 901 giao gì?", "vi", dict(after)) == ""  # a plain mapping reads the same
    finally:
        a.library.close()


@pytest.mark.parametrize("mode", ["embedded", "server"])
def test_the_nearest_passages_of_a_small_index_are_found_exactly(
    tmp_path: Path, hermetic_env: Path, mode: str, request: pytest.FixtureRequest
) -> None:
    """Up to retrieval.index._EXACT_VECTORS vectors the dense search compares every one: the nearest are the
    nearest, in every process. The approximate search missed some (of 1,200 random vectors, 20 questions' thirty
    nearest), and the same vector found other passages in another process; filters still apply."""
    from retrieval.index import chunk_id
    from retrieval.protocols import SearchFilters
    from retrieval.types import Chunk, DocumentMeta

    chroma_url = request.getfixturevalue("chroma_server") if mode == "server" else None
    a = _installation(tmp_path, mode, f"sqlite:///{tmp_path / 'x.db'}", chroma_url)
    rng = np.random.default_rng(7)
    every: dict[str, np.ndarray] = {}
    plan: dict[str, bool] = {}  # chunk id → whether its document is a plan
    try:
        for d in range(8):
            vectors = rng.normal(size=(150, 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            meta = DocumentMeta(
                f"Văn bản {d}", f"{900 + d}-KH/TN", "Kế hoạch" if d % 2 else "Thông báo", "", "2026-01-15"
            )
            a.index.write_document(
                f"{mode}-d{d}.md", "v1", meta, [Chunk(f"đoạn {d} số {i}", "", i) for i in range(150)], vectors
            )
            every.update({chunk_id(f"{mode}-d{d}.md", "v1", i): vectors[i] for i in range(150)})
            plan.update({chunk_id(f"{mode}-d{d}.md", "v1", i): bool(d % 2) for i in range(150)})
        ids = list(every)
        matrix = np.vstack([every[i] for i in ids])
        for _ in range(20):
            query = rng.normal(size=384).astype(np.float32)
            query /= np.linalg.norm(query)
            nearest = [ids[i] for i in np.argsort(-(matrix @ query))]
            assert [c for c, _ in a.index.search_dense(query, 30)] == nearest[:30]
            found = a.index.search_dense(query, 10, SearchFilters(doc_types=("Kế hoạch",)))
            assert [c for c, _ in found] == [c for c in nearest if plan[c]][:10]
    finally:
        a.library.close()


def test_term_counts_kept_as_chunks_change_equal_counting_them(tmp_path: Path, db_url: str) -> None:
    """catalog_term (read on large indexes instead of counting) against the full count, after adding,
    replacing and removing documents."""
    from sqlalchemy import text

    a = _installation(tmp_path, "a", db_url, None)
    try:
        _write(a.docs, "a.md", DOC_A)
        _write(a.docs, "b.md", DOC_B)
        a.library.sync()
        _write(a.docs, "a.md", DOC_A.replace("Tân Lập", "Tân Hoà"))
        (a.docs / "b.md").unlink()
        report = a.library.sync()
        assert report.updated == ["a.md"] and report.removed == ["b.md"]
        with a.index.engine.connect() as c:
            kept = {r.term: int(r.chunks) for r in c.execute(text("SELECT term, chunks FROM catalog_term"))}
        counted = a.index.chunk_frequency(sorted(kept), cap=10**6)  # a small index counts in the full-text index
        assert {t: n for t, n in kept.items() if n} == {t: n for t, n in counted.items() if n}
        assert kept["hoa"] == 1 and not kept.get("tri") and not kept.get("chinh")  # b.md's words are gone
        # Words with their diacritics (catalog_raw_term), against the live chunks' own words.
        with a.index.engine.connect() as c:
            kept_raw = {r.term: int(r.chunks) for r in c.execute(text("SELECT term, chunks FROM catalog_raw_term"))}
        live: Counter[str] = Counter()
        for doc_id, doc in a.index.documents().items():
            for _, passage in a.index.version_text(doc_id, doc.number):
                live.update(set(raw_words(f"{doc.meta.title} {passage}")))
        assert {t: n for t, n in kept_raw.items() if n} == dict(live)
        assert live["hoà"] == 1 and not kept_raw.get("chính")
        assert a.index.document_frequency(["hoà", "chính", "tân hoà", "hoà tân"], raw=True) == {
            "hoà": 1,
            "chính": 0,
            "tân hoà": 1,
            "hoà tân": 0,
        }
    finally:
        a.library.close()


def test_a_large_index_ranks_the_chunks_of_the_rarest_terms_as_every_match_would_be(
    tmp_path: Path, db_url: str
) -> None:
    """Above `exact_chunks` lexical search ranks candidates only, rarest terms first, at most 1,500 (on
    PostgreSQL one statement picks and scores them). The chunk holding the question's rarest word is found
    although every chunk holds its common words and it was written last, and where the candidates hold
    every match the ranking is the one of ranking every match."""
    from db.session import make_engine
    from retrieval.types import Chunk, DocumentMeta

    engine = make_engine(db_url)
    large = DocumentIndex(engine, tmp_path / "data", "test-vectors", exact_chunks=0)
    rng = np.random.default_rng(7)
    places = ["Tân Lập", "Đông Xanh", "Hoà Bình", "Phú Mỹ", "An Khê"]
    docs = []
    for d in range(32):
        chunks = [
            Chunk(f"Giao xã {places[(d + i) % 5]} báo cáo tiến độ nhiệm vụ số {d * 50 + i} trước ngày 15.", "", i)
            for i in range(50)
        ]
        if d == 31:
            chunks[-1] = Chunk("Giao xã An Khê báo cáo tiến độ lắp khinh khí cầu trước ngày 15.", "", 49)
        vectors = rng.normal(0, 1, (50, 8)).astype(np.float32)
        docs.append((f"d{d:02d}.md", "v1", DocumentMeta(f"Kế hoạch {d}", f"{d}/KH-UBND"), chunks, vectors))
    large.write_documents(docs)
    assert large.count_chunks() == 1600
    found = large.search_lexical("Xã nào báo cáo tiến độ lắp khinh khí cầu?", 5)
    top = large.get_chunks([found[0][0]])[found[0][0]]
    assert "khinh khí cầu" in top.text
    exact = DocumentIndex(engine, tmp_path / "data", "test-vectors")  # 1,600 chunks: every match ranked
    question = "báo cáo tiến độ xã Tân Lập"
    ranked, every = large.search_lexical(question, 10), exact.search_lexical(question, 10)
    assert [c for c, _ in ranked][:3] == [c for c, _ in every][:3], (ranked[:4], every[:4])
    assert [round(s, 4) for _, s in ranked] == [round(s, 4) for _, s in every]
    large.close()
    exact.close()


def test_a_passage_saying_the_question_s_words_in_its_order_outranks_one_holding_them_scattered(
    tmp_path: Path, db_url: str
) -> None:
    """The lexical terms include the question's phrases (adjacent words within a phrase), weighted by rarity
    as words are: "tỉ lệ số hóa hồ sơ, giấy tờ" is said by the report's sentence on it, while a shorter passage
    on fees, permits and forms holds the words apart ("lệ phí", "tỉ số", "giấy phép và tờ khai"), "hồ sơ"
    four times. Without the phrases that passage ranks first. The same on every path: FTS5 ranking every match, candidates
    ranked in Python above `exact_chunks` (SQLite), one statement on PostgreSQL."""
    from db.session import make_engine
    from retrieval.types import Chunk, DocumentMeta

    said = "Tỉ lệ số hóa hồ sơ, giấy tờ mới đạt 48%, còn chậm so với yêu cầu đề ra trong kế hoạch năm 2025 của tỉnh."
    scattered = (
        "Lệ phí hồ sơ giảm; tỉ số hồ sơ trực tuyến tăng, giấy phép và tờ khai được số hóa khi tiếp nhận hồ sơ; "
        "hồ sơ mới đạt chuẩn."
    )
    filler = [f"Xã {n} báo cáo kết quả thực hiện nhiệm vụ số {n} trước ngày 15." for n in range(40)]
    chunks = [Chunk(t, "", i) for i, t in enumerate([scattered, *filler, said])]
    vectors = np.random.default_rng(3).normal(0, 1, (len(chunks), 8)).astype(np.float32)
    engine = make_engine(db_url)
    exact = DocumentIndex(engine, tmp_path / "data", "test-vectors")
    exact.write_documents([("bc.md", "v1", DocumentMeta("Báo cáo rà soát", "15/BC-BCĐ"), chunks, vectors)])
    large = DocumentIndex(engine, tmp_path / "data", "test-vectors", exact_chunks=0)
    question = "Tỉ lệ số hóa hồ sơ, giấy tờ theo báo cáo mới đạt bao nhiêu?"
    for index in (exact, large):
        found = index.search_lexical(question, 5)
        first = index.get_chunks([found[0][0]])[found[0][0]]
        assert first.text == said, (index.exact_chunks, [s for _, s in found])
    assert [round(s, 4) for _, s in large.search_lexical(question, 5)] == [
        round(s, 4) for _, s in exact.search_lexical(question, 5)
    ]
    large.close()
    exact.close()


def test_the_migration_fills_the_raw_vocabulary_from_an_existing_index(tmp_path: Path, db_url: str) -> None:
    """0008_raw_terms on a deployment indexed before it: catalog_raw_term is filled from the raw full-text
    index (FTS5's vocabulary, PostgreSQL's ts_stat) with what the write path keeps."""
    from alembic import command
    from sqlalchemy import text

    from db.session import _alembic_config, make_engine

    a = _installation(tmp_path, "a", db_url, None)
    try:
        _write(a.docs, "a.md", DOC_A)
        _write(a.docs, "b.md", DOC_B)
        a.library.sync()
    finally:
        a.library.close()
    engine = make_engine(db_url)
    read = text("SELECT term, chunks FROM catalog_raw_term WHERE chunks > 0")
    with engine.connect() as c:
        kept = {r.term: int(r.chunks) for r in c.execute(read)}
    assert kept["tân"] == 1 and kept["sở"] == 1 and kept["thử"] >= 2  # "thử" in both titles
    cfg = _alembic_config()
    for target in ("0007_jobs", "head"):
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if target != "head" else command.upgrade)(cfg, target)
    with engine.connect() as c:
        assert {r.term: int(r.chunks) for r in c.execute(read)} == kept
    engine.dispose()


def test_the_migration_counts_the_phrases_of_an_existing_index_as_the_write_path_does(
    tmp_path: Path, db_url: str
) -> None:
    """0010_phrase_terms on a deployment indexed before it: catalog_term gains the count of each phrase of two
    adjacent tokens, from the stored tokens (SQLite) or the tsvector positions (PostgreSQL), equal to what the
    write path keeps and to counting the phrase in the full-text index."""
    from alembic import command
    from sqlalchemy import text

    from db.session import _alembic_config, make_engine

    a = _installation(tmp_path, "a", db_url, None)
    try:
        _write(a.docs, "a.md", DOC_A)
        _write(a.docs, "b.md", DOC_B)
        a.library.sync()
        engine = make_engine(db_url)
        read = text("SELECT term, chunks FROM catalog_term WHERE term LIKE '% %' AND chunks > 0")
        with engine.connect() as c:
            kept = {r.term: int(r.chunks) for r in c.execute(read)}
        assert kept["tan lap"] == 1 and len(kept) > 20
        counted = a.index.chunk_frequency(sorted(kept), cap=10**6)  # a small index counts in the full-text index
        assert counted == kept
        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0009_gc_watermark")
        with engine.connect() as c:
            assert not c.execute(read).all()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with engine.connect() as c:
            assert {r.term: int(r.chunks) for r in c.execute(read)} == kept
        engine.dispose()
    finally:
        a.library.close()


def test_garbage_collection_looks_only_at_vectors_written_since_it_last_ran(tmp_path: Path, db_url: str) -> None:
    """Not a scan of every vector the deployment wrote (4.8 s at 500,000 on SQLite) at each changing sync:
    those written before the last collection's cutoff were looked at then, and any the catalog stopped
    referencing since is marked (written_at = 0)."""
    a = _installation(tmp_path, "a", db_url, None)
    try:
        _write(a.docs, "a.md", DOC_A)
        a.library.sync()
        index = a.index
        index.grace_seconds = 0
        index.collect_garbage()  # the first looks at every vector, and sets the cutoff
        live = index.vector_count()
        now = time.time()
        rows = [("crashed-write", now), ("marked-unreferenced", 0.0), ("looked-at-before", now - 86_400)]
        with index.engine.begin() as c:
            c.execute(
                sql_text("INSERT INTO catalog_vector (collection, id, written_at) VALUES (:c, :i, :w)"),
                [{"c": index.collection_name, "i": i, "w": w} for i, w in rows],
            )
        time.sleep(0.01)
        index.collect_garbage()
        with index.engine.connect() as c:
            left = {
                r.id
                for r in c.execute(
                    sql_text("SELECT id FROM catalog_vector WHERE id NOT IN (SELECT id FROM catalog_chunk)")
                )
            }
        assert left == {"looked-at-before"}  # older than the last cutoff: not looked at again
        assert index.vector_count() == live and "a.md" in a.sources(QUESTION_A)
    finally:
        a.library.close()
