"""Replies to task questions asked in plain words: the figure first, then the list in the command's format."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.i18n import t
from bot.render.html import (
    FOLD_CODES,
    esc,
    plain_length,
    render_summary_text,
    render_task,
    render_task_page,
    task_status,
    texts,
)
from bot.render.out import MAX_MESSAGE, Out, TextOut

if TYPE_CHECKING:
    from datetime import date

    from bot.service.questions import TaskReply
    from bot.service.views import TaskFold, TaskSearch
    from db.queries import TaskView


def _d(day: object) -> str:
    return day.strftime("%d/%m/%Y")  # type: ignore[attr-defined]


def _state(task: TaskView, as_of: date, lang: str) -> str:
    """One task's category as /nhiemvu states it."""
    if task.deadline is None:
        return t("status.recurring", lang)
    if task.completed_on is not None:
        key = "status.done_on_time" if task.completed_on <= task.deadline else "status.done_late"
        return t(key, lang, date=_d(task.completed_on))
    if task.deadline >= as_of:
        return t("status.in_progress", lang, n=(task.deadline - as_of).days)
    return t("status.overdue", lang, n=(as_of - task.deadline).days)


def _counts(fold: TaskFold, as_of: date, lang: str) -> str:
    done = sum(1 for task in fold.tasks if task.completed_on is not None)
    late = sum(1 for task in fold.tasks if task.completed_on is None and task.deadline and task.deadline < as_of)
    return t("q.search_counts", lang, overdue=late, open=len(fold.tasks) - done - late, done=done)


def _unit_of(search: TaskSearch) -> str:
    return search.unit_name + (f" {t('tasks.subunits', search.lang)}" if search.subunits else "")


def search_figure(search: TaskSearch) -> str:
    lang, unit = search.lang, _unit_of(search)
    if not search.folds:
        return t("q.search_none", lang, unit=unit)
    if search.clear:
        fold = search.folds[0]
        return t(
            "q.search_one",
            lang,
            title=fold.title,
            n=len(fold.tasks),
            unit=unit,
            counts=_counts(fold, search.as_of, lang),
        )
    return t("q.search_some", lang, n=len(search.folds), unit=unit)


def search_lines(search: TaskSearch) -> list[str]:
    """One item per title: a single task with its state, several with their counts and first codes (open first)."""
    lang, as_of, lines = search.lang, search.as_of, []
    for fold in search.folds:
        if len(fold.tasks) == 1:
            task = fold.first
            line = f"• <code>{esc(task.code)}</code> {esc(task.title)}\n   {esc(_state(task, as_of, lang))}"
        else:
            line = f"• {esc(fold.title)} <b>× {len(fold.tasks)}</b>: {esc(_counts(fold, as_of, lang))}"
            codes = ", ".join(f"<code>{esc(task.code)}</code>" for task in fold.tasks[:FOLD_CODES])
            line += f"\n   {codes}" + (f" +{len(fold.tasks) - FOLD_CODES}" if len(fold.tasks) > FOLD_CODES else "")
        if search.subunits:
            units = list(dict.fromkeys(task.unit_name for task in fold.tasks))
            shown = ", ".join(units[:3]) + (f" +{len(units) - 3}" if len(units) > 3 else "")
            line += f" · 🏢 {esc(shown)}"
        lines.append(line)
    if search.folds:
        lines.append(f"<i>{esc(t('q.search_hint', lang))}</i>")
    return lines


def figure(reply: TaskReply) -> str:
    """The one line that answers the question (plain text)."""
    lang, as_of = reply.lang, reply.as_of
    if reply.search is not None:
        return search_figure(reply.search)
    if reply.detail is not None:
        task = reply.detail.task
        return t("q.status", lang, code=task.code, status=task_status(reply.detail))
    if reply.summary is not None:
        s = reply.summary.summary
        if reply.intent.kind == "latest":
            late = [r for r in s.rows if r.overdue > 0]
            if not late:
                return t("q.latest_none", lang, unit=s.unit_name, date=_d(s.as_of))
            worst = late[0]
            return t(
                "q.latest",
                lang,
                late=len(late),
                units=len(s.rows),
                unit=s.unit_name,
                name=worst.unit_name,
                n=worst.overdue,
                date=_d(s.as_of),
            )
        tot = s.total
        return t(
            "q.progress",
            lang,
            unit=s.unit_name,
            done=tot.done,
            assigned=tot.assigned,
            pct=f"{tot.pct_done:.1f}".replace(".", "," if lang == "vi" else "."),
            overdue=tot.overdue,
            in_progress=tot.in_progress,
            recurring=tot.recurring,
            date=_d(s.as_of),
        )
    page = reply.page
    assert page is not None
    unit = page.unit_name + (f" {t('tasks.subunits', lang)}" if page.subunits else "")
    if reply.due_total is not None:
        return t("q.progress_official", lang, unit=unit, overdue=page.total, due=reply.due_total, date=_d(as_of))
    if page.kind == "overdue":
        key = "q.overdue" if page.total else "q.overdue_none"
        return t(key, lang, unit=unit, n=page.total, date=_d(as_of))
    first, until = as_of + timedelta(days=page.start), as_of + timedelta(days=page.days)
    key = "q.due" if page.total else "q.due_none"
    return t(key, lang, unit=unit, n=page.total, start=_d(first), end=_d(until))


def render_task_reply(reply: TaskReply) -> list[Out]:
    head = f"<b>{esc(figure(reply))}</b>"
    if reply.search is not None:
        lines = search_lines(reply.search)
        return texts([head, *lines] if lines else [head])
    if reply.detail is not None:
        outs = render_task(reply.detail)
    elif reply.summary is not None:
        outs = [render_summary_text(reply.summary)]
    else:
        assert reply.page is not None
        outs = [render_task_page(reply.page)]
    first = outs[0]
    if isinstance(first, TextOut) and plain_length(f"{head}\n\n{first.html}") <= MAX_MESSAGE:
        outs = [TextOut(f"{head}\n\n{first.html}", first.buttons), *outs[1:]]
    else:
        outs = [TextOut(head), *outs]
    if reply.also_documents:
        outs.append(TextOut(f"<i>{esc(t('q.both', reply.lang))}</i>"))
    return outs
