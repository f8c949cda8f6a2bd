"""Errors raised by retrieval, with messages fit to show a user.

Hierarchy::

    RetrievalError
    ├── EmbedderMismatch     the index was built by another embedder (fix: troly ingest --rebuild)
    ├── EmbedderUnavailable  the embedding model could not be loaded
    ├── IndexUnavailable     the index (Chroma folder or server) cannot be reached or is empty
    └── AnswerFailed         the LLM failed; callers fall back to the extractive answer
"""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class; `str(err)` is a Vietnamese message a user can read."""


class EmbedderMismatch(RetrievalError):
    def __init__(self, built_with: str, requested: str) -> None:
        self.built_with, self.requested = built_with, requested
        super().__init__(
            f"Chỉ mục được xây bằng mô hình '{built_with}', nhưng cấu hình đang dùng '{requested}'. "
            "Hãy chạy: troly ingest --rebuild"
        )


class EmbedderUnavailable(RetrievalError):
    pass


class IndexUnavailable(RetrievalError):
    pass


class AnswerFailed(RetrievalError):
    pass
