"""Running the organisation (issue 10, items 7 and 8) on real databases: units imported from a file,
officials deactivated / re-activated / given another role from the CLI and by an admin in the chat,
invites listed and revoked, invites that would move a linked account refused, wrong codes limited per
Telegram user (in the database), and one clock: today is TZ_NAME's date in the CLI and in the bot."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fakes import (
    ADMIN,
    HA,
    HN_LEADER,
    add_official,
    audits,
    link_telegram,
    make_services,
    official_id,
)
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.cli import cli
from bot.render.out import Out, TextOut
from bot.service import Assistant, Caller, Denied, NotRegistered
from bot.service.dialog import Dialog
from db import queries
from db.models import Feedback, Invite, Official, Role, Task, TaskStatus, Unit
from db.session import Database
from db.users import MAX_WRONG_CODES, WRONG_CODE_WINDOW, create_invite


def cli_run(url: str, *args: str, now: datetime | None = None, **env: str) -> tuple[int, str]:
    obj = (lambda: now) if now is not None else None
    result = CliRunner().invoke(cli, list(args), env={"DATABASE_URL": url, **env}, obj=obj, catch_exceptions=False)
    return result.exit_code, result.output


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def unit_count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Unit)) or 0)


# --- units import / list ------------------------------------------------------------------------------


def test_units_import_from_excel_with_vietnamese_headers_then_reimport(db_url: str, tmp_path: Path) -> None:
    # children before their parents, Vietnamese headers and levels, a lower-case code
    book = write_xlsx(
        tmp_path / "don_vi.xlsx",
        [
            ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Cấp"],
            ["QT-SOKHCN-P1", "Phòng Quản lý khoa học", "QT-SOKHCN", "Khác"],
            ["qt-sokhcn", "Sở Khoa học và Công nghệ", "QT", "Sở"],
            ["QT-DONGHA", "Phường Đông Hà", "QT", "Cấp xã"],
            ["QT", "Tỉnh Quảng Trị", None, "Cấp tỉnh"],
        ],
    )
    code, out = cli_run(db_url, "units", "import", str(book))
    assert code == 0, out
    assert "4 đơn vị mới" in out
    code, out = cli_run(db_url, "units", "list", "--json")
    rows = json.loads(out)
    assert [(r["code"], r["parent"], r["depth"], r["level"]) for r in rows] == [
        ("QT", None, 0, "province"),
        ("QT-DONGHA", "QT", 1, "commune"),
        ("QT-SOKHCN", "QT", 1, "department"),
        ("QT-SOKHCN-P1", "QT-SOKHCN", 2, "other"),
    ]
    code, out = cli_run(db_url, "units", "list")
    assert code == 0 and "Tỉnh Quảng Trị" in out and "  QT-SOKHCN-P1" in out and "Sở, ban, ngành" in out

    # re-import: a renamed unit, one moved under another parent, a level changed; the rest unchanged
    again = tmp_path / "don_vi_2.csv"
    again.write_text(
        "Mã đơn vị;Tên đơn vị;Mã đơn vị cấp trên;Cấp\n"
        "QT-SOKHCN-P1;Phòng Quản lý khoa học;QT-DONGHA;Khác\n"
        "QT-SOKHCN;Sở Khoa học, Công nghệ và Đổi mới sáng tạo;QT;Sở\n"
        "QT;Tỉnh Quảng Trị;;Tỉnh\n"
        "QT-DONGHA;Phường Đông Hà;QT;Phường\n",
        encoding="utf-8",
    )
    code, out = cli_run(db_url, "units", "import", str(again), "--json")
    assert code == 0 and json.loads(out) == {"rows": 4, "created": 0, "updated": 2, "unchanged": 2}
    db = Database(db_url)
    try:
        with db.session() as s:
            moved = queries.get_unit(s, "QT-SOKHCN-P1")
            parent = s.get(Unit, moved.parent_id)
            assert parent is not None and parent.code == "QT-DONGHA" and moved.depth == 2
            assert parent.lft < moved.lft < moved.rgt < parent.rgt  # the nested sets were renumbered
            assert queries.get_unit(s, "QT-SOKHCN").name == "Sở Khoa học, Công nghệ và Đổi mới sáng tạo"
    finally:
        db.dispose()


def test_units_import_is_all_or_nothing_with_row_numbers(demo_db: Database, tmp_path: Path) -> None:
    before = unit_count(demo_db)
    bad = tmp_path / "loi.csv"
    bad.write_text(
        "code,name,parent,level\n"
        "QT,Tỉnh Quảng Trị,,province\n"  # 2: fine
        "QT-A,Xã A,QT-B,commune\n"  # 3: loop with row 4
        "QT-B,Xã B,QT-A,commune\n"  # 4
        "QT-C,,QT,commune\n"  # 5: no name
        "QT-D,Xã D,KHONGCO,commune\n"  # 6: unknown parent
        "QT-E,Xã E,QT,huyện lỵ\n"  # 7: bad level
        "QT,Trùng mã,,province\n"  # 8: duplicate code
        "HN,Hà Nội mới,HN-HOANKIEM,province\n",  # 9: would put Hà Nội under its own ward (loop through the db)
        encoding="utf-8",
    )
    code, out = cli_run(demo_db.url, "units", "import", str(bad))
    assert code == 1
    for expected in (
        "Dòng 3: vòng lặp đơn vị cấp trên: QT-A → QT-B → QT-A",
        "Dòng 5: thiếu tên đơn vị",
        "Dòng 6: không có đơn vị cấp trên mã 'KHONGCO'",
        "Dòng 7: cấp không rõ: 'huyện lỵ'",
        "Dòng 8: mã đơn vị 'QT' trùng với dòng 2",
        "Dòng 9: vòng lặp đơn vị cấp trên: HN → HN-HOANKIEM → HN",
    ):
        assert expected in out, (expected, out)
    assert "không có thay đổi nào được ghi" in out and "Traceback" not in out
    assert unit_count(demo_db) == before
    with demo_db.session() as s:
        assert queries.get_unit(s, "HN").name == "Thành phố Hà Nội"

    # units under an existing parent (the demo's province) join the tree; tasks can then be assigned to them
    good = tmp_path / "ok.csv"
    good.write_text("code,name,parent,level\nHN-XA-MOI,Xã Mới,HN,commune\n", encoding="utf-8")
    assert cli_run(demo_db.url, "units", "import", str(good))[0] == 0
    tasks = tmp_path / "nv.csv"
    tasks.write_text("code,title,lead_unit,deadline\nNV-XA-1,Báo cáo,HN-XA-MOI,31/12/2026\n", encoding="utf-8")
    assert cli_run(demo_db.url, "tasks", "import", str(tasks))[0] == 0
    code, out = cli_run(demo_db.url, "units", "list", "--unit", "HN", "--json")
    assert "HN-XA-MOI" in [r["code"] for r in json.loads(out)]


# --- officials from the CLI -------------------------------------------------------------------------------


def test_users_deactivate_activate_set_role_from_the_cli(demo_db: Database, hermetic_env: Path) -> None:
    url = demo_db.url
    link_telegram(demo_db, HA, 4242)
    ha = official_id(demo_db, HA)
    svc = Assistant(make_services(demo_db, hermetic_env))
    me = Caller("telegram", telegram_user_id=4242)
    assert svc.whoami(me).role == Role.OFFICIAL

    code, out = cli_run(url, "users", "deactivate", HA)  # by name
    assert code == 0 and "đã ngừng kích hoạt" in out
    with pytest.raises(NotRegistered):
        svc.tasks(me, "overdue")
    code, out = cli_run(url, "users", "deactivate", str(ha), "--json")  # by id: nothing left to change
    assert code == 0 and json.loads(out)["changed"] is False
    code, out = cli_run(url, "users", "activate", "4242")  # by Telegram id
    assert code == 0 and "đang hoạt động" in out
    code, out = cli_run(url, "users", "set-role", str(ha), "leader", "--json")
    assert code == 0 and json.loads(out)["role"] == "leader"
    assert svc.whoami(me).role == Role.LEADER
    code, out = cli_run(url, "users", "set-role", str(ha), "chief")
    assert code == 2 and "ROLE" in out and "official, leader, admin" in out  # one Vietnamese line
    code, out = cli_run(url, "users", "deactivate", "Không Có Ai")
    assert code == 1 and "Không tìm thấy cán bộ" in out

    add_official(demo_db, HA, "GL-CHUSE", Role.OFFICIAL)  # a namesake: the name alone is ambiguous
    code, out = cli_run(url, "users", "deactivate", HA)
    assert code == 1 and "nhiều cán bộ" in out
    assert [a.action for a in audits(demo_db) if a.channel == "cli"][-4:] == [
        "users_deactivate",
        "users_deactivate",
        "users_activate",
        "users_set_role",
    ]


def test_invites_list_shows_a_prefix_and_revoke_stops_the_code(demo_db: Database, hermetic_env: Path) -> None:
    url = demo_db.url
    code, out = cli_run(url, "users", "invite", "--unit", "hn-hoankiem", "--role", "official", "--name", "Ngô B")
    assert code == 0 and "TELEGRAM_BOT_USERNAME" in out and "https://" not in out  # no bot name known: no link
    full = out.split("Mã mời: ", 1)[1].split()[0]
    code, out = cli_run(url, "users", "invite", "--unit", "HN", "--role", "leader", "--json")
    other = json.loads(out)["code"]
    assert json.loads(out)["link"] is None

    code, out = cli_run(url, "invites", "list", "--json")
    rows = json.loads(out)
    assert [(r["code"], r["unit"], r["role"], r["status"]) for r in rows] == [
        (full[:4] + "…", "HN-HOANKIEM", "official", "unused"),
        (other[:4] + "…", "HN", "leader", "unused"),
    ]
    code, out = cli_run(url, "invites", "list")
    assert full[:4] in out and full not in out and "chưa dùng" in out and "Ngô B" in out

    code, out = cli_run(url, "invites", "revoke", full[:4] + "…")  # as the list shows it
    assert code == 0 and "Đã thu hồi" in out
    svc = Assistant(make_services(demo_db, hermetic_env))
    with pytest.raises(Denied, match="thu hồi"):
        svc.start(Caller("telegram", telegram_user_id=9001, full_name="Ngô B"), full)
    code, out = cli_run(url, "invites", "list", "--json")
    assert [r["status"] for r in json.loads(out)] == ["revoked", "unused"]
    assert cli_run(url, "invites", "revoke", "AB")[0] == 1  # too short to be safe
    assert svc.start(Caller("telegram", telegram_user_id=9002, full_name="Lê C"), other).kind == "linked"
    code, out = cli_run(url, "invites", "revoke", other)
    assert code == 1 and "đã được sử dụng" in out
    # an invite past its expiry is listed as expired (the clock is injected into the CLI)
    later = datetime.now(UTC) + timedelta(days=30)
    code, out = cli_run(url, "invites", "list", "--json", now=later)
    assert [r["status"] for r in json.loads(out)] == ["revoked", "used"]
    code, out = cli_run(url, "users", "invite", "--unit", "HN", "--json", now=later)
    assert cli_run(url, "invites", "list", "--json")[1].count('"unused"') == 1
    assert cli_run(url, "invites", "list", "--json", now=later + timedelta(days=8))[1].count('"expired"') == 1


# --- invites from linked accounts, deactivated officials, wrong codes --------------------------------------


def test_invite_from_a_linked_account_is_refused_unless_for_the_same_official(
    demo_db: Database,
    hermetic_env: Path,
) -> None:
    link_telegram(demo_db, HA, 4343)
    svc = Assistant(make_services(demo_db, hermetic_env))
    ha = Caller("telegram", telegram_user_id=4343, full_name="Phạm Thu Hà")
    with demo_db.session() as s:
        admin_invite = create_invite(s, "BCDTW", "admin").code
    with pytest.raises(Denied, match="đã được liên kết với cán bộ Phạm Thu Hà"):
        svc.start(ha, admin_invite)
    me = svc.whoami(ha)
    assert (me.unit_code, me.role) == ("HN-HOANKIEM", Role.OFFICIAL)  # not moved, not promoted
    with demo_db.session() as s:
        assert (
            s.scalar(select(Invite.used_at).where(Invite.code == admin_invite)) is None
        )  # still usable by its invitee

    # an invite made for this official (`users invite --official`) re-links them: from this account …
    code, out = cli_run(demo_db.url, "users", "invite", "--unit", "HN-HOANKIEM", "--official", HA, "--json")
    assert svc.start(ha, json.loads(out)["code"]).kind == "linked"
    # … or from a new phone, which replaces the old account
    code, out = cli_run(demo_db.url, "users", "invite", "--unit", "HN-HOANKIEM", "--official", HA, "--json")
    new_phone = Caller("telegram", telegram_user_id=4344, full_name="Hà")
    assert svc.start(new_phone, json.loads(out)["code"]).me.id == me.id
    with pytest.raises(NotRegistered):
        svc.whoami(ha)
    assert svc.whoami(new_phone).name == HA

    # a deactivated official is not re-activated by an invite: neither theirs nor a new one
    assert cli_run(demo_db.url, "users", "deactivate", HA)[0] == 0
    code, out = cli_run(demo_db.url, "users", "invite", "--unit", "HN-HOANKIEM", "--official", HA, "--json")
    with pytest.raises(Denied, match="ngừng kích hoạt"):
        svc.start(new_phone, json.loads(out)["code"])
    with demo_db.session() as s:
        fresh = create_invite(s, "HN-HOANKIEM", "official").code
    with pytest.raises(Denied, match="ngừng kích hoạt"):
        svc.start(new_phone, fresh)
    with pytest.raises(NotRegistered):
        svc.whoami(new_phone)
    with demo_db.session() as s:
        assert s.get(Official, me.id).active is False  # type: ignore[union-attr]
    # the refusals are no wrong codes: the same user is not locked out
    assert cli_run(demo_db.url, "users", "activate", HA)[0] == 0
    assert svc.whoami(new_phone).id == me.id


def test_wrong_invite_codes_are_limited_per_user_across_restarts(demo_db: Database, hermetic_env: Path) -> None:
    t0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    moment = [t0]
    services = make_services(demo_db, hermetic_env)
    svc = Assistant(services, now=lambda: moment[0])
    guesser, other = Caller("telegram", telegram_user_id=666), Caller("telegram", telegram_user_id=667)
    with demo_db.session() as s:
        good = create_invite(s, "HN-HOANKIEM", "official", now=t0).code
    for i in range(MAX_WRONG_CODES):
        moment[0] = t0 + timedelta(minutes=i)
        with pytest.raises(Denied, match="không đúng"):
            svc.start(guesser, f"SAI{i:05d}")
    # the next try is refused before the code is looked at, even a good code, and after a restart
    restarted = Assistant(make_services(Database(demo_db.url), hermetic_env), now=lambda: moment[0])
    with pytest.raises(Denied, match=r"sai mã mời 5 lần trong 15 phút\. Vui lòng thử lại sau 11 phút"):
        restarted.start(guesser, good)
    # another Telegram user is not affected
    with pytest.raises(Denied, match="không đúng"):
        svc.start(other, "SAIMA0000")
    # once the window has passed the code works
    moment[0] = t0 + WRONG_CODE_WINDOW + timedelta(minutes=1)
    assert restarted.start(guesser, good).kind == "linked"
    refused = [a for a in audits(demo_db, action="start", allowed=False) if a.telegram_user_id == 666]
    assert len(refused) == MAX_WRONG_CODES + 1 and "sai mã mời" in (refused[-1].detail or "")
    restarted.db.dispose()


# --- /users in the chat -----------------------------------------------------------------------------------


class Recorder:
    """A Channel that keeps what the dialog sends, edits and toasts."""

    def __init__(self) -> None:
        self.sent: list[Out] = []
        self.edits: list[TextOut] = []
        self.toasts: list[str] = []

    async def typing(self) -> None:
        pass

    async def send(self, out: Out) -> int:
        self.sent.append(out)
        return len(self.sent)

    async def edit(self, ref: Any, out: TextOut) -> None:
        self.edits.append(out)

    async def toast(self, text: str) -> None:
        self.toasts.append(text)


def datas(out: TextOut) -> list[str]:
    return [b.data for row in out.buttons for b in row]


def test_users_command_lets_an_admin_manage_the_officials_of_their_units(demo_db: Database, hermetic_env: Path) -> None:
    link_telegram(demo_db, HA, 7001)
    link_telegram(demo_db, HN_LEADER, 7002)
    link_telegram(demo_db, ADMIN, 7003)
    hn_admin = add_official(demo_db, "Vũ Quản Trị Hà Nội", "HN", Role.ADMIN, telegram_user_id=7004)
    gl_official = official_id(demo_db, "Rơ Mah Hlin")
    ha = official_id(demo_db, HA)
    dialog = Dialog(Assistant(make_services(demo_db, hermetic_env)))
    admin = Caller("telegram", telegram_user_id=7004)

    async def scenario() -> None:
        ch = Recorder()
        await dialog.on_message(admin, "/canbo", ch)
        page = ch.sent[-1]
        assert isinstance(page, TextOut)
        assert "Cán bộ — Thành phố Hà Nội" in page.html and "Phạm Thu Hà" in page.html
        assert "Rơ Mah Hlin" not in page.html  # Gia Lai is not this admin's
        assert f"us:o:{ha}" in datas(page) and all(len(d.encode()) <= 64 for d in datas(page))

        await dialog.on_button(admin, f"us:o:{ha}", ch, 1)
        card = ch.edits[-1]
        assert f"us:d:{ha}" in datas(card) and f"us:r:{ha}:leader" in datas(card) and "us:p:0" in datas(card)
        await dialog.on_button(admin, f"us:d:{ha}", ch, 1)
        assert "đã ngừng kích hoạt" in ch.edits[-1].html and f"us:a:{ha}" in datas(ch.edits[-1])
        assert ch.toasts[-1] == "Đã lưu thay đổi."
        await dialog.on_message(Caller("telegram", telegram_user_id=7001), "/viec", ch)
        assert "chỉ phục vụ cán bộ đã được đăng ký" in ch.sent[-1].html  # type: ignore[union-attr]
        await dialog.on_button(admin, f"us:a:{ha}", ch, 1)
        await dialog.on_button(admin, f"us:r:{ha}:leader", ch, 1)
        assert "lãnh đạo" in ch.edits[-1].html

        # forged presses: outside the admin's units, from a leader, from a stranger, against oneself, junk
        n_edits = len(ch.edits)
        await dialog.on_button(admin, f"us:d:{gl_official}", ch, 1)
        assert "không thuộc đơn vị bạn quản lý" in ch.toasts[-1]
        await dialog.on_button(admin, f"us:r:{gl_official}:admin", ch, 1)
        await dialog.on_button(Caller("telegram", telegram_user_id=7002), f"us:r:{ha}:admin", ch, 1)
        assert "chỉ dành cho quản trị viên" in ch.toasts[-1]
        await dialog.on_button(Caller("telegram", telegram_user_id=99), f"us:d:{ha}", ch, 1)
        await dialog.on_button(admin, f"us:d:{hn_admin}", ch, 1)
        assert "chính mình" in ch.toasts[-1]
        await dialog.on_button(admin, f"us:r:{ha}:superuser", ch, 1)
        await dialog.on_button(admin, "us:d:abc", ch, 1)
        await dialog.on_button(admin, "us:p:0:GL", ch, 1)
        assert "không có quyền xem đơn vị GL" in ch.toasts[-1]
        assert len(ch.edits) == n_edits
        await dialog.on_message(Caller("telegram", telegram_user_id=7002), "/users", ch)
        assert "chỉ dành cho quản trị viên" in ch.sent[-1].html  # type: ignore[union-attr]
        # a provincial admin cannot invite into another province (nor make a central admin)
        await dialog.on_message(admin, "/moi BCDTW admin", ch)
        assert "không có quyền xem đơn vị BCDTW" in ch.sent[-1].html  # type: ignore[union-attr]
        # the central admin manages everyone
        await dialog.on_message(Caller("telegram", telegram_user_id=7003), "/users GL", ch)
        assert "Rơ Mah Hlin" in ch.sent[-1].html  # type: ignore[union-attr]

    asyncio.run(scenario())
    dialog.close()
    with demo_db.session() as s:
        ha_row, gl_row = s.get(Official, ha), s.get(Official, gl_official)
        assert ha_row is not None and ha_row.active and ha_row.role == Role.LEADER
        assert gl_row is not None and gl_row.active and gl_row.role == Role.OFFICIAL
    refused = [a.action for a in audits(demo_db, allowed=False)]
    assert refused.count("users_deactivate") == 3 and refused.count("users_role") == 2


# --- one clock --------------------------------------------------------------------------------------------


def test_cli_and_bot_agree_on_today_in_vietnam_at_20h_utc(demo_db: Database, hermetic_env: Path) -> None:
    """20:00 UTC is 03:00 the next day in Vietnam: a task due on the UTC date is overdue in both."""
    with demo_db.session() as s:
        unit = queries.get_unit(s, "HN-HOANKIEM")
        deadline = s.scalar(
            select(func.min(Task.deadline)).where(
                Task.lead_unit_id == unit.id, Task.status == TaskStatus.OPEN, Task.deadline > date(2026, 11, 1)
            )
        )
    assert deadline is not None
    evening = datetime(deadline.year, deadline.month, deadline.day, 20, 0, tzinfo=UTC)
    with demo_db.session() as s:
        on_utc_date = len(queries.overdue(s, "HN-HOANKIEM", as_of=deadline))
        on_vn_date = len(queries.overdue(s, "HN-HOANKIEM", as_of=deadline + timedelta(days=1)))
    assert on_vn_date != on_utc_date  # the two dates disagree: the test can tell which one was used

    code, out = cli_run(
        demo_db.url, "tasks", "overdue", "--unit", "HN-HOANKIEM", "--json", now=evening, TZ_NAME="Asia/Ho_Chi_Minh"
    )
    assert code == 0
    cli_count = len(json.loads(out))
    link_telegram(demo_db, HA, 8001)
    svc = Assistant(make_services(demo_db, hermetic_env), now=lambda: evening)
    assert svc.settings.tz_name == "Asia/Ho_Chi_Minh"
    bot_view = svc.tasks(Caller("telegram", telegram_user_id=8001), "overdue")
    assert cli_count == bot_view.total == on_vn_date
    assert bot_view.as_of == deadline + timedelta(days=1)
    code, out = cli_run(demo_db.url, "tasks", "summary", "--unit", "HN", "--json", now=evening)
    assert json.loads(out)["as_of"] == (deadline + timedelta(days=1)).isoformat()
    # in a zone where it is still the UTC date, both say so
    code, out = cli_run(demo_db.url, "tasks", "overdue", "--unit", "HN-HOANKIEM", "--json", now=evening, TZ_NAME="UTC")
    assert len(json.loads(out)) == on_utc_date


def test_instants_are_stored_and_read_timezone_aware(demo_db: Database, hermetic_env: Path) -> None:
    created = datetime(2026, 11, 20, 20, 30, tzinfo=UTC)
    with demo_db.session() as s:
        invite = create_invite(s, "HN", "leader", now=created.astimezone(datetime.now().astimezone().tzinfo))
        code = invite.code
    with demo_db.session() as s:
        row = s.scalar(select(Invite).where(Invite.code == code))
        assert row is not None and row.expires_at.tzinfo is not None
        assert row.expires_at == created + timedelta(days=7) and row.created_at == created
    link_telegram(demo_db, HA, 8101)
    svc = Assistant(make_services(demo_db, hermetic_env), now=lambda: created)
    inv = Assistant(make_services(demo_db, hermetic_env), now=lambda: created)
    link_telegram(demo_db, ADMIN, 8102)
    shown = inv.invite(Caller("telegram", telegram_user_id=8102), "HN", "official")  # expiry in Vietnam's time
    assert shown.expires.utcoffset() == timedelta(hours=7) and shown.expires.hour == 3
    with demo_db.session() as s:
        s.add(Feedback(official_id=None, channel="console", question="q", answer="a", found=False, citations=[]))
    with demo_db.session() as s:
        fb = s.scalars(select(Feedback)).first()
        assert fb is not None and fb.at.tzinfo is not None  # the server's default, read back aware
        assert abs(fb.at - datetime.now(UTC)) < timedelta(minutes=5)
    assert svc.clock() == date(2026, 11, 21)


def test_the_telegram_bot_counts_with_the_same_clock_and_links_with_its_own_name(
    sqlite_demo_db: Database,
    hermetic_env: Path,
) -> None:
    """The real bot (fake Bot API) at 20:00 UTC: /trehan counts as the CLI does; invite links carry the
    bot's name from getMe, or the configured TELEGRAM_BOT_USERNAME."""
    from fake_telegram import FakeTelegram
    from test_telegram_bot import free_port, reply, visible

    from bot.config import Settings
    from bot.telegram_app import build_application, running
    from bot.wiring import Services

    db = sqlite_demo_db
    link_telegram(db, HN_LEADER, 502)
    link_telegram(db, ADMIN, 503)
    with db.session() as s:
        hn = queries.get_unit(s, "HN")
        deadline = s.scalar(
            select(func.min(Task.deadline))
            .join(Unit, Unit.id == Task.lead_unit_id)
            .where(Unit.lft.between(hn.lft, hn.rgt), Task.status == TaskStatus.OPEN, Task.deadline > date(2026, 11, 1))
        )
    assert deadline is not None
    evening = datetime(deadline.year, deadline.month, deadline.day, 20, 0, tzinfo=UTC)
    code, out = cli_run(db.url, "tasks", "overdue", "--unit", "HN", "--subunits", "--json", now=evening)
    cli_count = len(json.loads(out))
    with db.session() as s:
        assert cli_count == len(queries.overdue(s, "HN", include_subunits=True, as_of=deadline + timedelta(days=1)))
        assert cli_count != len(queries.overdue(s, "HN", include_subunits=True, as_of=deadline))

    async def scenario(username: str | None) -> tuple[str, str]:
        async with FakeTelegram() as tg:
            settings = Settings(
                data_dir=hermetic_env,
                database_url=db.url,
                telegram_bot_token=tg.token,
                telegram_api_url=tg.base_url,
                telegram_bot_username=username,
            )
            services = Services(settings=settings, db=db, answerer_error="no index", library_error="no library")
            app = build_application(settings, services=services, now=lambda: evening, progress_interval=0.2)
            async with running(app, settings, port=free_port(), poll_timeout=1):
                tg.push_message(502, "/trehan")
                overdue = visible(await reply(tg, 502))
                tg.push_message(503, "/moi HN official")
                return overdue, visible(await reply(tg, 503))

    overdue, invite = asyncio.run(scenario(None))
    assert f"· {cli_count} nhiệm vụ" in overdue
    assert "https://t.me/troly_test_bot?start=" in invite
    _, invite = asyncio.run(scenario("SoKHCN_HaNoi_bot"))
    assert "https://t.me/SoKHCN_HaNoi_bot?start=" in invite
