"""Deterministic demo data, and the scale-out generator used by the benchmarks.

The tasks assigned by the central steering committee (`BCDTW`) reproduce its report of
2025-12-04 exactly: 1287 tasks, 601 done, 404 in progress on time, 104 overdue, 178
recurring; 368 of the 404 fall due before 2025-12-31. Tasks assigned after that date (the
2026 work) and the Hanoi / Gia Lai local plans keep the demo alive whatever today is.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from db.bulk import bulk_insert
from db.demo_units import (
    CENTRAL,
    DEPARTMENTS,
    GIALAI_COMMUNES,
    GIALAI_WARDS,
    HANOI_COMMUNES,
    HANOI_WARDS,
    MINISTRIES,
    PROVINCES,
)
from db.errors import SeedRefused
from db.importer import header_key
from db.models import (
    AuditEntry,
    Feedback,
    Invite,
    Official,
    Role,
    Task,
    TaskEvent,
    TaskStatus,
    Unit,
    UnitKind,
)
from db.units import renumber

REPORT_DATE = date(2025, 12, 4)
TASK_TABLE: Table = Task.__table__  # type: ignore[assignment]
REPORT = {"assigned": 1287, "done": 601, "in_progress": 404, "overdue": 104, "recurring": 178}
DUE_BEFORE_YEAR_END = 368
MAX_UNITS = 40_000


@dataclass(frozen=True)
class Template:
    title: str
    symbol: str
    section: str
    lead_kind: str  # ministry | province | commune | central
    lead_hint: str | None = None


# Drawn from the documents in docs_corpus/: title, source symbol, section, lead kind and (when the
# document names one) the lead unit.
TEMPLATES: list[Template] = [
    Template(
        "Trình Quốc hội Luật Khoa học, công nghệ và đổi mới sáng tạo",
        "71/NQ-CP",
        "Điều 2 › 1 › a)",
        "ministry",
        "BKHCN",
    ),
    Template(
        "Hướng dẫn cơ chế khoán chi đến sản phẩm cuối cùng, bố trí tối thiểu 3% chi ngân sách cho KHCN, ĐMST, CĐS",
        "71/NQ-CP",
        "Điều 2 › 1 › b)",
        "ministry",
        "BTC",
    ),
    Template(
        "Hoàn thành Cơ sở dữ liệu quốc gia về cán bộ, công chức, viên chức",
        "71/NQ-CP",
        "Điều 2 › 2 › d)",
        "ministry",
        "BNV",
    ),
    Template("Đưa Trung tâm dữ liệu quốc gia số 1 vào vận hành", "71/NQ-CP", "Điều 2 › 2 › b)", "ministry", "BCA"),
    Template(
        "Trình Quốc hội Luật Chuyển đổi số và Luật Công nghệ cao (sửa đổi)",
        "71/NQ-CP",
        "Điều 2 › 1 › a)",
        "ministry",
        "BKHCN",
    ),
    Template("Đề xuất xây dựng Luật Công nghiệp trọng điểm", "71/NQ-CP", "Điều 2 › 1 › c)", "ministry", "BCT"),
    Template(
        "Hoàn thành các cơ sở dữ liệu quốc gia, chuyên ngành phải xong trong năm 2025",
        "71/NQ-CP",
        "Điều 2 › 2 › a)",
        "ministry",
    ),
    Template("Hoàn thành Cơ sở dữ liệu quốc gia về đất đai", "71/NQ-CP", "Điều 2 › 2 › c)", "ministry", "BNNMT"),
    Template(
        "Trang bị cơ sở vật chất, thiết bị, đường truyền cho trụ sở xã, phường mới",
        "02-KH/BCĐTW",
        "Phụ lục › 1",
        "province",
    ),
    Template(
        "Công bố danh mục thủ tục hành chính thực hiện không phụ thuộc địa giới hành chính",
        "02-KH/BCĐTW",
        "Phụ lục › 5",
        "province",
    ),
    Template("Tổ chức thực hiện Bộ 16 tiêu chí về chuyển đổi số cấp xã", "02-KH/BCĐTW", "Phụ lục › 11", "province"),
    Template(
        "Hoàn thiện Nền tảng tích hợp, chia sẻ dữ liệu quốc gia, kết nối 34 tỉnh, thành phố",
        "02-KH/BCĐTW",
        "Phụ lục › 12",
        "ministry",
        "BCA",
    ),
    Template(
        "Hoàn thành Cơ sở dữ liệu về nhà ở và thị trường bất động sản", "02-KH/BCĐTW", "Phụ lục › 14", "ministry", "BXD"
    ),
    Template(
        "Xóa thôn, bản lõm sóng; bảo đảm điện lưới cho thôn chưa có điện", "02-KH/BCĐTW", "Phụ lục › 20", "province"
    ),
    Template(
        "Rà soát, cập nhật lần đầu toàn bộ nhiệm vụ trên Hệ thống theo dõi, giám sát",
        "01-HD/BCĐTW",
        "Mục III › 3",
        "ministry",
    ),
    Template(
        "Gửi báo cáo kết quả và danh mục nhiệm vụ chậm, quá hạn về Bộ Khoa học và Công nghệ",
        "3456/BKHCN-CĐSQG",
        "Mục II › 6",
        "province",
    ),
    Template(
        "Hoàn thành dứt điểm các nhiệm vụ chậm, quá hạn của Chương trình hành động",
        "3456/BKHCN-CĐSQG",
        "Mục II › 1",
        "ministry",
    ),
    Template(
        "Xây dựng kế hoạch thực hiện Thông báo kết luận 45, gửi Văn phòng Trung ương Đảng",
        "45-TB/TW",
        "Mục 4 › 4.3",
        "province",
    ),
    Template(
        "Rà soát, đánh giá lại toàn bộ thủ tục hành chính cấp tỉnh và cấp xã, đề xuất cắt giảm",
        "45-TB/TW",
        "Mục 3 › 3.8",
        "ministry",
        "BTP",
    ),
    Template(
        "Ban hành đầy đủ nghị định, thông tư hướng dẫn các luật mới về KHCN, ĐMST, CĐS",
        "45-TB/TW",
        "Mục 3 › 3.5 › a)",
        "ministry",
    ),
    Template("Gửi danh sách thành viên các Tổ công tác chuyên trách", "125/QĐ-BCĐTW", "Điều 1 › 3", "ministry"),
    Template(
        "Hoàn thành Hệ thống điều phối giải quyết thủ tục hành chính thuộc Cổng Dịch vụ công quốc gia",
        "47-TB/TW",
        "Mục 2 › 2.3 › b)",
        "ministry",
        "VPCP",
    ),
    Template(
        "Cập nhật đầy đủ thông tin, minh chứng trên Hệ thống phục vụ tổng kết năm 2025",
        "47-TB/TW",
        "Mục 2 › 2.9 › b)",
        "ministry",
    ),
    Template("Đôn đốc hoàn thành xây dựng thể chế trong năm 2025", "47-TB/TW", "Mục 2 › 2.1", "ministry", "BKHCN"),
    Template(
        "Đưa từng phần khung kiến trúc thủ tục hành chính vào sử dụng",
        "47-TB/TW",
        "Mục 2 › 2.2 › b)",
        "ministry",
        "BCA",
    ),
    Template(
        "Đưa toàn bộ quy trình khung kiến trúc thủ tục hành chính vào sử dụng",
        "47-TB/TW",
        "Mục 2 › 2.2 › b)",
        "ministry",
        "BCA",
    ),
    Template(
        'Xây dựng cơ chế tài chính đặc thù cho mô hình "ba nhà" tại 4 đại học trọng điểm',
        "47-TB/TW",
        "Mục 2 › 2.7 › b)",
        "ministry",
        "BGDDT",
    ),
    Template(
        "Ban hành chương trình triển khai và tiêu chí đánh giá công nghệ chiến lược",
        "47-TB/TW",
        "Mục 2 › 2.8 › a)",
        "ministry",
        "BKHCN",
    ),
]

RECURRING_TEMPLATES: list[Template] = [
    Template(
        "Tuyên truyền, quán triệt Nghị quyết 57 tới cán bộ, đảng viên và Nhân dân",
        "57-NQ/TW",
        "Mục III › 1 › c)",
        "province",
    ),
    Template('Triển khai phong trào "Bình dân học vụ số"', "71/NQ-CP", "Điều 2 › 3 › b)", "ministry"),
    Template(
        "Rà soát trạng thái nhiệm vụ trên Hệ thống hằng tháng (trước ngày 25)",
        "01-HD/BCĐTW",
        "Mục II › 7 › 7.2",
        "province",
    ),
    Template(
        "Rà soát trạng thái nhiệm vụ trên Hệ thống hằng tháng (trước ngày 25)",
        "01-HD/BCĐTW",
        "Mục II › 7 › 7.2",
        "ministry",
    ),
]

LOCAL_TEMPLATES: list[Template] = [
    Template(
        "Rà soát máy móc, thiết bị, đường truyền; gửi nhu cầu đầu tư về Sở Khoa học và Công nghệ",
        "350/KH-UBND",
        "Mục III › 2 › 2.1 › a)",
        "commune",
    ),
    Template(
        "Bảo đảm an toàn thông tin theo cấp độ cho hệ thống tại xã, phường",
        "350/KH-UBND",
        "Mục III › 2 › 2.1 › b)",
        "commune",
    ),
    Template(
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính; trả kết quả điện tử",
        "350/KH-UBND",
        "Mục III › 2 › 2.2 › b)",
        "commune",
    ),
    Template(
        "Kết nối với Trung tâm Phục vụ hành chính công Thành phố", "350/KH-UBND", "Mục III › 2 › 2.2 › c)", "commune"
    ),
    Template(
        "Cập nhật, làm sạch dữ liệu hộ tịch, đất đai, dân cư, an sinh xã hội",
        "350/KH-UBND",
        "Mục III › 2 › 2.3 › a)",
        "commune",
    ),
    Template("Báo cáo kết quả chuyển đổi số cấp xã hằng quý", "350/KH-UBND", "Mục IV", "commune"),
]

GIALAI_TEMPLATES: list[Template] = [
    Template(
        "Cập nhật tiến độ nhiệm vụ trên Hệ thống theo dõi, giám sát theo Hướng dẫn 01-HD/BCĐTW",
        "112-KH/TU",
        "Mục III › 1 › b)",
        "commune",
    ),
    Template(
        "Chỉnh lý giấy chứng nhận quyền sử dụng đất, kết nối dữ liệu đất đai với dữ liệu dân cư",
        "112-KH/TU",
        "Mục III › 2 › b)",
        "commune",
    ),
    Template(
        "Thực hiện phương án cắt giảm thời gian, chi phí giải quyết thủ tục hành chính",
        "112-KH/TU",
        "Mục III › 3 › a)",
        "commune",
    ),
    Template("Xã, phường tự đánh giá Bộ 16 tiêu chí chuyển đổi số cấp xã", "112-KH/TU", "Mục III › 4 › c)", "commune"),
]


@dataclass
class SeedReport:
    units: int
    tasks: int
    officials: int

    def as_dict(self) -> dict[str, int]:
        return {"units": self.units, "tasks": self.tasks, "officials": self.officials}


_NOW = datetime(2026, 1, 1)


def _with_defaults(row: dict[str, Any]) -> dict[str, Any]:
    # COPY and Core inserts bypass ORM/server defaults.
    row.setdefault("updated_at", _NOW)
    return row


def _unit_rows() -> list[tuple[str, str, UnitKind, str | None]]:
    rows: list[tuple[str, str, UnitKind, str | None]] = [(CENTRAL[0], CENTRAL[1], UnitKind.CENTRAL, None)]
    rows += [(c, n, UnitKind.MINISTRY, CENTRAL[0]) for c, n in MINISTRIES]
    rows += [(c, n, UnitKind.PROVINCE, CENTRAL[0]) for c, n in PROVINCES]
    for prov, prov_name in (("HN", "Hà Nội"), ("GL", "Gia Lai")):
        rows += [(f"{prov}-{c}", f"{n} {prov_name}", UnitKind.DEPARTMENT, prov) for c, n in DEPARTMENTS]
    for prefix, wards, communes in (("HN", HANOI_WARDS, HANOI_COMMUNES), ("GL", GIALAI_WARDS, GIALAI_COMMUNES)):
        rows += [(_commune_code(prefix, n), f"Phường {n}", UnitKind.COMMUNE, prefix) for n in wards]
        rows += [(_commune_code(prefix, n), f"Xã {n}", UnitKind.COMMUNE, prefix) for n in communes]
    return rows


def _commune_code(prefix: str, name: str) -> str:
    return f"{prefix}-{header_key(name).replace('_', '').upper()}"


def _insert_units(session: Session, rows: list[tuple[str, str, UnitKind, str | None]]) -> dict[str, int]:
    ids = {code: uid for code, uid in session.execute(select(Unit.code, Unit.id))}
    next_id = (session.scalar(select(func.max(Unit.id))) or 0) + 1
    batch: list[dict[str, Any]] = []
    for code, name, kind, parent in rows:
        if code in ids:
            continue
        ids[code] = next_id
        batch.append(
            {"id": next_id, "code": code, "name": name, "kind": kind, "parent_id": ids[parent] if parent else None}
        )
        next_id += 1
    for i in range(0, len(batch), 5000):
        session.execute(insert(Unit), batch[i : i + 5000])
    if batch and session.get_bind().dialect.name == "postgresql":
        # ids were given explicitly: move the sequence past them, or the next unit imported collides
        session.execute(text("SELECT setval(pg_get_serial_sequence('unit', 'id'), (SELECT max(id) FROM unit))"))
    return ids


def _spread(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _central_tasks(rng: random.Random, ids: dict[str, int]) -> list[dict[str, Any]]:
    """The 1287 tasks of the 2025 report, then the 2026 tasks (assigned after it)."""
    ministries = [c for c, _ in MINISTRIES]
    provinces = [c for c, _ in PROVINCES]
    # Weights: the Ministry of Science and Technology and the big ministries carry most tasks.
    m_weights = [9, 6, 3, 6, 4, 4, 3, 3, 3, 1, 3, 3, 2, 1, 1, 2, 4, 2, 1, 1, 1, 2]
    central = ids[CENTRAL[0]]
    tasks: list[dict[str, Any]] = []

    def lead_for(t: Template) -> str:
        if t.lead_hint:
            return t.lead_hint
        if t.lead_kind == "province":
            return rng.choice(provinces)
        return rng.choices(ministries, m_weights)[0]

    def make(kind: str, n: int) -> None:
        for _ in range(n):
            t = rng.choice(RECURRING_TEMPLATES if kind == "recurring" else TEMPLATES)
            lead = lead_for(t)
            assigned_on = _spread(rng, date(2025, 1, 15), date(2025, 10, 31))
            deadline: date | None
            completed: date | None = None
            if kind == "recurring":
                deadline = None
            elif kind == "done_on_time":
                deadline = _spread(rng, max(assigned_on, date(2025, 3, 1)) + timedelta(days=20), date(2025, 12, 31))
                completed = min(_spread(rng, assigned_on + timedelta(days=10), deadline), REPORT_DATE)
            elif kind == "done_late":
                deadline = _spread(rng, assigned_on + timedelta(days=20), date(2025, 11, 20))
                completed = _spread(rng, deadline + timedelta(days=1), REPORT_DATE)
            elif kind == "overdue":
                deadline = _spread(rng, assigned_on + timedelta(days=15), REPORT_DATE - timedelta(days=1))
                # Some were finished (late) after the report; the rest are still open.
                completed = (
                    _spread(rng, REPORT_DATE + timedelta(days=1), date(2026, 3, 31)) if rng.random() < 0.6 else None
                )
            elif kind == "in_progress_2025":
                deadline = _spread(rng, REPORT_DATE, date(2025, 12, 30))
                completed = (
                    _spread(rng, REPORT_DATE + timedelta(days=1), deadline + timedelta(days=40))
                    if rng.random() < 0.8
                    else None
                )
            else:  # in progress, due in 2026
                deadline = _spread(rng, date(2026, 1, 1), date(2026, 6, 30))
                completed = _spread(rng, REPORT_DATE + timedelta(days=1), deadline) if rng.random() < 0.5 else None
            tasks.append(_task(t, central, ids[lead], assigned_on, deadline, completed))

    done_late = 71
    make("done_on_time", REPORT["done"] - done_late)
    make("done_late", done_late)
    make("in_progress_2025", DUE_BEFORE_YEAR_END)
    make("in_progress_2026", REPORT["in_progress"] - DUE_BEFORE_YEAR_END)
    make("overdue", REPORT["overdue"])
    make("recurring", REPORT["recurring"])
    # 2026: assigned after the report; deadlines through 2027 so "due soon" is never empty.
    for _ in range(240):
        t = rng.choice(TEMPLATES)
        assigned_on = _spread(rng, date(2026, 1, 5), date(2026, 10, 31))
        deadline = _spread(rng, assigned_on + timedelta(days=30), date(2027, 6, 30))
        tasks.append(_task(t, central, ids[lead_for(t)], assigned_on, deadline, None))
    rng.shuffle(tasks)
    for i, task in enumerate(tasks, start=1):
        task["code"] = f"BCD-{task['assigned_on'].year}-{i:04d}"
    return tasks


def _task(
    t: Template, by: int, lead: int, assigned_on: date, deadline: date | None, completed: date | None
) -> dict[str, Any]:
    return {
        "title": t.title,
        "description": None,
        "source_symbol": t.symbol,
        "source_section": t.section,
        "assigned_by_id": by,
        "lead_unit_id": lead,
        "cooperating": [],
        "assigned_on": assigned_on,
        "deadline": deadline,
        "status": TaskStatus.DONE if completed else TaskStatus.OPEN,
        "completed_on": completed,
    }


def _local_tasks(rng: random.Random, ids: dict[str, int], anchor: date) -> list[dict[str, Any]]:
    """Hanoi's and Gia Lai's plans for their communes and wards: one-off tasks and twice-monthly reports."""
    tasks: list[dict[str, Any]] = []
    departments = {d for d, _ in DEPARTMENTS}
    for prov, templates, symbol in (("HN", LOCAL_TEMPLATES, "350/KH-UBND"), ("GL", GIALAI_TEMPLATES, "112-KH/TU")):
        communes = sorted(c for c in ids if c.startswith(f"{prov}-") and c.split("-", 1)[1] not in departments)
        n = 0

        def add(
            t: Template, commune: str, assigned_on: date, deadline: date | None, p_done: float, prov: str = prov
        ) -> None:
            nonlocal n
            n += 1
            completed = None
            if deadline and deadline < anchor and rng.random() < p_done:
                completed = _spread(rng, max(assigned_on, deadline - timedelta(days=25)), deadline + timedelta(days=12))
            task = _task(t, ids[prov], ids[commune], assigned_on, deadline, completed)
            task["code"] = f"{prov}-{n:05d}"
            task["cooperating"] = [f"{prov}-SKHCN"]
            tasks.append(task)

        for commune in communes:
            for t in templates:
                assigned_on = _spread(rng, date(2025, 7, 1), date(2026, 9, 30))
                recurring = "hằng quý" in t.title
                deadline = None if recurring else _spread(rng, assigned_on + timedelta(days=20), date(2027, 6, 30))
                add(t, commune, assigned_on, deadline, 0.85)
            # Progress reports on the 10th and 25th of every month: something is always due soon.
            month = date(2025, 8, 1)
            while month <= date(2027, 6, 1):
                for day in (10, 25):
                    report = Template(
                        f"Báo cáo tiến độ chuyển đổi số kỳ {day:02d}/{month.month:02d}/{month.year}",
                        symbol,
                        "Mục IV",
                        "commune",
                    )
                    add(report, commune, month - timedelta(days=20), month.replace(day=day), 0.93)
                month = (month + timedelta(days=32)).replace(day=1)
    return tasks


_PEOPLE = [
    ("Nguyễn Văn Quản", "BCDTW", Role.ADMIN),
    ("Trần Thị Lãnh Đạo", "HN", Role.LEADER),
    ("Lê Minh Tuấn", "BKHCN", Role.LEADER),
    ("Phạm Thu Hà", "HN-HOANKIEM", Role.OFFICIAL),
    ("Rơ Mah Hlin", "GL-CHUSE", Role.OFFICIAL),
    ("Đỗ Quang Huy", "GL", Role.LEADER),
]


def _officials(ids: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {"full_name": n, "unit_id": ids[u], "role": r, "language": "vi", "digest": True, "active": True}
        for n, u, r in _PEOPLE
    ]


# Codes the demo gives its tasks and scale-out units (see _central_tasks, _local_tasks, _scale_*).
_DEMO_TASK_CODE = re.compile(r"BCD-\d{4}-\d{4}|(HN|GL)-\d{5}|SC-\d{7}")
_DEMO_SCALE_UNIT = re.compile(r"[A-Z]+-X\d{3}(-T\d{5})?")


def foreign_data(session: Session) -> dict[str, int]:
    """What the database holds that seed_demo did not create (and would delete), by kind; empty when
    nothing. The demo writes no task events, invites or feedback and links no official to Telegram, so
    any of those is someone's work; tasks, units and officials are compared with the demo's own."""
    found: dict[str, int] = {}

    def count(kind: str, n: int) -> None:
        if n:
            found[kind] = n

    codes = session.scalars(select(Task.code)).all()
    count("tasks", sum(1 for c in codes if not _DEMO_TASK_CODE.fullmatch(c or "")))
    count("events", session.scalar(select(func.count()).select_from(TaskEvent)) or 0)
    count("invites", session.scalar(select(func.count()).select_from(Invite)) or 0)
    demo_people = {name for name, _, _ in _PEOPLE}
    names = session.scalars(select(Official.full_name)).all()
    count("officials", sum(1 for n in names if n not in demo_people))
    count(
        "linked",
        session.scalar(select(func.count()).select_from(Official).where(Official.telegram_user_id.is_not(None))) or 0,
    )
    demo_units = {code for code, _, _, _ in _unit_rows()}
    units = session.scalars(select(Unit.code)).all()
    count("units", sum(1 for u in units if u not in demo_units and not _DEMO_SCALE_UNIT.fullmatch(u)))
    count("feedback", session.scalar(select(func.count()).select_from(Feedback)) or 0)
    return found


def seed_demo(session: Session, *, tasks: int | None = None, rng_seed: int = 57, force: bool = False) -> SeedReport:
    """Replace all units, tasks and officials with the demo set (and, with `tasks`, scale it up).

    Refuses (SeedRefused, nothing changed) when the database holds data the demo did not create, unless `force`."""
    if not force:
        found = foreign_data(session)
        if found:
            raise SeedRefused(found)
    session.execute(delete(Feedback))
    for model in (TaskEvent, AuditEntry, Invite, Task, Official):
        session.execute(delete(model))
    session.execute(delete(Unit).where(Unit.parent_id.is_not(None)).execution_options(synchronize_session=False))
    session.execute(delete(Unit))
    rng = random.Random(rng_seed)
    ids = _insert_units(session, _unit_rows())
    rows = _central_tasks(rng, ids) + _local_tasks(rng, ids, date(2026, 11, 1))
    if tasks is not None and tasks > len(rows):
        scale_ids = _insert_units(session, list(_scale_units(min(MAX_UNITS, max(len(ids), tasks // 25)) - len(ids))))
        ids.update(scale_ids)
        rows_iter: Iterator[dict[str, Any]] = _scale_tasks(rng, ids, tasks - len(rows))
    else:
        rows_iter = iter(())
    renumber(session)
    count = bulk_insert(session, TASK_TABLE, (_with_defaults(r) for r in rows))
    count += bulk_insert(session, TASK_TABLE, (_with_defaults(r) for r in rows_iter))
    officials = _officials(ids)
    session.execute(insert(Official), officials)
    session.add(AuditEntry(channel="cli", action="seed_demo", detail=f"{count} tasks", at=datetime.now()))
    if count > 100_000:
        session.flush()
        session.execute(text("ANALYZE"))  # fresh statistics, or the planners pick poor joins after a bulk load
    return SeedReport(units=len(ids), tasks=count, officials=len(officials))


def _scale_units(extra: int) -> Iterator[tuple[str, str, UnitKind, str | None]]:
    """Up to 200 direct sub-units per province, then hamlets/groups under them."""
    if extra <= 0:
        return
    provinces = [c for c, _ in PROVINCES]
    made = 0
    direct: list[str] = []
    for p in provinces:
        for j in range(1, 201):
            if made >= extra:
                return
            code = f"{p}-X{j:03d}"
            direct.append(code)
            yield code, f"Đơn vị {j} ({p})", UnitKind.COMMUNE if j > 20 else UnitKind.DEPARTMENT, p
            made += 1
    k = 0
    while made < extra:
        parent = direct[k % len(direct)]
        k += 1
        yield f"{parent}-T{k:05d}", f"Tổ, thôn {k}", UnitKind.OTHER, parent
        made += 1


def _scale_tasks(rng: random.Random, ids: dict[str, int], n: int) -> Iterator[dict[str, Any]]:
    provinces = {c: ids[c] for c, _ in PROVINCES}
    scale = sorted((c, uid) for c, uid in ids.items() if "-X" in c)
    templates = TEMPLATES + LOCAL_TEMPLATES
    for i in range(n):
        code, uid = scale[i % len(scale)]
        t = templates[i % len(templates)]
        assigned_on = date(2025, 1, 1) + timedelta(days=rng.randrange(640))
        deadline = None if i % 9 == 0 else assigned_on + timedelta(days=20 + rng.randrange(400))
        completed = None
        if deadline and rng.random() < 0.5:
            completed = assigned_on + timedelta(days=5 + rng.randrange(420))
        row = _task(t, provinces[code.split("-", 1)[0]], uid, assigned_on, deadline, completed)
        row["code"] = f"SC-{i:07d}"
        yield row
