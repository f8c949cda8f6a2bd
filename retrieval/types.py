"""Plain dataclasses that cross package boundaries (no Chroma / LangChain types leak out)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentMeta:
    """What is known about a document. Unknown fields stay empty; they are never invented."""

    title: str = ""
    symbol: str = ""  # e.g. 57-NQ/TW, 71/NQ-CP, 02-KH/BCĐTW
    doc_type: str = ""  # Nghị quyết, Thông báo kết luận, Kế hoạch, Hướng dẫn, Công văn, Quyết định, Báo cáo, Tin tức
    issuer: str = ""
    date: str = ""  # ISO yyyy-mm-dd or ""
    language: str = ""  # vi, ar, fa, en, or ""


@dataclass(frozen=True)
class Chunk:
    """One passage to index: its text, where it sits in the document, and the document's metadata."""

    text: str
    section: str = ""  # e.g. "Mục II › 3 › b)"; "" for prose
    ordinal: int = 0  # position within the document
    kind: str = "text"  # text | table_row | prose


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as the index holds it."""

    id: str
    doc_id: str  # the source path relative to the ingested root
    text: str
    section: str
    ordinal: int
    meta: DocumentMeta = field(default_factory=DocumentMeta)


@dataclass(frozen=True)
class Hit:
    chunk: StoredChunk
    score: float  # fused score, higher is better
    dense: float = 0.0  # cosine similarity
    lexical: float = 0.0  # normalised BM25
    kept: bool = False  # the third place kept for a passage in another script (retrieval/search.py)
    beside: bool = False  # kept beside the passages that answer: cited, not read for the answer unless it alone does


@dataclass(frozen=True)
class Citation:
    rank: int
    document: str  # title
    symbol: str
    section: str
    source: str  # path relative to the ingested root
    text: str  # the whole cited passage
    score: float

    def as_dict(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "document": self.document,
            "symbol": self.symbol,
            "section": self.section,
            "source": self.source,
            "text": self.text,
            "score": round(self.score, 4),
        }


def by_document(citations: list[Citation]) -> list[list[Citation]]:
    """Citations grouped by the document they come from, in order of first appearance (one source line each)."""
    groups: dict[str, list[Citation]] = {}
    for c in citations:
        groups.setdefault(c.source or c.symbol or c.document, []).append(c)
    return list(groups.values())


@dataclass(frozen=True)
class Quote:
    """A unit of a cited passage, verbatim: a sentence, a clause's lead-in with its point, a table row."""

    text: str
    rank: int  # the citation it comes from


@dataclass(frozen=True)
class Answer:
    """What an answerer returns. `text` is the whole plain-text answer (direct answer, quotes, one source
    line per cited document); renderers build their own layout from the structured fields."""

    found: bool
    text: str
    citations: list[Citation] = field(default_factory=list)  # retrieved passages; on a refusal the closest two
    note: str = ""  # e.g. "LLM unavailable, extractive answer"
    short: str = ""  # the direct answer (date, figure, organ…), verbatim from citation `short_rank`; "" if none
    short_rank: int = 0
    quotes: tuple[Quote, ...] = ()  # at most two
    body: str = ""  # `text` without the source lines (what an official reads first)
    used: tuple[int, ...] = ()  # the citation numbers the answer uses (on a refusal: the closest passages)
    # The kind of fact asked for (date, quantity, share, money, range) that no quoted unit states: the passages
    # are about the question, yet the figure is not there (renderers say so instead of implying an answer).
    unmet: str = ""
    # On a refusal of the search: how many documents were searched and the filters that narrowed it ("Kế
    # hoạch", "45-TB/TW"), for renderers to say so in the reader's language; `text` says it in Vietnamese.
    searched: int | None = None
    scope: tuple[str, ...] = ()
    # On a refusal: the part the question names that its document does not have, the document, and the parts it
    # has ("Điều 9", "125/QĐ-BCĐTW", "Điều 1–4"), for renderers to say so first.
    absent: tuple[str, str, str] | None = None

    def cited(self) -> list[Citation]:
        """The citations the answer uses, in rank order."""
        return [c for c in self.citations if c.rank in self.used]
