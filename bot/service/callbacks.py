"""Button callback data: one typed encode/decode for every kind of button.

The renderers build buttons with `encode(...)`, the dialog reads presses with `decode(...)`. Callback
data is only a hint of what to show: every press goes through the service again, which checks who
may see or change what. Telegram allows at most 64 bytes (`MAX_CALLBACK_BYTES`); `encode` refuses more.
Anything `decode` does not recognise (an unknown kind, a malformed or forged value) raises `BadCallback`.

Wire format (kept from before this module, so buttons already sent keep working)::

    pg:due:DAYS:PAGE[:UNIT[:o]]  a page of tasks due soon      DuePage   (`:o`: the unit's own tasks only)
                              DAYS: N (today to N days on) or S-N (a window that starts S days on)
    pg:od:PAGE[:UNIT[:o]]     a page of overdue tasks          OverduePage
    ls:due:DAYS:UNIT[:o]      a sub-unit's due list (new message)       UnitList
    ls:od:UNIT[:o]            a sub-unit's overdue list (new message)   UnitList
    sum:UNIT                  the summary of a sub-unit        Drill
    us:p:PAGE[:UNIT]          a page of officials              UsersPage
    us:o:ID                   one official's card              OfficialOpen
    us:a:ID / us:d:ID         (de)activate an official         OfficialActive
    us:r:ID:ROLE              change an official's role        OfficialRole
    fb:+:ID / fb:-:ID         👍 / 👎 for a stored answer       Vote
    set:lang:vi|en            the language                     SetLang
    set:dig:0|1               the morning digest off / on      SetDigest
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.i18n import LANGS, Lang
from bot.render.out import MAX_CALLBACK as MAX_CALLBACK_BYTES  # Telegram's limit on callback_data

RoleName = Literal["official", "leader", "admin"]
_ROLES: tuple[RoleName, ...] = ("official", "leader", "admin")


class BadCallback(ValueError):
    """Callback data that no button of ours produces."""


@dataclass(frozen=True)
class DuePage:
    days: int
    page: int
    unit: str | None = None
    own: bool = False  # only the unit's own tasks, not its sub-units' (needs `unit`)
    start: int = 0  # the window's first day, in days from today ("tháng 12", "tuần sau")


@dataclass(frozen=True)
class OverduePage:
    page: int
    unit: str | None = None
    own: bool = False


@dataclass(frozen=True)
class UnitList:
    """The drill-down of a leader's list grouped by sub-unit: that unit's list, sent as a new message."""

    kind: Literal["due", "overdue"]
    unit: str
    days: int = 0  # due lists only
    own: bool = False
    start: int = 0  # due lists only: as DuePage.start


@dataclass(frozen=True)
class Drill:
    unit: str


@dataclass(frozen=True)
class UsersPage:
    page: int
    unit: str | None = None


@dataclass(frozen=True)
class OfficialOpen:
    official_id: int


@dataclass(frozen=True)
class OfficialActive:
    official_id: int
    active: bool


@dataclass(frozen=True)
class OfficialRole:
    official_id: int
    role: RoleName


@dataclass(frozen=True)
class Vote:
    answer_id: int
    up: bool


@dataclass(frozen=True)
class SetLang:
    lang: Lang


@dataclass(frozen=True)
class SetDigest:
    on: bool


Callback = (
    DuePage
    | OverduePage
    | UnitList
    | Drill
    | UsersPage
    | OfficialOpen
    | OfficialActive
    | OfficialRole
    | Vote
    | SetLang
    | SetDigest
)


def _unit(unit: str | None, own: bool = False) -> str:
    if own and not unit:
        raise ValueError("own needs a unit")
    return (f":{unit}" if unit else "") + (":o" if own else "")


def _window(start: int, days: int) -> str:
    return f"{start}-{days}" if start else str(days)


def encode(cb: Callback) -> str:
    """The callback data of a button (at most 64 bytes)."""
    match cb:
        case DuePage(days, page, unit, own, start):
            data = f"pg:due:{_window(start, days)}:{page}{_unit(unit, own)}"
        case OverduePage(page, unit, own):
            data = f"pg:od:{page}{_unit(unit, own)}"
        case UnitList("due", unit, days, own, start):
            data = f"ls:due:{_window(start, days)}{_unit(unit, own)}"
        case UnitList("overdue", unit, _, own, _):
            data = f"ls:od{_unit(unit, own)}"
        case Drill(unit):
            data = f"sum:{unit}"
        case UsersPage(page, unit):
            data = f"us:p:{page}{_unit(unit)}"
        case OfficialOpen(official_id):
            data = f"us:o:{official_id}"
        case OfficialActive(official_id, active):
            data = f"us:{'a' if active else 'd'}:{official_id}"
        case OfficialRole(official_id, role):
            data = f"us:r:{official_id}:{role}"
        case Vote(answer_id, up):
            data = f"fb:{'+' if up else '-'}:{answer_id}"
        case SetLang(lang):
            data = f"set:lang:{lang}"
        case SetDigest(on):
            data = f"set:dig:{1 if on else 0}"
        case _:
            raise TypeError(cb)
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def _int(value: str) -> int:
    if not value.isdigit():  # no sign, no spaces: only what encode writes
        raise BadCallback(value)
    return int(value)


def _days(value: str) -> tuple[int, int]:
    """A due window as encoded: (start, days)."""
    first, dash, last = value.partition("-")
    if not dash:
        return 0, _int(value)
    start, days = _int(first), _int(last)
    if not 0 < start <= days:
        raise BadCallback(value)
    return start, days


def _code(value: str) -> str:
    if not value or value != value.strip():
        raise BadCallback(value)
    return value


def decode(data: str) -> Callback:
    """The button a callback data stands for; `BadCallback` for anything else."""
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise BadCallback(data[:MAX_CALLBACK_BYTES])
    p = data.split(":")
    match p:
        case ["pg", "due", window, page]:
            start, days = _days(window)
            return DuePage(days, _int(page), start=start)
        case ["pg", "due", window, page, unit]:
            start, days = _days(window)
            return DuePage(days, _int(page), _code(unit), start=start)
        case ["pg", "od", page]:
            return OverduePage(_int(page))
        case ["pg", "od", page, unit]:
            return OverduePage(_int(page), _code(unit))
        case ["pg", "due", window, page, unit, "o"]:
            start, days = _days(window)
            return DuePage(days, _int(page), _code(unit), True, start)
        case ["pg", "od", page, unit, "o"]:
            return OverduePage(_int(page), _code(unit), True)
        case ["ls", "due", window, unit]:
            start, days = _days(window)
            return UnitList("due", _code(unit), days, start=start)
        case ["ls", "due", window, unit, "o"]:
            start, days = _days(window)
            return UnitList("due", _code(unit), days, True, start)
        case ["ls", "od", unit]:
            return UnitList("overdue", _code(unit))
        case ["ls", "od", unit, "o"]:
            return UnitList("overdue", _code(unit), 0, True)
        case ["sum", unit]:
            return Drill(_code(unit))
        case ["us", "p", page]:
            return UsersPage(_int(page))
        case ["us", "p", page, unit]:
            return UsersPage(_int(page), _code(unit))
        case ["us", "o", official_id]:
            return OfficialOpen(_int(official_id))
        case ["us", ("a" | "d") as action, official_id]:
            return OfficialActive(_int(official_id), action == "a")
        case ["us", "r", official_id, role] if role in _ROLES:
            return OfficialRole(_int(official_id), role)  # type: ignore[arg-type]
        case ["fb", ("+" | "-") as sign, answer_id]:
            return Vote(_int(answer_id), sign == "+")
        case ["set", "lang", lang] if lang in LANGS:
            return SetLang(lang)  # type: ignore[arg-type]
        case ["set", "dig", ("0" | "1") as on]:
            return SetDigest(on == "1")
    raise BadCallback(data[:MAX_CALLBACK_BYTES])
