"""The overdue summary as a horizontal stacked bar chart (PNG)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from bot.i18n import t
from db.queries import Summary

_SERIES = [
    ("done_on_time", "#2e7d32"),
    ("done_late", "#9ccc65"),
    ("in_progress", "#42a5f5"),
    ("overdue", "#e53935"),
    ("recurring", "#bdbdbd"),
]


def summary_chart(summary: Summary, lang: str = "vi", top: int = 15) -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as plt

    rows = summary.rows[:top]
    labels = [r.unit_name if len(r.unit_name) <= 32 else r.unit_name[:31] + "…" for r in rows][::-1]
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(rows), 3) + 1.6), dpi=110)
    left = [0] * len(rows)
    for name, color in _SERIES:
        values = [getattr(r, name) for r in rows][::-1]
        ax.barh(labels, values, left=left, color=color, label=t(f"col.{name}", lang))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_title(t("summary.title", lang, unit=summary.unit_name, as_of=summary.as_of.strftime("%d/%m/%Y")), fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    buf = BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def write_summary_chart(path: Path, summary: Summary, lang: str = "vi") -> None:
    path.write_bytes(summary_chart(summary, lang))
