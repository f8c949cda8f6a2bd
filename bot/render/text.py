"""Plain-text (terminal) rendering of summaries and task lists.

Rich reads `[...]` in strings as markup: every piece of user or document text (titles, unit names, file
names, reasons) goes through `lit` so that a task titled "[/]" or "[bold]" is shown as typed.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.i18n import t
from db.queries import Summary, SummaryRow, TaskView

if TYPE_CHECKING:
    from ingestion.sync import SyncReport


def lit(value: object) -> str:
    """`value` as literal text in a rich table, title or print (markup escaped)."""
    return escape(str(value))


SUMMARY_COLUMNS = ["assigned", "done_on_time", "done_late", "in_progress", "overdue", "recurring", "pct_done"]


def summary_row_name(row: SummaryRow, lang: str = "vi") -> str:
    """A summary row's unit name; the unit's own tasks (beside its sub-units) marked in the reader's language."""
    return t("tasks.direct", lang, unit=row.unit_name) if row.own else row.unit_name


def summary_table(summary: Summary, lang: str = "vi") -> Table:
    title = t("summary.title", lang, unit=summary.unit_name, as_of=summary.as_of.strftime("%d/%m/%Y"))
    if summary.view == "assigned_by":
        title = t("summary.title_assigned", lang, unit=summary.unit_name, as_of=summary.as_of.strftime("%d/%m/%Y"))
    table = Table(title=lit(title), show_footer=True)
    table.add_column(t("col.unit", lang), footer=t("col.total", lang))
    table.add_column(t("col.name", lang))
    total = summary.total.as_dict()
    for c in SUMMARY_COLUMNS:
        table.add_column(t(f"col.{c}", lang), justify="right", footer=_fmt(total[c]))
    for row in summary.rows:
        d = row.as_dict()
        table.add_row(
            lit(row.unit_code),
            lit(summary_row_name(row, lang)),
            *[_fmt(d[c]) for c in SUMMARY_COLUMNS],
            style="red" if row.overdue else None,
        )
    return table


def task_table(tasks: list[TaskView], as_of: date, title: str, lang: str = "vi") -> Table:
    table = Table(title=lit(title))
    for c in ("code", "title", "name", "deadline", "source"):
        table.add_column(t(f"col.{c}", lang), overflow="fold")
    for task in tasks:
        late = task.days_late(as_of)
        deadline = task.deadline.strftime("%d/%m/%Y") if task.deadline else "—"
        if late > 0:
            deadline += " " + t("tasks.days_late", lang, n=late)
        table.add_row(
            lit(task.code),
            lit(task.title),
            lit(task.unit_name),
            deadline,
            lit(" ".join(x for x in (task.source_symbol, task.source_section) if x)),
        )
    return table


def _fmt(value: object) -> str:
    return f"{value:.1f}%" if isinstance(value, float) else str(value)


def print_table(table: Table) -> None:
    Console(width=200).print(table)


def unmet_note(kind: str, lang: str = "vi") -> str:
    """The line said before quotes that do not state the date, share, amount or duration asked for."""
    return t("ask.unmet", lang, what=t(f"ask.kind.{kind}", lang))


def refusal_text(
    searched: int, scope: tuple[str, ...], lang: str = "vi", absent: tuple[str, str, str] | None = None
) -> str:
    """What a refusal of the search says, in the reader's language: first, when the question names a part its
    document does not have, that (`Answer.absent`); then how many documents were searched and within which
    filters (the answer stores it in Vietnamese)."""
    where = t("ask.searched_n", lang, n=searched) if searched else t("ask.searched_all", lang)
    within = t("ask.searched_scope", lang, scope=", ".join(scope)) if scope else ""
    missing = t("ask.no_part", lang, part=absent[0], doc=absent[1], held=absent[2]) + " " if absent else ""
    return missing + t("ask.refused", lang, where=where, scope=within)


def version_note(name: str, version: tuple[int, int | None] | None, lang: str = "vi") -> str:
    """Which version of a document is live after a sync, and which one it replaced."""
    if version is None:
        return ""
    number, previous = version
    if previous is None:
        return t("docs.version_new", lang, n=number) if number > 1 else ""
    if previous == number:  # the same version indexed again
        return ""
    return t("docs.version_replaced", lang, n=number, prev=previous, name=name)


def sync_report_table(report: SyncReport, lang: str = "vi") -> Table:
    table = Table(title=t("ingest.report_title", lang))
    table.add_column(t("ingest.col.status", lang))
    table.add_column(t("ingest.col.source", lang), overflow="fold")
    table.add_column(t("ingest.col.reason", lang), overflow="fold")
    versions = report.versions
    for status, items in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
        for source in items:
            table.add_row(
                t(f"ingest.{status}", lang), lit(source), lit(version_note(source, versions.get(source), lang))
            )
    for source, number, live in report.older:
        table.add_row(t("ingest.older", lang), lit(source), lit(t("docs.version_older", lang, n=number, live=live)))
    for source, reason in report.failed:
        table.add_row(t("ingest.failed", lang), lit(source), lit(reason.render(lang)), style="red")
    if report.unchanged:
        table.add_row(t("ingest.unchanged", lang), t("ingest.n_files", lang, n=len(report.unchanged)), "")
    return table
