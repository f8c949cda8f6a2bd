"""The places a question is about, and the spellings a place's name may take.

A question that names a place ("xã Tân Lập", "tỉnh Nghệ An", "Can Tho city") is about that place: a document
that never names it does not answer it (refusal), and among documents that do, the unit that answers comes
from one that names it (choosing the answer).
"""

from __future__ import annotations

import re
import unicodedata

from retrieval.bridge import NAMES, bridged_terms, holds
from retrieval.text import ABBREVIATIONS, STOPWORDS, UPPER, VI_SYLLABLE, fold, has_vietnamese_diacritics, tokens

# "co quan" is an agency, not a district: "… cho các cơ quan, đơn vị" names no "quận Đơn Vị".
_PLACE_WORD = r"(?:tinh|thanh pho|tp|xa|phuong|huyen|(?<!co )quan|thi xa|thi tran)"
_PLACE_OR_COMMITTEE = rf"(?:(?:tinh|thanh|huyen|quan) uy|{_PLACE_WORD})"  # "Tỉnh ủy Gia Lai" is of Gia Lai
# Words that end a place's name rather than continue it ("tỉnh Nghệ An đã …": "an" is a name here).
_FUNCTION = {
    "da",
    "co",
    "la",
    "duoc",
    "phai",
    "se",
    "dang",
    "can",
    "cua",
    "va",
    "cho",
    "tai",
    "trong",
    "ve",
    "voi",
    "theo",
    "tu",
    "den",
    "o",
    "bao",
    "nhieu",
    "may",
    "nao",
    "gi",
    "khong",
    "thi",
    "de",
    "ma",
    "nhu",
}
_PLACE_WORDS = {"tinh", "thanh", "pho", "tp", "xa", "phuong", "huyen", "quan", "thi", "tran"}
_NAME = rf"[{UPPER}][^\W\d_]*"
_VI_PLACE = re.compile(
    r"\b(?:(?:[Tt]ỉnh|[Tt]hành|[Hh]uyện|[Qq]uận)\s[uUủỦ][yYỷỶ]|"  # the party's committee there: "Tỉnh ủy Bình Sơn"
    r"[Tt]ỉnh|[Tt]hành phố|TP\.?|[Tt]p\.?|[Xx]ã|[Pp]hường|[Hh]uyện|[Qq]uận|[Tt]hị xã|[Tt]hị trấn)\s+"
    r"([^\W\d_]+(?:\s[^\W\d_]+){0,3})"
)
# Folded, "tinh/xa/phuong/quan + word" is often no place at all: tình hình, tình trạng, tinh thần, xã hội,
# quản lý, quan tâm, phương án, phương tiện, phương thức, phương hướng, phương pháp; "tính" folds to "tinh" too.
_NOT_A_NAME = {
    "hinh",
    "trang",
    "than",
    "hoi",
    "ly",
    "tam",
    "an",
    "tien",
    "thuc",
    "huong",
    "phap",
    "trong",
    "he",
    "diem",
    "cham",  # phương châm
    "dien",  # phương diện
    "tri",  # quản trị
    "sat",  # quan sát
    "chat",  # tính chất
    "nang",  # tính năng
    "toan",  # tính toán
}
# Capitalised at a sentence's start, a question word, determiner or preposition is no part of a name: "Which
# commune …", "In Tan Lap commune …".
_NOT_NAMED = frozenset(
    "which what whose where when how who each every this that these those the a an any all no some our your their "
    "in at of on for from by to under within across according".split()
)


def _english_name(words: str) -> str:
    """The folded name of an English place phrase, without the words before it that are no name."""
    folded = fold(words).split()
    while folded and folded[0] in _NOT_NAMED:
        folded = folded[1:]
    return " ".join(folded)


_EN_PLACE = re.compile(
    rf"\b({_NAME}(?: {_NAME}){{0,2}}) (?:city|province|commune|ward|district)\b"
    rf"|\b(?:city|province|commune|ward|district) of ({_NAME}(?: {_NAME}){{0,2}})"
)


# English names a place without its kind too: "villages in Hoa Minh Son", "results of Gia Lai". Two to four
# capitalised Vietnamese syllables after a preposition are a Vietnamese name (a place, or a person a question
# is about); one word ("in Hanoi") is left to the kind word, as it may be anything capitalised.
_EN_NAMED = re.compile(r"\b(?:in|of|at|from)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,3})\b")


def places(question: str) -> list[str]:
    """The folded names of places a question asks about, and in English "Can Tho city", "province of Ninh
    Binh". With diacritics: the capitalised name after tỉnh/xã/phường/thành phố… ("xã hội", "tình hình",
    "quản lý" name none). Without them the words alone must tell: the two words after tinh/xa/phuong…
    when they are not function words, another place word or a word such phrases are made of ("xa hoi")."""
    out = [found for m in _EN_PLACE.finditer(question) if (found := _english_name(m.group(1) or m.group(2)))]
    if not has_vietnamese_diacritics(question):
        out += [
            fold(m.group(1))
            for m in _EN_NAMED.finditer(question)
            if all(VI_SYLLABLE.fullmatch(w) for w in fold(m.group(1)).split())
        ]
    text = unicodedata.normalize("NFC", question)
    if has_vietnamese_diacritics(text):
        for m in _VI_PLACE.finditer(text):
            name = []
            for w in m.group(1).split():  # a name's words are capitalised ("phường ở Hà Nội" names none)
                if not w[0].isupper():
                    break
                name.append(fold(w))
            if name:
                out.append(ABBREVIATIONS.get(name[0], " ".join(name[:2])))
        return list(dict.fromkeys(out))
    folded = re.sub(r"[^\w\s]", " ", fold(text))
    for m in re.finditer(rf"\b{_PLACE_OR_COMMITTEE} ([a-z]+)(?: ([a-z]+))?\b", folded):
        first, second = m.group(1), m.group(2) or ""
        if first in ABBREVIATIONS:  # "tp hcm"
            out.append(ABBREVIATIONS[first])
        elif (
            second
            and first not in STOPWORDS
            and first not in _NOT_A_NAME
            and second not in _FUNCTION
            and not any(w in _PLACE_WORDS or w in ABBREVIATIONS for w in (first, second))
        ):
            out.append(f"{first} {second}")
    return list(dict.fromkeys(out))


def syllable_spellings(name: str) -> list[str]:
    """A folded place name, and the ways its words split into Vietnamese syllables: English writes
    "Hanoi", "Danang", "Haiphong" for Hà Nội, Đà Nẵng, Hải Phòng."""
    out = [name]
    for i, word in enumerate(name.split()):
        if VI_SYLLABLE.fullmatch(word):
            continue
        for cut in range(1, len(word)):
            head, tail = word[:cut], word[cut:]
            if VI_SYLLABLE.fullmatch(head) and VI_SYLLABLE.fullmatch(tail):
                out.append(" ".join([*name.split()[:i], head, tail, *name.split()[i + 1 :]]))
    return out


def names_place(text: str, name: str) -> bool:
    """Whether a text (a passage with its document's title and issuer) names a place, in any accepted spelling."""
    said = f" {' '.join(tokens(text))} "
    return any(f" {spelt} " in said for spelt in syllable_spellings(name))


_ISSUER_PLACE = re.compile(rf"\b(?:{_PLACE_OR_COMMITTEE}|dac khu)\s+([a-z ]+)$")


def issuer_place(issuer: str) -> str:
    """The folded name of the place a document's issuer is of ("ỦY BAN NHÂN DÂN XÃ HÒA MINH SƠN" → "hoa minh son",
    "Tỉnh ủy Gia Lai" → "gia lai"), or "": the words a question about that place names and only the header says."""
    folded = re.sub(r"\s+", " ", re.sub(r"\([^)]*\)|[^\w\s]", " ", fold(issuer))).strip()
    m = _ISSUER_PLACE.search(folded)
    return m.group(1).strip() if m else ""


# Two or more capitalised syllables in a row, as Vietnamese writes a proper name: "Hà Nội", "Gia Lai", "Phạm Minh
# Chính", and the named bodies' heads ("Bộ Tư pháp", "Ban Chỉ đạo").
_CAPITALISED_RUN = re.compile(rf"(?<!\w)[{UPPER}]\w*(?:\s+[{UPPER}]\w*)+")


def proper_names(question: str) -> list[str]:
    """The folded names a Vietnamese question writes with capitals ("Hà Nội" → "ha noi"): their syllables say the
    name only together. "Đông Hà Sơn" and "nội dung" hold "hà" and "nội", not Hà Nội. Numbers and abbreviations
    in capitals ("NQ57", "III") are no part of them."""
    text = unicodedata.normalize("NFC", question)
    if not has_vietnamese_diacritics(text):
        return []
    out = []
    for m in _CAPITALISED_RUN.finditer(text):
        syllables = [fold(w) for w in m.group(0).split() if not w.isupper() or len(w) == 1]
        if len(syllables) >= 2 and all(VI_SYLLABLE.fullmatch(s) for s in syllables):
            out.append(" ".join(syllables))
    return list(dict.fromkeys(out))


def asked_names(question: str) -> list[str]:
    """The folded places a question asks about: after a place word (`places`), and the places the list of terms
    knows (`bridge.NAMES`), written with capitals ("Hà Nội") or typed without diacritics ("ha noi"). Not every
    capitalised name: «Bộ Y tế» is an organ, which a passage on another topic may hold through the list's terms."""
    folded = f" {' '.join(tokens(question))} "
    known = (
        [n for n in proper_names(question) if n in NAMES]
        if has_vietnamese_diacritics(question)
        else [n for n in sorted(NAMES) if f" {n} " in folded]
    )
    return list(dict.fromkeys([*places(question), *known]))


def place_terms(name: str) -> list[str]:
    """A folded place name as the list's terms, in any accepted spelling: what a passage in Arabic or Persian names
    it by ("ha noi" → هانوي); empty where the list cannot render it."""
    return bridged_terms(" ".join(syllable_spellings(name)))


def names_place_across(said: str, name: str) -> bool:
    """Whether comparable Arabic/Persian words (`bridge.arabic_stems`) name a place, as the list renders it."""
    return any(holds(said, t) for t in place_terms(name))


# The fields ministries (Bộ) and provincial departments (Sở) are named by, folded: a closed list, so an organ's name
# ends where its field does ("Bộ Y tế được giao …"). Older names too: questions and documents still use them.
_FIELDS = sorted(
    (
        " ".join(tokens(field))
        for field in (
            "y tế",
            "tài chính",
            "nội vụ",
            "công an",
            "tư pháp",
            "xây dựng",
            "công thương",
            "ngoại giao",
            "quốc phòng",
            "khoa học và công nghệ",
            "giáo dục và đào tạo",
            "nông nghiệp và môi trường",
            "văn hóa, thể thao và du lịch",
            "dân tộc và tôn giáo",
            "thông tin và truyền thông",
            "kế hoạch và đầu tư",
            "tài nguyên và môi trường",
            "giao thông vận tải",
            "lao động thương binh và xã hội",
            "nông nghiệp và phát triển nông thôn",
        )
    ),
    key=len,
    reverse=True,
)
_ORGAN = re.compile(r"\b(?:bo|so) (" + "|".join(map(re.escape, _FIELDS)) + r")\b")


def organs(question: str) -> list[str]:
    """The folded fields of the ministries and departments a question names ("Bộ Y tế" → "y te", "Sở Tài chính" →
    "tai chinh"): like a place, an organ the passages never name is not what they are about."""
    return list(dict.fromkeys(_ORGAN.findall(" ".join(tokens(question)))))


def names_organ(text: str, field: str) -> bool:
    """Whether a text names a field, in words or as officials abbreviate it: "KH&CN", "KHCN" for "khoa học và công
    nghệ" (each part's initials)."""
    said = f" {' '.join(tokens(text))} "
    parts = [[w[0] for w in part.split()] for part in field.split(" va ")]
    short = ["".join(p) for p in parts]
    return any(f" {form} " in said for form in (field, " ".join(short), "".join(short)))
