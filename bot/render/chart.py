"""The overdue summary as a chart that stands alone (PNG, sized for a phone).

100%-stacked horizontal bars, one per unit, worst first, by the five categories of the national monitoring
system, with the task counts on the segments wide enough to hold them and each unit's total at the right.
The title (with the as-of date) is wrapped, never cut; a note says how many units are shown out of how many.

Built on a `matplotlib.figure.Figure` without pyplot (no global state), so `summary_figure` can be
inspected in tests and charts can be drawn from several threads.
"""

from __future__ import annotations

import textwrap
from io import BytesIO
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from bot.i18n import t
from bot.render.text import summary_row_name
from db.queries import Summary, SummaryRow

SERIES = [  # (category, colour, label colour)
    ("done_on_time", "#2e7d32", "white"),
    ("done_late", "#9ccc65", "black"),
    ("in_progress", "#1e88e5", "white"),
    ("overdue", "#e53935", "white"),
    ("recurring", "#bdbdbd", "black"),
]
WIDTH_IN, DPI = 7.2, 150  # 1080 px wide: a phone screen's width in device pixels
TITLE_PT, NOTE_PT, LABEL_PT, VALUE_PT, LEGEND_PT = 15, 12, 12, 11, 11
NAME_CHARS = 26  # unit names longer than this are shortened with "…"
TITLE_CHARS = 52  # characters per title line at TITLE_PT over WIDTH_IN
_ROW_IN = 0.46


def short_name(name: str, limit: int = NAME_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def shares(row: SummaryRow) -> list[float]:
    """Each category's share of the unit's tasks, in percent (they sum to 100)."""
    return [100.0 * getattr(row, name) / row.assigned if row.assigned else 0.0 for name, _, _ in SERIES]


def right_label(row: SummaryRow) -> str:
    """ "overdue/assigned" at the right of a bar, thousands with a dot as in Vietnamese ("104/1.529")."""
    return f"{row.overdue:,}/{row.assigned:,}".replace(",", ".")


def chart_title(summary: Summary, lang: str = "vi") -> str:
    """The title, with "(đến dd/mm/yyyy)" held together by no-break spaces so wrapping never splits it."""
    key = "summary.title_assigned" if summary.view == "assigned_by" else "summary.title"
    as_of = summary.as_of.strftime("%d/%m/%Y")
    text = t(key, lang, unit=summary.unit_name, as_of=as_of)
    start = text.rfind("(", 0, text.rfind(as_of))
    return text if start < 0 else text[:start] + text[start:].replace(" ", "\u00a0")


def shown_note(shown: int, total: int, lang: str = "vi") -> str:
    return t("chart.shown_all", lang, n=total) if shown >= total else t("chart.shown_worst", lang, n=shown, total=total)


def summary_figure(summary: Summary, lang: str = "vi", top: int = 15) -> Figure:
    rows = [r for r in summary.rows if r.assigned][:top]
    total_units = sum(1 for r in summary.rows if r.assigned)
    title = "\n".join(textwrap.wrap(chart_title(summary, lang), TITLE_CHARS, break_long_words=False))
    title_lines = title.count("\n") + 1
    head_in = 0.35 + 0.32 * title_lines + 0.35  # title lines, the note
    foot_in = 1.25  # axis label and a two-line legend
    height = head_in + _ROW_IN * max(len(rows), 3) + foot_in
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.suptitle(title, fontsize=TITLE_PT, fontweight="bold", y=1 - 0.15 / height, va="top", linespacing=1.15)
    fig.text(
        0.5,
        1 - (0.2 + 0.32 * title_lines + 0.12) / height,
        shown_note(len(rows), total_units, lang),
        ha="center",
        va="top",
        fontsize=NOTE_PT,
        color="#424242",
    )
    left_in, right_in = 2.75, 1.05  # unit names on the left, "overdue/total" on the right
    ax = fig.add_axes(
        (
            left_in / WIDTH_IN,
            foot_in / height,
            1 - (left_in + right_in) / WIDTH_IN,
            (height - head_in - foot_in) / height,
        )
    )
    y = list(range(len(rows)))[::-1]  # worst at the top
    lefts = [0.0] * len(rows)
    px_per_pct = ax.get_position().width * WIDTH_IN * DPI / 100
    for i, (name, colour, ink) in enumerate(SERIES):
        widths = [shares(r)[i] for r in rows]
        bars = ax.barh(
            y,
            widths,
            left=lefts,
            color=colour,
            height=0.72,
            label=t(f"col.{name}", lang),
            edgecolor="white",
            linewidth=0.6,
        )
        for patch in bars:
            patch.set_gid(name)
        for row, yy, x0, w in zip(rows, y, lefts, widths, strict=True):
            count = getattr(row, name)
            text_px = len(str(count)) * VALUE_PT * 0.62 * DPI / 72 + 12  # the digits and a margin
            if count and w * px_per_pct >= text_px:  # skip segments too narrow to hold their count
                ax.text(x0 + w / 2, yy, str(count), ha="center", va="center", fontsize=VALUE_PT, color=ink, gid="value")
        lefts = [a + b for a, b in zip(lefts, widths, strict=True)]
    ax.set_yticks(y, [short_name(summary_row_name(r, lang)) for r in rows], fontsize=LABEL_PT)
    for row, yy in zip(rows, y, strict=True):
        # The overdue count is always readable here, even when its segment is too narrow to hold it.
        ax.text(101.5, yy, right_label(row), ha="left", va="center", fontsize=VALUE_PT, color="#424242", gid="assigned")
    # Its header, right-aligned to the picture's edge (it is wider than the numbers under it).
    ax.text(
        1 - 0.1 / WIDTH_IN,
        len(rows) - 0.35,
        t("chart.assigned", lang),
        ha="right",
        va="bottom",
        fontsize=VALUE_PT,
        color="#424242",
        fontweight="bold",
        transform=blended_transform_factory(fig.transFigure, ax.transData),
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100%"], fontsize=VALUE_PT - 1)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(t("chart.axis", lang), fontsize=VALUE_PT - 1, color="#424242")
    fig.legend(
        *ax.get_legend_handles_labels(),
        loc="lower center",
        ncol=3,
        fontsize=LEGEND_PT,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
        handlelength=1.2,
        columnspacing=1.2,
    )
    return fig


def summary_chart(summary: Summary, lang: str = "vi", top: int = 15) -> bytes:
    fig = summary_figure(summary, lang, top)
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def write_summary_chart(path: Path, summary: Summary, lang: str = "vi") -> None:
    path.write_bytes(summary_chart(summary, lang))
