"""Officials and one-time invites: create, redeem (with a limit on wrong codes), list, revoke; activate,
deactivate and change the role of officials.

Instants are aware UTC (`db.clock`); every function that depends on the time takes `now`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db.clock import INVITE_VALID_DAYS, as_utc, utc_now
from db.errors import DbError, InviteInvalid, InviteRefused, NotFound, TooManyAttempts
from db.models import Invite, InviteAttempt, Official, Role, Unit
from db.units import get_unit

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped

MAX_WRONG_CODES = 5  # wrong invite codes a Telegram user may send …
WRONG_CODE_WINDOW = timedelta(minutes=15)  # … within this window
MIN_CODE_PREFIX = 4  # `troly invites revoke` accepts a unique prefix this long


def new_code(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def create_invite(
    session: Session,
    unit_code: str,
    role: Role | str,
    *,
    full_name: str | None = None,
    valid_days: int = INVITE_VALID_DAYS,
    now: datetime | None = None,
    official: Official | None = None,
) -> Invite:
    """A one-time code for a unit and role; with `official`, one that re-links that official."""
    unit = get_unit(session, unit_code)
    now = as_utc(now or utc_now())
    invite = Invite(
        code=new_code(),
        unit_id=unit.id,
        role=Role(role),
        full_name=full_name,
        expires_at=now + timedelta(days=valid_days),
        created_at=now,
        official_id=official.id if official is not None else None,
    )
    session.add(invite)
    session.flush()
    invite.unit = unit
    return invite


# --- redeeming ------------------------------------------------------------------------------------


def check_attempts(session: Session, telegram_user_id: int, *, now: datetime | None = None) -> None:
    """Refuse a Telegram user who sent MAX_WRONG_CODES wrong codes within the window (before looking at the code)."""
    now = as_utc(now or utc_now())
    since = now - WRONG_CODE_WINDOW
    rows = session.execute(
        select(func.count(), func.min(InviteAttempt.at)).where(
            InviteAttempt.telegram_user_id == telegram_user_id, InviteAttempt.at > since
        )
    ).one()
    count, first = int(rows[0]), rows[1]
    if count >= MAX_WRONG_CODES and first is not None:
        wait = as_utc(first) + WRONG_CODE_WINDOW - now
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        raise TooManyAttempts(
            "invite.too_many", count=count, window=int(WRONG_CODE_WINDOW.total_seconds() // 60), minutes=minutes
        )


def record_wrong_code(session: Session, telegram_user_id: int, *, now: datetime | None = None) -> None:
    now = as_utc(now or utc_now())
    session.execute(delete(InviteAttempt).where(InviteAttempt.at <= now - WRONG_CODE_WINDOW))
    session.add(InviteAttempt(telegram_user_id=telegram_user_id, at=now))


def redeem_invite(
    session: Session,
    code: str,
    *,
    telegram_user_id: int,
    full_name: str,
    language: str = "vi",
    now: datetime | None = None,
) -> Official:
    """Link a Telegram account to an official with the invite's unit and role.

    A new official is created, unless the invite names one (then that official is linked to this
    account). Refused: a wrong, used, expired or revoked code (InviteInvalid: it counts towards the
    limit on wrong codes); an account already linked to another official, or to a deactivated one
    (InviteRefused: an invite never moves an account silently nor re-activates anybody).
    """
    now = as_utc(now or utc_now())
    invite = session.scalar(select(Invite).where(Invite.code == code.strip().upper()))
    if invite is None:
        raise InviteInvalid("invite.wrong")
    if invite.revoked_at is not None:
        raise InviteInvalid("invite.revoked")
    if invite.used_at is not None:
        raise InviteInvalid("invite.used")
    if as_utc(invite.expires_at) < now:
        raise InviteInvalid("invite.expired")
    linked = session.scalar(select(Official).where(Official.telegram_user_id == telegram_user_id))
    target = session.get(Official, invite.official_id) if invite.official_id is not None else None
    for official in (linked, target):
        if official is not None and not official.active:
            raise InviteRefused("invite.deactivated", name=official.full_name)
    if linked is not None and (target is None or linked.id != target.id):
        raise InviteRefused("invite.linked_elsewhere", name=linked.full_name)
    official = target or linked
    if official is None:
        official = Official(telegram_user_id=telegram_user_id, full_name=invite.full_name or full_name, active=True)
        official.language = language if language in ("vi", "en") else "vi"
        session.add(official)
    else:
        official.telegram_user_id = telegram_user_id
    official.unit_id, official.role = invite.unit_id, invite.role
    session.flush()
    invite.used_at, invite.used_by_id = now, official.id
    return official


# --- invites --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteRow:
    id: int
    code: str
    unit_code: str
    unit_name: str
    role: str
    full_name: str | None
    official: str | None  # the official it re-links, if any
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: str | None
    revoked_at: datetime | None

    def status(self, now: datetime) -> str:
        """unused | used | expired | revoked"""
        if self.revoked_at is not None:
            return "revoked"
        if self.used_at is not None:
            return "used"
        return "expired" if as_utc(self.expires_at) < as_utc(now) else "unused"


def list_invites(session: Session) -> list[InviteRow]:
    target = Official.__table__.alias("target")
    used_by = Official.__table__.alias("used_by")
    stmt = (
        select(Invite, Unit.code, Unit.name, target.c.full_name, used_by.c.full_name)
        .join(Unit, Unit.id == Invite.unit_id)
        .outerjoin(target, target.c.id == Invite.official_id)
        .outerjoin(used_by, used_by.c.id == Invite.used_by_id)
        .order_by(Invite.created_at, Invite.id)
    )
    return [
        InviteRow(
            i.id,
            i.code,
            ucode,
            uname,
            Role(i.role).value,
            i.full_name,
            tname,
            i.created_at,
            i.expires_at,
            i.used_at,
            uby,
            i.revoked_at,
        )
        for i, ucode, uname, tname, uby in session.execute(stmt)
    ]


def find_invite(session: Session, code: str) -> Invite:
    """By the whole code or a unique prefix of at least MIN_CODE_PREFIX characters (as `invites list` shows)."""
    code = code.strip().upper().rstrip("…").rstrip(".")
    if len(code) < MIN_CODE_PREFIX:
        raise NotFound("invite.prefix_short", n=MIN_CODE_PREFIX)
    matches = list(session.scalars(select(Invite).where(Invite.code.startswith(code, autoescape=True)).limit(3)))
    exact = [i for i in matches if i.code == code]
    if exact:
        return exact[0]
    if not matches:
        raise NotFound("invite.prefix_none", code=code)
    if len(matches) > 1:
        raise NotFound("invite.prefix_many", code=code)
    return matches[0]


def revoke_invite(session: Session, code: str, *, now: datetime | None = None) -> Invite:
    invite = find_invite(session, code)
    if invite.used_at is not None:
        raise InviteInvalid("invite.used_no_revoke")
    if invite.revoked_at is None:
        invite.revoked_at = as_utc(now or utc_now())
    session.flush()
    return invite


# --- officials ------------------------------------------------------------------------------------


def list_officials(session: Session, *, lft: int | None = None, rgt: int | None = None) -> list[Official]:
    """Every official, or those of the units numbered lft..rgt (a unit's subtree), with their units loaded."""
    stmt = select(Official).join(Unit, Unit.id == Official.unit_id)
    if lft is not None and rgt is not None:
        stmt = stmt.where(Unit.lft.between(lft, rgt))
    officials = list(session.scalars(stmt.order_by(Unit.lft, Official.full_name, Official.id)))
    for o in officials:
        _ = o.unit
    return officials


def get_official(session: Session, ref: str | int) -> Official:
    """By id, Telegram user id or exact full name (as `troly users list` shows them); refused when ambiguous."""
    text = str(ref).strip()
    found: dict[int, Official] = {}
    if text.isdigit():
        number = int(text)
        by_id = session.get(Official, number)
        if by_id is not None:
            found[by_id.id] = by_id
        for o in session.scalars(select(Official).where(Official.telegram_user_id == number)):
            found[o.id] = o
    if not found:
        for o in session.scalars(select(Official).where(Official.full_name == text)):
            found[o.id] = o
    if not found:
        raise NotFound("official.not_found", text=text)
    if len(found) > 1:
        ids = ", ".join(str(i) for i in sorted(found))
        raise NotFound("official.ambiguous", text=text, ids=ids)
    return next(iter(found.values()))


def set_active(session: Session, official: Official, active: bool) -> bool:
    """Returns whether anything changed."""
    if official.active == active:
        return False
    official.active = active
    session.flush()
    return True


def set_role(session: Session, official: Official, role: Role | str) -> bool:
    try:
        new = Role(role)
    except ValueError:
        raise DbError("role.invalid", role=role) from None
    if Role(official.role) == new:
        return False
    official.role = new
    session.flush()
    return True
