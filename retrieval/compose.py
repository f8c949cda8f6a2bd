"""The extractive answer: the fact asked for first, then the one or two units of text it came from.

Units (a sentence, a clause's lead-in with its point, a table row with its headers) of the first three
passages are ranked by meaning and words together: the passage's similarity to the question carries
the meaning; the share of the question's words the unit holds, weighted by how rare each word is in
the whole index, and the question's word pairs it holds, carry the words. A unit that holds something
of the kind asked for (a date for "khi nào", a range for "bao lâu") ranks above one that does not —
that is what keeps headings, captions and neighbouring clauses out. A unit of the fourth or fifth passage
competes only when it holds the kind asked and says more of the question than any unit of the first three.
The direct answer is the span of that kind in the chosen unit that the question restates (its words either
side of "bao nhiêu" stand beside the span), else the one with most of its words in the span's sentence;
"lên đến / tối đa" takes the largest.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, replace

from retrieval.bridge import arabic_stems, arabic_words, bridged_terms, held_terms, holds, rendered_words, renderings
from retrieval.extract import (
    ARABIC_LETTER,
    CONTACT,
    DATE,
    DEFINITION,
    EVENT,
    FIGURES,
    IDENTITY,
    JOIN,
    LIST,
    LIST_MAX,
    LONG_LIST_MAX,
    MONEY,
    MOST,
    ORGAN,
    OTHER,
    QUANTITY,
    RANGE,
    SENTENCE_BREAK,
    SEVERAL_ANCHOR,
    SHARE,
    SPECIFIC,
    YESNO,
    Asked,
    Span,
    Unit,
    agent,
    anchored_completion,
    asked_for,
    asks_effect,
    asks_target,
    called,
    cell_asked,
    completion,
    condition_for,
    defines,
    definition_of,
    is_target,
    named_kind,
    named_of_kind,
    named_span,
    names_role,
    names_target,
    ordinal_asked,
    ordinal_in,
    preceding,
    quoted_name,
    role_asked,
    sets_floor,
    spans,
    units,
    which_noun,
    yes_or_no,
)
from retrieval.index import DocumentIndex
from retrieval.parts import asks_whole, named_part, part_text
from retrieval.parts import holds as part_holds
from retrieval.places import names_place, places
from retrieval.search import (
    LOOKED_AT,
    SHOWN,
    bridged_question,
    part_leads,
    query_kind,
    query_language,
    same_language,
)
from retrieval.text import (
    ENGLISH_FUNCTION_WORDS,
    STOPWORDS,
    english_glossary_words,
    english_terms,
    expand_query,
    fold,
    number_free,
    present,
    symbol_token,
    tokens,
    word_pairs,
    words,
)
from retrieval.types import Answer, Citation, Hit, Quote, by_document

# How the parts of a unit's score weigh: words (0–1), word pairs (0–1), the kind asked (0/1), the
# passage's rank and similarity. Set by reasoning and checked on the tuning half; see the module doc.
W_PAIRS, W_KIND, W_RANK, W_DENSE, W_LENGTH = 0.3, 0.45, 0.06, 1.0, 0.0002
W_HEADING = 1.0  # a unit inherits its article's or section's title
W_ACT_PAIRS = 0.5  # a later clause of an article inherits the phrases of clause 1 (the act) at this weight
SECOND_QUOTE_WITHIN = 0.1  # a second unit is quoted when it scores this close to the first…
SECOND_QUOTE_WITH_SHORT = 0.02  # …or, after a direct answer, only when it is as good
COMPLETION_AMONG = 5  # the best units looked at for the one saying the question's words most fully
SAID_WHOLE = 0.9  # a direct answer this long a share of its unit is that unit, not a part of it


# How a question asks, not what about: the imperative that opens it or follows "hãy" ("Mô tả quyền …",
# "Theo Bộ luật …, hãy liệt kê …"). No passage says "mô tả", so counted as content it makes an answerable
# question look half unanswered. Elsewhere the same words are content ("Ai trình bày báo cáo …?").
_FRAMING = re.compile(
    r"(?:^\s*|\bhay\s+)(?:mo ta|liet ke|trinh bay|giai thich|neu ro|neu|describe|list|explain)\b"
    r"|\b(?:duoc )?hieu (?:la|nhu the nao)\b"  # "… được hiểu là gì": how a definition is asked for
    r"|(?<=bao nhieu )phan tram\b|(?<=may )phan tram\b"  # "bao nhiêu phần trăm": the answer writes "70%"
    r"|\bcai (?=gi\b)"  # "cái gì" asks what "gì" does
    r"|\b(?:vao )?(?:thoi gian|thoi diem|luc) nao\b"  # "vào thời gian nào" asks what "khi nào" does
)
# "… lấy ở đâu ra", "… từ đâu": where, as "nào" asks which; with its diacritics ("đầu", "dấu" are words).
_WHERE = re.compile(r"\bđâu(?: ra)?\b", re.IGNORECASE)


# Particles of spoken Vietnamese, read with their diacritics: "… vừa rồi ai chủ trì?", "… đến tất cả các thôn",
# "… luôn không?". No document says them of its subject; folded, they would be other words ("rời", "cá", "vua").
_PARTICLES = re.compile(
    r"(?<!\w)(?:vừa rồi|vừa qua|rồi|tất cả|vậy|nhỉ|nhé|nữa|luôn|đều|vẫn|rất|ạ|à)(?!\w)", re.IGNORECASE
)


def unframed(question: str) -> str:
    """The folded question without the words that only frame it ("Mô tả …", "… được hiểu là gì")."""
    said = _PARTICLES.sub(" ", _WHERE.sub(" ", unicodedata.normalize("NFC", question)))
    return _FRAMING.sub(" ", fold(said))


def question_terms(question: str, *, translated: bool = False) -> list[str]:
    """Folded content words and numbers of a question (abbreviations expanded; with `translated`, for an
    English question, the documents' words for the terms it names too), in order, once each. Words that
    only frame the question ("mô tả", "liệt kê") are not content."""
    seen: dict[str, None] = {}
    english = query_kind(question) == "en"
    extra = english_terms(question) if translated and english else ""
    # An English function word may be a Vietnamese syllable ("no" is "nợ", "nó"): weighed by its rarity there,
    # it would count as a rare word the passage lacks.
    function = ENGLISH_FUNCTION_WORDS if english else frozenset()
    framed = unframed(question)
    for t in map(number_free, expand_query(framed)):
        if t not in STOPWORDS and t not in function and (len(t) > 1 or t.isdigit()):
            seen.setdefault(t, None)
    for t in map(number_free, expand_query(extra)):  # the documents' own words: all count
        if t not in STOPWORDS and (len(t) > 1 or t.isdigit()):
            seen.setdefault(t, None)
    return list(seen)


def rarity(index: DocumentIndex, terms: list[str]) -> dict[str, float]:
    """idf of each term over the whole index; a term no chunk holds weighs nothing (it cannot be quoted)."""
    n = max(index.count_chunks(), 1)
    counts = index.chunk_frequency(terms)
    return {t: (math.log(1 + n / counts[t]) if counts.get(t) else 0.0) for t in terms}


@dataclass(frozen=True)
class Candidate:
    unit: Unit
    rank: int  # 0-based rank of its passage
    score: float
    found: tuple[Span, ...]  # spans of the kind asked
    met: bool = False  # the unit holds what kind of answer is asked (a span, a list, a definition)


@dataclass(frozen=True)
class Draft:
    short: str
    short_rank: int  # 1-based citation number, 0 when no short
    quotes: tuple[Quote, ...]
    unmet: str = ""  # the kind of fact asked for that no unit of the passages states

    @property
    def empty(self) -> bool:
        """Nothing to say: no unit of the passages could be quoted (all were headers, bases, other places)."""
        return not self.short and not self.quotes

    def short_line(self) -> list[str]:
        """The direct answer with its citation number, as the first line of an answer (none without one)."""
        return [f"{self.short} [{self.short_rank}]"] if self.short else []

    def answer(self, citations: list[Citation], note: str = "") -> Answer:
        lines = self.short_line() + [f"«{q.text}» [{q.rank}]" for q in self.quotes]
        body = "\n".join(lines)
        ranks = {q.rank for q in self.quotes} | ({self.short_rank} if self.short else set())
        cited = [c for c in citations if c.rank in ranks]
        text = body + "\n\n" + source_lines(cited)
        return Answer(
            True,
            text,
            citations,
            note,
            self.short,
            self.short_rank if self.short else 0,
            self.quotes,
            body,
            tuple(sorted(ranks)),
            self.unmet,
        )


def source_lines(cited: list[Citation]) -> str:
    """One compact line per cited document: [1][3] symbol · sections · short title."""
    lines = []
    for group in by_document(cited):
        first = group[0]
        sections = list(dict.fromkeys(c.section for c in group if c.section))
        title = first.document if len(first.document) <= 60 else first.document[:59].rstrip() + "…"
        parts = [p for p in (first.symbol, "; ".join(sections), title if title != first.symbol else "") if p]
        lines.append("".join(f"[{c.rank}]" for c in group) + " " + " · ".join(parts or [first.source]))
    return "\n".join(lines)


def _headings(text: str, body: list[Unit]) -> str:
    """The passage's heading lines (what no unit holds): the title a unit sits under."""
    inside = " ".join(u.text for u in body)
    return " ".join(line for line in text.splitlines() if line.strip() and line.strip() not in inside)


# Where a question asks for its figure, date or organ: the words either side stand in for the answer's
# sentence. Tried in this order ("máy" folds to "may", "AI" to "ai").
_SLOTS = (
    re.compile(r"\b(?:bao nhieu|bao lau|bao gio|khi nao|nhu the nao|ra sao)\b"),
    re.compile(r"\b(?:may|nao)\b"),
    re.compile(r"\bai\b"),
)
# Words that link the slot to what follows it ("ai là người ban hành …"): no content of their own.
_LINKING = {"la", "nguoi", "co", "duoc", "da", "se", "dang", "phai", "can", "thi", "moi"}
_WORDS = re.compile(r"[^\W_]+")
_ASKS_WHO = re.compile(r"\bai\b|\bwho\b")
# A date the text states as a deadline ("chậm nhất ngày …", "Thời hạn: 30/6/2025"), for a deadline asked.
# Arabic and Persian too ("قبل 31 ديسمبر 2025", "بحلول", "موعد أقصاه", "پیش از", "حداکثر"), with a clitic "و".
_STATES_DEADLINE = re.compile(
    r"\b(?:cham nhat|truoc|trong|khong muon hon|han|no later than|by)\b"
    r"|(?<!\w)و?(?:قبل|بحلول|أقصاه|اقصاه|پیش از|حداکثر)(?!\w)"
)
_STARTS_FROM = re.compile(r"(?:tu|ke tu|from|since)\b")
_UNTIL = re.compile(r"(?:تا|و?حتى)\s")
_MUST = re.compile(r"(?<!\w)[وف]?(?:باید|يجب|ينبغي)(?!\w)")
_SENTENCE_END = re.compile(r"[.;!?؛\n]\s*")
_DEADLINE_BEFORE = 4  # words before a date where the text may call it a deadline ("Thời hạn hoàn thành: ")


def states_deadline(span: Span, text: str) -> bool:
    """Whether the text states the date as a deadline, in the span or just before it ("Thời hạn: 30/6/2025").
    A date from which something runs is a start, whatever precedes it ("Trong giai đoạn từ ngày 20 tháng 7 …")."""
    if _STARTS_FROM.match(fold(span.text)):
        return False
    start = max(0, span.start - 60)
    before = _WORDS.findall(fold(text[start : span.start]))
    if start and text[start - 1].isalnum():
        before = before[1:]  # the window began inside a word
    before = before[-_DEADLINE_BEFORE:]
    if _STATES_DEADLINE.search(" ".join([*before, fold(span.text)])):
        return True
    # "تا اول مارس ۲۰۲۶، هر بخش باید …" (by 1 March 2026 each part must …): "until" a date is a deadline where its
    # sentence says what must be done by then; without ("تا تاریخ ۴ دسامبر ۲۰۲۵ …", as of that day) it ends a period.
    if not _UNTIL.match(span.text):
        return False
    sentence = _SENTENCE_END.split(text[: span.start])[-1] + _SENTENCE_END.split(text[span.end :], maxsplit=1)[0]
    return bool(_MUST.search(sentence))


# A figure the text itself states as a bound: "bố trí ít nhất 3% tổng chi ngân sách", "không quá 05 ngày".
_STATES_BOUND = {
    "min": re.compile(r"\b(?:toi thieu|it nhat|khong duoi|khong it hon|at least|no less than)\b"),
    "max": re.compile(r"\b(?:toi da|khong qua|khong vuot qua|len den|at most|no more than|up to)\b"),
    "latest": re.compile(r"\b(?:cham nhat|muon nhat|tre nhat|khong muon hon|khong cham hon|truoc|no later than|by)\b"),
}
_ASKS_DAY = re.compile(r"\bngay (?:nao|may)\b|\b(?:what|which) (?:date|day)\b|\bon what day\b")
_DAY = re.compile(
    r"\d{1,2}\s+tháng\s+\d{1,2}|\d{1,2}/\d{1,2}|ngày\s+\d{1,2}"
    r"|\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)",
    re.IGNORECASE,
)


def _slot(question: str) -> re.Match[str] | None:
    """Where the question asks ("bao nhiêu", "khi nào", "nào", "ai"), in its folded text."""
    return next((m for pattern in _SLOTS if (m := pattern.search(fold(question)))), None)


_COORDINATE = re.compile(r"[.;!?](?=\s)| và | hoặc ", re.IGNORECASE)
_NEAR_FIGURE = 3  # words just before a figure that say what it counts ("đã hoàn thành 176")
_FIGURE_CLAUSE_END = re.compile(r"[.;:؛\n](?=\s|$)|\d")


def _aligned(n: int) -> int:
    return n if n >= 2 else 0  # one shared word ("có", "là") is no alignment


def _content(seq: list[str]) -> list[str]:
    """The words after the linking ones that open a phrase ("là", "người")."""
    return list(itertools.dropwhile(lambda w: w in _LINKING, seq))


def _common(a: list[str], b: list[str]) -> int:
    """How many words two sequences share from their start."""
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def restated(found: tuple[Span, ...], text: str, question: str) -> Span:
    """The span the question restates best. First by alignment: "trong năm 2025 còn bao nhiêu nhiệm vụ phải
    hoàn thành" is the sentence "… trong năm 2025 còn 472 nhiệm vụ phải hoàn thành" with its figure asked
    for, so the words either side of "bao nhiêu" meet those either side of 472, not of 368 or 404. Then by
    the question's words and word pairs around it, within its own sentence (ties: the first)."""
    kind = query_kind(question)
    if kind in ("vi", "vi_plain", "en") and ARABIC_LETTER.search(text):
        return restated_across(found, text, question, kind)
    # "Ai …?" where the unit names people: a person, not the organ beside them ("Báo cáo do đồng chí Trương Việt
    # Dũng, Phó Chủ tịch Ủy ban nhân dân Thành phố trình bày": Trương Việt Dũng presented it).
    asked = asked_for(question)
    if (_ASKS_WHO.search(fold(question)) or asked.person) and any(sp.person for sp in found):
        found = tuple(sp for sp in found if sp.person)
    # "Ai là Trưởng Ban Chỉ đạo Trung ương?": who stands by the role, not the organ the role's own words name
    # ("… Ban Chỉ đạo Trung ương … do đồng chí Tổng Bí thư làm Trưởng Ban Chỉ đạo").
    if (identity := IDENTITY.match(fold(question))) and (role := f" {identity.group(1) or identity.group(2)} "):
        other = tuple(sp for sp in found if f" {' '.join(_WORDS.findall(fold(sp.text))[:3])} " not in role)
        found = other or found
    # "… ngày nào?" asks for a day: "Ngày 15 tháng 10 năm 2025", not "quý III năm 2025" beside it.
    if _ASKS_DAY.search(fold(question)) and any(_DAY.search(sp.text) for sp in found):
        found = tuple(sp for sp in found if _DAY.search(sp.text))
    wanted = words(question) | set(expand_query(question))  # "ubnd" says "ủy ban nhân dân"
    english, script = kind == "en", kind == "other"
    if english:  # an English question's terms in the documents' words
        wanted |= set(english_terms(question).split())
    # The words compared where the question's order is not the text's: an English question's terms put into the
    # documents' words; an Arabic or Persian question's own, as comparable words.
    reordered = english or script
    translated = (
        {w for w in wanted if w not in STOPWORDS}
        if english
        else set(arabic_words(question).split())
        if script
        else set()
    )

    def said_in(part: str) -> list[str]:
        return arabic_words(part).split() if script else _WORDS.findall(fold(part))

    phrases = word_pairs(question, spelt=False)
    slot = _slot(question)
    names = asked.kind == ORGAN
    before = _WORDS.findall(fold(question)[: slot.start()]) if slot else []
    after = _WORDS.findall(fold(question)[slot.end() :]) if slot else []

    def aligned(sp: Span) -> int:
        # Around its figure ("còn 472 nhiệm vụ phải hoàn thành"); a name or an organ, around itself ("Ai là
        # Trưởng Ban Chỉ đạo …?": "đồng chí Tổng Bí thư, Trưởng Ban Chỉ đạo …").
        figure = _FRACTION.search(text, sp.start, sp.end)
        if not figure and not names and not script:
            return 0
        # An Arabic or Persian span is aligned as a figure is, from its own first word: a date's figure is its year,
        # and the words before the year are the date's ("تا اول مارس ۲۰۲۶").
        start, end = (figure.start(), figure.end()) if figure and not script else (sp.start, sp.end)
        left = _WORDS.findall(fold(text[max(0, start - 160) : start]))
        if reordered and (figure or script):
            # Its words are in another order: those of its terms just before the figure ("How many tasks did …
            # complete": "đã hoàn thành 176 nhiệm vụ", not "được giao 214 nhiệm vụ"), and after what it counts to the
            # end of its clause ("38 cơ sở dữ liệu … có nguy cơ cao không hoàn thành"), short of the words just
            # before the next figure, which are that figure's.
            stop = _FIGURE_CLAUSE_END.search(text, sp.end)
            # Short of the next span asked for too: the words just before it are its own ("… هر بخش …، کل فرآیند |
            # تا اول مارس ۲۰۲۶" — the whole process's date, not the first one's); an Arabic comma opens another clause.
            following = min((o.start for o in found if o.start >= sp.end), default=len(text))
            comma = text.find("،", sp.end, following) if script else -1
            until = min(stop.start() if stop else len(text), following, comma if comma >= 0 else len(text))
            said = said_in(text[sp.end : until])
            if until < len(text) and (until == following or text[until].isdigit()):
                said = said[:-_NEAR_FIGURE]  # what stands just before the next figure or span says what it is
            near = said_in(text[max(0, start - 160) : start])[-_NEAR_FIGURE:]
            return _aligned(sum(w in translated for w in near) + len(translated & set(said)))
        right = _WORDS.findall(fold(text[end : end + 160]))
        if not figure:  # the question's linking words ("là", "do") stand where the text has a comma
            return _aligned(_common(before[::-1], left[::-1]) + _common(_content(after), _content(right)))
        # Before the figure ("tỷ lệ … đạt 85,89%") or before the span's own first word ("phạt tiền | từ 50.000.000
        # đồng …"): the question may restate either.
        outside = _WORDS.findall(fold(text[max(0, sp.start - 160) : sp.start]))
        return _aligned(
            max(_common(before[::-1], left[::-1]), _common(before[::-1], outside[::-1])) + _common(after, right)
        )

    def around(sp: Span) -> int:
        # Within the span's own sentence: "… (1.918,618 tỷ đồng). Thủ tướng … đã đồng ý phân bổ 13.659,992 tỷ
        # đồng" — the words that say what a figure is stand in its sentence, not in the next one.
        lo = max(0, sp.start - 90)
        cuts = list(SENTENCE_BREAK.finditer(text, lo, sp.start))
        start = cuts[-1].end() if cuts else lo
        # A clause that says nothing but the span ("…, ký số và gửi, nhận trên môi trường mạng; hoàn thành trước ngày
        # 31/3/2026") states it of the clause before the semicolon.
        if cuts and text[cuts[-1].start()] == ";" and len(words(text[start : sp.start]) & wanted) <= 1:
            start = cuts[-2].end() if len(cuts) > 1 else lo
        # After it, to the end of its clause: a person's titles follow the name ("đồng chí …, Chủ tịch …;").
        stop = next((m.start() for m in SENTENCE_BREAK.finditer(text, sp.end, sp.end + 120)), sp.end + 40)
        window = text[start:stop]
        return len(words(window) & wanted) + len(word_pairs(window, spelt=False) & phrases)

    content = {w for w in wanted if w not in STOPWORDS and not w.isdigit()}

    def near(sp: Span) -> int:
        # The words just before a figure say what it is, short of the figure before it: "Ngân sách tỉnh bảo đảm 70%
        # và ngân sách cấp xã bảo đảm 30%" — the province's share is 70%; "… là 186,5 tỷ đồng; … đã giải ngân 97,3 tỷ
        # đồng" — disbursed is 97,3. Numbers and linking words say nothing of which.
        figure = _FRACTION.search(text, sp.start, sp.end)
        if not figure or asked.kind not in FIGURES:
            return 0
        start = figure.start()
        previous = max((o.end for o in found if o.end <= sp.start), default=0)
        # Not past "và": "… 12 cơ sở dữ liệu trọng điểm thuộc phạm vi Kế hoạch này và 105 cơ sở dữ liệu":
        # what follows the first figure is its own.
        cuts = list(_COORDINATE.finditer(text, previous, start))
        left = _WORDS.findall(fold(text[max(previous, cuts[-1].end() if cuts else 0) : start]))
        # All its clause's words before it ("… tỷ lệ học viên hoàn thành khóa học trực tuyến trên nền tảng … mới đạt
        # 76,4%" says at length what it is), and those just before it more: the topic a sentence names first is every
        # figure's ("Tổng kinh phí … là 186,5 tỷ đồng; … đã giải ngân 97,3 tỷ đồng"), the verb before each is its own.
        return len(content & set(left)) + 2 * len(content & set(left[-_NEAR_ACROSS:]))

    # Asked for the most of a list ("… được giao nhiều nhiệm vụ nhất"), the largest of its figures.
    most = asked.kind in FIGURES and bool(MOST.search(fold(question)))
    return max(found, key=lambda sp: (sp.value if most else 0.0, aligned(sp), near(sp), around(sp), -sp.start))


_CLAUSE_ACROSS = re.compile(r"[.؛;،,:!?\n]")


def restated_across(found: tuple[Span, ...], text: str, question: str, kind: str) -> Span:
    """Of the spans of a text in another script, the one whose clause holds most of the question's terms as the list
    renders them (words compare only within a script): «… ۳۰۸ روستای دیگر دارای افت سیگنال هستند؛ ۱۲۹ روستا برق
    ندارند» — "bao nhiêu thôn chưa có điện" is the second (ties: the first)."""
    terms = bridged_question(question, kind)
    return max(found, key=lambda sp: (held_in_clause(sp, text, terms), -sp.start))


_NEAR_ACROSS = 4  # words either side of a figure that say what it counts («وقد أُنجزت 76 مهمة»)


def held_in_clause(span: Span, text: str, terms: list[str]) -> int:
    """How many words of the terms the words around a span in another script hold, as the list renders them: within
    its clause, and near it — the place and the topic a sentence names once (at its start) are every figure's, and
    say nothing of which one is asked («ركزت مقاطعة جيا لاي على مراجعة وتنفيذ 147 مهمة …، وقد أُنجزت 76 مهمة»)."""
    starts = [m.end() for m in _CLAUSE_ACROSS.finditer(text, 0, span.start)]
    stop = _CLAUSE_ACROSS.search(text, span.end)
    before = text[starts[-1] if starts else 0 : span.start].split()[-_NEAR_ACROSS:]
    after = text[span.end : stop.start() if stop else len(text)].split()[:_NEAR_ACROSS]
    said = arabic_stems(" ".join([*before, span.text, *after]))
    return sum(len(t.split()) for t in held_terms(said, terms, inner=False))


_MONEY_UNITS = ("nghin ty dong", "ty dong", "trieu dong")


def asked_across(question: str, asked: Asked) -> list[Asked]:
    """What is asked, as it is read in a text in another script: a date as it is; a sum as a figure before a unit of
    the đồng; a count as a number of the noun asked, in the words the list renders it with ("bao nhiêu thôn" →
    «۱۲۹ روستا»), read as an Arabic question's count is (extract.spans). Nothing else: its kinds are read in
    Vietnamese and English text only (a unit in another script may hold one unseen, and its digits beside its words
    are no count)."""
    if asked.kind == DATE:
        return [asked]
    if asked.kind == MONEY:
        # A sum, as the articles write one: a figure, then the unit («263.3 مليار دونج», «۳۰۰ میلیارد دونگ»).
        return [replace(asked, counted=r) for n in _MONEY_UNITS for r in renderings(n)]
    if asked.kind != QUANTITY or query_kind(question) == "en":
        return []
    return [replace(asked, counted=r) for n in bridged_terms(asked.counted) for r in renderings(n)]


def rendered_role(question: str, bridged: list[str]) -> str:
    """The question's term, among those put into another script, for the role it asks who holds ("chu tich quoc
    hoi"): a unit in that script names the person only where it names the role (its names are not read)."""
    role = role_asked(question)
    return next((t for t in bridged if role and t.split()[: len(role)] == role), "")


def holds_role(person: Span, text: str, question: str) -> bool:
    """Whether the text gives the person the role the question asks about: its first two words stand by the
    name ("đồng chí Thái Đại Ngọc, Bí thư Tỉnh ủy"). True when the question asks no role."""
    role = role_asked(question)
    window = " ".join(_WORDS.findall(fold(text[max(0, person.start - 80) : person.end + 80])))
    return not role or names_role(window, role)


def _named_only(organ: str, question: str) -> str:
    """An organ span without the question's own predicate: "Ai ban hành và sửa đổi Danh mục …" is answered by
    "Thủ tướng Chính phủ", not "Thủ tướng Chính phủ ban hành và sửa đổi". What follows "ai / cơ quan nào" in
    the question (its verb: "ban hành") follows the organ in the text; the span ends where it begins."""
    slot = _slot(question)
    if not slot:
        return organ
    after = _content(_WORDS.findall(fold(question)[slot.end() :]))
    if len(after) < 2:
        return organ
    found = list(_WORDS.finditer(organ))
    for first, second in zip(found[1:], found[2:], strict=False):
        if first.group(0)[0].islower() and [fold(first.group(0)), fold(second.group(0))] == after[:2]:
            return organ[: first.start()].rstrip(" ,")
    return organ


# A document's basis: the documents it was issued under ("Căn cứ …"), or the one it answers, opening its body
# ("Thực hiện Kế hoạch số 45/KH-UBND …, Ủy ban nhân dân xã … báo cáo kết quả … như sau:").
_BASIS = re.compile(r"^[-–•+]?\s*(?:Căn cứ\b|Thực hiện\b[^\n]{0,600}như sau[:.]?\s*$)")
# A line that gives where a text came from ("Nguồn: https://…", "المصدر: …"): a link's words are an address
# (often the title spelt in it), not a statement.
_SOURCE_LINE = re.compile(r"^\W*(?:[^\W\d_]+\s?){0,2}:?\s*(?:https?://|www\.)\S+\W*$")
# The closing formula of an administrative document ("Trên đây là báo cáo của Ủy ban nhân dân xã …/."): it names
# the document and its issuer, and states nothing.
_CLOSING = re.compile(r"^\W*Trên đây là\b")
_ASKS_BASIS = re.compile(r"\bcan cu\b|\bdua tren\b|co so phap ly|\bbasis\b|\bpursuant\b|\bbased on\b")
_TITLE = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.\s|[a-zđ]\)\s)?([^\W\d_][^:;,.()]{2,60}?)\s*$")
_LABEL = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.\s|[a-zđ]\)\s|[-–•+]\s)?([^\W\d_][^:;,.()]{2,40}?):\s")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
# A figure with what it is of, as a count is aligned around it: "2.014/2.177 | thủ tục hành chính" (not a date's
# "25/11/2025").
_FRACTION = re.compile(rf"{_FIGURE.pattern}(?:/{_FIGURE.pattern}(?![/\d]))?")
# "theo quy định tại Điều 12": a number that names a provision is no figure the question states.
_REFERENCE = re.compile(
    r"\b(?:Điều|điều|khoản|Khoản|điểm|Điểm|Chương|chương|Mục|mục|Article|article)\s+\d+", re.UNICODE
)
ECHO_SHARE = 0.75  # an organ span whose words are mostly the question's own names what the question is about


def _figures(text: str) -> set[str]:
    return {f.lstrip("0") or "0" for f in _FIGURE.findall(text)}


@functools.lru_cache(maxsize=256)
def _bodies_named(question: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words a question says, abbreviations spelt out ("khcn" says "khoa học công nghệ"), and the bodies an
    English one names in the documents' words: read once per question, not once per span compared."""
    said = frozenset(words(question) | set(expand_query(question)))
    return said, frozenset(english_glossary_words(question).values())


def echoes(span: Span, asked: Asked, question: str) -> bool:
    """Whether a span only restates the question: "từ 5.000.000 đồng đến dưới 50.000.000 đồng … thì bị phạt
    tiền bao nhiêu" names the condition, not the answer; "How many of the 105 databases …" is not
    answered by "105 cơ sở dữ liệu"; "cơ quan thường trực Ban Chỉ đạo … là cơ quan nào" not by the Ban
    Chỉ đạo. Figures: every figure of the span is in the question. Organs: most of its words are."""
    if asked.kind == ORGAN:
        own = {w for w in words(span.text) if w not in STOPWORDS}
        # An English question names a body in its own words: "the steering committee" is the Ban Chỉ đạo, so
        # "who leads the support team of the steering committee" is not answered by it. A name only
        # containing such a term ("Bộ Giáo dục và Đào tạo" for "education and training") is another body.
        said, terms = _bodies_named(question)
        if fold(span.text) in terms:
            return True
        return bool(own) and len(own & said) >= ECHO_SHARE * len(own)
    figures = _figures(span.text)
    return bool(figures) and figures <= _figures(_REFERENCE.sub(" ", question))


def _without(text: str, found: tuple[Span, ...]) -> str:
    for sp in sorted(found, key=lambda sp: -sp.start):
        text = text[: sp.start] + " " + text[sp.end :]
    return text


def about_elsewhere(question: str, hits: list[Hit]) -> set[int]:
    """The ranks of the passages about another place than the one the question names ("… của xã Tân Lập"),
    when some passage is about it: neither their text nor their document's title or issuer names it."""
    named = places(question)
    if not named:
        return set()
    about = [
        any(
            names_place(f"{h.chunk.text} {h.chunk.meta.title} {h.chunk.meta.issuer} {h.chunk.meta.symbol}", n)
            for n in named
        )
        for h in hits
    ]
    return {rank for rank, here in enumerate(about) if not here} if any(about) else set()


_ASKS_CASE = re.compile(r"\btruong hop nao\b")


def candidates(question: str, hits: list[Hit], index: DocumentIndex, asked: Asked) -> list[Candidate]:
    q_terms = question_terms(
        question, translated=True
    )  # choosing among units, an English term meets its Vietnamese one
    weight = rarity(index, q_terms)
    total = sum(weight.values()) or 1.0
    kind = query_kind(question)
    q_pairs = word_pairs(question, spelt=False)
    if kind == "en":  # the phrases an English question names, in the documents' words
        q_pairs |= {p for term in set(english_glossary_words(question).values()) for p in word_pairs(term, spelt=False)}
    # A passage found by its words alone has no similarity (0.0): it is neither helped nor penalised by it.
    # Over every passage looked at: were the first three found by their words alone (no similarity), a fifth
    # with one would otherwise gain its whole similarity over them.
    top_dense = max((h.dense for h in hits[:LOOKED_AT]), default=0.0)
    about_basis = bool(_ASKS_BASIS.search(fold(question)))
    asked_words = set(tokens(question))
    other_item: set[int] = set()
    labelled = False
    out: list[Candidate] = []
    bodies = [units(hit.chunk.text, LONG_LIST_MAX if asked.kind == LIST else LIST_MAX) for hit in hits[:LOOKED_AT]]
    if asked.kind == DATE and not any(spans(u.text, asked) for body in bodies[:SHOWN] for u in body):
        asked = replace(asked, kind=EVENT)  # "có hiệu lực khi nào" in a law: "từ thời điểm mở thừa kế"
    elsewhere = about_elsewhere(question, hits[:LOOKED_AT])
    # The figures of the kind asked in the first three passages, read once for the three rules below: (its passage's
    # place, the figure, its unit's text).
    figures = (
        [(i, sp, u.text) for i, body in enumerate(bodies[:SHOWN]) for u in body for sp in spans(u.text, asked)]
        if asked.kind in (SHARE, QUANTITY, MONEY)
        else []
    )
    # Asked what was reached ("đạt bao nhiêu"), a figure the text sets as a target is not it, where another is there.
    reached = (
        asked.kind in (SHARE, QUANTITY)
        and not asks_target(question)
        and any(not is_target(sp, text) for _, sp, text in figures)
    )
    # Asked for a target by name ("chỉ tiêu … là bao nhiêu", "mục tiêu … ít nhất bao nhiêu"), a figure reached is not
    # it, where one set as a target is there: by its own words, its column, or the heading it sits under.
    target_named = asked.kind in (SHARE, QUANTITY) and names_target(question)
    headed = [
        target_named and names_target(_headings(hit.chunk.text, body)) for hit, body in zip(hits, bodies, strict=False)
    ]
    targeted = target_named and any(headed[i] or is_target(sp, text) or sets_floor(sp) for i, sp, text in figures)
    # Asked for the least ("tối thiểu bao nhiêu", "ít nhất"), a figure stated as a floor ("tối thiểu 85%", "≥ 25.000") is
    # it, where one is there: not a plan's own figure for the same thing.
    floored = asked.bound == "min" and any(sets_floor(sp) for _, sp, _ in figures)
    asked_places = places(question)
    ordinal = ordinal_asked(question)
    # "… trừ trường hợp nào?" asks for a case, which one sentence may name; "các … nào" asks for items, a list.
    asks_case = asked.kind == LIST and bool(_ASKS_CASE.search(fold(question)))
    # Words compare only within a script: a unit of an Arabic or Persian passage holds the question's words it
    # renders (retrieval/bridge.py), as the search chose that passage by them.
    bridged = bridged_question(question, kind) if kind != "other" else []
    language = query_language(question)
    role = rendered_role(question, bridged) if asked.person else ""
    for rank, (hit, body) in enumerate(zip(hits[:LOOKED_AT], bodies, strict=False)):
        if rank in elsewhere:
            continue
        # A unit inherits its document's title and number ("Thông báo 12"), and a place the question names that its
        # issuer names (the commune a report is from: its passages say "xã", only the header names it). Not the
        # issuer's other words: folded, "Hòa" would also be "hóa" of "số hóa".
        meta = hit.chunk.meta
        issued_at = " ".join(p for p in asked_places if names_place(meta.issuer, p))
        heading = words(f"{_headings(hit.chunk.text, body)} {meta.title} {meta.symbol} {issued_at}")
        # In an article, clause 1 states the act; later clauses ("Phạm tội … thì bị phạt tù …", "Người chuẩn
        # bị phạm tội này …") add conditions to it, so they inherit its words as they inherit the title.
        article = hit.chunk.section.startswith(("Điều", "Article"))
        stated = article and body and body[0].text.startswith("1.")
        act = words(body[0].text) if stated else set()
        act_pairs = word_pairs(body[0].text, spelt=False) if stated else set()
        # An opening "Thực hiện A; B (…), Ban Thường vụ … ban hành Kế hoạch như sau." is one basis, though its
        # units split at ";": each of them only names documents.
        basis = [line for line in hit.chunk.text.split("\n") if _BASIS.match(line.strip())] if not about_basis else []
        dated = asked.kind == DATE and any(spans(u.text, asked) for u in body)
        for unit in body:
            inherited = heading | act if unit is not body[0] else heading
            # In another script only dates, and counts and sums of the nouns the list renders, are read
            # (`asked_across`): a unit there may hold a person or an organ unseen, so it is not put below one that
            # shows it.
            across = bool(bridged) and not same_language(language, hit.chunk.meta.language)
            found = (
                tuple(
                    sp
                    for read in (asked_across(question, asked) if across else [asked])
                    for sp in spans(unit.text, read)
                    if not echoes(sp, asked, question)
                    and (sp.person or not asked.person)
                    and not (reached and is_target(sp, unit.text))
                    and not (targeted and not headed[rank] and not is_target(sp, unit.text) and not sets_floor(sp))
                    and not (floored and not sets_floor(sp))
                )
                if asked.kind in SPECIFIC
                else ()
            )
            if asked.deadline and unit.kind != "row":
                # A deadline asked: a date the text states as one ("trước ngày 31 tháng 10", "Thời hạn: 30/6/2025"),
                # not a period's ends. A table's row may hold one under its column "Thời hạn" with no word of its own.
                found = tuple(sp for sp in found if states_deadline(sp, unit.text))
            if rank >= SHOWN and not found:
                continue  # past the first three passages, only a unit holding the kind asked is worth a look
            if unit.kind == "lead" and not found:
                continue  # a caption or a lead-in that says nothing of what is asked: never alone
            if _SOURCE_LINE.match(unit.text) or _CLOSING.match(unit.text):
                continue
            if not about_basis and (_BASIS.match(unit.text) or any(unit.text.split(JOIN)[-1] in b for b in basis)):
                continue  # "- Căn cứ Nghị quyết số 57-NQ/TW …;" names the documents it rests on, not what it says
            kind_met = (
                bool(found)
                # A date is read in every script (extract's Arabic and Persian months): a unit stating none is put
                # below one that does, where the passage states one at all.
                or (
                    across
                    and asked.kind in SPECIFIC
                    and not (asked.kind == DATE and dated)
                    and (not role or holds(arabic_stems(unit.text), role))
                )
                or (asked.kind == LIST and unit.kind == "list")
                # "…, trừ trường hợp nào?": one sentence naming the case after the question's words answers it too.
                or (asks_case and unit.kind != "list" and bool(completed_answer(asked, unit.text, question)))
                or (asked.kind == DEFINITION and bool(asked.term) and defines(unit.text, asked.term))
                # "Ai là người giữ vai trò …?": a unit naming who does the act asked of, organ or not ("Cán bộ quản
                # lý giáo dục giữ vai trò …").
                or (asked.kind == ORGAN and not asked.person and not across and bool(agent(unit.text, question)))
                # "… có được chia thừa kế không?": a unit saying the predicate, with or without a negation.
                or (asked.kind == YESNO and not across and bool(yes_or_no(unit.text, question)))
                # "… từ tháng thứ mấy?": a unit stating an ordinal of that noun ("từ tháng thứ 07").
                or (bool(ordinal) and not across and bool(ordinal_in(unit.text, ordinal, question)))
            )
            # The answer is what the question does not already say: a number of the question that occurs only
            # inside the unit's answer spans ("Luật An ninh mạng 2018 có hiệu lực từ ngày nào": the 2018 of
            # "thông qua ngày 12 tháng 6 năm 2018") is no evidence for the unit.
            own = words(unit.text)
            if found:
                rest = words(_without(unit.text, found))
                own = {w for w in own if w in rest or not w.isdigit()}
            rendered: set[tuple[str, str]] = set()
            if across:
                held, rendered = rendered_words(unit.text, bridged, inner=False)
                own |= held
            cover = sum(w for t, w in weight.items() if present(t, own))
            cover += W_HEADING * sum(w for t, w in weight.items() if present(t, inherited) and not present(t, own))
            own_pairs = q_pairs & (word_pairs(unit.text, spelt=False) | rendered)
            pairs = len(own_pairs) / len(q_pairs) if q_pairs else 0.0
            if unit is not body[0] and act_pairs:
                # The act's phrases, restated by a question about a later clause's condition ("…, nếu tái phạm
                # nguy hiểm thì bị phạt như thế nào"), count at half: clause 1 keeps them when no condition is named.
                pairs += W_ACT_PAIRS * len((q_pairs & act_pairs) - own_pairs) / len(q_pairs)
            # "7.4. Báo cáo năm: Trước ngày 15 tháng 12 …" is about what its label names: when the question
            # names it too ("báo cáo năm … gửi trước ngày nào"), that counts like all of its word pairs.
            # A list under its title ("a) Mục tiêu đến năm 2030" then "- …") is labelled by the title.
            label = _TITLE.match(unit.text.split("\n")[0]) if unit.kind == "list" else None
            label = label or _LABEL.match(unit.text.split(JOIN)[-1])
            if label and unit.kind != "row":
                named = tokens(label.group(1))
                if f" {' '.join(named)} " in f" {' '.join(tokens(question))} ":
                    pairs, labelled = 1.0, True
                elif named[0] in asked_words and not set(named) <= asked_words:
                    other_item.add(id(unit))  # "7.3. Báo cáo quý: …" for "báo cáo năm …": another item of its list
            score = (
                cover / total
                + W_PAIRS * pairs
                + W_KIND * kind_met
                - W_RANK * rank
                + W_DENSE * ((hit.dense or top_dense) - top_dense)
                - W_LENGTH * len(unit.text)
            )
            out.append(Candidate(unit, rank, score, found, kind_met))
    # Where an item is labelled as the question names it, the other items of its list are not the answer.
    if labelled:
        out = [c for c in out if id(c.unit) not in other_item]
    # A unit of the fourth or fifth passage must also say more of the question than any unit of the first
    # three: holding a figure or a name is not enough from a passage ranked that low ("Cơ quan, tổ chức …").
    shown = max((c.score for c in out if c.rank < SHOWN), default=0.0)
    out = [c for c in out if c.rank < SHOWN or c.score > shown]
    if asked.kind in SPECIFIC or asked.kind in (LIST, DEFINITION, YESNO) or ordinal:
        # The question asks for a date, a figure, an organ, a list, a definition: a unit that holds one
        # answers it before any unit that only shares its words (those can still be the second quote).
        out.sort(key=lambda c: (not c.met, -c.score))
    else:
        out.sort(key=lambda c: -c.score)
    return out


_NUMBER = re.compile(r"^(\d{1,2})\.\s")


def numbered_run(passage: str, unit: Unit) -> str:
    """The numbered clauses "1. …", "2. …" that follow one another in a passage with no lead-in, one line each,
    when the unit is one of them, there are several and they fit on a phone's screen; "" otherwise."""
    if unit.kind != "clause" or not _NUMBER.match(unit.text):
        return ""
    lines: list[str] = []
    held, last = False, 0
    for u in units(passage):
        m = _NUMBER.match(u.text) if u.kind == "clause" else None
        if u.kind == "clause" and not m and lines:
            lines[-1] += f" {u.text}"  # the clause's next sentence
        elif m and lines and int(m.group(1)) == last + 1:
            lines.append(u.text)
        elif held:
            break
        else:
            lines = [u.text] if m else []
        last = int(m.group(1)) if m else last
        held = held or u == unit
    text = "\n".join(lines)
    return text if held and len(lines) > 1 and len(text) <= LIST_MAX else ""


# "Quyết định này có hiệu lực kể từ ngày ký.": in force from the day its issuer signed it, the date of its header.
_FROM_SIGNING = re.compile(r"[^\n.;]*\bnày có hiệu lực(?: thi hành)? ((?:kể )?từ ngày (?:ký|ban hành))[^\n]*")


def from_signing(question: str, hits: list[Hit]) -> Draft | None:
    """Asked when a document the question names takes effect, where its passage says it does from the day it was
    signed: that day (its header's date), with the sentence saying so."""
    if not asks_effect(question):
        return None
    named = issue_date(question, hits)[1]  # the document the question names, by its number
    if named < 0:
        return None
    for rank, hit in enumerate(hits):
        m = _FROM_SIGNING.search(hit.chunk.text) if hit.chunk.doc_id == hits[named].chunk.doc_id else None
        if m and hit.chunk.meta.date:
            return Draft(
                f"{m.group(1)} ({vietnamese_date(hit.chunk.meta.date)})",
                rank + 1,
                (Quote(m.group(0).strip(), rank + 1),),
            )
    return None


def vietnamese_date(iso: str) -> str:
    """2025-11-18 → "ngày 18 tháng 11 năm 2025", as documents date themselves (a zero before days under
    10 and before months 1 and 2)."""
    y, m, d = (int(x) for x in iso.split("-"))
    month = f"{m:02d}" if m < 3 else str(m)
    return f"ngày {d:02d} tháng {month} năm {y}"


def issue_date(question: str, hits: list[Hit]) -> tuple[str, int]:
    """When was document X issued: X's own date (its header, recorded with the document), and the
    rank of X's passage. X must be named in the question by its number ("Kế hoạch 350", "3456/BKHCN")."""
    asked_words = words(question) | set(expand_query(question))  # "NQ57": "57"
    for rank, hit in enumerate(hits[:5]):
        meta = hit.chunk.meta
        number = meta.symbol.split("/")[0].split("-")[0]
        named = symbol_token(meta.symbol) in asked_words or (
            number.isdigit() and (number.lstrip("0") or "0") in asked_words
        )
        if meta.date and meta.symbol and named:
            return vietnamese_date(meta.date), rank
    return "", -1


def best_said(ranked: list[Candidate], best: Candidate, question: str) -> Candidate:
    """Of the units scoring close to the best, the one that says the question's words before "gì / đâu / nào" most
    fully, as the answer is read after them: "Người bắt được gia súc bị thất lạc phải làm gì?" from "1. Người bắt
    được gia súc bị thất lạc phải nuôi giữ …", not from a later clause's "… và phải bồi thường thiệt hại …"."""
    close = [c for c in ranked[:COMPLETION_AMONG] if c.score >= best.score - SECOND_QUOTE_WITHIN]
    said = [(anchored_completion(c.unit.text, question), c) for c in close]
    (answer, strength), chosen = max(said, key=lambda sc: (bool(sc[0][0]), sc[0][1], sc[1] is best))
    return chosen if answer else best


# "Trách nhiệm / Quyền / Nghĩa vụ của X là gì?" (folded): what X has, as the law says "X có trách nhiệm …".
_OWNED = re.compile(r"^\W*(trach nhiem|nhiem vu|quyen han|quyen|nghia vu) cua (.+?) la (?:nhung )?gi\W*$")


def owned_by(text: str, question: str) -> str:
    """ "Trách nhiệm của X là gì?": what the text says X has ("X có trách nhiệm …"), read on from the noun, where the
    text says X's own words just before it (not "Trưởng thôn có trách nhiệm …" for X another); "" otherwise."""
    owned = _OWNED.match(fold(question))
    if not owned:
        return ""
    said, (run, _) = anchored_completion(text, f"{owned.group(2)} co {owned.group(1)} gi?")
    return said if run > len(owned.group(1).split()) + 1 else ""


def completed_answer(asked: Asked, text: str, question: str) -> str:
    """A short answer read from the unit where no span of a kind asked is: a table row's cell under the column
    the question names; what it says in the place of the question's "gì", "đâu", "nào" or "đối với ai" ("… chuyển
    thành hình phạt gì?": "tù chung thân"); the term it gives to what the question describes ("… được gọi là
    gì?": "Chiếm hữu ngay tình"); its sentence defining the term asked ("Tù chung thân là gì?": "Tù chung thân là
    hình phạt tù không thời hạn …"); or whether it says so ("Không"). "" if none."""
    if asked.kind in (OTHER, DEFINITION) and (cell := cell_asked(text, question)):
        return cell  # "… phụ trách lĩnh vực gì?" of a table row: the cell under "Lĩnh vực phụ trách"
    if asked.kind == OTHER:
        # "… phải do chủ thể nào thực hiện?": "người có năng lực hành vi dân sự", when no phrase opens with the noun;
        # "… cái gì là điểm nghẽn lớn nhất?": "Thể chế", what the text says before the question's words.
        # "<a description> là quyền gì?": the term the text gives it ("Quyền đối với bất động sản liền kề là …").
        return (
            called(text, question)
            or condition_for(text, question)
            or completion(text, question)
            or preceding(text, question)
            or agent(text, question)
        )
    if asked.kind == DEFINITION:
        # Or the name it is given in quotation marks ("nguyên tắc hành động … là gì": "Kỷ cương là trên hết - …"); or,
        # for a duty or a right someone has, what the text says they have ("Trách nhiệm của X là gì?" of "X có trách
        # nhiệm phòng, chống …").
        return (
            called(text, question)
            or (definition_of(text, asked.term) if asked.term else "")
            or quoted_name(text, question)
            or owned_by(text, question)
        )
    if asked.kind == ORGAN and not asked.person and not IDENTITY.search(fold(question)):
        # "Quản chế được áp dụng đối với ai?": "người phạm tội …". Not "Bí thư Tỉnh ủy là ai": a name answers that.
        return completion(text, question, ("ai",)) or agent(text, question)  # "Ai công bố di chúc …?"
    if asked.kind == YESNO:
        return yes_or_no(text, question)  # "… có được trợ cấp thôi việc không?": "Không"
    if asked.kind == LIST and JOIN not in text and "\n" not in text:
        # One sentence, no list: "… bị hạn chế trong trường hợp nào?" of "Quyền định đoạt chỉ bị hạn chế trong
        # trường hợp do luật quy định." is what it says after the question's words, "do luật quy định" — after more
        # of them than the list's own noun: "Trường hợp người lao động gây thiệt hại …" opens another condition.
        said, (run, _) = anchored_completion(text, question)
        return said if run >= SEVERAL_ANCHOR else ""  # "hạn chế | trong trường hợp": more than the list's noun
    return ""


def labelled(text: str, noun: str) -> str:
    """The label of a list's item whose lead-in names the kind asked: "Mỗi nhiệm vụ … theo một trong năm trạng thái
    sau: … d) Quá hạn: Nhiệm vụ chưa hoàn thành khi đã hết thời hạn …" is of the kind "trạng thái", and "Quá hạn"
    is which one the item describes. "" for a unit that is no such item."""
    lead, _, item = text.rpartition(JOIN)
    label = _LABEL.match(item)
    if not lead or not label or not re.search(rf"\b{noun}\b", fold(lead)):
        return ""
    return label.group(1)


def part_opening(question: str, hits: list[Hit]) -> Draft | None:
    """ "Điều 3 Quyết định 210 quy định gì?" (the first passage being that part): the part's title says what it
    provides, and its first two units follow, in the document's order. None when the question asks something of
    the part."""
    if not asks_whole(question):
        return None
    title, body = part_text(hits[0].chunk.text, named_part(question))
    found = units("\n".join(body))
    lists = [u for u in found if u.kind == "list"]
    quoted: list[Unit] = []
    for unit in found:
        if len(quoted) == 2:
            break
        if unit.kind in ("lead", "list"):  # a lead-in is quoted with its points
            continue
        # A point is quoted with its lead-in and the other points, when they are short enough to read at once.
        unit = next((whole for whole in lists if unit.text.split(JOIN)[-1] in whole.text.split("\n")), unit)
        if not any(unit.text in q.text or q.text in unit.text for q in quoted):
            quoted.append(unit)
    if not quoted:
        return None
    return Draft(title, 1 if title else 0, tuple(Quote(u.text, 1) for u in quoted))


_DAY_NAMED = re.compile(r"\b(\d{1,2})(?:/|-| thang )(\d{1,2})(?:/|-| nam )(\d{4})\b")


def days_of(text: str) -> set[tuple[int, int, int]]:
    """The days a text names, however written ("25/11/2025", "ngày 25 tháng 11 năm 2025")."""
    return {(int(d), int(m), int(y)) for d, m, y in _DAY_NAMED.findall(fold(text))}


def sentence_of_row(ranked: list[Candidate], row: Candidate) -> Candidate:
    """A table row's date, where a sentence of the first passages states the same day: the sentence («Các xã gửi …
    trước ngày 25 tháng 11 năm 2025»), which reads as the document says it and bears its condition, not the cells
    («… | Thời hạn: 25/11/2025 | …»)."""
    days = {day for sp in row.found for day in days_of(sp.text)}
    return next(
        (
            c
            for c in ranked
            if c.rank < SHOWN
            and c.unit.kind != "row"
            and c.found
            and days & {day for sp in c.found for day in days_of(sp.text)}
        ),
        row,
    )


def compose(question: str, hits: list[Hit], index: DocumentIndex) -> Draft:
    if part_leads(question, hits, index.document_meta()):
        # "Theo khoản 3 Điều 2 Quyết định 125, …": the answer is read from that part only (its passages lead).
        part, doc_id = named_part(question), hits[0].chunk.doc_id
        hits = list(itertools.takewhile(lambda h: h.chunk.doc_id == doc_id and part_holds(h.chunk.section, part), hits))
        opening = part_opening(question, hits)
        if opening:
            return opening
    asked = asked_for(question)
    ranked = candidates(question, hits, index, asked)
    if asked.kind == DATE and asks_effect(question) and (source := issue_date(question, hits)[1]) >= 0:
        # When a named document takes effect: a unit of it that says so ("… có hiệu lực từ ngày …"), not a date of
        # another document, nor one of its own that states something else.
        doc = hits[source].chunk.doc_id
        ranked = [c for c in ranked if hits[c.rank].chunk.doc_id == doc and "hieu luc" in fold(c.unit.text)]
    if not ranked:
        return Draft("", 0, ())
    best = ranked[0]
    if best.found and query_kind(question) in ("vi", "vi_plain", "en") and ARABIC_LETTER.search(best.unit.text):
        # Across scripts a unit is weighed by the terms the list renders, and a topic's long name («برنامج عمل الحكومة»)
        # outweighs the verb and the day asked. Which figure answers is said in its clause: of the passage's units
        # holding one, the unit whose figure's clause holds most of the question ("… đã hoàn thành": «أُنجزت 270 مهمة»).
        terms = bridged_question(question, query_kind(question))
        same = [c for c in ranked if c.rank == best.rank and c.found]
        best = max(
            same,
            key=lambda c: (max(held_in_clause(sp, c.unit.text, terms) for sp in c.found), c.score),
        )
    if asked.kind == DATE and best.found and best.unit.kind == "row":
        best = sentence_of_row(ranked, best)
    short, short_rank = "", 0
    issued, issued_rank = issue_date(question, hits) if asked.issued else ("", -1)
    if issued:  # the document's date is the whole answer; its passages say nothing about it
        return Draft(issued, issued_rank + 1, ())
    if asked.kind == DATE and (signed := from_signing(question, hits[:SHOWN])):
        return signed
    if best.found:
        span = restated(best.found, best.unit.text, question)
        states = _STATES_BOUND.get(asked.bound)
        stated = [sp for sp in best.found if states and states.search(fold(sp.text))]
        if asked.deadline:
            # "hạn hoàn thành … là khi nào": "chậm nhất ngày 01 tháng 3", not "từ ngày 01 tháng 01" beside it
            stated = [sp for sp in best.found if states_deadline(sp, best.unit.text)]
        if stated:
            # "Tỉnh phải dành ít nhất bao nhiêu %": the text's "ít nhất 3% tổng chi ngân sách" is the bound asked,
            # whatever the other figures of the passage ("đạt 2% GDP").
            span = restated(tuple(stated), best.unit.text, question)
        elif asked.bound and asked.kind in (RANGE, QUANTITY, SHARE, MONEY):
            # "lên đến / tối đa": the largest figure of the passage (the most aggravated clause of an article);
            # "tối thiểu": the least of the clause the question restates ("Người nào … thì bị phạt tù tối thiểu bao
            # nhiêu năm?": "từ 07 năm đến 15 năm" of clause 1), not of another clause of the article — a lesser case
            # ("ít nghiêm trọng": 03 năm) or preparing the crime (06 tháng) is not what was asked.
            if asked.bound == "max":
                same = [c for c in ranked if c.rank == best.rank and c.found]
                best, span = max(((c, sp) for c in same for sp in c.found), key=lambda cs: cs[1].value)
            else:
                best, span = min(((best, sp) for sp in best.found), key=lambda cs: cs[1].low)
        short, short_rank = (_named_only(span.text, question) if asked.kind == ORGAN else span.text), best.rank + 1
        if span.person and not holds_role(span, best.unit.text, question):
            short, short_rank = "", 0  # "Ai là Bí thư Tỉnh ủy?" is not answered by the Chủ tịch who chaired
    if not short and (ordinal := ordinal_asked(question)) and (said := ordinal_in(best.unit.text, ordinal, question)):
        short, short_rank = said, best.rank + 1  # "từ tháng thứ bao nhiêu …": "từ tháng thứ 06"
    which = which_noun(question) if not short and asked.kind not in SPECIFIC else None
    if which and (named := named_span(best.unit.text, which, question)):
        short, short_rank = named, best.rank + 1  # "… thuộc sở hữu của bên nào?": "bên bán"
    elif which and (label := labelled(best.unit.text, which.noun)):
        short, short_rank = label, best.rank + 1  # "… được xếp vào trạng thái nào?": "Quá hạn"
    if not short and asked.kind in (LIST, OTHER) and (of_kind := named_kind(question)):
        if names := named_of_kind(best.unit.text, of_kind):
            short, short_rank = names, best.rank + 1  # "Những thôn nào …?": "thôn Khe Dứa và Làng Mộc"
    if not short and asked.kind == OTHER and not cell_asked(best.unit.text, question):
        best = best_said(ranked, best, question)
    completed = "" if short else completed_answer(asked, best.unit.text, question)
    if completed:
        short, short_rank = completed, best.rank + 1
    quotes = [best]
    lead = best.unit.text.split(JOIN)[0].split("\n")[0]
    # With a direct answer, the unit it came from says it; another is quoted only if it is as good.
    # Not so with a completion: read on from the question's words, it may be the clause before the one that answers.
    within = SECOND_QUOTE_WITHIN if not short or completed else SECOND_QUOTE_WITH_SHORT
    for c in ranked:
        if c is best or c.score < best.score - within:
            continue
        if lead not in c.unit.text and c.unit.text not in best.unit.text:  # nothing quoted twice
            quotes.append(c)
            break
    if short and len(short) >= SAID_WHOLE * len(best.unit.text.split(JOIN)[-1]) and JOIN not in best.unit.text:
        # The direct answer is its unit's whole sentence: quoted again, it is read twice. Not a point's: its lead-in
        # says what the point is one of ("Ban Chỉ đạo … gồm 10 thành viên: … a) Ông Đỗ Văn Lương …").
        quotes.remove(best)
    quotes.sort(key=lambda c: (c.rank, c.unit.order))
    if asked.kind == LIST and not short and (run := numbered_run(hits[best.rank].chunk.text, best.unit)):
        # "Xã … kiến nghị những gì?" of "1. Đề nghị …", "2. Đề nghị …", "3. Đề nghị …" under a heading: the items
        # are the answer, all of them, as the document numbers them (two quotes would leave one out).
        quotes = [replace(best, unit=Unit(run, "list", best.unit.order))]
    # A date, share, amount, duration or phone number asked for that no unit states ("liên hệ Cục Chuyển đổi số
    # quốc gia" gives no number to call). Not a count or an organ: counts are also
    # written in words ("năm trạng thái") and organs may be roles ("công chứng viên"), so their absence from
    # the patterns says nothing (on the evaluation sets, 9 of 10 notes for counts were wrong).
    unmet = asked.kind if not short and asked.kind in (DATE, SHARE, MONEY, RANGE, CONTACT) else ""
    return Draft(short, short_rank, tuple(Quote(c.unit.text, c.rank + 1) for c in quotes), unmet)
