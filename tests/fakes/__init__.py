"""Test fakes and helpers shared by the service, Telegram, console and CLI tests: stand-ins at the process
edge for the answerer and the document library (the real ones live in retrieval/ and ingestion/), the demo
data's officials, and small database helpers. conftest.py provides `fake_answerer` and `fake_library` fixtures.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from bot.config import Settings
from bot.service import Caller
from bot.wiring import Services
from db import task_updates as tu
from db.models import AuditEntry, Official, Role, Unit
from db.session import Database
from ingestion.errors import IngestError
from ingestion.sync import SyncProgress, SyncReport
from retrieval.protocols import SearchFilters
from retrieval.types import Answer, Citation

TODAY = date(2026, 11, 20)  # HN-HOANKIEM: report HN-01962 due 25/11, five overdue tasks


@dataclass
class FakeAnswerer:
    """An Answerer stand-in (the real one lives in retrieval/); records its calls."""

    fail: bool = False
    calls: list[tuple[str, SearchFilters | None]] = field(default_factory=list)

    def answer(self, question: str, *, k: int = 5, filters: SearchFilters | None = None) -> Answer:
        self.calls.append((question, filters))
        if self.fail:
            raise RuntimeError("index is down")
        symbol = filters.symbols[0] if filters and filters.symbols else "57-NQ/TW"
        cite = Citation(
            1,
            "Nghị quyết về đột phá phát triển KHCN <57>",
            symbol,
            "Mục IV",
            "57-NQ-TW.md",
            "Trích đoạn văn bản gốc & nội dung <quan trọng>.",
            0.9,
        )
        return Answer(True, f"Trả lời cho: {question} (theo {symbol}) <b>không phải thẻ</b>", [cite], "")


@dataclass
class FakeLibrary:
    """A Library stand-in: sync/add_upload report progress from the worker thread like the real one."""

    steps: int = 3
    delay: float = 0.0
    added: list[str] = field(default_factory=list)

    def _run(self, files: list[str], progress: Any) -> SyncReport:
        import time

        for i, name in enumerate(files, start=1):
            if progress is not None:
                progress(SyncProgress(i, len(files), name))
            time.sleep(self.delay)
        return SyncReport(
            added=files[:1],
            updated=files[1:2],
            unchanged=files[2:],
            failed=[("bad.pdf", IngestError("ingest.cannot_read", error="<PDF>"))],
            embedded=12,
        )

    def sync(self, *, rebuild: bool = False, progress: Any = None) -> SyncReport:
        return self._run([f"doc{i}.md" for i in range(self.steps)], progress)

    def add_upload(self, filename: str, data: bytes, *, progress: Any = None) -> SyncReport:
        self.added.append(filename)
        assert data
        return self._run([filename], progress)


def make_services(db: Database, data_dir: Path, *, answerer: Any = None, library: Any = None) -> Services:
    settings = Settings(data_dir=data_dir, database_url=db.url)
    return Services(
        settings=settings,
        db=db,
        answerer=answerer,
        library=library,
        answerer_error=None if answerer else "no index",
        library_error=None if library else "no library",
    )


def official_id(db: Database, name: str) -> int:
    with db.session() as s:
        return int(s.scalar(select(Official.id).where(Official.full_name == name)))


def add_official(
    db: Database, name: str, unit: str, role: Role, *, telegram_user_id: int | None = None, language: str = "vi"
) -> int:
    with db.session() as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.code == unit))
        o = Official(
            full_name=name,
            unit_id=unit_id,
            role=role,
            telegram_user_id=telegram_user_id,
            language=language,
            digest=True,
            active=True,
        )
        s.add(o)
        s.flush()
        return o.id


def link_telegram(db: Database, name: str, telegram_user_id: int, language: str = "vi") -> None:
    with db.session() as s:
        s.execute(
            update(Official)
            .where(Official.full_name == name)
            .values(telegram_user_id=telegram_user_id, language=language)
        )


def audits(db: Database, **kw: Any) -> list[AuditEntry]:
    with db.session() as s:
        return tu.audit_entries(s, **kw)


HA, HN_LEADER, ADMIN, GL_OFFICIAL, BKHCN_LEADER = (
    "Phạm Thu Hà",
    "Trần Thị Lãnh Đạo",
    "Nguyễn Văn Quản",
    "Rơ Mah Hlin",
    "Lê Minh Tuấn",
)

# The demo officials' Telegram user ids in the bot tests (private chats: the chat id is the user id).
U_HA, U_LEADER, U_ADMIN, U_GL, U_BKHCN = 501, 502, 503, 504, 505


def link_demo_officials(db: Database) -> Database:
    """The five demo officials linked to their Telegram ids above."""
    for name, uid in (
        (HA, U_HA),
        (HN_LEADER, U_LEADER),
        (ADMIN, U_ADMIN),
        (GL_OFFICIAL, U_GL),
        (BKHCN_LEADER, U_BKHCN),
    ):
        link_telegram(db, name, uid)
    return db


def who(db: Database, name: str) -> Caller:
    return Caller("console", official_id=official_id(db, name))


# Two small documents with front-matter metadata, for the index and document tests.
DOC_A = """---
title: "Kế hoạch thử nghiệm A"
symbol: "901-KH/TN"
type: "Kế hoạch"
date: "2026-01-15"
---
I. MỤC ĐÍCH
1. Xã Tân Lập hoàn thành số hoá sổ hộ tịch trước ngày 30 tháng 6 năm 2026.
2. Thôn Đồng Xanh lắp đặt trạm phát sóng di động trong quý III năm 2026.
"""
DOC_B = """---
title: "Thông báo thử nghiệm B"
symbol: "902-TB/TN"
type: "Thông báo kết luận"
date: "2026-02-01"
---
1. Giao Sở Tài chính bố trí 12 tỷ đồng cho nền tảng dữ liệu dùng chung.
"""


def cli_overdue(db: Database, unit: str, as_of: date = TODAY) -> int:
    """How many tasks `troly tasks overdue --unit UNIT --subunits` lists: the figure chat replies must equal."""
    import json

    from click.testing import CliRunner

    from bot.cli import cli

    result = CliRunner().invoke(
        cli,
        ["tasks", "overdue", "--unit", unit, "--subunits", "--as-of", as_of.isoformat(), "--json"],
        env={"DATABASE_URL": db.url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return len(json.loads(result.output))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def chroma_run(folder: Path) -> Iterator[str]:
    """A real `chroma run` server on a free local port, storing in `folder`: its URL until the block ends."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("chroma")), "run", "--path", str(folder), "--host", "127.0.0.1"]
        + ["--port", str(port)],
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
