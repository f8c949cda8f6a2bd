"""The small seams between packages: each a protocol with one or two methods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from retrieval.types import Answer


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors. `name` identifies the model (recorded by the index)."""

    name: str

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray: ...


@dataclass(frozen=True)
class SearchFilters:
    doc_types: tuple[str, ...] = ()  # e.g. ("Nghị quyết", "Kế hoạch")
    symbols: tuple[str, ...] = ()  # e.g. ("57-NQ/TW",)
    date_from: str = ""  # ISO yyyy-mm-dd, inclusive
    date_to: str = ""


class Answerer(Protocol):
    """Answers a question from the indexed documents, with citations, or says it was not found."""

    def answer(self, question: str, *, k: int = 5, filters: SearchFilters | None = None) -> Answer: ...


class RetrievalSettings(Protocol):
    """What the retrieval objects are built from (bot.config.Settings has it; retrieval knows no bot)."""

    @property
    def data_dir(self) -> Path: ...
    @property
    def database_url(self) -> str: ...
    @property
    def embedding_model(self) -> str: ...
    @property
    def chroma_url(self) -> str | None: ...
    @property
    def chroma_collection(self) -> str | None: ...
    @property
    def llm_base_url(self) -> str | None: ...
    @property
    def llm_model(self) -> str | None: ...
    @property
    def llm_api_key(self) -> str | None: ...
