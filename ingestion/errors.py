"""Errors raised while loading a document: a message key of bot/i18n.py and its parameters.

    TrolyError (db/errors.py: the project's one base, a module that imports nothing)
    └── IngestError             base; `err.render(lang)` is a short message fit to show a user
    ├── UnsupportedFile         suffix or format we cannot read (.doc, .xlsx, a folder …)
    ├── EmptyDocument           nothing but whitespace
    ├── NoTextLayer             a PDF without a text layer (a scan)
    ├── EncryptedDocument       password-protected and not openable with an empty password
    ├── CorruptDocument         damaged or not what its suffix says
    ├── TooLarge                over a limit: unpacked size, entry count, pages or extracted text
    └── SyncInterrupted         the sync was asked to stop (Ctrl-C, SIGTERM, the bot shutting down)

Each class has a default message key; the loaders and the sync pass a more specific key with its parameters
(`TooLarge("ingest.pdf_pages", path=p, n=4000, most=3000)`), rendered in the reader's language at the edge.
The offending path, when known, is kept in ``err.path`` rather than in the message, so callers decide how
to show it.
"""

from __future__ import annotations

from pathlib import Path

from db.errors import TrolyError


class IngestError(TrolyError):
    """A document could not be ingested."""

    key = "ingest.error"

    def __init__(self, key: str | None = None, /, *, path: str | Path | None = None, **params: object) -> None:
        super().__init__(key, **params)
        self.path = Path(path) if path is not None else None


class UnsupportedFile(IngestError):
    key = "ingest.unsupported"


class EmptyDocument(IngestError):
    key = "ingest.empty"


class NoTextLayer(IngestError):
    key = "ingest.no_text_layer"


class EncryptedDocument(IngestError):
    key = "ingest.encrypted"


class CorruptDocument(IngestError):
    key = "ingest.corrupt"


class TooLarge(IngestError):
    key = "ingest.too_large"


class SyncInterrupted(IngestError):
    key = "ingest.interrupted"
