"""The `troly` command line against real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bot.cli import cli
from db.session import Database, head_revision
from db.users import redeem_invite


def run(url: str, *args: str, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"DATABASE_URL": url, **env}, catch_exceptions=False)
    return result.exit_code, result.output


def test_out_of_date_schema_is_refused_with_the_fix(blank_url: str) -> None:
    code, out = run(blank_url, "tasks", "summary")
    assert code == 1
    assert "troly db upgrade" in out
    code, out = run(blank_url, "db", "upgrade")
    assert code == 0 and str(head_revision()) in out
    code, out = run(blank_url, "tasks", "summary", "--json")
    assert code == 1 and "Chưa có đơn vị nào" in out and "Traceback" not in out


def test_summary_json_xlsx_and_chart(demo_url: str, tmp_path: Path) -> None:
    xlsx, chart = tmp_path / "tonghop.xlsx", tmp_path / "bieudo.png"
    code, out = run(demo_url, "tasks", "summary", "--assigned-by", "BCDTW", "--as-of", "04/12/2025", "--json")
    assert code == 0
    total = json.loads(out)["total"]
    assert (
        total["assigned"],
        total["done_on_time"] + total["done_late"],
        total["in_progress"],
        total["overdue"],
        total["recurring"],
    ) == (1287, 601, 404, 104, 178)
    code, out = run(
        demo_url,
        "tasks",
        "summary",
        "--unit",
        "HN",
        "--as-of",
        "2026-06-01",
        "--xlsx",
        str(xlsx),
        "--chart",
        str(chart),
    )
    assert code == 0, out
    assert "Thành phố Hà Nội" in out and "TỔNG" in out
    wb = load_workbook(xlsx)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[3]]
    assert header[:4] == ["STT", "Tên đơn vị", "Mã đơn vị", "Đơn vị giao"] and "% hoàn thành" in header
    assert ws.freeze_panes == "C4"
    assert isinstance(ws["C2"].value, datetime) and ws["C2"].value.date() == date(2026, 6, 1)
    last = [c.value for c in ws[ws.max_row]]
    assert last[0] == "TỔNG" and last[4] == sum(ws.cell(r, 5).value for r in range(4, ws.max_row))
    late = wb.worksheets[1]
    assert late.max_row > 3 and isinstance(late.cell(4, 5).value, datetime)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_due_and_overdue_lists(demo_url: str) -> None:
    code, out = run(
        demo_url, "tasks", "due", "--unit", "HN-HOANKIEM", "--days", "14", "--as-of", "2026-11-20", "--json"
    )
    assert code == 0
    due = json.loads(out)
    assert due and all("2026-11-20" <= t["deadline"] <= "2026-12-04" for t in due)
    assert all(t["unit_code"] == "HN-HOANKIEM" for t in due)
    code, out = run(demo_url, "tasks", "overdue", "--unit", "BCA", "--as-of", "2025-12-04")
    assert code == 0 and "Nhiệm vụ quá hạn — Bộ Công an" in out
    code, out = run(demo_url, "tasks", "overdue", "--unit", "KHONGCO")
    assert code == 1 and "KHONGCO" in out


def test_invite_prints_code_and_deep_link_and_is_single_use(demo_url: str) -> None:
    code, out = run(
        demo_url,
        "users",
        "invite",
        "--unit",
        "HN-HOANKIEM",
        "--role",
        "official",
        "--json",
        TELEGRAM_BOT_USERNAME="@soKHCN_hn_bot",
    )
    assert code == 0
    invite = json.loads(out)
    assert invite["link"] == f"https://t.me/soKHCN_hn_bot?start={invite['code']}" and len(invite["code"]) == 10
    db = Database(demo_url)
    try:
        with db.session() as s:
            official = redeem_invite(s, invite["code"], telegram_user_id=777, full_name="Ngô Văn B")
            assert official.unit.code == "HN-HOANKIEM"
        from db.errors import InviteInvalid

        with db.session() as s, pytest.raises(InviteInvalid, match="đã được sử dụng"):
            redeem_invite(s, invite["code"], telegram_user_id=778, full_name="Khác")
        with db.session() as s, pytest.raises(InviteInvalid, match="không đúng"):
            redeem_invite(s, "SAIMAMOI", telegram_user_id=778, full_name="Khác")
    finally:
        db.dispose()
    code, out = run(demo_url, "users", "list", "--json")
    assert any(o["telegram_user_id"] == 777 and o["unit"] == "HN-HOANKIEM" for o in json.loads(out))


def test_expired_invite_is_refused(db_url: str) -> None:
    from db.errors import InviteInvalid
    from db.models import Unit, UnitKind
    from db.units import renumber
    from db.users import create_invite

    db = Database(db_url)
    try:
        with db.session() as s:
            s.add(Unit(code="X", name="Xã X", kind=UnitKind.COMMUNE))
            s.flush()
            renumber(s)
            code = create_invite(s, "X", "leader", now=datetime(2026, 1, 1)).code
        with db.session() as s, pytest.raises(InviteInvalid, match="hết hạn"):
            redeem_invite(s, code, telegram_user_id=1, full_name="A", now=datetime(2026, 1, 9))
    finally:
        db.dispose()


def test_import_cli_reports_rows_and_rejects_bad_file(demo_url: str, tmp_path: Path) -> None:
    good = tmp_path / "ok.csv"
    good.write_text("code,title,lead_unit,deadline\nN-1,Nhiệm vụ mới,BKHCN,31/12/2026\n", encoding="utf-8")
    code, out = run(demo_url, "tasks", "import", str(good))
    assert code == 0 and "1 nhiệm vụ mới" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("code,title,lead_unit,deadline\nN-2,X,NOPE,31/12/2026\n", encoding="utf-8")
    code, out = run(demo_url, "tasks", "import", str(bad))
    assert code == 1 and "Dòng 2" in out and "NOPE" in out


def test_console_entry_point_runs(tmp_path: Path) -> None:
    """The installed `troly` script, as a user runs it (SQLite under TROLY_DATA_DIR)."""
    troly = Path(sys.executable).with_name("troly")
    env = {**os.environ, "TROLY_DATA_DIR": str(tmp_path / "d")}
    env.pop("DATABASE_URL", None)
    out = subprocess.run([str(troly), "db", "seed-demo", "--json"], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["tasks"] > 1287
    assert (tmp_path / "d" / "troly.db").exists()
