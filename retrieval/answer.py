"""Answers with citations: extractive by default, an OpenAI-compatible LLM when configured.

Extractive: the one to three sentences of the best passages that share the most (rare) words with
the question, quoted verbatim (numbers and dates exactly as in the source), each followed by its
citation. "Not found" when the best passage is neither close in meaning nor shares the question's
content words: the thresholds are calibrated on tests/eval (refusal accuracy is gated in CI).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any

from retrieval.errors import AnswerFailed
from retrieval.protocols import SearchFilters
from retrieval.search import STOPWORDS, HybridSearcher, content_tokens, query_kind
from retrieval.text import ABBREVIATIONS, LETTERS_DIGITS, fold, raw_words, strip_courtesy, tokens
from retrieval.types import Answer, Citation, Hit

log = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"(?<=[.!?;:…])\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9\u0600-\u06ff])|\n+")


@dataclass(frozen=True)
class Thresholds:
    """When the best passages count as an answer. Calibrated on tests/eval/qa.jsonl (see `troly eval`).

    e5 similarities cluster high (0.75–0.92), and on-topic questions the documents do not answer
    (a commune official's salary) score as high as answerable ones, so similarity alone cannot refuse.
    Three more signals: a document number that is not in the index; a content word of the question that
    occurs in no passage at all (`phở`, `lương`… — checked with diacritics when the question has them);
    and how many of the question's word pairs the best passage contains.
    """

    dense: dict[str, float] = field(default_factory=lambda: {"vi": 0.87, "vi_plain": 0.0, "en": 0.80, "other": 0.80})
    # Below `weak_dense`, a passage must also contain this share of the question's word pairs.
    weak_dense: dict[str, float] = field(default_factory=lambda: {"vi": 0.89, "vi_plain": 0.82})
    weak_pairs: dict[str, float] = field(default_factory=lambda: {"vi": 0.35, "vi_plain": 0.5})


def word_pairs(toks: list[str]) -> set[tuple[str, str]]:
    """Adjacent pairs of content words (`khung kien`, `kien truc`): phrases, not just shared words."""
    return {(a, b) for a, b in zip(toks, toks[1:], strict=False)
            if a not in STOPWORDS and b not in STOPWORDS and len(a) > 1 and len(b) > 1}


def _topic_words(question: str, kind: str) -> list[str]:
    """The question's content words to look up in the index vocabulary (abbreviations and dates aside)."""
    if kind == "vi":
        words = [w for w in raw_words(question) if fold(w) not in STOPWORDS and fold(w) not in ABBREVIATIONS]
    else:
        words = [w for w in tokens(question) if w not in STOPWORDS and w not in ABBREVIATIONS]
    # Dates and document numbers are checked separately (a date may be written out in words).
    return sorted({w for w in words if len(w) > 1 and "_" not in w and not LETTERS_DIGITS.match(w)})


def split_sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in parts if len(p) > 1]


def citation_label(c: Citation) -> str:
    parts = [p for p in (c.document or c.source, c.symbol, c.section) if p]
    return ", ".join(parts)


class ExtractiveAnswerer:
    def __init__(self, searcher: HybridSearcher, thresholds: Thresholds | None = None) -> None:
        self.searcher = searcher
        self.thresholds = thresholds or Thresholds()

    def retrieve(self, question: str, k: int = 5, filters: SearchFilters | None = None) -> tuple[list[Hit], bool]:
        question = strip_courtesy(question)  # "Cho tôi hỏi: … Cảm ơn." is searched and judged as "…"
        hits = self.searcher.search(question, k=max(k, 5), filters=filters)
        return hits[:k], self.is_answerable(question, hits)

    def is_answerable(self, question: str, hits: list[Hit]) -> bool:
        return not self.refusal_reason(question, hits)

    def refusal_reason(self, question: str, hits: list[Hit]) -> str:
        """Why the passages do not answer the question ("" when they do)."""
        if not hits:
            return "no passages"
        index, th, kind = self.searcher.index, self.thresholds, query_kind(question)
        symbols = [t for t in tokens(question) if "_" in t and re.search(r"[a-z]", t)]
        unknown = [t for t, n in index.document_frequency(symbols).items() if n == 0]
        if unknown:
            return f"unknown document {unknown[0]}"
        if kind in ("vi", "vi_plain"):
            missing = [w for w, n in index.document_frequency(_topic_words(question, kind), raw=kind == "vi").items() if n == 0]
            if missing:
                return f"words not in any document: {', '.join(missing)}"
        best = max(h.dense for h in hits)
        if best < th.dense.get(kind, 0.0):
            return f"similarity {best:.3f} below {th.dense[kind]}"
        if kind in th.weak_dense and best < th.weak_dense[kind]:
            pairs = word_pairs(tokens(question))
            covered = max((len(pairs & word_pairs(tokens(h.chunk.text))) / len(pairs) for h in hits[:3]), default=0.0) if pairs else 1.0
            if covered < th.weak_pairs[kind]:
                return f"similarity {best:.3f} and word pairs {covered:.2f}"
        return ""

    def answer(self, question: str, *, k: int = 5, filters: SearchFilters | None = None) -> Answer:
        hits, found = self.retrieve(question, k, filters)
        citations = to_citations(hits)
        if not found:
            return Answer(False, not_found_text(question, filters), citations[:3])
        return Answer(True, self.compose(strip_courtesy(question), hits, citations), citations)

    def compose(self, question: str, hits: list[Hit], citations: list[Citation]) -> str:
        wanted = content_tokens(question)
        # Rarer words weigh more: a word found in few of the retrieved passages is the question's topic.
        in_hits = [content_tokens(h.chunk.text) for h in hits]
        df = {t: sum(t in words for words in in_hits) for t in wanted}
        idf = {t: math.log(1 + len(hits) / (1 + df[t])) for t in wanted}
        scored: list[tuple[float, int, int, str]] = []
        for rank, hit in enumerate(hits[:3]):
            for pos, sentence in enumerate(split_sentences(hit.chunk.text)):
                words = content_tokens(sentence)
                overlap = sum(idf[t] for t in wanted & words)
                has_number = bool(re.search(r"\d", sentence)) and bool(re.search(r"\d|bao nhieu|khi nao|how|when|ngay", question.lower()))
                score = overlap + (0.3 if has_number else 0.0) - 0.35 * rank - 0.01 * pos
                scored.append((score, rank, pos, sentence))
        scored.sort(key=lambda s: -s[0])
        picked = [s for s in scored if s[0] > 0][:3] or sorted(
            [s for s in scored if s[1] == 0], key=lambda s: s[2]
        )[:2]
        picked.sort(key=lambda s: (s[1], s[2]))  # source order reads better
        lines = []
        for _, rank, _, sentence in picked:
            lines.append(f"«{sentence}» [{rank + 1}]")
        used = sorted({rank for _, rank, _, _ in picked})
        sources = "\n".join(f"[{r + 1}] {citation_label(citations[r])}" for r in used)
        return "\n".join(lines) + "\n\n" + sources


def to_citations(hits: list[Hit]) -> list[Citation]:
    return [
        Citation(i + 1, h.chunk.meta.title or h.chunk.doc_id, h.chunk.meta.symbol, h.chunk.section, h.chunk.doc_id,
                 h.chunk.text, h.score)
        for i, h in enumerate(hits)
    ]


def not_found_text(question: str, filters: SearchFilters | None) -> str:
    scope = ""
    if filters and (filters.doc_types or filters.symbols):
        scope = " (trong " + ", ".join([*filters.doc_types, *filters.symbols]) + ")"
    return (
        f"Không tìm thấy nội dung trả lời câu hỏi này trong các văn bản đã lập chỉ mục{scope}. "
        "Tôi đã tìm theo cả nghĩa và từ khoá (có dấu và không dấu) nhưng không có đoạn nào đủ liên quan. "
        "Bạn thử hỏi cụ thể hơn (tên văn bản, số hiệu, nhiệm vụ) hoặc hỏi cán bộ phụ trách."
    )


_SYSTEM = (
    "Bạn là trợ lý cho cán bộ nhà nước Việt Nam. Chỉ trả lời dựa trên các đoạn văn bản được đánh số bên dưới. "
    "Mỗi ý phải kèm số nguồn trong ngoặc vuông, ví dụ [1]. Giữ nguyên số liệu, ngày tháng như trong văn bản. "
    "Nếu các đoạn không trả lời được câu hỏi, hãy nói rõ là không tìm thấy. Trả lời ngắn gọn, bằng ngôn ngữ của câu hỏi."
)


class LLMAnswerer:
    """Retrieval as above; the wording by an OpenAI-compatible chat model (through LangChain).

    Only the given passages may be cited: citations to numbers that were not given are dropped. On
    any error or timeout the extractive answer is returned with a short note.
    """

    def __init__(self, extractive: ExtractiveAnswerer, chat_model: Any, *, model_name: str = "") -> None:
        self.extractive = extractive
        self.chat = chat_model
        self.model_name = model_name

    def answer(self, question: str, *, k: int = 5, filters: SearchFilters | None = None) -> Answer:
        hits, found = self.extractive.retrieve(question, k, filters)
        citations = to_citations(hits)
        if not found:
            return Answer(False, not_found_text(question, filters), citations[:3])
        try:
            text = self._ask(question, citations)
        except Exception as exc:  # noqa: BLE001 - any failure of the remote model falls back
            log.warning("LLM failed, extractive answer instead: %s", exc)
            return Answer(True, self.extractive.compose(strip_courtesy(question), hits, citations), citations,
                          note="Mô hình ngôn ngữ không phản hồi; đây là câu trả lời trích nguyên văn.")
        used = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text) if 1 <= int(n) <= len(citations)})
        text = re.sub(r"\[(\d+)\]", lambda m: m.group(0) if 1 <= int(m.group(1)) <= len(citations) else "", text)
        kept = [c for c in citations if c.rank in used] or citations[:1]
        sources = "\n".join(f"[{c.rank}] {citation_label(c)}" for c in kept)
        return Answer(True, f"{text.strip()}\n\n{sources}", kept)

    def _ask(self, question: str, citations: list[Citation]) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        context = "\n\n".join(f"[{c.rank}] {citation_label(c)}\n{c.text}" for c in citations)
        messages = [SystemMessage(_SYSTEM), HumanMessage(f"Các đoạn văn bản:\n{context}\n\nCâu hỏi: {question}")]
        reply = self.chat.invoke(messages)
        content = reply.content if hasattr(reply, "content") else str(reply)
        if not isinstance(content, str) or not content.strip():
            raise AnswerFailed("empty reply")
        return content


def build_answerer_from(settings: Any, index: Any, embedder: Any) -> ExtractiveAnswerer | LLMAnswerer:
    extractive = ExtractiveAnswerer(HybridSearcher(index, embedder))
    if not getattr(settings, "llm_base_url", None):
        return extractive
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    chat = ChatOpenAI(
        base_url=settings.llm_base_url, api_key=SecretStr(settings.llm_api_key or "not-needed"),
        model=settings.llm_model or "default", timeout=20, max_retries=0, temperature=0,
    )
    return LLMAnswerer(extractive, chat, model_name=settings.llm_model or "")
