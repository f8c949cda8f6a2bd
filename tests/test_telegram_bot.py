"""The real python-telegram-bot Application against the fake Bot API server, driven as users would.

Every flow goes in as Updates (messages, documents, photos, button presses) and comes out as Bot API
calls the fake records; the database is the demo data (SQLite here; the service tests cover PostgreSQL).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from fake_telegram import Call, FakeTelegram, plain_text
from fakes import (
    TODAY,
    U_ADMIN,
    U_BKHCN,
    U_GL,
    U_HA,
    U_LEADER,
    FakeAnswerer,
    FakeLibrary,
    add_official,
    audits,
    free_port,
    link_demo_officials,
)
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.config import Settings
from bot.i18n import t
from bot.render.html import visible_length
from bot.render.out import TextOut
from bot.service.tasks import GROUP_PAGE_SIZE
from bot.service.views import fold_titles
from bot.telegram_app import DIGEST_JOB, TelegramChannel, build_application, file_url_for, running
from bot.wiring import Services
from db import queries
from db.blobs import DatabaseBlobStore
from db.models import Feedback, Official, Role, Task, TaskEvent, TaskStatus
from db.session import Database

T = TypeVar("T")
pytestmark = pytest.mark.timeout(60)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture
def db(sqlite_demo_db: Database) -> Database:
    return link_demo_officials(sqlite_demo_db)


@asynccontextmanager
async def bot(
    db: Database, data_dir: Path, *, answerer: Any = None, library: Any = None, **settings_kw: Any
) -> AsyncIterator[tuple[FakeTelegram, Any]]:
    async with FakeTelegram() as tg:
        settings = Settings(
            data_dir=data_dir,
            database_url=db.url,
            telegram_bot_token=tg.token,
            telegram_api_url=tg.base_url,
            **settings_kw,
        )
        services = Services(
            settings=settings,
            db=db,
            answerer=answerer,
            library=library,
            answerer_error=None if answerer else "no index",
            library_error=None if library else "no library",
        )
        app = build_application(settings, services=services, clock=lambda: TODAY, progress_interval=0.2)
        port = free_port()
        async with running(app, settings, port=port, poll_timeout=1):
            app.bot_data["port"] = port
            yield tg, app


def to(chat: int) -> Any:
    return lambda c: c.chat_id == chat


async def reply(tg: FakeTelegram, chat: int, method: str = "sendMessage") -> Call:
    return await tg.wait_for(method, to(chat))


def visible(call: Call) -> str:
    return str(call.result.get("text") or call.result.get("caption") or "")


def buttons(call: Call) -> list[list[dict[str, Any]]]:
    markup = call.result.get("reply_markup") or {}
    return list(markup.get("inline_keyboard", []))


# --- registration ---------------------------------------------------------------------------------------


def test_start_with_invite_unknown_users_and_used_codes(db: Database, hermetic_env: Path) -> None:
    async def scenario() -> None:
        async with bot(db, hermetic_env) as (tg, app):
            assert app.bot.username == "troly_test_bot"
            tg.push_message(900, "cho tôi hỏi", language_code="en")
            r = await reply(tg, 900)
            assert "only serves registered officials" in visible(r) and "/start" in visible(r)
            tg.push_message(901, "/viec")
            assert "mã mời" in visible(await reply(tg, 901))

            tg.push_message(U_ADMIN, "/moi HN-HOANKIEM official")
            invite = visible(await reply(tg, U_ADMIN))
            code = invite.split("Mã mời: ", 1)[1].split()[0]
            assert f"https://t.me/troly_test_bot?start={code}" in invite

            tg.push_message(900, f"/start {code}", language_code="en", first_name="Lan")
            linked = await reply(tg, 900)
            assert "Account linked" in visible(linked) and "<b>Lan</b>" in str(linked.text)
            tg.push_message(900, "/due")
            assert "Tasks due within 7 days" in visible(await reply(tg, 900))

            tg.push_message(902, f"/start {code}")
            assert "đã được sử dụng" in visible(await reply(tg, 902))
            tg.push_message(903, "/start SAIMA")
            assert "không đúng" in visible(await reply(tg, 903))

    run(scenario())
    with db.session() as s:
        official = s.scalar(select(Official).where(Official.telegram_user_id == 900))
        assert official is not None and official.language == "en" and official.full_name == "Lan"
    refused = [(a.action, a.telegram_user_id) for a in audits(db, allowed=False)]
    assert ("ask", 900) in refused and ("due", 901) in refused and ("start", 902) in refused


# --- questions and feedback ---------------------------------------------------------------------------------


def test_question_typing_answer_with_citations_and_feedback(db: Database, hermetic_env: Path) -> None:
    async def scenario() -> None:
        async with bot(db, hermetic_env, answerer=FakeAnswerer()) as (tg, app):
            tg.push_message(U_HA, "Nghi quyet 57 giao nhiem vu gi?")
            await tg.wait_for("sendChatAction", lambda c: c.chat_id == U_HA and c.params["action"] == "typing")
            answer = await reply(tg, U_HA)
            assert answer.params["parse_mode"] == "HTML"
            assert "&lt;b&gt;không phải thẻ&lt;/b&gt;" in str(answer.text)  # escaped, not markup
            assert "57-NQ/TW · Mục IV" in visible(
                answer
            ) and "Trích đoạn văn bản gốc & nội dung <quan trọng>" in visible(answer)
            ((up, down),) = buttons(answer)
            assert up["text"] == "👍" and up["callback_data"].startswith("fb:+:")
            tg.push_callback(U_HA, up["callback_data"], answer.result["message_id"])
            ack = await tg.wait_for("answerCallbackQuery")
            assert ack.params["text"] == "Cảm ơn bạn đã đánh giá!"
            # someone else pressing the same button (forged update) is refused
            tg.push_callback(U_GL, down["callback_data"], answer.result["message_id"], chat_id=U_HA)
            refused = await tg.wait_for("answerCallbackQuery")
            assert "của mình" in refused.params["text"]

    run(scenario())
    with db.session() as s:
        rows = list(s.scalars(select(Feedback)))
        assert len(rows) == 1 and rows[0].vote == 1 and rows[0].question == "Nghi quyet 57 giao nhiem vu gi?"


def test_long_answers_are_split_and_index_down_is_explained(db: Database, hermetic_env: Path) -> None:
    class Verbose(FakeAnswerer):
        def answer(self, question: str, **kw: Any) -> Any:
            a = super().answer(question, **kw)
            return type(a)(True, ("Đoạn <dài> & chi tiết. " * 40 + "\n\n") * 12, a.citations, "LLM không sẵn sàng")

    async def scenario() -> None:
        async with bot(db, hermetic_env, answerer=Verbose()) as (tg, app):
            tg.push_message(U_HA, "câu hỏi dài")
            first = await reply(tg, U_HA)
            second = await reply(tg, U_HA)
            third = await reply(tg, U_HA)
            parts = [first, second, third]
            assert all(len(visible(p)) <= 4096 for p in parts)  # the fake also enforces it after parsing
            assert [bool(buttons(p)) for p in parts] == [False, False, True]
            assert "LLM không sẵn sàng" in visible(third)
        async with bot(db, hermetic_env) as (tg, app):
            tg.push_message(U_HA, "57 là gì?")
            assert "Chưa có chỉ mục văn bản" in visible(await reply(tg, U_HA))
            tg.push_message(U_HA, "/viec")
            assert "HN-01962" in visible(await reply(tg, U_HA))  # tasks keep working

    run(scenario())


# --- task lists, one task, updates ---------------------------------------------------------------------------------


def test_due_overdue_pages_and_forged_page_buttons(db: Database, hermetic_env: Path) -> None:
    async def scenario() -> None:
        async with bot(db, hermetic_env) as (tg, app):
            tg.push_message(U_HA, "/viec")
            due = await reply(tg, U_HA)
            assert "HN-01962" in visible(due) and "25/11/2026" in visible(due) and "350/KH-UBND Mục IV" in visible(due)
            assert buttons(due) == []
            tg.push_message(U_HA, "/overdue")
            own = visible(await reply(tg, U_HA))  # an official's list: by task, the reporting series folded
            with db.session() as s:
                mine = queries.overdue(s, "HN-HOANKIEM", as_of=TODAY)
            assert own.count("• ") == len(fold_titles(mine)) < len(mine) and all(t.code in own for t in mine)

            # the leader's list: one line per sub-unit, a drill-down button each, pages of units
            tg.push_message(U_LEADER, "/trehan")
            page1 = await reply(tg, U_LEADER)
            shown = visible(page1)
            lines = re.findall(r"^(\d+)\. (.+) — (\d+) nhiệm vụ, trễ nhất (\d+) ngày$", shown, re.M)
            assert len(lines) == GROUP_PAGE_SIZE and [int(n) for n, *_ in lines] == list(range(1, GROUP_PAGE_SIZE + 1))
            with db.session() as s:
                flat = queries.overdue(s, "HN", include_subunits=True, as_of=TODAY)
                groups = queries.group_by_subunit(s, "HN", flat)
            assert sum(g.count for g in groups) == len(flat)
            assert [(name, int(n)) for _, name, n, _ in lines] == [
                (g.unit_name, g.count) for g in groups[:GROUP_PAGE_SIZE]
            ]
            pages = -(-len(groups) // GROUP_PAGE_SIZE)
            assert f"Trang 1/{pages} · {len(groups)} đơn vị · {len(flat)} nhiệm vụ" in shown
            rows = buttons(page1)
            drills = [b for row in rows[:-1] for b in row]
            assert [b["callback_data"] for b in drills] == [f"ls:od:{g.unit_code}" for g in groups[:GROUP_PAGE_SIZE]]
            assert [b["callback_data"] for b in rows[-1]] == ["pg:od:1"]
            tg.push_callback(U_LEADER, "pg:od:1", page1.result["message_id"])
            page2 = await tg.wait_for("editMessageText", to(U_LEADER))
            assert f"Trang 2/{pages}" in visible(page2) and f"{GROUP_PAGE_SIZE + 1}. " in visible(page2)
            assert [b["callback_data"] for b in buttons(page2)[-1]] == ["pg:od:0", "pg:od:2"]
            # a drill-down button sends that unit's own list (by task) as a new message
            worst = groups[0]
            tg.push_callback(U_LEADER, drills[0]["callback_data"], page1.result["message_id"])
            unit_list = await reply(tg, U_LEADER)
            assert visible(unit_list).startswith(f"Nhiệm vụ quá hạn — {worst.unit_name}")
            codes = re.findall(r"HN-\d{5}", visible(unit_list))
            assert set(codes) <= {t.code for t in flat if t.unit_code == worst.unit_code}
            assert "× " in visible(unit_list)  # the reporting series folded into one line

            # an official forging a page button for another unit (or the province) gets a refusal, no edit
            mark = tg.mark()
            for data in ("pg:od:0:GL-CHUSE", "pg:due:30:0:HN", "sum:HN", "pg:od:0:HN-HOANKIEM'--", "pg:od:x", "zz"):
                tg.push_callback(U_HA, data, due.result["message_id"])
                ack = await tg.wait_for("answerCallbackQuery", since=mark)
                assert ack.params.get("text") or data in ("pg:od:x", "zz"), data
            await asyncio.sleep(0.2)
            assert not [c for c in tg.calls[mark:] if c.method in ("editMessageText", "sendMessage", "sendPhoto")]

    run(scenario())
    refused = [a for a in audits(db, allowed=False) if a.telegram_user_id == U_HA]
    assert [a.action for a in refused] == ["overdue", "due", "summary"]  # the 4th is an unknown unit, not a refusal
    assert all(a.official_id is not None and a.channel == "telegram" for a in refused)


def test_task_detail_done_with_evidence_and_progress(db: Database, hermetic_env: Path) -> None:
    async def scenario() -> None:
        async with bot(db, hermetic_env, answerer=FakeAnswerer()) as (tg, app):
            tg.push_message(U_HA, "/tiendo HN-01962 Đã tổng hợp 3/5 phường")
            assert "Đã ghi tiến độ" in visible(await reply(tg, U_HA))
            tg.add_file("ev1", b"%PDF minh chung", file_name="bao-cao.pdf")
            tg.push_message(
                U_HA,
                document={"file_id": "ev1", "file_name": "bao-cao.pdf"},
                caption="/xong HN-01962 Đã gửi báo cáo kỳ 25/11",
            )
            done = visible(await reply(tg, U_HA))
            assert "hoàn thành ngày 20/11/2026" in done and "evidence/HN-01962/" in done
            tg.add_file("ph1", b"\xff\xd8jpeg", file_path="photos/ph1.jpg")
            tg.push_message(U_HA, photo={"file_id": "ph1"}, caption="/tiendo HN-01961 ảnh hiện trường")
            assert "Minh chứng đã lưu" in visible(await reply(tg, U_HA))

            tg.push_message(U_LEADER, "/nhiemvu HN-01962")
            detail = visible(await reply(tg, U_LEADER))
            assert "hoàn thành đúng hạn (20/11/2026)" in detail and "Đã gửi báo cáo kỳ 25/11" in detail
            assert "tiến độ (Phạm Thu Hà): Đã tổng hợp 3/5 phường" in detail and "Đoạn văn bản gốc" in detail

            # another unit's official: refused before anything is downloaded
            mark = tg.mark()
            tg.add_file("ev2", b"x", file_name="x.pdf")
            tg.push_message(U_GL, document={"file_id": "ev2", "file_name": "x.pdf"}, caption="/xong HN-01961")
            assert "không thuộc phạm vi" in visible(await reply(tg, U_GL))
            assert not [c for c in tg.calls[mark:] if c.method == "getFile"]
            tg.push_message(U_GL, "/nhiemvu HN-01961")
            assert "không thuộc phạm vi" in visible(await reply(tg, U_GL))

    run(scenario())
    with db.session() as s:
        task = s.scalar(select(Task).where(Task.code == "HN-01962"))
        assert task is not None and task.status == TaskStatus.DONE and task.completed_on == TODAY
        events = list(s.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id)))
        assert [e.kind for e in events] == ["progress", "done"]
        assert events[1].evidence and DatabaseBlobStore(db).get(events[1].evidence) == b"%PDF minh chung"
        other = s.scalar(select(Task).where(Task.code == "HN-01961"))
        assert other is not None and other.status == TaskStatus.OPEN


def test_evidence_size_is_checked_on_the_bytes_received(db: Database, hermetic_env: Path) -> None:
    """A file that declares 1 KB but is 20 MB + 1 byte is refused: the download is counted, not trusted."""
    big = b"%PDF" + b"\0" * (20 * 1024 * 1024 - 3)

    async def scenario() -> None:
        async with bot(db, hermetic_env) as (tg, app):
            tg.max_download = None  # a self-hosted Bot API server: it hands out files above 20 MB
            tg.add_file("ev-big", big, file_name="bao-cao.pdf")
            tg.push_message(
                U_HA,
                document={"file_id": "ev-big", "file_name": "bao-cao.pdf", "file_size": 1024},
                caption="/xong HN-01962 Đã gửi báo cáo",
            )
            assert "Tệp quá lớn (tối đa 20 MB)" in visible(await reply(tg, U_HA))
            assert tg.calls_of("getFile")  # it was downloaded (the declared size passed), then refused

    run(scenario())
    with db.session() as s:
        task = s.scalar(select(Task).where(Task.code == "HN-01962"))
        assert task is not None and task.status == TaskStatus.OPEN
    assert DatabaseBlobStore(db).list("evidence/") == []


# --- leaders ------------------------------------------------------------------------------------------------------


def test_summary_table_chart_excel_and_drill_down(db: Database, hermetic_env: Path) -> None:
    async def scenario() -> None:
        async with bot(db, hermetic_env) as (tg, app):
            tg.push_message(U_ADMIN, "/tonghop")
            table = await reply(tg, U_ADMIN)
            assert "<pre>" in str(table.text) and "TỔNG" in visible(table)
            drill = [b["callback_data"] for row in buttons(table) for b in row]
            assert "sum:HN" in drill
            photo = await reply(tg, U_ADMIN, "sendPhoto")
            assert photo.files["photo"].data.startswith(b"\x89PNG")
            doc = await reply(tg, U_ADMIN, "sendDocument")
            assert doc.files["document"].filename.endswith(".xlsx")
            wb = load_workbook(BytesIO(doc.files["document"].data))
            assert wb.sheetnames == ["Tổng hợp", "Quá hạn", "Đến hạn 30 ngày"]
            assert wb.worksheets[0].cell(wb.worksheets[0].max_row, 1).value == "TỔNG"

            tg.push_callback(U_ADMIN, "sum:HN", table.result["message_id"])
            hn = await reply(tg, U_ADMIN)
            assert "HN-HOANKIEM" in visible(hn) or "Hà Nội" in visible(hn)
            assert ["sum:BCDTW"] in [[b["callback_data"] for b in row] for row in buttons(hn)]
            await reply(tg, U_ADMIN, "sendPhoto")
            await reply(tg, U_ADMIN, "sendDocument")

            tg.push_message(U_HA, "/tonghop")
            assert "dành cho lãnh đạo" in visible(await reply(tg, U_HA))
            tg.push_message(U_LEADER, "/tonghop GL")
            assert "không có quyền xem đơn vị GL" in visible(await reply(tg, U_LEADER))

    run(scenario())


# --- admin -----------------------------------------------------------------------------------------------------------


def test_reload_edits_one_progress_message_and_admin_only(db: Database, hermetic_env: Path) -> None:
    library = FakeLibrary(steps=4, delay=0.15)

    async def scenario() -> None:
        async with bot(db, hermetic_env, library=library) as (tg, app):
            tg.push_message(U_LEADER, "/capnhat")
            assert "chỉ dành cho quản trị viên" in visible(await reply(tg, U_LEADER))
            tg.push_message(U_ADMIN, "/reload")
            start = await reply(tg, U_ADMIN)
            assert "Đang đồng bộ" in visible(start)
            final = await tg.wait_for("editMessageText", lambda c: "Đồng bộ xong" in str(c.text))
            edits = [c for c in tg.calls_of("editMessageText") if c.error is None]
            assert {c.params["message_id"] for c in edits} == {start.result["message_id"]}
            assert any("Đang xử lý" in str(c.text) for c in edits)  # (results share the edited message dict)
            # Progress edits are throttled; the final report follows as soon as the work ends.
            stamps = [c.timestamp for c in edits if "Đồng bộ xong" not in str(c.text)]
            assert all(b - a >= 0.15 for a, b in zip(stamps, stamps[1:], strict=False))
            text = visible(final)  # the last edit: the message now shows the report
            assert "Thêm mới: 1 · Cập nhật: 1 · Gỡ bỏ: 0 · Không đổi: 2 · Lỗi: 1" in text
            assert "bad.pdf: không đọc được tệp: <PDF>" in text

            tg.add_file("d1", "# Kế hoạch mới".encode(), file_name="ke-hoach.md")
            tg.push_message(U_ADMIN, document={"file_id": "d1", "file_name": "ke-hoach.md"})
            assert "ke-hoach.md" in visible(await reply(tg, U_ADMIN))
            await tg.wait_for("editMessageText", lambda c: "ke-hoach.md" in str(c.text) and "xong" in str(c.text))
            assert library.added == ["ke-hoach.md"]

            tg.push_message(U_HA, document={"file_id": "d1", "file_name": "ke-hoach.md"})
            assert "chỉ dành cho quản trị viên" in visible(await reply(tg, U_HA))
            assert library.added == ["ke-hoach.md"]

    run(scenario())


def test_an_english_admin_reads_import_problems_and_failed_documents_in_english(
    db: Database, hermetic_env: Path
) -> None:
    with db.session() as s:
        s.execute(update(Official).where(Official.telegram_user_id == U_ADMIN).values(language="en"))
    bad = "Mã nhiệm vụ;Nội dung;Đơn vị chủ trì;Hạn hoàn thành\nT-TG-9;Việc;KHONGCO;31/13/2026\n"

    async def scenario() -> None:
        async with bot(db, hermetic_env, library=FakeLibrary(steps=1)) as (tg, app):
            tg.add_file("bad", bad.encode(), file_name="nv-loi.csv")
            tg.push_message(U_ADMIN, document={"file_id": "bad", "file_name": "nv-loi.csv"})
            rejected = plain_text(visible(await reply(tg, U_ADMIN)), "HTML")
            assert "The file was refused, nothing was written (2 problems)" in rejected
            assert "Row 2: there is no unit with code 'KHONGCO'" in rejected
            assert "Row 2: invalid date in column deadline: '31/13/2026' (use dd/mm/yyyy)" in rejected
            assert "Dòng" not in rejected and "không" not in rejected
            tg.push_message(U_ADMIN, "/reload")
            final = await tg.wait_for("editMessageText", lambda c: "Sync finished" in str(c.text))
            report = plain_text(str(final.text), "HTML")
            assert "Failed: 1" in report and "bad.pdf: cannot read the file: <PDF>" in report

    run(scenario())


def test_task_file_import_and_invites_are_admin_only(db: Database, hermetic_env: Path) -> None:
    good = "Mã nhiệm vụ;Nội dung;Đơn vị chủ trì;Hạn hoàn thành\nT-TG-1;Việc từ Telegram;HN-HOANKIEM;23/11/2026\n"
    bad = "Mã nhiệm vụ;Nội dung;Đơn vị chủ trì;Hạn hoàn thành\nT-TG-2;Việc;KHONGCO;31/13/2026\n"

    async def scenario() -> None:
        async with bot(db, hermetic_env) as (tg, app):
            tg.add_file("good", good.encode(), file_name="nv.csv")
            tg.add_file("bad", bad.encode(), file_name="nv-loi.csv")
            tg.push_message(U_HA, document={"file_id": "good", "file_name": "nv.csv"})
            assert "chỉ dành cho quản trị viên" in visible(await reply(tg, U_HA))
            tg.push_message(U_ADMIN, document={"file_id": "bad", "file_name": "nv-loi.csv"})
            rejected = visible(await reply(tg, U_ADMIN))
            assert "bị từ chối" in rejected and "KHONGCO" in rejected and "Dòng 2" in rejected
            tg.push_message(U_ADMIN, document={"file_id": "good", "file_name": "nv.csv"})
            assert "1 nhiệm vụ mới" in visible(await reply(tg, U_ADMIN))
            tg.push_message(U_HA, "/viec")
            assert "T-TG-1" in visible(await reply(tg, U_HA))
            tg.push_message(U_LEADER, "/invite HN-HOANKIEM official")
            assert "chỉ dành cho quản trị viên" in visible(await reply(tg, U_LEADER))
            tg.push_message(U_ADMIN, "/invite")
            assert "Cú pháp: /moi MÃ_ĐƠN_VỊ" in visible(await reply(tg, U_ADMIN))

    run(scenario())
    with db.session() as s:
        assert s.scalar(select(Task.id).where(Task.code == "T-TG-2")) is None
    refused = [a.action for a in audits(db, allowed=False)]
    assert refused.count("file") == 1 and refused.count("invite") == 1


# --- settings, help, unknown commands ---------------------------------------------------------------------------------


def test_settings_help_and_english(db: Database, hermetic_env: Path) -> None:
    async def scenario() -> None:
        async with bot(db, hermetic_env) as (tg, app):
            vi_menu = [c for c in tg.calls_of("setMyCommands") if "language_code" not in c.params]
            assert {"viec", "trehan", "tonghop"} <= {c["command"] for c in vi_menu[0].params["commands"]}
            tg.push_message(U_HA, "/trogiup")
            help_vi = visible(await reply(tg, U_HA))
            assert "/viec" in help_vi and "/capnhat" not in help_vi and "/tonghop" not in help_vi
            tg.push_message(U_ADMIN, "/help")
            assert "/capnhat" in visible(await reply(tg, U_ADMIN))
            tg.push_message(U_HA, "/caidat")
            settings = await reply(tg, U_HA)
            assert "Bản tin buổi sáng: bật" in visible(settings)
            tg.push_callback(U_HA, "set:lang:en", settings.result["message_id"])
            edited = await tg.wait_for("editMessageText", to(U_HA))
            assert "Language: English" in visible(edited)
            tg.push_callback(U_HA, "set:dig:0", settings.result["message_id"])
            assert "Morning digest: off" in visible(await tg.wait_for("editMessageText", to(U_HA)))
            tg.push_message(U_HA, "/help")
            assert "/due" in visible(await reply(tg, U_HA))
            tg.push_message(U_HA, "/khongco")
            assert "There is no /khongco command" in visible(await reply(tg, U_HA))

    run(scenario())
    with db.session() as s:
        o = s.scalar(select(Official).where(Official.telegram_user_id == U_HA))
        assert o is not None and o.language == "en" and o.digest is False


# --- digest -------------------------------------------------------------------------------------------------------------


def test_morning_digest_job_sends_only_what_there_is(db: Database, hermetic_env: Path) -> None:
    add_official(db, "Cán bộ Sở KHCN", "HN-SKHCN", Role.OFFICIAL, telegram_user_id=777)  # no tasks

    async def scenario() -> None:
        async with bot(db, hermetic_env, tz_name="Asia/Ho_Chi_Minh", digest_time="07:30") as (tg, app):
            jobs = app.job_queue.get_jobs_by_name(DIGEST_JOB)
            assert len(jobs) == 1
            nxt = jobs[0].next_t
            assert nxt is not None
            local = nxt.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
            assert (local.hour, local.minute) == (7, 30)
            mark = tg.mark()
            await jobs[0].run(app)
            sent = [c for c in tg.calls[mark:] if c.method == "sendMessage" and c.error is None]
            chats = {c.chat_id for c in sent}
            assert chats == {U_HA, U_LEADER, U_ADMIN, U_GL, U_BKHCN}  # not 777
            ha = "".join(visible(c) for c in sent if c.chat_id == U_HA)
            assert "Chào buổi sáng, Phạm Thu Hà" in ha and "HN-01962" in ha and "Quá hạn (5)" in ha
            assert "Báo cáo tiến độ chuyển đổi số × 3, trễ nhất 345 ngày" in ha  # folded as in /trehan
            # the leader: the figures and the five sub-units most behind, each with the lists' drill-down
            (leader,) = [c for c in sent if c.chat_id == U_LEADER]
            with db.session() as s:
                flat = queries.overdue(s, "HN", include_subunits=True, as_of=TODAY)
                groups = queries.group_by_subunit(s, "HN", flat)
            shown = visible(leader)
            assert f"Quá hạn: {len(flat)} nhiệm vụ ở {len(groups)} đơn vị" in shown
            lines = re.findall(r"^(\d+)\. (.+) — (\d+) nhiệm vụ, trễ nhất (\d+) ngày$", shown, re.M)
            assert [(name, int(n)) for _, name, n, _ in lines] == [(g.unit_name, g.count) for g in groups[:5]]
            drills = [b["callback_data"] for row in buttons(leader) for b in row]
            assert drills == [f"ls:od:{g.unit_code}" for g in groups[:5]]
            pressed = tg.mark()
            tg.push_callback(U_LEADER, drills[0], leader.result["message_id"])
            unit_list = await tg.wait_for("sendMessage", to(U_LEADER), since=pressed)
            assert visible(unit_list).startswith(f"Nhiệm vụ quá hạn — {groups[0].unit_name}")
            assert all(len(visible(c)) <= 4096 for c in sent)

    run(scenario())


# --- errors, logs, webhook, self-hosted API ------------------------------------------------------------------------------


def test_unexpected_errors_apologise_and_keep_the_token_out_of_logs(
    db: Database, hermetic_env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def scenario() -> str:
        async with bot(db, hermetic_env) as (tg, app):
            assistant = app.bot_data["dialog"].assistant

            def broken(*args: Any, **kw: Any) -> Any:
                raise RuntimeError(f"boom with {tg.token} inside")

            assistant.help = broken
            tg.push_message(U_HA, "/help")
            assert "Xin lỗi, đã có lỗi xảy ra" in visible(await reply(tg, U_HA))
            tg.push_message(U_HA, "/viec")  # still serving
            assert "HN-01962" in visible(await reply(tg, U_HA))
            return tg.token

    token = run(scenario())
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "boom with <redacted> inside" in logged and "Traceback" in logged
    assert token not in logged and token not in caplog.text


def test_an_answer_survives_a_moment_without_the_bot_api(db: Database, hermetic_env: Path) -> None:
    async def go() -> None:
        async with bot(db, hermetic_env) as (tg, app):
            await tg.go_offline()  # e.g. the server's uplink drops while an answer is being worked out
            sending = asyncio.create_task(TelegramChannel(app.bot, U_HA).send(TextOut("Câu trả lời")))
            await asyncio.sleep(1.5)
            assert not sending.done()  # not given up: it tries again
            await tg.go_online()
            message_id = await asyncio.wait_for(sending, 15)
            sent = [c for c in tg.calls if c.method == "sendMessage" and c.chat_id == U_HA]
            assert len(sent) == 1 and sent[0].result["message_id"] == message_id  # once, not twice

    run(go())


def test_webhook_mode_refuses_requests_without_the_secret(db: Database, hermetic_env: Path) -> None:
    async def scenario() -> None:
        async with FakeTelegram() as tg:
            port = free_port()
            settings = Settings(
                data_dir=hermetic_env,
                database_url=db.url,
                telegram_bot_token=tg.token,
                telegram_api_url=tg.base_url,
                webhook_url=f"http://127.0.0.1:{port}/tg-hook",
                webhook_secret="s3cret-Token_1",
            )
            services = Services(settings=settings, db=db)
            app = build_application(settings, services=services, clock=lambda: TODAY)
            async with running(app, settings, port=port):
                hook = tg.calls_of("setWebhook")[-1]
                assert hook.params["url"] == settings.webhook_url and hook.params["secret_token"] == "s3cret-Token_1"
                update = {
                    "update_id": 1,
                    "message": {
                        "message_id": 1,
                        "date": 0,
                        "chat": {"id": U_HA, "type": "private"},
                        "from": {"id": U_HA, "is_bot": False, "first_name": "Hà"},
                        "text": "/viec",
                        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                    },
                }
                url = f"http://127.0.0.1:{port}/tg-hook"
                async with aiohttp.ClientSession() as http:
                    async with http.post(url, json=update) as r:
                        assert r.status == 403
                    async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as r:
                        assert r.status == 403
                    assert not tg.calls_of("sendMessage")
                    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}
                    async with http.post(url, json=update, headers=headers) as r:
                        assert r.status == 200
                    # Acknowledged only once handled: the reply was sent before the 200 (a replica killed
                    # mid-update never acknowledges it, so it is redelivered, not lost).
                    assert any(c.chat_id == U_HA for c in tg.calls_of("sendMessage"))
                assert "HN-01962" in visible(await reply(tg, U_HA))

    run(scenario())


def test_self_hosted_api_url_and_missing_token() -> None:
    assert file_url_for("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert file_url_for("http://api.local/bot/") == "http://api.local/file/bot"
    with pytest.raises(RuntimeError, match="TELEGRAM_BOT_TOKEN"):
        build_application(Settings(data_dir=Path("."), database_url="sqlite://"))


# --- with the real retrieval and ingestion (built by others; skipped until they exist) ----------------------------------


def test_real_index_document_upload_reload_and_question(db: Database, hermetic_env: Path, tmp_path: Path) -> None:
    pytest.importorskip("retrieval.build")
    pytest.importorskip("ingestion.sync")
    from bot.wiring import build_answerer, build_library

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "01-KH-TEST_ke-hoach-thu.md").write_text(
        "# Kế hoạch thử nghiệm số 01-KH/TEST\n\n## I. Mục tiêu\n\n"
        "1. Đến năm 2027, 100% phường Hoàn Kiếm có điểm phát sóng wifi công cộng miễn phí.\n",
        encoding="utf-8",
    )
    new_doc = (
        "# Hướng dẫn thử số 02-HD/TEST\n\n## I. Yêu cầu\n\n"
        "1. Mỗi xã bố trí một tổ công nghệ số cộng đồng gồm ít nhất năm thành viên.\n"
    )

    async def scenario() -> None:
        async with FakeTelegram() as tg:
            settings = Settings(
                data_dir=hermetic_env,
                database_url=db.url,
                telegram_bot_token=tg.token,
                telegram_api_url=tg.base_url,
                docs_dir=docs,
            )
            library, lib_err = build_library(settings)
            assert library is not None, lib_err
            library.sync()
            answerer, ans_err = build_answerer(settings)
            assert answerer is not None, ans_err
            services = Services(settings=settings, db=db, answerer=answerer, library=library)
            app = build_application(settings, services=services, clock=lambda: TODAY, progress_interval=0.2)
            async with running(app, settings, poll_timeout=1):
                tg.push_message(U_HA, "Đến năm 2027 phường Hoàn Kiếm có wifi công cộng không?")
                answer = await tg.wait_for("sendMessage", lambda c: c.chat_id == U_HA and bool(buttons(c)), timeout=60)
                assert "01-KH/TEST" in visible(answer) or "01-KH-TEST" in visible(answer)

                tg.add_file("nd", new_doc.encode(), file_name="02-HD-TEST_huong-dan-thu.md")
                tg.push_message(U_ADMIN, document={"file_id": "nd", "file_name": "02-HD-TEST_huong-dan-thu.md"})
                done = await tg.wait_for("editMessageText", lambda c: "xong" in str(c.text), timeout=60)
                assert "Thêm mới: 1" in str(done.text) and "phiên bản 1 đang được dùng" in str(done.text)
                # Kept under TROLY_DATA_DIR, never in the documents folder (the source tree by default).
                assert (hermetic_env / "uploads" / "02-HD-TEST_huong-dan-thu.md").read_text(encoding="utf-8") == new_doc
                assert sorted(p.name for p in docs.iterdir()) == ["01-KH-TEST_ke-hoach-thu.md"]
                tg.push_message(U_HA, "Tổ công nghệ số cộng đồng gồm ít nhất bao nhiêu thành viên?")
                second = await tg.wait_for("sendMessage", lambda c: c.chat_id == U_HA and bool(buttons(c)), timeout=60)
                assert "năm thành viên" in visible(second)

                # A name that climbs out of the uploads folder onto an official document: a new version of
                # that document, stored by its base name under the data dir; the official file is untouched
                # and the admin is told which version is live.
                official = docs / "01-KH-TEST_ke-hoach-thu.md"
                before = official.read_bytes()
                forged = "# Kế hoạch thử nghiệm số 01-KH/TEST\n\n1. Đến năm 2040 mới có wifi công cộng.\n"
                tg.add_file("fg", forged.encode(), file_name="../../01-KH-TEST_ke-hoach-thu.md")
                tg.push_message(U_ADMIN, document={"file_id": "fg", "file_name": "../../01-KH-TEST_ke-hoach-thu.md"})
                done = await tg.wait_for(
                    "editMessageText", lambda c: "xong" in str(c.text) and "01-KH" in str(c.text), timeout=60
                )
                text = plain_text(str(done.text), "HTML")
                assert "Cập nhật: 1" in text
                assert "phiên bản 2 đang được dùng; phiên bản 1 vẫn được lưu" in text
                assert official.read_bytes() == before
                assert (hermetic_env / "uploads" / "01-KH-TEST_ke-hoach-thu.md").read_text(encoding="utf-8") == forged
                assert (
                    not (tmp_path / "01-KH-TEST_ke-hoach-thu.md").exists()
                    and not (hermetic_env.parent / "01-KH-TEST_ke-hoach-thu.md").exists()
                )
                assert [(v.number, v.live) for v in library.index.versions("01-KH-TEST_ke-hoach-thu.md")] == [
                    (1, False),
                    (2, True),
                ]

                # A file that fails is not kept: the admin is told why, and later syncs do not fail on it.
                tg.add_file("em", b"   \n", file_name="rong.md")
                tg.push_message(U_ADMIN, document={"file_id": "em", "file_name": "rong.md"})
                failed = await tg.wait_for(
                    "editMessageText", lambda c: "rong.md" in str(c.text) and "xong" in str(c.text), timeout=60
                )
                assert "Lỗi: 1" in str(failed.text) and "rong.md:" in plain_text(str(failed.text), "HTML")
                assert sorted(p.name for p in (hermetic_env / "uploads").iterdir()) == [
                    "01-KH-TEST_ke-hoach-thu.md",
                    "02-HD-TEST_huong-dan-thu.md",
                ]

                tg.push_message(U_ADMIN, "/capnhat")
                report = await tg.wait_for("editMessageText", lambda c: "Đồng bộ xong" in str(c.text), timeout=60)
                assert "Không đổi: 2" in str(report.text) and "Lỗi: 0" in str(report.text)
                assert "Gỡ bỏ: 0" in str(report.text)

    run(scenario())


COLLAPSED = re.compile(r"<blockquote expandable>(.*?)</blockquote>", re.S)


def phone_layout(call: Call) -> tuple[str, list[tuple[str, str]]]:
    """(what the phone shows before the collapsed parts, [(header, passage)] of each collapsed passage)."""
    assert call.params["parse_mode"] == "HTML"
    message = str(call.text)
    shown = plain_text(COLLAPSED.sub("\n", message), "HTML").strip()
    collapsed = []
    for inner in COLLAPSED.findall(message):
        header, _, passage = plain_text(inner, "HTML").partition("\n")
        collapsed.append((header, passage))
    assert visible_length(message) == len(shown) <= 700, shown
    return shown, collapsed


@pytest.mark.timeout(900)  # the corpus index is built once per session (a few minutes on a cold run)
def test_real_corpus_answer_on_a_phone_is_short_with_the_passages_collapsed(db: Database, corpus_data: Path) -> None:
    """Whatever the answerer's wording: one message in HTML, at most 700 characters before the collapsed
    parts, each cited passage collapsed once with a source line for its document and not repeated outside."""
    from bot.wiring import build_answerer

    answerer, error = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    assert answerer is not None, error

    async def ask(tg: FakeTelegram, question: str) -> Call:
        start = len(tg.calls)
        tg.push_message(U_HA, question)
        answer = await tg.wait_for("sendMessage", lambda c: c.chat_id == U_HA and bool(buttons(c)), timeout=60)
        assert [c for c in tg.sent_messages(U_HA)[start:] if c.method == "sendMessage"] in ([answer], [])
        return answer

    async def scenario() -> None:
        async with bot(db, corpus_data, answerer=answerer) as (tg, app):
            found = await ask(
                tg, "Bộ Công an phải đưa toàn bộ quy trình khung kiến trúc thủ tục hành chính vào sử dụng khi nào?"
            )
            shown, collapsed = phone_layout(found)
            assert "<blockquote expandable>" in str(found.text) and 1 <= len(collapsed) <= 3
            ranks = [header.split(" ", 1)[0] for header, _ in collapsed]
            assert len(set(ranks)) == len(ranks) and all(re.fullmatch(r"\[\d+\]", r) for r in ranks)
            sources = [line for line in shown.splitlines() if line.startswith("📄")]
            assert 1 <= len(sources) <= len(collapsed)
            for rank, (_, passage) in zip(ranks, collapsed, strict=True):
                assert sum(rank in line for line in sources) == 1  # one source line names each passage
                # the passage is not repeated outside (a one-sentence passage may be quoted whole)
                assert passage.strip() and (passage not in shown or len(passage) <= 200)

            refused = await ask(tg, "Thời tiết Hà Nội ngày mai thế nào?")
            shown, collapsed = phone_layout(refused)
            assert len(collapsed) <= 2 and shown.strip()
            if collapsed:  # the closest passages, labelled as not answering the question
                label = t("ask.closest_two" if len(collapsed) == 2 else "ask.closest_one", "vi")
                assert label in shown and shown.index(label) < shown.index("📄")

    run(scenario())
