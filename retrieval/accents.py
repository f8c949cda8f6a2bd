"""Vietnamese typed without diacritics, given its marks back from the passages it finds.

e5 reads "ha noi can dau tu dong bo ha tang" far worse than "Hà Nội cần đầu tư đồng bộ hạ tầng": across scripts
it puts the Arabic article among the nearest passages for the accented question and not for the plain one. The
passages a plain question finds by its folded words write those words with their marks, in context. Each syllable
takes the form those passages give it, chosen with its neighbours: a bigram model read from them ("xa phuong" is
"xã, phường" where they write that pair, whatever "xa" alone most often is). A syllable they never write stays as
typed. The question's own words (bao nhiêu, khi nào, cơ quan nào) are rarely in a document: a short phrasebook
gives them.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from retrieval.text import fold, has_vietnamese_diacritics

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Pairs are read within a sentence's phrase, not across a figure; a comma does not part them: «xã, phường» is how
# the documents list what a question types as "xa phuong".
_BREAK = re.compile(r"[.;:!?…()\[\]|\n\"“”«»]")
_PHRASE = re.compile(r"[.;:!?…()\[\]|\n\"“”«»\d]+")

# How officials ask, with their marks: counted as if each phrase had been read `ASKED` times in a passage.
PHRASEBOOK = (
    "bao nhiêu",
    "có bao nhiêu",
    "còn bao nhiêu",
    "là bao nhiêu",
    "được bao nhiêu",
    "bao giờ",
    "bao lâu",
    "diễn ra",
    "mấy",
    "khi nào",
    "lúc nào",
    "ngày nào",
    "tháng nào",
    "năm nào",
    "trước ngày nào",
    "chậm nhất",
    "thời hạn",
    "hạn chót",
    "cơ quan nào",
    "đơn vị nào",
    "bộ phận nào",
    "ai chủ trì",
    "ai là",
    "những gì",
    "là gì",
    "gồm những",
    "như thế nào",
    "thế nào",
    "tại sao",
    "vì sao",
    "ở đâu",
    "có phải",
    "đúng hay sai",
    "hay không",
    "có không",
    "được không",
    "phải làm gì",
    "cần làm gì",
    "bao nhiêu phần trăm",
    "tỷ lệ",
    "số lượng",
    "hiện nay",
    "hiện còn",
    "đã",
    "chưa",
    "của",
    "cho",
    "theo",
    "với",
    "được",
    "những",
    "các",
    "trong",
)


PRIOR = 0.1  # the weight of the words' own shares against one pair read in context
ASKED = 10  # a phrase of the phrasebook counts as read this many times: questions are asked that way


# The provinces and centrally-run cities (34 since July 2025) and the country: a question names them where the
# passages it finds may not ("gia lai" is «giá» of a report's prices otherwise).
PLACES = (
    "Việt Nam",
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Hải Phòng",
    "Ninh Bình",
    "Quảng Trị",
    "Đà Nẵng",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Thành phố Hồ Chí Minh",
    "Đồng Nai",
    "Tây Ninh",
    "Cần Thơ",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
)


class Marks:
    """Accented forms and their pairs, counted from texts (lower-cased), keyed by their folded spelling."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.forms: dict[str, Counter[str]] = defaultdict(Counter)
        self.pairs: Counter[tuple[str, str]] = Counter()
        for text, times in [*((phrase, ASKED) for phrase in (*PHRASEBOOK, *PLACES)), *((text, 1) for text in texts)]:
            for phrase in _PHRASE.split(text.lower()):
                said = _WORD.findall(phrase)
                for word in said:
                    self.forms[fold(word)][word] += times
                for pair in zip(said, said[1:], strict=False):
                    self.pairs[pair] += times

    def candidates(self, folded: str) -> list[tuple[str, float]]:
        """The forms written for a folded syllable, with their shares; the syllable itself when none is."""
        seen = self.forms.get(folded)
        if not seen:
            return [(folded, 1.0)]
        total = sum(seen.values())
        return [(form, n / total) for form, n in seen.items()]

    def restore(self, question: str) -> str:
        """The question with its plain words given the marks these texts write them with (Viterbi over a bigram
        model interpolated with each syllable's own forms). Words typed with marks, and digits, stay as typed."""
        found = list(_WORD.finditer(question))
        if not any(_unmarked(m.group()) for m in found):
            return question
        chosen: dict[int, str] = {}
        for run in _runs(question, found):
            chosen.update(self._best(run))
        out, last = [], 0
        for m in found:
            if m.start() in chosen:
                form = chosen[m.start()]
                typed = m.group()
                form = (
                    form.upper()
                    if typed.isupper() and len(typed) > 1
                    else form.capitalize()
                    if typed[0].isupper()
                    else form
                )
                out.append(question[last : m.start()] + form)
                last = m.end()
        return "".join(out) + question[last:]

    def _best(self, run: list[re.Match[str]]) -> dict[int, str]:
        """The likeliest forms for a run of words between punctuation: the product of each adjacent pair's
        probability over the inner words' own (a chain of pairs, each word counted once)."""
        lattice = [
            self.candidates(m.group().lower()) if _unmarked(m.group()) else [(m.group().lower(), 1.0)] for m in run
        ]
        best: dict[str, tuple[float, list[str]]] = {form: (math.log(share), [form]) for form, share in lattice[0]}
        for before, options in zip(lattice, lattice[1:], strict=False):
            shares = dict(before)
            seen = sum(self.pairs[(a, b)] for a, _ in before for b, _ in options)
            step: dict[str, tuple[float, list[str]]] = {}
            for form, share in options:
                step[form] = max(
                    (score + self._pair(prev, form, shares[prev], share, seen) - math.log(shares[prev]), [*path, form])
                    for prev, (score, path) in best.items()
                )
            best = step
        path = max(best.values())[1]
        return {m.start(): form for m, form in zip(run, path, strict=True) if _unmarked(m.group())}

    def _pair(self, first: str, second: str, first_share: float, second_share: float, seen: int) -> float:
        """log P(first, second | their folded spellings): how often the texts write that pair among the pairs
        spelt the same, smoothed towards the words' own shares. One pair read in context outweighs the words'
        frequencies alone («bao nhiêu», though «báo» is the commoner «bao» of a report)."""
        return math.log((self.pairs[(first, second)] + PRIOR * first_share * second_share) / (seen + PRIOR))


def _unmarked(word: str) -> bool:
    return fold(word) == word.lower()


def _runs(question: str, found: list[re.Match[str]]) -> list[list[re.Match[str]]]:
    runs: list[list[re.Match[str]]] = []
    last = 0
    for m in found:
        if (
            not runs
            or _BREAK.search(question[last : m.start()])
            or any(ch.isdigit() for ch in question[last : m.start()])
        ):
            runs.append([])
        runs[-1].append(m)
        last = m.end()
    return runs


def restore_marks(question: str, texts: Iterable[str]) -> str:
    """A question typed without diacritics, with the marks the texts write its words with ("ha noi" → "Hà Nội" where
    they name it); unchanged when it has marks already."""
    if has_vietnamese_diacritics(question):
        return question
    return Marks(texts).restore(question)
