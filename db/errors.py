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


class RowProblem:
    """One problem of one row of an imported file: a message key of the catalogue and its parameters, like an
    error, rendered after the row number ("Dòng 3: …" / "Row 3: …") in the reader's language."""

    def __init__(self, row: int, key: str, /, **params: object) -> None:
        self.row = row  # 1-based, as a spreadsheet shows it (header is row 1); 0: the file as a whole
        self.key = key
        self.params: dict[str, object] = params

    def problem(self, lang: str = "vi") -> str:
        """The problem alone, without its row."""
        renderer = TrolyError.renderer
        return renderer(self.key, lang, self.params) if renderer else f"{self.key} {self.params}"

    def render(self, lang: str = "vi") -> str:
        renderer = TrolyError.renderer
        if renderer is None:
            return f"{self.row}: {self.problem(lang)}"
        return renderer("import.row", lang, {"row": self.row, "problem": self.problem(lang)})

    def __str__(self) -> str:
        return self.render("vi")

    def __repr__(self) -> str:
        return f"RowProblem({self.row}, {self.key!r}, {self.params!r})"


class ImportRejected(DbError):
    """A task or unit file with bad rows; nothing was written. Each problem keeps its key and is rendered in
    the reader's language with the frame around it."""

    SHOWN = 50  # problems listed; the rest are counted

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        more = len(problems) - self.SHOWN
        key = "db.import_rejected_more" if more > 0 else "db.import_rejected"
        super().__init__(key, n=len(problems), more=max(more, 0))

    def render(self, lang: str = "vi") -> str:
        renderer = TrolyError.renderer
        if renderer is None:
            return super().render(lang)
        lines = "\n".join(f"  - {p.render(lang)}" for p in self.problems[: self.SHOWN])
        return renderer(self.key, lang, {**self.params, "lines": lines})


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
