"""Errors of the bot package, with messages fit to show a user (Vietnamese, from bot/i18n.py).

    BotError
    └── ConfigError     a configuration variable with a value that cannot work; the message names it
"""

from __future__ import annotations


class BotError(Exception):
    """Base class; `str(err)` is a Vietnamese message a user can read."""


class ConfigError(BotError):
    def __init__(self, variable: str, message: str) -> None:
        self.variable = variable
        super().__init__(message)
