"""Task questions in plain words, answered from the task database.

`TaskQuestions.answer` reads a message (`bot.service.intent`) and, when it asks about tasks, calls the very
service methods the commands call — /viec and /trehan (`Assistant.tasks`), /tonghop (`Assistant.summary`),
/nhiemvu (`Assistant.task`) — so the scope checks, refusals and audit entries are the commands' own. It returns
None for a question about the documents (the dialog then searches them as before).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from bot.service.core import Assistant
from bot.service.errors import NotRegistered
from bot.service.intent import DOCUMENTS, SELF, Intent, UnitDirectory, UnitEntry, parse, window_dates
from bot.service.views import Caller, Me, SummaryView, TaskDetail, TaskPage, TaskSearch
from db.clock import DUE_WINDOW_DAYS
from db.units import unit_rows

DEFAULT_DUE_DAYS = DUE_WINDOW_DAYS  # as /viec


@dataclass(frozen=True)
class TaskReply:
    """What a task question got: the intent and the view of the command that answers it."""

    intent: Intent
    lang: str
    as_of: date
    page: TaskPage | None = None  # due | overdue (and progress for an official: the overdue list)
    summary: SummaryView | None = None  # progress | latest (leaders)
    detail: TaskDetail | None = None  # status
    due_total: int | None = None  # progress for an official: how many are due in the next days
    due_until: date | None = None  # due: the last day of the window asked for
    search: TaskSearch | None = None  # status asked by title words, when they name no single task

    @property
    def also_documents(self) -> bool:
        return self.intent.route == "both"


class TaskQuestions:
    def __init__(self, assistant: Assistant, *, units_ttl: float = 60.0) -> None:
        self.assistant = assistant
        self.units_ttl = units_ttl  # units change rarely (an import): names are re-read at most this often
        self._units: tuple[float, UnitDirectory] | None = None

    def directory(self) -> UnitDirectory:
        now = time.monotonic()
        if self._units is None or now - self._units[0] > self.units_ttl:
            with self.assistant.db.session() as s:
                rows = unit_rows(s)
            self._units = (now, UnitDirectory(UnitEntry(r.code, r.name, r.level, r.parent) for r in rows))
        return self._units[1]

    def _unit(self, intent: Intent, me: Me, units: UnitDirectory) -> str | None:
        """The unit code the commands get (None: the caller's own unit, as a command without one)."""
        if intent.unit != SELF:
            return intent.unit
        if intent.self_level == "province":  # a bare "thành phố" / "tỉnh": the caller's province
            for code in units.ancestors(me.unit_code):
                if units.units[code].kind == "province":
                    return None if code == me.unit_code else code
        return None

    def answer(self, who: Caller, text: str) -> TaskReply | None:
        try:
            me = self.assistant.whoami(who)
        except NotRegistered:
            return None  # the document search refuses (and audits) as it always has
        units = self.directory()
        intent = parse(text, units, caller_unit=me.unit_code)
        if intent.route == DOCUMENTS or intent.kind is None:
            return None
        a, today = self.assistant, self.assistant.clock()
        unit = self._unit(intent, me, units)
        if intent.kind == "status" and intent.title:
            search = a.find_tasks(who, intent.title, unit)
            if search.clear and len(search.folds[0].tasks) == 1:  # one task: shown as /nhiemvu shows it
                return TaskReply(intent, me.lang, today, detail=a.task(who, search.folds[0].first.code))
            return TaskReply(intent, me.lang, today, search=search)
        if intent.kind == "status":
            return TaskReply(intent, me.lang, today, detail=a.task(who, intent.code or ""))
        if intent.kind == "overdue":
            return TaskReply(intent, me.lang, today, page=a.tasks(who, "overdue", unit=unit))
        if intent.kind == "due":
            first, until = window_dates(intent.window, today) if intent.window else (today, None)
            days = (until - today).days if until else DEFAULT_DUE_DAYS
            page = a.tasks(who, "due", days=days, unit=unit, start=(first - today).days)
            return TaskReply(intent, me.lang, today, page=page, due_until=until)
        if intent.kind == "progress" and not me.is_leader:
            # /tonghop is for leaders; an official's progress is what /trehan and /viec show them
            page = a.tasks(who, "overdue", unit=unit)
            due = a.tasks(who, "due", days=DEFAULT_DUE_DAYS, unit=unit)
            return TaskReply(intent, me.lang, today, page=page, due_total=due.total)
        # progress (leaders) and latest: the summary /tonghop shows, with its scope check and refusal
        return TaskReply(intent, me.lang, today, summary=a.summary(who, unit))
