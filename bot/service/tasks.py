"""Use cases of tasks: the lists (due, overdue), one task and its source passage, done/progress with evidence,
the leaders' summary, importing a task file (admins) and the morning digest."""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from bot.i18n import t
from bot.service.access import PAGE_SIZE, ServiceBase, _Request, _safe_name
from bot.service.errors import ServiceError
from bot.service.intent import title_score
from bot.service.views import (
    Caller,
    DigestView,
    Evidence,
    ImportView,
    SummaryView,
    TaskDetail,
    TaskFold,
    TaskListKind,
    TaskPage,
    TaskSearch,
    UpdateKind,
    UpdateView,
    fold_title,
    fold_titles,
)
from db import queries, tally
from db import task_updates as tu
from db.clock import DUE_WINDOW_DAYS
from db.errors import ImportRejected
from db.models import Role, TaskStatus, Unit
from db.queries import UnitGroup
from db.units import get_unit
from retrieval.types import Citation

log = logging.getLogger(__name__)

MAX_DAYS = 366
GROUP_PAGE_SIZE = 20  # sub-units per page of a leader's list (a drill-down button each)
WORKBOOK_DUE_DAYS = 30  # the summary workbook's "Đến hạn 30 ngày" sheet
DIGEST_UNITS = 5  # sub-units most behind in a leader's morning digest
# A title matches the words of a status question when it has at least MATCH_SHARE of them; it matches clearly when
# it has CLEAR_SHARE of them and the next title has CLEAR_MARGIN fewer (or as many, but far more other words).
MATCH_SHARE, CLEAR_SHARE, CLEAR_MARGIN = 0.5, 0.8, 0.2
SEARCH_TITLES = 5  # candidate titles shown when none matches clearly


class TaskCases(ServiceBase):
    """Tasks: lists, one task, updates, summaries, imports, the digest."""

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
        self,
        who: Caller,
        kind: TaskListKind,
        *,
        days: int = DUE_WINDOW_DAYS,
        page: int = 0,
        unit: str | None = None,
        own: bool = False,
        start: int = 0,
    ) -> TaskPage:
        """A due or overdue list: by sub-unit for a leader's unit that has sub-units (unless `own`: only the unit's
        own tasks), otherwise by task with identical titles folded. A due list covers today to `days` days on, or
        `start` to `days` days on (a window that starts later)."""
        if kind not in ("due", "overdue"):
            raise ValueError(kind)
        days = max(0, min(int(days), MAX_DAYS))
        start = max(0, min(int(start), days)) if kind == "due" else 0
        window = f"{start}-{days}" if start else str(days)
        with self._request(who, kind, f"days={window} page={page} unit={unit or ''}{' own' if own else ''}") as req:
            target, subunits, explicit = self._list_scope(req, unit)
            subunits = subunits and not own and target.rgt - target.lft > 1  # a unit without sub-units: its own
            as_of = self.clock()
            if kind == "due":
                rows = queries.due_soon(
                    req.session, target.code, days, include_subunits=subunits, as_of=as_of, start=start
                )
            else:
                rows = queries.overdue(req.session, target.code, include_subunits=subunits, as_of=as_of)
            req.detail += f" | {len(rows)} tasks"
            groups: list[UnitGroup] = []
            folds: list[TaskFold] = []
            if subunits:  # a unit with sub-units: one item per sub-unit
                groups = queries.group_by_subunit(req.session, target.code, rows)
                size, items = GROUP_PAGE_SIZE, len(groups)
            else:
                folds = fold_titles(rows)
                size, items = PAGE_SIZE, len(folds)
            pages = max(1, -(-items // size))
            page = max(0, min(page, pages - 1))
            groups, folds = groups[page * size : (page + 1) * size], folds[page * size : (page + 1) * size]
            return TaskPage(
                kind=kind,
                unit_code=target.code,
                unit_name=target.name,
                days=days,
                as_of=as_of,
                tasks=[t for f in folds for t in f.tasks],
                page=page,
                pages=pages,
                total=len(rows),
                subunits=subunits,
                explicit_unit=explicit or own,
                lang=req.me.lang,
                folds=folds,
                groups=groups,
                items=items,
                own=own,
                first=page * size,
                start=start,
            )

    # ------------------------------------------------------------------ one task

    def find_tasks(self, who: Caller, words: str, unit: str | None = None) -> TaskSearch:
        """Tasks whose title has these (folded) words, within what /viec and /trehan show the caller: an official
        their unit's, a leader their subtree's (a unit they name must be in it, refused as /trehan refuses)."""
        words = " ".join(words.split())[:200]
        with self._request(who, "find_task", f"{words} unit={unit or ''}") as req:
            target, subunits, _ = self._list_scope(req, unit)
            titles: dict[str, list[str]] = {}  # folded title → the titles stored ("… kỳ 10/08/2025" folded away)
            for title, _n in queries.task_titles(req.session, target.code, include_subunits=subunits):
                titles.setdefault(fold_title(title).casefold(), []).append(title)
            scored = sorted(
                ((title_score(words, key), key) for key in titles),
                key=lambda item: (-item[0][0], -item[0][1], item[1]),
            )
            scored = [(score, key) for score, key in scored if score[0] >= MATCH_SHARE]
            clear = bool(scored) and scored[0][0][0] >= CLEAR_SHARE
            if clear and len(scored) > 1:
                (best, best_prec), (next_, next_prec) = scored[0][0], scored[1][0]
                clear = next_ <= best - CLEAR_MARGIN or (next_ == best and next_prec <= best_prec - CLEAR_MARGIN)
            chosen = [key for _, key in scored[: 1 if clear else SEARCH_TITLES]]
            rows = queries.tasks_titled(
                req.session, target.code, [t for key in chosen for t in titles[key]], include_subunits=subunits
            )
            rows.sort(key=lambda r: (r.completed_on is not None, r.deadline is None, r.deadline, r.code))
            by_key = {fold_title(fold.first.title).casefold(): fold for fold in fold_titles(rows)}
            folds = [by_key[k] for k in chosen if k in by_key]
            req.detail += f" | {'clear' if clear else len(folds)} {sum(len(f.tasks) for f in folds)} tasks"
            return TaskSearch(
                words, target.code, target.name, subunits, self.clock(), req.me.lang, folds, clear and len(folds) == 1
            )

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
        """Keep the file in the store (the database by default: any replica reads it); its key is the reference
        the task's history shows, `evidence/<TASK>/<local time>_<name>` as the files under TROLY_DATA_DIR were."""
        stamp = self.time.local(self.time.now()).strftime("%Y%m%d-%H%M%S-%f")
        key = f"evidence/{_safe_name(code)}/{stamp}_{_safe_name(evidence.filename)}"
        self.services.store.put(key, evidence.data)
        return key

    def update_task(
        self,
        who: Caller,
        kind: UpdateKind,
        code: str,
        note: str | None = None,
        evidence: Evidence | None = None,
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
            tally.advance(s, as_of)  # once a day: then every summary for today reads the tally alone
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
                    raise ServiceError(exc.render(req.me.lang), req.me.lang) from exc
            req.detail += f" | {report.as_dict()}"
            return ImportView(name, report, req.me.lang)

    # ------------------------------------------------------------------ the morning digest

    def digests(self, *, days: int = DUE_WINDOW_DAYS) -> list[DigestView]:
        """What each official who wants a digest should get this morning, grouped as their /trehan and /viec
        lists are (see `DigestView`); officials with nothing overdue and nothing due are left out."""
        as_of = self.clock()
        out: list[DigestView] = []
        with self.db.session() as s:
            tally.advance(s, as_of)  # each morning: the day's summaries then read the tally alone
            for official in tu.digest_recipients(s):
                unit = official.unit
                # the lists' scope: a leader's unit with sub-units by sub-unit, anything else its own tasks
                subunits = official.role in (Role.LEADER, Role.ADMIN) and unit.rgt - unit.lft > 1
                overdue = queries.overdue(s, unit.code, include_subunits=subunits, as_of=as_of)
                due = queries.due_soon(s, unit.code, days, include_subunits=subunits, as_of=as_of)
                if not overdue and not due:
                    continue
                assert official.telegram_user_id is not None
                base = DigestView(
                    official.id,
                    official.telegram_user_id,
                    official.full_name,
                    official.language or "vi",
                    unit.code,
                    unit.name,
                    as_of,
                    days,
                    len(overdue),
                    len(due),
                )
                if subunits:
                    late = queries.group_by_subunit(s, unit.code, overdue)
                    soon = queries.group_by_subunit(s, unit.code, due) if due else []
                    view = replace(
                        base,
                        subunits=True,
                        late_units=late[:DIGEST_UNITS],
                        late_unit_count=len(late),
                        due_unit_count=len(soon),
                    )
                else:
                    view = replace(base, overdue=fold_titles(overdue), due=fold_titles(due))
                out.append(view)
            tu.audit(s, channel="job", action="digest", detail=f"{len(out)} digests as of {as_of.isoformat()}")
        return out


def _norm_section(section: str) -> str:
    return re.sub(r"[\s›>.)(]+", " ", section.lower()).strip()
