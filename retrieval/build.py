"""Build retrieval objects from settings (any `RetrievalSettings`, retrieval/protocols.py; retrieval knows no bot)."""

from __future__ import annotations

from retrieval.embedders import CachedEmbedder, QuestionBatcher, make_embedder
from retrieval.index import DocumentIndex
from retrieval.protocols import Answerer, Embedder, RetrievalSettings


def build_embedder(settings: RetrievalSettings) -> CachedEmbedder:
    inner: Embedder = QuestionBatcher(make_embedder(settings.embedding_model))
    return CachedEmbedder(inner, settings.data_dir / "index" / "embeddings.db")


def build_index(settings: RetrievalSettings, embedder: Embedder) -> DocumentIndex:
    return DocumentIndex(settings.data_dir, embedder.name, chroma_url=settings.chroma_url)


def build_answerer(settings: RetrievalSettings) -> Answerer:
    from retrieval.answer import build_answerer_from

    embedder = build_embedder(settings)
    return build_answerer_from(settings, build_index(settings, embedder), embedder)


def open_index(settings: RetrievalSettings) -> DocumentIndex:
    """The index alone, to read its state (`troly health`): no model loaded, no embedding cache opened."""
    return DocumentIndex(
        settings.data_dir, make_embedder(settings.embedding_model).name, chroma_url=settings.chroma_url
    )
