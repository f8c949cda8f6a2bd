"""`troly health` and webhook mode's `/healthz`: real databases (SQLite file and PostgreSQL), the real
embedder and Chroma, the real bot against the fake Bot API server. Each failed check is one Vietnamese line."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import aiohttp
from click.testing import CliRunner
from conftest import _pg_admin, pg_base_url
from fake_telegram import FakeTelegram
from fakes import free_port
from sqlalchemy import text
from sqlalchemy.engine import make_url
from test_cli_errors import one_vietnamese_line

from bot.cli import cli
from bot.config import Settings
from bot.telegram_app import build_application, running
from bot.wiring import Services, build_library
from db.session import Database, head_revision

DOC = (
    "# Kế hoạch thử nghiệm số 01-KH/TEST\n\n## I. Mục tiêu\n\n"
    "1. Đến năm 2027, 100% phường Hoàn Kiếm có điểm phát sóng wifi công cộng miễn phí.\n"
)


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def docs_folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "01-KH-TEST_ke-hoach-thu.md").write_text(DOC, encoding="utf-8")
    return docs


def health(env: dict[str, str]) -> tuple[int, dict[str, Any], str]:
    code, out, err = invoke(env, "health", "--json")
    return code, json.loads(out), err


def test_healthy_after_upgrade_and_ingest(blank_url: str, hermetic_env: Path, tmp_path: Path) -> None:
    env = {"DATABASE_URL": blank_url}
    assert invoke(env, "db", "upgrade")[0] == 0
    assert invoke(env, "ingest", str(docs_folder(tmp_path)))[0] == 0

    code, report, err = health(env)
    assert code == 0 and err == "" and report["healthy"] is True
    checks = report["checks"]
    assert checks["database"] == {
        "ok": True,
        "dialect": make_url(blank_url).get_backend_name(),
        "revision": head_revision(),
        "head": head_revision(),
        "error": None,
    }
    index = checks["index"]
    assert index["ok"] and index["documents"] == 1 and index["chunks"] >= 1 and index["generation"] >= 1
    assert index["last_change"]  # the time the document went live
    chroma = checks["chroma"]
    assert chroma["ok"] and chroma["mode"] == "embedded" and chroma["vectors"] >= index["chunks"]
    assert checks["queue"]["ok"] and checks["queue"]["depth"] == 0 and checks["queue"]["running"] == 0

    code, out, err = invoke(env, "health")  # for people: one ✓ line per check
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 4 and all(line.startswith("✓ ") for line in lines)
    assert lines[2].startswith("✓ Chỉ mục văn bản: 1 văn bản")


def test_a_database_not_upgraded_is_one_line(blank_url: str, hermetic_env: Path, tmp_path: Path) -> None:
    env = {"DATABASE_URL": blank_url}
    code, report, err = health(env)
    assert code == 1 and report["healthy"] is False
    # The catalog lives in the database: without a schema there is no index to read either (never migrated
    # by a check).
    failed = [name for name, c in report["checks"].items() if not c["ok"]]
    lines = err.strip().splitlines()
    assert failed[0] == "database" and len(lines) == len(failed) and all(x.startswith("Lỗi: ") for x in lines)
    assert all("troly db upgrade" in x for x in lines)  # the index's lines name the same fix
    line = lines[0]
    assert line.startswith("Lỗi: Cơ sở dữ liệu:") and "troly db upgrade" in line
    if blank_url.startswith("sqlite"):
        assert not Path(str(make_url(blank_url).database)).exists()  # reported, never created by a check

    if blank_url.startswith("sqlite"):  # a file that exists but holds no schema
        Database(blank_url, check=False).engine.connect().close()
        code, _, err = invoke(env, "health")
        assert code == 1 and "phiên bản trống" in err.strip().splitlines()[0]


def test_chroma_server_on_a_closed_port_is_one_line(tmp_path: Path, hermetic_env: Path) -> None:
    assert invoke({}, "db", "upgrade")[0] == 0
    assert invoke({}, "ingest", str(docs_folder(tmp_path)))[0] == 0
    assert invoke({}, "health")[0] == 0

    code, report, err = health({"CHROMA_URL": f"http://127.0.0.1:{free_port()}"})
    assert code == 1
    assert [name for name, c in report["checks"].items() if not c["ok"]] == ["chroma"]
    assert report["checks"]["chroma"]["mode"] == "server" and report["checks"]["chroma"]["vectors"] is None
    assert one_vietnamese_line(err).startswith("Lỗi: Kho vector Chroma: Không kết nối được kho vector Chroma")

    # vectors lost (the embedded folder deleted): the catalog still lists passages Chroma cannot find
    shutil.rmtree(hermetic_env / "index" / "chroma")
    code, report, err = health({})
    assert code == 1 and report["checks"]["chroma"]["vectors"] == 0
    assert "troly ingest --rebuild" in one_vietnamese_line(err)


def test_an_empty_index_fails(hermetic_env: Path) -> None:
    assert invoke({}, "db", "upgrade")[0] == 0
    code, report, err = health({})
    assert code == 1 and [n for n, c in report["checks"].items() if not c["ok"]] == ["index"]
    assert "troly ingest" in one_vietnamese_line(err)


def _drop(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(str(make_url(url).database))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin = _pg_admin(pg_base_url())
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def test_healthz_in_webhook_mode(db_url: str, hermetic_env: Path, tmp_path: Path) -> None:
    docs = docs_folder(tmp_path)

    async def scenario() -> None:
        async with FakeTelegram() as tg:
            port = free_port()
            settings = Settings(
                data_dir=hermetic_env,
                database_url=db_url,
                telegram_bot_token=tg.token,
                telegram_api_url=tg.base_url,
                docs_dir=docs,
                webhook_url=f"http://127.0.0.1:{port}/tg-hook",
                webhook_secret="s3cret",
            )
            library, error = build_library(settings)
            assert library is not None, error
            await asyncio.to_thread(library.sync)
            database = Database(db_url)
            services = Services(settings=settings, db=database, library=library)
            try:
                async with running(build_application(settings, services=services), settings, port=port):
                    url = f"http://127.0.0.1:{port}/healthz"
                    async with aiohttp.ClientSession() as http:
                        async with http.get(url) as r:
                            assert r.status == 200
                            body = await r.json()
                        assert body["healthy"] is True and body["checks"]["index"]["documents"] == 1
                        assert body["checks"]["chroma"]["vectors"] >= body["checks"]["index"]["chunks"] >= 1
                        async with http.post(url, json={}) as r:
                            assert r.status == 405  # GET only; updates go to the webhook path
                        async with http.get(f"http://127.0.0.1:{port}/tg-hook") as r:
                            assert r.status == 405

                        await asyncio.to_thread(_drop, db_url)
                        async with http.get(url) as r:
                            assert r.status == 503
                            body = await r.json()
                        assert body["healthy"] is False
                        failed = {n: c for n, c in body["checks"].items() if not c["ok"]}
                        # The catalog lives in the database too: the index cannot be read either.
                        assert list(failed)[0] == "database" and set(failed) <= {"database", "chroma", "index"}
                        assert "cơ sở dữ liệu" in failed["database"]["error"].lower()
            finally:
                library.close()
                database.dispose()

    asyncio.run(scenario())
