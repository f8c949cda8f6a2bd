"""The console runs the same dialog and service as the bot: `troly chat --as`, and the chat-side CLI commands."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import HA, HN_LEADER, TODAY, FakeAnswerer, cli_overdue, make_services
from sqlalchemy import select

from bot import wiring as services_module
from bot.cli import cli
from bot.console import run_console
from bot.service.views import fold_titles
from db import queries
from db.errors import NotFound
from db.models import AuditEntry, Feedback, Task, TaskStatus
from db.session import Database


@pytest.fixture
def db(sqlite_demo_db: Database) -> Database:
    return sqlite_demo_db


def chat(db: Database, data_dir: Path, official: str, *lines: str, answerer: object = None) -> str:
    out = io.StringIO()
    services = make_services(db, data_dir, answerer=answerer)
    run_console(
        services.settings,
        official,
        lines=io.StringIO("\n".join(lines) + "\n"),
        out=out,
        services=services,
        clock=lambda: TODAY,
    )
    return out.getvalue()


def test_console_official_tasks_question_feedback_and_evidence(
    db: Database, hermetic_env: Path, tmp_path: Path
) -> None:
    evidence = tmp_path / "bao cao.pdf"
    evidence.write_bytes(b"%PDF ket qua")
    text = chat(
        db,
        hermetic_env,
        HA,
        "/viec",
        "/trehan",
        "Nghị quyết 57 nói gì?",
        "#1",
        "#9",
        f'/gui "{evidence}" /xong HN-01962 đã nộp',
        "/nhiemvu HN-01962",
        "/tonghop",
        "/khongco",
        "/gui /khong/co.pdf",
        answerer=FakeAnswerer(),
    )
    assert text.startswith("Trợ lý — Phạm Thu Hà, ")
    assert "HN-01962" in text and "25/11/2026" in text and "350/KH-UBND Mục IV" in text
    assert "Trả lời cho: Nghị quyết 57 nói gì?" in text and "<b>không phải thẻ</b>" in text  # plain text, unescaped
    assert "[#1] 👍   [#2] 👎" in text and "ⓘ Cảm ơn bạn đã đánh giá!" in text
    assert "Không có nút số 9." in text
    assert "hoàn thành ngày 20/11/2026" in text and "evidence/HN-01962/" in text
    assert "hoàn thành đúng hạn (20/11/2026)" in text and "đã nộp" in text
    assert "Chức năng này dành cho lãnh đạo đơn vị." in text
    assert "Không có lệnh /khongco" in text and "Không đọc được tệp /khong/co.pdf" in text
    with db.session() as s:
        assert s.scalar(select(Feedback.vote)) == 1
        assert s.scalar(select(Task.status).where(Task.code == "HN-01962")) == TaskStatus.DONE
        channels = set(s.scalars(select(AuditEntry.channel).where(AuditEntry.action != "seed_demo")))
        assert channels == {"console"}


def test_console_leader_lists_by_unit_drills_down_and_summary_files(db: Database, hermetic_env: Path) -> None:
    total = cli_overdue(db, "HN")
    text = chat(db, hermetic_env, HN_LEADER, "/trehan", "#1", "/tonghop HN-HOANKIEM", "/tonghop GL", "/tonghop")
    # one line per sub-unit, worst first; a button per unit; the footer counts units and tasks
    assert "Nhiệm vụ quá hạn — Thành phố Hà Nội" in text and f"đơn vị · {total} nhiệm vụ" in text
    assert "1. " in text and "nhiệm vụ, trễ nhất" in text and "[#1] 🔎 " in text
    assert "Trang 1/45" not in text
    # the first button drills down into the worst unit: its tasks by task, the reporting series folded
    with db.session() as s:
        worst = queries.group_by_subunit(s, "HN", queries.overdue(s, "HN", include_subunits=True, as_of=TODAY))[0]
        folds = fold_titles(queries.overdue(s, worst.unit_code, as_of=TODAY))
    drill = text.split("\n> ")[2]
    assert drill.startswith(f"Nhiệm vụ quá hạn — {worst.unit_name}\n") and drill.count("• ") == len(folds)
    big = max(folds, key=lambda f: len(f.tasks))
    assert len(big.tasks) > 1 and f"{big.title} × {len(big.tasks)}, trễ nhất {big.first.days_late(TODAY)} ngày" in drill
    saved = sorted(p.name for p in (hermetic_env / "console").iterdir())
    assert any(n.endswith(".png") for n in saved) and any(n.endswith(".xlsx") for n in saved)
    assert "Bạn không có quyền xem đơn vị GL." in text
    # /tonghop's phone table: unit names shortened to fit (16 characters), worst first, no codes
    with db.session() as s:
        summary = queries.overdue_summary(s, "HN", as_of=TODAY)
    table = text.split("\n> ")[5].split("QH=quá hạn")[0]
    head, *rows = table.strip().split("\n")[1:-1]
    w = head.index("  QH")  # the name column's width: the longest shortened name
    assert len(rows) == min(25, len(summary.rows)) and not re.search(r"\bHN-[A-Z]", table)
    for row, r in zip(rows, summary.rows, strict=False):
        name = row[:w].rstrip()
        assert w <= 16 and int(row[w : w + 4]) == r.overdue
        assert name.rstrip("…") in r.unit_name
    assert [int(row[w : w + 4]) for row in rows] == sorted((int(row[w : w + 4]) for row in rows), reverse=True)


def test_console_unknown_official(db: Database, hermetic_env: Path) -> None:
    with pytest.raises(NotFound):
        chat(db, hermetic_env, "Không Có Ai", "/help")


@pytest.fixture
def no_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services_module, "build_answerer", lambda settings: (None, "no index in tests"))
    monkeypatch.setattr(services_module, "build_library", lambda settings, db=None: (None, "no library in tests"))


def test_troly_chat_and_bot_commands(db: Database, no_index: None) -> None:
    env = {"DATABASE_URL": db.url}
    result = CliRunner().invoke(cli, ["chat", "--as", HA], input="/help\n57 là gì?\n", env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Trợ lý — Phạm Thu Hà" in result.output and "/viec" in result.output
    assert "Chưa có chỉ mục văn bản" in result.output
    result = CliRunner().invoke(cli, ["chat", "--as", "Không Có Ai"], env=env)
    assert result.exit_code == 1 and "Không tìm thấy cán bộ" in result.output
    result = CliRunner().invoke(cli, ["bot"], env=env)
    assert result.exit_code == 1 and "TELEGRAM_BOT_TOKEN" in result.output


def test_feedback_export_json_and_csv(db: Database, hermetic_env: Path, tmp_path: Path) -> None:
    env = {"DATABASE_URL": db.url}
    result = CliRunner().invoke(cli, ["feedback", "export"], env=env)
    assert result.exit_code == 0 and "Chưa có câu trả lời nào" in result.output
    chat(db, hermetic_env, HA, "Câu hỏi một?", "#2", "Câu hỏi hai?", answerer=FakeAnswerer())
    result = CliRunner().invoke(cli, ["feedback", "export", "--json"], env=env)
    rows = json.loads(result.output)
    assert [(r["question"], r["vote"]) for r in rows] == [("Câu hỏi một?", -1), ("Câu hỏi hai?", None)]
    assert rows[0]["official"] == HA and rows[0]["citations"][0]["symbol"] == "57-NQ/TW"
    out = tmp_path / "fb.csv"
    result = CliRunner().invoke(cli, ["feedback", "export", "--csv", str(out), "--voted-only"], env=env)
    assert result.exit_code == 0 and "Đã ghi 1 dòng" in result.output
    with out.open(encoding="utf-8-sig") as f:
        (row,) = list(csv.DictReader(f))
    assert row["vote"] == "-1" and json.loads(row["citations"])[0]["section"] == "Mục IV"
    result = CliRunner().invoke(cli, ["feedback", "export"], env=env)
    assert "2 câu trả lời, 0 👍, 1 👎." in result.output
