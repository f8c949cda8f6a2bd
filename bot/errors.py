"""Errors of the bot package: a message key of bot/i18n.py and its parameters (see db/errors.py `TrolyError`).

    TrolyError (db/errors.py)
    └── BotError
        └── ConfigError     a configuration variable with a value that cannot work; the message names it

The assistant service's errors (bot/service/errors.py) derive from `TrolyError` too.
"""

from __future__ import annotations

from db.errors import TrolyError


class BotError(TrolyError):
    """Base class of the bot's own errors."""


class ConfigError(BotError):
    def __init__(self, variable: str, key: str, /, **params: object) -> None:
        self.variable = variable
        super().__init__(key, **params)
