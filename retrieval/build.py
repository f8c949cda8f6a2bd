"""Build retrieval objects from settings (any `RetrievalSettings`, retrieval/protocols.py; retrieval knows no bot)."""

from __future__ import annotations

from sqlalchemy import Engine

from retrieval.embedders import CachedEmbedder, QuestionBatcher, make_embedder
from retrieval.index import DocumentIndex
from retrieval.protocols import Answerer, Embedder, RetrievalSettings


def build_engine(settings: RetrievalSettings) -> Engine:
    """The deployment's database, where the catalog, the lexical index and the embedding cache live."""
    from db.session import make_engine

    return make_engine(settings.database_url)


def build_embedder(settings: RetrievalSettings, engine: Engine | None = None) -> CachedEmbedder:
    inner: Embedder = QuestionBatcher(make_embedder(settings.embedding_model))
    return CachedEmbedder(inner, engine or build_engine(settings))


def build_index(settings: RetrievalSettings, embedder: Embedder, *, legacy_ok: bool = False) -> DocumentIndex:
    engine = embedder.engine if isinstance(embedder, CachedEmbedder) else build_engine(settings)
    return DocumentIndex(
        engine,
        settings.data_dir,
        embedder.name,
        chroma_url=settings.chroma_url,
        collection=getattr(settings, "chroma_collection", None),
        legacy_ok=legacy_ok,
    )


def build_answerer(settings: RetrievalSettings) -> Answerer:
    from retrieval.answer import build_answerer_from

    embedder = build_embedder(settings)
    return build_answerer_from(settings, build_index(settings, embedder), embedder)


def open_index(settings: RetrievalSettings) -> DocumentIndex:
    """The index alone, to read its state (`troly health`): no model loaded, no embedding cache opened."""
    return DocumentIndex(
        build_engine(settings),
        settings.data_dir,
        make_embedder(settings.embedding_model).name,
        chroma_url=settings.chroma_url,
        collection=getattr(settings, "chroma_collection", None),
        legacy_ok=True,
        create=False,
    )
