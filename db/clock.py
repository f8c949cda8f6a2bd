"""The one clock: instants are timezone-aware UTC; "today" is the date in the configured zone (TZ_NAME).

The CLI, the bot, the digest and invite expiry all take today from `Clock.today()`, so they agree
whatever the machine's own zone is (a server in UTC is seven hours behind Vietnam). Tests inject
`now` (a provider of aware datetimes) instead of patching anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DUE_WINDOW_DAYS = 7  # "due soon": within this many days of today unless asked otherwise (/due, the digest, the CLI)
INVITE_VALID_DAYS = 7  # how long an invite code works unless asked otherwise (/moi, `troly users invite --days`)


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is taken to be UTC already (what the database stores)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Clock:
    tz_name: str = "Asia/Ho_Chi_Minh"
    source: Callable[[], datetime] = field(default=utc_now)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    def now(self) -> datetime:
        """This instant, aware, in UTC."""
        return as_utc(self.source())

    def today(self) -> date:
        """Today's date in the configured zone."""
        return self.now().astimezone(self.zone).date()

    def local(self, value: datetime) -> datetime:
        """A stored instant shown in the configured zone."""
        return as_utc(value).astimezone(self.zone)
