"""The assistant service on the real demo database (SQLite and PostgreSQL): scope, audit, task updates,
invites, admin commands, answers and feedback, the digest; and the HTML splitting the transports rely on."""

from __future__ import annotations

import asyncio
import csv
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fake_telegram import plain_text
from fakes import (
    ADMIN,
    BKHCN_LEADER,
    GL_OFFICIAL,
    HA,
    HN_LEADER,
    TODAY,
    FakeAnswerer,
    FakeLibrary,
    add_official,
    audits,
    link_telegram,
    make_services,
    official_id,
    who,
)
from sqlalchemy import select, update

from bot.render.html import (
    esc,
    fold_line,
    passage_block,
    render_answer,
    render_digest,
    split_blocks,
    to_plain,
    visible_length,
)
from bot.render.out import MAX_MESSAGE, Button, TextOut
from bot.service import Assistant, Caller, Denied, Evidence, NotRegistered, ServiceError, Unavailable
from bot.service.dialog import Dialog
from bot.service.tasks import GROUP_PAGE_SIZE
from bot.service.views import AnswerView, TaskFold, TaskPage, answer_view, fold_title, fold_titles
from db import queries
from db import task_updates as tu
from db.blobs import DatabaseBlobStore
from db.models import Feedback, Invite, Official, Role, Task, TaskStatus
from db.session import Database
from retrieval.protocols import SearchFilters
from retrieval.types import Answer, Citation, Quote

# --- helpers shared with the Telegram and console tests: tests/fakes/ ------------------------------------


@pytest.fixture
def svc(demo_db: Database, hermetic_env: Path) -> Assistant:
    return Assistant(make_services(demo_db, hermetic_env), clock=lambda: TODAY)


# --- task lists and scope ------------------------------------------------------------------------------


def test_official_sees_own_units_due_and_overdue(svc: Assistant, demo_db: Database) -> None:
    ha = who(demo_db, HA)
    due = svc.tasks(ha, "due")
    assert due.unit_code == "HN-HOANKIEM" and not due.subunits and due.as_of == TODAY
    assert [t.code for t in due.tasks] == ["HN-01962"] and due.tasks[0].deadline == date(2026, 11, 25)
    assert due.tasks[0].source_symbol == "350/KH-UBND" and due.tasks[0].source_section == "Mục IV"
    late = svc.tasks(ha, "overdue")
    assert late.total == 5 and all(t.unit_code == "HN-HOANKIEM" for t in late.tasks)
    assert svc.tasks(ha, "due", days=0).total == 0
    assert svc.tasks(ha, "due", unit="hn-hoankiem").total == 1  # own unit, any case


def test_leader_lists_by_sub_unit_and_drills_down(svc: Assistant, demo_db: Database) -> None:
    leader = who(demo_db, HN_LEADER)
    with demo_db.session() as s:
        flat = queries.overdue(s, "HN", include_subunits=True, as_of=TODAY)
    first = svc.tasks(leader, "overdue")
    assert first.subunits and first.grouped and first.total == len(flat) == 447
    pages = [svc.tasks(leader, "overdue", page=p) for p in range(first.pages)]
    groups = [g for page in pages for g in page.groups]
    assert first.pages == -(-len(groups) // GROUP_PAGE_SIZE) and len(groups) == first.items
    # one item per sub-unit, the counts sum to the whole list, most tasks first, worst delay shown
    assert sum(g.count for g in groups) == len(flat)
    assert len({g.unit_code for g in groups}) == len(groups)
    assert [g.count for g in groups] == sorted((g.count for g in groups), reverse=True)
    assert svc.tasks(leader, "overdue", page=99).page == first.pages - 1  # clamped
    # a drill-down lists that unit's tasks: as many as its line said, the worst delay its first deadline
    for g in groups[:3] + [g for g in groups if g.own]:
        drill = svc.tasks(leader, "overdue", unit=g.unit_code, own=g.own)
        assert drill.total == g.count and drill.explicit_unit and not drill.grouped, g
        mine = [t for t in flat if (t.unit_code == "HN") == g.own and (g.own or t.unit_code == g.unit_code)]
        assert sorted(t.code for t in mine) == sorted(t.code for f in _all_folds(svc, leader, drill) for t in f.tasks)
        assert min(t.deadline for t in mine if t.deadline) == g.earliest
    one = svc.tasks(leader, "overdue", unit="HN-HOANKIEM")
    assert one.total == 5 and one.explicit_unit
    with pytest.raises(Denied):
        svc.tasks(leader, "overdue", unit="GL-CHUSE")


def _all_folds(svc: Assistant, caller: Caller, page: TaskPage) -> list[TaskFold]:
    return [
        f
        for p in range(page.pages)
        for f in svc.tasks(caller, page.kind, unit=page.unit_code, own=page.own, page=p).folds
    ]


def test_identical_titles_fold_into_one_line(svc: Assistant, demo_db: Database) -> None:
    """A unit's list shows a title once with its count; the folded tasks are all there, the worst first."""
    with demo_db.session() as s:
        flat = queries.overdue(s, "HN", include_subunits=True, as_of=TODAY)
    titles = Counter(fold_title(t.title).casefold() for t in flat)
    assert len(titles) < len(flat)  # the demo repeats titles across communes
    folds = fold_titles(flat)
    assert [len(f.tasks) for f in folds] == [titles[fold_title(f.title).casefold()] for f in folds]
    assert sum(len(f.tasks) for f in folds) == len(flat)
    for f in folds:
        assert [t.deadline for t in f.tasks] == sorted(t.deadline for t in f.tasks if t.deadline)
    line = fold_line(max(folds, key=lambda f: len(f.tasks)), TODAY, "vi", with_unit=True)
    big = max(folds, key=lambda f: len(f.tasks))
    late = big.first.days_late(TODAY)
    assert f"× {len(big.tasks)}</b>, trễ nhất {late} ngày" in line and line.count("<code>") == min(5, len(big.tasks))
    assert fold_title("Báo cáo tiến độ chuyển đổi số kỳ 10/08/2025") == "Báo cáo tiến độ chuyển đổi số"
    assert fold_title("Báo cáo quý III/2025") == "Báo cáo" and fold_title("Năm 2025") == "Năm 2025"
    # The period is dropped only where titles differ by it: one title all tasks share is shown whole.
    same = [replace(flat[0], title="Hoàn thành cơ sở dữ liệu đất đai trong năm 2025", code=f"X{i}") for i in range(3)]
    assert [f.title for f in fold_titles(same)] == ["Hoàn thành cơ sở dữ liệu đất đai trong năm 2025"]
    mixed = [replace(flat[0], title=f"Báo cáo tiến độ kỳ 10/0{m}/2025", code=f"Y{m}") for m in (8, 9)]
    assert [f.title for f in fold_titles(mixed)] == ["Báo cáo tiến độ"]
    # an official's own list folds too: the page's tasks are those of its folded items
    page = svc.tasks(who(demo_db, HA), "overdue")
    assert page.tasks == [t for f in page.folds for t in f.tasks] and not page.grouped


def test_official_cannot_read_another_unit_by_any_call(svc: Assistant, demo_db: Database) -> None:
    ha = who(demo_db, HA)
    gl_task = svc.tasks(who(demo_db, GL_OFFICIAL), "overdue").tasks[0].code
    before = len(audits(demo_db, allowed=False))
    for attempt in (
        lambda: svc.tasks(ha, "due", unit="GL-CHUSE"),
        lambda: svc.tasks(ha, "overdue", unit="HN"),  # not even the parent unit
        lambda: svc.task(ha, gl_task),
        lambda: svc.update_task(ha, "done", gl_task, "xong"),
        lambda: svc.update_task(ha, "progress", gl_task, "đang làm"),
        lambda: svc.summary(ha),
        lambda: svc.summary(ha, "HN-HOANKIEM"),
        lambda: svc.check_task_access(ha, "done", gl_task),
    ):
        with pytest.raises(Denied):
            attempt()
    refused = audits(demo_db, allowed=False)
    assert len(refused) - before == 8 and {a.official_id for a in refused[before:]} == {official_id(demo_db, HA)}
    with demo_db.session() as s:  # nothing changed
        assert s.scalar(select(Task.status).where(Task.code == gl_task)) == TaskStatus.OPEN


def test_every_request_is_audited(svc: Assistant, demo_db: Database) -> None:
    ha = who(demo_db, HA)
    n = len(audits(demo_db))
    svc.tasks(ha, "due")
    svc.tasks(ha, "overdue")
    svc.help(ha)
    svc.get_settings(ha)
    with pytest.raises(ServiceError):
        svc.task(ha, "NO-SUCH-TASK")
    with pytest.raises(ServiceError):
        svc.unknown_command(ha, "xyz")
    entries = audits(demo_db)[n:]
    assert [a.action for a in entries] == ["due", "overdue", "help", "settings", "task", "unknown_command"]
    assert all(a.channel == "console" and a.allowed for a in entries)
    assert "Không có nhiệm vụ mã" in (entries[4].detail or "")


# --- one task: detail, done, progress -----------------------------------------------------------------


def test_done_and_progress_are_recorded_with_history_and_evidence(
    demo_db: Database,
    hermetic_env: Path,
    fake_answerer: FakeAnswerer,
) -> None:
    answerer = fake_answerer
    svc = Assistant(make_services(demo_db, hermetic_env, answerer=answerer), clock=lambda: TODAY)
    ha, leader = who(demo_db, HA), who(demo_db, HN_LEADER)
    p = svc.update_task(ha, "progress", "HN-01962", "Đã tổng hợp số liệu 3 phường")
    assert p.kind == "progress" and p.evidence is None
    d = svc.update_task(ha, "done", "HN-01962", "Đã gửi báo cáo", Evidence("bao cao/../kq.pdf", b"%PDF-1.4 minh chung"))
    assert d.completed_on == TODAY and d.evidence and d.evidence.startswith("evidence/HN-01962/")
    # Kept in the database, not under this process's TROLY_DATA_DIR: another replica (its own engine) reads it.
    assert not (hermetic_env / "evidence").exists()
    other = Database(demo_db.url)
    try:
        assert DatabaseBlobStore(other).get(d.evidence) == b"%PDF-1.4 minh chung"
    finally:
        other.dispose()
    assert ".." not in d.evidence
    with pytest.raises(ServiceError, match="đã được đánh dấu hoàn thành"):
        svc.update_task(ha, "done", "HN-01962")
    # the leader above sees the history; the source passage comes from the answerer, filtered by symbol
    detail = svc.task(leader, "HN-01962")
    assert detail.task.status == TaskStatus.DONE and detail.task.completed_on == TODAY
    assert [e.kind for e in detail.events][-2:] == ["progress", "done"]
    assert detail.events[-1].official == HA and detail.events[-1].evidence == d.evidence
    assert detail.passage is not None and detail.passage.symbol == "350/KH-UBND"
    assert answerer.calls[-1][1] == SearchFilters(symbols=("350/KH-UBND",))
    assert not svc.tasks(ha, "due").tasks  # no longer due
    with pytest.raises(ServiceError):
        svc.update_task(ha, "progress", "HN-01961", "  ")  # a note is required


def test_task_detail_without_an_index_still_works(svc: Assistant, demo_db: Database) -> None:
    detail = svc.task(who(demo_db, HA), "HN-01939")
    assert detail.passage is None and detail.task.deadline == date(2025, 12, 10)
    assert detail.task.unit_code == "HN-HOANKIEM" and detail.events == []  # seeded tasks have no history


# --- leaders -----------------------------------------------------------------------------------------------


def test_summary_for_leaders_with_drill_down(svc: Assistant, demo_db: Database) -> None:
    admin = who(demo_db, ADMIN)
    national = svc.summary(admin)
    assert national.summary.unit_code == "BCDTW" and {"HN", "GL"} <= set(national.drill)
    assert national.parent_code is None
    hn = svc.summary(who(demo_db, HN_LEADER))
    assert hn.summary.total.overdue == 447 and len(hn.overdue_tasks) == 447
    assert hn.drill == [] and hn.parent_code is None  # communes have no sub-units; no way above own unit
    commune = svc.summary(who(demo_db, HN_LEADER), "HN-HOANKIEM")
    assert commune.parent_code == "HN"
    drilled = svc.summary(admin, "HN")
    assert drilled.parent_code == "BCDTW"
    with pytest.raises(Denied):
        svc.summary(who(demo_db, HN_LEADER), "GL")
    with pytest.raises(Denied):
        svc.summary(who(demo_db, HN_LEADER), "BCDTW")


# --- invites and registration ----------------------------------------------------------------------------


def test_invite_start_and_refusals(svc: Assistant, demo_db: Database) -> None:
    stranger = Caller("telegram", telegram_user_id=777, language_code="en", full_name="Lan")
    with pytest.raises(NotRegistered, match="registered officials"):
        svc.ask(stranger, "hello?")
    with pytest.raises(NotRegistered, match="mã mời"):
        svc.tasks(Caller("telegram", telegram_user_id=778, language_code="vi"), "due")
    admin = who(demo_db, ADMIN)
    inv = svc.invite(admin, "hn-hoankiem", "official")
    assert inv.unit_code == "HN-HOANKIEM" and inv.link.endswith(f"?start={inv.code}")
    view = svc.start(stranger, inv.code)
    assert view.kind == "linked" and view.me.unit_code == "HN-HOANKIEM" and view.me.lang == "en"
    assert svc.tasks(stranger, "due").total == 1  # now served
    with pytest.raises(Denied, match="already|đã được sử dụng"):
        svc.start(Caller("telegram", telegram_user_id=779), inv.code)
    old = svc.invite(admin, "GL", "leader")
    with demo_db.session() as s:
        s.execute(update(Invite).where(Invite.code == old.code).values(expires_at=datetime.now() - timedelta(days=1)))
    with pytest.raises(Denied, match="hết hạn"):
        svc.start(Caller("telegram", telegram_user_id=779), old.code)
    with pytest.raises(Denied):
        svc.invite(who(demo_db, HN_LEADER), "HN-HOANKIEM", "official")
    refused = [a.action for a in audits(demo_db, allowed=False)]
    assert refused.count("start") == 2 and "invite" in refused and refused.count("ask") == 1


# --- admin: import, reload, documents ---------------------------------------------------------------------


def _csv(path: Path, rows: list[list[str]]) -> bytes:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Mã nhiệm vụ", "Nội dung", "Đơn vị chủ trì", "Hạn hoàn thành"])
        w.writerows(rows)
    return path.read_bytes()


def test_admin_imports_tasks_all_or_nothing(svc: Assistant, demo_db: Database, tmp_path: Path) -> None:
    admin, ha = who(demo_db, ADMIN), who(demo_db, HA)
    good = _csv(tmp_path / "ok.csv", [["T-BOT-1", "Việc mới", "HN-HOANKIEM", "24/11/2026"]])
    bad = _csv(
        tmp_path / "bad.csv", [["T-BOT-2", "Việc", "HN-HOANKIEM", "30/02/2026"], ["T-BOT-3", "Việc", "NOPE", ""]]
    )
    with pytest.raises(Denied):
        svc.import_tasks(ha, "ok.csv", good)
    with pytest.raises(ServiceError, match="Dòng 2") as err:
        svc.import_tasks(admin, "bad.csv", bad)
    assert "Dòng 3" in err.value.message
    view = svc.import_tasks(admin, "ok.csv", good)
    assert view.report.created == 1
    with demo_db.session() as s:
        assert s.scalar(select(Task.id).where(Task.code == "T-BOT-2")) is None
        assert s.scalar(select(Task.id).where(Task.code == "T-BOT-1")) is not None
    assert svc.tasks(ha, "due").total == 2
    actions = [(a.action, a.allowed) for a in audits(demo_db) if a.action == "import"]
    assert actions == [("import", False), ("import", True), ("import", True)]


def test_reload_and_documents_are_admin_only_and_report_progress(
    demo_db: Database,
    hermetic_env: Path,
    fake_library: FakeLibrary,
) -> None:
    lib = fake_library
    svc = Assistant(make_services(demo_db, hermetic_env, library=lib), clock=lambda: TODAY)
    admin, leader = who(demo_db, ADMIN), who(demo_db, HN_LEADER)
    with pytest.raises(Denied):
        svc.reload(leader)
    with pytest.raises(Denied):
        svc.add_document(leader, "x.md", b"# x")
    with pytest.raises(Denied):
        svc.require_library(leader, "reload")
    seen: list[Any] = []
    view = svc.reload(admin, seen.append)
    assert [p.done for p in seen] == [1, 2, 3] and view.report.added == ["doc0.md"]
    doc = svc.add_document(admin, "Kế hoạch 02.md", b"# Ke hoach")
    assert doc.added_file == "Kế_hoạch_02.md" and lib.added == ["Kế_hoạch_02.md"]
    with pytest.raises(ServiceError):
        svc.add_document(admin, "virus.exe", b"MZ")
    no_lib = Assistant(make_services(demo_db, hermetic_env), clock=lambda: TODAY)
    with pytest.raises(Unavailable, match="no library"):
        no_lib.reload(admin)
    assert {"reload", "reload_done", "adddoc", "adddoc_done"} <= {a.action for a in audits(demo_db, allowed=True)}


# --- questions and feedback ----------------------------------------------------------------------------------


def test_questions_answers_are_stored_and_voted_by_the_asker_only(demo_db: Database, hermetic_env: Path) -> None:
    svc = Assistant(make_services(demo_db, hermetic_env, answerer=FakeAnswerer()), clock=lambda: TODAY)
    ha, other = who(demo_db, HA), who(demo_db, GL_OFFICIAL)
    view = svc.ask(ha, "  Nghị quyết 57 giao nhiệm vụ gì?  ")
    assert view.found and view.id is not None and view.citations[0].symbol == "57-NQ/TW"
    assert svc.vote(ha, view.id, up=False) == "Cảm ơn bạn đã đánh giá!"
    with pytest.raises(Denied):
        svc.vote(other, view.id, up=True)
    with demo_db.session() as s:
        row = s.get(Feedback, view.id)
        assert row is not None and row.vote == -1 and row.question == "Nghị quyết 57 giao nhiệm vụ gì?"
        assert row.citations[0]["symbol"] == "57-NQ/TW" and row.official_id == official_id(demo_db, HA)
        assert tu.feedback_counts(s) == {"answers": 1, "up": 0, "down": 1}


def test_questions_without_index_or_with_a_broken_one_say_so(demo_db: Database, hermetic_env: Path) -> None:
    ha = who(demo_db, HA)
    none = Assistant(make_services(demo_db, hermetic_env), clock=lambda: TODAY).ask(ha, "57 là gì?")
    assert none.unavailable and "Chưa có chỉ mục" in none.text and none.id is None
    broken = Assistant(make_services(demo_db, hermetic_env, answerer=FakeAnswerer(fail=True)), clock=lambda: TODAY)
    view = broken.ask(ha, "57 là gì?")
    assert view.unavailable and "sự cố" in view.text
    assert broken.tasks(ha, "due").total == 1  # tasks keep working
    assert broken.task(ha, "HN-01962").passage is None


# --- settings and digest ------------------------------------------------------------------------------------


def test_settings_language_and_digest(svc: Assistant, demo_db: Database) -> None:
    ha = who(demo_db, HA)
    assert svc.get_settings(ha).lang == "vi"
    v = svc.update_settings(ha, language="en")
    assert v.lang == "en" and v.changed == "lang"
    with pytest.raises(ServiceError, match="vi or en"):
        svc.update_settings(ha, language="fr")
    assert svc.update_settings(ha, digest=False).digest is False
    assert svc.tasks(ha, "due").lang == "en"


def test_digest_goes_only_to_officials_with_something_to_report(svc: Assistant, demo_db: Database) -> None:
    for i, name in enumerate((HA, HN_LEADER, GL_OFFICIAL, BKHCN_LEADER), start=1):
        link_telegram(demo_db, name, 1000 + i)
    add_official(demo_db, "Cán bộ Sở KHCN", "HN-SKHCN", Role.OFFICIAL, telegram_user_id=2001)  # no tasks at all
    add_official(demo_db, "Lãnh đạo Sở KHCN", "HN-SKHCN", Role.LEADER, telegram_user_id=2002)  # nor here
    with demo_db.session() as s:
        s.execute(update(Official).where(Official.full_name == GL_OFFICIAL).values(digest=False))
    views = {v.telegram_user_id: v for v in svc.digests()}
    assert set(views) == {1001, 1002, 1004}  # not those without tasks, nor the one who turned it off
    assert audits(demo_db, action="digest")[-1].detail == "3 digests as of 2026-11-20"


def test_an_officials_digest_folds_identical_titles_like_the_lists(svc: Assistant, demo_db: Database) -> None:
    link_telegram(demo_db, HA, 1001)
    ha = {v.telegram_user_id: v for v in svc.digests()}[1001]
    assert not ha.subunits and (ha.overdue_total, ha.due_total) == (5, 1)
    listed = svc.tasks(who(demo_db, HA), "overdue")  # /trehan of the same official
    assert [[t.code for t in f.tasks] for f in ha.overdue] == [[t.code for t in f.tasks] for f in listed.folds]
    assert [len(f.tasks) for f in ha.overdue] == [3, 1, 1]  # the reporting series is one line
    assert [t.code for f in ha.due for t in f.tasks] == ["HN-01962"]


def test_a_leaders_digest_has_the_figures_and_the_five_sub_units_most_behind(svc: Assistant, demo_db: Database) -> None:
    link_telegram(demo_db, HN_LEADER, 1002)
    leader = {v.telegram_user_id: v for v in svc.digests()}[1002]
    me = who(demo_db, HN_LEADER)
    overdue, due = svc.tasks(me, "overdue"), svc.tasks(me, "due")  # /trehan and /viec: grouped by sub-unit
    assert leader.subunits and not leader.overdue and not leader.due
    assert (leader.overdue_total, leader.late_unit_count) == (overdue.total, overdue.items) == (447, 127)
    assert (leader.due_total, leader.due_unit_count) == (due.total, due.items)
    assert leader.late_units == overdue.groups[:5]
    html = "".join(o.html for o in render_digest(leader) if isinstance(o, TextOut))
    assert "Quá hạn: 447 nhiệm vụ ở 127 đơn vị" in html and "5 đơn vị chậm nhất" in html


def test_a_leader_with_nothing_overdue_gets_the_due_figures_only(svc: Assistant, demo_db: Database) -> None:
    link_telegram(demo_db, HN_LEADER, 1002)
    with demo_db.session() as s:  # close every overdue task of Hà Nội
        late = queries.overdue(s, "HN", include_subunits=True, as_of=TODAY)
        s.execute(update(Task).where(Task.code.in_([t.code for t in late])).values(completed_on=TODAY))
    leader = {v.telegram_user_id: v for v in svc.digests()}[1002]
    assert leader.overdue_total == 0 and leader.due_total > 0 and leader.late_units == []
    shown = "".join(o.html for o in render_digest(leader) if isinstance(o, TextOut))
    assert "Đến hạn trong 7 ngày:" in shown and "Quá hạn" not in shown and "chậm nhất" not in shown


def test_digest_sender_isolates_failures(svc: Assistant, demo_db: Database) -> None:
    link_telegram(demo_db, HA, 1001)
    link_telegram(demo_db, BKHCN_LEADER, 1004)
    got: list[int] = []

    async def send(chat_id: int, outs: list[Any]) -> None:
        if chat_id == 1001:
            raise RuntimeError("blocked by user")
        got.append(chat_id)

    assert asyncio.run(Dialog(svc).send_digests(send)) == 1 and got == [1004]


# --- HTML rendering and splitting -------------------------------------------------------------------------------


def test_split_keeps_every_part_under_the_limit_and_well_formed() -> None:
    blocks = [f"<b>Mục {i}</b> — {esc('chữ & <ký tự> ' * 40)}" for i in range(60)]
    blocks.append("<blockquote>" + "đoạn rất dài " * 700 + "</blockquote>")  # one block over the limit
    parts = split_blocks(blocks)
    assert len(parts) > 3
    for part in parts:
        visible = plain_text(part, "HTML")  # the fake's Telegram-like parser: raises on broken HTML
        assert 0 < len(visible) <= MAX_MESSAGE
    joined = "".join(plain_text(p, "HTML") for p in parts)
    assert joined.count("Mục") == 60 and joined.count("đoạn rất dài") == 700 and joined.count("<ký tự>") == 2400


def test_answer_rendering_escapes_and_puts_buttons_last() -> None:
    cite = Citation(1, "Tài liệu <x>", "57-NQ/TW", "Mục II › 3", "a.md", "A & B < C " * 20, 0.5)
    view = AnswerView(42, "q", True, "Câu trả lời <script>\n\n" + "dài " * 2000, [cite], "LLM unavailable", "vi")
    outs = render_answer(view)
    assert len(outs) == 4 and all(isinstance(o, TextOut) and not o.buttons for o in outs[:-1])
    last = outs[-1]
    assert isinstance(last, TextOut) and last.buttons == [[Button("👍", "fb:+:42"), Button("👎", "fb:-:42")]]
    for o in outs:
        assert isinstance(o, TextOut)
        plain_text(o.html, "HTML")
    assert "&lt;script&gt;" in outs[0].html
    with pytest.raises(ValueError):
        Button("x", "sum:" + "X" * 61)


# --- answers on a phone: direct answer, quotes, source lines, collapsed passages -------------------------------

COLLAPSED = re.compile(r"<blockquote expandable>(.*?)</blockquote>", re.S)
NQ57 = "Nghị quyết về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"
P1 = (
    "2. Mục tiêu đến năm 2030\n- Tiềm lực, trình độ khoa học, công nghệ và đổi mới sáng tạo quốc gia đạt mức tiên "
    "tiến ở nhiều lĩnh vực quan trọng.\n- Kinh phí chi cho nghiên cứu phát triển (R&D) đạt 2% GDP, trong đó kinh phí "
    "từ xã hội chiếm hơn 60%.\n- Bố trí ít nhất 3% tổng chi ngân sách hằng năm cho phát triển khoa học, công nghệ, "
    "đổi mới sáng tạo và chuyển đổi số quốc gia và tăng dần theo yêu cầu của thực tiễn."
)
P2 = "Kinh phí cho chuyển đổi số của thành phố được bố trí từ ngân sách địa phương hằng năm theo kế hoạch."
P3 = (
    "a) Nhà nước bảo đảm ngân sách cho phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số; ưu tiên "
    "bố trí chi đầu tư phát triển <theo Luật Ngân sách nhà nước> & các quy định liên quan."
)
CITES = [
    Citation(1, NQ57, "57-NQ/TW", "Mục II › 2", "57-NQ-TW_nghi-quyet-57.md", P1, 0.91),
    Citation(
        2,
        "Kế hoạch chuyển đổi số thành phố Hà Nội năm 2025",
        "350/KH-UBND",
        "Mục IV › 1",
        "350-KH-UBND_ke-hoach-ha-noi.md",
        P2,
        0.80,
    ),
    Citation(3, NQ57, "57-NQ/TW", "Mục III › 7 › a)", "57-NQ-TW_nghi-quyet-57.md", P3, 0.85),
]
FOUND = Answer(
    True,
    "ít nhất 3% [1]\n«…» [1]\n«…» [3]\n\n[1][3] 57-NQ/TW",
    CITES,
    short="ít nhất 3% tổng chi ngân sách",
    short_rank=1,
    quotes=(
        Quote(
            "Bố trí ít nhất 3% tổng chi ngân sách hằng năm cho phát triển khoa học, công nghệ, đổi mới sáng tạo "
            "và chuyển đổi số quốc gia",
            1,
        ),
        Quote(
            "Nhà nước bảo đảm ngân sách cho phát triển khoa học … ưu tiên bố trí chi đầu tư phát triển "
            "<theo Luật Ngân sách nhà nước>",
            3,
        ),
    ),
    body="ít nhất 3% [1]\n«…» [1]\n«…» [3]",
    used=(1, 3),
)
REFUSAL = Answer(
    False,
    "Không tìm thấy nội dung trả lời câu hỏi này. Đã tìm theo nghĩa và từ khoá trong 14 văn bản.",
    [CITES[1], CITES[2]],
    used=(2, 3),
)


def one_message(answer: Answer, lang: str = "vi") -> str:
    outs = render_answer(answer_view(7, "câu hỏi", answer, lang))
    assert len(outs) == 1 and isinstance(outs[0], TextOut)
    assert outs[0].buttons == [[Button("👍", "fb:+:7"), Button("👎", "fb:-:7")]]
    plain_text(outs[0].html, "HTML")  # well-formed for Telegram
    return outs[0].html


def outside_collapsed(message: str) -> str:
    """What the phone shows before the collapsed passages are opened."""
    return plain_text(COLLAPSED.sub("\n", message), "HTML").strip()


def test_found_answer_is_short_answer_quotes_one_source_line_per_document_and_collapsed_passages() -> None:
    message = one_message(FOUND)
    shown = outside_collapsed(message)
    lines = shown.splitlines()
    assert lines[0] == "ít nhất 3% tổng chi ngân sách [1]" and "<b>ít nhất 3% tổng chi ngân sách</b> [1]" in message
    assert lines[1].startswith("«Bố trí ít nhất 3%") and lines[1].endswith("» [1]")
    assert lines[2].startswith("«Nhà nước bảo đảm") and lines[2].endswith("» [3]")
    # one source line for the one cited document; the uncited citation [2] appears nowhere
    sources = [line for line in lines if line.startswith("📄")]
    assert sources == [
        "📄 [1][3] 57-NQ/TW · Mục II › 2; Mục III › 7 › a) · Nghị quyết về đột phá phát triển khoa học, công nghệ, đổi…"
    ]  # title ≤ 60 characters
    assert "350/KH-UBND" not in message and "ngân sách địa phương" not in message
    # each cited passage once, collapsed, with its number; nowhere else
    collapsed = [plain_text(inner, "HTML") for inner in COLLAPSED.findall(message)]
    assert len(collapsed) == 2 and collapsed[0].startswith("[1] 57-NQ/TW · Mục II › 2\n")
    assert collapsed[1].startswith("[3] 57-NQ/TW · Mục III › 7 › a)\n")
    for passage in (P1, P3):
        assert sum(passage in c for c in collapsed) == 1 and passage not in shown
    assert "Tiềm lực, trình độ" not in shown and "Mục tiêu đến năm 2030" not in shown
    assert message.count("<blockquote") == 2 and visible_length(message) == len(shown) < 700
    # the console shows the same content, the passages indented under their header
    console = to_plain(message)
    assert "▸ [1] 57-NQ/TW · Mục II › 2\n│ 2. Mục tiêu đến năm 2030\n│ - Tiềm lực" in console
    assert "▸ [3] 57-NQ/TW · Mục III › 7 › a)\n│ a) Nhà nước" in console and console.startswith(shown.splitlines()[0])


def test_refusal_says_what_was_searched_and_offers_the_two_closest_passages_collapsed() -> None:
    three = Answer(False, REFUSAL.text, [CITES[1], CITES[2], CITES[0]], used=(2, 3, 1))  # offering too many
    for answer in (REFUSAL, three):
        message = one_message(answer)
        shown = outside_collapsed(message)
        assert shown.startswith("Không tìm thấy nội dung trả lời câu hỏi này. Đã tìm theo nghĩa và từ khoá")
        assert "<i>Hai đoạn gần nhất (không trả lời câu hỏi):</i>" in message
        assert shown.index("Hai đoạn gần nhất") < shown.index("📄 [2] 350/KH-UBND · Mục IV › 1 · Kế hoạch")
        assert "📄 [3] 57-NQ/TW · Mục III › 7 › a) · " in shown and "📄 [1]" not in shown
        collapsed = [plain_text(inner, "HTML") for inner in COLLAPSED.findall(message)]
        assert [c.split(" ", 1)[0] for c in collapsed] == ["[2]", "[3]"]
        assert P2 in collapsed[0] and P3 in collapsed[1] and P2 not in shown and P3 not in shown
        assert "Mục tiêu đến năm 2030" not in message and visible_length(message) < 700
    one = one_message(Answer(False, REFUSAL.text, [CITES[1]], used=(2,)), "en")
    assert "The closest passage (it does not answer the question):" in outside_collapsed(one)
    nothing = one_message(Answer(False, REFUSAL.text, []))
    assert "<blockquote" not in nothing and "gần nhất" not in nothing


def test_a_refusal_says_what_was_searched_in_the_readers_language() -> None:
    """The stored refusal is Vietnamese (`troly ask --json` keeps it); a reader who chose English reads it in
    English, with the labels around it, and the Vietnamese reader reads the stored text itself."""
    from retrieval.answer import refusal
    from retrieval.protocols import SearchFilters

    refused = refusal("What is the weather in Hanoi tomorrow?", None, [CITES[1], CITES[2]], 18)
    vi = outside_collapsed(one_message(refused, "vi"))
    assert vi.startswith(refused.body) and refused.body.startswith(
        "Không tìm thấy nội dung trả lời câu hỏi này trong 18"
    )
    en = outside_collapsed(one_message(refused, "en"))
    assert en.startswith("Nothing in the 18 indexed documents answers this question.") and "Không" not in en
    assert "The two closest passages (they do not answer the question):" in en
    scoped = refusal("Lương cán bộ xã?", SearchFilters(doc_types=("Kế hoạch",)), [], 0)
    assert outside_collapsed(one_message(scoped, "vi")).startswith(scoped.body)
    assert outside_collapsed(one_message(scoped, "en")).startswith("Nothing in the indexed documents (within Kế hoạch)")


def test_answer_quotes_are_escaped_and_long_quotes_fit_the_phone() -> None:
    message = one_message(FOUND)
    assert (
        "«Nhà nước bảo đảm ngân sách cho phát triển khoa học … ưu tiên bố trí chi đầu tư phát triển "
        "&lt;theo Luật Ngân sách nhà nước&gt;» [3]" in message
    )
    assert "&lt;theo Luật Ngân sách nhà nước&gt; &amp; các quy định liên quan." in message  # the passage too
    assert "<theo" not in message and "R&amp;D" in message
    evil = Answer(
        True,
        "x",
        [Citation(1, "T <i>", "1/QĐ-X", "Điều 1", "a.md", "đoạn <b>x</b> & y", 0.5)],
        short="<b>30 ngày</b>",
        short_rank=1,
        quotes=(Quote("a < b & c > d", 1),),
        used=(1,),
    )
    html_ = one_message(evil)
    assert html_.startswith("<b>&lt;b&gt;30 ngày&lt;/b&gt;</b> [1]\n«a &lt; b &amp; c &gt; d» [1]")
    assert "T &lt;i&gt;" in html_ and "đoạn &lt;b&gt;x&lt;/b&gt; &amp; y" in html_
    # quotes as long as whole passages are cut to keep the phone's first screen short
    long = "Nội dung rất dài của một khoản trong nghị quyết, " * 16
    cites = [Citation(r, NQ57, "57-NQ/TW", f"Mục {r}", f"d{r}.md", long + f"kết thúc {r}.", 0.5) for r in (1, 2)]
    wordy = Answer(
        True,
        "x",
        cites,
        short="ngày 31/12/2025",
        short_rank=1,
        quotes=(Quote(cites[0].text, 1), Quote(cites[1].text, 2)),
        used=(1, 2),
    )
    message = one_message(wordy)
    assert visible_length(message) <= 700
    assert [q.split(" ")[0] for q in outside_collapsed(message).splitlines()[1:3]] == ["«Nội", "«Nội"]
    assert all(f"kết thúc {r}." in message for r in (1, 2))  # whole passages behind the tap


def test_a_markdown_passage_is_collapsed_without_its_heading_marks() -> None:
    """A Markdown document's "## II. KẾT QUẢ" is shown as its heading's words: the hashes mean nothing on a phone."""
    cited = Citation(1, "Báo cáo", "07/BC-UBND", "Mục II", "07.md", "## II. KẾT QUẢ\n### 1. Chung\nĐạt 17/24 #1.", 0.5)
    block = passage_block(cited)
    assert "\nII. KẾT QUẢ\n1. Chung\nĐạt 17/24 #1.</blockquote>" in block and "##" not in block, block


def test_visible_length_counts_what_a_phone_shows_before_the_collapsed_parts() -> None:
    assert visible_length("<b>a &amp; b</b>\n<blockquote expandable><b>[1]</b> x\nyyy</blockquote>") == 5
    assert visible_length("a<blockquote>quoted</blockquote>b") == 8  # a plain blockquote is not collapsed
    # a collapsed passage still separates the lines around it
    assert visible_length("a\n<blockquote expandable>1</blockquote>\nb\n<blockquote expandable>2</blockquote>") == 3
    assert visible_length(one_message(FOUND)) == len(outside_collapsed(one_message(FOUND)))


def test_answers_without_quotes_and_long_ones_still_render_and_never_split_a_passage() -> None:
    # an LLM's wording: no direct answer, no quotes; the passages it refers to
    llm = Answer(
        True,
        "Ngân sách phải đạt 3% [1], theo kế hoạch [2].\n\n[1] 57-NQ/TW\n[2] 350/KH-UBND",
        CITES,
        body="Ngân sách phải đạt 3% [1], theo kế hoạch [2].",
        used=(1, 2),
    )
    view = answer_view(None, "q", llm, "vi")
    assert view.body == "Ngân sách phải đạt 3% [1], theo kế hoạch [2]." and [c.rank for c in view.cited] == [1, 2]
    outs = render_answer(view)
    assert len(outs) == 1 and isinstance(outs[0], TextOut) and not outs[0].buttons
    assert outside_collapsed(outs[0].html).startswith("Ngân sách phải đạt 3% [1], theo kế hoạch [2].\n\n📄 [1] ")
    # many long passages: split into messages, each passage whole inside one of them
    cites = [
        Citation(r, f"Văn bản {r}", f"{r}/KH", "", f"{r}.md", f"Đoạn {r} " + "chữ " * 300, 0.5) for r in range(1, 7)
    ]
    many = answer_view(
        3, "q", Answer(True, " ".join(f"[{r}]" for r in range(1, 7)), cites, used=tuple(range(1, 7))), "vi"
    )
    outs = render_answer(many)
    assert len(outs) >= 2
    for out in outs:
        assert isinstance(out, TextOut) and len(plain_text(out.html, "HTML")) <= MAX_MESSAGE
        assert out.html.count("<blockquote expandable>") == out.html.count("</blockquote>")
    joined = "".join(o.html for o in outs if isinstance(o, TextOut))
    assert len(COLLAPSED.findall(joined)) == 6 and all(f"Đoạn {r} chữ" in joined for r in range(1, 7))


def test_ask_gives_the_renderer_the_structured_answer_and_stores_the_whole_text(
    demo_db: Database,
    hermetic_env: Path,
) -> None:
    @dataclass
    class Structured:
        answer_: Answer

        def answer(self, question: str, *, k: int = 5, filters: SearchFilters | None = None) -> Answer:
            return self.answer_

    ha = who(demo_db, HA)
    view = Assistant(make_services(demo_db, hermetic_env, answerer=Structured(FOUND)), clock=lambda: TODAY).ask(ha, "q")
    assert (view.short, view.short_rank, view.quotes) == (FOUND.short, 1, FOUND.quotes)
    assert [c.rank for c in view.cited] == [1, 3] and len(view.citations) == 3 and view.body == FOUND.body
    refused = Assistant(
        make_services(demo_db, hermetic_env, answerer=Structured(Answer(False, REFUSAL.text, CITES, used=(1, 2, 3)))),
        clock=lambda: TODAY,
    ).ask(ha, "q2")
    assert not refused.found and [c.rank for c in refused.cited] == [1, 2] and refused.body == REFUSAL.text

    class Says(Answer):  # an answerer that says which passages it uses
        def cited(self) -> list[Citation]:
            return [self.citations[2]]

    for found in (True, False):
        told = Assistant(
            make_services(
                demo_db, hermetic_env, answerer=Structured(Says(found, "x", CITES, short="3%", short_rank=1))
            ),
            clock=lambda: TODAY,
        ).ask(ha, "q3")
        assert [c.rank for c in told.cited] == [3]
    with demo_db.session() as s:
        stored = {row.question: row for row in s.scalars(select(Feedback))}
        assert stored["q"].answer == FOUND.text and stored["q"].found
        assert [c["rank"] for c in stored["q"].citations] == [1, 2, 3]
        assert stored["q2"].answer == REFUSAL.text and not stored["q2"].found
