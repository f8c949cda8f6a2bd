"""The bot as its own process for `bench_bot` (as deployed: the Bot API server is another process).

Reads BENCH_BOT_* from the environment, serves until SIGTERM. Rate limiting is off so the figure is
the bot's own capacity, not Telegram's 30 messages/s.
"""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import date
from pathlib import Path

from bot.config import Settings
from bot.telegram_app import build_application, running
from bot.wiring import Services
from db.session import Database
from retrieval.build import build_answerer


async def serve() -> None:
    env = os.environ
    settings = Settings(
        data_dir=Path(env["BENCH_BOT_DATA_DIR"]),
        database_url=env["BENCH_BOT_DATABASE_URL"],
        telegram_bot_token=env["BENCH_BOT_TOKEN"],
        telegram_api_url=env["BENCH_BOT_API_URL"],
    )
    db = Database(settings.database_url)
    answerer = build_answerer(settings)
    answerer.answer("khởi động", k=5)  # warm-up (model load)
    services = Services(settings=settings, db=db, answerer=answerer)
    app = build_application(
        settings,
        services=services,
        clock=lambda: date.fromisoformat(env["BENCH_BOT_AS_OF"]),
        rate_limit=False,
        concurrency=int(env.get("BENCH_BOT_CONCURRENCY", "200")),
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with running(app, settings, poll_timeout=10):
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(serve())
