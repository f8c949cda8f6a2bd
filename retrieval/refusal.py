"""Whether the passages found answer the question: one calibrated score from several signals.

No single word and no single similarity cut-off decides (both were measured to refuse answerable
questions on new documents). The signals, all in [0, 1] or close:

- dense: the best passage's similarity, and its margin over the fifth (a focused match vs a flat list);
- cover: the share of the question's words, weighted by rarity in the index, that the best of the
  first three passages holds — its words, headings and the document's metadata (title, issuer,
  symbol: "Hà Nội" counts inside the Hanoi plan even where the text says "Thành phố"), with the
  aliases officials use (xong ↔ hoàn thành);
- pairs: the share of the question's word pairs that passage holds (phrases, not just words; the words that
  ask — "nào", "bao nhiêu", a trailing "không" — break phrases: an answer states the thing asked instead);
- focus: the same cover for the best single unit (sentence, clause, point with its lead-in, row) with
  the document's metadata: an answer sits in one place, while a question about something else meets
  its words scattered over a passage;
- unknown: the share of the question's words that no passage anywhere holds (with diacritics when the
  question has them: `lương` is not `lượng`); for an English question, the words the glossary cannot put
  into the documents' words (its own slope; they also count as missing in cover and focus);
- kind: whether the question asks for a date, figure, organ… and a unit of the passages holds one;
- place: the question names a place (tỉnh Nghệ An, xã Hòa Bình, Can Tho city), a year or a document by
  its number ("quyết định 749") that no passage anywhere names — about something the documents never mention;
- cross: the best passage is in another language than the question. Lexical signals only count
  between texts of the same language; for a cross-language match the model leans on dense.

A logistic model over these (with a slope per question language for the language-sensitive ones) is
fitted on tuning data only — the tuning half of tests/eval, its off-topic questions and the ALQAC
development set — by `python -m bench.fit_refusal`, which writes retrieval/refusal_model.json.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from retrieval.bridge import arabic_stems, bridged_terms, dates_of, holds, rendered_words
from retrieval.compose import asked_across, days_of, question_terms, rarity, states_deadline, unframed
from retrieval.extract import (
    DATE,
    FIGURES,
    MONEY,
    ORGAN,
    QUANTITY,
    SPECIFIC,
    asked_for,
    holds_kind,
    spans,
    uncounted,
    units,
)
from retrieval.index import DocumentIndex
from retrieval.places import names_organ, organs, places, proper_names, syllable_spellings
from retrieval.search import (
    bridged_question,
    document_numbers,
    named_documents,
    named_source,
    query_kind,
    query_language,
    same_language,
)
from retrieval.text import (
    ABBREVIATIONS,
    ALIASES,
    DOCUMENT_KINDS,
    ENGLISH_DOCUMENT_KINDS,
    STOPWORDS,
    document_symbols,
    english_content_words,
    english_glossary_words,
    expand_query,
    fold,
    function_words_split,
    present,
    question_words_split,
    raw_words,
    spelt_joined,
    word_pairs,
    words,
)
from retrieval.types import Hit

MODEL_FILE = Path(__file__).with_name("refusal_model.json")
KINDS = ("vi", "vi_plain", "en", "other")


@dataclass(frozen=True)
class Evidence:
    kind: str  # vi | vi_plain | en | other
    dense: float
    margin: float
    cover: float
    focus: float
    pairs: float
    unknown: float
    asks_fact: bool
    fact_found: bool
    cross: bool
    place_unknown: bool = False
    rendered: bool = False  # cross, and the lexical signals come from the question's terms put into its script

    def features(self) -> list[float]:
        """The model's inputs: the signals (lexical ones only where the words can be compared), and an
        intercept per question language (e5's similarities sit lower for Vietnamese without diacritics)."""
        lexical = 0.0 if self.cross and not self.rendered else 1.0
        return [
            self.dense,
            self.margin,
            lexical * self.cover,
            lexical * self.focus,
            lexical * self.pairs,
            # Unknown means another thing in English: words outside the glossary's vocabulary, not words no
            # passage holds; it has its own slope.
            lexical * self.unknown * (self.kind != "en"),
            lexical * self.unknown * (self.kind == "en"),
            float(self.asks_fact and self.fact_found),
            float(self.asks_fact and not self.fact_found),
            float(self.cross),
            float(self.place_unknown),
            *(float(self.kind == k) for k in KINDS[1:]),
        ]

    def describe(self) -> str:
        return (
            f"{self.kind} dense {self.dense:.3f} margin {self.margin:.3f} cover {self.cover:.2f} "
            f"focus {self.focus:.2f} pairs {self.pairs:.2f} unknown {self.unknown:.2f} fact {int(self.fact_found)}/{int(self.asks_fact)}"
            f"{' cross' if self.cross else ''}{' place?' if self.place_unknown else ''}"
        )


def unknown_words(question: str, kind: str, terms: list[str], index: DocumentIndex) -> tuple[list[str], list[str]]:
    """The question's content words, and those no passage anywhere holds ("phở", "lương"): checked with
    diacritics when the question has them. An English word is known when the glossary puts it into the
    documents' words and a passage holds them, or a passage holds it as it is (a name): words outside the
    vocabulary of the documents' kinds ("weather forecast", "exchange rate") are what a question about
    something else is made of."""
    question = spelt_joined(question)  # "KH&CN": one abbreviation, held where "khoa học công nghệ" is
    if kind == "vi":
        said = set(raw_words(unframed(question)))  # "được hiểu là gì" frames a definition: no content
        content = sorted(
            {
                w
                for w in raw_words(question)
                if len(w) > 1 and not w.isdigit() and fold(w) not in STOPWORDS and fold(w) in said
            }
        )
        known = index.document_frequency(content, raw=True)
    elif kind == "en":
        content = english_content_words(question)
        translated = english_glossary_words(question)
        held = index.document_frequency(sorted({w for vi in translated.values() for w in vi.split()} | set(content)))
        known = {
            w: int(bool(held.get(w)) or (w in translated and all(held.get(v) for v in translated[w].split())))
            for w in content
        }
    else:
        content = [t for t in terms if not t.isdigit() and "_" not in t]
        known = index.document_frequency(content)
    missing = [
        w
        for w in content
        if not known.get(w)
        and not any(all(index.document_frequency(alias.split()).values()) for alias in ALIASES.get(fold(w), ()))
        and not _abbreviation_held(w, index)
    ]
    return content, missing


def _abbreviation_held(word: str, index: DocumentIndex) -> bool:
    """Whether a word is an abbreviation officials type ("NQ57", "KHCN", "BCĐ") whose words passages hold: the
    documents spell them out ("Nghị quyết số 57", "khoa học, công nghệ")."""
    spelt = expand_query(word)[1:]  # the original first, then what it stands for
    return bool(spelt) and all(index.document_frequency(spelt).values())


@dataclass(frozen=True)
class Said:
    """A text's folded words and word pairs, as a question's are compared with them."""

    words: set[str]
    pairs: set[tuple[str, str]]

    @classmethod
    def of(cls, text: str) -> Said:
        return cls(words(text), word_pairs(text))

    @classmethod
    def rendered(cls, text: str, terms: list[str]) -> Said:
        """An Arabic or Persian text's words (retrieval/bridge.py)."""
        return cls(*rendered_words(text, terms))


@dataclass(frozen=True)
class AskedWords:
    """A question's words as passages are checked for them: each weighted by its rarity in the index; the content
    words, and those no passage anywhere holds; and the question's terms put into Arabic and Persian."""

    lang: str
    weight: dict[str, float]
    content: list[str]
    missing: list[str]
    bridged: list[str]
    names: tuple[str, ...] = ()  # folded proper names whose syllables count only together (`between_scripts`)

    @classmethod
    def of(cls, question: str, kind: str, index: DocumentIndex) -> AskedWords:
        terms = question_terms(question, translated=kind == "en")
        content, missing = unknown_words(question, kind, terms, index)
        weight = rarity(index, terms)
        if kind == "en" and missing:
            # An English word the glossary cannot put into the documents' words weighs nothing by rarity (no
            # Vietnamese passage holds it), yet it is part of what is asked: it counts as a typical term, missing.
            typical = sum(weight.values()) / max(1, sum(1 for w in weight.values() if w)) or 1.0
            weight.update({w: typical for w in missing})
        # Words compare only within a script: a passage in another one says the question's terms it renders
        # (retrieval/bridge.py). An Arabic or Persian question has no list to put its words into Vietnamese.
        bridged = bridged_question(question, kind) if kind != "other" else []
        return cls(query_language(question), weight, content, missing, bridged)

    def rarest_unheld(self) -> AskedWords:
        """The same words, those no passage holds weighed as the rarest: between scripts, a word no passage in the
        question's script holds ("Gia Lai" in a corpus of other provinces) is what a passage in another script that
        renders it says and they do not."""
        top = max(self.weight.values(), default=0.0)
        return replace(self, weight={w: v or top for w, v in self.weight.items()})

    def reader(self, hit: Hit) -> Callable[[str], Said] | None:
        """How a passage's text is read for the question's words (None: it cannot be, another script unbridged)."""
        if same_language(self.lang, hit.chunk.meta.language):
            return Said.of
        return partial(Said.rendered, terms=self.bridged) if self.bridged else None

    def share(self, held: set[str]) -> float:
        """The rarity-weighted share of the question's words among `held`."""
        total = sum(self.weight.values())
        return sum(w for t, w in self.weight.items() if present(t, held)) / total if total else 0.0

    def between_scripts(self, question: str) -> AskedWords:
        """The same words, as a passage in the question's script and one in another are weighed against each other:
        only those either can be checked for (the words of the question's terms the bridge puts into Arabic and
        Persian, and numbers: a word the list cannot render is held by no passage there, and weighed it would favour
        every passage in the question's script), and its proper names only whole (places.proper_names: a passage on
        Đông Hà Sơn holds "hà" and, in "nội dung", "nội", and says nothing of Hà Nội)."""
        bridged = {w for t in self.bridged for w in t.split()}
        return replace(
            self,
            weight={t: w for t, w in self.weight.items() if t in bridged or t.isdigit()},
            names=tuple(proper_names(question)),
        )

    def passage_share(self, hit: Hit) -> float:
        """The share a passage holds, in its text or its document's title, issuer and symbol."""
        said = self.reader(hit)
        if said is None:
            return 0.0
        meta = hit.chunk.meta
        text, header = said(hit.chunk.text), said(" ".join((meta.title, meta.issuer, meta.symbol)))
        held = text.words | header.words
        if self.names:
            pairs = text.pairs | header.pairs
            split = [n.split() for n in self.names]
            unsaid = {w for n in split if not all(p in pairs for p in zip(n, n[1:], strict=False)) for w in n}
            held -= unsaid
        return self.share(held)


# The words that say which kind of fact is asked ("xong trước ngày nào", "hạn chót là khi nào", "bộ phận nào chịu
# trách nhiệm chính"), folded: a passage answers them with a date or an organ (`fact_found`), not with the same words
# ("Thời hạn: 31/3/2027" of a table's row; "Cơ quan chủ trì: …").
_ASKING = {
    DATE: re.compile(
        r"\b(?:(?:phai )?(?:xong|hoan thanh) )?(?:truoc|vao|den|cham nhat) (?:ngay|thoi diem|thoi han|luc|khi) nao\b"
        r"|\bhan chot\b|\bthoi han\b|\b(?:khi|luc|hom) nao\b|\bbao gio\b|\b(?:xong|hoan thanh) truoc\b"
    ),
    ORGAN: re.compile(
        r"\b(?:bo phan|co quan|don vi|phong|ban|can bo)(?: nao)?(?: cua [a-z]+)? "
        r"(?:chiu trach nhiem(?: chinh)?|phu trach)\b|\b(?:bo phan|co quan|don vi) nao\b"
    ),
}


def asking_phrase_removed(question: str) -> str:
    """The question without the phrase that asks for its fact's kind (fold keeps each character's place)."""
    pattern = _ASKING.get(asked_for(question).kind)
    if pattern is None:
        return question
    cuts = [(m.start(), m.end()) for m in pattern.finditer(fold(question))]
    for start, end in reversed(cuts):
        question = question[:start] + " " + question[end:]
    return question


def gather_evidence(question: str, hits: list[Hit], index: DocumentIndex) -> Evidence:
    kind = query_kind(question)
    lang = query_language(question)
    top = hits[:5]
    # Lexical-only hits have no similarity. The passage in another script kept the third place is not of e5's
    # ranking: its similarity, on another language's scale, would read as a focused match.
    sims = [h.dense for h in top if h.dense > 0 and not h.kept]
    dense = max(sims, default=0.0)
    margin = dense - min(sims) if len(sims) > 1 else 0.0
    # Cross-language: no passage of the first three is in the question's script (words cannot compare).
    cross = not any(same_language(lang, h.chunk.meta.language) for h in hits[:3])

    question = unchecked_law_removed(question, index)  # the signals below weigh what is asked, not where
    what = asking_phrase_removed(question)
    # "còn", "bên", "ít nhất": no topic (text.FUNCTION_WORDS), known as such only with diacritics
    topical = function_words_split(what) if kind == "vi" else what
    asked_words = AskedWords.of(topical, kind, index)
    unknown = len(asked_words.missing) / len(asked_words.content) if asked_words.content else 0.0
    # The topic's phrases: "KH&CN" is one abbreviation, not "kế hoạch" and "CN"; "nhà mạng nào" no phrase of it
    q_pairs = word_pairs(spelt_joined(question_words_split(topical) if kind == "vi" else what))
    cover = focus = pairs = 0.0
    for h in hits[:3]:
        said = asked_words.reader(h)
        if said is None:
            continue
        meta = h.chunk.meta
        header = said(" ".join((meta.title, meta.issuer, meta.symbol)))
        whole = said(h.chunk.text)
        cover = max(cover, asked_words.share(whole.words | header.words))
        for unit in units(h.chunk.text):
            focus = max(focus, asked_words.share(said(unit.text).words | header.words))
        if q_pairs:
            held = whole.pairs | said(meta.title).pairs | said(meta.issuer).pairs
            pairs = max(pairs, len(q_pairs & held) / len(q_pairs))

    asked = asked_for(question)
    asks_fact = asked.kind in SPECIFIC
    # Asked for a person ("Which Deputy Minister …"), an organ is no fact found: the composer quotes only a name.
    fact_found = asks_fact and holds_kind([h.chunk.text for h in hits[:3]], asked)
    rendered = cross and bool(asked_words.bridged)
    # Judged alone, a passage in another script names a place the way it renders it ("Gia Lai": "جيا لاي").
    renders = " ".join(arabic_stems(h.chunk.text) for h in hits[:3]) if rendered else ""
    place_unknown = any(
        not any(all(index.document_frequency([spelt]).values()) for spelt in syllable_spellings(name))
        and not any(holds(renders, t) for t in bridged_terms(" ".join(syllable_spellings(name))))
        for name in places(question)
    ) or not all(index.document_frequency(years(question) + unloaded_document_numbers(question, index)).values())
    return Evidence(
        kind,
        dense,
        margin,
        cover,
        focus,
        pairs,
        unknown,
        asks_fact,
        fact_found,
        cross,
        place_unknown,
        rendered,
    )


# Words that frame what a named document says, not what is asked of it: "Công văn 33 yêu cầu các xã làm gì?",
# "Kế hoạch 85 giao … những việc gì?", "Tóm tắt Kế hoạch 85", "Quyết định 210 có hiệu lực chưa?" (folded).
_ABOUT_A_DOCUMENT = frozenset("yeu cau quy dinh giao neu noi de cap tom tat noi dung chinh chua khong co".split())
# A document named by its kind (in Vietnamese or English, or as officials abbreviate it) and number, folded:
# "Kế hoạch số 85", "QĐ 210/QĐ-UBND", "Decision No. 210", "nq57".
_KIND_WORDS = sorted(
    {*DOCUMENT_KINDS.split("|")}
    | {short for short, full in ABBREVIATIONS.items() if full in DOCUMENT_KINDS.split("|")}
    | set(ENGLISH_DOCUMENT_KINDS),
    key=len,
    reverse=True,
)
_DOCUMENT_NAME = re.compile(rf"\b(?:{'|'.join(map(re.escape, _KIND_WORDS))})(?: so| no\.?)? ?\d+[\w/.-]*")


def source_holds(question: str, hits: list[Hit], index: DocumentIndex) -> bool:
    """Whether the question names its source, a loaded document whose passage leads, and that document holds
    every word of what is asked (its text, title, issuer, symbol; aliases and abbreviations as elsewhere): then
    it asks what that document says ("Kế hoạch 85 giao Công an xã những việc gì?"), however few of its words
    one passage holds. A word the document never uses ("phụ cấp" of a decision that sets no allowance) leaves
    the judgement to the score."""
    kind = query_kind(question)
    documents = index.document_meta()
    source = named_source(question, kind, documents) if hits else ""
    if not source or hits[0].chunk.doc_id != source:
        return False
    meta = documents[source]
    passages = "\n".join(passage for _, passage in index.live_text(source))
    text = "\n".join((passages, meta.title, meta.issuer, meta.symbol))
    raw, folded = set(raw_words(text)), words(text)
    # The words that name the document are not what is asked of it (fold keeps each character's place).
    asked = question
    for m in reversed(list(_DOCUMENT_NAME.finditer(fold(question)))):
        asked = asked[: m.start()] + " " + asked[m.end() :]
    content, _ = unknown_words(asked, kind, question_terms(asked, translated=kind == "en"), index)
    translated = english_glossary_words(question) if kind == "en" else {}

    def held(word: str) -> bool:
        f = fold(word)
        spelt = expand_query(word)[1:]  # "NQ57": "nghi quyet 57"
        return (
            f in _ABOUT_A_DOCUMENT
            or (word in raw if kind == "vi" else present(f, folded))
            or any(all(a in folded for a in alias.split()) for alias in ALIASES.get(f, ()))
            or bool(spelt)
            and all(t in folded for t in spelt)
            or bool(translated.get(word))
            and all(v in folded for v in translated[word].split())
        )

    return all(held(w) for w in content)


# A law a question names as its source: "theo Bộ luật dân sự 2015", "vi phạm luật an ninh mạng", "Bộ luật
# Hình sự năm 2017". The name runs to a year, punctuation or one of these words, which start the question
# proper ("luật an ninh mạng khi …").
_STARTS_ASKING = (
    "khi|thi|quy|ve|co|la|duoc|nhu|nao|gi|ai|bao|may|doi|voi|cho|de|phai|se|neu|ma|hay|hoac|tai|trong|"
    "theo|cua|can|nhung|cac|mot|nguoi|ca|cong|to|dieu|dang"
)
_LAW = re.compile(
    r"\b(?<!phap )(?<!ky )(?:bo )?luat((?: (?!(?:nam )?(?:19|20)\d\d\b)[a-z]+){1,4}?)"
    rf"(?: (?:nam )?(?:19|20)\d\d\b|(?= (?:{_STARTS_ASKING})\b)|(?=\s*[^\w\s])|\s*$)"
)


# "điểm b khoản 1 Điều 6", "khoản 2 Điều 10", "Điều 25" (folded).
_PART_CITED = re.compile(r"\b(?:diem [a-z]\b,? ?)?(?:khoan \d+,? ?)?dieu \d+\b")


def laws_named(text: str) -> list[str]:
    """The folded names of the laws a text names ("dan su", "an ninh mang"); "pháp luật" names none."""
    return [m.group(1).strip() for m in _LAW.finditer(re.sub(r"\s+", " ", fold(text)))]


def unchecked_law_removed(question: str, index: DocumentIndex) -> str:
    """The question without the law it names as its source when no document's title names a law: an
    index of excerpts ("TRÍCH VĂN BẢN PHÁP LUẬT — PHẦN 3") cannot say whether its articles are the Civil
    Code's, so "theo Bộ luật dân sự 2015" is neither for nor against them. When titles do name laws, the
    name stays: it meets its document's title, or counts against a law that is not loaded."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", question))
    folded = fold(text)
    found = list(_LAW.finditer(folded))
    # "Bộ luật Lao động quy định điều gì?" asks about the law itself: then its name is what is asked.
    if any(folded[m.end() :].lstrip(" ,").startswith("quy dinh") for m in found):
        return question
    if not found or any(laws_named(f"{m.title} {m.symbol}") for m in index.document_meta().values()):
        return question
    # Its articles' numbers go with it: excerpts number their articles anew ("Điều 25" of the Code is an
    # excerpt's "Điều 263"), so "theo Điều 25, Bộ luật dân sự 2015" cannot be checked either.
    cuts = sorted([(m.start(), m.end()) for m in found] + [(m.start(), m.end()) for m in _PART_CITED.finditer(folded)])
    asked = text
    for start, end in reversed(cuts):  # fold keeps each character's place: the cut is made in the question as typed
        asked = asked[:start] + " " + asked[end:]
    return asked


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# A year that names a document ("Bộ luật Dân sự 2015", "Luật … năm 2018") rather than a time asked about.
_DOCUMENT_BEFORE = re.compile(
    r"\b(?:bo luat|luat|nghi dinh|nghi quyet|quyet dinh|thong tu|hien phap|law|code|decree)(?: [^\W\d_]+){0,4} $"
)


def years(question: str) -> list[str]:
    """The years a question asks about ("năm 2027", "by 2035"): like a place, a time no document mentions is
    one the documents do not cover. A year that is part of a document's name is not one of them."""
    folded = fold(question)
    return [m.group(0) for m in _YEAR.finditer(folded) if not _DOCUMENT_BEFORE.search(folded[: m.start()])]


def _names_organ(hit: Hit, field: str) -> bool:
    """Whether a passage names a ministry's or department's field, in its text or its document's title and issuer."""
    return names_organ(f"{hit.chunk.text} {hit.chunk.meta.title} {hit.chunk.meta.issuer}", field)


def _own_script(question: str, hits: list[Hit]) -> list[int]:
    """The places of the passages in the question's script: words compare only within one."""
    language = query_language(question)
    return [rank for rank, h in enumerate(hits) if same_language(language, h.chunk.meta.language)]


def organs_unnamed(question: str, hits: list[Hit]) -> list[str]:
    """The ministries and departments the question names (`places.organs`) that none of the passages in its script
    names. Passages in another script are judged apart (`answered_across`)."""
    own = _own_script(question, hits)
    return [f for f in organs(question) if own and not any(_names_organ(hits[r], f) for r in own)]


def about_other_organs(question: str, hits: list[Hit]) -> set[int]:
    """The places of the passages in the question's script that name none of the ministries or departments it names
    ("Bộ Tư pháp được giao bao nhiêu nhiệm vụ?"), when some passage names one: their figures are other organs'."""
    fields, own = organs(question), _own_script(question, hits)
    naming = {r for r in own if any(_names_organ(hits[r], f) for f in fields)}
    return {r for r in own if r not in naming} if naming else set()


def figure_stated(question: str, hits: list[Hit]) -> bool:
    """Whether a unit of the passages in the question's script states a figure of the kind asked for, of the year
    asked where it names one: a figure whose sentence names other years only is of those ("Tổng kinh phí … năm
    2025" of a plan for 2026), and one whose sentence names none is of its passage's years (its text, title and
    section), or of any when they name none. True when no figure is asked for."""
    asked = asked_for(question)
    if asked.kind not in FIGURES:
        return True
    language = query_language(question)
    wanted = set(years(question))
    elsewhere = about_other_organs(question, hits)  # another ministry's figures are not of the one asked
    for rank, hit in enumerate(hits):
        if not same_language(language, hit.chunk.meta.language) or rank in elsewhere:
            continue
        around: set[str] | None = None
        for unit in units(hit.chunk.text):
            if not spans(unit.text, asked):
                continue
            own = set(_YEAR.findall(fold(unit.text)))
            if not wanted or own & wanted:
                return True
            if own:
                continue
            if around is None:
                around = set(_YEAR.findall(fold(f"{hit.chunk.text} {hit.chunk.meta.title} {hit.chunk.section}")))
            if not around or around & wanted:
                return True
    return False


def days_named(question: str) -> set[str]:
    """The days a question names, as `bridge.dates_of` writes an article's ("4/12/2025", "ngày 04 tháng 12 năm 2025":
    "4_12_2025")."""
    return {f"{d}_{m}_{y}" for d, m, y in days_of(question)}


def figure_stated_across(question: str, hit: Hit) -> bool:
    """`figure_stated` for a passage in another script, judged alone: a date or figure of the kind asked (a date too:
    the articles are news, which date what they report), and for a count, a number of the noun asked where the list
    renders it (`bridge.renderings`): "3152 مندوبًا" for "bao nhiêu đại biểu", not "147 مهمة" for "bao nhiêu xã phường".
    A paragraph on the same topic that states none cannot answer "… có hiệu lực từ khi nào?"."""
    asked = asked_for(question)
    if asked.kind not in (*FIGURES, DATE):
        return True
    if asked.deadline or asked.bound == "latest":
        # "… trước ngày nào": a date the paragraph states as one («قبل 18 أكتوبر 2025»), not the start of a period it
        # reports on («في الفترة من 20 يوليو 2025»).
        return any(states_deadline(sp, u.text) for u in units(hit.chunk.text) for sp in spans(u.text, asked))
    days = days_named(question)
    if asked.kind in FIGURES and days and not days & dates_of(arabic_stems(hit.chunk.text)):
        # "… tính đến ngày 4/12/2025 … bao nhiêu": a figure of that day. The articles are news and date their
        # figures («حتى 23 سبتمبر 2025»): one of another day does not answer.
        return False
    read = asked_across(question, asked) if asked.kind in (QUANTITY, MONEY) else []
    if not read and asked.kind == QUANTITY and asked.counted and query_kind(question) != "en":
        # A noun the list does not render ("mấy người"): any number may count it, but not one the text says counts
        # another noun the list renders («679 مهمة» are tasks).
        return any(holds_kind([unit.text], replace(asked, counted="")) for unit in units(uncounted(hit.chunk.text)))
    if not read:
        return holds_kind([hit.chunk.text], replace(asked, counted=""))
    # The noun as the articles write it, after the figure: how an Arabic question's count is read (extract.spans).
    return any(holds_kind([hit.chunk.text], r) for r in read)


def unloaded_document_numbers(question: str, index: DocumentIndex) -> list[str]:
    """The numbers of the documents a question names ("quyết định 749", "Decision 942/QD-TTg") when none of
    them is loaded. Like a place or a year, such a number that no passage holds is a document the index does not
    cover (one cited inside a loaded document holds its number there). Laws are left out: an index of law
    excerpts does not carry the laws' numbers."""
    asked = [(kind, number) for kind, number in document_numbers(question) if kind != "luat"]
    if not asked:
        return []
    loaded = set(named_documents(question, index.document_meta()))
    # Written with its symbol ("Nghị quyết 99-NQ/TW"), a document is looked for by it: its number alone may be
    # any figure of the passages ("99 nhiệm vụ").
    symbols = document_symbols(question)
    return (
        [next((s for s in symbols if s.split("_")[0] == number.lstrip("0")), number) for _, number in asked]
        if not loaded
        else []
    )


@dataclass(frozen=True)
class RefusalModel:
    weights: list[float] = field(default_factory=list)
    bias: float = 0.0
    threshold: float = 0.5

    @classmethod
    def default(cls) -> RefusalModel:
        if MODEL_FILE.exists():
            data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
            return cls(list(data["weights"]), float(data["bias"]), float(data["threshold"]))
        return cls()  # unfitted: answers everything (the fit script writes the model)

    def probability(self, ev: Evidence) -> float:
        if not self.weights:
            return 1.0
        z = self.bias + sum(w * x for w, x in zip(self.weights, ev.features(), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
