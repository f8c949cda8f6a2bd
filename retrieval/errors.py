"""Errors raised by retrieval: a message key of bot/i18n.py and its parameters, rendered at the edge.

Hierarchy::

    TrolyError (db/errors.py: the project's one base, a module that imports nothing)
    └── RetrievalError
        ├── EmbedderMismatch     the index was built by another embedder (fix: troly ingest --rebuild)
        ├── EmbedderUnavailable  the embedding model could not be loaded
        ├── IndexUnavailable     the index (Chroma folder or server) cannot be reached or is empty
        ├── SyncBusy             another process is syncing the documents (the sync lock names it)
        └── AnswerFailed         the LLM failed; callers fall back to the extractive answer
"""

from __future__ import annotations

from db.errors import TrolyError


class RetrievalError(TrolyError):
    """Base class of retrieval's errors."""


class EmbedderMismatch(RetrievalError):
    def __init__(self, built_with: str, requested: str) -> None:
        self.built_with, self.requested = built_with, requested
        super().__init__("retrieval.embedder_mismatch", built_with=built_with, requested=requested)


class EmbedderUnavailable(RetrievalError):
    pass


class IndexUnavailable(RetrievalError):
    pass


class AnswerFailed(RetrievalError):
    pass


class SyncBusy(RetrievalError):
    """Another process holds the deployment's sync lock (a `troly ingest`, a /reload, an upload)."""

    def __init__(self, holder: str, since: str) -> None:
        self.holder, self.since = holder, since
        super().__init__("retrieval.sync_busy", holder=holder, since=since)
