"""The summary chart and workbook (issue 12, items 3 and 4), from the demo data in real databases.

The chart is checked through matplotlib's figure objects (size, title, bars, labels, legend), not pixels;
the workbook is read back with openpyxl (headers, number formats, merged cells, freeze panes, autofilter,
print setup, totals against the rows and against the database).
"""

from __future__ import annotations

import struct
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib.patches import Rectangle
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.cli import cli
from bot.render.chart import (
    DPI,
    NAME_CHARS,
    SERIES,
    TITLE_CHARS,
    WIDTH_IN,
    chart_title,
    summary_chart,
    summary_figure,
)
from bot.render.text import summary_row_name
from db import queries
from db.demo import REPORT_DATE
from db.queries import Summary
from db.session import Database

HN_DAY = date(2026, 6, 1)
COUNTS = ["assigned", "done_on_time", "done_late", "in_progress", "overdue", "recurring"]
SUMMARY_HEADER = [
    "STT",
    "Tên đơn vị",
    "Mã đơn vị",
    "Đơn vị giao",
    "Được giao",
    "Xong đúng hạn",
    "Xong quá hạn",
    "Đang làm trong hạn",
    "Quá hạn",
    "Thường xuyên",
    "% hoàn thành",
]
TASK_HEADER = ["Mã nhiệm vụ", "Nội dung", "Đơn vị chủ trì", "Đơn vị giao", "Hạn", "{days}", "Văn bản", "Mục"]


# --- the chart ----------------------------------------------------------------------------------------------------


def _bars(fig) -> dict[float, list[Rectangle]]:  # type: ignore[no-untyped-def]
    ax = fig.axes[0]
    by_y: dict[float, list[Rectangle]] = defaultdict(list)
    for patch in ax.patches:
        if patch.get_gid() in {name for name, _, _ in SERIES}:
            by_y[round(patch.get_y() + patch.get_height() / 2, 3)].append(patch)
    return by_y


def _check_chart(summary: Summary, shown: int, total: int, note: str) -> None:
    fig = summary_figure(summary)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    # A phone-sized picture: 1080 px wide, portrait, fonts that stay readable once scaled to a phone's width.
    w, h = (int(v) for v in fig.get_size_inches() * fig.dpi)  # Agg truncates to whole pixels
    assert (w, fig.dpi) == (WIDTH_IN * DPI, DPI) == (1080, 150) and 400 <= h <= 2 * w
    assert h >= w or shown < 10  # fifteen bars: a portrait picture

    # The title: the whole text, wrapped (never cut), the as-of date on one line, inside the picture.
    title = fig._suptitle  # type: ignore[attr-defined]
    text = title.get_text()
    assert text.replace("\n", " ").replace("\u00a0", " ") == chart_title(summary).replace("\u00a0", " ")
    assert summary.unit_name.split()[-1] in text
    as_of = summary.as_of.strftime("%d/%m/%Y")
    assert any(as_of in line for line in text.split("\n"))
    assert all(len(line) <= TITLE_CHARS + len(as_of) for line in text.split("\n"))
    assert fig.bbox.contains(*title.get_window_extent(renderer).p0)
    assert fig.bbox.contains(*title.get_window_extent(renderer).p1)
    assert title.get_fontsize() >= 14

    # "N đơn vị chậm nhất / M" (or "Tất cả M đơn vị") is on the chart.
    assert note in [t.get_text() for t in fig.texts]

    # One 100%-stacked bar per unit shown: the five segments' widths sum to 100, each is that category's share.
    bars = _bars(fig)
    assert len(bars) == shown
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    rows = summary.rows[:shown]
    names = [summary_row_name(r) for r in rows]
    assert labels == [n if len(n) <= NAME_CHARS else n[: NAME_CHARS - 1].rstrip() + "…" for n in names]  # worst first
    assert all(len(label) <= NAME_CHARS for label in labels)
    assert all(t.get_fontsize() >= 12 for t in ax.get_yticklabels())
    for y, row in zip(sorted(bars, reverse=True), rows, strict=True):
        segments = {p.get_gid(): p for p in bars[y]}
        assert list(segments) == [name for name, _, _ in SERIES]
        assert sum(p.get_width() for p in segments.values()) == pytest.approx(100.0)
        for name, patch in segments.items():
            assert patch.get_width() == pytest.approx(100 * getattr(row, name) / row.assigned)

    # Counts on the segments wide enough to hold them, inside their segment; narrow ones stay unlabelled.
    values = [t for t in ax.texts if t.get_gid() == "value"]
    assert values
    patches = [p for y in bars for p in bars[y]]
    labelled = 0
    for patch in patches:
        x0, width, yc = patch.get_x(), patch.get_width(), patch.get_y() + patch.get_height() / 2
        mine = [t for t in values if t.get_position() == pytest.approx((x0 + width / 2, yc))]
        count = summary.rows[shown - 1 - round(yc)].__getattribute__(str(patch.get_gid()))
        if not mine:
            continue
        labelled += 1
        assert mine[0].get_text() == str(count)
        box, seg = mine[0].get_window_extent(renderer), patch.get_window_extent(renderer)
        assert seg.x0 <= box.x0 and box.x1 <= seg.x1
    assert labelled == len(values) and labelled < len([p for p in patches if p.get_width() > 0])
    # "overdue/total" at the right end of each bar, and a legend with the five categories.
    assert [t.get_text() for t in ax.texts if t.get_gid() == "assigned"] == [
        f"{r.overdue:,}/{r.assigned:,}".replace(",", ".") for r in rows
    ]
    assert all(fig.bbox.contains(*t.get_window_extent(renderer).p1) for t in ax.texts)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "Xong đúng hạn",
        "Xong quá hạn",
        "Đang làm trong hạn",
        "Quá hạn",
        "Thường xuyên",
    ]

    # The PNG is what the figure says.
    png = summary_chart(summary)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (w, h)


def test_chart_stands_alone_for_the_country_a_province_and_a_committee(demo_db: Database) -> None:
    with demo_db.session() as s:
        country = queries.overdue_summary(s, None, as_of=REPORT_DATE)
        hanoi = queries.overdue_summary(s, "HN", as_of=HN_DAY)
        committee = queries.overdue_summary(s, assigned_by="BCDTW", as_of=REPORT_DATE)
        ministry = queries.overdue_summary(s, "BCA", as_of=HN_DAY)
    assert len(country.rows) == 56 and len(hanoi.rows) > 100
    # The country's title is long (the committee's full name): it wraps to three lines and keeps its date.
    assert len(chart_title(country)) > 2 * TITLE_CHARS
    _check_chart(country, 15, 56, "15 đơn vị chậm nhất / 56")
    _check_chart(hanoi, 15, len(hanoi.rows), f"15 đơn vị chậm nhất / {len(hanoi.rows)}")
    _check_chart(committee, 15, len(committee.rows), f"15 đơn vị chậm nhất / {len(committee.rows)}")
    assert chart_title(committee).startswith("Nhiệm vụ do Ban Chỉ đạo")
    assert len(ministry.rows) == 1  # a ministry without sub-units: its own tasks
    _check_chart(ministry, 1, 1, "Tất cả 1 đơn vị")


# --- the workbook -------------------------------------------------------------------------------------------------


def _cli(url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env={"DATABASE_URL": url}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _check_layout(ws: Worksheet, header: list[str], as_of: date, words: list[str]) -> int:
    """Merged title with the as-of date, as-of date cell, header, frozen panes, autofilter, print setup;
    returns the last data row."""
    width = len(header)
    last_col = chr(ord("A") + width - 1)
    assert f"A1:{last_col}1" in {str(r) for r in ws.merged_cells.ranges}
    title = ws["A1"].value
    assert isinstance(title, str) and as_of.strftime("%d/%m/%Y") in title and all(w in title for w in words)
    assert ws["C2"].value == datetime.combine(as_of, datetime.min.time()) and ws["C2"].number_format == "DD/MM/YYYY"
    assert [c.value for c in ws[3]][:width] == header
    assert ws.freeze_panes == "C4"
    ref = ws.auto_filter.ref
    assert ref is not None and ref.startswith(f"A3:{last_col}")
    assert ws.print_title_rows == "$1:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    # Widths fit: every header word and (within each column's cap) every value.
    for i, head in enumerate(header, start=1):
        col = ws.column_dimensions[chr(ord("A") + i - 1)].width
        assert col >= max(len(w) for w in head.split())
    return int(ref.split(last_col)[-1])


def _check_summary_sheet(ws: Worksheet, summary: Summary, assigner_names: dict[str, str]) -> None:
    last = _check_layout(ws, SUMMARY_HEADER, summary.as_of, [summary.unit_name])
    rows = list(ws.iter_rows(min_row=4, max_row=last, values_only=True))
    assert len(rows) == len(summary.rows)
    for i, (values, row) in enumerate(zip(rows, summary.rows, strict=True), start=1):
        assert values[:3] == (i, summary_row_name(row), row.unit_code)
        assert values[3] == assigner_names[row.unit_code]
        assert list(values[4:10]) == [getattr(row, c) for c in COUNTS]
        assert values[10] == pytest.approx(row.done / row.assigned) and 0 <= values[10] <= 1
    assert {ws.cell(4, c).number_format for c in range(5, 11)} == {"#,##0"}
    assert ws.cell(4, 11).number_format == "0.0%"
    # The total row: "TỔNG" over the four text columns, sums of the rows, equal to the database's totals.
    total = [c.value for c in ws[last + 1]]
    assert (
        ws.max_row == last + 1
        and total[0] == "TỔNG"
        and f"A{last + 1}:D{last + 1}" in {str(r) for r in ws.merged_cells.ranges}
    )
    for j, name in enumerate(COUNTS, start=4):
        assert total[j] == sum(r[j] for r in rows) == getattr(summary.total, name)
    assert total[10] == pytest.approx(summary.total.done / summary.total.assigned)
    assert ws.cell(last + 1, 11).number_format == "0.0%"


def _check_task_sheet(ws: Worksheet, kind: str, tasks: list[queries.TaskView], as_of: date, words: list[str]) -> None:
    header = [h.replace("{days}", "Số ngày trễ" if kind == "overdue" else "Còn lại (ngày)") for h in TASK_HEADER]
    last = _check_layout(ws, header, as_of, [*words, f"{len(tasks)} nhiệm vụ"])
    rows = list(ws.iter_rows(min_row=4, max_row=last, values_only=True))
    assert [r[0] for r in rows] == [task.code for task in tasks] and tasks
    for values, task in zip(rows, tasks, strict=True):
        assert values[1:4] == (task.title, task.unit_name, task.assigned_by_name)
        assert values[4] == datetime.combine(task.deadline or date.min, datetime.min.time())
        assert values[5] == ((as_of - task.deadline).days if kind == "overdue" else (task.deadline - as_of).days)
        assert values[6:] == (task.source_symbol, task.source_section) and values[6]
    assert all(r[3] for r in rows)  # the demo's tasks all have an assigning unit
    assert ws.cell(4, 5).number_format == "DD/MM/YYYY"
    if kind == "overdue":
        assert all(r[5] > 0 for r in rows)
    else:
        assert all(0 <= r[5] <= 30 for r in rows)


def test_workbook_for_a_province(demo_url: str, tmp_path: Path) -> None:
    xlsx = tmp_path / "tonghop.xlsx"
    _cli(demo_url, "tasks", "summary", "--unit", "HN", "--as-of", HN_DAY.isoformat(), "--xlsx", str(xlsx))
    db = Database(demo_url)
    try:
        with db.session() as s:
            summary = queries.overdue_summary(s, "HN", as_of=HN_DAY)
            late = queries.overdue(s, "HN", include_subunits=True, as_of=HN_DAY)
            due = queries.due_soon(s, "HN", 30, include_subunits=True, as_of=HN_DAY)
            assigners = queries.summary_assigners(s, summary)
    finally:
        db.dispose()
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Tổng hợp", "Quá hạn", "Đến hạn 30 ngày"]
    names = {code: "; ".join(name for _, name in units) for code, units in assigners.items()}
    assert "Thành phố Hà Nội" in names.values()
    _check_summary_sheet(wb["Tổng hợp"], summary, names)
    assert len(late) == summary.total.overdue
    _check_task_sheet(wb["Quá hạn"], "overdue", late, HN_DAY, ["Thành phố Hà Nội"])
    assert all(HN_DAY <= (task.deadline or date.min) <= HN_DAY + timedelta(days=30) for task in due)
    _check_task_sheet(wb["Đến hạn 30 ngày"], "due", due, HN_DAY, ["Thành phố Hà Nội", "30 ngày"])


def test_workbook_for_what_a_committee_assigned_keeps_its_task_sheets(demo_url: str, tmp_path: Path) -> None:
    xlsx = tmp_path / "bcdtw.xlsx"
    _cli(
        demo_url, "tasks", "summary", "--assigned-by", "BCDTW", "--as-of", REPORT_DATE.isoformat(), "--xlsx", str(xlsx)
    )
    db = Database(demo_url)
    try:
        with db.session() as s:
            summary = queries.overdue_summary(s, assigned_by="BCDTW", as_of=REPORT_DATE)
            late = queries.overdue(s, None, include_subunits=True, as_of=REPORT_DATE, assigned_by="BCDTW")
            due = queries.due_soon(s, None, 30, include_subunits=True, as_of=REPORT_DATE, assigned_by="BCDTW")
    finally:
        db.dispose()
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Tổng hợp", "Quá hạn", "Đến hạn 30 ngày"]
    committee = summary.unit_name
    _check_summary_sheet(wb["Tổng hợp"], summary, {r.unit_code: committee for r in summary.rows})
    ws = wb["Tổng hợp"]
    total = [c.value for c in ws[ws.max_row]]
    # The central steering committee's report of 4 December 2025.
    assert (total[4], total[5] + total[6], total[7], total[8], total[9]) == (1287, 601, 404, 104, 178)
    assert len(late) == 104 and {task.assigned_by_code for task in late + due} == {"BCDTW"}
    _check_task_sheet(wb["Quá hạn"], "overdue", late, REPORT_DATE, [committee, "giao"])
    _check_task_sheet(wb["Đến hạn 30 ngày"], "due", due, REPORT_DATE, [committee])

    # --assigned-by within --unit: only the receivers inside that unit's subtree, in the sheets too.
    _cli(
        demo_url,
        "tasks",
        "summary",
        "--assigned-by",
        "BCDTW",
        "--unit",
        "HN",
        "--as-of",
        REPORT_DATE.isoformat(),
        "--xlsx",
        str(xlsx),
    )
    wb = load_workbook(xlsx)
    codes = [r[2] for r in wb["Tổng hợp"].iter_rows(min_row=4, max_row=wb["Tổng hợp"].max_row - 1, values_only=True)]
    assert codes == ["HN"]
    late_hn = [r for r in wb["Quá hạn"].iter_rows(min_row=4, values_only=True)]
    assert late_hn and len(late_hn) == sum(1 for task in late if task.unit_code == "HN")
