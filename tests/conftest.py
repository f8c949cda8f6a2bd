"""Shared fixtures. Real databases only: a SQLite file and a real PostgreSQL (started by `make test`).

Every test gets its own `TROLY_DATA_DIR`; PostgreSQL tests get their own database, copied from a
template that holds the migrated (and, for `demo_db`, seeded) schema.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fakes import FakeAnswerer, FakeLibrary
from filelock import FileLock
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import bot.i18n  # noqa: F401 - installs the renderer of error keys (TrolyError), as every entry point does
from db.demo import seed_demo
from db.session import Database, upgrade

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
_ENV_VARS = (
    "DATABASE_URL",
    "CHROMA_URL",
    "DOCS_DIR",
    "EMBEDDING_MODEL",
    "LLM_BASE_URL",
    "LLM_MODEL",
    "LLM_API_KEY",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "TELEGRAM_BOT_USERNAME",
    "TZ_NAME",
    "INGEST_MODE",
)


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("TROLY_DATA_DIR", str(data))
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the checkout
    return data


def pg_base_url() -> str:
    url = os.environ.get("TROLY_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TROLY_TEST_PG_URL is not set: run the suite with `make test`")
        pytest.skip("PostgreSQL not configured (run `make test`)")
    return url


def _pg_admin(url: str):  # type: ignore[no-untyped-def]
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


class _PgTemplates:
    """Databases built once per session and copied per test with CREATE DATABASE … TEMPLATE."""

    def __init__(self) -> None:
        self.made: dict[str, str] = {}

    def get(self, kind: str) -> str:
        base = pg_base_url()
        if kind not in self.made:
            name = f"troly_tpl_{kind}_{uuid.uuid4().hex[:8]}"
            admin = _pg_admin(base)
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            url = make_url(base).set(database=name).render_as_string(hide_password=False)
            _prepare(url, kind)
            self.made[kind] = name
        return self.made[kind]

    def drop_all(self) -> None:
        if not self.made:
            return
        admin = _pg_admin(pg_base_url())
        with admin.connect() as c:
            for name in self.made.values():
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _prepare(url: str, kind: str) -> None:
    db = Database(url, check=False)
    upgrade(db.engine)
    if kind == "demo":
        with db.session() as s:
            seed_demo(s)
    db.dispose()


@pytest.fixture(scope="session")
def _pg_templates() -> Iterator[_PgTemplates]:
    templates = _PgTemplates()
    yield templates
    templates.drop_all()


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    made: dict[str, Path] = {}
    for kind in ("empty", "demo"):
        path = tmp_path_factory.mktemp("tpl") / f"{kind}.db"
        _prepare(f"sqlite:///{path}", kind)
        made[kind] = path
    return made


def _database_url(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "data" / "troly.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind != "none":
            shutil.copy(request.getfixturevalue("_sqlite_templates")[kind], path)
        yield f"sqlite:///{path}"
        return
    base = pg_base_url()
    name = f"troly_t_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin(base)
    with admin.connect() as c:
        if kind == "none":
            c.execute(text(f'CREATE DATABASE "{name}"'))
        else:
            template = request.getfixturevalue("_pg_templates").get(kind)
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all."""
    yield from _database_url(request, "none", tmp_path)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database."""
    yield from _database_url(request, "empty", tmp_path)


@pytest.fixture(params=BACKENDS)
def demo_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database holding the demo data."""
    yield from _database_url(request, "demo", tmp_path)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def demo_db(demo_url: str) -> Iterator[Database]:
    db = Database(demo_url)
    yield db
    db.dispose()


# --- the document index ---------------------------------------------------------------------------


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A data directory built once for the whole run, by whichever pytest-xdist worker asks first (the others
    wait on its lock and reuse it): embedding an index costs a minute or more of both cores, and building it
    once per worker would cost that again. Tests copy it (`corpus_data`), so none writes into it."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    data = shared / f"built-{name}" / "data"
    with FileLock(str(shared / f"built-{name}.lock")):
        if not (data.parent / "done").exists():
            shutil.rmtree(data.parent, ignore_errors=True)  # a build that failed half-way
            data.mkdir(parents=True)
            build(data)
            (data.parent / "done").touch()
    return data


DOCS = ROOT / "docs_corpus"


@pytest.fixture(scope="session")
def corpus_index_dir(tmp_path_factory: pytest.TempPathFactory, _sqlite_templates: dict[str, Path]) -> Path:
    """An index of docs_corpus and the seed articles when present, built once (real embedder, real Chroma).
    Its database (where the catalog lives) starts as the demo database, so tests may have both."""
    from bot.config import Settings
    from ingestion.sync import build_library

    def build(data: Path) -> None:
        shutil.copy(_sqlite_templates["demo"], data / "troly.db")
        settings = Settings.from_env({"TROLY_DATA_DIR": str(data), "DOCS_DIR": str(DOCS)})
        library = build_library(settings)
        # The seed articles (Arabic, Persian) are in ../shared, which a user's clone does not have.
        report = library.sync([DOCS, SEEDS] if SEEDS.exists() else [DOCS])
        assert not report.failed, report.failed
        library.close()  # the embedding workers too

    return built_once(tmp_path_factory, "corpus", build)


@pytest.fixture(scope="session")
def articles_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the seed articles (Arabic, Persian) beside Vietnamese documents on the same Resolution that do
    not restate them (tests/fixtures, tests/fixtures_new: other, invented provinces): a question about an article
    has there no other answer, as questions across scripts are meant to be measured."""
    if not SEEDS.exists():
        pytest.skip("../shared/seeds is not here (a user's clone): the articles are skipped")
    from bot.config import Settings
    from ingestion.sync import build_library

    folders = [SEEDS, ROOT / "tests" / "fixtures", ROOT / "tests" / "fixtures_new"]

    def build(data: Path) -> None:
        library = build_library(Settings.from_env({"TROLY_DATA_DIR": str(data), "DOCS_DIR": str(folders[1])}))
        report = library.sync(folders)
        assert not report.failed, report.failed
        library.close()

    return built_once(tmp_path_factory, "articles", build)


ALQAC = ROOT.parent / "shared" / "eval" / "alqac-dev"


@pytest.fixture(scope="session")
def alqac_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the ALQAC development set's documents (real legal articles nobody here wrote)."""
    if not (ALQAC / "qa.jsonl").exists():
        pytest.skip("../shared/eval/alqac-dev is not here (a user's clone): the development set is skipped")
    from bot.config import Settings
    from ingestion.sync import build_library

    def build(data: Path) -> None:
        library = build_library(Settings.from_env({"TROLY_DATA_DIR": str(data), "DOCS_DIR": str(ALQAC / "docs")}))
        report = library.sync([ALQAC / "docs"])
        assert not report.failed, report.failed
        library.close()

    return built_once(tmp_path_factory, "alqac", build)


@pytest.fixture
def corpus_data(corpus_index_dir: Path, hermetic_env: Path) -> Path:
    """This test's own copy of the corpus index, as its TROLY_DATA_DIR. A database already there (the demo
    database of `sqlite_demo_db`, open) is kept: the catalog's tables are copied into it."""
    database = hermetic_env / "troly.db"
    if not database.exists():
        shutil.copytree(corpus_index_dir, hermetic_env, dirs_exist_ok=True)
        return hermetic_env
    shutil.copytree(corpus_index_dir, hermetic_env, dirs_exist_ok=True, ignore=shutil.ignore_patterns("troly.db*"))
    _copy_catalog(corpus_index_dir / "troly.db", database)
    return hermetic_env


CATALOG_TABLES = (
    "catalog_state",
    "catalog_document",
    "catalog_chunk",
    "catalog_version",
    "catalog_archived_chunk",
    "catalog_term",
    "catalog_raw_term",
    "catalog_vector",
    "embedding_cache",
    "catalog_chunk_fts",
    "catalog_chunk_raw",
)


def _copy_catalog(source: Path, target: Path) -> None:
    """The document catalog of one SQLite database into another, in place of the target's."""
    import sqlite3

    conn = sqlite3.connect(target, timeout=30)
    try:
        conn.execute("ATTACH DATABASE ? AS source", (str(source),))
        with conn:
            for table in CATALOG_TABLES:
                conn.execute(f"DELETE FROM main.{table}")
                if table.endswith(("_fts", "_raw")):
                    column = "tokens" if table.endswith("_fts") else "words"
                    conn.execute(
                        f"INSERT INTO main.{table} (rowid, {column}) SELECT rowid, {column} FROM source.{table}"
                    )
                else:
                    conn.execute(f"INSERT INTO main.{table} SELECT * FROM source.{table}")
        conn.execute("DETACH DATABASE source")
    finally:
        conn.close()


@pytest.fixture
def sqlite_demo_db(_sqlite_templates: dict[str, Path], hermetic_env: Path) -> Iterator[Database]:
    """The demo database as a SQLite file in this test's TROLY_DATA_DIR (for transport tests)."""
    path = hermetic_env / "troly.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():  # the corpus index's database (corpus_data) is the demo database too
        shutil.copy(_sqlite_templates["demo"], path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


# --- no process left behind -----------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, process group) of a live process, from /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":  # a zombie holds nothing; its parent just has not reaped it yet
        return None
    return int(fields[1]), int(fields[2])


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def leftover_processes(root: int | None = None) -> dict[int, str]:
    """Processes `root` (default: this one) left behind: its descendants, and members of its process group
    that are neither it, its ancestors nor their other children (a worker orphaned by its dead parent is
    re-parented, but keeps the group)."""
    root = root or os.getpid()
    table = {int(d): st for d in os.listdir("/proc") if d.isdigit() and (st := _proc_stat(int(d))) is not None}
    own = table.get(root)
    ancestors, pid = set(), root
    while pid in table and pid not in ancestors:
        ancestors.add(pid)
        pid = table[pid][0]
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, []))
    if own is not None:
        # Orphans only (re-parented to init): a group member with a living parent belongs to that parent —
        # the other commands of a pipeline (`make test | tee log`), or another test run started in the same
        # process group.
        found |= {
            pid
            for pid, (ppid, group) in table.items()
            if group == own[1] and pid not in ancestors and (ppid == 1 or ppid not in table)
        }
    out = {pid: _cmdline(pid) for pid in sorted(found)}
    # multiprocessing's resource tracker (one per process that used spawn) ends when its parent does.
    return {
        pid: cmd
        for pid, cmd in out.items()
        if not (table.get(pid, (0, 0))[0] == root and "multiprocessing.resource_tracker" in cmd)
    }


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The suite fails if it leaves any process behind (after a grace period for processes that are ending)."""
    import gc
    import time

    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller checks
        return
    gc.collect()
    deadline = time.monotonic() + 10
    left = leftover_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = leftover_processes()
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"  {pid}: {cmd[:200]}" for pid, cmd in left.items()]
        message = "the test session left processes behind:\n" + "\n".join(lines)
        if reporter is not None:
            reporter.write_line(message, red=True)
        else:
            print(message)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def fake_answerer() -> FakeAnswerer:
    """An answerer at the process edge (tests/fakes/): records the questions, answers with one citation."""
    return FakeAnswerer()


@pytest.fixture
def fake_library() -> FakeLibrary:
    """A document library at the process edge (tests/fakes/): reports progress like the real one."""
    return FakeLibrary()
