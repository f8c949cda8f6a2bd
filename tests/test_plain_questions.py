"""Task questions in plain words (issue 12, item 1): routed by `bot/service/intent.py`, answered from the task
database through the commands' own service calls — figure first, then the command's list; an out-of-scope unit
refused exactly as /trehan refuses it. And the routing accuracy on the labelled set, which the suite gates on."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from fakes import ADMIN, HA, HN_LEADER, TODAY, FakeAnswerer, cli_overdue, make_services
from sqlalchemy import select
from test_console import chat

from bench.eval_intents import INTENTS, load, score
from bot.render.out import TextOut
from bot.render.questions import render_task_reply
from bot.service import Assistant, Caller, Denied
from bot.service import callbacks as cb
from bot.service.intent import UnitDirectory, parse, window_dates
from bot.service.questions import TaskQuestions
from db import queries
from db.models import Official
from db.session import Database
from db.units import unit_rows

GOAL = 0.95


def _directory(db: Database) -> UnitDirectory:
    with db.session() as s:
        names = {r.code for r in unit_rows(s)}
    assert "HN-HOANKIEM" in names
    return TaskQuestions(Assistant(make_services(db, Path("."))), units_ttl=0).directory()


def test_labelled_set_routed_at_least_95_percent_on_each_half(sqlite_demo_db: Database) -> None:
    rows = [json.loads(line) for line in INTENTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 200
    units = _directory(sqlite_demo_db)
    # every labelled unit is one of the demo's, every route and split a known one
    assert {r["unit"] for r in rows} - {None, "self"} <= set(units.units)
    assert {r["route"] for r in rows} == {"tasks", "documents", "both"}
    assert {r["split"] for r in rows} == {"tuning", "held_out"}
    table, misses = score(load(), units)
    for split in ("tuning", "held_out"):
        for group in ("vi-accented", "vi-unaccented", "en", "all"):
            right, total = table[(split, group)]
            assert total >= 20 and right / total >= GOAL, (split, group, right, total, misses)


def test_parse_reads_units_times_and_courtesy(sqlite_demo_db: Database) -> None:
    units = _directory(sqlite_demo_db)
    got = parse("Cho tôi hỏi TP Hà Nội còn bao nhiêu nhiệm vụ trễ hạn ạ?", units, caller_unit="HN")
    assert (got.route, got.kind, got.unit) == ("tasks", "overdue", "HN")
    assert parse("Bộ KH&CN có nhiệm vụ nào đến hạn trong tháng này?", units).unit == "BKHCN"
    assert parse("phuong hoan kiem co viec gi qua han khong", units).unit == "HN-HOANKIEM"
    # "Sở Nội vụ" is the one of the caller's own province
    assert parse("Sở Nội vụ có việc gì trễ hạn?", units, caller_unit="GL").unit == "GL-SNV"
    assert parse("Sở Nội vụ có việc gì trễ hạn?", units, caller_unit="HN-HOANKIEM").unit == "HN-SNV"
    bare = parse("Thành phố còn bao nhiêu việc quá hạn?", units, caller_unit="HN-HOANKIEM")
    assert (bare.unit, bare.self_level) == ("self", "province")
    assert parse("Kế hoạch của Hà Nội yêu cầu hoàn thành số hóa trước ngày nào?", units).route == "documents"
    assert parse("Tuần này phải nộp gì?", units).window == "week"
    # a unit named that is not in the table is not the caller's own: the commands say it does not exist
    assert parse("xa hoa binh co bao nhieu nhiem vu qua han", units, caller_unit="HN-HOANKIEM").unit == "HOA BINH"
    assert parse("xã mình có bao nhiêu việc quá hạn?", units, caller_unit="HN-HOANKIEM").unit == "self"
    # a Friday: this week ends on Sunday; "tháng 12" asked in November ends on 31/12; 31/12 past → next year
    friday = TODAY
    assert window_dates("week", friday) == (friday, friday + timedelta(days=2))
    assert window_dates("month:12", friday)[1].isoformat() == "2026-12-31"
    assert window_dates("before:1/2", friday)[1].isoformat() == "2027-02-01"


def test_windows_that_start_later_than_today(sqlite_demo_db: Database) -> None:
    units, friday = _directory(sqlite_demo_db), TODAY
    for message, spec, first, last in (
        ("Từ 1/12 đến 15/12 phải nộp gì?", "range:1/12-15/12", "2026-12-01", "2026-12-15"),
        ("tu ngay 1/12 den ngay 15/12 co viec gi den han", "range:1/12-15/12", "2026-12-01", "2026-12-15"),
        ("What is due from 1 to 15/12?", "range:1/12-15/12", "2026-12-01", "2026-12-15"),
        ("Từ 20/12 đến 5/1 phải nộp gì?", "range:20/12-5/1", "2026-12-20", "2027-01-05"),  # into next year
        ("Từ 10/11 đến 25/11 phải nộp gì?", "range:10/11-25/11", "2026-11-20", "2026-11-25"),  # never before today
        ("tuần sau có việc gì đến hạn", "next_week", "2026-11-23", "2026-11-29"),
        ("Tháng 12 phải nộp những báo cáo gì?", "month:12", "2026-12-01", "2026-12-31"),
        ("thang sau co viec gi den han khong", "next_month", "2026-12-01", "2026-12-31"),
    ):
        got = parse(message, units, caller_unit="HN-HOANKIEM")
        assert (got.kind, got.window) == ("due", spec), message
        assert tuple(d.isoformat() for d in window_dates(spec, friday)) == (first, last), message


def test_a_later_window_lists_only_its_days(demo_db: Database, tmp_path: Path) -> None:
    assistant = Assistant(make_services(demo_db, tmp_path), clock=lambda: TODAY)
    questions = TaskQuestions(assistant)
    with demo_db.session() as s:
        ids = {o.full_name: o.id for o in s.scalars(select(Official))}
        own = queries.due_soon(s, "HN-HOANKIEM", 60, as_of=TODAY)
        hn = queries.due_soon(s, "HN", 41, include_subunits=True, as_of=TODAY)
    ha, leader = (Caller("console", official_id=ids[n]) for n in (HA, HN_LEADER))
    reply = questions.answer(ha, "Từ 1/12 đến 15/12 phải nộp gì?")
    assert reply is not None and reply.page is not None and reply.page.start == 11 and reply.page.days == 25
    wanted = [t.code for t in own if t.deadline and date(2026, 12, 1) <= t.deadline <= date(2026, 12, 15)]
    assert wanted and reply.page.tasks and [t.code for t in reply.page.tasks] == wanted
    shown = "".join(o.html for o in render_task_reply(reply) if isinstance(o, TextOut))
    assert f"có {len(wanted)} nhiệm vụ đến hạn từ 01/12/2026 đến 15/12/2026" in shown
    assert "Nhiệm vụ đến hạn từ 01/12/2026 đến 15/12/2026 — Phường Hoàn Kiếm" in shown
    # a leader's list by sub-unit: December only, and the drill-down and page buttons keep the window
    reply = questions.answer(leader, "Tháng 12 Hà Nội phải nộp những gì?")
    assert reply is not None and reply.page is not None and reply.page.grouped
    december = [t for t in hn if t.deadline and t.deadline >= date(2026, 12, 1)]
    assert reply.page.total == len(december) > 0
    out = render_task_reply(reply)[0]
    assert isinstance(out, TextOut)
    data = [b.data for row in out.buttons for b in row]
    assert all(d.startswith(("ls:due:11-41:", "pg:due:11-41:")) for d in data), data
    unit = cb.decode(data[0])
    assert isinstance(unit, cb.UnitList)
    page = assistant.tasks(leader, "due", days=unit.days, unit=unit.unit, own=unit.own, start=unit.start)
    assert page.tasks and all(t.deadline and t.deadline >= date(2026, 12, 1) for t in page.tasks)


def test_a_tasks_status_asked_by_words_of_its_title(demo_db: Database, tmp_path: Path) -> None:
    assistant = Assistant(make_services(demo_db, tmp_path), clock=lambda: TODAY)
    questions = TaskQuestions(assistant)
    with demo_db.session() as s:
        ids = {o.full_name: o.id for o in s.scalars(select(Official))}
    ha, leader, admin = (Caller("console", official_id=ids[n]) for n in (HA, HN_LEADER, ADMIN))
    units = _directory(demo_db)
    got = parse("Nhiệm vụ xây dựng cơ sở dữ liệu dân cư xong chưa?", units, caller_unit="HN")
    assert (got.route, got.kind, got.code, got.title) == ("tasks", "status", None, "xay dung co so du lieu dan cu")
    assert parse("Nghị quyết 57 giao nhiệm vụ xây dựng cơ sở dữ liệu cho ai?", units).route == "documents"
    # one task matches clearly: the /nhiemvu card, with its status first
    for message in ("Nhiệm vụ cập nhật dữ liệu dân cư xong chưa?", "nhiem vu lam sach du lieu ho tich da xong chua"):
        reply = questions.answer(ha, message)
        assert reply is not None and reply.detail is not None and reply.detail.task.code == "HN-01929", message
        assert render_task_reply(reply)[0].html.startswith("<b>Nhiệm vụ HN-01929: 🔵 đang thực hiện")
    # one title, many tasks (a reporting series): the title's tasks, counted by category, open ones first
    reply = questions.answer(ha, "Báo cáo tiến độ chuyển đổi số đã nộp chưa?")
    assert reply is not None and reply.search is not None and reply.search.clear
    (series,) = reply.search.folds
    assert len(series.tasks) > 1 and {t.unit_code for t in series.tasks} == {"HN-HOANKIEM"}
    assert series.tasks[0].completed_on is None and series.tasks[-1].completed_on is not None
    # several titles close to the words: the closest few, none shown as the answer
    reply = questions.answer(admin, "Nhiệm vụ xây dựng cơ sở dữ liệu dân cư xong chưa?")
    assert reply is not None and reply.search is not None and not reply.search.clear
    assert 1 < len(reply.search.folds) <= 5
    shown = "".join(o.html for o in render_task_reply(reply) if isinstance(o, TextOut))
    assert "Chưa rõ là nhiệm vụ nào" in shown and "/nhiemvu" in shown
    # only within scope: Gia Lai's land-records task is not Hoàn Kiếm's, and a leader cannot look outside
    reply = questions.answer(ha, "Nhiệm vụ chỉnh lý giấy chứng nhận quyền sử dụng đất xong chưa?")
    assert reply is not None and reply.search is not None and reply.search.folds == []
    assert render_task_reply(reply)[0].html == (
        "<b>Không tìm thấy nhiệm vụ nào của Phường Hoàn Kiếm có tên như vậy.</b>"
    )
    reply = questions.answer(
        leader, "Việc kết nối với Trung tâm phục vụ hành chính công của phường Hoàn Kiếm xong chưa?"
    )
    assert reply is not None and reply.detail is not None and reply.detail.task.code == "HN-01928"
    with pytest.raises(Denied, match="Bạn không có quyền xem đơn vị GL."):
        questions.answer(leader, "Nhiệm vụ chỉnh lý giấy chứng nhận quyền sử dụng đất của tỉnh Gia Lai xong chưa?")


def test_quoted_questions_answered_from_the_database_for_the_hanoi_leader(
    sqlite_demo_db: Database, hermetic_env: Path
) -> None:
    db = sqlite_demo_db
    hn = cli_overdue(db, "HN")
    answerer = FakeAnswerer()
    text = chat(
        db,
        hermetic_env,
        HN_LEADER,
        "Hà Nội có bao nhiêu nhiệm vụ quá hạn?",
        "viec qua han cua don vi minh",
        "Tuần này phải nộp gì?",
        "Những đơn vị nào chậm nhiều nhất?",
        "Tiến độ của Gia Lai thế nào?",
        "/trehan GL",
        "Kế hoạch của Hà Nội yêu cầu hoàn thành số hóa trước ngày nào?",
        answerer=answerer,
    )
    answers = text.split("\n> ")
    figure = f"Thành phố Hà Nội (gồm đơn vị cấp dưới) có {hn} nhiệm vụ quá hạn (tính đến 20/11/2026)."
    # the figure first, then the /trehan list
    for answer in answers[1:3]:
        assert answer.startswith(figure), answer[:200]
        assert "Nhiệm vụ quá hạn — Thành phố Hà Nội" in answer and f"· {hn} nhiệm vụ" in answer
    with db.session() as s:
        week = queries.due_soon(s, "HN", 2, include_subunits=True, as_of=TODAY)  # Friday 20/11 → Sunday 22/11
        summary = queries.overdue_summary(s, "HN", as_of=TODAY)
    assert answers[3].startswith(
        f"Thành phố Hà Nội (gồm đơn vị cấp dưới) có {len(week)} nhiệm vụ đến hạn từ 20/11/2026 đến 22/11/2026."
    )
    worst = summary.rows[0]
    late = sum(1 for r in summary.rows if r.overdue)
    assert answers[4].startswith(
        f"{late}/{len(summary.rows)} đơn vị thuộc Thành phố Hà Nội có nhiệm vụ quá hạn; "
        f"chậm nhất: {worst.unit_name} ({worst.overdue} nhiệm vụ quá hạn"
    )
    assert "Tình hình thực hiện nhiệm vụ — Thành phố Hà Nội" in answers[4]
    # out of scope: refused word for word as /trehan GL refuses it
    assert answers[5].strip() == answers[6].strip() == "Bạn không có quyền xem đơn vị GL."
    # a document question that names a unit and a deadline still goes to the documents, and only there
    assert [q for q, _ in answerer.calls] == ["Kế hoạch của Hà Nội yêu cầu hoàn thành số hóa trước ngày nào?"]
    assert "Trả lời cho: Kế hoạch của Hà Nội" in answers[7]


def test_quoted_questions_for_an_official_and_the_admin(sqlite_demo_db: Database, hermetic_env: Path) -> None:
    db = sqlite_demo_db
    with db.session() as s:
        own = queries.overdue(s, "HN-HOANKIEM", as_of=TODAY)
        gl = queries.overdue_summary(s, "GL", as_of=TODAY).total
    text = chat(
        db,
        hermetic_env,
        HA,
        "Đơn vị tôi còn những việc gì quá hạn?",
        "Hà Nội có bao nhiêu nhiệm vụ quá hạn?",
        "/trehan HN",
    )
    answers = text.split("\n> ")
    assert answers[1].startswith(f"Phường Hoàn Kiếm có {len(own)} nhiệm vụ quá hạn (tính đến 20/11/2026).")
    assert all(t.code in answers[1] for t in own)
    assert answers[2].strip() == answers[3].strip() == "Bạn không có quyền xem đơn vị HN."
    text = chat(
        db,
        hermetic_env,
        ADMIN,
        "Tiến độ của Gia Lai thế nào?",
        "Nhiệm vụ BCD-2025-0345 xong chưa?",
        "nhiem vu BCD-2025-0345 xong chua",
        "/nhiemvu BCD-2025-0345",
    )
    answers = text.split("\n> ")
    pct = f"{gl.pct_done:.1f}".replace(".", ",")
    assert answers[1].startswith(
        f"Tỉnh Gia Lai: đã hoàn thành {gl.done}/{gl.assigned} nhiệm vụ ({pct}%), "
        f"{gl.overdue} quá hạn, {gl.in_progress} đang làm trong hạn"
    )
    assert answers[2].startswith("Nhiệm vụ BCD-2025-0345: ") and answers[2] == answers[3]
    # the status line is the one /nhiemvu shows, and the task card follows it
    status = answers[2].split("\n", 1)[0].removeprefix("Nhiệm vụ BCD-2025-0345: ").rstrip(".")
    assert status in answers[4] and answers[4].strip() in answers[2]


def test_both_tasks_and_documents(sqlite_demo_db: Database, hermetic_env: Path) -> None:
    answerer = FakeAnswerer()
    question = "Việc gì của đơn vị tôi đang quá hạn, và văn bản nào quy định thời hạn của việc đó?"
    text = chat(sqlite_demo_db, hermetic_env, HA, question, answerer=answerer)
    assert "Phường Hoàn Kiếm có " in text and "Phần còn lại của câu hỏi được trả lời từ văn bản:" in text
    assert text.index("Phường Hoàn Kiếm có ") < text.index("Trả lời cho:")
    assert [q for q, _ in answerer.calls] == [question]


def test_task_questions_use_the_commands_scope_on_both_databases(demo_db: Database, tmp_path: Path) -> None:
    assistant = Assistant(make_services(demo_db, tmp_path), clock=lambda: TODAY)
    questions = TaskQuestions(assistant)
    with demo_db.session() as s:
        hn = len(queries.overdue(s, "HN", include_subunits=True, as_of=TODAY))
        ids = {o.full_name: o.id for o in s.scalars(select(Official))}
    leader = Caller("console", official_id=ids[HN_LEADER])
    reply = questions.answer(leader, "ha noi co bao nhieu nhiem vu qua han")
    assert reply is not None and reply.page is not None and reply.page.total == hn
    assert questions.answer(leader, "Nghị quyết 57 đặt mục tiêu gì cho kinh tế số?") is None
    with pytest.raises(Denied, match="Bạn không có quyền xem đơn vị GL."):
        questions.answer(leader, "Tiến độ của Gia Lai thế nào?")
    official = Caller("console", official_id=ids[HA])
    with pytest.raises(Denied, match="Chức năng này dành cho lãnh đạo đơn vị."):
        questions.answer(official, "Những đơn vị nào chậm nhiều nhất?")  # /tonghop is for leaders
