"""What a question asks for, the units of a passage that can answer it, and the span that does.

The extractive answer leads with the fact asked for, verbatim. Three steps, each right for a reason
rather than fitted to examples:

- `asked_for(question)`: the kind of answer (a date, a quantity, a share, a duration or penalty
  range, an organ or person, yes/no, a list), from the question's own words — Vietnamese with or
  without diacritics, and English — plus a bound ("lên đến" asks for the maximum) and the noun counted
  ("bao nhiêu tuổi" counts `tuổi`).
- `units(passage)`: the document's own structure. A point (a), b), -) goes with the lead-in of its
  clause, which states the penalty, deadline or duty the point's condition triggers; a table row
  already carries its column headers (the chunker writes "Header: value | …"); prose is split into
  sentences. Headings, and lead-ins that end in ":" and hold nothing of the kind asked, are never a
  unit on their own.
- `spans(unit, asked)`: the candidate answers of that kind inside a unit, verbatim.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from retrieval.bridge import COUNTED_NOUNS, LEVANTINE_MONTHS, arabic_stem, arabic_stems
from retrieval.text import (
    ABBREVIATIONS,
    DOCUMENT_KINDS,
    STOPWORDS,
    UPPER,
    english_glossary_words,
    fold,
    has_vietnamese_diacritics,
    words,
)

# --- what the question asks for ----------------------------------------------------------------------

(
    DATE,
    SHARE,
    MONEY,
    RANGE,
    QUANTITY,
    ORGAN,
    YESNO,
    LIST,
    DEFINITION,
    OTHER,
    EVENT,
    PENALTY,
    REASON,
    FREQUENCY,
    CONTACT,
) = (
    "date",
    "share",
    "money",
    "range",
    "quantity",
    "organ",
    "yesno",
    "list",
    "definition",
    "other",
    "event",  # a date question's answer where the passages name no date: "từ thời điểm mở thừa kế"
    "penalty",  # "thì bị phạt như thế nào": the whole sanction, "phạt tù từ 12 năm đến 20 năm, tù chung thân …"
    "reason",  # "vì sao … chậm": what the text gives as the cause, "hạ tầng mạng tại 9 xã miền núi chưa bảo đảm"
    "frequency",  # "họp định kỳ bao lâu một lần": "mỗi quý một lần", "02 tuần một lần", "hằng tháng"
    "contact",  # "số điện thoại liên hệ": "0912 468 357"; "địa chỉ thư điện tử": "ngoclan.skhcn@lamgiang.gov.vn"
)
# Kinds with a span to lead the answer with.
SPECIFIC = (DATE, SHARE, MONEY, RANGE, QUANTITY, ORGAN, EVENT, PENALTY, REASON, FREQUENCY, CONTACT)
# Figures: a text that answers one states a number. (A date is not among them: a law answers "khi nào" with a
# condition, "kể từ thời điểm mở thừa kế"; an organ with any name of a body.)
FIGURES = (SHARE, MONEY, RANGE, QUANTITY)

_TIME_NOUN = r"(?:nam|thang|ngay|tuan|gio|quy|years?|months?|days?|weeks?|hours?)"
# A deadline asked ("hạn hoàn thành … là khi nào", "hạn chót", "thời hạn nộp"), on the folded question.
_ASKS_DEADLINE = re.compile(
    # "hạn ban đầu", "hạn mới": a deadline, qualified.
    r"\b(?:han(?: chot| cuoi| ban dau| moi| cu| dau tien)?|thoi han) (?:hoan thanh|nop|gui|bao cao|la|khi|ngay)"
    r"|\b(?:han ban dau|han moi)\b|\bdeadline\b"
    # "… phải gửi trước ngày nào", "by when": the date by which, not any date of the passage ("chậm nhất khi nào" is
    # the bound "latest", whose date the text states so)
    r"|\btruoc (?:ngay|thoi diem|thoi han) nao\b|\bby (?:when|what date)\b"
)
# Which penalty is asked, by its name: "áp dụng mức hình phạt nào", "hình phạt gì", "loại hình phạt nào".
# "Hình phạt cao nhất là gì?": the most severe penalty the clause names ("… tù chung thân hoặc tử hình"), which
# is named, not a term.
_ASKS_HARSHEST = r"\bhinh phat (?:cao|nang) nhat\b|\b(?:harshest|heaviest|most severe|maximum) (?:penalty|punishment)"
_ASKS_PENALTY_NAME = re.compile(rf"\bhinh phat (?:nao|gi)\b|which (?:penalty|punishment)|{_ASKS_HARSHEST}")
_ARABIC_COUNT = re.compile(r"(?<!\w)(?:كم(?: عدد)?|چند|چه تعداد)\s+(\w+)(?:\s+(\w+))?")
# A role only a person holds: "Which Deputy Minister …", "đồng chí nào …". Unlike "ai chủ trì" or "who leads the
# task", which an organ answers, such a question is answered by a person's name alone. The noun may be qualified
# ("which provincial agency", "which Deputy Minister").
_QUALIFIED = r"which (?:[a-z'-]+ ){0,2}?"
_PERSON_ASKED = (
    rf"\b{_QUALIFIED}(?:(?:vice|deputy)[ -])?(?:minister|secretary|chair(?:man|woman|person)?|director|official|leader)\b|\b(?:dong chi|ong) nao\b|"
    # An office asked by "nào": "do Thủ tướng nào chủ trì?", "Thứ trưởng Bộ Công an nào dự?" (its body between).
    r"\b(?:pho )?(?:thu tuong|bo truong|thu truong|tong bi thu|chu tich|bi thu|giam doc|chanh van phong)"
    r"(?: (?:bo|so|uy ban|ubnd|quoc hoi|tinh|thanh pho|xa|tinh uy|thanh uy|dang uy)(?: [a-z]+){0,3}?)? nao\b|"
    # Who someone addressed as a person is: "Đồng chí Chủ tịch Quốc hội dự Hội nghị … là ai?".
    r"^\W*(?:dong chi|ong|ba) .+ la ai\W*$|^\W*ai la (?:dong chi|ong|ba) |"
    # The name of one who holds an office: "Chủ tịch UBND tỉnh Gia Lai tên gì?", "… tên là gì", "Giám đốc Sở … là ai?".
    r"^\W*(?:(?:dong chi|ong|ba) )?(?:pho )?(?:chu tich|bi thu|giam doc|truong ban|truong phong|thu tuong|bo truong|"
    r"thu truong|tong bi thu|chu nhiem|truong doan)\b.* (?:ten (?:la )?gi|la ai)\W*$|"
    # Whom to turn to: "liên hệ cán bộ nào", "hỏi ai": a person, by name, not the office they sit in.
    r"\b(?:lien he|hoi|gap)(?: voi)? (?:can bo|cong chuc|chuyen vien) nao\b|\b(?:lien he|hoi|gap)(?: voi)? ai\b"
)
_ASKS_PERSON = re.compile(_PERSON_ASKED)
# Checked in this order on the folded question: the first that matches names the kind.
_ASKS_PHONE = r"\bso dien thoai\b|\bdien thoai (?:lien he|la|nao)\b|\bsdt\b|\bhotline\b|\bphone\b"
_ASKS_EMAIL = r"\bthu dien tu\b|\be-?mail\b|\bhop thu\b"
_ASKED: list[tuple[str, re.Pattern[str]]] = [
    # A way to reach someone, before the counts: "số điện thoại … là bao nhiêu" asks for the number, not a count.
    (CONTACT, re.compile(rf"{_ASKS_PHONE}|{_ASKS_EMAIL}")),
    # A share asked in Arabic or Persian, answered in an article's own words ("44.05٪").
    (SHARE, re.compile(r"\bنسبة\b|\bدرصد\b")),
    # A count asked in Arabic or Persian ("كم عدد المندوبين …", "چند روستا …"): the noun after it is counted.
    (QUANTITY, _ARABIC_COUNT),
    (
        SHARE,
        re.compile(
            r"t[iy] le|phan tram|bao nhieu %|\bpercent|percentage|\bshare\b|\bratio\b|\bbao nhieu phan\b|"
            r"\b(?:what|which) (?:[a-z']+ ){0,5}rate\b|"  # "What was Hanoi's online payment rate …"
            r"(?:bao nhieu|muc tieu|target|what)\b.*\bgdp\b|\bgdp\b.*(?:bao nhieu|target)"
        ),
    ),
    (
        MONEY,
        re.compile(
            r"phat tien|bao nhieu tien|tien phat|muc tien|(?:thiet hai|tri gia)(?: tai san)? (?:tu )?bao nhieu|bao nhieu (?:dong|trieu|ty|nghin)|"
            r"(?:kinh phi|von|ngan sach) .*bao nhieu|bao nhieu (?:kinh phi|von|ngan sach)|how much money|\bfine\b.*how much|how much .*\b(?:vnd|dong|fund|budget|cost)"
        ),
    ),
    # How one is punished, in so many words: the answer is the sanction as the clause states it, whatever its
    # parts (a fine, non-custodial reform, a prison term), not one figure of it.
    (
        PENALTY,
        re.compile(
            r"\bbi (?:xu )?phat (?:nhu the nao|the nao|ra sao|gi)\b|\bchiu (?:hinh phat|muc phat) (?:gi|nao|nhu the nao)\b"
            r"|\bxu (?:ly|phat) (?:nhu the nao|the nao|ra sao)\b|\bwhat (?:is the )?(?:penalty|punishment)\b"
            r"|\bhow (?:is|are|will) .*\bpunished\b"
        ),
    ),
    # How often, before how long: "bao lâu một lần" is answered by "mỗi quý một lần", not by a duration.
    (
        FREQUENCY,
        re.compile(r"\bbao lau (?:[a-z]+ )?(?:mot|1) lan\b|\bdinh ky bao lau\b|\bhow often\b|\bhow frequently\b"),
    ),
    (
        RANGE,
        re.compile(
            r"\bbao lau\b|tu bao nhieu .*den bao nhieu|\b(?:bao nhieu|may) " + _TIME_NOUN + r"\b|how long|how many "
            r"(?:\w+ )?(?:years?|months?|days?|weeks?)|muc (?:phat|hinh phat)|phat tu (?:bao nhieu|may|toi da|len den)"
            r"|khung hinh phat|\bthoi han\b.*\bbao nhieu\b|len den bao nhieu|" + _ASKS_HARSHEST
        ),
    ),
    (
        DATE,
        re.compile(
            r"khi nao|\bngay nao\b|\bthang nao\b|\bnam nao\b|\bquy nao\b|\bbao gio\b|thoi han|thoi diem|han chot|"
            r"\b(?:vao |trong )?(?:luc|dip) nao\b|"  # "phải làm vào lúc nào"
            r"\bthoi gian nao\b|^\W*han\b(?! che| muc| ngach)|"  # "phải xong trong thời gian nào", "Hạn cập nhật …"
            r"\bhan\b.*\b(?:nop|gui|hoan thanh|bao cao)|(?:truoc|cham nhat|den) (?:ngay|thang) nao|\b(?:ngay|thang) may\b|"
            # "when" asks only as the question's word ("When did …", "… by when"), not as a conjunction ("what did
            # he quote when urging …")
            r"^\W*when\b|\bwhen (?:did|does|do|is|was|were|will|would|must|should|shall|can|are|has|have|had)\b|"
            r"what date|which date|by when|deadline|which year|what year|\bdue\b|"
            # Arabic "when", "the deadline", "which date"; Persian "by what date", "when", "the time allowed".
            r"(?<!\w)(?:متى|الموعد النهائي|أي تاريخ|چه تاریخی|چه زمانی|مهلت)(?!\w)"
        ),
    ),
    (
        QUANTITY,
        re.compile(
            # "số lượng" asks only where nothing else does: "… trả vật đúng số lượng, chất lượng" with "nghĩa vụ gì"
            # asks what.
            r"\bbao nhieu\b|\bmay\b(?! tinh)|^(?!.*\b(?:gi|nao)\b).*\bso luong\b|\bhow many\b|\bhow much\b|\bwhat number\b|"
            r"\bwhat score\b|"
            r"\bsize\b|\bamount\b"
        ),
    ),
    # Asked why: after the counts ("bao nhiêu ngày … không có lý do"), before "… là gì" (a definition).
    (
        REASON,
        re.compile(
            r"\b(?:vi sao|tai sao|do dau|vi ly do gi)\b|\bnguyen nhan (?:nao|gi|la gi|chu yeu|chinh|co ban|do dau)\b|^\W*nguyen nhan\b"
            r"|\bly do (?:nao|gi|la gi)\b|\bwhy\b|\bwhat (?:caused|causes)\b|\bwhat (?:is|are|was|were) the (?:main )?"
            r"(?:reasons?|causes?)\b"
        ),
    ),
    # Asked in so many words for a list or for the cases: before the organ, whose words ("cơ quan có thẩm
    # quyền") such questions often hold.
    (LIST, re.compile(r"liet ke|gom nhung|bao gom nhung|truong hop nao|nhung truong hop")),
    (
        ORGAN,
        re.compile(
            r"co quan nao|\bai\b|don vi nao|\bbo phan nao\b|\b(?:co quan|don vi) gi\b|\bbo nao\b|\bnganh nao\b|to chuc nao|(?<!bat )\bcap nao\b|nguoi nao|\bchu tri\b|"
            rf"\bphoi hop\b|\bwho\b|\bwhom\b|{_PERSON_ASKED}|"
            rf"{_QUALIFIED}(?:ministry|ministries|agency|agencies|body|bodies|organ|unit|authority|office|department|"
            r"committee|council)\b|\bin charge\b|\bleads?\b|\bchairs?\b"
        ),
    ),
    (
        DEFINITION,
        re.compile(
            r"\b(?:la gi|duoc hieu (?:la|nhu the nao)|nghia la gi|la nhu the nao)\b|^what (?:is|are) (?:an? )?"
            r"[a-z ]+\?*$|\bwhat does .* mean\b"
        ),
    ),
    (
        LIST,
        re.compile(
            r"gom nhung|bao gom|nhung (?:gi|nao)\b|cac .* nao\b|truong hop nao|liet ke|\bwhat are\b|\blist\b|"
            r"which .*s\b"
        ),
    ),
    (
        YESNO,
        re.compile(r"co phai|dung hay sai|dung khong|phai khong|\bco (?:duoc|bi|phai)\b.*\bkhong\b|\bkhong\?*$"),
    ),
]
_ENGLISH_YESNO = re.compile(r"^(?:is|are|does|do|can|must|should|was|were)\b")
# A bound the question asks for, not one it states: "phạt tù lên đến 05 năm" names its figure.
# English "up to" asks the largest only before the question word ("up to how many years"): "held from the start
# of 2025 up to the December review" is a time.
_MAX = re.compile(r"(?:len den|toi da|cao nhat|nhieu nhat|at most|maximum|up to (?=how|what)|\bmax)(?! \d)")
# "Bộ nào được giao nhiều nhiệm vụ nhất": the largest of the figures a sentence lists ("thống nhất", "nhất định" are
# other words).
MOST = re.compile(r"\b(?<!bao )nhieu(?: [a-z]+){0,3}(?<!thong) nhat\b(?! dinh)|\b(?:the )?most\b")
_MIN = re.compile(r"(?:toi thieu|thap nhat|it nhat|at least|minimum|\bmin\b)(?! \d)")
# A date asked at its latest ("phải hoàn thành chậm nhất khi nào"): the date the text states as the latest.
_LATEST = re.compile(r"\b(?:cham nhat|muon nhat|tre nhat|at the latest|no later than)\b")
_MEASURED = re.compile(r"\b(?:la|dat|duoc|con|len toi|len den|toi thieu|toi da|it nhat) bao nhieu\W*$|\bhow much\b")
# "Số lượng / Tổng số doanh nghiệp … đạt bao nhiêu?" still counts: a share is no answer to it.
_COUNTS = re.compile(r"^(?:so|tong so)\b|\b(?:so luong|tong so)\b|\bhow many\b")
_COUNTED = re.compile(
    r"\b(?:bao nhieu|may)\s+([a-z]+(?:\s+[a-z]+){0,7})"
)  # the noun and what may follow  # Vietnamese: the noun matches the text's


# A document named by its kind and number ("NQ57", "Kế hoạch 85", "QĐ số 210"), on the folded question: the kinds
# and their abbreviations.
_DOCUMENT_REFERENCE = re.compile(
    r"\b(?:"
    + "|".join([DOCUMENT_KINDS, *(short for short, full in ABBREVIATIONS.items() if full in DOCUMENT_KINDS.split("|"))])
    + r")\s*(?:so\s*)?\d"
)
_ENDS_NOUN = set(
    "theo về của trong tại cho với để từ đến trên dưới ở và là có được đã sẽ đang phải cần còn thuộc các những".split()
)


def _counted_noun(question: str, folded: str) -> str:
    """The counted words up to a preposition or an auxiliary, read with their diacritics where the question has
    them ("trọng điểm" goes on, "trong" ends it); all of them when the first word already would."""
    typed = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", question))
    raw = [w.lower() for w in typed]
    words = folded.split()
    at = next((i for i in range(len(raw)) if [fold(w) for w in raw[i : i + len(words)]] == words), None)
    said = raw[at : at + len(words)] if at is not None else words
    ends = [i for i, w in enumerate(said) if w in _ENDS_NOUN or said[i : i + 2] == ["liên", "quan"]]
    kept = said[: ends[0]] if ends else said  # "bao nhiêu luật liên quan đến …": "luật"
    # An acronym after the noun names what it is of ("bao nhiêu điểm DTI": "trừ 10 điểm khi chấm … (DTI)"); the
    # text need not say it right after the figure.
    while at is not None and len(kept) > 1 and re.fullmatch(r"[A-ZĐ]{2,}\d*", typed[at + len(kept) - 1]):
        kept = kept[:-1]
    return " ".join(words[: len(kept)]) if kept else folded


# Measure words: the whole of what is counted, whatever the question says after them.
_MEASURE = {"tuoi", "lan", "nguoi", "ha", "km", "kg", "tan"}

_ISSUED = re.compile(
    r"(?:ban hanh|\bky\b)(?: vao)? (?:ngay|khi|thoi diem) nao|ngay (?:ban hanh|ky)\b|"
    r"\b(?:issued|signed|adopted|dated)\b"
)


@dataclass(frozen=True)
class Asked:
    kind: str
    bound: str = ""  # max | min | latest (a date) | ""
    counted: str = ""  # the folded noun after "bao nhiêu" ("tuoi", "co so du lieu")
    issued: bool = False  # a date question about when a document was issued or signed
    # DEFINITION: the folded term to be defined ("tap quan", "nhiem vu thuong xuyen"); CONTACT: "phone" or "email".
    term: str = ""
    person: bool = False  # ORGAN, by a role only a person holds: only a person's name answers it
    measured: bool = False  # QUANTITY as "… đạt bao nhiêu?" / "how much": nothing counted, a share or sum answers too
    deadline: bool = False  # DATE as "hạn hoàn thành … là khi nào", "hạn chót", "deadline": a date stated as one
    penalty_named: bool = False  # RANGE as "mức hình phạt nào": a penalty by its name ("cảnh cáo") answers too
    rate: bool = False  # QUANTITY as "bao nhiêu một tháng": an amount per something ("500.000 đồng/tháng"), no count


# An ordinal or a numbered part asked (folded): "từ tháng thứ bao nhiêu", "lần thứ mấy", "quy định tại điều mấy",
# "khoản nào". The answer is the text's own "từ tháng thứ 06", "Điều 3": a number, but not a count.
_ORDINAL_NOUNS = r"thang|lan|nam|ngay|quy|tuan|buoc|giai doan|dot|ky"
_PART_NOUNS = r"dieu|khoan|diem|chuong|muc"
# Not "những Điều nào", "các khoản nào": several are asked, read as a list.
_ASKS_ORDINAL = re.compile(
    rf"(?<!nhung )(?<!cac )\b(?:({_ORDINAL_NOUNS}) thu|({_PART_NOUNS})(?: so)?) (?:may|bao nhieu|nao)\b"
)
_PREPOSITION = r"(?:(?:tu|den|sau|truoc) )?"  # they bound what follows: "từ tháng thứ 06" is not "tháng thứ 06"


# A figure set as a target, not one reached: "Phấn đấu … đạt 80% trở lên", "chỉ tiêu tỉnh giao (50%)", "đạt tối
# thiểu 60%". A report gives both: what was reached this year, and next year's targets. Read with diacritics, as
# documents are written: folded, "chỉ tiêu" (a target) is "chi tiêu" (spending).
_TARGET_WORDS = r"phấn đấu|chỉ tiêu|mục tiêu|tối thiểu|ít nhất|dự kiến|phải đạt|cần đạt|target|goal|at least"
_TARGET_BEFORE = re.compile(rf"\b(?:{_TARGET_WORDS})\b")
_TARGET_AFTER = re.compile(r"^\W*(?:trở lên|trở xuống)\b")
_TARGET_WINDOW = 8  # words before a figure that may set it as a target, within its clause
# A question asking for a target names it so ("chỉ tiêu … là bao nhiêu", "phải đạt", "phấn đấu"): else it asks what
# was reached. With diacritics where the question has them ("cán bộ" is not "cần").
_OBLIGED = re.compile(r"\b(?:phải|cần|giao|đặt ra|sẽ|must|should|will)\b")
# Typed without diacritics, only whole target phrases: "phai", "can", "se" alone fold many words.
_OBLIGED_PLAIN = re.compile(r"\b(?:dat ra|must|should|will)\b")


_OWN_FLOOR = re.compile(r"^(?:tối thiểu|ít nhất|at least|[≥])\s?\d", re.IGNORECASE)
# Named as a target by the words that set one, not by an obligation ("phải", "giao"): "chỉ tiêu … là bao nhiêu",
# "mục tiêu … ít nhất bao nhiêu".
_NAMES_TARGET = re.compile(rf"\b(?:{_TARGET_WORDS})\b")
_NAMES_TARGET_PLAIN = re.compile(rf"\b(?:{fold(_TARGET_WORDS)})\b")


def sets_floor(span: Span) -> bool:
    """Whether the figure carries its own floor ("tối thiểu 85%", "≥ 25.000"): what a target asks to reach at
    least. (A figure asked as reached may still be one: "mỗi thôn có ít nhất 03 thành viên" is a rule, not a goal.)"""
    return bool(_OWN_FLOOR.match(span.text))


def names_target(question: str) -> bool:
    """Whether the question asks for a figure set as a target by naming it so (not only by "phải", "cần")."""
    text = unicodedata.normalize("NFC", question).lower()
    if has_vietnamese_diacritics(text):
        return bool(_NAMES_TARGET.search(text))
    return bool(_NAMES_TARGET_PLAIN.search(fold(text)))


def asks_target(question: str) -> bool:
    """Whether the question asks for a figure set as a target: by naming it so, or by an obligation ("phải đạt")."""
    if names_target(question):
        return True
    text = unicodedata.normalize("NFC", question).lower()
    return bool(_OBLIGED.search(text) if has_vietnamese_diacritics(text) else _OBLIGED_PLAIN.search(fold(text)))


def is_target(span: Span, text: str) -> bool:
    """Whether the text sets the figure as a target ("Phấn đấu tỷ lệ … đạt 80% trở lên"), in its clause."""
    # Its clause, not past a parenthesis ("(chỉ tiêu 30%), công bố 2.144": not 2.144), unless the figure glosses the
    # words before it ("vượt chỉ tiêu tỉnh giao (50%)": 50% is the target).
    text = text.lower()
    before = text[: span.start].rstrip()
    if before.endswith(":") and _ROW.match(text):  # a table's cell: its column says what the figure is
        return bool(_TARGET_BEFORE.search(before[:-1].rsplit("|", 1)[-1]))
    before = re.split(r"[.;:()\n]", before[:-1] if before.endswith("(") else before)[-1]
    near = " ".join(_WORD.findall(before)[-_TARGET_WINDOW:])
    return bool(_TARGET_BEFORE.search(near) or _TARGET_AFTER.match(text[span.end :]))


def ordinal_asked(question: str) -> str:
    """The noun of the ordinal or numbered part a question asks for ("thang thu", "dieu"; "" when none)."""
    m = _ASKS_ORDINAL.search(fold(question))
    return "" if not m else f"{m.group(1)} thu" if m.group(1) else m.group(2)


def ordinal_in(text: str, noun: str, question: str) -> str:
    """The ordinal or numbered part of `text` the question asks for, with its preposition ("từ tháng thứ 06",
    "Điều 3"). Of several ("từ tháng thứ 07 hoặc từ tháng thứ 06 nếu làm việc ở vùng cao …"), the one whose own
    clause — up to the next one or the clause's end — says the question's words (its condition) and least
    else: without "vùng cao" asked, the condition that goes with 06 is not the question's."""
    text = unicodedata.normalize("NFC", text)
    folded = fold(text)  # one character for one: positions carry over
    found = list(
        re.finditer(rf"\b{_PREPOSITION}{noun} (?:so )?(?:\d+[a-z]?|[ivxlc]+)\b(?! (?:tuoi|thang|nam|ngay)\b)", folded)
    )
    if not found:
        return ""
    asked = {w for w in words(question) if w not in STOPWORDS}

    def said(i: int) -> int:
        end = found[i + 1].start() if i + 1 < len(found) else len(folded)
        stop = _CLAUSE_END.search(folded, found[i].end(), end)
        clause = {w for w in words(folded[found[i].end() : stop.start() if stop else end]) if w not in STOPWORDS}
        return len(clause & asked) - len(clause - asked)

    best = max(range(len(found)), key=lambda i: (said(i), -i))
    return text[found[best].start() : found[best].end()]


def asked_for(question: str) -> Asked:
    q = fold(question)
    kind = next((k for k, pattern in _ASKED if pattern.search(q)), OTHER)
    if kind == QUANTITY and _ASKS_ORDINAL.search(q):
        kind = OTHER  # "từ tháng thứ bao nhiêu": which one, not how many (ordinal_in)
    if kind == OTHER and _ENGLISH_YESNO.search(q) and not has_vietnamese_diacritics(question):
        kind = YESNO  # "Can the commune …?"; not "Cần đảm bảo điều gì …", which folds to "can"
    bound = "max" if _MAX.search(q) else "min" if _MIN.search(q) else ""
    if kind == DATE and _LATEST.search(q):
        bound = "latest"
    m = _COUNTED.search(q)
    term = ""
    if kind == DEFINITION:
        before = re.split(r"\s+(?:la gi|duoc hieu|nghia la|la nhu the nao)\b", q)[0]
        words = re.findall(r"[a-z0-9]+", before.split(",")[-1])
        # The term's last words ("hợp đồng trao đổi tài sản" is six); "… thì tập quán là gì" → "thi tap quan": `_defining`
        # tries each tail, longest first, where a unit opens with it.
        term = " ".join(words[-8:])
    # The noun phrase counted ends before a preposition or an auxiliary: "bao nhiêu nhiệm vụ phải hoàn thành" counts
    # "nhiệm vụ", "bao nhiêu nhiệm vụ chậm theo chỉ đạo …" counts "nhiệm vụ chậm".
    noun = m.group(1) if m else ""
    if m and (ref := _DOCUMENT_REFERENCE.search(q, m.start(1), m.end(1) + 12)) and ref.start() > m.start(1):
        noun = q[m.start(1) : ref.start()].strip()  # "mấy nhiệm vụ NQ57": tasks, of the resolution named after them
    counted = _counted_noun(question, noun) if noun else ""
    if counted.split(" ")[0] in _MEASURE:  # "bao nhiêu tuổi phải chịu …": "16 tuổi trở lên phải chịu …"
        counted = counted.split(" ")[0]
    per = bool(re.match(r"(?:mot|moi|1) ", counted))  # "bao nhiêu một tháng": a rate, "500.000 đồng/tháng"
    if per:
        counted = ""
    # Officials count in abbreviations ("mấy CSDL trọng điểm"); documents spell them out ("12 cơ sở dữ liệu …").
    counted = " ".join(ABBREVIATIONS.get(w, w) for w in counted.split())
    if kind == QUANTITY and (arabic := _ARABIC_COUNT.search(q)):
        # "كم عدد المندوبين": "مندوب"; "چند پایگاه داده": both words, as far as the text says them too.
        counted = " ".join(arabic_stem(w) for w in arabic.groups() if w)
    person = kind == ORGAN and bool(_ASKS_PERSON.search(q))
    measured = kind == QUANTITY and (per or bool(_MEASURED.search(q)) and not _COUNTS.search(q))
    deadline = kind == DATE and bool(_ASKS_DEADLINE.search(q))
    penalty_named = kind == RANGE and bool(_ASKS_PENALTY_NAME.search(q))
    issued = kind == DATE and bool(_ISSUED.search(q))
    if kind == CONTACT:
        term = "email" if re.search(_ASKS_EMAIL, q) and not re.search(_ASKS_PHONE, q) else "phone"
    return Asked(
        kind,
        bound=bound,
        counted=counted,
        issued=issued,
        term=term,
        person=person,
        measured=measured,
        rate=per and kind == QUANTITY,
        deadline=deadline,
        penalty_named=penalty_named,
    )


# Where a law says its term is defined, between the term and "là": "Quyền nhân thân được quy định trong Bộ luật này
# là …", "… nêu tại khoản 1 Điều này là …" (folded).
_WHERE_DEFINED = r"(?: (?:duoc )?(?:quy dinh|neu) (?:tai|trong) (?:[a-z0-9]+ ){0,4}?(?:nay|luat))?"


def _defining(folded: str, term: str) -> re.Match[str] | None:
    """Where a folded unit defines the term: "<term> là …", "<term> được hiểu là …", or as guidance lists its
    kinds, "đ) <term>: …" (the term's last one to four words); group 1 is the term with its "là"."""
    # The item itself (a lead-in's point holds the lead-in too), where the term opens it or a sentence of
    # it: "2. Bảo vệ an ninh mạng là …" defines "bảo vệ an ninh mạng", not "an ninh mạng".
    words = term.split()
    for i in range(len(words)):
        pattern = (
            rf"(?:^|[.:;,]\s)(?:\d{{1,2}}\.\s|[a-z]\)\s)?({' '.join(words[i:])}{_WHERE_DEFINED}"
            r"(?: (?:la|duoc hieu la)\b|: ))"
        )
        if m := re.search(pattern, folded):
            return m
    return None


def defines(text: str, term: str) -> bool:
    """Whether a unit defines the term (`_defining`), or says what it is before naming it (`_defined_as`)."""
    part = unicodedata.normalize("NFC", text.split(JOIN)[-1])
    folded = fold(part)
    # `_defined_as` reads the original by the folded text's positions: a letter that folds to two would shift them.
    return _defining(folded, term) is not None or (len(folded) == len(part) and bool(_defined_as(part, folded, term)))


# A name or a motto the text gives in quotation marks: «nguyên tắc hành động mới … thống nhất: "Kỷ cương là trên hết
# - …"», «phương châm “ba trụ cột”».
_QUOTED = re.compile(r'["“]([^"“”\n]{3,200})["”]')
_OPENING_QUOTE = re.compile(r'["“]')
_QUOTE_WITHIN = 120  # characters between the thing's head words and its quoted name, in one sentence
_HEAD_WORDS = 3


def quoted_name(text: str, question: str) -> str:
    """What a thing asked "là gì" is called, where the text names it in quotation marks after its head words: "nguyen
    tac hanh dong moi hoi nghi trung uong 13 khoa xiii la gi" of «… nguyên tắc hành động mới đã được Hội nghị Trung
    ương 13 khóa XIII thống nhất: "Kỷ cương là trên hết - …"» → the quoted words. The sentence must say most of the
    question's other words too. "" where none."""
    subject = re.split(r"\s+(?:la gi|duoc hieu|nghia la|la nhu the nao)\b", fold(question))[0]
    asked = [w for w in re.findall(r"\w+", subject.split(",")[-1]) if w not in STOPWORDS]
    if len(asked) < _HEAD_WORDS:
        return ""
    folded = fold(unicodedata.normalize("NFC", text))
    if len(folded) != len(text):
        return ""
    head = " ".join(asked[:_HEAD_WORDS])
    for m in re.finditer(rf"\b{re.escape(head)}\b", folded):
        opens = _OPENING_QUOTE.search(text, m.end(), m.end() + _QUOTE_WITHIN)
        quote = _QUOTED.match(text, opens.start()) if opens else None
        if not quote or SENTENCE_BREAK.search(text, m.end(), quote.start()):
            continue
        said = set(re.findall(r"\w+", folded[m.start() : quote.start()]))
        if sum(w in said for w in asked) >= _TERM_SHARE * len(asked):
            return quote.group(1).strip()
    return ""


SENTENCE_BREAK = re.compile(r"[.;!?](?=\s)")  # a full stop, a semicolon … then a space: not "1.287" nor "3,5"


def definition_of(text: str, term: str) -> str:
    """What a unit that defines the term says it is, from the term: "… 1. Tù chung thân là hình phạt tù không thời
    hạn …" → "Tù chung thân là hình phạt tù không thời hạn …", to the end of its sentence (at most
    _DEFINED_WORDS words); "" where it does not define it."""
    part = unicodedata.normalize("NFC", text.split(JOIN)[-1])
    folded = fold(part)
    if len(folded) != len(part):
        return ""  # a letter that folds to two: positions would not match
    m = _defining(folded, term)
    if not m:
        return _defined_as(part, folded, term)
    # The term with what it is, as the text says it: "Tù chung thân là hình phạt tù …".
    stop = _CLAUSE_END.search(part, m.end(1))
    said = list(_WORD.finditer(part, m.end(1), stop.start() if stop else len(part)))[:_DEFINED_WORDS]
    if not said:
        return ""
    end = said[-1].end()
    # A whole sentence keeps its full stop ("… chưa đến mức bị xử phạt tử hình.").
    return part[m.start(1) : end + (part[end : end + 1] == ".")]


_DESCRIBED_FIRST = 3  # "<description> là <term>": a description of at least this many words
_TERM_SHARE = 0.8  # of the term's own words, the share the text's words after "là" must say
_TERM_EXTRA = 2  # and at most this many words of its own ("tài sản chung | theo phần | của các thành viên …")


def _defined_as(part: str, folded: str, term: str) -> str:
    """A sentence that says what the term is before naming it: "1. Tài sản do các thành viên đóng góp, cùng tạo lập …
    là tài sản chung theo phần của các thành viên hợp tác." for "Tài sản chung của các thành viên hợp tác là gì?" —
    the text's words after "là" open with the term's first two words and say most of the others; the sentence whole
    (its point mark left out). "" where no sentence does."""
    asked = term.split()
    own = [w for w in asked if w not in STOPWORDS]
    for m in re.finditer(r" la ", folded):
        start = max((b.end() for b in _SENTENCE_OPENS.finditer(folded, 0, m.start())), default=0)
        stop = _CLAUSE_END.search(folded, m.end())
        after = re.findall(r"\w+", folded[m.end() : stop.start() if stop else len(folded)])
        before = re.findall(r"\w+", _ITEM_MARK.sub("", folded[start : m.start()]))
        # The term may be cut to its last words ("… sản chung của các thành viên hợp tác"): the text names it within
        # the first words after "là".
        opens = any(after[i : i + 2] == asked[:2] for i in range(2))
        if not opens or len(before) < _DESCRIBED_FIRST or not own:
            continue
        # And names nothing else: "Phạt tiền … là hình phạt chính hoặc hình phạt bổ sung đối với pháp nhân …" says what
        # kind of penalty a fine is, not what a penalty is.
        extra = [w for w in after if w not in asked and w not in STOPWORDS]
        if sum(w in after for w in own) >= _TERM_SHARE * len(own) and len(extra) <= _TERM_EXTRA:
            end = stop.start() if stop else len(part)
            return _ITEM_MARK.sub("", part[start:end]).strip() + ("." if part[end : end + 1] == "." else "")
    return ""


_SENTENCE_OPENS = re.compile(r"(?:^|[.;:]\s)")


# "… được gọi là gì?"; or a description long enough to be one, then "là <noun> gì?" ("Quyền được thực hiện trên một
# bất động sản nhằm phục vụ … là quyền gì?").
_CALLED = re.compile(r"^(.*?)\s(?:thi |duoc |con )?(?:duoc )?goi la gi\b|^(.{40,}?)\sla (?:\w+ ){0,2}gi\W*$")
_NAMED_AS = re.compile(
    r"(?:^|(?<=[.;:]\s))(?:\d{1,2}\.\s|[a-zđ]\)\s)?([^\W\d_][^,.;:()\n]{1,60}?) là (.+?)(?=[.;\n]|$)"
)


def called(text: str, question: str) -> str:
    """The term a unit gives to what the question describes ("Việc chiếm hữu mà người chiếm hữu có căn cứ để tin
    … được gọi là gì?": "Chiếm hữu ngay tình là việc chiếm hữu mà …" → "Chiếm hữu ngay tình"): of the unit's
    "<term> là <description>" sentences, the one whose description is closest to the question's (shared words
    over all words, so a sibling term's longer description loses); "" where none shares most of its words."""
    m = _CALLED.search(fold(question))
    if not m:
        return ""
    described = {w for w in re.findall(r"\w+", m.group(1) or m.group(2)) if w not in STOPWORDS}
    best, closest = "", 0.0
    for named in _NAMED_AS.finditer(unicodedata.normalize("NFC", text.split(JOIN)[-1])):
        says = {fold(w) for w in _WORD.findall(named.group(2))} - STOPWORDS
        shared = len(described & says)
        if described and shared >= CALLED_SHARE * len(described) and shared / len(described | says) > closest:
            best, closest = named.group(1), shared / len(described | says)
    return best


_ASKS_WHETHER = re.compile(r"\bco (?!phai la\b)(.+?) (?:hay )?khong\W*$")
_NEGATION = {"khong", "chua", "cam", "chang"}
_PREDICATE_WORDS = (3, 2)  # the first words of what is asked about, as the text says them


def yes_or_no(text: str, question: str) -> str:
    """ "… có được trợ cấp thôi việc không?": "Không" where the text says the predicate's first words after a
    negation ("thì không được trợ cấp thôi việc"), "Có" where it says them without one; "" where it does not say
    them, or says them both ways."""
    m = _ASKS_WHETHER.search(fold(question))
    if not m:
        return ""
    asked = re.findall(r"\w+", m.group(1))
    folded = [fold(w) for w in _WORD.findall(text)]
    for k in _PREDICATE_WORDS:
        head = asked[:k]
        if len(head) < k:
            continue
        said = [i for i in range(len(folded) - k + 1) if folded[i : i + k] == head]
        negated = {any(w in _NEGATION for w in folded[max(0, i - 2) : i]) for i in said}
        if len(negated) == 1:
            return "Không" if negated.pop() else "Có"
        if said:
            return ""
    return member(text, question)


# "<X> có nằm trong / thuộc / là thành viên <Y> không?": whether X is among those Y lists.
_ASKS_MEMBER = re.compile(
    r"^\W*(.+?) co (?:nam trong|thuoc|la thanh vien(?: cua)?|co ten trong|tham gia) (.+?) khong\W*$"
)


def member(text: str, question: str) -> str:
    """ "Giám đốc Sở Tài chính có nằm trong Ban Chỉ đạo tỉnh không?" of a list's item ("Thành lập Ban Chỉ đạo … gồm
    10 thành viên: … a) Ông Đỗ Văn Lương, Giám đốc Sở Tài chính;"): "Có — " and the item, where the item says the
    one asked about in the question's words and its lead-in names what they are asked to be in. "" otherwise: a list
    that leaves someone out does not say they are not in it (another unit may list them)."""
    m = _ASKS_MEMBER.match(fold(question))
    lead, _, item = text.rpartition(JOIN)
    if not m or not lead:
        return ""
    one = " ".join(re.findall(r"\w+", m.group(1)))
    whole = [w for w in re.findall(r"\w+", m.group(2)) if w not in STOPWORDS]
    said = " ".join(fold(w) for w in _WORD.findall(item))
    named = {fold(w) for w in _WORD.findall(lead)}
    if not one or f" {one} " not in f" {said} " or sum(w in named for w in whole) < max(1, len(whole) - 1):
        return ""
    return "Có — " + _ITEM_MARK.sub("", item).strip(" ;.,")


_CELL = re.compile(r"(?:^|\| )([^:|\n]{1,80}): ([^|\n]+?)(?= \||\s*$)")


def cell_asked(text: str, question: str) -> str:
    """In a table row, the cell under the column the question names ("Tổ công tác số 6 … phụ trách lĩnh vực gì?":
    "Lĩnh vực phụ trách: Hạ tầng số cấp xã, …" → its value): the column whose header's words the question says,
    most of them, and whose value it does not already say (the row's "Tổ công tác: Tổ số 6" names it)."""
    row = text.split(JOIN)[-1].strip()
    if not _ROW.match(row):
        return ""
    said = set(re.findall(r"\w+", fold(question)))
    best, most = "", 0
    for m in _CELL.finditer(row):
        header = set(re.findall(r"\w+", fold(m.group(1))))
        value = set(re.findall(r"\w+", fold(m.group(2)))) - STOPWORDS
        if header <= said and not value <= said and len(header) > most:
            best, most = m.group(2).strip(), len(header)
    return best


# --- units of a passage ------------------------------------------------------------------------------

_HEADING = re.compile(r"^(?:#{1,6}\s|(?:Điều|ĐIỀU|Chương|CHƯƠNG|Mục|MỤC|Phần|PHẦN|Phụ lục|PHỤ LỤC)\s+[\dIVXLC]+\b)")
_BULLET = re.compile(r"^[-+•–]\s")
_POINT = re.compile(r"^(?:[a-zđ]\)|\d{1,2}\)|[-+•–]\s)")
_CLAUSE = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.\s")
_ROW = re.compile(r"^[^|\n]{1,80}: [^|\n]*(?: \| [^|\n]{1,80}: [^|\n]*)+$")
_SENTENCE_END = re.compile(rf"(?<=[.!?;…])\s+(?=[\"“(]?[{UPPER}0-9\u0600-\u06ff])")
JOIN = " … "  # between a lead-in and one of its points: each side is verbatim in the passage


@dataclass(frozen=True)
class Unit:
    text: str  # verbatim (a lead-in and its point joined by JOIN)
    kind: str  # sentence | clause | point | row | lead | list (a lead-in with all its points)
    order: int  # position in the passage


def is_row(line: str) -> bool:
    """A table row as the chunker writes it: "Header: cell | Header: cell"."""
    return bool(_ROW.match(line))


_ENDS_SENTENCE = re.compile(r"[.;:!?…»\"”)]$")


def _is_heading(line: str) -> bool:
    """A title, not a statement: "Điều 5. …", "QUYẾT ĐỊNH", "2. Mục tiêu", "(Kèm theo Kế hoạch số …)"."""
    if _HEADING.match(line):
        return True
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return True
    if line.startswith("(") and line.endswith(")"):
        return True  # a caption in brackets
    if line.startswith("**") and line.endswith("**") and len(line) < 260:
        return True  # a whole line in bold: an item's title, however long ("**3. Nâng cấp Trung tâm … (lắp đặt …)**")
    # A short line that does not end a sentence is a section's title ("a) Mục tiêu đến năm 2030").
    return len(line) < 100 and not _ENDS_SENTENCE.search(line) and not _ROW.match(line)


_MARKER_ONLY = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.|[a-zđ]\))$")


def _sentences(line: str) -> list[str]:
    if len(line) < 260:
        return [line]
    parts: list[str] = []
    for p in (p.strip() for p in _SENTENCE_END.split(line)):
        if parts and _MARKER_ONLY.match(parts[-1]):
            parts[-1] = f"{parts[-1]} {p}"  # "1." is the clause's number, not a sentence
        elif p:
            parts.append(p)
    return parts if len(parts) > 1 else [line]


LIST_MAX = 700  # a lead-in with all its points is one unit too, when it fits on a phone screen…
LONG_LIST_MAX = 1500  # …or, when the question asks for the list itself ("liệt kê", "trường hợp nào"), whole


def units(passage: str, list_max: int = LIST_MAX) -> list[Unit]:
    out: list[Unit] = []
    lead = ""
    title = ""  # the heading just above, when points follow it directly ("a) Mục tiêu đến năm 2030", "- …")
    points: list[str] = []

    def close_list() -> None:
        head = lead or title
        if head and len(points) > 1 and len(head) + sum(len(p) for p in points) <= list_max:
            # One line each, as the document sets them out.
            out.append(Unit("\n".join([head, *points]), "list", len(out)))
        points.clear()

    for line in (x.strip() for x in passage.splitlines()):
        if not line:
            continue
        # A bullet is an item, however short ("- Đơn đề nghị"); so is "a) …" under a lead-in. Elsewhere a short
        # unpunctuated "a) Mục tiêu đến năm 2030" is a title, and the items under it its list.
        if _is_heading(line) and not (_BULLET.match(line) or (lead and _POINT.match(line))):
            if not lead:  # (under a lead-in, a short unpunctuated item reads like a title: the list goes on)
                close_list()
                title = line if not _HEADING.match(line) and not line.isupper() else ""
            continue
        order = len(out)
        if _ROW.match(line):
            out.append(Unit(line, "row", order))
        elif _POINT.match(line) or (lead and _CLAUSE.match(line) and not _CLAUSE.match(lead)):
            # A point, or a numbered clause under a lead-in that is not a clause itself ("… có quyền yêu
            # cầu cơ quan, tổ chức có thẩm quyền:" then "1. …", "2. …"): the lead-in's items.
            out.append(Unit(f"{lead}{JOIN}{line}" if lead else line, "point", order))
            points.append(line)
        elif line.endswith(":"):
            close_list()
            lead, title = line, ""
            out.append(Unit(line, "lead", order))
        else:
            close_list()
            lead = title = ""
            kind = "clause" if _CLAUSE.match(line) else "sentence"
            out.extend(Unit(s, kind, order + i) for i, s in enumerate(_sentences(line)))
    close_list()
    return out


# --- spans of the kind asked -------------------------------------------------------------------------

_NUM = r"\d+(?:[.,]\d+)*"
_DAY_MONTH_YEAR = (
    r"(?:ngày\s+)?\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|(?:ngày\s+)?\d{1,2}/\d{1,2}/\d{4}"
    r"|ngày\s+\d{1,2}(?:\s+tháng\s+\d{1,2}|/\d{1,2})?(?:\s+của)?\s+(?:hằng|hàng|mỗi)\s+(?:năm|quý|tháng)"
    r"|ngày\s+\d{1,2}\s+của\s+tháng\s+cuối\s+(?:quý|năm)"
    # "báo cáo hằng tháng trước ngày 25": a day of every month, named after the period
    r"|(?:hằng|hàng|mỗi)\s+(?:tháng|quý)\s+(?:trước|chậm nhất(?:\s+là)?|vào)\s+ngày\s+\d{1,2}(?!\s*(?:tháng|/|\d))"
    r"|tháng\s+\d{1,2}(?:/|\s+năm\s+)\d{4}|quý\s+[IV1-4]+(?:/|\s+năm\s+)\d{4}|năm\s+\d{4}"
    r"|\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+\d{4}"
)
# A date as the Arabic and Persian articles write it: "قبل 5 ديسمبر 2025", "بحلول نوفمبر 2025", "تا اول مارس ۲۰۲۶".
_ARABIC_DIGIT = "[0-9٠-٩۰-۹]"
_ARABIC_MONTH = (
    "يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر"
    "|ژانویه|فوریه|آوریل|مه|ژوئن|ژوئیه|اوت|سپتامبر|اکتبر|نوامبر|دسامبر"
)
_LEVANTINE = "|".join(LEVANTINE_MONTHS)
_ARABIC_DATE = (
    r"(?<!\w)(?:(?:و?قبل|حتى|بحلول|أقصاه|تا|قبل از|پیش از)\s+)?"
    rf"(?:(?:{_ARABIC_DIGIT}{{1,2}}|اول)\s+)?(?:(?:{_ARABIC_MONTH})(?:\s*/\s*(?:{_LEVANTINE}))?|{_LEVANTINE})"
    rf"\s+{_ARABIC_DIGIT}{{4}}(?!\w)"
)
_DATE_RE = re.compile(
    r"(?:(?:trước|chậm nhất(?: là)?(?: trước)?|trong|đến hết|hết|đến|từ|kể từ|by|before|in)\s+)?"
    rf"(?:{_DAY_MONTH_YEAR})|{_ARABIC_DATE}",
    re.IGNORECASE,
)
# When laws say a thing happens: at an event, not on a calendar date ("có hiệu lực từ thời điểm mở thừa kế",
# "kể từ ngày hai bên giao kết") or on a condition ("được áp dụng khi xét thấy …"). A date question is
# answered by one only where no unit of the first three passages names a date.
_EVENT_RE = re.compile(
    r"(?:(?:(?:kể |tính )?từ|trước|sau|đến|tại) (?:thời điểm|ngày)|(?:(?:kể |tính )?từ|trước|sau|đến|tại) khi|\bkhi)"
    r" (?!\d|nào\b)[^\W\d][^,.;:()|\n]{2,80}",
    re.IGNORECASE,
)
# The sanction a clause imposes: from "bị" to the end of its sentence or lead-in ("thì bị phạt tù từ 12 năm đến
# 20 năm, tù chung thân hoặc tử hình:").
_PENALTY_RE = re.compile(
    r"(?:(?<=thì bị )|(?<=có thể bị )|(?<=sẽ bị )|(?<=, bị ))(?:xử phạt|phạt|cảnh cáo|cấm|tước|trục xuất|buộc)\b"
    r"(?:[^.;:\n]|\.(?=\d)){3,240}",  # "đã bị xử phạt …" is a condition, not the sanction; "10.000.000" goes on
    re.IGNORECASE,
)
# What a text gives as a cause: after "Nguyên nhân (chủ yếu): …" or "Lý do: …" to the end of the sentence (its
# causes are often listed with ";"), after "là do", "chủ yếu do", "vì", "bởi" to the end of the clause. A bare
# "do" mostly names who does a thing ("do Sở Tài chính chủ trì"), so it is not one.
_REASON_RE = re.compile(
    r"(?:nguyên nhân|lý do)(?: chủ yếu| chính| cơ bản| khách quan| chủ quan)?(?: là)?\s*:?\s*"
    r"(?P<cause>[^\W\d_](?:[^.\n]|\.(?=\d)){8,300})"
    r"|\b(?:(?:là|chủ yếu|một phần|phần lớn|chính) do|bởi vì|vì|bởi)\s+(?P<clause>[^\W\d_](?:[^.;\n]|\.(?=\d)){8,240})",
    re.IGNORECASE,
)
_SHARE_RE = re.compile(
    rf"(?:(?:tối thiểu|tối đa|ít nhất|trên|dưới|khoảng|đạt|hơn|gần|over|at least|about)\s+|[≥≤]\s?)?{_NUM}\s?[%٪]"
    r"(?:\s+(?:GDP|tổng chi ngân sách(?: nhà nước)?|dân số))?"
    # A share the law writes in words: "không quá một phần hai mức tiền phạt", "hai phần ba", "một nửa".
    r"|(?:(?:không quá|tối đa|ít nhất|trên|dưới)\s+)?(?:một|hai|ba|bốn)\s+phần\s+(?:hai|ba|tư|bốn|năm|mười)\b"
    r"|\bmột nửa\b",
    re.IGNORECASE,
)
_CURRENCY = r"(?:nghìn tỷ|tỷ|triệu|nghìn)?\s*(?:đồng|USD|VND)"
_MONEY_RE = re.compile(
    rf"(?:(?:từ|đến|tới|trên|dưới|tối đa|không quá|khoảng|gần|hơn)\s+)?{_NUM}\s*{_CURRENCY}"
    rf"(?:\s+đến(?:\s+dưới)?\s+{_NUM}\s*{_CURRENCY})?(?:\s+trở\s+(?:lên|xuống))?",
    re.IGNORECASE,
)
_TIME_UNIT = r"(?:ngày làm việc|năm|tháng|ngày|tuần|giờ|working days?|years?|months?|days?)"  # 3 working days ≠ 3 days
_RANGE_RE = re.compile(
    rf"(?:từ\s+)?{_NUM}\s+{_TIME_UNIT}\s+đến\s+{_NUM}\s+{_TIME_UNIT}"
    rf"|(?:(?:từ|đến|tối đa|không quá|trong(?: thời hạn)?)\s+)?{_NUM}\s+{_TIME_UNIT}(?!\s*[\d/])"  # "31 tháng 8": a date
    r"(?:\s+tuổi)?(?:\s+trở\s+(?:lên|xuống))?"  # "12 tháng tuổi", "từ 30 năm trở lên": the bound is the answer's
    r"|tù chung thân|tử hình",
    re.IGNORECASE,
)
# Asked which penalty ("được áp dụng mức hình phạt nào"), the penalties named without a term answer too: "Cảnh
# cáo được áp dụng đối với …". Not when a term is asked ("phạt tù tối thiểu bao nhiêu năm").
_NAMED_PENALTY_RE = re.compile(
    rf"{_RANGE_RE.pattern}|cảnh cáo|cải tạo không giam giữ|trục xuất|phạt tiền", re.IGNORECASE
)
# A telephone number as documents write it ("0912 468 357", "0269.3822.123", "+84 24 3825 1234"); not a date or a
# document's number beside slashes.
_PHONE_RE = re.compile(r"(?<![\d/.,])(?:\+84[ .]?|0)\d{1,3}(?:[ .-]?\d{2,4}){2,3}(?![\d/,]|\.\d)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PERIOD = r"(?:ngày|tuần|tháng|quý|năm|6 tháng|nửa năm)"
_FREQUENCY_RE = re.compile(
    rf"(?:(?:định kỳ|mỗi|hằng|hàng)\s+)?{_NUM}\s+(?:ngày|tuần|tháng|năm)\s+(?:một|1)\s+lần"
    rf"|(?:mỗi|hằng|hàng)\s+{_PERIOD}(?:\s+(?:một|1)\s+lần)?"
    rf"|định kỳ\s+(?:{_NUM}\s+)?{_PERIOD}"  # "Định kỳ 6 tháng và hằng năm báo cáo …"
    rf"|(?:một|1|hai|2|ba|3)\s+lần\s*(?:/|mỗi|một|trong)\s*{_PERIOD}"
    r"|(?:every|each)\s+(?:day|week|month|quarter|year)|(?:daily|weekly|monthly|quarterly|yearly|annually)",
    re.IGNORECASE,
)
# The second of two kinds of unit counted together ("xã, phường", "tỉnh, thành phố", "bộ, ngành", "cơ quan, đơn vị").
_PAIRED_NOUNS = ("phường", "thị trấn", "đặc khu", "thành phố", "ngành", "đơn vị", "địa phương", "doanh nghiệp")
_PAIRED = rf"(?:{'|'.join(_PAIRED_NOUNS)})\b"
_PAIRED_FOLDED = frozenset(w for noun in _PAIRED_NOUNS for w in fold(noun).split())
_QUANTITY_RE = re.compile(
    r"(?<!Điều )(?<!điều )(?<!khoản )(?<!điểm )(?<!Chương )(?<!Mục )(?<!số )(?<!Số )(?<!tháng )(?<!ngày )(?<![\d/.,])"
    # "17/24 nhiệm vụ": of 24, 17 (a date has no words right after its day and month)
    rf"(?:(?:trên|dưới|khoảng|gần|hơn|tối thiểu|ít nhất|tổng cộng|tổng số)\s+|[≥≤]\s?)?{_NUM}(?:/{_NUM}(?!/))?(?!\s+tháng\s+\d)"
    r"(?:\s+(?:triệu|tỷ|nghìn))?"
    rf"(?:\s+[^\W\d_]+|,\s*{_PAIRED}){{1,8}}"  # "14 xã, phường": units counted together, a comma between
)
_NUMBER_WORDS = (
    r"(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)(?:\s+(?:mươi|mốt|một|hai|ba|bốn|tư|lăm|năm|sáu|bảy|tám|chín))*"
)
_WORDED_RE = re.compile(rf"(?<![^\W_])(?=({_NUMBER_WORDS})((?:\s+[^\W\d_]+){{1,6}}))", re.IGNORECASE)  # may overlap
_ORGAN_HEAD = (
    r"(?:Bộ(?! luật)|Ủy ban|Uỷ ban|UBND|Sở|Ban(?! hành)|Văn phòng|Tòa án|Toà án|Viện kiểm sát|Chính phủ|"
    r"Thủ tướng|Quốc hội|Hội đồng|Cơ quan|Cục|Tổng cục|Trung tâm|Tổng Bí thư|Chủ tịch|Ngân hàng|"
    r"Kiểm toán|Thanh tra|Công an|Mặt trận|Tỉnh ủy|Thành ủy|Đảng(?= Cộng sản| ủy| bộ)|Hội(?! nghị| thảo)|Liên đoàn|Đoàn|Tổ trưởng|"
    r"Người đứng đầu|Thủ trưởng|Chánh án|Viện trưởng)"
)
# Words that end an organ's name: what it does ("chủ trì", "tham mưu", "ban hành"), by whom ("Tổ giúp việc Ban
# Chỉ đạo do ông …") or when ("trước", "ngày").
# Lower-case only: "Ủy ban Kiểm tra" and "Ban Hướng dẫn" are names.
_NAME_ENDS = (
    "chủ trì|phối hợp|có trách nhiệm|chịu trách nhiệm|thực hiện|tổ chức|tham mưu|ban hành|hướng dẫn|kiểm tra|"
    "đôn đốc|theo dõi|làm|do|để|theo|về việc|được|phải|là|khi|nhằm|trong|tại|với|"
    "đã|sẽ|đang|báo cáo|gửi|vào|từ|đến|trước|sau|ngày|tháng|cuối|đầu|hỗ trợ|bố trí|đề nghị|yêu cầu"
)
# On through "và", "của", "về"; not a time. Ten words at most, anew for each organ joined by "và": «Ban Thường vụ
# Tỉnh ủy và Ban Chỉ đạo Trung ương» was cut at "Trung".
# Nor through an amount: "Sở Tài chính hỗ trợ 450 triệu đồng" names "Sở Tài chính".
_AMOUNT_AHEAD = r"\d[\d.,]*\s*(?:%|triệu|tỷ|nghìn|đồng|người|hồ sơ|thủ tục|nhiệm vụ)"
_NAME_RUN = rf"(?:[ ,](?!và {_ORGAN_HEAD})(?!(?:{_NAME_ENDS})\b)(?!{_AMOUNT_AHEAD})[^\s,.;:()|]+){{0,9}}"
_ORGAN_RE = re.compile(rf"{_ORGAN_HEAD}{_NAME_RUN}(?: và {_ORGAN_HEAD}{_NAME_RUN})*")
_WORD = re.compile(r"[^\W_]+")
_CAPITALISED = rf"[{UPPER}][^\W\d_]*"
# A title is no name: "đồng chí Tổng Bí thư" names nobody; "đồng chí Thái Đại Ngọc, Bí thư Tỉnh ủy" does.
_TITLE = r"(?:Tổng Bí thư|Bí thư|Chủ tịch|Phó|Thủ tướng|Bộ trưởng|Thứ trưởng|Trưởng|Ủy viên|Giám đốc|Đại tướng|Thượng tướng)\b"
# A rank or degree set before a name as "đồng chí" is: "Thượng tướng Lê Quốc Hùng", "Phó Giáo sư Trần Văn B".
_RANK = r"[ĐđTt](?:ại|hượng|rung|hiếu) (?:tướng|tá|úy)|(?:[Pp]hó )?[Gg]iáo sư|[Tt]iến sĩ"
_PERSON_RE = re.compile(
    rf"\b(?:đồng chí|Đồng chí|ông|Ông|bà|Bà|{_RANK})\s+(?!{_TITLE})({_CAPITALISED}(?:\s{_CAPITALISED}){{1,4}})"
)

# An office in apposition after a name: ", Chủ tịch UBND tỉnh", ", Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy".
_ROLE_OPENS = re.compile(rf",\s+(?={_TITLE})")
_ROLE_WORD = re.compile(r"\s*([^\W_][\w-]*)")
# Where an office stops: what the person does next ("… Chủ tịch UBND xã làm Trưởng ban", "… phát biểu"),
# in lower case (a title's own words are capitalised: "Chủ tịch").
_ROLE_STOP = set(
    "làm là được thì mà nếu khi để nhưng theo tại bởi vì phải bị do có gồm sẽ đã đang cần không cũng dự ký giao với".split()
)
_ROLE_STOP_PAIRS = {
    tuple(p.split())
    for p in "chủ trì|phát biểu|tham dự|nhấn mạnh|cho biết|khẳng định|yêu cầu|đề nghị|trình bày|báo cáo".split("|")
}
_ROLE_WORDS = 16


def _role_end(text: str, at: int) -> int:
    """Where the offices the text gives after a name (at `at`) end: each opens with a title after a comma and
    runs to punctuation or to a word of what the person does; `at` itself when none."""
    end = at
    while (opens := _ROLE_OPENS.match(text, end)) is not None:
        pos, taken = opens.end(), 0
        while (w := _ROLE_WORD.match(text, pos)) is not None and taken < _ROLE_WORDS:
            word, after = w.group(1), text[w.end() :].lstrip()
            following = _ROLE_WORD.match(after)
            if word in _ROLE_STOP or (word, following.group(1) if following else "") in _ROLE_STOP_PAIRS:
                break
            if word == "và" and not after[:1].isupper():
                break  # "Sở Khoa học và Công nghệ" goes on; "… Chủ tịch UBND tỉnh và các đồng chí" does not
            taken += 1
            pos = w.end()
        if not taken:
            break
        end = pos
    return end


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    value: float = 0.0  # for bounds: the larger end of a range (durations in days)
    low: float = 0.0  # the smaller end
    person: bool = False  # a person's name ("đồng chí Thái Đại Ngọc"), not an organ


_DAYS = {"năm": 365.0, "tháng": 30.0, "tuần": 7.0, "ngày": 1.0, "giờ": 1 / 24}


def _values(text: str) -> tuple[float, float]:
    """(smallest, largest) amount a span states: durations in days, "tù chung thân" above any term."""
    if re.search(r"tử hình", text, re.IGNORECASE):
        return 1e9, 1e9
    if re.search(r"chung thân", text, re.IGNORECASE):
        return 1e8, 1e8
    amounts = []
    for number, unit in re.findall(r"(\d+(?:[.,]\d+)*)\s*(năm|tháng|tuần|ngày|giờ)?", text.lower()):
        digits = (
            number.replace(".", "").replace(",", ".") if re.search(r"\.\d{3}", number) else number.replace(",", ".")
        )
        try:
            amounts.append(float(digits) * _DAYS.get(unit, 1.0))
        except ValueError:
            continue
    return (min(amounts), max(amounts)) if amounts else (0.0, 0.0)


def _clean(text: str) -> str:
    return text.strip(" ,;:.-–")


ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")  # Arabic and Persian letters
_MARKED_WORD = r"\w[\w\u064b-\u065f\u0670]*"  # an Arabic word with its short vowels ("مندوبًا")
_ARABIC_WORD = re.compile(rf"\s+({_MARKED_WORD})")
# A figure in any of the scripts' digits, and the word after it: "3152 مندوبًا", "۱۲۹ روستا".
# Thousands apart by a comma, an Arabic one too between digits («۳،۰۵۶،۰۸۲ میلیارد دونگ»), not the clause's after it.
_ARABIC_FIGURE = re.compile(rf"(?<![\w.,٬،])({_ARABIC_DIGIT}(?:[.,٬،]?[0-9٠-٩۰-۹])*)\s+({_MARKED_WORD})")


def uncounted(text: str) -> str:
    """An Arabic or Persian text without the figures it says count a noun the list renders («679 مهمة»: tasks), for
    a count of a noun the list does not render: those figures are not it."""

    def drop(m: re.Match[str]) -> str:
        return m.group(2) if arabic_stems(m.group(2)) in COUNTED_NOUNS else m.group(0)

    return _ARABIC_FIGURE.sub(drop, text)


def holds_kind(texts: list[str], asked: Asked) -> bool:
    """Whether a unit of the texts holds a span of the kind asked (a person's name where only a person answers)."""
    return any(sp.person or not asked.person for t in texts for u in units(t) for sp in spans(u.text, asked))


_DEFINITE = ("ال", "وال", "بال", "فال", "لل", "ولل")


def _counted_in_arabic(text: str, counted: str, *, whole: bool = False) -> list[Span]:
    """Figures followed by the noun counted, in an Arabic or Persian text ("بمشاركة 3152 مندوبًا"), with the next word
    of the question's noun where the text says it too ("۳۸ پایگاه داده"); with `whole`, only then (a sum's unit)."""
    first, *rest = counted.split()
    out = []
    for m in _ARABIC_FIGURE.finditer(text):
        # A noun with the article is no count of it: «المشروع 06 والمهام» is "project 06 and the tasks".
        if arabic_stem(m.group(2)) != first or m.group(2).startswith(_DEFINITE):
            continue
        end = m.end()
        following = _ARABIC_WORD.match(text, end)
        if rest and following and arabic_stem(following.group(1)) == rest[0]:
            end = following.end()
        elif whole and rest:
            continue
        out.append(Span(m.start(), end, text[m.start() : end]))
    return out


def spans(text: str, asked: Asked) -> list[Span]:
    kind = asked.kind
    if kind == DATE:
        pattern = _DATE_RE
    elif kind == EVENT:
        pattern = _EVENT_RE
    elif kind == PENALTY:
        pattern = _PENALTY_RE
    elif kind == REASON:
        found = []
        for m in _REASON_RE.finditer(text):
            group = "cause" if m.group("cause") else "clause"
            cause = _clean(m.group(group))
            if cause:
                found.append(Span(m.start(group), m.start(group) + len(cause), cause))
        return found
    elif kind == SHARE:
        pattern = _SHARE_RE
    elif kind == MONEY and ARABIC_LETTER.match(asked.counted):
        return _counted_in_arabic(text, asked.counted, whole=True)  # «263.3 مليار دونج», not «2.9 مليون بيانات»
    elif kind == MONEY:
        pattern = _MONEY_RE
    elif kind == RANGE:
        pattern = _NAMED_PENALTY_RE if asked.penalty_named else _RANGE_RE
    elif kind == FREQUENCY:
        pattern = _FREQUENCY_RE
    elif kind == QUANTITY and ARABIC_LETTER.match(asked.counted):
        return _counted_in_arabic(text, asked.counted)
    elif kind == QUANTITY:
        pattern = _QUANTITY_RE
    elif kind == ORGAN:
        return _organ_spans(text)
    elif kind == CONTACT:
        pattern = _EMAIL_RE if asked.term == "email" else _PHONE_RE
    else:
        return []
    out = []
    for m in pattern.finditer(text):
        s = _clean(m.group(0))
        if not s or (kind == QUANTITY and not _counts(s, asked)):
            continue
        start = text.index(s, m.start())
        low, high = _values(s)
        out.append(Span(start, start + len(s), s, high, low))
    cells = _counted_cells(text, asked) if kind == QUANTITY else []
    if kind in (SHARE, MONEY, QUANTITY):
        taken = [(sp.start, sp.end) for sp in [*out, *cells]]
        cells += [sp for sp in _unit_cells(text, asked) if not any(a < sp.end and sp.start < b for a, b in taken)]
    if kind == QUANTITY and asked.counted:
        # "bao nhiêu tuổi": the number followed by the counted noun, cut after it.
        # The noun is as long as span and question agree ("bao nhiêu cơ sở dữ liệu": "38 cơ sở dữ liệu"), at least
        # its first two words (or one, when the question says only one).
        # "mấy người": people are counted by what they are in the text ("10 thành viên", "3.152 đại biểu").
        nouns = [asked.counted.split()] + ([p.split() for p in _PEOPLE] if asked.counted == "nguoi" else [])
        trimmed = []
        for counted in nouns:
            least = min(2, len(counted))
            for sp in out:
                words = _WORD.findall(sp.text)
                folded = [fold(w) for w in words]
                first = next((j for j, w in enumerate(folded) if w.isdigit()), 0)
                for i in range(len(folded)):
                    if sum(not w.isdigit() for w in folded[first:i]) > 1:
                        break  # the noun counted follows the number: "16 tiêu chí … cấp xã" counts no "xã"
                    n = skipped = 0
                    while n < len(counted) and i + n + skipped < len(folded):
                        if folded[i + n + skipped] == counted[n]:
                            n += 1
                        elif n and folded[i + n + skipped] in _PAIRED_FOLDED and counted[n] not in _PAIRED_FOLDED:
                            skipped += 1  # "14 xã, phường chưa gửi" counts "xã chưa gửi" too
                        else:
                            break
                    if n >= least:
                        last = words[i + n + skipped - 1]
                        cut = sp.text.index(last, sp.text.index(words[i])) + len(last)
                        if pair := re.match(rf",\s*{_PAIRED}", sp.text[cut:]):
                            cut += pair.end()  # "bao nhiêu xã": "14 xã, phường", as the text counts them
                        trimmed.append(Span(sp.start, sp.start + cut, sp.text[:cut], sp.value, sp.low))
                        break
            # A count written in words ("năm trạng thái", "hai bên"): the words, then the counted noun at once.
            for m in _WORDED_RE.finditer(text):
                folded = [fold(w) for w in _WORD.findall(m.group(2))]
                n = 0
                while n < len(counted) and n < len(folded) and folded[n] == counted[n]:
                    n += 1
                if n >= least:
                    last = _WORD.findall(m.group(2))[n - 1]
                    end = text.index(last, m.start(2)) + len(last)
                    trimmed.append(Span(m.start(), end, text[m.start() : end]))
        trimmed.sort(key=lambda sp: sp.start)
        return trimmed + cells  # "bao nhiêu lao động": a number of days is not the answer
    if kind == QUANTITY:
        out = [
            Span(sp.start, sp.start + len(t), t, sp.value, sp.low)
            for sp in out
            if (t := _short_quantity(sp.text)) and " " in t
        ]
        # "… đạt tối thiểu bao nhiêu?" names nothing counted: a share or a sum is as much an answer as a count
        # ("Quy mô kinh tế số đạt tối thiểu 50% GDP").
        measured = [sp for other in (SHARE, MONEY) for sp in spans(text, Asked(other, asked.bound)) if asked.measured]
        if asked.rate:  # "phụ cấp bao nhiêu mỗi tháng": not "10 thành viên" nor "100% xã", but "500.000 đồng/tháng"
            out, measured = ([sp for sp in found if is_rate(text, sp)] for found in (out, measured))
            cells = [sp for sp in cells if _PER_HEADER.search(sp.text)]  # "Mức hỗ trợ (đồng/tháng): 500.000"
        out = [sp for sp in out if not any(m.start < sp.end and sp.start < m.end for m in measured)] + measured
        out.sort(key=lambda sp: sp.start)
    return out + cells


# What makes a figure a rate: "/tháng", "mỗi năm", "một người", "trên 1.000 dân" right after it, or "hằng tháng",
# "mỗi năm" just before it ("hằng tháng được hỗ trợ 500.000 đồng").
_PER_AFTER = re.compile(r"\s*(?:/|(?:mỗi|một|trên)\s)", re.IGNORECASE)
_PER_BEFORE = re.compile(r"\b(?:hằng|hàng|mỗi)\s+(?:tháng|năm|quý|tuần|ngày|người)\b[^.;:]{0,40}$", re.IGNORECASE)
_PER_HEADER = re.compile(r"/\s*[^\W\d_]|\b(?:mỗi|hằng|hàng)\s", re.IGNORECASE)


def is_rate(text: str, span: Span) -> bool:
    """Whether a figure in the text is stated per something (`_PER_AFTER`, `_PER_BEFORE`)."""
    return bool(_PER_AFTER.match(text, span.end) or _PER_BEFORE.search(text[max(0, span.start - 60) : span.start]))


# What people are counted as, folded ("Ban Chỉ đạo có mấy người?": "gồm 10 thành viên").
_PEOPLE = (
    "thanh vien",
    "can bo",
    "cong chuc",
    "vien chuc",
    "dai bieu",
    "dong chi",
    "lao dong",
    "nguoi lao dong",
    "hoc vien",
    "chuyen gia",
)
# A table cell whose column counts something: "Số cơ sở dữ liệu: 38" (a row is "header: value | …").
_COUNTED_CELL = re.compile(rf"(?:^|\| )((?:Tổng số|Số lượng|Số) [^:|\n]{{1,60}}: {_NUM})(?= \||\s*$)", re.MULTILINE)


# A table's unit column ("Đơn vị tính: %", "ĐVT: hồ sơ/xã") says what the bare numbers of its row measure.
_UNIT_HEADER = re.compile(r"^(?:đơn vị tính|đơn vị|đvt|unit)$", re.IGNORECASE)
_BARE_FIGURE = re.compile(rf"^(?:(?:tối thiểu|tối đa|ít nhất|khoảng|trên|dưới)\s+|[≥≤<>]\s?)?{_NUM}$", re.IGNORECASE)
_NOT_MEASURED = re.compile(r"^(?:stt|tt|số tt|số thứ tự|năm)$", re.IGNORECASE)


def _unit_cells(text: str, asked: Asked) -> list[Span]:
    """The bare figures of a table row ("Giá trị mục tiêu năm 2027: ≥ 70") whose unit column says they are of the
    kind asked: a share where it is "%", a sum where it names money, a count of what "bao nhiêu X" counts."""
    if not _ROW.match(text):
        return []
    cells, at = [], 0
    for cell in text.split(" | "):
        header, _, value = cell.partition(": ")
        cells.append((at + len(header) + 2, header.strip(), value.strip()))
        at += len(cell) + 3
    unit = next((value for _, header, value in cells if _UNIT_HEADER.match(header)), "")
    if not unit:
        return []
    if asked.kind == SHARE:
        fits = unit in ("%", "٪")
    elif asked.kind == MONEY:
        fits = bool(re.fullmatch(_CURRENCY, unit, re.IGNORECASE))
    else:  # a count: of the noun asked ("hồ sơ/xã" counts "hồ sơ"), or of anything where none is named
        noun, counted = fold(unit.split("/")[0]).split(), asked.counted.split()
        n = min(2, len(noun), len(counted))  # "camera/xã" counts "camera giám sát"
        fits = unit not in ("%", "٪") and bool(noun) and (not counted or noun[:n] == counted[:n])
    if not fits:
        return []
    out = []
    for start, header, value in cells:
        if _UNIT_HEADER.match(header) or _NOT_MEASURED.match(header) or not _BARE_FIGURE.match(value):
            continue
        start = text.index(value, start)
        low, high = _values(value)
        out.append(Span(start, start + len(value), value, high, low))
    return out


def _counted_cells(text: str, asked: Asked) -> list[Span]:
    """The cells of a table row that count something, header and value together (the value alone says
    nothing of what it counts); with "bao nhiêu X", only a column counting X."""
    out = []
    for m in _COUNTED_CELL.finditer(text):
        cell = m.group(1)
        if asked.counted and " ".join(asked.counted.split()[:2]) not in fold(cell):
            continue
        value = float(re.sub(r"[.,]", "", cell.rsplit(": ", 1)[1]) or 0)
        out.append(Span(m.start(1), m.end(1), cell, value, value))
    return out


def _counts(span: str, asked: Asked) -> bool:
    """A quantity is a number that is not a date, a year, a clause number or a document number."""
    first = re.sub(r"^\D+", "", span).split()[0] if re.search(r"\d", span) else ""
    if re.fullmatch(r"(?:19|20)\d\d", first) and not asked.counted:
        return False  # a year
    if re.match(r"\d+/\d+", first):
        # A date or a document's number; or "17/24 nhiệm vụ" (17 of 24), where the noun counted follows.
        after = fold(span[span.index(first) + len(first) :]).split()
        return bool(asked.counted) and first.count("/") == 1 and after[:1] == asked.counted.split()[:1]
    return True


_QUANTITY_STOP = re.compile(
    r"\s+(?:và|của|theo|trong|tại|được|đã|là|với|cho|để|từ|đến|năm \d|đạt|chiếm|kể|thì|phải|có|nếu|khi)\b.*$"
)


def _short_quantity(span: str) -> str:
    return _clean(_QUANTITY_STOP.sub("", span))


def _organ_spans(text: str) -> list[Span]:
    out: list[Span] = []
    # A table row: the value of a column whose header names the organ ("Cơ quan chủ trì: Bộ Tư pháp").
    if _ROW.match(text):
        for m in re.finditer(
            r"(?:^| \| )([^|:\n]*(?:chủ trì|cơ quan|đơn vị|phối hợp|trưởng|người)[^|:\n]*): ([^|\n]+)",
            text,
            re.IGNORECASE,
        ):
            value = _clean(m.group(2))
            out.append(Span(m.start(2), m.start(2) + len(value), value))
        if out:
            return out  # a row: its cells are the answers, not the words of its headers
    # A person: "đồng chí Thái Đại Ngọc", "bà Nguyễn Thị Thu Hà" — the capitalised name, with the form of address
    # the text gives it (how a Vietnamese reader names an official: "Bà Hà", not "Hà").
    for m in _PERSON_RE.finditer(text):
        # With the office the text gives after the name ("Ông Trần Quốc Vinh, Chủ tịch UBND tỉnh"): who they are
        # to an official reading it.
        end = _role_end(text, m.end(1))
        out.append(Span(m.start(), end, text[m.start() : end], person=True))
    # "do Bộ X chủ trì", "Bộ X chủ trì", "giao Bộ X".
    for m in _ORGAN_RE.finditer(text):
        s = _clean(m.group(0))
        if len(s) > 3:
            s += _name_goes_on(s, text[m.start() + len(s) :])
            out.append(Span(m.start(), m.start() + len(s), s))
    return out


# Past a comma, a quarter, a year or a new list ("các", "những", "cho") ends the name too.
_STOP_AFTER_NAME = rf"(?:{_NAME_ENDS}|quý|năm|các|những|cho)\b"
_ANY_WORD = r"[^\W\d_]+"
_LOWER_WORD = rf"(?![{UPPER}])[^\W\d_]+"
_NAME_WORD = rf"\s+(?!{_STOP_AFTER_NAME}){_ANY_WORD}"
# A name with a list in it: its topic ("Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và
# chuyển đổi số") or its fields ("Bộ Văn hóa, Thể thao và Du lịch"). Not a list of organs ("Bộ Tài chính, Bộ Công an").
_TOPIC_GOES_ON = re.compile(
    rf"^(?:,\s+(?!{_ORGAN_HEAD}|{_STOP_AFTER_NAME}){_LOWER_WORD}(?:{_NAME_WORD}){{0,4}}){{1,5}}\s+và(?:{_NAME_WORD}){{1,4}}"
)
_FIELDS_GO_ON = re.compile(
    rf"^(?:,\s+(?!{_ORGAN_HEAD}){_CAPITALISED}(?:\s+{_LOWER_WORD})?){{1,3}}\s+và\s+{_CAPITALISED}(?:\s+{_LOWER_WORD})?"
)


def _name_goes_on(name: str, after: str) -> str:
    """The rest of an organ's name past a comma (see _TOPIC_GOES_ON), or nothing."""
    topic = " về " in name and _TOPIC_GOES_ON.match(after)
    fields = _FIELDS_GO_ON.match(after) if not topic else None
    found = topic or fields
    return found.group(0) if found else ""


__all__ = [
    "JOIN",
    "LIST_MAX",
    "LONG_LIST_MAX",
    "SPECIFIC",
    "Asked",
    "Span",
    "Unit",
    "asked_for",
    "defines",
    "is_row",
    "spans",
    "units",
]


# --- one thing of the kind the question names: "bên nào", "phần nào", "quyền nào" ----------------------------

# "… của bên nào?", "phần nào có hiệu lực?": the noun (one or two words) before "nào", and the word after it.
# Not "những/các … nào" (a list), not "bất kỳ … nào" (any), not a question word ("như thế nào", "lúc nào").
_LISTED = ("nhung", "cac")
_NOT_A_NOUN = set("luc khi cach sao dau ky hon".split())
# Words that end the phrase naming the thing (with their diacritics: folded, "tại" would be "tài sản"'s "tài"): a
# conjunction, a clause opening, a verb of being or having, an auxiliary.
_PHRASE_STOP = set(
    "và hoặc thì là mà nếu khi để nhưng theo tại bởi vì được phải bị do có gồm bao sẽ đã đang cần không chỉ cũng".split()
)
_NAMED_WORDS = 8  # the noun and at most this many words after it


@dataclass(frozen=True)
class Which:
    noun: str  # folded: "ben", "quyen", "chu the"
    after: str  # the folded word after "nào", where the text's phrase ends too ("… nào có hiệu lực")


def which_noun(question: str) -> Which | None:
    """The kind of thing a question asks one of ("Trong thời gian dùng thử vật mua thuộc sở hữu của bên nào?"
    → bên), or None."""
    q = fold(question)
    asked = list(re.finditer(r"\bnao\b", q))
    if not asked or re.search(r"\bbat ky\b", q):
        return None
    before = re.findall(r"\w+", q[: asked[-1].start()])
    after = re.findall(r"\w+", q[asked[-1].end() :])[:1]
    # "những ứng dụng VNeID nào", "4 hướng nghiên cứu nào": several are asked for, a list.
    noun_phrase = list(itertools.takewhile(lambda w: w not in STOPWORDS or w in _LISTED, before[::-1][:4]))
    if not before or any(w in _LISTED or w.isdigit() for w in noun_phrase):
        return None
    opens = len(before) == 2  # the question opens with the noun: both its words name it ("Báo cáo nào …")
    before = before[-3:]
    head, first, lead = before[-1], before[-2] if len(before) > 1 else "", before[-3] if len(before) > 2 else ""
    if head in _NOT_A_NOUN or head.isdigit() or first in _LISTED or first == "nhu":
        return None
    if first and (first not in STOPWORDS or opens):  # a noun of two words is named whole ("chủ thể nào")
        # "trong trường hợp nào" asks for the cases, a list (the composer quotes it whole), as "những … nào" does.
        return (
            None if lead in _LISTED or (first, head) == ("truong", "hop") else Which(f"{first} {head}", "".join(after))
        )
    return None if head in STOPWORDS or lead in _LISTED else Which(head, "".join(after))


def named_span(text: str, which: Which, question: str) -> str:
    """The first phrase of the text that opens with the noun asked and names one thing of that kind the
    question does not name already ("quyền định đoạt tài sản" for "… quyền chiếm hữu, quyền sử dụng và
    quyền nào"), verbatim; "" if none. The noun alone is no answer."""
    said = set(_WORD.findall(fold(question)))
    found = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(text)]
    folded = [fold(w) for _, _, w in found]
    head = which.noun.split()
    phrases = []  # (start, end) in words, whether the question's next word follows, whether it names it
    for i in range(len(found) - len(head)):
        if folded[i : i + len(head)] != head:
            continue
        end = i + len(head)
        while end < len(found) and end - i - len(head) < _NAMED_WORDS:
            between = text[found[end - 1][1] : found[end][0]]
            if between.strip() or found[end][2] in _PHRASE_STOP or folded[end] == which.after:
                break  # punctuation, a conjunction, or where the question's own words go on
            end += 1
        if text[found[end - 1][1] :].lstrip(" ").startswith(":"):
            continue  # "… xếp vào một trong các trạng thái sau:" opens a list, it names nothing
        if end > i + len(head):
            followed = bool(which.after) and end < len(found) and folded[end] == which.after
            phrases.append((i, end, followed, set(folded[i:end]) <= said))
    # One the question does not name, followed by its next word as in the question, then any; last one it names
    # that stands where the question asks ("Phần bổ sung mâu thuẫn … thì phần nào có hiệu lực": "phần bổ sung
    # | có hiệu lực").
    for wanted in ((True, False), (False, False), (True, True)):
        for i, end, followed, named in phrases:
            if (followed or not wanted[0]) and named == wanted[1]:
                return text[found[i][0] : found[end - 1][1]]
    return ""


# "… chuyển thành hình phạt gì", "… nộp vào đâu", "… phải do chủ thể nào thực hiện", "… như thế nào là hợp pháp"
_ASKED_WHAT = ("gi", "dau", "nao")
_CLAUSE_END = re.compile(r"[.;:\n]|\s[-–]\s")
# The question's last words an answer reads on from: "có quyền gì" → "quyền yêu cầu …", "phải làm gì" → "phải
# nuôi giữ …", "có nghĩa vụ / trách nhiệm gì".
_READS_ON = (("quyen",), ("phai",), ("nghia", "vu"), ("trach", "nhiem"))
# How a duty is said, in a question and in the text: "cần phải", "có trách nhiệm", "có nghĩa vụ" (longest first).
_DUTY = (("can", "phai"), ("co", "trach", "nhiem"), ("co", "nghia", "vu"), ("phai",), ("can",))
# Words said in either order, read as one: "đảm bảo" is "bảo đảm".
_EITHER_ORDER = {("dam", "bao"): ("bao", "dam")}


def _one_order(folded: list[str]) -> list[str]:
    out = list(folded)
    for i in range(len(out) - 1):
        if (pair := _EITHER_ORDER.get((out[i], out[i + 1]))) is not None:
            out[i], out[i + 1] = pair
    return out


_DOING = (("thuc", "hien", "nghia", "vu"), ("thuc", "hien", "viec"), ("lam", "thu", "tuc"))  # "làm", said otherwise
# Several or cases asked of one sentence ("những chủ thể nào", "trong trường hợp nào"): the question's words it says
# before them, at least — more than the list's own noun.
SEVERAL_ANCHOR = 3
_COMPLETION_MIN_WORDS = 3  # "tù chung thân", "ngân sách nhà nước"
_COMPLETED_WORDS = 30  # at most this many words of the text after the question's own
# A definition is read whole, as a law states it in one sentence ("An ninh mạng là sự bảo đảm … của cơ quan, tổ
# chức, cá nhân."): cut at thirty words it stopped mid-phrase ("… phương hại đến an").
_DEFINED_WORDS = 60
CALLED_SHARE = 0.8  # of the words describing what is named, the share its defining sentence must say
WHOLE_SHARE = 0.6  # asked who, the share of the question's other words the text must say before its anchor
_CONTEXT_WORDS = 12  # how far before the question's words the text may restate the rest of the question


def preceding(text: str, question: str) -> str:
    """What the text says before the question's words where the question asks "gì" or "nào" before them: "… cái
    gì là điểm nghẽn lớn nhất?" → "Thể chế" of «Thể chế là "điểm nghẽn" lớn nhất», from the start of the text's
    clause. "" where the text does not say all of the question's words after "là"."""
    asked = re.findall(r"\w+", fold(question))
    at = next((i for i, w in enumerate(asked) if w in ("gi", "nao")), -1)
    said = asked[at + 2 :] if 0 <= at < len(asked) - 3 and asked[at + 1] == "la" else []
    while said and said[-1] in _PARTICLES:
        said = said[:-1]  # "… lớn nhất vậy?"
    if len(said) < 2:
        return ""
    found = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    folded = [fold(text[a:b]) for a, b in found]
    for i, w in enumerate(folded):
        if w != "la" or folded[i + 1 : i + 1 + len(said)] != said:
            continue
        # From the clause's start, past an opening phrase ("Năm 2025, nhân lực là …"; "Trong đó, …").
        opens = max((m.end() for m in _SUBJECT_OPENS.finditer(text, 0, found[i][0])), default=0)
        answer = _ITEM_MARK.sub("", text[opens : found[i][0]]).strip(' ,"“”')
        if 0 < len(_WORD.findall(answer)) <= _COMPLETED_WORDS // 3:
            return answer
    return ""


_PARTICLES = frozenset({"vay", "nhi", "a", "ha", "the", "chu", "nhe"})  # a question's closing particles, folded
_SUBJECT_OPENS = re.compile(r"[.;:,\n]|\s[-–]\s")
_ITEM_MARK = re.compile(r"^\s*(?:[-+•*]|[a-zđ]\)|\d+(?:\.\d+)*\.)\s*")


def completion(text: str, question: str, asked_what: tuple[str, ...] = _ASKED_WHAT) -> str:
    """What the text says where the question asks "gì", "đâu" or "nào" (see anchored_completion)."""
    return anchored_completion(text, question, asked_what)[0]


_NUMBERED = re.compile(r"số\s+\d")  # a document or item by its number: "số 1125/QĐ-UBND", "số 57-NQ/TW"


# "Theo Điều 26, Bộ luật dân sự 2015, …": the source a question opens with, the document after its part included
# (folded; fold keeps each character's place, so the cut is made in the question as typed).
_SOURCE_FRAME = re.compile(
    rf"^\W*(?:theo|can cu|according to)\s[^,?]{{3,80}},(?:\s*(?:trong\s+)?(?:bo )?(?:{DOCUMENT_KINDS}|hien phap)\b"
    r"[^,?]{0,60},)?\s*"
)


def without_source_frame(question: str) -> str:
    """The question after the source it opens with ("Theo Bộ luật dân sự 2015, …")."""
    m = _SOURCE_FRAME.match(fold(question))
    return unicodedata.normalize("NFC", question)[m.end() :] if m else question


def anchored_completion(
    text: str, question: str, asked_what: tuple[str, ...] = _ASKED_WHAT
) -> tuple[str, tuple[int, int]]:
    """What the text says where the question asks "gì", "đâu" or "nào": after the words the question puts before it
    ("… thì hình phạt tử hình được chuyển thành hình phạt gì?" → "tù chung thân" after "chuyển thành"; "Bên cho thuê
    có quyền gì …" → "quyền yêu cầu bên thuê trả lại tài sản thuê, …"), to the end of the text's clause. The asked
    noun ("hình phạt") may be left out by the text. "" where the text does not say the question's words, or
    says nothing more. With `asked_what` ("ai",), who: "Quản chế được áp dụng đối với ai?" → "người phạm tội …",
    only where the text also says most of the rest of the question (the role in "Bí thư Tỉnh ủy là ai", not
    just "… là"). With the answer, how strongly the text says the question's words before it: how many in one run,
    then how many of its other words around them ((0, 0) with no answer)."""
    # Not the words of the source a question opens with ("Theo Bộ luật dân sự 2015, … các quyền gì …": "quyền dân
    # sự" is the answer, though the law's name says "dân sự"): neither an anchor, nor around one, nor the answer.
    asked_of = without_source_frame(question)
    asked = _one_order(re.findall(r"\w+", fold(asked_of)))
    at = max((i for i, w in enumerate(asked) if w in asked_what), default=-1)
    if at < 0 and asked_what == _ASKED_WHAT and question.rstrip().endswith("?") and "hay" not in asked:
        # The question stops where its answer starts: "… không được lạm dụng quyền dân sự của mình để?", "… thì
        # người có hình ảnh có quyền?" — as if it ended in "gì". Not a choice ("A hay B thì phải chứng minh?").
        asked, at = [*asked, "gi"], len(asked)
    whole = "ai" in asked_what
    before = asked[: max(at, 0)]
    # "phải thực hiện nghĩa vụ gì", "thực hiện việc gì" ask what is to be done, as "phải làm gì" does: the text says the
    # act after "phải" ("… nhưng phải thanh toán tiền công nuôi giữ …").
    done = next((len(p) for p in _DOING if tuple(before[-len(p) :]) == p and len(before) > len(p)), 0)
    if done:
        before = [*before[:-done], "lam"]
    # "phải làm gì": what is to be done; "nộp vào đâu": a place. Only "<noun> gì" names a noun the text may leave
    # out ("chuyển thành hình phạt gì": "chuyển thành tù chung thân").
    nominal = at > 0 and asked[at] in ("gi", "nao") and before[-1] != "lam"
    # "những ứng dụng nào": several are asked for, a list the quotes give whole — unless the unit is one sentence
    # that names them after the question's words ("… có hiệu lực đối với | mọi cá nhân, pháp nhân").
    several = at > 0 and asked[at] == "nao" and any(w in _LISTED for w in before[-_NAMED_WORDS:])
    if several and (JOIN in text or "\n" in text):
        return "", (0, 0)
    if several:  # the text names them where the question says "những chủ thể": read on from the words before it
        cut = max(i for i, w in enumerate(before) if w in _LISTED)
        before, nominal = before[:cut], False
    if before and before[-1] == "ten":
        return "", (0, 0)  # "… tên gì": a name, which only a person or an organ's pattern reads
    if before and before[-1] == "lam":
        before = before[:-1]
    if len(before) < 2:
        return "", (0, 0)
    found = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    folded = _one_order([fold(text[a:b]) for a, b in found])
    # "… cần phải làm gì": a duty, which the text may state with another of its words ("có trách nhiệm bảo đảm …").
    duty = next((len(m) for m in _DUTY if tuple(before[-len(m) :]) == m), 0)
    said_as = [before[: len(before) - duty] + list(m) for m in _DUTY if duty and list(m) != before[-duty:]]
    # The longest run of the question's words the text says, then the one with more of the question around it.
    best: tuple[tuple[int, int], int, int, int] | None = None  # score, first and last word of the anchor, dropped
    for drop, words_before in [(drop, before) for drop in range(3 if nominal else 1)] + [(0, s) for s in said_as]:
        end = len(words_before) - drop
        for k in range(min(4, end), 0, -1):
            anchor = words_before[end - k : end]
            rest = {w for w in words_before[: end - k] if w not in STOPWORDS}
            for i in range(len(folded) - k):
                if folded[i : i + k] != anchor:
                    continue
                context = len(rest & set(folded[max(0, i - _CONTEXT_WORDS) : i]))
                if k < 2 and context < 2:
                    continue  # one word alone, with nothing else of the question around it, is anywhere
                if whole and context < WHOLE_SHARE * len(rest - set(anchor)):
                    continue
                score = (k, context - drop)
                if best is None or score > best[0]:
                    best = (score, i, i + k - 1, drop)
    if best is None or (several and best[0][0] < SEVERAL_ANCHOR):
        return "", (0, 0)
    strength, first, last, drop = best
    stop = _CLAUSE_END.search(text, found[last][1])
    cut = stop.start() if stop else len(text)
    after = [(a, b) for a, b in found[last + 1 :] if b <= cut]
    # To the clause's end, as a definition is read (cut at thirty words it stopped mid-phrase: "… trật tự, an"); a
    # clause longer than that is cut at thirty.
    after = after if len(after) <= _DEFINED_WORDS else after[:_COMPLETED_WORDS]
    # What the question already says next is not the answer ("hình phạt | tử hình chuyển thành | tù chung thân").
    # With diacritics where the question has them: "tù" is not the question's "tử".
    plain = fold(question) == question.lower()
    question_words = set(re.findall(r"\w+", fold(asked_of)))
    own = question_words if plain else set(re.findall(r"\w+", unicodedata.normalize("NFC", asked_of).lower()))
    told = list(itertools.takewhile(lambda ab: (fold if plain else str.lower)(text[ab[0] : ab[1]]) in own, after))
    if len(told) > 1:  # one word of the question again ("Di chúc …": "Di sản …") is as likely the answer's own
        after = after[len(told) :]
    else:
        told = []
    # Where the question's own words go on after "gì", the answer ends ("trách nhiệm gì về tội …": "trách nhiệm hình
    # sự | về tội này").
    then = asked[at + 1] if 0 <= at < len(asked) - 1 else ""
    after = list(itertools.takewhile(lambda ab: fold(text[ab[0] : ab[1]]) != then, after))
    if several:  # names, not what is said of them next: "mọi cá nhân, pháp nhân | và được chuyển giao khi …"
        said = [fold(text[a:b]) for a, b in after]
        after = after[
            : next(
                (i for i in range(len(said) - 1) if said[i] in ("va", "hoac") and said[i + 1] in _MODALS), len(after)
            )
        ]
    if not after:
        return "", (0, 0)
    # The answer reads on from the question's last word where the text says it ("có quyền gì": "quyền yêu cầu …").
    reads_on = next(
        (len(p) for p in _READS_ON if len(p) <= last - first + 1 and tuple(folded[last - len(p) + 1 : last + 1]) == p),
        0,
    )
    start = found[last - reads_on + 1][0] if reads_on and drop == 0 and not told else after[0][0]
    if not reads_on and not told and _NUMBERED.match(text, start):
        # "số 1125/QĐ-UBND" names nothing alone: the kind the text names it by, capitalised before the number
        # ("thay cho quyết định cũ nào" → "Quyết định số 1125/QĐ-UBND …"), is part of its name.
        start = next((a for a, _ in found[first : last + 1][::-1] if text[a].isupper()), start)
    answer = text[start : after[-1][1]].strip(" ,")
    if len(_WORD.findall(answer)) < _COMPLETION_MIN_WORDS:
        return "", (0, 0)  # "sau", "khác", "100": a word or two left over is no answer
    if {fold(w) for w in _WORD.findall(answer)} <= question_words | STOPWORDS:
        return "", (0, 0)  # only the question's own words
    return answer, strength


# "X cần (có) điều kiện gì để <outcome>?" (folded): what the text says of X before "thì <outcome>", or after X.
_ASKS_CONDITION = re.compile(
    r"^\W*(.+?),? (?:can|phai|can phai)(?: co)? (?:nhung )?dieu kien (?:gi|nao) (?:de|thi) (.+?)\W*$"
)
_SUBJECT_TAIL = 3  # the last words of who the question asks about, as the text says them


def condition_for(text: str, question: str) -> str:
    """ "Người đã nhận làm gián điệp, cần điều kiện gì để được miễn trách nhiệm hình sự …?" of "4. Người đã nhận làm
    gián điệp, nhưng không thực hiện nhiệm vụ … có thẩm quyền, thì được miễn trách nhiệm hình sự …": what the text
    says after the question's subject and before "thì" and the outcome asked; where it does not state the outcome
    there (an article's title does: "Di chúc … có giá trị như di chúc được công chứng"), what it says after the
    subject to the clause's end. "" where the text does not say the subject."""
    m = _ASKS_CONDITION.match(fold(question))
    if not m:
        return ""
    subject = re.findall(r"\w+", m.group(1))[-_SUBJECT_TAIL:]
    outcome = [w for w in re.findall(r"\w+", m.group(2)) if w not in STOPWORDS][:2]
    item = text.split(JOIN)[-1]
    found = [(w.start(), w.end()) for w in _WORD.finditer(item)]
    folded = [fold(item[a:b]) for a, b in found]
    k = len(subject)
    at = next((i + k for i in range(len(folded) - k + 1) if folded[i : i + k] == subject), None)
    if at is None or at >= len(found) or k < _SUBJECT_TAIL:
        return ""
    stop = _CLAUSE_END.search(item, found[at - 1][1])
    end = stop.start() if stop else len(item)
    for j in range(at, len(folded) - 1):
        if folded[j] == "thi" and outcome and set(outcome) <= set(folded[j + 1 : j + 6]):
            end = found[j][0]
            break
    said = item[found[at - 1][1] : end].strip(" ,")
    said = re.sub(r"^(?:nhưng|mà)\s+", "", said)  # "…, nhưng không thực hiện …": the condition, not its joint
    return said if len(_WORD.findall(said)) >= _COMPLETION_MIN_WORDS else ""


# "Ai công bố di chúc …?", "Chủ thể nào được ưu tiên mua …?": who does what the question says after its "who".
# The question opens with what it asks for, of any kind ("Nguồn tài chính nào giữ vai trò chủ đạo …?"), not several
# ("Những/Các … nào") nor the cases ("Trường hợp nào …").
_ASKS_AGENT = re.compile(r"^\W*(?:ai|(?!(?:nhung|cac|truong hop)\b)(?:[a-z]+ ){0,2}[a-z]+ nao)\s+(.+)")
# How the question may say the act and the text its doer: "được ưu tiên mua" / "Nhà nước có quyền ưu tiên mua".
_MODALS = frozenset({"duoc", "phai", "se", "co", "can", "bi"})
_PASSIVE = frozenset({"duoc", "bi"})
# Where the act the question names stops: a condition or a circumstance ("… nếu di chúc …", "… khi …").
_ACT_ENDS = frozenset({"neu", "khi", "trong", "theo", "doi", "ma", "tai", "o", "de", "thi"})
# Between the doer and its act in the text, left out of the answer: "công chứng viên là người | công bố di chúc".
_AGENT_LINKS = (("la", "nguoi"), ("co", "quyen"), ("co", "trach", "nhiem"), ("co", "nghia", "vu"), ("la",), ("phai",))
_AGENT_OPENS = frozenset({"thi", "neu", "khi", "va", "hoac"})
# A clause's joints, not a noun; with their diacritics, as folded "cần" is "Cán" of "Cán bộ".
_NOT_A_DOER = frozenset("thì nếu khi và hoặc được phải sẽ có cần bị là của do này mà để".split())
_AGENT_WORDS = 8  # a doer is a noun phrase: "công chứng viên", "Ủy ban nhân dân cấp xã nơi có tài sản"


def agent(text: str, question: str) -> str:
    """Who does what the question asks "who" of, as the text names them before the act: "Ai công bố di chúc nếu di
    chúc … được lưu tại tổ chức hành nghề công chứng?" → "công chứng viên" of "… thì công chứng viên là người công bố
    di chúc"; "Chủ thể nào được ưu tiên mua …?" → "Nhà nước" of "thì Nhà nước có quyền ưu tiên mua". The act is
    the question's first two or three words after its "who" and their modal ("được", "phải"); the doer runs from the
    clause's start (or its "thì") to the act. "" where the text does not say the act."""
    m = _ASKS_AGENT.search(fold(question))
    if not m:
        return ""
    if JOIN in text:  # a point says who does it; its lead-in only frames it ("Thẩm quyền thẩm định … như sau:")
        return agent(text.split(JOIN)[-1], question)
    act = list(itertools.takewhile(lambda w: w not in _ACT_ENDS, re.findall(r"\w+", m.group(1))))
    if act[:2] == ["la", "nguoi"]:
        act = act[2:]  # "Ai là người giữ vai trò …": who keeps the role
    passive = bool(act) and act[0] in _PASSIVE
    act = list(itertools.dropwhile(lambda w: w in _MODALS, act))
    found = [(w.start(), w.end()) for w in _WORD.finditer(text)]
    folded = [fold(text[a:b]) for a, b in found]
    for k in range(min(3, len(act)), 1, -1):
        anchor = act[:k]
        for i in range(1, len(folded) - k + 1):
            if folded[i : i + k] != anchor:
                continue
            end = i
            while end > 0 and folded[end - 1] in _MODALS:
                end -= 1  # "phải công bố", "được ưu tiên mua"
            if not passive and _PASSIVE & set(folded[end:i]):
                continue  # "di chúc … được lưu giữ": what the act is done to, not who does it
            link = next((len(li) for li in _AGENT_LINKS if tuple(folded[max(0, end - len(li)) : end]) == li), 0)
            end -= link
            opens = max((o.end() for o in _SUBJECT_OPENS.finditer(text, 0, found[end - 1][1] if end else 0)), default=0)
            start = next((j for j in range(end) if found[j][0] >= opens), end)
            start = max([start] + [j + 1 for j in range(start, end) if folded[j] in _AGENT_OPENS])
            doer = text[found[start][0] : found[end - 1][1]] if end > start else ""
            if (
                0 < end - start <= _AGENT_WORDS
                and unicodedata.normalize("NFC", doer.split()[0].lower()) not in _NOT_A_DOER
            ):
                return _ITEM_MARK.sub("", doer).strip(' ,"“”')
    return ""


# "Những thôn nào …?", "Which villages …?": several places or bodies of a kind, named.
_ASKS_NAMED_KIND = re.compile(r"\b(?:nhung|cac) ([a-z]+(?: [a-z]+)?) nao\b|^\W*which ([a-z]+)\b")
_NAME = rf"{_CAPITALISED}(?:\s+{_CAPITALISED})*"


def named_kind(question: str) -> str:
    """The folded kind a question asks several of by name ("thon" of "Những thôn nào …", of "Which villages …"
    through the glossary); "" if none."""
    m = _ASKS_NAMED_KIND.search(fold(question))
    if not m:
        return ""
    if m.group(1):
        return m.group(1)
    return english_glossary_words(question).get(m.group(2), "")


def named_of_kind(text: str, kind: str) -> str:
    """The names the text gives things of the kind, together: "còn 02 thôn Khe Dứa và Làng Mộc chưa có sóng" →
    "thôn Khe Dứa và Làng Mộc"; "" where it names fewer than two in one run."""
    part = unicodedata.normalize("NFC", text.split(JOIN)[-1])
    folded = fold(part)
    if len(folded) != len(part):
        return ""  # a letter that folds to two: positions would not match
    kind_at = re.compile(rf"(?<![^\W\d_]){re.escape(kind)}\s+")
    name, joint = re.compile(_NAME), re.compile(r",\s*|\s+và\s+")
    for m in kind_at.finditer(folded):
        first = name.match(part, m.end())
        end, names = (first.end(), 1) if first else (0, 0)
        while names and (sep := joint.match(part, end)):
            at = sep.end()
            if again := kind_at.match(folded, at):  # "thôn Khe Dứa, thôn Làng Mộc": the kind said again
                at = again.end()
            following = name.match(part, at)
            if not following:
                break
            end, names = following.end(), names + 1
        if names >= 2:
            return part[m.start() : end]
    return ""


# "Ai là Bí thư Tỉnh ủy Gia Lai?", "chủ tịch ubnd tỉnh gia lai là ai": who holds a role.
# Not "Ai là người giữ vai trò …?": who does an act.
IDENTITY = re.compile(r"^\W*ai la (?!nguoi\b)(.+?)\W*$|^\W*(.+?) (?:la ai|ten (?:la )?gi)\W*$")
_HONORIFIC = {"dong", "chi", "ong", "ba"}


def role_asked(question: str) -> list[str]:
    """The first two words of the role an identity question asks about, as the text writes them together
    ("Đồng chí Chủ tịch Quốc hội … là ai": "chu tich"; "Ai là Trưởng Ban Chỉ đạo …": "truong ban"); [] for another
    question."""
    m = IDENTITY.match(fold(question))
    if not m:
        return []
    said = (m.group(1) or m.group(2)).split()
    while said and (said[0] in _HONORIFIC or said[0] in STOPWORDS):
        said.pop(0)
    return said[:2]


def names_role(folded: str, role: list[str]) -> bool:
    """Whether folded words name the role itself, not its deputy: "Phó Trưởng Ban Chỉ đạo" is another role than
    "Trưởng Ban Chỉ đạo"."""
    said, named = f" {folded} ", f" {' '.join(role)} "
    return any(not said[: m.start()].endswith(" pho") for m in re.finditer(re.escape(named), said))


# "… có hiệu lực từ khi nào?", "When does Decision 125 take effect?" (folded): when a document is in force.
_ASKS_EFFECT = re.compile(r"\bhieu luc\b|\btakes? effect\b|\b(?:come|came|comes) into (?:force|effect)\b")


def asks_effect(question: str) -> bool:
    """Whether a question asks when something takes effect (a document named: from when it is in force)."""
    return bool(_ASKS_EFFECT.search(fold(question)))
