"""The assistant service: one request from an official becomes work here.

Every public method takes the `Caller` (who the transport says is speaking), resolves the official
again from the database (nothing is trusted from a previous call, a menu or callback data), checks
role and unit scope, does the work through `db`/`retrieval`/`ingestion`, writes one audit entry
(allowed or refused) and returns plain view objects. Transports (Telegram, console) only parse and render.

Scope: an official sees their own unit; a leader their unit and every unit below it (nested sets);
an admin everything, plus the admin commands.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import t
from bot.services import Services
from db import queries
from db import task_updates as tu
from db.errors import DbError, ImportRejected, InviteInvalid
from db.importer import ImportReport
from db.models import Official, Role, TaskStatus, Unit
from db.queries import Summary, TaskView
from db.units import get_unit
from retrieval.types import Answer, Citation, Quote

log = logging.getLogger(__name__)

PAGE_SIZE = 10
MAX_DAYS = 366
TASK_FILE_SUFFIXES = (".xlsx", ".xlsm", ".csv")
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".txt", ".md", ".html", ".htm")


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


# --- errors ---------------------------------------------------------------------------------------


class ServiceError(Exception):
    """A user-safe message, already in the user's language."""

    def __init__(self, message: str, lang: str = "vi") -> None:
        super().__init__(message)
        self.message, self.lang = message, lang


class NotRegistered(ServiceError):
    """The speaker is not a (active) registered official."""


class Denied(ServiceError):
    """The official may not do this (role or unit scope)."""


class Unavailable(ServiceError):
    """A part of the system is down (no index, no document library)."""


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
    kind: str  # due | overdue
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
    kind: str  # done | progress
    note: str | None
    evidence: str | None
    completed_on: date | None
    lang: str


WORKBOOK_DUE_DAYS = 30  # the summary workbook's "Đến hạn 30 ngày" sheet


@dataclass(frozen=True)
class SummaryView:
    summary: Summary
    drill: list[str]  # row unit codes that have sub-units
    overdue_tasks: list[TaskView]
    lang: str
    parent_code: str | None = None
    due_tasks: list[TaskView] = field(default_factory=list)  # due in the next 30 days (the workbook)
    assigners: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # row code → assigning units


def deep_link(bot_username: str, code: str) -> str:
    """The /start link an invite is redeemed with (Telegram passes `code` as the /start argument)."""
    return f"https://t.me/{bot_username}?start={code}"


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
    report: Any  # ingestion.sync.SyncReport
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


@dataclass
class _Request:
    session: Session
    me: Me
    detail: str = ""


# the commands, in the order /help lists them, with the least role that may use them
COMMANDS: list[tuple[str, Role]] = [
    ("due", Role.OFFICIAL), ("overdue", Role.OFFICIAL), ("task", Role.OFFICIAL), ("done", Role.OFFICIAL),
    ("progress", Role.OFFICIAL), ("summary", Role.LEADER), ("settings", Role.OFFICIAL), ("help", Role.OFFICIAL),
    ("reload", Role.ADMIN), ("invite", Role.ADMIN), ("users", Role.ADMIN), ("import", Role.ADMIN),
    ("adddoc", Role.ADMIN),
]
_RANK = {Role.OFFICIAL: 0, Role.LEADER: 1, Role.ADMIN: 2}


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


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-]+", "_", base, flags=re.UNICODE).strip("._") or "file"
    return cleaned[:120]


class Assistant:
    """The transport-independent service. Synchronous; transports call it from a worker thread."""

    def __init__(
        self, services: Services, *, clock: Callable[[], date] | None = None, bot_username: str = "troly_bot",
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """`now` (aware datetimes) drives the one clock (today is TZ_NAME's date, as in the CLI); `clock`,
        a provider of today's date, overrides the date alone (tests written before `now`)."""
        self.services = services
        self.db = services.db
        self.settings = services.settings
        self.time = self.settings.clock(now)
        self.clock: Callable[[], date] = clock or self.time.today
        self.bot_username = bot_username
        self.evidence_dir = self.settings.data_dir / "evidence"

    # ------------------------------------------------------------------ plumbing

    def _identify(self, session: Session, who: Caller) -> Me:
        official: Official | None = None
        if who.official_id is not None:
            official = session.get(Official, who.official_id)
        elif who.telegram_user_id is not None:
            official = session.scalar(select(Official).where(Official.telegram_user_id == who.telegram_user_id))
        if official is None or not official.active:
            raise NotRegistered(t("auth.unknown", who.lang), who.lang)
        unit = session.get(Unit, official.unit_id)
        assert unit is not None
        return Me(
            id=official.id, name=official.full_name, role=Role(official.role), unit_id=unit.id, unit_code=unit.code,
            unit_name=unit.name, lft=unit.lft, rgt=unit.rgt, lang=official.language or "vi", digest=official.digest,
            telegram_user_id=official.telegram_user_id,
        )

    def _audit(self, who: Caller, action: str, *, allowed: bool, detail: str, official_id: int | None) -> None:
        try:
            with self.db.session() as s:
                tu.audit(s, channel=who.channel, action=action, allowed=allowed, official_id=official_id,
                         telegram_user_id=who.telegram_user_id, detail=detail)
        except Exception:  # noqa: BLE001 - a failing audit write must not hide the user's answer
            log.exception("audit write failed for %s", action)

    @contextmanager
    def _request(
        self, who: Caller, action: str, detail: str = "", *, role: Role = Role.OFFICIAL, audit_ok: bool = True,
    ) -> Iterator[_Request]:
        """One request: identify, check the role, run, audit (in the same transaction when it succeeds).

        `audit_ok=False` is for pre-checks whose follow-up call writes the entry: only refusals are logged.
        """
        official_id: int | None = None
        try:
            with self.db.session() as s:
                me = self._identify(s, who)
                official_id = me.id
                if _RANK[me.role] < _RANK[role]:
                    raise Denied(t(f"deny.{role.value}", me.lang), me.lang)
                req = _Request(s, me, detail)
                yield req
                if audit_ok:
                    tu.audit(s, channel=who.channel, action=action, allowed=True, official_id=me.id,
                             telegram_user_id=who.telegram_user_id, detail=req.detail)
        except (NotRegistered, Denied) as exc:
            self._audit(who, action, allowed=False, detail=f"{detail} | {exc.message}".strip(" |"),
                        official_id=official_id)
            raise
        except ServiceError as exc:
            self._audit(who, action, allowed=True, detail=f"{detail} | {exc.message}".strip(" |"),
                        official_id=official_id)
            raise
        except DbError as exc:
            self._audit(who, action, allowed=True, detail=f"{detail} | {exc}".strip(" |"), official_id=official_id)
            lang = who.lang
            raise ServiceError(str(exc), lang) from exc

    def _deny(self, req: _Request, key: str, **params: object) -> Denied:
        return Denied(t(key, req.me.lang, **params), req.me.lang)

    def identify(self, who: Caller, action: str, detail: str = "") -> Me:
        """The official behind `who`, audited as `action` (refused if not registered)."""
        with self._request(who, action, detail) as req:
            return req.me

    def require_admin(self, who: Caller, action: str) -> Me:
        """Pre-check for an admin command (only a refusal is audited; the command itself audits the rest)."""
        with self._request(who, action, role=Role.ADMIN, audit_ok=False) as req:
            return req.me

    def require_library(self, who: Caller, action: str) -> Me:
        """Pre-check for /reload and document uploads: an admin, and a document library that is up."""
        with self._request(who, action, role=Role.ADMIN, audit_ok=False) as req:
            self._library(req.me.lang)
            return req.me

    def check_task_access(self, who: Caller, action: str, code: str) -> None:
        """Pre-check before an evidence file is downloaded: the task exists and is within scope."""
        with self._request(who, action, code, audit_ok=False) as req:
            self._visible_task(req, code)

    def unknown_command(self, who: Caller, name: str) -> None:
        with self._request(who, "unknown_command", f"/{name}"[:64]) as req:
            raise ServiceError(t("cmd.unknown", req.me.lang, name=name[:32]), req.me.lang)

    def unknown_button(self, who: Caller, data: str) -> None:
        with self._request(who, "unknown_button", data[:64]):
            pass

    def whoami(self, who: Caller) -> Me:
        """The official behind `who` (no audit: used by transports to pick the language)."""
        with self.db.session() as s:
            return self._identify(s, who)

    # ------------------------------------------------------------------ registration, help, settings

    def start(self, who: Caller, code: str | None = None) -> StartView:
        code = (code or "").strip()
        if code:
            if who.telegram_user_id is None:
                raise ServiceError(t("start.telegram_only", who.lang), who.lang)
            from db.users import check_attempts, record_wrong_code, redeem_invite

            now = self.time.now()
            try:
                with self.db.session() as s:
                    # wrong codes are counted in the database: the limit holds across restarts and replicas
                    check_attempts(s, who.telegram_user_id, now=now)
                    official = redeem_invite(s, code, telegram_user_id=who.telegram_user_id,
                                             full_name=who.full_name or "?", language=who.lang, now=now)
                    me = self._identify(s, Caller(who.channel, official_id=official.id))
                    tu.audit(s, channel=who.channel, action="start", official_id=me.id,
                             telegram_user_id=who.telegram_user_id, detail=f"invite {code[:4]}… → {me.unit_code} {me.role}")
            except DbError as exc:
                if isinstance(exc, InviteInvalid):
                    with self.db.session() as s:
                        record_wrong_code(s, who.telegram_user_id, now=now)
                self._audit(who, "start", allowed=False, detail=f"invite {code[:4]}… | {exc}", official_id=None)
                raise Denied(str(exc) if who.lang == "vi" else t("start.bad_code", "en", reason=str(exc)), who.lang) from exc
            return StartView("linked", me)
        with self._request(who, "start") as req:
            return StartView("welcome", req.me)

    def help(self, who: Caller) -> HelpView:
        with self._request(who, "help") as req:
            allowed = [name for name, least in COMMANDS if _RANK[req.me.role] >= _RANK[least]]
            return HelpView(req.me, allowed, self.services.answerer is not None)

    def get_settings(self, who: Caller) -> SettingsView:
        with self._request(who, "settings") as req:
            return SettingsView(req.me.lang, req.me.digest)

    def update_settings(self, who: Caller, *, language: str | None = None, digest: bool | None = None) -> SettingsView:
        detail = f"language={language}" if language is not None else f"digest={digest}"
        with self._request(who, "settings", detail) as req:
            official = req.session.get(Official, req.me.id)
            assert official is not None
            changed = None
            if language is not None:
                if language not in ("vi", "en"):
                    raise ServiceError(t("settings.bad_lang", req.me.lang), req.me.lang)
                official.language, changed = language, "lang"
            if digest is not None:
                official.digest, changed = digest, "digest"
            return SettingsView(official.language, official.digest, changed)

    # ------------------------------------------------------------------ questions and feedback

    def ask(self, who: Caller, question: str) -> AnswerView:
        question = question.strip()
        with self._request(who, "ask", question[:200]) as req:
            lang = req.me.lang
            answerer = self.services.answerer
            if answerer is None:
                req.detail += " | no index"
                return AnswerView(None, question, False, t("ask.unavailable", lang), [], "", lang, unavailable=True)
            try:
                answer: Answer = answerer.answer(question, k=5)
            except Exception as exc:  # noqa: BLE001 - the index or the LLM is down: say so, keep serving
                log.warning("answering failed: %s", exc, exc_info=True)
                req.detail += f" | failed: {type(exc).__name__}"
                return AnswerView(None, question, False, t("ask.failed", lang), [], "", lang, unavailable=True)
            answer_id = tu.store_answer(
                req.session, official_id=req.me.id, channel=who.channel, question=question, answer=answer.text,
                found=answer.found, citations=[c.as_dict() for c in answer.citations], note=answer.note,
            )
            req.detail += f" | answer {answer_id} found={answer.found}"
            return answer_view(answer_id, question, answer, lang)

    def vote(self, who: Caller, answer_id: int, up: bool) -> str:
        with self._request(who, "feedback", f"answer {answer_id} {'+' if up else '-'}") as req:
            try:
                tu.record_vote(req.session, answer_id, official_id=req.me.id, vote=1 if up else -1)
            except DbError as exc:
                raise self._deny(req, "feedback.not_yours") from exc
            return t("feedback.thanks", req.me.lang)

    # ------------------------------------------------------------------ task lists

    def _list_scope(self, req: _Request, unit_code: str | None) -> tuple[Unit, bool, bool]:
        """(unit, include sub-units, explicitly asked) after checking the official may see it."""
        me, s = req.me, req.session
        if not unit_code or unit_code.upper() == me.unit_code.upper():
            unit = s.get(Unit, me.unit_id)
            assert unit is not None
            return unit, me.is_leader, False
        unit = get_unit(s, unit_code.strip().upper())
        if not me.sees_unit(unit.id, unit.lft):
            raise self._deny(req, "deny.unit", unit=unit.code)
        return unit, me.is_leader, True

    def tasks(
        self, who: Caller, kind: str, *, days: int = 7, page: int = 0, unit: str | None = None,
    ) -> TaskPage:
        if kind not in ("due", "overdue"):
            raise ValueError(kind)
        days = max(0, min(int(days), MAX_DAYS))
        with self._request(who, kind, f"days={days} page={page} unit={unit or ''}".strip()) as req:
            target, subunits, explicit = self._list_scope(req, unit)
            as_of = self.clock()
            if kind == "due":
                rows = queries.due_soon(req.session, target.code, days, include_subunits=subunits, as_of=as_of)
            else:
                rows = queries.overdue(req.session, target.code, include_subunits=subunits, as_of=as_of)
            pages = max(1, -(-len(rows) // PAGE_SIZE))
            page = max(0, min(page, pages - 1))
            req.detail += f" | {len(rows)} tasks"
            return TaskPage(kind, target.code, target.name, days, as_of, rows[page * PAGE_SIZE:(page + 1) * PAGE_SIZE],
                            page, pages, len(rows), subunits, explicit, req.me.lang)

    # ------------------------------------------------------------------ one task

    def _visible_task(self, req: _Request, code: str) -> tu.TaskRecord:
        task = tu.find_task(req.session, code)
        if not req.me.sees_unit(task.unit_id, task.unit_lft):
            raise self._deny(req, "deny.task", code=task.code)
        return task

    def _passage(self, task: tu.TaskRecord) -> Citation | None:
        answerer = self.services.answerer
        if answerer is None or not task.source_symbol:
            return None
        from retrieval.protocols import SearchFilters

        query = " ".join(x for x in (task.source_section, task.title) if x)
        try:
            answer = answerer.answer(query, k=3, filters=SearchFilters(symbols=(task.source_symbol,)))
        except Exception as exc:  # noqa: BLE001 - the passage is a nicety; the task is shown anyway
            log.warning("source passage lookup failed: %s", exc)
            return None
        if not answer.citations:
            return None
        wanted = _norm_section(task.source_section or "")
        for c in answer.citations:
            if wanted and _norm_section(c.section).startswith(wanted):
                return c
        return answer.citations[0]

    def task(self, who: Caller, code: str) -> TaskDetail:
        code = code.strip()
        if not code:
            raise ServiceError(t("task.usage", who.lang), who.lang)
        with self._request(who, "task", code) as req:
            task = self._visible_task(req, code)
            events = [replace(e, at=self.time.local(e.at)) for e in tu.task_history(req.session, task.id)]
        # the passage search runs outside the transaction (it may be slow)
        return TaskDetail(task, events, self._passage(task), self.clock(), task.status != TaskStatus.DONE, req.me.lang)

    def _save_evidence(self, code: str, evidence: Evidence) -> str:
        folder = self.evidence_dir / _safe_name(code)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = self.time.local(self.time.now()).strftime("%Y%m%d-%H%M%S-%f")
        path = folder / f"{stamp}_{_safe_name(evidence.filename)}"
        path.write_bytes(evidence.data)
        return str(path.relative_to(self.settings.data_dir))

    def update_task(
        self, who: Caller, kind: str, code: str, note: str | None = None, evidence: Evidence | None = None,
    ) -> UpdateView:
        """`done` (closes the task, as of today) or `progress` (a note); both kept in the task's history."""
        if kind not in ("done", "progress"):
            raise ValueError(kind)
        code, note = code.strip(), (note or "").strip() or None
        if not code or (kind == "progress" and not note):
            raise ServiceError(t(f"{kind}.usage", who.lang), who.lang)
        detail = f"{code} {note or ''}".strip()[:300]
        with self._request(who, kind, detail) as req:
            task = self._visible_task(req, code)
            ref = self._save_evidence(task.code, evidence) if evidence is not None else None
            if ref:
                req.detail += f" | evidence {ref}"
            today = self.clock()
            if kind == "done":
                tu.mark_done(req.session, task.id, official_id=req.me.id, on=today, note=note, evidence=ref)
                return UpdateView(task.code, kind, note, ref, today, req.me.lang)
            tu.record_progress(req.session, task.id, official_id=req.me.id, note=note or "", evidence=ref)
            return UpdateView(task.code, kind, note, ref, None, req.me.lang)

    # ------------------------------------------------------------------ leaders

    def summary(self, who: Caller, unit: str | None = None) -> SummaryView:
        with self._request(who, "summary", unit or "", role=Role.LEADER) as req:
            me, s = req.me, req.session
            target = get_unit(s, unit.strip().upper()) if unit and unit.strip() else s.get(Unit, me.unit_id)
            assert target is not None
            if not me.sees_unit(target.id, target.lft):
                raise self._deny(req, "deny.unit", unit=target.code)
            as_of = self.clock()
            summary = queries.overdue_summary(s, target.code, as_of=as_of)
            late = queries.overdue(s, target.code, include_subunits=True, as_of=as_of)
            due = queries.due_soon(s, target.code, WORKBOOK_DUE_DAYS, include_subunits=True, as_of=as_of)
            assigners = queries.summary_assigners(s, summary)
            codes = [r.unit_code for r in summary.rows if r.unit_code != target.code]
            drill = [c for c in codes if c in tu.units_with_children(s, codes)] if codes else []
            parent_code = None
            if target.parent_id is not None and target.id != me.unit_id:
                parent = s.get(Unit, target.parent_id)
                if parent is not None and me.sees_unit(parent.id, parent.lft):
                    parent_code = parent.code
            req.detail += f" | {len(summary.rows)} rows"
            return SummaryView(summary, drill, late, me.lang, parent_code, due, assigners)

    # ------------------------------------------------------------------ admins

    def invite(self, who: Caller, unit: str, role: str) -> InviteView:
        from db.users import create_invite

        with self._request(who, "invite", f"{unit} {role}", role=Role.ADMIN) as req:
            if role not in {r.value for r in Role}:
                raise ServiceError(t("invite.usage", req.me.lang), req.me.lang)
            target = get_unit(req.session, unit.strip().upper())
            if not _manages(req.me, target.lft):  # an admin invites into their own unit's subtree only
                raise self._deny(req, "deny.unit", unit=target.code)
            invite = create_invite(req.session, target.code, role, now=self.time.now())
            return InviteView(invite.code, invite.unit.code, invite.unit.name, role, self.time.local(invite.expires_at),
                              deep_link(self.bot_username, invite.code), req.me.lang)

    # ------------------------------------------------------------------ admins: officials

    def _official_item(self, official: Official) -> OfficialItem:
        unit = official.unit
        return OfficialItem(official.id, official.full_name, unit.code, unit.name, Role(official.role).value,
                            bool(official.active), official.telegram_user_id is not None)

    def officials(self, who: Caller, *, page: int = 0, unit: str | None = None) -> OfficialsPage:
        """The officials of the admin's unit and every unit below it (or of one unit of that subtree)."""
        from db.users import list_officials

        with self._request(who, "users", f"page={page} unit={unit or ''}", role=Role.ADMIN) as req:
            s, me = req.session, req.me
            target = get_unit(s, unit.strip().upper()) if unit and unit.strip() else s.get(Unit, me.unit_id)
            assert target is not None
            if not _manages(me, target.lft):
                raise self._deny(req, "deny.unit", unit=target.code)
            officials = list_officials(s, lft=target.lft, rgt=target.rgt)
            pages = max(1, -(-len(officials) // PAGE_SIZE))
            page = max(0, min(page, pages - 1))
            items = [self._official_item(o) for o in officials[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]]
            req.detail += f" | {len(officials)} officials"
            return OfficialsPage(target.code, target.name, items, page, pages, len(officials), me.lang,
                                 page * PAGE_SIZE + 1)

    def _managed_official(self, req: _Request, official_id: int) -> Official:
        official = req.session.get(Official, official_id)
        if official is None:
            raise ServiceError(t("users.not_found", req.me.lang), req.me.lang)
        if not _manages(req.me, official.unit.lft):
            raise self._deny(req, "deny.official_scope", name=official.full_name)
        return official

    def official(self, who: Caller, official_id: int) -> OfficialCard:
        with self._request(who, "users", f"official {official_id}", role=Role.ADMIN) as req:
            official = self._managed_official(req, official_id)
            return OfficialCard(self._official_item(official), official.id == req.me.id, req.me.lang)

    def change_official(self, who: Caller, official_id: int, action: str, role: str | None = None) -> OfficialCard:
        """activate | deactivate | role (to `role`), for an official the admin manages; never themselves."""
        from db.users import set_active, set_role

        if action not in ("activate", "deactivate", "role"):
            raise ValueError(action)
        with self._request(who, f"users_{action}", f"official {official_id} {role or ''}".strip(),
                           role=Role.ADMIN) as req:
            official = self._managed_official(req, official_id)
            if official.id == req.me.id:
                raise self._deny(req, "deny.self")
            if action == "role":
                if role not in {r.value for r in Role}:
                    raise ValueError(role)
                changed = set_role(req.session, official, role)
            else:
                changed = set_active(req.session, official, action == "activate")
            req.detail += f" | changed={changed}"
            return OfficialCard(self._official_item(official), False, req.me.lang, action if changed else None)

    def import_tasks(self, who: Caller, filename: str, data: bytes) -> ImportView:
        from db.importer import import_tasks

        name = _safe_name(filename)
        with self._request(who, "import", name, role=Role.ADMIN) as req:
            with tempfile.TemporaryDirectory(prefix="troly-import-") as tmp:
                path = Path(tmp) / name
                path.write_bytes(data)
                try:
                    with req.session.begin_nested():  # all or nothing, and the audit entry still commits
                        report = import_tasks(req.session, path, official_id=req.me.id)
                except ImportRejected as exc:
                    req.detail += f" | rejected: {len(exc.problems)} problems"
                    raise ServiceError(str(exc), req.me.lang) from exc
            req.detail += f" | {report.as_dict()}"
            return ImportView(name, report, req.me.lang)

    def _library(self, lang: str) -> Any:
        if self.services.library is None:
            raise Unavailable(t("reload.unavailable", lang, reason=self.services.library_error or "?"), lang)
        return self.services.library

    def reload(self, who: Caller, progress: Callable[[Any], None] | None = None, *, rebuild: bool = False) -> SyncView:
        """Re-sync the documents folder (long: call from a worker thread; `progress` is called from it)."""
        with self._request(who, "reload", "rebuild" if rebuild else "", role=Role.ADMIN) as req:
            library = self._library(req.me.lang)
        report = _interruptible(lambda: library.sync(rebuild=rebuild, progress=progress), req.me.lang)
        self._audit(who, "reload_done", allowed=True, detail=_sync_detail(report), official_id=req.me.id)
        return SyncView(report, req.me.lang)

    def add_document(
        self, who: Caller, filename: str, data: bytes, progress: Callable[[Any], None] | None = None,
    ) -> SyncView:
        """An admin's upload: kept under TROLY_DATA_DIR/uploads by a safe base name, indexed as the live version
        of the document of that name (a previous version stays in the history); a file that fails is not kept."""
        from ingestion.sync import safe_file_name

        name = safe_file_name(filename)
        with self._request(who, "adddoc", name, role=Role.ADMIN) as req:
            library = self._library(req.me.lang)
            if not name.lower().endswith(DOCUMENT_SUFFIXES):
                raise ServiceError(t("doc.bad_type", req.me.lang, types=" ".join(DOCUMENT_SUFFIXES)), req.me.lang)
        report = _interruptible(lambda: library.add_upload(name, data, progress=progress), req.me.lang)
        self._audit(who, "adddoc_done", allowed=True, detail=f"{name} | {_sync_detail(report)}", official_id=req.me.id)
        return SyncView(report, req.me.lang, added_file=name)

    def refuse_file(self, who: Caller, filename: str) -> None:
        """A file sent without a command by someone who may not ingest or import: audited, then refused."""
        with self._request(who, "file", _safe_name(filename), role=Role.ADMIN):
            pass

    # ------------------------------------------------------------------ the morning digest

    def digests(self, *, days: int = 7) -> list[DigestView]:
        """What each official who wants a digest should get this morning; officials with nothing are left out."""
        as_of = self.clock()
        out: list[DigestView] = []
        with self.db.session() as s:
            for official in tu.digest_recipients(s):
                unit = official.unit
                overdue = queries.overdue(s, unit.code, as_of=as_of)
                due = queries.due_soon(s, unit.code, days, as_of=as_of)
                summary = None
                if official.role in (Role.LEADER, Role.ADMIN):
                    sub = queries.overdue_summary(s, unit.code, as_of=as_of)
                    if sub.total.overdue > 0:
                        summary = sub
                assert official.telegram_user_id is not None
                view = DigestView(official.id, official.telegram_user_id, official.full_name, official.language or "vi",
                                  unit.code, unit.name, as_of, overdue, due, summary)
                if not view.empty:
                    out.append(view)
            tu.audit(s, channel="job", action="digest", detail=f"{len(out)} digests as of {as_of.isoformat()}")
        return out


def _manages(me: Me, unit_lft: int) -> bool:
    """Whether an admin manages (invites, activates, changes the role of) officials of this unit: their
    own unit's subtree. A central admin manages everyone; a provincial admin only the province."""
    return me.lft <= unit_lft <= me.rgt


def _norm_section(section: str) -> str:
    return re.sub(r"[\s›>.)(]+", " ", section.lower()).strip()


def _interruptible(sync: Callable[[], Any], lang: str) -> Any:
    """Run a document sync; one stopped because the bot is shutting down is said as such."""
    from ingestion.errors import SyncInterrupted

    try:
        return sync()
    except SyncInterrupted as exc:
        raise ServiceError(t("reload.interrupted", lang), lang) from exc


def _sync_detail(report: Any) -> str:
    parts = [f"{name}={len(getattr(report, name, []) or [])}" for name in ("added", "updated", "removed", "unchanged", "failed")]
    return " ".join(parts)
