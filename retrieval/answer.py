"""Answers with citations: extractive by default, an OpenAI-compatible LLM when configured.

Extractive (retrieval/compose.py): the fact asked for first, verbatim from a cited unit of text, then
the one or two units it came from, then one source line per cited document. Whether the passages
answer at all is one calibrated score (retrieval/refusal.py), fitted on tuning data only; a refusal
says what was searched and offers the two closest passages, labelled as not answering.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from retrieval.bridge import MINISTRIES, arabic_stems, holds
from retrieval.compose import Draft, compose, holds_role, issue_date, source_lines
from retrieval.errors import AnswerFailed
from retrieval.extract import FIGURES, asked_for, asks_effect, spans, units
from retrieval.places import asked_names, names_place, names_place_across, place_terms
from retrieval.protocols import SearchFilters
from retrieval.refusal import (
    AskedWords,
    RefusalModel,
    figure_stated,
    figure_stated_across,
    gather_evidence,
    organs_unnamed,
    source_holds,
)
from retrieval.search import (
    LOOKED_AT,
    HybridSearcher,
    bridged_question,
    kind_held,
    missing_part,
    named_documents,
    part_leads,
    query_kind,
    query_language,
    same_language,
)
from retrieval.text import document_symbols, fold, initials_spelt, strip_courtesy, tokens
from retrieval.types import Answer, Citation, Hit

if TYPE_CHECKING:
    from retrieval.index import DocumentIndex
    from retrieval.protocols import Embedder, RetrievalSettings

log = logging.getLogger(__name__)


def citation_label(c: Citation) -> str:
    parts = [p for p in (c.document or c.source, c.symbol, c.section) if p]
    return ", ".join(parts)


class ExtractiveAnswerer:
    def __init__(self, searcher: HybridSearcher, refusal: RefusalModel | None = None) -> None:
        self.searcher = searcher
        self.refusal = refusal or RefusalModel.default()

    def retrieve(self, question: str, k: int = 5, filters: SearchFilters | None = None) -> tuple[list[Hit], bool]:
        question = strip_courtesy(question)  # "Cho tôi hỏi: … Cảm ơn." is searched and judged as "…"
        hits = self.searcher.search(question, k=max(k, 5), filters=filters)
        reason, across = self.judged(self.spelt(question, hits), hits)
        if across is not None:  # answered by the passage in another script: it leads, and is quoted first
            hits = [across, *(h for h in hits if h is not across)]
        return hits[:k], not reason

    def spelt(self, question: str, hits: list[Hit]) -> str:
        """The question with an abbreviation no document writes spelt out as the first passages name the thing
        ("Tổ CNSCĐ" → "Tổ công nghệ số cộng đồng"): its words are then weighed like the rest."""
        index = self.searcher.index

        def known(word: str) -> bool:
            return bool(index.document_frequency([fold(word)]).get(fold(word)))

        return initials_spelt(question, [h.chunk.text for h in hits[:3]], known)

    def is_answerable(self, question: str, hits: list[Hit]) -> bool:
        return not self.refusal_reason(question, hits)

    def refusal_reason(self, question: str, hits: list[Hit]) -> str:
        """Why the passages do not answer the question ("" when they do)."""
        return self.judged(question, hits)[0]

    def judged(self, question: str, hits: list[Hit]) -> tuple[str, Hit | None]:
        """Why the passages do not answer the question ("" when they do), and the passage in another script that
        answers it where only that one does."""
        if not hits:
            return "no passages", None
        unknown = [t for t, n in self.searcher.index.document_frequency(document_symbols(question)).items() if n == 0]
        if unknown:  # a document number the index does not hold: that document is not loaded
            return f"unknown document {unknown[0]}", None
        absent = missing_part(question, self.searcher.index)
        if absent:  # "Điều 9 Quyết định 125" of a decision with four articles: nothing else answers it
            return f"{absent[1]} has no {absent[0]}", None
        if asked_for(question).issued and issue_date(question, hits)[0]:
            return "", None  # when a named, loaded document was issued: its date answers it
        if part_leads(question, hits, self.searcher.index.document_meta()):
            return "", None  # "Điều 3 Quyết định 210 …": the article named is loaded, and leads
        if source_holds(question, hits, self.searcher.index):
            return "", None  # "Kế hoạch 85 giao Công an xã những việc gì?": its source named, and every word in it
        # A passage in another script that alone answers, where none in the question's script holds what is asked
        # (a name, a date, a figure), is judged first: read with them, it lends them its words, and the answer would
        # be quoted from them ("… do Thủ tướng nào chủ trì?" of a letter that names the office only).
        # So too where those that hold it are of documents that do not name the place the question asks about, and
        # that paragraph does («Hà Nội phải hoàn thành … trước ngày nào?»: a commune's report of another province has
        # dates of its own).
        kept = next((h for h in hits[:3] if h.kept), None)
        about = self.naming_as_kept(question, kept, hits[:3]) if kept is not None else []
        early = kept is not None and not kind_held(question, about)
        across = self.answered_across(question, hits, about) if early else None
        if across is not None:
            return "", across
        ev = gather_evidence(question, [h for h in hits if not h.beside], self.searcher.index)
        p = self.refusal.probability(ev)
        # Asked for a figure, passages that state none of its kind, or none of the year asked, cannot answer, however
        # much of the question they say ("Xã Tân Lập có bao nhiêu cán bộ công chức?" of a plan that counts no
        # officials).
        stated = figure_stated(question, hits[:LOOKED_AT]) and person_named(question, hits[:LOOKED_AT])
        # "Bộ Y tế được giao bao nhiêu nhiệm vụ?" of passages on other ministries' tasks: they are not about it.
        unnamed = organs_unnamed(question, hits[:3])
        if p >= self.refusal.threshold and stated and not unnamed:
            return "", None
        # Where the passages in its script state nothing of the kind asked, one in another script that says as much of
        # the question may (judged alone, it must state one: `figure_stated_across`).
        across = self.answered_across(question, hits, about, as_much=not stated) if not early or not stated else None
        if across is not None:
            return "", across
        if unnamed:
            return f"{unnamed[0]} named by no passage ({ev.describe()})", None
        if not stated:
            asked = asked_for(question)
            return f"no {'person' if asked.person else asked.kind} stated ({ev.describe()})", None
        return f"score {p:.2f} < {self.refusal.threshold:.2f} ({ev.describe()})", None

    def naming_as_kept(self, question: str, kept: Hit, hits: list[Hit]) -> list[Hit]:
        """The passages in the question's script whose documents name each place the question names that the kept
        paragraph in another script names (`places.asked_names`), and each ministry it names so."""
        said = self.searcher.arabic_stems_of([kept.chunk.id]).get(kept.chunk.id, "")
        names = [name for name in asked_names(question) if names_place_across(said, name)]
        ministries = [
            f" {t} " for t in bridged_question(question, query_kind(question)) if t in MINISTRIES and holds(said, t)
        ]

        def names_all(hit: Hit) -> bool:
            text = f"{hit.chunk.text} {hit.chunk.meta.title} {hit.chunk.meta.issuer}"
            folded = f" {' '.join(tokens(text))} "
            return all(names_place(text, n) for n in names) and all(m in folded for m in ministries)

        return [h for h in hits if not h.kept and names_all(h)]

    def answered_across(self, question: str, hits: list[Hit], about: list[Hit], *, as_much: bool = False) -> Hit | None:
        """The passage in another script kept among the first three, where it says more of the question than the
        passages in its script `about` what it is about (words compare only within a script: `says_more_across`)
        and, judged alone as a question answered in another script, answers it. Never where the question asks when a
        document it names takes effect: only that document's own units say so (search.named_first)."""
        across = says_more_across(question, hits, self.searcher.index, about, as_much=as_much)
        if across is None or asks_effect(question) and named_documents(question, self.searcher.index.document_meta()):
            return None
        if not figure_stated_across(question, across) or not names_places_asked(question, across):
            return None
        ev = gather_evidence(question, [across], self.searcher.index)
        return across if self.refusal.probability(ev) >= self.refusal.threshold else None

    def answer(self, question: str, *, k: int = 5, filters: SearchFilters | None = None) -> Answer:
        hits, found = self.retrieve(question, k, filters)
        citations = to_citations(hits)
        draft = self.draft(self.spelt(strip_courtesy(question), hits), hits) if found else None
        if draft is None or draft.empty:  # nothing in the passages could be quoted: that is not an answer
            return self.refused(question, filters, citations, hits)
        return draft.answer(citations)

    def refused(
        self, question: str, filters: SearchFilters | None, citations: list[Citation], hits: list[Hit]
    ) -> Answer:
        index = self.searcher.index
        asked = strip_courtesy(question)
        offered = [citations[i] for i in closest(asked, hits, index)]
        # On topic, yet no figure of the kind (or year) asked: the refusal says so before the passages it offers.
        kind = asked_for(asked).kind
        unmet = kind if kind in FIGURES and hits and not figure_stated(asked, hits[:LOOKED_AT]) else ""
        return refusal(question, filters, offered, index.count_documents(), missing_part(question, index), unmet)

    def draft(self, question: str, hits: list[Hit]) -> Draft:
        """The direct answer and the units it comes from, chosen from the first three passages — from the passage in
        another script alone where it leads (only it answers: see `judged`)."""
        if hits and hits[0].kept:
            return compose(question, hits[:1], self.searcher.index)
        return compose(question, [h for h in hits if not h.beside], self.searcher.index)


def closest(question: str, hits: list[Hit], index: DocumentIndex) -> list[int]:
    """The places of the two passages a refusal offers: the first two, unless the first three span two scripts,
    the first two share one, and the third — in the other — holds as much of the question's words (through the
    bridge's terms) as the second: then the first and the third. Words rank passages only within a script, and
    the passage in another script was kept third for its meaning alone; weighed by the same words as the second,
    it is offered where it says more (a Vietnamese question answered by an Arabic article, refused, shows that
    article's paragraph), and not otherwise (an Arabic paragraph on another meeting, for a question on the
    province's steering committee whose decision comes second)."""
    if len(hits) >= 3:
        first, second, third = (h.chunk.meta.language for h in hits[:3])
        if same_language(first, second) and not same_language(first, third):
            asked = AskedWords.of(question, query_kind(question), index)
            compared = asked.between_scripts(question)
            kept, other = compared.passage_share(hits[2]), compared.passage_share(hits[1])
            # Equal on the words both scripts can be checked for, the second holds the rest as well: it stays.
            if kept > other or kept == other and asked.passage_share(hits[2]) >= asked.passage_share(hits[1]):
                return [0, 2]
    return list(range(min(2, len(hits))))


def says_more_across(
    question: str, hits: list[Hit], index: DocumentIndex, about: list[Hit] | None = None, *, as_much: bool = False
) -> Hit | None:
    """The passage in another script kept among the first three, where it holds more of the question's words
    (through the bridge's terms) than each passage there in the question's own script — of those `about` what it
    is about (documents naming the places it names), when given: one about another place says nothing to weigh."""
    kept = next((h for h in hits[:3] if h.kept), None)
    if kept is None:
        return None
    asked = AskedWords.of(question, query_kind(question), index).rarest_unheld().between_scripts(question)
    mine = [h for h in hits[:3] if same_language(asked.lang, h.chunk.meta.language)]
    weighed = mine if about is None else [h for h in mine if h.chunk.id in {a.chunk.id for a in about}]
    if mine and not weighed:
        return kept
    own = [asked.passage_share(h) for h in weighed]
    share = asked.passage_share(kept)
    return kept if own and (share > max(own) or as_much and share == max(own)) else None


def person_named(question: str, hits: list[Hit]) -> bool:
    """Whether, asked who holds an office ("Giám đốc Sở … là ai?", "đồng chí nào …"), a unit in the question's
    script names a person, and gives them that office where the question names it (`compose.holds_role`: not the
    deputy): an office's duties, the organ it heads or another office's holder do not say who. True when no person
    is asked."""
    asked = asked_for(question)
    if not asked.person:
        return True
    lang = query_language(question)
    return any(
        sp.person and holds_role(sp, unit.text, question)
        for h in hits
        if same_language(lang, h.chunk.meta.language)
        for unit in units(h.chunk.text)
        for sp in spans(unit.text, asked)
    )


def names_places_asked(question: str, hit: Hit) -> bool:
    """Whether a paragraph in another script, with its article's title, names each place the question asks about
    that the list can render: «… Hà Nội đã hoàn thành đúng hạn bao nhiêu nhiệm vụ» is not answered by the national
    figure of an article on the Government's meeting, which names no Hanoi."""
    said = arabic_stems(f"{hit.chunk.meta.title}\n{hit.chunk.text}")
    return all(names_place_across(said, name) for name in asked_names(question) if place_terms(name))


def to_citations(hits: list[Hit]) -> list[Citation]:
    return [
        Citation(
            i + 1,
            h.chunk.meta.title or h.chunk.doc_id,
            h.chunk.meta.symbol,
            h.chunk.section,
            h.chunk.doc_id,
            h.chunk.text,
            h.score,
        )
        for i, h in enumerate(hits)
    ]


def not_found_text(documents: int = 0, scope: tuple[str, ...] = (), absent: tuple[str, str, str] | None = None) -> str:
    """What a refusal says was searched, in Vietnamese (the catalogue's "ask.refused" words it for a reader)."""
    within = " (trong " + ", ".join(scope) + ")" if scope else ""
    where = f"{documents} văn bản đã lập chỉ mục" if documents else "các văn bản đã lập chỉ mục"
    missing = f"{absent[1]} không có {absent[0]}; văn bản có {absent[2]}. " if absent else ""
    return missing + (
        f"Không tìm thấy nội dung trả lời câu hỏi này trong {where}{within}. "
        "Đã tìm theo cả nghĩa và từ khoá (có dấu và không dấu). "
        "Bạn thử hỏi cụ thể hơn (tên văn bản, số hiệu, nhiệm vụ) hoặc hỏi cán bộ phụ trách."
    )


def refusal(
    question: str,
    filters: SearchFilters | None,
    citations: list[Citation],
    documents: int,
    absent: tuple[str, str, str] | None = None,
    unmet: str = "",
) -> Answer:
    """Not found: what was searched (first, when the question names a part its document does not have, that:
    `absent`), and the two closest passages (renderers label them as not answering; with `unmet`, as not stating
    the kind of figure asked for)."""
    scope = (*filters.doc_types, *filters.symbols) if filters else ()
    text = not_found_text(documents, scope, absent)
    offered = citations[:2]
    used = tuple(c.rank for c in offered)
    return Answer(
        False, text, offered, body=text, used=used, searched=documents, scope=scope, absent=absent, unmet=unmet
    )


_SYSTEM = (
    "Bạn là trợ lý cho cán bộ nhà nước Việt Nam. Chỉ trả lời dựa trên các đoạn văn bản được đánh số bên dưới. "
    "Mỗi ý phải kèm số nguồn trong ngoặc vuông, ví dụ [1]. Giữ nguyên số liệu, ngày tháng như trong văn bản. "
    "Nếu các đoạn không trả lời được câu hỏi, hãy nói rõ là không tìm thấy. Trả lời ngắn gọn (một đến ba câu), "
    "bằng ngôn ngữ của câu hỏi; nếu đã có câu trả lời trực tiếp, đừng nhắc lại mà giải thích nó từ các đoạn."
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
        draft = self.extractive.draft(strip_courtesy(question), hits) if found else None
        if draft is None or draft.empty:  # the same refusal as the extractive answer: the model is not asked
            return self.extractive.refused(question, filters, citations, hits)
        try:
            text = self._ask(question, citations, draft)
        except Exception as exc:  # noqa: BLE001 - any failure of the remote model falls back
            log.warning("LLM failed, extractive answer instead: %s", exc)
            return draft.answer(citations, note="Mô hình ngôn ngữ không phản hồi; đây là câu trả lời trích nguyên văn.")
        # Only the given passages may be cited: other numbers are dropped.
        text = re.sub(r"\s*\[(\d+)\]", lambda m: m.group(0) if 1 <= int(m.group(1)) <= len(citations) else "", text)
        used = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
        body = "\n".join([*draft.short_line(), text.strip()])
        ranks = used | ({draft.short_rank} if draft.short else set()) or {1}
        cited = [c for c in citations if c.rank in ranks]
        return Answer(
            True,
            body + "\n\n" + source_lines(cited),
            citations,
            "",
            draft.short,
            draft.short_rank,
            (),
            body,
            tuple(sorted(ranks)),
        )

    def _ask(self, question: str, citations: list[Citation], draft: Draft) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        context = "\n\n".join(f"[{c.rank}] {citation_label(c)}\n{c.text}" for c in citations)
        given = (
            f"\nCâu trả lời trực tiếp (đã trích nguyên văn từ [{draft.short_rank}]): {draft.short}\n"
            if draft.short
            else ""
        )
        messages = [SystemMessage(_SYSTEM), HumanMessage(f"Các đoạn văn bản:\n{context}\n\nCâu hỏi: {question}{given}")]
        reply = self.chat.invoke(messages)
        content = reply.content if hasattr(reply, "content") else str(reply)
        if not isinstance(content, str) or not content.strip():
            raise AnswerFailed("retrieval.llm_empty")
        return content


def build_answerer_from(
    settings: RetrievalSettings,
    index: DocumentIndex,
    embedder: Embedder,
) -> ExtractiveAnswerer | LLMAnswerer:
    extractive = ExtractiveAnswerer(HybridSearcher(index, embedder))
    if not getattr(settings, "llm_base_url", None):
        return extractive
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    chat = ChatOpenAI(
        base_url=settings.llm_base_url,
        api_key=SecretStr(settings.llm_api_key or "not-needed"),
        model=settings.llm_model or "default",
        timeout=20,
        max_retries=0,
        temperature=0,
    )
    return LLMAnswerer(extractive, chat, model_name=settings.llm_model or "")
