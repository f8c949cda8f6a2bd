"""Replies to task questions asked in plain words: the figure first, then the list in the command's format."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.i18n import t
from bot.render.html import (
    esc,
    plain_length,
    render_summary_text,
    render_task,
    render_task_page,
    task_status,
)
from bot.render.out import MAX_MESSAGE, Out, TextOut

if TYPE_CHECKING:
    from bot.service.questions import TaskReply


def _d(day: object) -> str:
    return day.strftime("%d/%m/%Y")  # type: ignore[attr-defined]


def figure(reply: TaskReply) -> str:
    """The one line that answers the question (plain text)."""
    lang, as_of = reply.lang, reply.as_of
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
    until = as_of + timedelta(days=page.days)
    key = "q.due" if page.total else "q.due_none"
    return t(key, lang, unit=unit, n=page.total, start=_d(as_of), end=_d(until))


def render_task_reply(reply: TaskReply) -> list[Out]:
    head = f"<b>{esc(figure(reply))}</b>"
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
