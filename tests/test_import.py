"""Task import: Vietnamese headers, dates, idempotent re-import, all-or-nothing rejection."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from db.errors import ImportRejected
from db.importer import import_tasks, parse_date
from db.models import Task, TaskEvent, TaskStatus
from db.session import Database

HEADER = "Mã nhiệm vụ;Nội dung;Đơn vị chủ trì;Hạn hoàn thành;Trạng thái;Ngày hoàn thành;Đơn vị giao;Đơn vị phối hợp;Văn bản;Mục\n"


def to_cp1258(text: str) -> bytes:
    """Windows Vietnamese: base letters (â, ơ, đ…) precomposed, tone marks as combining characters."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for mark in list(marks):
            merged = unicodedata.normalize("NFC", base + mark)
            if len(merged) == 1 and merged.encode("cp1258", "ignore"):
                base = merged
                marks.remove(mark)
        out.append(base + "".join(marks))
    return "".join(out).encode("cp1258")


def write_csv(path: Path, rows: list[str], header: str = HEADER, encoding: str = "utf-8") -> Path:
    text = header + "\n".join(rows) + "\n"
    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Task)) or 0,
            s.scalar(select(func.count()).select_from(TaskEvent)) or 0,
        )


def test_parse_date_accepts_vietnamese_and_iso_forms() -> None:
    assert parse_date("05/03/2026") == date(2026, 3, 5)
    assert parse_date("5/3/2026") == date(2026, 3, 5)
    assert parse_date("2026-03-05") == date(2026, 3, 5)
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("31/02/2026")
    with pytest.raises(ValueError):
        parse_date("tháng 3")


def test_import_csv_with_vietnamese_headers_then_reimport_updates(demo_db: Database, tmp_path: Path) -> None:
    before, _ = counts(demo_db)
    f = write_csv(
        tmp_path / "nv.csv",
        [
            "T-001;Số hóa hồ sơ đất đai;HN-HOANKIEM;31/12/2026;Đang thực hiện;;HN;HN-SKHCN;350/KH-UBND;Mục II › 2",
            "T-002;Báo cáo quý;HN-BADINH;;;;HN;;;",
            "T-003;Kết nối dữ liệu dân cư;BCA;2026-01-31;Đã hoàn thành;20/01/2026;BCDTW;BKHCN, BTC;02-KH/BCĐTW;Phụ lục › 3",
        ],
    )
    with demo_db.session() as s:
        report = import_tasks(s, f)
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    with demo_db.session() as s:
        t1 = s.scalar(select(Task).where(Task.code == "T-001"))
        t2 = s.scalar(select(Task).where(Task.code == "T-002"))
        t3 = s.scalar(select(Task).where(Task.code == "T-003"))
        assert t1.deadline == date(2026, 12, 31) and t1.status == TaskStatus.OPEN and t1.cooperating == ["HN-SKHCN"]
        assert t1.source_symbol == "350/KH-UBND" and t1.source_section == "Mục II › 2"
        assert t2.deadline is None  # recurring
        assert (
            t3.status == TaskStatus.DONE and t3.completed_on == date(2026, 1, 20) and t3.cooperating == ["BKHCN", "BTC"]
        )
    # Same file again: nothing duplicated, nothing changed.
    with demo_db.session() as s:
        again = import_tasks(s, f)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    # A changed deadline updates the task and records the change in its history.
    write_csv(
        f, ["T-001;Số hóa hồ sơ đất đai;HN-HOANKIEM;15/01/2027;Đang thực hiện;;HN;HN-SKHCN;350/KH-UBND;Mục II › 2"]
    )
    with demo_db.session() as s:
        upd = import_tasks(s, f)
    assert (upd.created, upd.updated) == (0, 1)
    after, _ = counts(demo_db)
    assert after == before + 3
    with demo_db.session() as s:
        t1 = s.scalar(select(Task).where(Task.code == "T-001"))
        assert t1.deadline == date(2027, 1, 15)
        history = s.scalars(select(TaskEvent).where(TaskEvent.task_id == t1.id).order_by(TaskEvent.id)).all()
        assert [e.kind for e in history] == ["created", "imported"]
        assert history[1].changes["deadline"] == "2026-12-31"
        assert history[1].changes["_new"]["deadline"] == "2027-01-15"


def test_bad_rows_reject_the_whole_file_and_change_nothing(demo_db: Database, tmp_path: Path) -> None:
    before = counts(demo_db)
    f = write_csv(
        tmp_path / "bad.csv",
        [
            "OK-1;Nhiệm vụ tốt;HN-HOANKIEM;31/12/2026;;;;;;",
            "BAD-1;Đơn vị sai;KHONGCO;31/12/2026;;;;;;",
            "BAD-2;Ngày sai;HN-HOANKIEM;31/13/2026;;;;;;",
            "OK-1;Trùng mã;HN-HOANKIEM;31/12/2026;;;;;;",
            "BAD-3;;HN-HOANKIEM;31/12/2026;;;;;;",
            "BAD-4;Xong mà không có ngày;HN-HOANKIEM;31/12/2026;Đã hoàn thành;;;;;",
        ],
    )
    with demo_db.session() as s, pytest.raises(ImportRejected) as err:
        import_tasks(s, f)
    rows = {p.row: p.problem() for p in err.value.problems}
    assert set(rows) == {3, 4, 5, 6, 7}
    assert "KHONGCO" in rows[3] and "31/13/2026" in rows[4] and "dòng 2" in rows[5]
    assert "nội dung" in rows[6] and "ngày hoàn thành" in rows[7]
    assert "Dòng 3" in str(err.value) and "không có thay đổi" in str(err.value)
    assert counts(demo_db) == before


def test_missing_required_column_is_reported_on_the_header_row(database: Database, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "h.csv", ["X;Y"], header="Mã nhiệm vụ;Ghi chú\n")
    with database.session() as s, pytest.raises(ImportRejected) as err:
        import_tasks(s, f)
    assert err.value.problems[0].row == 1 and "title" in err.value.problems[0].problem()


def test_import_xlsx_with_real_dates_and_cp1258_csv(demo_db: Database, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã nhiệm vụ", "Nội dung", "Đơn vị chủ trì", "Hạn hoàn thành", "Ngày giao"])
    ws.append(["X-1", "Triển khai phần mềm dùng chung", "GL-CHUSE", date(2026, 6, 30), "01/02/2026"])
    ws.append([None, None, None, None, None])  # blank rows are ignored
    ws.append(["X-2", "Tập huấn kỹ năng số", "GL-PLEIKU", "30/09/2026", None])
    path = tmp_path / "nv.xlsx"
    wb.save(path)
    with demo_db.session() as s:
        assert import_tasks(s, path).created == 2
    legacy = write_csv(
        tmp_path / "cp.csv", ["Y-1;Rà soát hạ tầng mạng;HN-HOANKIEM;01/12/2026;;;;;;"], encoding="cp1258"
    )
    with demo_db.session() as s:
        import_tasks(s, legacy)
    with demo_db.session() as s:
        assert s.scalar(select(Task.deadline).where(Task.code == "X-1")) == date(2026, 6, 30)
        assert s.scalar(select(Task.assigned_on).where(Task.code == "X-1")) == date(2026, 2, 1)
        assert s.scalar(select(Task.title).where(Task.code == "Y-1")) == "Rà soát hạ tầng mạng"
