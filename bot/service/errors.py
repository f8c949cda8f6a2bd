"""Errors of the assistant service, with a message already in the user's language.

    ServiceError        a user-safe message (a usage line, a refusal of the lower layers, rendered)
    ├── NotRegistered   the speaker is not an (active) registered official
    ├── Denied          the official may not do this (role or unit scope)
    └── Unavailable     a part of the system is down (no index, no document library)

Unlike the lower layers' errors (a key rendered at the edge), the service knows the official's language
(their setting, not only their Telegram client's), so it renders the text itself; `render` returns it.
"""

from __future__ import annotations

from db.errors import TrolyError


class ServiceError(TrolyError):
    """A user-safe message, already in the user's language."""

    def __init__(self, message: str, lang: str = "vi") -> None:
        super().__init__("service.message")
        self.message, self.lang = message, lang
        self.args = (message,)

    def render(self, lang: str | None = None) -> str:
        return self.message


class NotRegistered(ServiceError):
    """The speaker is not a (active) registered official."""


class Denied(ServiceError):
    """The official may not do this (role or unit scope)."""


class Unavailable(ServiceError):
    """A part of the system is down (no index, no document library)."""
