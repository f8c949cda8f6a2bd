"""Clean stop: SIGINT/SIGTERM during `troly ingest`, or SIGTERM to `troly bot` during /reload, ends the process
within 5 s with its embedding workers; finished documents stay indexed and the next run does the rest."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import leftover_processes
from fake_telegram import FakeTelegram
from fakes import ADMIN, link_telegram

from db.session import Database

TROLY = str(Path(sys.executable).with_name("troly"))
U_ADMIN = 503
TOPICS = [
    "chuyển đổi số",
    "cơ sở dữ liệu",
    "dịch vụ công trực tuyến",
    "hạ tầng số",
    "nhân lực số",
    "an toàn thông tin",
    "kinh tế số",
    "đổi mới sáng tạo",
    "khoa học công nghệ",
    "chính quyền số",
    "xã hội số",
    "dữ liệu mở",
]


def write_corpus(folder: Path, documents: int = 12, articles: int = 4) -> None:
    """Distinct documents (the embedding cache is by content) of `articles` passages each: with the sync's
    batches of 32 passages, 12 documents are written in two batches (8, then 4)."""
    folder.mkdir(parents=True, exist_ok=True)
    for d in range(documents):
        parts = [f"# Kế hoạch số {d + 1}/KH-UBND về {TOPICS[d % len(TOPICS)]}\n"]
        for a in range(articles):
            topic = TOPICS[(d + a) % len(TOPICS)]
            parts.append(
                f"## Điều {a + 1}. Nhiệm vụ {a + 1} của kế hoạch {d + 1}\n\n"
                f"Sở, ban, ngành và Ủy ban nhân dân cấp huyện triển khai {topic} theo lộ trình năm {2025 + a % 5}; "
                f"hoàn thành chỉ tiêu {d * 7 + a * 3 + 11}% trước ngày {a % 28 + 1}/{d % 12 + 1}/2026, "
                f"báo cáo kết quả về Sở Khoa học và Công nghệ định kỳ hằng quý (mã {d:02d}-{a:02d}). "
                f"Kinh phí thực hiện {d * 13 + a + 5} tỷ đồng từ ngân sách địa phương và nguồn xã hội hoá.\n"
            )
        (folder / f"ke-hoach-{d + 1:02d}.md").write_text("\n".join(parts), encoding="utf-8")


def indexed(data: Path) -> int:
    catalog = data / "troly.db"  # the catalog lives in the deployment's database (the SQLite default here)
    if not catalog.exists():
        return 0
    try:
        with sqlite3.connect(catalog, timeout=1) as db:
            return int(db.execute("SELECT count(*) FROM catalog_document").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def group_members(group: int) -> list[int]:
    """Live (non-zombie) processes in process group `group`."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text(errors="replace").rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat[0] != "Z" and int(stat[2]) == group:
                out.append(int(d))
    return out


def wait_until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_ingest_stops_within_5_s_keeps_finished_documents_and_resumes(tmp_path: Path, how: str) -> None:
    docs, data = tmp_path / "docs", tmp_path / "data"
    # Five batches: on an idle machine two batches were done before the signal arrived (nothing left to stop).
    total = 40
    write_corpus(docs, total)
    env = {**os.environ, "TROLY_DATA_DIR": str(data)}
    proc = subprocess.Popen(
        [TROLY, "ingest", str(docs)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        # Progress has started: the first batch of documents is written, the embedding workers are up.
        wait_until(lambda: indexed(data) > 0 or proc.poll() is not None, 120, "the first documents")
        assert proc.poll() is None, proc.communicate()
        assert len(leftover_processes(proc.pid)) >= 1  # the embedding workers
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole group
        else:
            os.kill(proc.pid, signal.SIGTERM)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    print(f"\ntroly ingest, {how}: stopped in {took:.2f} s")
    assert took < 5, took
    assert proc.returncode == 130, (proc.returncode, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == ["Đã dừng theo yêu cầu. Phần đã làm xong được giữ lại; chạy lại lệnh để làm tiếp phần còn lại."]
    assert "Aborted" not in out + err and "Traceback" not in err
    wait_until(lambda: not group_members(proc.pid), 2, "the workers to be gone")

    kept = indexed(data)
    assert 0 < kept < total, kept
    again = subprocess.run([TROLY, "ingest", str(docs), "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert len(report["added"]) + len(report["updated"]) == total - kept and report["unchanged"] == kept
    assert indexed(data) == total


def test_bot_stops_within_5_s_on_sigterm_during_reload(sqlite_demo_db: Database, tmp_path: Path) -> None:
    link_telegram(sqlite_demo_db, ADMIN, U_ADMIN)
    docs, data = tmp_path / "docs", tmp_path / "data"
    total = 40  # several batches: the signal must arrive while some are still to do
    write_corpus(docs, total)

    async def scenario() -> tuple[int, float, str, int]:
        async with FakeTelegram() as tg:
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": tg.token,
                "TELEGRAM_API_URL": tg.base_url,
                "DATABASE_URL": sqlite_demo_db.url,
                "TROLY_DATA_DIR": str(data),
                "DOCS_DIR": str(docs),
            }
            proc = await asyncio.create_subprocess_exec(
                TROLY,
                "bot",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
            try:
                await tg.wait_for("setMyCommands", timeout=60)  # post_init done: the bot is up
                tg.push_message(U_ADMIN, "/reload")
                await tg.wait_for("sendMessage", lambda c: "Đang đồng bộ" in str(c.text), timeout=30)
                deadline = time.monotonic() + 120
                while indexed(data) == 0 and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                assert indexed(data) > 0, "the sync never wrote a document"
                assert len(leftover_processes(proc.pid)) >= 1  # the embedding workers
                os.kill(proc.pid, signal.SIGTERM)
                sent = time.monotonic()
                _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
                took = time.monotonic() - sent
            finally:
                if proc.returncode is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    await proc.wait()
            stopped = [c for c in tg.calls_of("editMessageText") if "Đã dừng đồng bộ" in str(c.text)]
            assert stopped, "the admin was not told that the sync stopped"
            return proc.returncode or 0, took, err.decode(), proc.pid

    code, took, err, pid = asyncio.run(scenario())
    print(f"\ntroly bot, SIGTERM during /reload: stopped in {took:.2f} s")
    assert took < 5, (took, err[-2000:])
    assert "Traceback" not in err, err[-3000:]
    wait_until(lambda: not group_members(pid), 2, "the workers to be gone")
    kept = indexed(data)
    assert 0 < kept < total, kept
    again = subprocess.run(
        [TROLY, "ingest", "--json"],
        env={**os.environ, "TROLY_DATA_DIR": str(data), "DOCS_DIR": str(docs)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert indexed(data) == total
