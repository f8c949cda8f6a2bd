"""Officials and one-time invites."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.errors import InviteInvalid, NotFound
from db.models import Invite, Official, Role
from db.units import get_unit

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped


def new_code(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def create_invite(
    session: Session, unit_code: str, role: Role | str, *, full_name: str | None = None,
    valid_days: int = 7, now: datetime | None = None,
) -> Invite:
    unit = get_unit(session, unit_code)
    now = now or datetime.now()
    invite = Invite(
        code=new_code(), unit_id=unit.id, role=Role(role), full_name=full_name,
        expires_at=now + timedelta(days=valid_days), created_at=now,
    )
    session.add(invite)
    session.flush()
    invite.unit = unit
    return invite


def redeem_invite(
    session: Session, code: str, *, telegram_user_id: int, full_name: str, language: str = "vi",
    now: datetime | None = None,
) -> Official:
    """Link a Telegram account to a new official (or re-link an existing one) with the invite's unit and role."""
    now = now or datetime.now()
    invite = session.scalar(select(Invite).where(Invite.code == code.strip().upper()))
    if invite is None:
        raise InviteInvalid("Mã mời không đúng. Hãy kiểm tra lại hoặc xin quản trị viên một mã mới.")
    if invite.used_at is not None:
        raise InviteInvalid("Mã mời này đã được sử dụng. Mỗi mã chỉ dùng được một lần.")
    if invite.expires_at < now:
        raise InviteInvalid("Mã mời đã hết hạn. Hãy xin quản trị viên một mã mới.")
    official = session.scalar(select(Official).where(Official.telegram_user_id == telegram_user_id))
    if official is None:
        official = Official(telegram_user_id=telegram_user_id, full_name=invite.full_name or full_name)
        session.add(official)
    official.unit_id, official.role, official.active = invite.unit_id, invite.role, True
    official.language = language if language in ("vi", "en") else "vi"
    session.flush()
    invite.used_at, invite.used_by_id = now, official.id
    return official


def list_officials(session: Session) -> list[Official]:
    return list(session.scalars(select(Official).order_by(Official.unit_id, Official.full_name)))


def get_official(session: Session, ref: str | int) -> Official:
    """By id, Telegram user id or exact full name."""
    official = None
    if isinstance(ref, int) or str(ref).isdigit():
        official = session.get(Official, int(ref)) or session.scalar(
            select(Official).where(Official.telegram_user_id == int(ref))
        )
    if official is None:
        official = session.scalar(select(Official).where(Official.full_name == str(ref)))
    if official is None:
        raise NotFound(f"Không tìm thấy cán bộ '{ref}'.")
    return official
