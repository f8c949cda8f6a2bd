"""The plumbing every use case goes through: who is asking, may they, and the audit entry.

Every public method takes the `Caller` (who the transport says is speaking), resolves the official
again from the database (nothing is trusted from a previous call, a menu or callback data), checks
role and unit scope, does the work through `db`/`retrieval`/`ingestion`, writes one audit entry
(allowed or refused) and returns plain view objects (bot/service/views.py).

Scope: an official sees their own unit; a leader their unit and every unit below it (nested sets);
an admin everything, plus the admin commands.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import t
from bot.service.commands import role_at_least
from bot.service.errors import Denied, NotRegistered, ServiceError, Unavailable
from bot.service.views import Caller, Me
from bot.wiring import Services
from db import task_updates as tu
from db.errors import DbError
from db.models import Official, Role, Unit

if TYPE_CHECKING:
    from ingestion.sync import Library

log = logging.getLogger(__name__)

PAGE_SIZE = 10


@dataclass
class _Request:
    session: Session
    me: Me
    detail: str = ""


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-]+", "_", base, flags=re.UNICODE).strip("._") or "file"
    return cleaned[:120]


def _manages(me: Me, unit_lft: int) -> bool:
    """Whether an admin manages (invites, activates, changes the role of) officials of this unit: their
    own unit's subtree. A central admin manages everyone; a provincial admin only the province."""
    return me.lft <= unit_lft <= me.rgt


class ServiceBase:
    """The state and plumbing the use cases share (bot/service/core.py puts them together)."""

    def __init__(
        self,
        services: Services,
        *,
        clock: Callable[[], date] | None = None,
        bot_username: str = "troly_bot",
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
            id=official.id,
            name=official.full_name,
            role=Role(official.role),
            unit_id=unit.id,
            unit_code=unit.code,
            unit_name=unit.name,
            lft=unit.lft,
            rgt=unit.rgt,
            lang=official.language or "vi",
            digest=official.digest,
            telegram_user_id=official.telegram_user_id,
        )

    def _audit(self, who: Caller, action: str, *, allowed: bool, detail: str, official_id: int | None) -> None:
        try:
            with self.db.session() as s:
                tu.audit(
                    s,
                    channel=who.channel,
                    action=action,
                    allowed=allowed,
                    official_id=official_id,
                    telegram_user_id=who.telegram_user_id,
                    detail=detail,
                )
        except Exception:  # noqa: BLE001 - a failing audit write must not hide the user's answer
            log.exception("audit write failed for %s", action)

    @contextmanager
    def _request(
        self,
        who: Caller,
        action: str,
        detail: str = "",
        *,
        role: Role = Role.OFFICIAL,
        audit_ok: bool = True,
    ) -> Iterator[_Request]:
        """One request: identify, check the role, run, audit (in the same transaction when it succeeds).

        `audit_ok=False` is for pre-checks whose follow-up call writes the entry: only refusals are logged.
        """
        official_id: int | None = None
        lang = who.lang  # the official's own setting once known
        try:
            with self.db.session() as s:
                me = self._identify(s, who)
                official_id, lang = me.id, me.lang
                if not role_at_least(me.role, role):
                    raise Denied(t(f"deny.{role.value}", me.lang), me.lang)
                req = _Request(s, me, detail)
                yield req
                if audit_ok:
                    tu.audit(
                        s,
                        channel=who.channel,
                        action=action,
                        allowed=True,
                        official_id=me.id,
                        telegram_user_id=who.telegram_user_id,
                        detail=req.detail,
                    )
        except (NotRegistered, Denied) as exc:
            self._audit(
                who, action, allowed=False, detail=f"{detail} | {exc.message}".strip(" |"), official_id=official_id
            )
            raise
        except ServiceError as exc:
            self._audit(
                who, action, allowed=True, detail=f"{detail} | {exc.message}".strip(" |"), official_id=official_id
            )
            raise
        except DbError as exc:
            self._audit(who, action, allowed=True, detail=f"{detail} | {exc}".strip(" |"), official_id=official_id)
            raise ServiceError(exc.render(lang), lang) from exc

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
        """Pre-check for /reload and document uploads: an admin, and a document library that is up (in queue mode
        the library is the workers': the job waits for one)."""
        with self._request(who, action, role=Role.ADMIN, audit_ok=False) as req:
            if not self.settings.queued_ingest:
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

    def _visible_task(self, req: _Request, code: str) -> tu.TaskRecord:
        task = tu.find_task(req.session, code)
        if not req.me.sees_unit(task.unit_id, task.unit_lft):
            raise self._deny(req, "deny.task", code=task.code)
        return task

    def _library(self, lang: str) -> Library:
        if self.services.library is None:
            raise Unavailable(t("reload.unavailable", lang, reason=self.services.library_error or "?"), lang)
        return self.services.library
