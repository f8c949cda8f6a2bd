"""Hybrid search: dense (e5 in Chroma) and lexical (accent-folded BM25), fused with weights.

Plain reciprocal-rank fusion was measured to hurt on a multilingual set, so the fusion is weighted
towards dense, and towards lexical when the question is Vietnamese typed without diacritics (e5 does
poorly on those; folded BM25 does not). The weights are tuned on tests/eval (see `troly eval`).
Three adjustments follow the fusion: the first three passages hold at most two rows of one table; a passage
far ahead of all others on the question's words (a Vietnamese or English question) takes the second place; and a
passage in another script may take the third: when e5 puts that script's passages near, or when it holds a
particular the question names (that the first three lack, or hold without what is asked: a name, a date), its
terms put into that language (retrieval/bridge.py) saying which passage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from retrieval.accents import restore_marks
from retrieval.bridge import NAMES, arabic_stems, bridged_terms, held_terms, holds
from retrieval.extract import (
    DEFINITION,
    SPECIFIC,
    asked_for,
    asks_effect,
    defines,
    holds_kind,
    is_row,
    names_role,
    role_asked,
    units,
)
from retrieval.index import Catalog, DocumentIndex
from retrieval.parts import asks_whole, named_part, parts_held
from retrieval.parts import holds as part_holds
from retrieval.parts import label as part_label
from retrieval.places import names_place, names_place_across, places, proper_names
from retrieval.protocols import Embedder, SearchFilters
from retrieval.text import (
    DOCUMENT_KINDS,
    ENGLISH_DOCUMENT_KINDS,
    STOPWORDS,
    VI_SYLLABLE,
    dates_in_words,
    english_term_list,
    english_terms,
    expand_query,
    fold,
    has_vietnamese_diacritics,
    spelt_out,
    symbol_token,
    tokens,
)
from retrieval.types import DocumentMeta, Hit, StoredChunk

# Frequent English words: a Latin-script question without diacritics that uses none of them is taken
# for Vietnamese typed without accents.
_ENGLISH = frozenset(
    "the a an of to in on for is are was were what which who whom when where why how does do did by with "
    "and or from under must should deadline task tasks resolution plan report ministry province much many "
    "percent number date be has have that this".split()
)
_NON_LATIN = re.compile(r"[\u0600-\u06ff\u0400-\u04ff\u4e00-\u9fff]")


def query_kind(question: str) -> str:
    """'vi' (with diacritics), 'vi_plain' (Vietnamese without diacritics), 'en', or 'other' (Arabic, Persian…)."""
    if _NON_LATIN.search(question):
        return "other"
    words = re.findall(r"[a-z]+", question.lower())
    # "to", "do", "the", "in" are Vietnamese syllables typed without accents too ("tổ", "do", "thế", "in"):
    # they count as English only beside a marker no Vietnamese syllable can be ("what", "of", "is").
    marked = [w for w in words if w in _ENGLISH]
    if any(not VI_SYLLABLE.fullmatch(w) for w in marked) and len(marked) / len(words) >= 0.25:
        return "en"  # checked first: English questions quote Vietnamese names ("Bình dân học vụ số")
    if has_vietnamese_diacritics(question):
        return "vi"
    # Without diacritics: Vietnamese words are single syllables of a fixed shape; English words mostly not.
    syllables = [w for w in words if len(w) > 1]
    if syllables and sum(bool(VI_SYLLABLE.fullmatch(w)) for w in syllables) / len(syllables) < 0.7:
        return "en"
    return "vi_plain"


_PERSIAN = re.compile(r"[پچژگکی]")


def query_language(question: str) -> str:
    """The language a question is written in, as documents record theirs: vi, en, ar or fa."""
    kind = query_kind(question)
    if kind == "other":
        return "fa" if _PERSIAN.search(question) else "ar"
    return "en" if kind == "en" else "vi"


def same_language(a: str, b: str) -> bool:
    """Whether words can be compared between texts in languages a and b: the same script. English
    questions quote Vietnamese names and document numbers; Arabic and Persian share their script."""
    return not a or not b or _SCRIPT.get(a, a) == _SCRIPT.get(b, b)


_SCRIPT = {"vi": "latin", "en": "latin", "ar": "arabic", "fa": "arabic"}


@dataclass(frozen=True)
class FusionWeights:
    # Meaning and words weigh the same (accented Vietnamese, English). bench/tune_fusion on the tuning halves of
    # every set (the own documents, ALQAC, documents loaded later, the provinces): a lexical weight of 0.35, fitted
    # on the own 13 documents alone, ranked the passage that answers fourth or lower more often on documents e5 was
    # not tried on, where passages lie close in meaning (a province's plan, report, notice). hit@3 is flat from 1.0
    # to 2.0; above 1.0, off-topic questions found passages by their words alone and were answered (bench.eval_sets).
    dense: float = 1.0
    lexical: float = 1.0
    dense_plain: float = 0.35  # for Vietnamese typed without diacritics
    lexical_plain: float = 1.0
    rrf_k: float = 10.0
    # The best passage in another script takes the third place when its similarity is within this of
    # the best passage's: e5 ranks a Vietnamese question's Arabic answer below every Vietnamese passage
    # on the same topic, and no lexical evidence can lift it. Fitted on the tuning half (bench/tune_fusion).
    cross_margin: float = 0.05
    # A passage whose lexical score is this many times the next one's holds far more of the question's rare
    # words than any other: it takes the second place when fusion ranked it lower. e5 can miss a passage that
    # lists several duties of a document it was never tuned on ("Phòng Kinh tế … trình … trước ngày 28 tháng
    # 02 năm 2026" among three others) while BM25 finds it alone; ranks alone cannot tell a clear lead from a
    # tie. English questions too, their terms put into the documents' words by the glossary: e5 ranked the Hanoi
    # conference's news below thirty passages for "Which Deputy Minister … attended the Hanoi … conference", which
    # the words found first at 1.5 times the next.
    lexical_lead: float = 1.2
    # A term put into another language is a particular, not the topic, when at most this many of the
    # CROSS_CANDIDATES passages closest in meaning hold it.
    cross_particular: int = 3
    # Within `cross_margin`, the passage in another script must hold this share of the question's content words
    # (through its terms put into the passage's language).
    cross_held: float = 0.5


RESTORED_FROM = 30  # the passages found by words whose spelling gives a plain question its marks
CROSS_CANDIDATES = 20  # passages in another script looked at for the third place
# The composer's units come from the first three passages; a date, figure or organ asked for may also come from
# the next two (a lexical first that the cross-script third passage pushed to fourth, a figure one row down a table).
SHOWN, LOOKED_AT = 3, 5


def _table(hit: Hit) -> tuple[str, str] | None:
    """The table a passage is a row of (its document and the section above its rows), or None."""
    lines = hit.chunk.text.strip().splitlines()
    if not lines or " › " not in hit.chunk.section or not is_row(lines[-1]):
        return None
    return hit.chunk.doc_id, hit.chunk.section.rsplit(" › ", 1)[0]


def at_most_two_rows(hits: list[Hit]) -> list[Hit]:
    """The first three passages hold at most two rows of one table. Rows of one table share its headings and
    most words, so they rank together; a third says little the first two do not, while the clause above the
    table ("Thành lập 06 Tổ công tác …") or another section may answer what the rows do not."""
    table = _table(hits[0]) if len(hits) > 3 else None
    if table is None or _table(hits[1]) != table or _table(hits[2]) != table:
        return hits
    other = next((i for i in range(3, len(hits)) if _table(hits[i]) != table), None)
    if other is None:
        return hits
    return [*hits[:2], hits[other], *(h for i, h in enumerate(hits[2:], start=2) if i != other)]


def content_words(question: str, kind: str) -> set[str]:
    """The question's content words as passages are measured against them: folded, without function words; an
    English question's are the documents' words the glossary gives."""
    return set(tokens(english_terms(question) if kind == "en" else question)) - STOPWORDS


def kind_held(question: str, hits: list[Hit]) -> bool:
    """Whether a unit of the passages in the question's script holds what it asks for (a name, a date, a figure
    …); True when it asks for no such thing."""
    asked = asked_for(question)
    language = query_language(question)
    return asked.kind not in SPECIFIC or holds_kind(
        [h.chunk.text for h in hits if same_language(language, h.chunk.meta.language)], asked
    )


def at_most_two_across(hits: list[Hit], language: str) -> list[Hit]:
    """The first three passages hold at most two in another script than the question's, when a passage in its
    own was found. The Arabic and Persian articles retell, as news, what the Vietnamese documents state: e5
    puts them as near to an English question as the document that answers it, and they filled the first
    places ("How many administrative procedures … according to the December 2025 review report?": three
    articles, then the report). Two places still hold an article that answers where nothing else does."""
    if len(hits) <= 3 or any(same_language(language, h.chunk.meta.language) for h in hits[:3]):
        return hits
    own = next((i for i in range(3, len(hits)) if same_language(language, hits[i].chunk.meta.language)), None)
    if own is None:
        return hits
    return [*hits[:2], hits[own], *(h for i, h in enumerate(hits[2:], start=2) if i != own)]


_PART_PASSAGES = 200  # a named document's passages ranked to find those of the part named (more than any holds)

# A document named by its kind and number ("Thông báo 12", "Kế hoạch số 85", "QĐ 125"), folded with its
# abbreviations expanded.
_NAMED = re.compile(rf"\b({DOCUMENT_KINDS})(?: so)? (\d+)\b")


# English names of the kinds ("Decision 210", "Plan No. 85"): the glossary's terms for them.
_ENGLISH_NAMED = re.compile(rf"\b({'|'.join(sorted(ENGLISH_DOCUMENT_KINDS, key=len, reverse=True))})(?: no)?(?= \d)")


def document_numbers(question: str) -> list[tuple[str, str]]:
    """The kinds and numbers of the documents a question names ("Kế hoạch 85" → ("ke hoach", "85"); "Decision
    210" in English), folded."""
    asked = _ENGLISH_NAMED.sub(lambda m: ENGLISH_DOCUMENT_KINDS[m.group(1)], " ".join(expand_query(question)))
    return _NAMED.findall(asked)


def named_documents(question: str, documents: Mapping[str, DocumentMeta]) -> list[str]:
    """The documents a question names by kind and number ("Kế hoạch 85": a plan numbered 85-…; "Decision
    210" in English)."""
    catalog = documents if isinstance(documents, Catalog) else Catalog(documents)
    out = [
        doc_id
        for kind, number in document_numbers(question)
        for doc_id in catalog.numbered.get(number.lstrip("0"), [])
        if fold(catalog[doc_id].doc_type).startswith(" ".join(kind.split()[:2]))
    ]
    return list(dict.fromkeys(out))


def named_source(question: str, kind: str, documents: Mapping[str, DocumentMeta]) -> str:
    """The document a question names as its source, loaded and in the question's script ("Thông báo 12 …",
    "Under Decision 210 …"), or "". A document that other documents' titles name is the topic they share
    ("… về Nghị quyết 57"), not a source."""
    if kind == "other":
        return ""
    lang = query_language(question)
    catalog = documents if isinstance(documents, Catalog) else Catalog(documents)
    for doc_id in named_documents(question, catalog):
        doc = catalog[doc_id]
        topical = bool(catalog.titled.get(symbol_token(doc.symbol), set()) - {doc_id})
        if same_language(lang, doc.language) and not topical:
            return doc_id
    return ""


def part_leads(question: str, hits: list[Hit], documents: dict[str, DocumentMeta]) -> bool:
    """Whether the first passage is (inside) the part of a named document the question names ("Điều 3 Quyết
    định 210"): then it is what the question asks about, whatever it asks of it."""
    part = named_part(question)
    if not hits or not part or not part_holds(hits[0].chunk.section, part):
        return False
    return named_documents(question, documents) == [hits[0].chunk.doc_id]


def missing_part(question: str, index: DocumentIndex) -> tuple[str, str, str] | None:
    """("Điều 9", "125/QĐ-BCĐTW", "Điều 1–4") when the question names a part of a loaded document ("Điều 9
    Quyết định 125") that the document does not have, though it is divided into such parts."""
    part = named_part(question)
    if not part:
        return None
    documents = index.document_meta()
    named = named_documents(question, documents)
    if len(named) != 1:
        return None
    sections = [section for section, _ in index.live_text(named[0])]
    held = parts_held(sections, part)
    if not held or any(part_holds(section, part) for section in sections):
        return None
    return part_label(part), documents[named[0]].symbol, held


def in_document_words(question: str, kind: str) -> str:
    """The question with, for an English one, its terms in the documents' words (retrieval/glossary.py): what
    its words are compared with a passage's by. Each term is a phrase of its own: "bo tai chinh" and "ke hoach"
    are two, not the phrase "chinh ke"."""
    return " | ".join([question, *english_term_list(question)]) if kind == "en" else question


def role_holder_first(question: str, hits: list[Hit], pooled: list[Hit]) -> list[Hit]:
    """Asked who holds a role ("Ai là Trưởng Ban Chỉ đạo Trung ương?"), where the first passage names only its
    deputy ("Phó Trưởng Ban Chỉ đạo", with every other word of the question), the best passage of the pool naming
    the role itself leads: the deputy is another role."""
    role = role_asked(question)
    if not role or not hits:
        return hits

    def said(hit: Hit) -> str:
        return " ".join(tokens(f"{hit.chunk.text} {hit.chunk.meta.title}"))

    deputy = ["pho", *role]
    if names_role(said(hits[0]), role) or f" {' '.join(deputy)} " not in f" {said(hits[0])} ":
        return hits
    holder = next((h for h in pooled if names_role(said(h), role)), None)
    if holder is None:
        return hits
    return [replace(holder, score=hits[0].score), *(h for h in hits if h.chunk.id != holder.chunk.id)][: len(hits)]


def definition_first(question: str, hits: list[Hit], pooled: list[Hit]) -> list[Hit]:
    """Asked what a term means ("Nhiệm vụ quá hạn được hiểu là gì?"), where none of the first three passages defines
    it, the best passage of the pool that does ("d) Quá hạn: Nhiệm vụ chưa hoàn thành khi …") takes the third place:
    passages that only use the term ("104 nhiệm vụ quá hạn") hold its words more often than the one saying what it
    is."""
    asked = asked_for(question)
    if asked.kind != DEFINITION or not asked.term or len(hits) < 3:
        return hits

    def defining(hit: Hit) -> bool:
        return any(defines(u.text, asked.term) for u in units(hit.chunk.text))

    if any(defining(h) for h in hits[:3]):
        return hits
    found = next((h for h in pooled if defining(h)), None)
    if found is None:
        return hits
    rest = [h for h in hits if h.chunk.id != found.chunk.id]
    return [*rest[:2], replace(found, score=rest[1].score), *rest[2:]][: len(hits)]


def bridged_question(question: str, kind: str) -> list[str]:
    """The question's terms that the bridge puts into Arabic and Persian (retrieval/bridge.py), its dates read in
    words: "23/9/2025" is "tháng 9", which an article names ("23 سبتمبر"). With diacritics, a place is one the
    question writes as a name: "đánh giá lại" folds to the words of Gia Lai, and says "đánh giá"."""
    folded = " ".join(expand_query(dates_in_words(in_document_words(question, kind))))
    if kind != "vi":
        return bridged_terms(folded)
    named = f" {' | '.join(proper_names(question))} "
    return bridged_terms(folded, frozenset(t for t in NAMES if f" {t} " in named))


def _names(meta: DocumentMeta, named: DocumentMeta) -> bool:
    """Whether a document's title names another ("Kế hoạch … thực hiện Nghị quyết số 57-NQ/TW"): its tokens hold the
    other's symbol_token, as `Catalog.titled` reads every title."""
    return symbol_token(named.symbol) in tokens(meta.title)


def lexical_lead(
    hits: list[Hit],
    dense: list[tuple[str, float]],
    lexical: list[tuple[str, float]],
    chunks: dict[str, StoredChunk],
    language: str,
    ratio: float,
) -> list[Hit]:
    """The passage that leads the lexical list by `ratio` over the next (same language) in second place, if
    fusion put it lower or left it out."""
    same = [
        (cid, score) for cid, score in lexical if cid in chunks and same_language(language, chunks[cid].meta.language)
    ]
    if len(same) < 2 or len(hits) < 2 or same[0][1] < ratio * same[1][1]:
        return hits
    cid = same[0][0]
    if any(h.chunk.id == cid for h in hits[:2]):
        return hits
    lead = next((h for h in hits if h.chunk.id == cid), None) or Hit(
        chunks[cid], hits[1].score, dense=dict(dense).get(cid, 0.0), lexical=1.0
    )
    return [hits[0], lead, *(h for h in hits[1:] if h.chunk.id != cid)][: len(hits)]


_EMBEDDING_THREADS = 8  # questions embedded at once by one searcher (the embedder batches those that meet)


class HybridSearcher:
    def __init__(self, index: DocumentIndex, embedder: Embedder, weights: FusionWeights | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self._arabic: tuple[object, dict[str, str]] = (None, {})
        # The question is embedded while its words are looked up: the model runs in its own process (or releases
        # the GIL), so the lexical search costs no time of its own (at 50,000 passages, a quarter of an answer).
        self._embedding = ThreadPoolExecutor(max_workers=_EMBEDDING_THREADS, thread_name_prefix="troly-question")

    def search(self, question: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        pool = max(k * 3, 30)
        kind = query_kind(question)
        # The meaning is embedded from the question as the documents would write it: abbreviations spelt out.
        embedding = self._embedding.submit(
            self.embedder.embed, [spelt_out(question) if kind in ("vi", "vi_plain") else question], query=True
        )
        lexical = self.index.search_lexical(in_document_words(question, kind), pool, filters)
        # Embedded while the passages are searched and fused: the look across scripts comes last.
        read, across = self.restored_meaning(question, kind, lexical)
        vector = embedding.result()[0]
        dense = self.index.search_dense(vector, pool, filters)
        # The passages of both lists, read once: fusion and the cross-script slot both need their languages.
        wanted = list(dict.fromkeys([c for c, _ in dense] + [c for c, _ in lexical]))
        chunks = read | self.index.get_chunks([c for c in wanted if c not in read])
        # The swap below looks past the k asked for: a table's rows may fill the first five.
        pooled = self.fuse(question, dense, lexical, pool, chunks)
        fused = at_most_two_rows(pooled[: max(k, 10)])
        hits = at_most_two_across(fused, query_language(question))[:k]
        if not filters:  # filters already say which documents
            hits = self.named_first(question, kind, vector, hits, pooled)
            hits = self.named_part_first(question, kind, vector, hits)
            hits = role_holder_first(question, hits, pooled)
            hits = definition_first(question, hits, pooled)
        if kind in ("vi", "vi_plain", "en"):  # after: a lead of the named document's own does not push it second
            hits = lexical_lead(hits, dense, lexical, chunks, query_language(question), self.weights.lexical_lead)
        if dense and len(hits) >= 3:
            meaning = across.result()[0] if across is not None else vector
            cross = self.across_scripts(question, kind, meaning, filters, hits, dense[0][1])
            if cross:
                hits = self.reserve_third(hits, cross)
        return hits

    def restored_meaning(
        self, question: str, kind: str, lexical: list[tuple[str, float]]
    ) -> tuple[dict[str, StoredChunk], Future[np.ndarray] | None]:
        """The meaning to look across scripts with, being embedded (None: the question's own), and the passages read
        for it. Typed without diacritics, the question is embedded anew with the marks that the passages its words
        found write them with (retrieval/accents.py): e5 puts the Arabic article among the nearest passages for «Hà
        Nội cần đầu tư … bao nhiêu xã, phường» and not for «ha noi can dau tu …». Within its own script a plain
        question keeps its plain meaning: there its words lead (the fusion weights), and the refusal model was fitted
        on that meaning."""
        if kind != "vi_plain" or not self.in_another_script(question):
            return {}, None
        read = self.index.get_chunks([c for c, _ in lexical[:RESTORED_FROM]])
        meaning = restore_marks(spelt_out(question), [f"{c.meta.title}\n{c.text}" for c in read.values()])
        return read, self._embedding.submit(self.embedder.embed, [meaning], query=True)

    def in_another_script(self, question: str) -> list[str]:
        """The documents in another script than the question's."""
        lang = query_language(question)
        grouped = self.index.document_meta().by_language
        return [d for language, docs in grouped.items() if not same_language(lang, language) for d in docs]

    def across_scripts(
        self,
        question: str,
        kind: str,
        vector: np.ndarray,
        filters: SearchFilters | None,
        hits: list[Hit],
        top_sim: float,
    ) -> tuple[str, float, bool] | None:
        """The passage in another script that may take the third place. Which one: of the passages there closest
        in meaning, the one holding most of the question's terms put into its language (retrieval/bridge.py),
        weighted by rarity; e5's similarity only breaks ties, as across languages it tells topics, not
        paragraphs. Whether it takes the place: e5 puts that script near (its closest passage within
        `cross_margin` of the best passage's similarity; not for Vietnamese without diacritics, on which e5 is
        weak) and the passage holds `cross_held` of the question's terms; or it holds a particular term, one
        few passages of its language hold and the first three lack ("Chủ tịch Quốc hội" where the same-script
        passages only share the topic). An Arabic or Persian question has no terms to put into Vietnamese:
        e5 alone decides."""
        near = self.nearest_in_another_script(question, vector, filters, CROSS_CANDIDATES)
        if not near or self.about_a_loaded_source(question, kind):
            return None
        close = near[0][1] >= top_sim - self.weights.cross_margin
        if kind == "other":
            return (*near[0], False) if close else None
        terms = bridged_question(question, kind)
        if not terms:
            return None
        held = {
            cid: {t for t in terms if holds(said, t)}
            for cid, said in self.arabic_stems_of([c for c, _ in near]).items()
        }
        holders = {t: sum(t in h for h in held.values()) for t in terms}
        # A term no passage there holds weighs the most: the question names what that script's passages do not say.
        weight = {t: float(np.log(1 + len(near) / max(holders[t], 0.5))) for t in terms}
        # Equal weights: the one whose terms say more of the question's words ("khung kiến trúc" over "chủ trì").
        best = max(
            near,
            key=lambda cs: (
                round(sum(weight[t] for t in held.get(cs[0], ())), 6),
                sum(len(t.split()) for t in held.get(cs[0], ())),
                cs[1],
            ),
        )
        # A place the question names, that the passages found name, must be named by the other script's passage
        # too: "… của xã Hòa Minh Sơn" is about that commune's report, not an article on the same topic elsewhere.
        named = [
            place
            for place in places(question)
            if any(names_place(f"{h.chunk.text} {h.chunk.meta.title} {h.chunk.meta.issuer}", place) for h in hits[:3])
        ]
        said = self.arabic_stems_of([best[0]]).get(best[0], "")
        if any(not names_place_across(said, place) for place in named):
            return None
        share = self.rendered_shares(question, [best[0]]).get(best[0], 0.0)
        # The passage closest to every question on the Resolution ("ministries and localities have made efforts
        # …") is near on e5's scale and holds no particular: near says the topic, words must say the passage.
        if kind != "vi_plain" and close and share >= self.weights.cross_held:
            return (*best, False)
        # Otherwise, holding as much of the question as the third passage in the question's script, it takes that
        # place beside the passages there, not read with them: the articles retell as news what the Vietnamese
        # documents state (e5 ranks them below every Vietnamese passage on the topic). Words decide whether it alone
        # answers, where those passages do not (answer.says_more_across).
        beside = (*best, True) if held.get(best[0]) and share >= self.own_share(question, kind, hits[2]) else None
        particular = [t for t in held.get(best[0], ()) if 0 < holders[t] <= self.weights.cross_particular]
        if not particular:
            return beside
        shown = f" {' '.join(t for h in hits[:3] for t in tokens(h.chunk.text))} "
        # Particulars the first three show do not make them the answer when no passage the answer is read from
        # holds what is asked: "Đồng chí Chủ tịch Quốc hội dự Hội nghị … là ai?", where the conclusion notice says
        # only that he attended, and the article names him.
        return (
            (*best, False)
            if any(f" {t} " not in shown for t in particular) or not kind_held(question, hits[:LOOKED_AT])
            else beside
        )

    def own_share(self, question: str, kind: str, hit: Hit) -> float:
        """How much of the question a passage in its own script holds, as `rendered_shares` measures one in another:
        the share of its content words (English: the words the glossary gives) the passage or its title holds."""
        content = content_words(question, kind)
        if not content:
            return 0.0
        held = set(tokens(f"{hit.chunk.text} {hit.chunk.meta.title}"))
        return len(content & held) / len(content)

    def about_a_loaded_source(self, question: str, kind: str) -> bool:
        """Whether the question names its source, a loaded document in its own script ("Thông báo 12 …",
        "Under Decision 210 …"): then the answer is there."""
        return bool(named_source(question, kind, self.index.document_meta()))

    def rendered_shares(self, question: str, ids: list[str]) -> dict[str, float]:
        """How much of a Vietnamese or English question passages in another script hold: the words of the terms
        they render (retrieval/bridge.py) among the question's content words (a word the list cannot put into
        Arabic counts as not held; English: among the words the glossary gives). Empty for an Arabic or Persian
        question."""
        kind = query_kind(question)
        if kind == "other" or not ids:
            return {}
        terms = bridged_question(question, kind)
        content = content_words(question, kind)
        if not content:
            return {}
        return {
            cid: len({w for t in held_terms(said, terms) for w in t.split()} & content) / len(content)
            for cid, said in self.arabic_stems_of(ids).items()
        }

    def arabic_stems_of(self, ids: list[str]) -> dict[str, str]:
        """Passages' Arabic/Persian words as light stems (`arabic_stems`), kept per passage while the index is
        unchanged (the few passages in another script are asked for on every question)."""
        generation = self.index.generation()
        if self._arabic[0] != generation:
            self._arabic = (generation, {})
        known = self._arabic[1]
        missing = [c for c in ids if c not in known]
        if missing:
            known.update({cid: arabic_stems(chunk.text) for cid, chunk in self.index.get_chunks(missing).items()})
        return {c: known[c] for c in ids if c in known}

    def named_first(
        self, question: str, kind: str, vector: np.ndarray, hits: list[Hit], pooled: list[Hit]
    ) -> list[Hit]:
        """A document the question names as its source ("Công văn 33 yêu cầu các xã làm gì?") is what it asks
        about: its three passages best by the fused ranking of the whole pool (`pooled`) come first. A document
        named that other documents' titles name too ("Nghị quyết 57", their topic) leads, unless a passage of it,
        or of a document whose title names it, is among the first three already."""
        said = " ".join(expand_query(question))
        if not hits or not (_NAMED.search(said) or _ENGLISH_NAMED.search(said)):
            return hits
        documents = self.index.document_meta()
        named = named_documents(question, documents)
        # Of two named, the one no other title names is the source; the other is their topic ("Theo Quyết định
        # 210 ai làm Trưởng ban chỉ đạo NQ57 …": the decision is asked, the resolution is what it is about).
        source = named_source(question, kind, documents)
        if len(named) > 1 and source:
            named = [source]
        if len(named) != 1:
            return hits
        doc = documents[named[0]]
        # Asked when it was issued, a document named is the source whatever other titles name it ("NQ57 ban
        # hành ngày nào?"): its date is the answer.
        if source == named[0] or asked_for(question).issued or asks_effect(question):
            own = [h for h in pooled if h.chunk.doc_id == named[0]][:3]
            ids = {h.chunk.id for h in own}
            own += [h for h in self.ranked_in(question, kind, vector, named[0], 8) if h.chunk.id not in ids]
            lead = [replace(h, score=hits[0].score) if i == 0 else h for i, h in enumerate(own[:3])]
            ids = {h.chunk.id for h in lead}
            return [*lead, *(h for h in hits if h.chunk.id not in ids)][: len(hits)]
        if any(h.chunk.doc_id == named[0] or _names(h.chunk.meta, doc) for h in hits[:3]):
            return hits
        best = self.ranked_in(question, kind, vector, named[0], 8)[:1]
        if not best:
            return hits
        return [replace(best[0], score=hits[0].score), *(h for h in hits if h.chunk.id != best[0].chunk.id)][
            : len(hits)
        ]

    def named_part_first(self, question: str, kind: str, vector: np.ndarray, hits: list[Hit]) -> list[Hit]:
        """The part of a named document the question names ("Điều 3 Quyết định 210", "Mục II Kế hoạch 85")
        leads: its passages best for the question first, up to three. What the part says is what is asked, even
        when its words are not the question's ("Điều 3 … quy định gì?")."""
        part = named_part(question)
        if not hits or not part:
            return hits
        named = named_documents(question, self.index.document_meta())
        if len(named) != 1:
            return hits
        ranked = self.ranked_in(question, kind, vector, named[0], _PART_PASSAGES)
        lead = [h for h in ranked if part_holds(h.chunk.section, part)]
        if asks_whole(question):  # what the part says, from its beginning
            lead.sort(key=lambda h: h.chunk.ordinal)
        lead = lead[:3]
        if not lead:
            return hits
        ids = {h.chunk.id for h in lead}
        lead = [replace(h, score=hits[0].score) for h in lead]
        return [*lead, *(h for h in hits if h.chunk.id not in ids)][: len(hits)]

    def ranked_in(self, question: str, kind: str, vector: np.ndarray, doc_id: str, k: int) -> list[Hit]:
        """A document's passages closest in meaning (exact, among its own vectors: a filtered search of the whole
        index cost ~60 ms at 50,000 passages), ranked again with the question's words they hold."""
        dense = self.index.nearest_in(vector, k, [doc_id])
        chunks = self.index.get_chunks([c for c, _ in dense])
        asked = set(expand_query(in_document_words(question, kind))) - STOPWORDS
        held = {c: len(asked & set(tokens(ch.text))) for c, ch in chunks.items()}
        lexical = sorted(((c, float(n)) for c, n in held.items() if n), key=lambda cn: -cn[1])
        return [h for h in self.fuse(question, dense, lexical, k, chunks) if h.chunk.doc_id == doc_id]

    def nearest_in_another_script(
        self, question: str, vector: np.ndarray, filters: SearchFilters | None, k: int
    ) -> list[tuple[str, float]]:
        """The passages closest in meaning among documents in another script than the question's."""
        other = self.in_another_script(question)
        if not other:
            return []
        # Not taken from the dense list: the approximate search there may miss the closest one (its recall
        # varied between processes, so the same question got another third passage); this one is exact.
        return (
            self.index.nearest_in(vector, k, other)
            if not filters
            else self.index.search_dense(vector, k, filters, doc_ids=other)
        )

    def reserve_third(self, hits: list[Hit], cross: tuple[str, float, bool]) -> list[Hit]:
        """The best passage in another script among the first three (not otherwise ranked that high)."""
        cid, sim, beside = cross
        if any(h.chunk.id == cid for h in hits[:3]):
            return hits
        chunk = self.index.get_chunks([cid]).get(cid)
        if chunk is None:
            return hits
        kept = Hit(chunk, hits[2].score, dense=sim, kept=True, beside=beside)
        if all(same_language(chunk.meta.language, h.chunk.meta.language) for h in hits[:2]):
            # The first two are in its script already: it takes the second place, and the third stays with the
            # question's own script (at most two places in another, at_most_two_across).
            rest = [h for h in (hits[2], hits[1], *hits[3:]) if h.chunk.id != cid]
            return [hits[0], replace(kept, score=hits[1].score), *rest][: len(hits)]
        rest = [h for h in hits[2:] if h.chunk.id != cid]
        return [*hits[:2], kept, *rest][: len(hits)]

    def fuse(
        self,
        question: str,
        dense: list[tuple[str, float]],
        lexical: list[tuple[str, float]],
        k: int,
        chunks: dict[str, StoredChunk],
    ) -> list[Hit]:
        """Weighted reciprocal-rank fusion. Lexical evidence counts only between texts of the same language:
        a passage in another language (an Arabic article for a Vietnamese question) cannot share words
        with the question, so its dense rank stands for the lexical one it cannot have, in the measure that
        it holds the question's terms put into its language (retrieval/bridge.py): English questions on
        something the Arabic articles only share the topic of were answered from them, their Vietnamese
        passage fourth."""
        w = self.weights
        plain = query_kind(question) == "vi_plain"
        lang = query_language(question)
        wd, wl = (w.dense_plain, w.lexical_plain) if plain else (w.dense, w.lexical)
        same = {c: same_language(lang, ch.meta.language) for c, ch in chunks.items()}
        rendered = self.rendered_shares(question, [c for c, _ in dense if not same.get(c, True)])
        scores: dict[str, float] = {}
        dense_sim = dict(dense)
        lexical = [(c, s) for c, s in lexical if same.get(c, True)]
        top_lex = lexical[0][1] if lexical else 1.0
        lex_norm = {cid: s / top_lex for cid, s in lexical} if top_lex > 0 else {}
        for rank, (cid, _) in enumerate(dense):
            # Where dense leads (accented Vietnamese, English, Arabic/Persian), a passage in another language
            # takes both weights from its dense rank; where lexical leads (Vietnamese without diacritics,
            # on which e5 is weak), a dense-only match is not promoted.
            weight = wd if same.get(cid, True) or plain else wd + wl * rendered.get(cid, 1.0)
            scores[cid] = scores.get(cid, 0.0) + weight / (w.rrf_k + rank + 1)
        for rank, (cid, _) in enumerate(lexical):
            scores[cid] = scores.get(cid, 0.0) + wl / (w.rrf_k + rank + 1)
        best = sorted(scores, key=lambda c: (-scores[c], c))[:k]  # ties by id: the same answer every time
        return [
            Hit(chunks[c], scores[c], dense=dense_sim.get(c, 0.0), lexical=lex_norm.get(c, 0.0))
            for c in best
            if c in chunks
        ]


__all__ = ["STOPWORDS", "FusionWeights", "HybridSearcher", "query_kind", "query_language"]
