"""Import tasks from CSV or Excel: all rows valid, or nothing written.

Columns (English or Vietnamese header, case and diacritics ignored):

| field          | accepted headers                                      | required |
|----------------|-------------------------------------------------------|----------|
| code           | code, Mã nhiệm vụ, Mã                                 | yes      |
| title          | title, Nội dung, Tên nhiệm vụ, Nhiệm vụ               | yes      |
| lead_unit      | lead_unit, Đơn vị chủ trì, Cơ quan chủ trì            | yes      |
| deadline       | deadline, Hạn hoàn thành, Thời hạn (empty: recurring) | no       |
| status         | status, Trạng thái                                    | no       |
| completed_on   | completed_on, Ngày hoàn thành                         | if done  |
| assigned_by    | assigned_by, Đơn vị giao, Cơ quan giao                | no       |
| cooperating    | cooperating, Đơn vị phối hợp (codes separated by , ;) | no       |
| assigned_on    | assigned_on, Ngày giao                                | no       |
| source_symbol  | source_symbol, Văn bản, Số hiệu văn bản, Nguồn        | no       |
| source_section | source_section, Mục, Điều khoản                       | no       |
| description    | description, Mô tả, Ghi chú                           | no       |

Dates: dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy or ISO yyyy-mm-dd (Excel dates as dates).
Status: open / done, or Vietnamese (Đang thực hiện, Chưa hoàn thành, Quá hạn; Đã hoàn thành, Hoàn thành).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from db.errors import ImportRejected, RowProblem
from db.models import Task, TaskEvent, TaskStatus
from db.units import unit_ids_by_code


def header_key(text: str) -> str:
    """A column header or a status as a plain ASCII key: lower-case, every combining mark stripped (đ→d), runs of
    anything but a-z0-9 as one '_' ('Hạn hoàn thành' → 'han_hoan_thanh'). Not retrieval.text.fold (which keeps
    Arabic and Persian marks and the words' characters for search): db imports no other package of ours."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


HEADERS: dict[str, list[str]] = {
    "code": ["code", "ma_nhiem_vu", "ma", "ma_nv"],
    "title": ["title", "noi_dung", "ten_nhiem_vu", "nhiem_vu", "noi_dung_nhiem_vu"],
    "lead_unit": ["lead_unit", "don_vi_chu_tri", "co_quan_chu_tri", "chu_tri"],
    "deadline": ["deadline", "han_hoan_thanh", "thoi_han", "han"],
    "status": ["status", "trang_thai"],
    "completed_on": ["completed_on", "ngay_hoan_thanh"],
    "assigned_by": ["assigned_by", "don_vi_giao", "co_quan_giao", "noi_giao"],
    "cooperating": ["cooperating", "don_vi_phoi_hop", "co_quan_phoi_hop", "phoi_hop"],
    "assigned_on": ["assigned_on", "ngay_giao"],
    "source_symbol": ["source_symbol", "van_ban", "so_hieu_van_ban", "nguon", "so_hieu"],
    "source_section": ["source_section", "muc", "dieu_khoan", "muc_van_ban"],
    "description": ["description", "mo_ta", "ghi_chu"],
}


def header_lookup(headers: dict[str, list[str]]) -> dict[str, str]:
    """{folded alias: field} for `read_rows`."""
    return {alias: name for name, aliases in headers.items() for alias in aliases}


_HEADER_LOOKUP = header_lookup(HEADERS)
REQUIRED = ("code", "title", "lead_unit")

_DONE = {"done", "da_hoan_thanh", "hoan_thanh", "xong", "hoan_thanh_dung_han", "hoan_thanh_qua_han"}
_OPEN = {"open", "dang_thuc_hien", "chua_hoan_thanh", "qua_han", "moi", "dang_trien_khai", "thuong_xuyen"}


def parse_date(value: Any) -> date | None:
    """A date from a cell: None for empty; ValueError for anything unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", text)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError(text)


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def read_rows(
    path: Path,
    *,
    lookup: dict[str, str] = _HEADER_LOOKUP,
    required: tuple[str, ...] = REQUIRED,
    help_command: str = "troly tasks import --help",
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {field: value}) for each non-empty data row; the header is row 1.

    `lookup` maps folded header names to fields (`header_lookup`); a file without a `required` column
    is rejected as a whole."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw: Iterable[list[Any]] = _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        raw = _csv_rows(path)
    else:
        raise ImportRejected([RowProblem(0, "import.bad_suffix", suffix=suffix)])
    it = iter(raw)
    header = next(it, None)
    if header is None:
        raise ImportRejected([RowProblem(1, "import.empty_file")])
    fields: list[str | None] = [lookup.get(header_key(str(h or ""))) for h in header]
    missing = [name for name in required if name not in fields]
    if missing:
        raise ImportRejected([RowProblem(1, "import.missing_columns", columns=", ".join(missing), help=help_command)])
    for number, cells in enumerate(it, start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        yield number, {f: c for f, c in zip(fields, cells, strict=False) if f is not None}


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    data = path.read_bytes()
    # UTF-16 only with its BOM: any even-length byte string "decodes" as UTF-16.
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "cp1258")
    for encoding in encodings:
        try:
            # cp1258 spells tones as combining marks: NFC makes "ạ" one character again.
            text = unicodedata.normalize("NFC", data.decode(encoding))
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected([RowProblem(0, "import.csv_encoding")])
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


XLSX_MAX_ENTRIES = 10_000
XLSX_MAX_BYTES = 256 * 1024 * 1024  # unpacked


def check_xlsx(path: Path, max_entries: int = XLSX_MAX_ENTRIES, max_bytes: int = XLSX_MAX_BYTES) -> None:
    """Refuse a workbook with too many parts or unpacking to too much: by the sizes its zip directory declares,
    then by counting the bytes actually inflated (declared sizes can lie)."""
    import zipfile

    too_big = ImportRejected([RowProblem(0, "import.xlsx_too_big", mb=max_bytes // 2**20)])
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > max_entries:
                raise ImportRejected([RowProblem(0, "import.xlsx_parts", n=len(infos), most=max_entries)])
            if sum(i.file_size for i in infos) > max_bytes:
                raise too_big
            total = 0
            for info in infos:
                with zf.open(info) as fh:
                    while block := fh.read(1 << 16):
                        total += len(block)
                        if total > max_bytes:
                            raise too_big
    except ImportRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib.error, EOFError …: a damaged file
        raise ImportRejected([RowProblem(0, "import.xlsx_corrupt")]) from exc


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    check_xlsx(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportRejected([RowProblem(0, "import.xlsx_unreadable", error=str(exc))]) from exc
    try:
        for row in wb.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        wb.close()


def cell_text(value: Any) -> str:
    """A cell as stripped text (Excel's 12.0 as '12', empty for None)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_tasks(session: Session, path: Path, *, official_id: int | None = None) -> ImportReport:
    """Validate every row, then upsert by task code in the caller's transaction.

    Raises ImportRejected listing every problem by row number; nothing is written then.
    """
    units = unit_ids_by_code(session)
    problems: list[RowProblem] = []
    records: dict[str, dict[str, Any]] = {}
    seen_at: dict[str, int] = {}
    report = ImportReport()
    for number, row in read_rows(path):
        report.rows += 1
        rec: dict[str, Any] = {}
        errs: list[RowProblem] = []
        code = cell_text(row.get("code"))
        title = cell_text(row.get("title"))
        if not code:
            errs.append(RowProblem(number, "import.task.missing_code"))
        elif code in seen_at:
            errs.append(RowProblem(number, "import.task.duplicate_code", code=code, row=seen_at[code]))
        if not title:
            errs.append(RowProblem(number, "import.task.missing_title"))
        for name in ("lead_unit", "assigned_by"):
            unit_code = cell_text(row.get(name))
            if not unit_code:
                if name == "lead_unit":
                    errs.append(RowProblem(number, "import.task.missing_lead"))
                continue
            if unit_code not in units:
                errs.append(RowProblem(number, "import.task.unknown_unit", code=unit_code))
            else:
                rec[f"{name}_id"] = units[unit_code]
        cooperating = [c for c in re.split(r"[,;\s]+", cell_text(row.get("cooperating"))) if c]
        for c in cooperating:
            if c not in units:
                errs.append(RowProblem(number, "import.task.unknown_cooperating", code=c))
        for name in ("deadline", "completed_on", "assigned_on"):
            try:
                rec[name] = parse_date(row.get(name))
            except ValueError:
                value = cell_text(row.get(name))
                errs.append(RowProblem(number, "import.task.bad_date", column=name, value=value))
        status_text = header_key(cell_text(row.get("status")))
        if status_text and status_text not in _DONE and status_text not in _OPEN:
            errs.append(RowProblem(number, "import.task.bad_status", value=cell_text(row.get("status"))))
        done = status_text in _DONE or (not status_text and rec.get("completed_on") is not None)
        if done and rec.get("completed_on") is None and not errs:
            errs.append(RowProblem(number, "import.task.done_without_date"))
        if code:
            seen_at.setdefault(code, number)
        if errs:
            problems.extend(errs)
            continue
        rec.update(
            code=code,
            title=title,
            description=cell_text(row.get("description")) or None,
            source_symbol=cell_text(row.get("source_symbol")) or None,
            source_section=cell_text(row.get("source_section")) or None,
            cooperating=cooperating,
            status=TaskStatus.DONE if done else TaskStatus.OPEN,
        )
        if not done:
            rec["completed_on"] = None
        rec.setdefault("assigned_by_id", None)
        records[code] = rec
    if problems:
        raise ImportRejected(problems)
    if not records:
        raise ImportRejected([RowProblem(2, "import.no_rows")])
    _upsert(session, records, report, official_id)
    return report


_COMPARED = (
    "title",
    "description",
    "source_symbol",
    "source_section",
    "assigned_by_id",
    "lead_unit_id",
    "cooperating",
    "assigned_on",
    "deadline",
    "status",
    "completed_on",
)


def _upsert(
    session: Session, records: dict[str, dict[str, Any]], report: ImportReport, official_id: int | None
) -> None:
    existing: dict[str, Any] = {}
    codes = list(records)
    for i in range(0, len(codes), 5000):
        chunk = codes[i : i + 5000]
        for row in session.execute(select(Task).where(Task.code.in_(chunk))).scalars():
            existing[row.code] = row
    new_rows = [r for code, r in records.items() if code not in existing]
    changed: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for code, rec in records.items():
        task = existing.get(code)
        if task is None:
            continue
        diff = {k: rec[k] for k in _COMPARED if getattr(task, k) != rec[k]}
        if not diff:
            report.unchanged += 1
            continue
        changed.append({"id": task.id, **{k: rec[k] for k in _COMPARED}})
        events.append(
            {
                "task_id": task.id,
                "official_id": official_id,
                "kind": "imported",
                "changes": {k: _jsonable(getattr(task, k)) for k in diff}
                | {"_new": {k: _jsonable(v) for k, v in diff.items()}},
            }
        )
    if new_rows:
        session.execute(insert(Task), new_rows)
    if changed:
        session.execute(update(Task), changed)
    session.flush()
    if new_rows:
        created_ids = _ids_for(session, [r["code"] for r in new_rows])
        events.extend(
            {"task_id": tid, "official_id": official_id, "kind": "created", "changes": {}} for tid in created_ids
        )
    if events:
        session.execute(insert(TaskEvent), events)
    report.created = len(new_rows)
    report.updated = len(changed)
    report.codes = list(records)


def _ids_for(session: Session, codes: list[str]) -> list[int]:
    ids: list[int] = []
    for i in range(0, len(codes), 5000):
        ids.extend(session.scalars(select(Task.id).where(Task.code.in_(codes[i : i + 5000]))))
    return ids


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value
