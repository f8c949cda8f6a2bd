"""Documents are never lost or replaced silently (issue 10, item 2): identity by name, versions kept,
removals only for folders synced as a whole, uploads kept under TROLY_DATA_DIR, seed-demo refuses to
wipe data it did not create. Real CLI, real index (Chroma + SQLite catalog), real databases."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import DOC_A, DOC_B
from sqlalchemy import func, select

from bot.cli import cli
from bot.config import Settings
from db.blobs import DatabaseBlobStore
from db.models import Invite, Official, Role, Task, Unit
from db.session import Database
from ingestion.sync import build_library, safe_file_name
from retrieval.build import build_embedder, build_index


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def troly(data: Path, *args: str, docs: Path | None = None) -> tuple[int, str]:
    env = {"TROLY_DATA_DIR": str(data), **({"DOCS_DIR": str(docs)} if docs else {})}
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def ingest_json(data: Path, *args: str, docs: Path | None = None) -> dict:  # type: ignore[type-arg]
    code, out = troly(data, "ingest", *args, "--json", docs=docs)
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def live_names(data: Path) -> set[str]:
    code, out = troly(data, "docs", "list", "--json")
    assert code == 0, out
    return {d["source"] for d in json.loads(out)}


def test_ingest_of_a_second_folder_keeps_the_first(tmp_path: Path, hermetic_env: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write(first, "a.md", DOC_A)
    write(second, "b.md", DOC_B)
    assert ingest_json(hermetic_env, str(first))["added"] == ["a.md"]
    report = ingest_json(hermetic_env, str(second))
    assert report["added"] == ["b.md"] and report["removed"] == []
    assert live_names(hermetic_env) == {"a.md", "b.md"}

    # The same folder again by another path (a file of it, its parent spelled differently): same documents.
    assert ingest_json(hermetic_env, str(first / "a.md"))["unchanged"] == 1
    assert ingest_json(hermetic_env, str(tmp_path / "." / "first"))["unchanged"] == 1

    # A file deleted from a folder given explicitly: kept, unless --prune; the removal is listed.
    (second / "b.md").unlink()
    write(second, "c.md", DOC_B.replace("12 tỷ", "15 tỷ"))
    assert ingest_json(hermetic_env, str(second))["removed"] == []
    assert live_names(hermetic_env) == {"a.md", "b.md", "c.md"}
    code, out = troly(hermetic_env, "ingest", str(second), "--prune")
    assert code == 0 and "b.md" in out and "gỡ bỏ" in out
    assert live_names(hermetic_env) == {"a.md", "c.md"}

    # `troly ingest` with no path syncs DOCS_DIR as a whole: its deleted files go, other folders' stay.
    (first / "a.md").unlink()
    write(first, "d.md", DOC_A.replace("Tân Lập", "Đồng Tâm"))
    report = ingest_json(hermetic_env, docs=first)
    assert report["removed"] == ["a.md"] and report["added"] == ["d.md"]
    assert live_names(hermetic_env) == {"c.md", "d.md"}
    # A removed document's versions and text stay in the history.
    code, out = troly(hermetic_env, "docs", "history", "a.md", "--json")
    history = json.loads(out)
    assert code == 0 and history["live"] is None and [v["live"] for v in history["versions"]] == [False]


def test_same_name_from_elsewhere_is_a_new_version_and_the_old_one_is_kept(tmp_path: Path, hermetic_env: Path) -> None:
    official, other = tmp_path / "official", tmp_path / "other"
    write(official, "a.md", DOC_A)
    write(other, "a.md", DOC_A.replace("30 tháng 6", "31 tháng 12"))
    ingest_json(hermetic_env, docs=official)
    report = ingest_json(hermetic_env, str(other))
    assert report["updated"] == ["a.md"] and report["versions"] == {"a.md": {"live": 2, "previous": 1}}
    code, out = troly(hermetic_env, "ingest", str(other))
    assert code == 0 and "không đổi 1" in out

    code, out = troly(hermetic_env, "docs", "history", "a.md", "--json")
    history = json.loads(out)
    assert code == 0 and history["live"] == 2
    v1, v2 = history["versions"]
    assert (v1["version"], v1["live"], v2["version"], v2["live"]) == (1, False, 2, True)
    assert v1["source"] == str((official / "a.md").resolve()) and v2["source"] == str((other / "a.md").resolve())
    assert v1["size"] == len(DOC_A.encode()) and v1["sha256"] != v2["sha256"] and len(v1["sha256"]) == 64
    code, human = troly(hermetic_env, "docs", "history", "a.md")
    assert code == 0 and "đang dùng" in human and "lưu trữ" in human

    settings = Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env), "DOCS_DIR": str(official)})
    index = build_index(settings, build_embedder(settings))
    try:
        old_text = " ".join(text for _, text in index.version_text("a.md", 1))
        assert "30 tháng 6" in old_text  # the previous version's text is kept in the catalog
        assert "31 tháng 12" in " ".join(text for _, text in index.version_text("a.md", 2))
        live = index.get_chunks([cid for cid, _ in index.search_lexical("so ho tich Tan Lap", 50)]).values()
        assert live and all(
            "31 tháng 12" in c.text and c.doc_id == "a.md" for c in live
        )  # only the live version answers
    finally:
        index.close()

    # Syncing the official folder again does not flip back silently: its file is the older version.
    report = ingest_json(hermetic_env, docs=official)
    assert report["updated"] == [] and report["removed"] == []
    assert report["older"] == [{"source": "a.md", "version": 1, "live": 2}]
    code, out = troly(hermetic_env, "ingest", docs=official)
    assert code == 0 and "bản cũ" in out and "phiên bản 2 vẫn được dùng" in out
    # Editing the official file makes a third version, live.
    write(official, "a.md", DOC_A.replace("30 tháng 6", "15 tháng 8"))
    report = ingest_json(hermetic_env, docs=official)
    assert report["updated"] == ["a.md"] and report["versions"] == {"a.md": {"live": 3, "previous": 2}}
    code, out = troly(hermetic_env, "docs", "history", "./a.md", "--json")
    assert [v["live"] for v in json.loads(out)["versions"]] == [False, False, True]

    code, out = troly(hermetic_env, "docs", "history", "khong-co.md")
    assert code == 1 and "Không có văn bản nào tên khong-co.md" in out


def test_two_different_files_with_one_name_in_one_run_are_refused(tmp_path: Path, hermetic_env: Path) -> None:
    docs = tmp_path / "docs"
    write(docs / "x", "a.md", DOC_A)
    write(docs / "y", "a.md", DOC_A.replace("Tân Lập", "Đồng Tâm"))
    write(docs, "b.md", DOC_B)
    code, out = troly(hermetic_env, "ingest", str(docs), "--json")
    report = json.loads(out)
    assert code == 1 and report["added"] == ["b.md"]
    [failure] = report["failed"]
    assert failure["source"] == "a.md" and "cùng tên" in failure["reason"]
    assert str(docs / "x" / "a.md") in failure["reason"] and str(docs / "y" / "a.md") in failure["reason"]
    assert live_names(hermetic_env) == {"b.md"}


def test_rebuild_lists_documents_it_cannot_rebuild_and_keeps_their_text(tmp_path: Path, hermetic_env: Path) -> None:
    docs, other = tmp_path / "docs", tmp_path / "other"
    write(docs, "a.md", DOC_A)
    write(other, "b.md", DOC_B)
    ingest_json(hermetic_env, docs=docs)
    ingest_json(hermetic_env, str(other))
    report = ingest_json(hermetic_env, "--rebuild", docs=docs)
    assert report["updated"] == ["a.md"] and report["removed"] == ["b.md"]
    assert report["versions"] == {"a.md": {"live": 1, "previous": 1}}  # the same version, indexed again
    assert live_names(hermetic_env) == {"a.md"}
    # Brought back by ingesting its folder again, as the version it was.
    report = ingest_json(hermetic_env, str(other))
    assert report["added"] == ["b.md"] and report["versions"] == {"b.md": {"live": 1, "previous": None}}


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("../../57-NQ-TW_nghi-quyet-57.md", "57-NQ-TW_nghi-quyet-57.md"),
        ("..\\..\\docs_corpus\\x.md", "x.md"),
        ("/etc/passwd", "passwd"),
        ("..", "tai-lieu"),
        (".hidden.md", "hidden.md"),
        ("Kế hoạch\x00\x1b[31m số 5\u202e.md", "Kế_hoạch_31m_số_5.md"),
        (unicodedata.normalize("NFD", "Hướng dẫn.md"), "Hướng_dẫn.md"),
        ("a" * 300 + ".docx", "a" * 115 + ".docx"),
    ],
)
def test_upload_names_are_reduced_to_a_safe_base_name(sent: str, stored: str) -> None:
    assert safe_file_name(sent) == stored


def test_upload_is_a_new_live_version_kept_under_the_data_dir(tmp_path: Path, hermetic_env: Path) -> None:
    docs = tmp_path / "docs"
    official = write(docs, "57-NQ-TW_nghi-quyet-57.md", DOC_A)
    settings = Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env), "DOCS_DIR": str(docs)})
    library = build_library(settings)
    library.sync()
    forged = DOC_A.replace("30 tháng 6 năm 2026", "31 tháng 12 năm 2030")
    report = library.add_upload("../../57-NQ-TW_nghi-quyet-57.md", forged.encode())
    assert report.updated == ["57-NQ-TW_nghi-quyet-57.md"] and report.versions == {"57-NQ-TW_nghi-quyet-57.md": (2, 1)}
    assert official.read_text(encoding="utf-8") == DOC_A  # the source tree is untouched
    stored = hermetic_env / "uploads" / "57-NQ-TW_nghi-quyet-57.md"
    assert stored.read_text(encoding="utf-8") == forged
    assert [p.name for p in hermetic_env.iterdir() if p.name.startswith(".")] == []  # no staging left

    # The next full sync keeps the upload live (the docs folder holds the older version) and removes nothing.
    again = library.sync()
    assert again.removed == [] and again.updated == [] and again.unchanged == ["57-NQ-TW_nghi-quyet-57.md"]
    assert [(v.number, v.live) for v in library.index.versions("57-NQ-TW_nghi-quyet-57.md")] == [(1, False), (2, True)]

    # A failed upload is not kept anywhere and fails no later sync.
    bad = library.add_upload("rong.md", b"  \n\n ")
    assert [name for name, _ in bad.failed] == ["rong.md"] and bad.failed[0][1]
    assert sorted(p.name for p in (hermetic_env / "uploads").iterdir()) == ["57-NQ-TW_nghi-quyet-57.md"]
    assert not list(docs.glob("rong*")) and library.sync().ok
    library.index.close()


def test_upload_kept_in_the_database_store(tmp_path: Path, hermetic_env: Path, database: Database) -> None:
    """The deployment's default (bot, worker, `troly ingest`): uploads kept in the database, which any replica or
    worker reads; the same rules as in a folder — a safe base name, a new live version, a failed file kept nowhere,
    a full sync that keeps the upload and removes nothing."""
    docs = tmp_path / "docs"
    official = write(docs, "57-NQ-TW_nghi-quyet-57.md", DOC_A)
    settings = Settings.from_env(
        {"TROLY_DATA_DIR": str(hermetic_env), "DOCS_DIR": str(docs), "DATABASE_URL": database.url}
    )
    store = DatabaseBlobStore(database)
    library = build_library(settings, uploads=store)
    try:
        library.sync()
        forged = DOC_A.replace("30 tháng 6 năm 2026", "31 tháng 12 năm 2030")
        report = library.add_upload("../../57-NQ-TW_nghi-quyet-57.md", forged.encode())
        assert report.versions == {"57-NQ-TW_nghi-quyet-57.md": (2, 1)}
        assert official.read_text(encoding="utf-8") == DOC_A
        assert [b.key for b in store.list("")] == ["uploads/57-NQ-TW_nghi-quyet-57.md"]
        assert store.get("uploads/57-NQ-TW_nghi-quyet-57.md") == forged.encode()
        assert not (hermetic_env / "uploads").exists()

        again = library.sync()  # the stored upload is among the defaults: still live, nothing removed
        assert again.removed == [] and again.updated == [] and again.unchanged == ["57-NQ-TW_nghi-quyet-57.md"]
        bad = library.add_upload("rong.md", b"  \n\n ")
        assert [name for name, _ in bad.failed] == ["rong.md"]
        assert [b.key for b in store.list("")] == ["uploads/57-NQ-TW_nghi-quyet-57.md"] and library.sync().ok
        rebuilt = library.sync(rebuild=True)  # a rebuild reads the stored upload again: it stays live
        live = [v.content for v in library.index.versions("57-NQ-TW_nghi-quyet-57.md") if v.live]
        assert rebuilt.removed == [] and live == [hashlib.sha256(forged.encode()).hexdigest()]
    finally:
        library.close()
    env = {"TROLY_DATA_DIR": str(hermetic_env), "DATABASE_URL": database.url}
    result = CliRunner().invoke(cli, ["docs", "history", "57-NQ-TW_nghi-quyet-57.md", "--json"], env=env)
    history = json.loads(result.output)
    assert history["versions"][1]["source"] == "blob:uploads/57-NQ-TW_nghi-quyet-57.md"


def _count(db: Database, model: type) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_seed_demo_refuses_to_wipe_data_it_did_not_create(demo_url: str, tmp_path: Path) -> None:
    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["db", "seed-demo", *args], env={"DATABASE_URL": demo_url})
        return result.exit_code, result.output

    assert run()[0] == 0  # the demo's own data: re-seeding is fine
    db = Database(demo_url)
    try:
        tasks = tmp_path / "nv.csv"
        tasks.write_text("code,title,lead_unit,deadline\nN-1,Nhiệm vụ của tỉnh,BKHCN,31/12/2026\n", encoding="utf-8")
        code, out = (
            CliRunner().invoke(cli, ["tasks", "import", str(tasks)], env={"DATABASE_URL": demo_url}).exit_code,
            "",
        )
        assert code == 0
        with db.session() as s:
            unit = s.scalar(select(Unit.id).where(Unit.code == "HN"))
            s.add(
                Official(
                    full_name="Cán bộ thật", unit_id=unit, role=Role.OFFICIAL, language="vi", digest=True, active=True
                )
            )
        before = (_count(db, Task), _count(db, Official), _count(db, Invite))
        code, out = run()
        assert code == 1 and "troly db seed-demo --force" in out and "Traceback" not in out
        assert "1 nhiệm vụ nhập từ tệp" in out and "1 cán bộ ngoài dữ liệu mẫu" in out
        assert (_count(db, Task), _count(db, Official), _count(db, Invite)) == before  # nothing changed
        code, out = run("--force", "--json")
        assert code == 0 and json.loads(out)["officials"] == 6
        with db.session() as s:
            assert s.scalar(select(Task.id).where(Task.code == "N-1")) is None
        assert run()[0] == 0
    finally:
        db.dispose()


def test_a_catalog_file_from_before_the_database_names_the_rebuild_and_is_kept(
    tmp_path: Path, hermetic_env: Path
) -> None:
    """A deployment whose catalog is still data/index/catalog.db: asking says, in one line, to rebuild; the
    rebuild indexes the files into the database and leaves the old file where it was."""
    docs = tmp_path / "docs"
    write(docs, "a.md", DOC_A)
    catalog = hermetic_env / "index" / "catalog.db"
    catalog.parent.mkdir(parents=True)
    conn = sqlite3.connect(catalog)
    conn.executescript("""
        CREATE TABLE document (doc_id TEXT PRIMARY KEY, version TEXT NOT NULL, title TEXT, symbol TEXT, doc_type TEXT,
            issuer TEXT, date TEXT, language TEXT, chunks INTEGER, indexed_at TEXT);
        INSERT INTO document VALUES ('a.md', 'old', 'Kế hoạch cũ', '901-KH/TN', '', '', '', 'vi', 0, '2025-01-01 00:00:00');
    """)
    conn.commit()
    conn.close()
    result = CliRunner().invoke(
        cli, ["ask", "Sở Tài chính bố trí bao nhiêu?"], env={"TROLY_DATA_DIR": str(hermetic_env)}
    )
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, result.output
    assert "troly ingest --rebuild" in lines[0] and "catalog.db" in lines[0] and "Traceback" not in result.output
    report = ingest_json(hermetic_env, "--rebuild", docs=docs)
    assert report["added"] == ["a.md"] and catalog.exists()
    code, out = troly(hermetic_env, "docs", "history", "a.md", "--json")
    assert code == 0 and [(v["version"], v["live"]) for v in json.loads(out)["versions"]] == [(1, True)]
