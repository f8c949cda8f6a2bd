"""The plain view objects the assistant service returns, and who is asking (`Caller`, `Me`).

Renderers (bot/render/) turn them into output; nothing here knows a transport.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from db import task_updates as tu
from db.importer import ImportReport
from db.models import Role
from db.queries import Summary, TaskView, UnitGroup
from retrieval.types import Answer, Citation, Quote

if TYPE_CHECKING:
    from ingestion.sync import SyncReport

TaskListKind = Literal["due", "overdue"]
UpdateKind = Literal["done", "progress"]

# --- who is asking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """What the transport knows about the speaker. Telegram: the user id; console: the official id."""

    channel: str  # telegram | console | job
    telegram_user_id: int | None = None
    official_id: int | None = None
    language_code: str | None = None
    full_name: str = ""

    @property
    def lang(self) -> str:
        return "en" if (self.language_code or "").lower().startswith("en") else "vi"


@dataclass(frozen=True)
class Me:
    id: int
    name: str
    role: Role
    unit_id: int
    unit_code: str
    unit_name: str
    lft: int
    rgt: int
    lang: str
    digest: bool
    telegram_user_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_leader(self) -> bool:
        return self.role in (Role.LEADER, Role.ADMIN)

    def sees_unit(self, unit_id: int, unit_lft: int) -> bool:
        if self.role == Role.ADMIN:
            return True
        if self.role == Role.LEADER:
            return self.lft <= unit_lft <= self.rgt
        return unit_id == self.unit_id


# --- views ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartView:
    kind: Literal["linked", "welcome"]  # an invite redeemed | already registered
    me: Me


@dataclass(frozen=True)
class HelpView:
    me: Me
    commands: list[str]  # canonical command names this official may use
    answers_available: bool


@dataclass(frozen=True)
class AnswerView:
    """An answer as a renderer needs it.

    Found: `short` (the direct answer, from citation `short_rank`; "" when none), `quotes` (at most two,
    verbatim, each with its citation number) and `cited` (the citations they come from); `body` is the
    plain answer without its source lines, shown when there is neither a short answer nor a quote (an
    LLM's wording). Refused: `body` says what was searched and `cited` holds at most the two closest
    passages (which do not answer the question). `text` is the whole plain answer as stored.
    A view built without `cited` shows every citation.
    """

    id: int | None  # the stored answer (for 👍/👎); None when nothing was answered
    question: str
    found: bool
    text: str
    citations: list[Citation]
    note: str
    lang: str
    unavailable: bool = False
    short: str = ""
    short_rank: int = 0
    quotes: tuple[Quote, ...] = ()
    cited: list[Citation] = field(default_factory=list)
    body: str = ""
    unmet: str = ""  # the kind of fact asked for that the quotes do not state (Answer.unmet)
    searched: int | None = None  # a refusal of the search: how many documents, within which filters (Answer)
    scope: tuple[str, ...] = ()
    absent: tuple[str, str, str] | None = None  # the part named that its document does not have (Answer)


@dataclass(frozen=True)
class TaskFold:
    """Tasks of one list with the same title, as one line (most often one task)."""

    title: str
    tasks: list[TaskView]  # in the list's order (earliest deadline first)

    @property
    def first(self) -> TaskView:
        return self.tasks[0]


# a recurring report's period at the end of its title: "… kỳ 10/08/2025", "… tháng 11/2025", "… quý III/2025"
_PERIOD = re.compile(r"\s*[(,\-–]?\s*(?:kỳ|đợt|tháng|quý|năm|period)\s+[\dIVX]+(?:[/.\-]\d+){0,2}\)?\s*$", re.I)


def fold_title(title: str) -> str:
    """The title a task is folded under: spaces collapsed, a trailing reporting period dropped."""
    title = " ".join(title.split())
    return _PERIOD.sub("", title) or title


def fold_titles(tasks: list[TaskView]) -> list[TaskFold]:
    """Identical titles (spaces, case and a trailing reporting period aside) folded into one item, at the place
    of the first one (a list is ordered by deadline: the first is the latest)."""
    folds: dict[str, list[TaskView]] = {}
    for task in tasks:
        folds.setdefault(fold_title(task.title).casefold(), []).append(task)
    return [TaskFold(_shown_title(ts), ts) for ts in folds.values()]


def _shown_title(tasks: list[TaskView]) -> str:
    """The fold's title: the period is dropped only where the titles differ by it ("kỳ 10/08", "kỳ 10/09"); a
    title all of them share keeps its end ("… phải xong trong năm 2025" is a deadline, not a period)."""
    titles = {" ".join(t.title.split()) for t in tasks}
    return titles.pop() if len(titles) == 1 else fold_title(tasks[0].title)


@dataclass(frozen=True)
class TaskSearch:
    """Tasks looked up by words of their title within the caller's scope: `clear` when one title matches
    clearly (`folds` then holds that title's tasks; one task is shown as /nhiemvu shows it), otherwise the
    closest titles, best first, each folded with its tasks (open ones first)."""

    words: str
    unit_code: str
    unit_name: str
    subunits: bool
    as_of: date
    lang: str
    folds: list[TaskFold]
    clear: bool


@dataclass(frozen=True)
class TaskPage:
    """A page of a due or overdue list. A leader's unit with sub-units is listed by sub-unit (`groups`: one item
    per sub-unit, with a drill-down); one unit's list by task (`folds`: identical titles folded). `page`/`pages`
    count pages of those items; `total` is the number of tasks."""

    kind: TaskListKind
    unit_code: str
    unit_name: str
    days: int
    as_of: date
    tasks: list[TaskView]  # the tasks of this page's items
    page: int
    pages: int
    total: int
    subunits: bool
    explicit_unit: bool
    lang: str
    folds: list[TaskFold] = field(default_factory=list)  # by task: this page's items
    groups: list[UnitGroup] = field(default_factory=list)  # by sub-unit: this page's items
    items: int = 0  # how many items (folds or groups) on all pages
    own: bool = False  # only the unit's own tasks (a drill-down into a leader's "(trực tiếp)" row)
    first: int = 0  # the index of this page's first item among all items
    start: int = 0  # a due list's first day, in days from `as_of` (0: today)

    @property
    def grouped(self) -> bool:
        return bool(self.groups)


@dataclass(frozen=True)
class TaskDetail:
    task: tu.TaskRecord
    events: list[tu.EventView]
    passage: Citation | None
    as_of: date
    can_update: bool
    lang: str


@dataclass(frozen=True)
class UpdateView:
    code: str
    kind: UpdateKind
    note: str | None
    evidence: str | None
    completed_on: date | None
    lang: str


@dataclass(frozen=True)
class SummaryView:
    summary: Summary
    drill: list[str]  # row unit codes that have sub-units
    overdue_tasks: list[TaskView]
    lang: str
    parent_code: str | None = None
    due_tasks: list[TaskView] = field(default_factory=list)  # due in the next 30 days (the workbook)
    assigners: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # row code → assigning units


@dataclass(frozen=True)
class InviteView:
    code: str
    unit_code: str
    unit_name: str
    role: str
    expires: datetime
    link: str
    lang: str


@dataclass(frozen=True)
class OfficialItem:
    id: int
    name: str
    unit_code: str
    unit_name: str
    role: str
    active: bool
    linked: bool  # has a Telegram account


@dataclass(frozen=True)
class OfficialsPage:
    """A page of the officials an admin manages (their unit's subtree)."""

    unit_code: str
    unit_name: str
    items: list[OfficialItem]
    page: int
    pages: int
    total: int
    lang: str
    first: int = 1  # the number of the page's first official


@dataclass(frozen=True)
class OfficialCard:
    item: OfficialItem
    is_self: bool  # an admin cannot deactivate or demote themselves
    lang: str
    changed: str | None = None  # activate | deactivate | role


@dataclass(frozen=True)
class ImportView:
    filename: str
    report: ImportReport
    lang: str


@dataclass(frozen=True)
class SyncView:
    report: SyncReport
    lang: str
    added_file: str | None = None


@dataclass(frozen=True)
class JobView:
    """An ingestion job as its requester follows it: waiting (`ahead` jobs before it), running (progress), or
    finished (the sync report, or the reason it failed)."""

    job_id: int
    state: str  # queued | running | done | failed
    lang: str
    done: int = 0
    total: int = 0
    current: str = ""
    ahead: int = 0
    report: SyncView | None = None
    error: str | None = None
    added_file: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


@dataclass(frozen=True)
class SettingsView:
    lang: str
    digest: bool
    changed: str | None = None  # lang | digest


@dataclass(frozen=True)
class DigestView:
    """One official's morning digest, grouped as the lists are: an official (or a leader of a unit without
    sub-units) gets the unit's overdue and due tasks with identical titles folded; a leader of a unit with
    sub-units gets the figures of the whole subtree and the sub-units most behind (the /trehan grouping)."""

    official_id: int
    telegram_user_id: int
    name: str
    lang: str
    unit_code: str
    unit_name: str
    as_of: date
    days: int  # the due window
    overdue_total: int  # tasks (the subtree's for a leader)
    due_total: int
    overdue: list[TaskFold] = field(default_factory=list)  # by task: all folds of the unit's overdue tasks
    due: list[TaskFold] = field(default_factory=list)
    subunits: bool = False  # by sub-unit: the figures and `late_units` instead of the task lists
    late_units: list[UnitGroup] = field(default_factory=list)  # the first few of the /trehan grouping
    late_unit_count: int = 0  # how many groups the overdue tasks fall into
    due_unit_count: int = 0

    @property
    def empty(self) -> bool:
        return not self.overdue_total and not self.due_total


@dataclass(frozen=True)
class Evidence:
    filename: str
    data: bytes


MAX_QUOTES = 2  # quotes shown with an answer
MAX_CLOSEST = 2  # passages offered with a refusal


def answer_view(answer_id: int | None, question: str, answer: Answer, lang: str) -> AnswerView:
    """What a renderer shows of an answer: the direct answer, at most two quotes and the passages the
    answer uses (`Answer.cited()`); on a refusal, at most the two closest passages."""
    return AnswerView(
        answer_id,
        question,
        answer.found,
        answer.text,
        list(answer.citations),
        answer.note,
        lang,
        short=answer.short,
        short_rank=answer.short_rank,
        quotes=answer.quotes[:MAX_QUOTES],
        cited=answer.cited()[: None if answer.found else MAX_CLOSEST],
        body=answer.body or answer.text,
        unmet=answer.unmet,
        searched=answer.searched,
        scope=answer.scope,
        absent=answer.absent,
    )
