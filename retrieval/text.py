"""Text normalisation for lexical search: Vietnamese accent folding and tokens that keep document numbers whole."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from retrieval.glossary import GLOSSARY

# 57-NQ/TW, 71/NQ-CP, 02-KH/BCĐTW, 3456/BKHCN-CĐSQG, 125/QĐ-BCĐTW: digits, then letters/digits joined by - or /.
SYMBOL_RE = re.compile(r"\b\d+[\w]*(?:[-/][^\W_]+)+\b", re.UNICODE)
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def _is_latin(ch: str) -> bool:
    return ch < "\u0250" or "\u1e00" <= ch <= "\u1eff"


def _strip_marks(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")


# Every non-ASCII Latin letter (Latin-1 to Latin Extended-B, and the Vietnamese block) → its base letter.
_FOLD = {ord(ch): _strip_marks(ch) for ch in map(chr, [*range(0x80, 0x250), *range(0x1E00, 0x1F00)])}
_FOLD[ord("đ")] = "d"
_FOLD[ord("Đ")] = "d"


def fold(text: str) -> str:
    """Lower-case; strip diacritics from Latin letters only (`đ`→`d`). Arabic and Persian are left alone:
    stripping their marks merges different hamza forms."""
    return unicodedata.normalize("NFC", text).lower().translate(_FOLD)


def symbol_token(symbol: str) -> str:
    """One token for a document number or date: `57-NQ/TW` → `57_nq_tw`, `04/12/2025` → `4_12_2025`
    (leading zeros dropped, so dates match however they are typed). Its parts are indexed too."""
    return "_".join(p.lstrip("0") or "0" if p.isdigit() else p for p in _WORD_RE.findall(fold(symbol)))


# Abbreviations officials type, as the documents spell them out. Folded (ABBREVIATIONS), they are expanded in
# questions so they meet the documents' full words; spelt out (`spelt_out`), they are what the question's meaning
# is embedded from: e5 does not know "BCĐ" ("BCĐ tỉnh họp định kỳ …" put the decision on the committee 8th).
SPELT_OUT: dict[str, str] = {
    "khcn": "khoa học công nghệ",
    "kh&cn": "khoa học công nghệ",
    "dmst": "đổi mới sáng tạo",
    "cds": "chuyển đổi số",
    "csdl": "cơ sở dữ liệu",
    "cntt": "công nghệ thông tin",
    "tthc": "thủ tục hành chính",
    "dvc": "dịch vụ công",
    "dvctt": "dịch vụ công trực tuyến",
    "bcd": "Ban Chỉ đạo",
    "bcdtw": "Ban Chỉ đạo Trung ương",
    "ubnd": "Ủy ban nhân dân",
    "hdnd": "Hội đồng nhân dân",
    "tp": "thành phố",
    "hcm": "Hồ Chí Minh",
    "tphcm": "Thành phố Hồ Chí Minh",
    "hn": "Hà Nội",
    "bkhcn": "Bộ Khoa học và Công nghệ",
    "bca": "Bộ Công an",
    "btc": "Bộ Tài chính",
    "nq": "Nghị quyết",
    "tb": "Thông báo",
    "kh": "Kế hoạch",
    "hd": "Hướng dẫn",
    "qd": "Quyết định",
    "cv": "Công văn",
    "bc": "Báo cáo",
    "tw": "Trung ương",
    "cp": "Chính phủ",
    "gd": "giáo dục",
    "gddt": "giáo dục đào tạo",
    "ttg": "Thủ tướng",
}
ABBREVIATIONS: dict[str, str] = {short: fold(full) for short, full in SPELT_OUT.items()}
# The kinds of document a question names with a number ("Kế hoạch 85", "Nghị quyết số 57"), folded.
DOCUMENT_KINDS = (
    "nghi quyet|ke hoach|thong bao ket luan|thong bao|quyet dinh|cong van|huong dan|bao cao|chi thi|nghi dinh|"
    "thong tu|chuong trinh|de an|luat"
)
# The English names of those kinds ("decision", "official letter"), the glossary's terms for them.
ENGLISH_DOCUMENT_KINDS: dict[str, str] = {en: vi for en, vi in GLOSSARY.items() if vi in DOCUMENT_KINDS.split("|")}
# Words officials use for what the documents say otherwise (folded): a question word counts as present
# where all the words of one of its aliases are.
ALIASES: dict[str, tuple[str, ...]] = {
    "xong": ("hoan thanh",),
    "tre": ("cham", "qua han"),
    "deadline": ("thoi han", "han"),
    "chot": ("thoi han", "han", "cham nhat"),  # "hạn chót": the deadline, however a document words it
    "nop": ("gui",),  # "nộp báo cáo" is "gửi báo cáo"
    "tphcm": ("ho chi minh",),
    "ubnd": ("uy ban",),
    # Everyday verbs and nouns for what the documents say formally.
    "lo": ("chu tri", "phu trach", "dam bao", "bao dam"),  # "bộ nào lo …": the one that leads or secures it
    "lam": ("thuc hien", "trien khai"),  # "làm NQ57": carry it out
    "tien": ("kinh phi", "ngan sach", "von"),  # "tiền làm kế hoạch": its funds
    "muon": ("muc tieu", "phan dau"),  # "NQ57 muốn …": what it aims at
}
# One Vietnamese syllable typed without diacritics ("nghieng", "ha", "noi"): English words mostly are not.
VI_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?")

# Two accepted spellings of one syllable: "tỉ lệ" / "tỷ lệ", "quản lí" / "quản lý", "kĩ năng" / "kỹ năng".
SPELLINGS = {f"{c}{v}": f"{c}{w}" for c in "hklmst" for v, w in (("i", "y"), ("y", "i"))}
for _one, _other in SPELLINGS.items():
    ALIASES.setdefault(_one, (_other,))


def with_spellings(terms: list[str]) -> list[str]:
    """The terms and the other accepted spelling of each ("ti" → "ty"), so that either finds both."""
    return list(dict.fromkeys([*terms, *(SPELLINGS[t] for t in terms if t in SPELLINGS)]))


# What English questions name, in the documents' words (see retrieval/glossary.py); the longest term first,
# with a plural "s" / "es".
# A term ending in a consonant and "y" makes its plural with "ies" ("ministries", "authorities").
_ENGLISH_FORMS = {term: term for term in GLOSSARY} | {
    f"{term[:-1]}ies": term for term in GLOSSARY if re.search(r"[^aeiou]y$", term)
}
_ENGLISH_TERM = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _ENGLISH_FORMS), key=len, reverse=True)) + r")(?:s|es)?\b"
)


def english_term_list(question: str) -> list[str]:
    """The documents' words for each term an English question names ("Ministry of Finance" → bo tai chinh)."""
    return [GLOSSARY[_ENGLISH_FORMS[m]] for m in _ENGLISH_TERM.findall(question.lower().replace("-", " "))]


def english_terms(question: str) -> str:
    return " ".join(english_term_list(question))


# Words that carry no content in an English question: the function words the glossary has no term for.
ENGLISH_FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for with from into about as is are was were be been being has have had do does "
    "did this that these those there their its it they them what whats which who whom whose when where why how "
    "much many any all not no still up out according under over than then so such can could would should must "
    "may might will shall also just only very more most other some each per and or".split()
)


def english_glossary_words(question: str) -> dict[str, str]:
    """The words of an English question inside a glossary term, each with the documents' words for its term
    ("ministry of finance" → each of its words: "bo tai chinh")."""
    out: dict[str, str] = {}
    for m in _ENGLISH_TERM.finditer(fold(question).replace("-", " ")):
        for w in re.findall(r"[a-z]+", m.group(0)):
            out.setdefault(w, GLOSSARY[_ENGLISH_FORMS[m.group(1)]])
    return out


def english_content_words(question: str) -> list[str]:
    """The folded content words of an English question, in order, once each (no numbers)."""
    found = re.findall(r"[a-z]+", fold(question).replace("'s", " "))
    return list(dict.fromkeys(w for w in found if len(w) > 1 and w not in ENGLISH_FUNCTION_WORDS))


def present(term: str, words: set[str]) -> bool:
    """Whether a folded question word is among a text's words: itself, one of its aliases, or — typed as an
    abbreviation ("cds", "tthc", "nq57") — what it stands for, as documents write it out."""
    if term in words or any(all(a in words for a in alias.split()) for alias in ALIASES.get(term, ())):
        return True
    spelt = spelt_abbreviation(term)
    return bool(spelt) and all(w in words for w in spelt)


LETTERS_DIGITS = re.compile(r"^([a-z]+)(\d+)$")  # "nq57": an abbreviation glued to a number


def spelt_abbreviation(term: str) -> list[str]:
    """The words a folded abbreviation stands for ("nq57": nghi quyet 57); [] when it is none."""
    m = LETTERS_DIGITS.match(term)
    if m and m[1] in ABBREVIATIONS:
        return [*ABBREVIATIONS[m[1]].split(), m[2]]
    return ABBREVIATIONS[term].split() if term in ABBREVIATIONS else []


_JOINED = re.compile(r"(?<![\w&])[^\W\d_]+&[^\W\d_]+(?![\w&])")


def spelt_joined(text: str) -> str:
    """The text with an abbreviation joined by "&" spelt out ("KH&CN" → "khoa học công nghệ"): it is one, not
    "KH" (kế hoạch) and "CN"."""
    if "&" not in text:
        return text
    return _JOINED.sub(lambda m: SPELT_OUT.get(fold(m.group(0)), m.group(0)), text)


def expand_query(text: str) -> list[str]:
    """Query tokens with abbreviations expanded (`nq57` → `nghi quyet 57`); the originals are kept."""
    out: list[str] = []
    # "KH&CN" is one abbreviation ("khoa học công nghệ"), not "KH" (kế hoạch) and "CN".
    text = spelt_joined(text)
    for tok in tokens(text):
        out.append(tok)
        m = LETTERS_DIGITS.match(tok)
        out.extend(spelt_abbreviation(tok) or ([m[1], m[2]] if m else []))
    return out


_ABBREVIATION_RE = re.compile(r"(?<![\w/-])([^\W\d_]+(?:&[^\W\d_]+)?)(\d*)(?![\w/-])", re.UNICODE)


def spelt_out(question: str) -> str:
    """The question with the abbreviations it types spelt out as the documents write them ("BCĐ tỉnh" → "Ban
    Chỉ đạo tỉnh", "NQ57" → "Nghị quyết 57"); folded where the question is typed without diacritics. A
    document number ("57-NQ/TW") is left whole. With diacritics, only a word typed in capitals is taken
    for an abbreviation."""
    plain = fold(question) == question.lower()

    def spell(m: re.Match[str]) -> str:
        word, number = m.group(1), m.group(2)
        full = SPELT_OUT.get(fold(word))
        if not full or not (plain or (len(word) > 1 and word.isupper())):
            return m.group(0)
        return (fold(full) if plain else full) + (f" {number}" if number else "")

    return _ABBREVIATION_RE.sub(spell, question)


def tokens(text: str) -> list[str]:
    """Folded word tokens, plus one whole token per document number found in the text."""
    folded = fold(text)
    out = [symbol_token(m.group(0)) for m in SYMBOL_RE.finditer(folded)]
    out.extend(_WORD_RE.findall(folded))
    return out


def document_symbols(text: str) -> list[str]:
    """The document numbers a text writes with their symbol ("99-NQ/TW" → 99_nq_tw; not a date like 4/12/2025)."""
    return [t for t in tokens(text) if "_" in t and re.search(r"[a-z]", t)]


# A word typed in capitals that no list knows: an abbreviation an official made of a name's initials ("Tổ CNSCĐ").
_CAPITALS = re.compile(r"(?<![\w/-])([A-ZĐ]{3,8})(?![\w/-])")


def initials_spelt(question: str, texts: list[str], known: Callable[[str], bool]) -> str:
    """The question with each abbreviation it types in capitals that is not `known` spelt out as one of the
    texts names the thing: the words whose initials it is ("CNSCĐ" → "công nghệ số cộng đồng"), within one
    phrase of a text. Officials shorten a document's long names; the documents write them in full."""

    def spell(m: re.Match[str]) -> str:
        word = m.group(1)
        if word.lower() in ABBREVIATIONS or fold(word) in ABBREVIATIONS or known(word):
            return m.group(0)
        letters = fold(word)
        for text in texts:
            for phrase in _PHRASE_END.split(unicodedata.normalize("NFC", text)):
                said = _WORD_RE.findall(phrase)
                heads = "".join(fold(w)[0] for w in said)
                at = heads.find(letters)
                if at >= 0 and all(len(w) > 1 for w in said[at : at + len(letters)]):
                    return " ".join(said[at : at + len(letters)])
        return m.group(0)

    return _CAPITALS.sub(spell, question)


def raw_words(text: str) -> list[str]:
    """Lower-cased words with their diacritics (to tell `lương` from `lượng`, which fold alike)."""
    return _WORD_RE.findall(unicodedata.normalize("NFC", text).lower())


# How officials open and close a message, matched on folded text: not part of what they ask. Left in,
# "Cảm ơn" or "cần gấp" are words no document contains, and the question would be refused for them.
_OPENING = re.compile(
    r"^\s*(?:"
    r"(?:(?:(?:dong chi|anh|chi|em|ban)\s+)?(?:xin|cho)(?:\s+(?:toi|em|minh))?\s+hoi"
    r"|nho(?:\s+(?:tro ly|ban|anh|chi))?(?:\s+(?:tra|tim|xem|kiem tra))?\s+(?:giup|ho)(?:\s+(?:toi|em|minh))?"
    r"|please(?:\s+tell\s+me)?|(?:could|can) you(?:\s+please)?\s+(?:check|tell me))\s*[:,]?\s+"
    r"|(?:[^:?\n]{0,40}\bhoi|quick question)\s*:\s*|(?:dong chi|anh|chi|em|ban|toi)\s+hoi\s*,\s*"
    r")"
)
_CLOSING = re.compile(
    r"(?:[\s.,!]+|^)(?:"
    r"(?:xin\s+)?cam\s+on(?:\s+(?:nhieu|ban|anh|chi|tro ly))?|nhe|nha"
    r"|tra loi ngan(?:\s+gon)?(?:\s+giup(?:\s+(?:toi|em|minh))?)?|can gap(?:\s+de\s+bao cao)?"
    r"|thanks?(?:\s+you)?(?:\s+very much)?|short answer please|needed for a report"
    r")[\s.!]*$"
)
_POLITE_A = re.compile(r"\s+ạ(?=[\s?.!]*$)")  # "… bao nhiêu ạ?" — only with its accent: a bare "a" may be a letter
# A particle that ends spoken questions ("… họp mấy cuộc rồi?", "… là gì vậy?"): no document says it. Only with
# its accent, but "roi": typed bare at the very end it is still "rồi" ("vay" may be a loan, "ha" a place).
_FINAL_PARTICLE = re.compile(r"\s+(?:rồi|roi|vậy|nhỉ|hả|à|nhé)(?=[\s?.!]*$)", re.IGNORECASE)


def strip_courtesy(question: str) -> str:
    """The question without a greeting-like opening ("Cho tôi hỏi:", "Nhờ Trợ lý tra giúp:") or a courteous
    closing ("ạ", "Cảm ơn.", "Cần gấp để báo cáo."), accented or not; the question itself is unchanged."""
    text = _FINAL_PARTICLE.sub("", _POLITE_A.sub("", unicodedata.normalize("NFC", question).strip()))
    folded = fold(text)
    if len(folded) != len(text):  # the positions below index both strings
        return question.strip()
    while (m := _CLOSING.search(folded)) and m.start() > 0:
        text = _FINAL_PARTICLE.sub("", _POLITE_A.sub("", text[: m.start()].rstrip(" ,")))
        folded = fold(text)
    m = _OPENING.match(folded)
    if m and m.end() < len(text):
        rest = text[m.end() :]
        # Case changes the embedding: the question starts as the message did ("Cho tôi hỏi: nghị…" → "Nghị…").
        text = (rest[:1].upper() if text[:1].isupper() else rest[:1]) + rest[1:]
    return text or question.strip()


def number_free(token: str) -> str:
    """A token as words are compared: numbers without their leading zeros ("07" and "7" are one)."""
    return token.lstrip("0") or token if token.isdigit() else token


def words(text: str) -> set[str]:
    """The folded words of a text, numbers without leading zeros, as questions and units are compared."""
    return {number_free(t) for t in tokens(text)}


# Where a phrase ends: punctuation before a space or the end, brackets, a table's cell border, a line. Not
# inside a number ("1.287", "3,5") or a document's symbol ("3456/BKHCN-CĐSQG"), nor at quotes: a quoted name
# goes on its phrase (phong trào "Bình dân học vụ số").
_PHRASE_END = re.compile(r"[,.;:!?…](?=\s|[\"”»]|$)|[()\[\]|\n]")


# A date in figures, as documents write it in words: "4/12/2025" is "ngày 4 tháng 12 năm 2025", "12/2025" after
# "tháng" is "tháng 12 năm 2025".
_DATE_FIGURES = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")
_MONTH_FIGURES = re.compile(r"\b(thang)\s+(\d{1,2})/((?:19|20)\d\d)\b")


def dates_in_words(folded: str) -> str:
    """A folded text with its dates in figures read in words, as documents write them ("4/12/2025": "ngay 4 thang
    12 nam 2025"; "thang 12/2025": "thang 12 nam 2025"), and as an article in another script names the month."""
    if "/" not in folded:
        return folded
    return _MONTH_FIGURES.sub(r"\1 \2 nam \3", _DATE_FIGURES.sub(r"ngay \1 thang \2 nam \3", folded))


@functools.lru_cache(maxsize=65536)
def _as_paired(token: str, spelt: bool) -> tuple[str, ...]:
    """A folded token as pairs read it: a number without leading zeros; with `spelt`, an abbreviation's words
    ("bcd" → ban chi dao, "nq57" → nghi quyet 57)."""
    if token.isdigit():
        return (number_free(token),)
    if not spelt:
        return (token,)
    if token in ABBREVIATIONS:
        return tuple(ABBREVIATIONS[token].split())
    m = LETTERS_DIGITS.match(token) if not token.isalpha() else None
    if m and m[1] in ABBREVIATIONS:
        return (*ABBREVIATIONS[m[1]].split(), number_free(m[2]))
    return (token,)


def word_pairs(text: str, *, spelt: bool = True) -> set[tuple[str, str]]:
    """Adjacent folded words within a phrase, unless both are function words ("chung than", "khung kien truc").
    "Theo báo cáo 07, tổng tiền …" holds no phrase "07 tong": a pair across a comma is not one. Numbers lose
    their leading zeros and dates are read in words, as `words` reads them. With `spelt`, abbreviations are
    spelt out, so "BCĐ đã giao" meets "Ban Chỉ đạo đã giao" (whether the passages answer the question); the
    composer does without: a question's "KHCN, ĐMST, CĐS" names the Resolution's topic, and spelt out its
    phrases favour every unit that restates the topic over the one that answers."""
    folded = dates_in_words(fold(text))
    out: set[tuple[str, str]] = set()
    for phrase in _PHRASE_END.split(folded):
        seq = [w for t in _WORD_RE.findall(phrase) for w in _as_paired(t, spelt)]
        out.update((a, b) for a, b in zip(seq, seq[1:], strict=False) if a not in STOPWORDS or b not in STOPWORDS)
    return out


# Vietnamese function words (hư từ) a question adds to what it asks, with their diacritics: adverbs of time,
# continuation and degree ("còn", "vẫn", "thêm … nữa", "đến hết năm"), prepositions ("bên Sở", "sang 2027"),
# quantifiers ("cả tỉnh", "mỗi xã", "ít nhất") and particles ("nhé", "ạ"). They say nothing of the topic, and
# documents rarely write them, so weighed by rarity they count as the question's rarest words, missing. Syllables
# that also make content words ("mới" of "đổi mới", "quá" of "quá hạn", "bị" of "thiết bị", "đầu" of "đầu tư",
# "chỉ" of "chỉ đạo", "hiện" of "thực hiện") are left out: a syllable is all the text shows.
FUNCTION_WORDS = frozenset(
    """
    còn vẫn cứ đều cũng nữa thêm rồi vừa sắp hết rất lắm hơi khá luôn hồi giờ
    bên sang cả mọi mỗi từng vài ít lần những
    đấy nhé nhỉ ạ à ư chứ vậy thôi hả chăng
    """.split()
) | {"tất cả"}  # whole: "tất" alone would be left a rare word
_FUNCTION = re.compile(
    r"(?<![^\W_])(?:" + "|".join(sorted(map(re.escape, FUNCTION_WORDS), key=len, reverse=True)) + r")(?![^\W_])",
    re.IGNORECASE,
)


def function_words_split(question: str) -> str:
    """The question with each function word (`FUNCTION_WORDS`, matched with its diacritics) replaced by a phrase
    break: it is neither a word asked for nor part of a phrase ("lùi hạn thêm lần nữa cho …")."""
    return _FUNCTION.sub(" , ", unicodedata.normalize("NFC", question))


# The words that ask (with their diacritics): a passage that answers states the thing asked for instead, so "nhà mạng
# nào", "bao nhiêu phần trăm", "bản giấy không?" are no phrases it could hold. A trailing "không"/"chưa" asks; inside
# the question "không" is a word of the topic ("không dùng giấy").
QUESTION_WORDS = frozenset("nào gì ai đâu mấy".split()) | {"bao nhiêu", "bao lâu", "bao giờ", "thế nào", "ra sao"}
_ASKS = re.compile(
    r"(?<![^\W_])(?:" + "|".join(sorted(map(re.escape, QUESTION_WORDS), key=len, reverse=True)) + r")(?![^\W_])"
    r"|(?<![^\W_])(?:(?:hay|phải|đúng) )?(?:không|chưa)\W*$",
    re.IGNORECASE,
)


def question_words_split(question: str) -> str:
    """The question with each word that asks (`QUESTION_WORDS`, a trailing "không", matched with its diacritics)
    replaced by a phrase break: the phrases left are those of the topic."""
    return _ASKS.sub(" , ", unicodedata.normalize("NFC", question))


# Upper-case Latin letters, Vietnamese ones with their diacritics, for a regex class: the range À-Ỹ also holds
# the lower-case ones, so "ông ấy ở" would read as a name and "… ông. ấy" as a new sentence.
UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isupper() and c.isalpha())


def has_vietnamese_diacritics(text: str) -> bool:
    return any(_is_latin(ch) and not ch.isascii() for ch in unicodedata.normalize("NFC", text))


# Folded Vietnamese function words and question words, and English ones: they say nothing about topic.
STOPWORDS = frozenset(
    """
    la gi cua va cac nhung mot nay do thi co khong duoc cho trong ve voi theo tai tu den khi nao bao nhieu
    nhu the sao phai can da se dang hay hoac ma neu thi boi vi de ra vao len xuong o day kia ai nguoi
    viec nhiem vu van ban so ngay thang nam han cho biet hoi xin vui long giup toi minh chung ta duoc
    may lau bao gio luc nay hien nay gom nhung nao cu the ro
    what which who when where why how is are the of to in on for by and or do does did a an be with from
    """.split()
)
