"""Use cases of the organisation: linking an account with an invite (/start), help and settings,
invites and the officials an admin manages (/users)."""

from __future__ import annotations

import logging

from bot.i18n import t
from bot.service.access import PAGE_SIZE, ServiceBase, _manages, _Request
from bot.service.commands import help_commands
from bot.service.errors import Denied, ServiceError
from bot.service.views import (
    Caller,
    HelpView,
    InviteView,
    OfficialCard,
    OfficialItem,
    OfficialsPage,
    SettingsView,
    StartView,
)
from db import task_updates as tu
from db.errors import DbError, InviteInvalid
from db.models import Official, Role, Unit
from db.units import get_unit

log = logging.getLogger(__name__)


def deep_link(bot_username: str, code: str) -> str:
    """The /start link an invite is redeemed with (Telegram passes `code` as the /start argument)."""
    return f"https://t.me/{bot_username}?start={code}"


class OrganisationCases(ServiceBase):
    """Registration, help, settings, invites, officials."""

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
                    official = redeem_invite(
                        s,
                        code,
                        telegram_user_id=who.telegram_user_id,
                        full_name=who.full_name or "?",
                        language=who.lang,
                        now=now,
                    )
                    me = self._identify(s, Caller(who.channel, official_id=official.id))
                    tu.audit(
                        s,
                        channel=who.channel,
                        action="start",
                        official_id=me.id,
                        telegram_user_id=who.telegram_user_id,
                        detail=f"invite {code[:4]}… → {me.unit_code} {me.role}",
                    )
            except DbError as exc:
                if isinstance(exc, InviteInvalid):
                    with self.db.session() as s:
                        record_wrong_code(s, who.telegram_user_id, now=now)
                self._audit(who, "start", allowed=False, detail=f"invite {code[:4]}… | {exc}", official_id=None)
                raise Denied(
                    exc.render("vi") if who.lang == "vi" else t("start.bad_code", "en", reason=exc.render("en")),
                    who.lang,
                ) from exc
            return StartView("linked", me)
        with self._request(who, "start") as req:
            return StartView("welcome", req.me)

    def help(self, who: Caller) -> HelpView:
        with self._request(who, "help") as req:
            allowed = [c.name for c in help_commands(req.me.role)]
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
            return InviteView(
                invite.code,
                invite.unit.code,
                invite.unit.name,
                role,
                self.time.local(invite.expires_at),
                deep_link(self.bot_username, invite.code),
                req.me.lang,
            )

    # ------------------------------------------------------------------ admins: officials

    def _official_item(self, official: Official) -> OfficialItem:
        unit = official.unit
        return OfficialItem(
            official.id,
            official.full_name,
            unit.code,
            unit.name,
            Role(official.role).value,
            bool(official.active),
            official.telegram_user_id is not None,
        )

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
            items = [self._official_item(o) for o in officials[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
            req.detail += f" | {len(officials)} officials"
            return OfficialsPage(
                target.code, target.name, items, page, pages, len(officials), me.lang, page * PAGE_SIZE + 1
            )

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
        with self._request(
            who, f"users_{action}", f"official {official_id} {role or ''}".strip(), role=Role.ADMIN
        ) as req:
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
