"""The long-lived services, built once from Settings at the entry point (the bot's post_init, the console).

The answerer and the document library are optional: if building either fails (no index yet, the LLM
down, the modules not installed), the bot still starts, says so when asked, and task features work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from db.session import Database
    from ingestion.sync import Library
    from retrieval.protocols import Answerer

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    answerer: Answerer | None = None
    library: Library | None = None
    answerer_error: str | None = None
    library_error: str | None = None

    def close(self) -> None:
        for obj in (self.answerer, self.library):
            close = getattr(obj, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:  # noqa: BLE001 - closing must not mask the real shutdown
                    log.warning("closing %s failed", type(obj).__name__, exc_info=True)
        self.db.dispose()


def build_answerer(settings: Settings) -> tuple[Answerer | None, str | None]:
    try:
        from retrieval.build import build_answerer as build
    except ImportError as exc:
        log.warning("answers unavailable: %s", exc)
        return None, f"retrieval not installed ({exc})"
    try:
        return build(settings), None
    except Exception as exc:  # noqa: BLE001 - any failure leaves the bot up without answers
        log.warning("answers unavailable: %s", exc, exc_info=log.isEnabledFor(logging.DEBUG))
        return None, str(exc) or type(exc).__name__


def build_library(settings: Settings) -> tuple[Library | None, str | None]:
    try:
        from ingestion.sync import build_library as build
    except ImportError as exc:
        log.warning("document sync unavailable: %s", exc)
        return None, f"ingestion not installed ({exc})"
    try:
        return build(settings), None
    except Exception as exc:  # noqa: BLE001
        log.warning("document sync unavailable: %s", exc, exc_info=log.isEnabledFor(logging.DEBUG))
        return None, str(exc) or type(exc).__name__


def build_services(settings: Settings, *, answers: bool = True, library: bool = True) -> Services:
    """The database (schema checked: a stale schema is an error worth stopping for), then the optional parts."""
    from db.session import Database

    services = Services(settings=settings, db=Database(settings.database_url))
    if answers:
        services.answerer, services.answerer_error = build_answerer(settings)
    if library:
        services.library, services.library_error = build_library(settings)
    return services
