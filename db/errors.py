"""The one error base of the project (`TrolyError`), and the errors raised by the task database.

Every error a user may see carries a message *key* of the catalogue (bot/i18n.py, Vietnamese and English)
and its parameters, not a sentence: the edge renders it in the caller's language (`err.render(lang)`; the
CLI, the Telegram error handler and the console do). `str(err)` is the Vietnamese text. The base lives
here, in a module that imports nothing, because every package may import db but db imports no other
package of ours: retrieval/, ingestion/ and bot/ derive their errors from it without a new dependency
(DESIGN.md: bot → retrieval, ingestion, db; ingestion → retrieval) beyond this one class.
The catalogue installs the renderer (`TrolyError.renderer`) when bot/i18n.py is imported; without it
(db used on its own) an error reads as its key and parameters.

Hierarchy::

    TrolyError                   (retrieval.errors.RetrievalError, ingestion.errors.IngestError,
    │                             bot.errors.BotError and bot.service.errors.ServiceError derive from it)
    DbError
    ├── SchemaOutOfDate      the database needs `troly db upgrade`
    ├── UnknownUnit          a unit code that does not exist
    ├── NotFound             a task / official / invite that does not exist
    ├── InviteInvalid        a used, expired, revoked or unknown invite code (counts as a wrong code)
    ├── InviteRefused        a valid invite that may not be used from this account (linked, deactivated)
    ├── TooManyAttempts      too many wrong invite codes from one Telegram user lately
    ├── AlreadyDone          marking done a task that is already done
    ├── ImportRejected       a task file with bad rows; nothing was written
    ├── SeedRefused          seed-demo would delete data the demo did not create
    └── DbUnavailable        the database server cannot be reached or refuses us (see session.unavailable)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

Renderer = Callable[[str, str, Mapping[str, object]], str]


class TrolyError(Exception):
    """A message key of bot/i18n.py and its parameters; `render(lang)` is the text a user reads."""

    key: ClassVar[str] = "error.generic"  # a subclass's default key
    renderer: ClassVar[Renderer | None] = None  # installed by bot/i18n.py

    def __init__(self, key: str | None = None, /, **params: object) -> None:
        self.key = key or type(self).key  # type: ignore[misc]
        self.params: dict[str, object] = params
        super().__init__(self.key)

    def render(self, lang: str = "vi") -> str:
        renderer = TrolyError.renderer
        if renderer is None:
            return self.key + (f" {self.params}" if self.params else "")
        return renderer(self.key, lang, self.params)

    def __str__(self) -> str:
        return self.render("vi")


class DbError(TrolyError):
    """Base class of the database's errors."""


class SchemaOutOfDate(DbError):
    def __init__(self, current: str | None, head: str | None) -> None:
        self.current, self.head = current, head
        key = "db.schema_out_of_date" if current else "db.schema_empty"
        super().__init__(key, current=current or "", head=head)


class UnknownUnit(DbError):
    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__("db.unknown_unit", code=code)


class NotFound(DbError):
    pass


class InviteInvalid(DbError):
    pass


class InviteRefused(DbError):
    pass


class TooManyAttempts(DbError):
    pass


class AlreadyDone(DbError):
    """Marking done a task that is already done."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based, as a spreadsheet shows it (header is row 1)
    message: str

    def __str__(self) -> str:
        return f"Dòng {self.row}: {self.message}"


class ImportRejected(DbError):
    """The row problems stay the importer's own (Vietnamese) lines; the frame around them is rendered."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems[:50])
        if len(problems) > 50:
            super().__init__("db.import_rejected_more", n=len(problems), lines=lines, more=len(problems) - 50)
        else:
            super().__init__("db.import_rejected", n=len(problems), lines=lines)


class SeedRefused(DbError):
    """`found`: what the demo did not create, by kind (tasks, events, invites, officials, linked, units, feedback)."""

    def __init__(self, found: dict[str, int]) -> None:
        self.found = found
        super().__init__("db.seed_refused", what=", ".join(f"{kind}: {n}" for kind, n in found.items()))

    def render(self, lang: str = "vi") -> str:
        """`what` in the reader's language too: each kind of data has its own key (`db.foreign.<kind>`)."""
        renderer = TrolyError.renderer
        if renderer is None:
            return super().render(lang)
        what = ", ".join(renderer(f"db.foreign.{kind}", lang, {"n": n}) for kind, n in self.found.items())
        return renderer(self.key, lang, {"what": what})


class DbUnavailable(DbError):
    pass
