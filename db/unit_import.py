"""Import the unit tree from CSV or Excel: all rows valid, or nothing written.

Columns (English or Vietnamese header, case and diacritics ignored; the reading is db.importer's):

| field  | accepted headers                                            | required |
|--------|-------------------------------------------------------------|----------|
| code   | code, Mã đơn vị, Mã                                         | yes      |
| name   | name, Tên đơn vị, Tên, Đơn vị                               | yes      |
| parent | parent, parent_code, Mã đơn vị cấp trên, Đơn vị cấp trên    | no (empty: a top unit) |
| level  | level, kind, Cấp, Loại đơn vị                               | no       |

Levels: central/Trung ương, ministry/Bộ, province/Tỉnh/Thành phố, department/Sở/Ban/Ngành,
commune/Xã/Phường/Đặc khu, other/Khác (a leading "Cấp" is ignored: "Cấp tỉnh"). Empty: kept for a
unit that exists, "other" for a new one. Codes are upper-cased. A parent may come after its children
in the file or already be in the database. Re-importing updates names, parents and levels by code;
units missing from the file are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from db.errors import ImportRejected, RowProblem
from db.importer import cell_text, header_key, header_lookup, read_rows
from db.models import Unit, UnitKind
from db.units import renumber

HEADERS: dict[str, list[str]] = {
    "code": ["code", "ma_don_vi", "ma", "ma_dv", "unit_code"],
    "name": ["name", "ten_don_vi", "ten", "don_vi", "ten_dv", "unit_name"],
    "parent": [
        "parent",
        "parent_code",
        "ma_don_vi_cap_tren",
        "don_vi_cap_tren",
        "ma_cap_tren",
        "cap_tren",
        "truc_thuoc",
    ],
    "level": ["level", "kind", "cap", "loai", "cap_don_vi", "loai_don_vi"],
}
REQUIRED = ("code", "name")

LEVELS: dict[str, UnitKind] = {
    **dict.fromkeys(["central", "trung_uong", "tw"], UnitKind.CENTRAL),
    **dict.fromkeys(["ministry", "bo", "bo_nganh", "nganh_trung_uong"], UnitKind.MINISTRY),
    **dict.fromkeys(
        ["province", "tinh", "thanh_pho", "tinh_thanh_pho", "thanh_pho_truc_thuoc_trung_uong"], UnitKind.PROVINCE
    ),
    **dict.fromkeys(["department", "so", "ban", "nganh", "so_ban_nganh", "so_nganh", "phong"], UnitKind.DEPARTMENT),
    **dict.fromkeys(
        ["commune", "xa", "phuong", "dac_khu", "xa_phuong", "thi_tran", "xa_phuong_dac_khu"], UnitKind.COMMUNE
    ),
    **dict.fromkeys(["other", "khac"], UnitKind.OTHER),
}
MAX_CODE = 32
MAX_NAME = 255


def parse_level(value: Any) -> UnitKind | None:
    """None for empty; ValueError for a level not in LEVELS."""
    text = header_key(cell_text(value))
    if not text:
        return None
    for key in (text, text.removeprefix("cap_")):
        if key in LEVELS:
            return LEVELS[key]
    raise ValueError(text)


@dataclass
class UnitImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class _Row:
    number: int
    code: str
    name: str
    parent: str | None
    kind: UnitKind | None


def import_units(session: Session, path: Path) -> UnitImportReport:
    """Validate every row (and the tree they make with the units already there), then upsert by code
    in the caller's transaction and renumber the tree. Raises ImportRejected listing every problem by
    row number; nothing is written then."""
    report = UnitImportReport()
    problems: list[RowProblem] = []
    rows: dict[str, _Row] = {}
    for number, cells in read_rows(
        path, lookup=header_lookup(HEADERS), required=REQUIRED, help_command="troly units import --help"
    ):
        report.rows += 1
        errs: list[RowProblem] = []
        code = cell_text(cells.get("code")).upper()
        name = cell_text(cells.get("name"))
        parent = cell_text(cells.get("parent")).upper() or None
        if not code:
            errs.append(RowProblem(number, "import.unit.missing_code"))
        elif len(code) > MAX_CODE:
            errs.append(RowProblem(number, "import.unit.code_too_long", code=code, most=MAX_CODE))
        elif code in rows:
            errs.append(RowProblem(number, "import.unit.duplicate_code", code=code, row=rows[code].number))
        if not name:
            errs.append(RowProblem(number, "import.unit.missing_name"))
        elif len(name) > MAX_NAME:
            errs.append(RowProblem(number, "import.unit.name_too_long", most=MAX_NAME))
        kind = None
        try:
            kind = parse_level(cells.get("level"))
        except ValueError:
            errs.append(RowProblem(number, "import.unit.bad_level", value=cell_text(cells.get("level"))))
        if code and parent == code:
            errs.append(RowProblem(number, "import.unit.own_parent", code=code))
        if errs:
            problems.extend(errs)
        if code and code not in rows:
            rows[code] = _Row(number, code, name, parent, kind)
    if not rows and not problems:
        raise ImportRejected([RowProblem(2, "import.no_rows")])

    existing = {u.code: u for u in session.scalars(select(Unit))}
    code_of = {u.id: u.code for u in existing.values()}
    parents: dict[str, str | None] = {
        code: code_of.get(u.parent_id) if u.parent_id is not None else None for code, u in existing.items()
    }
    for row in rows.values():
        if row.parent is not None and row.parent != row.code and row.parent not in rows and row.parent not in existing:
            problems.append(RowProblem(row.number, "import.unit.unknown_parent", code=row.parent))
        parents[row.code] = row.parent
    problems.extend(_cycles(rows, parents))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row))

    _upsert(session, rows, existing, report)
    return report


def _cycles(rows: dict[str, _Row], parents: dict[str, str | None]) -> list[RowProblem]:
    """Each loop of parents the file would make, once, at the first row in it."""
    problems: list[RowProblem] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done (reaches a top unit or a known loop)
    for start in rows:
        path: list[str] = []
        code: str | None = start
        while code is not None and code in parents and state.get(code) != 2:
            if state.get(code) == 1:
                loop = path[path.index(code) :]
                if len(loop) > 1:  # a unit that is its own parent was reported with its row
                    in_file = [rows[c] for c in loop if c in rows]
                    first = min(in_file, key=lambda r: r.number)
                    shown = " → ".join([*loop, code])
                    numbers = ", ".join(str(r.number) for r in sorted(in_file, key=lambda r: r.number))
                    problems.append(RowProblem(first.number, "import.unit.parent_loop", units=shown, rows=numbers))
                break
            state[code] = 1
            path.append(code)
            code = parents[code]
        for c in path:
            state[c] = 2
    return problems


def _upsert(session: Session, rows: dict[str, _Row], existing: dict[str, Unit], report: UnitImportReport) -> None:
    new_rows = [r for code, r in rows.items() if code not in existing]
    if new_rows:
        session.execute(
            insert(Unit),
            [{"code": r.code, "name": r.name, "kind": r.kind or UnitKind.OTHER, "parent_id": None} for r in new_rows],
        )
    ids = {code: uid for code, uid in session.execute(select(Unit.code, Unit.id))}
    changes: list[dict[str, Any]] = []
    for row in rows.values():
        parent_id = ids[row.parent] if row.parent else None
        unit = existing.get(row.code)
        if unit is None:
            if parent_id is not None:
                changes.append({"id": ids[row.code], "parent_id": parent_id})
            continue
        kind = row.kind or unit.kind
        if (unit.name, unit.kind, unit.parent_id) == (row.name, kind, parent_id):
            report.unchanged += 1
            continue
        report.updated += 1
        changes.append({"id": unit.id, "name": row.name, "kind": kind, "parent_id": parent_id})
    # one executemany per set of columns (bulk UPDATE by primary key wants the same keys in each row)
    for keys in ({"id", "parent_id"}, {"id", "name", "kind", "parent_id"}):
        batch = [c for c in changes if set(c) == keys]
        if batch:
            session.execute(update(Unit), batch)
    report.created = len(new_rows)
    session.flush()
    renumber(session)
    session.expire_all()
