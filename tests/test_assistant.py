"""The assistant service on the real demo database (SQLite and PostgreSQL): scope, audit, task updates,
invites, admin commands, answers and feedback, the digest; and the HTML splitting the transports rely on."""

from __future__ import annotations

import asyncio
import csv
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fake_telegram import plain_text
from sqlalchemy import select, update

from bot.config import Settings
from bot.render.html import MAX_MESSAGE, Button, TextOut, esc, render_answer, split_blocks
from bot.service.core import (
    PAGE_SIZE,
    AnswerView,
    Assistant,
    Caller,
    Denied,
    Evidence,
    NotRegistered,
    ServiceError,
    Unavailable,
)
from bot.service.dialog import Dialog
from bot.services import Services
from db import task_updates as tu
from db.models import AuditEntry, Feedback, Invite, Official, Role, Task, TaskStatus, Unit
from db.session import Database
from retrieval.protocols import SearchFilters
from retrieval.types import Answer, Citation

TODAY = date(2026, 11, 20)  # HN-HOANKIEM: report HN-01962 due 25/11, five overdue tasks


# --- helpers shared with the Telegram and console tests ---------------------------------------------


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
        cite = Citation(1, "Nghị quyết về đột phá phát triển KHCN <57>", symbol, "Mục IV",
                        "57-NQ-TW.md", "Trích đoạn văn bản gốc & nội dung <quan trọng>.", 0.9)
        return Answer(True, f"Trả lời cho: {question} (theo {symbol}) <b>không phải thẻ</b>", [cite], "")


@dataclass
class FakeLibrary:
    """A Library stand-in: sync/add_file report progress from the worker thread like the real one."""

    steps: int = 3
    delay: float = 0.0
    added: list[str] = field(default_factory=list)

    def _run(self, files: list[str], progress: Any) -> Any:
        import time
        from types import SimpleNamespace

        for i, name in enumerate(files, start=1):
            if progress is not None:
                progress(SimpleNamespace(done=i, total=len(files), current=name))
            time.sleep(self.delay)
        return SimpleNamespace(added=files[:1], updated=files[1:2], removed=[], unchanged=files[2:],
                               failed=[("bad.pdf", "không đọc được <PDF>")], embedded=12)

    def sync(self, *, rebuild: bool = False, progress: Any = None) -> Any:
        return self._run([f"doc{i}.md" for i in range(self.steps)], progress)

    def add_file(self, path: Path, *, progress: Any = None) -> Any:
        self.added.append(path.name)
        assert path.read_bytes()
        return self._run([path.name], progress)


def make_services(db: Database, data_dir: Path, *, answerer: Any = None, library: Any = None) -> Services:
    settings = Settings(data_dir=data_dir, database_url=db.url)
    return Services(settings=settings, db=db, answerer=answerer, library=library,
                    answerer_error=None if answerer else "no index", library_error=None if library else "no library")


def official_id(db: Database, name: str) -> int:
    with db.session() as s:
        return int(s.scalar(select(Official.id).where(Official.full_name == name)))


def add_official(db: Database, name: str, unit: str, role: Role, *, telegram_user_id: int | None = None,
                 language: str = "vi") -> int:
    with db.session() as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.code == unit))
        o = Official(full_name=name, unit_id=unit_id, role=role, telegram_user_id=telegram_user_id,
                     language=language, digest=True, active=True)
        s.add(o)
        s.flush()
        return o.id


def link_telegram(db: Database, name: str, telegram_user_id: int, language: str = "vi") -> None:
    with db.session() as s:
        s.execute(update(Official).where(Official.full_name == name)
                  .values(telegram_user_id=telegram_user_id, language=language))


def audits(db: Database, **kw: Any) -> list[AuditEntry]:
    with db.session() as s:
        return tu.audit_entries(s, **kw)


HA, HN_LEADER, ADMIN, GL_OFFICIAL, BKHCN_LEADER = (
    "Phạm Thu Hà", "Trần Thị Lãnh Đạo", "Nguyễn Văn Quản", "Rơ Mah Hlin", "Lê Minh Tuấn",
)


@pytest.fixture
def svc(demo_db: Database, hermetic_env: Path) -> Assistant:
    return Assistant(make_services(demo_db, hermetic_env), clock=lambda: TODAY)


def who(db: Database, name: str) -> Caller:
    return Caller("console", official_id=official_id(db, name))


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


def test_leader_pages_through_the_whole_subtree(svc: Assistant, demo_db: Database) -> None:
    leader = who(demo_db, HN_LEADER)
    first = svc.tasks(leader, "overdue")
    assert first.subunits and first.total == 447 and first.pages == 45 and len(first.tasks) == PAGE_SIZE
    last = svc.tasks(leader, "overdue", page=99)  # clamped
    assert last.page == 44 and len(last.tasks) == 7
    assert {t.unit_code for t in first.tasks} - {"HN"} and all(t.unit_code.startswith("HN") for t in last.tasks)
    one = svc.tasks(leader, "overdue", unit="HN-HOANKIEM")
    assert one.total == 5 and one.explicit_unit
    with pytest.raises(Denied):
        svc.tasks(leader, "overdue", unit="GL-CHUSE")


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
    demo_db: Database, hermetic_env: Path
) -> None:
    answerer = FakeAnswerer()
    svc = Assistant(make_services(demo_db, hermetic_env, answerer=answerer), clock=lambda: TODAY)
    ha, leader = who(demo_db, HA), who(demo_db, HN_LEADER)
    p = svc.update_task(ha, "progress", "HN-01962", "Đã tổng hợp số liệu 3 phường")
    assert p.kind == "progress" and p.evidence is None
    d = svc.update_task(ha, "done", "HN-01962", "Đã gửi báo cáo", Evidence("bao cao/../kq.pdf", b"%PDF-1.4 minh chung"))
    assert d.completed_on == TODAY and d.evidence and d.evidence.startswith("evidence/HN-01962/")
    assert (hermetic_env / d.evidence).read_bytes() == b"%PDF-1.4 minh chung"
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
    bad = _csv(tmp_path / "bad.csv", [["T-BOT-2", "Việc", "HN-HOANKIEM", "30/02/2026"], ["T-BOT-3", "Việc", "NOPE", ""]])
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


def test_reload_and_documents_are_admin_only_and_report_progress(demo_db: Database, hermetic_env: Path) -> None:
    lib = FakeLibrary()
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
    with demo_db.session() as s:
        s.execute(update(Official).where(Official.full_name == GL_OFFICIAL).values(digest=False))
    views = {v.telegram_user_id: v for v in svc.digests()}
    assert set(views) == {1001, 1002, 1004}  # not the one without tasks, nor the one who turned it off
    ha = views[1001]
    assert [t.code for t in ha.due] == ["HN-01962"] and len(ha.overdue) == 5 and ha.summary is None
    assert views[1002].summary is not None and views[1002].summary.total.overdue == 447
    assert audits(demo_db, action="digest")[-1].detail == "3 digests as of 2026-11-20"


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
