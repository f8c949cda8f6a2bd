"""The plain view objects the assistant service returns, and who is asking (`Caller`, `Me`).

Renderers (bot/render/) turn them into output; nothing here knows a transport.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from db import task_updates as tu
from db.importer import ImportReport
from db.models import Role
from db.queries import Summary, TaskView
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
    kind: str  # linked (invite redeemed) | welcome (already registered)
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


@dataclass(frozen=True)
class TaskPage:
    kind: TaskListKind
    unit_code: str
    unit_name: str
    days: int
    as_of: date
    tasks: list[TaskView]
    page: int
    pages: int
    total: int
    subunits: bool
    explicit_unit: bool
    lang: str


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
class SettingsView:
    lang: str
    digest: bool
    changed: str | None = None  # lang | digest


@dataclass(frozen=True)
class DigestView:
    official_id: int
    telegram_user_id: int
    name: str
    lang: str
    unit_code: str
    unit_name: str
    as_of: date
    overdue: list[TaskView]
    due: list[TaskView]
    summary: Summary | None = None

    @property
    def empty(self) -> bool:
        return not self.overdue and not self.due and self.summary is None


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
        answer_id, question, answer.found, answer.text, list(answer.citations), answer.note, lang,
        short=answer.short, short_rank=answer.short_rank, quotes=answer.quotes[:MAX_QUOTES],
        cited=answer.cited()[: None if answer.found else MAX_CLOSEST], body=answer.body or answer.text,
    )

