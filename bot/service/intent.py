"""What a message in plain words asks: a task question (answered from the task database), a question about
what the documents say (document search), or both.

A task question names tasks, deadlines, overdue work or progress of a unit, or a task by its code; a document
question asks what a document says or requires, or what a term means. The rules below read the message
accent-folded (so typed with or without diacritics), without courtesy phrases, with common typos and
shorthand (bn, j, dv, nv) spelt out; unit names are resolved against the units table (`UnitDirectory`).
Nothing here touches the database: the assistant service builds the directory and acts on the `Intent`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from retrieval.places import places
from retrieval.text import fold, strip_courtesy

# --- the result ------------------------------------------------------------------------------------

TASKS, DOCUMENTS, BOTH = "tasks", "documents", "both"
KINDS = ("due", "overdue", "progress", "status", "latest")
SELF = "self"


@dataclass(frozen=True)
class Intent:
    """`route`: tasks | documents | both. For tasks: `kind` (due | overdue | progress | status | latest),
    `unit` (a unit code, or "self": the caller's unit; `self_level` "province" for a bare "thành phố" /
    "tỉnh": the caller's province), `window` (a time spec, see `window_dates`), `code` (a task code), `title`
    (a status asked by words from the task's title instead of its code: those words, folded)."""

    route: str
    kind: str | None = None
    unit: str | None = None
    window: str | None = None
    code: str | None = None
    self_level: str | None = None
    title: str | None = None


# --- units -----------------------------------------------------------------------------------------

# Administrative prefixes of unit names (folded), longest first; the kind of unit each one names.
PREFIXES: list[tuple[str, str]] = [
    ("uy ban nhan dan thanh pho", "province"),
    ("uy ban nhan dan tinh", "province"),
    ("thanh pho", "province"),
    ("tinh", "province"),
    ("dac khu", "commune"),
    ("phuong", "commune"),
    ("xa", "commune"),
    ("bo", "ministry"),
    ("so", "department"),
    ("uy ban nhan dan", "province"),
]
_NEEDS_PREFIX = {"ministry", "department"}  # "Công an", "Y tế", "Nội vụ" alone are topics, not units


@dataclass(frozen=True)
class UnitEntry:
    code: str
    name: str
    kind: str  # central | ministry | province | department | commune | other
    parent: str | None


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


def _name_words(name: str) -> list[str]:
    """A unit name as matched: folded words, without "và" (typed as "&" or left out)."""
    return [w for w in _words(normalise(name)) if w != "va"]


class UnitDirectory:
    """Unit names and their common short forms, folded, each mapped to the unit codes it may mean."""

    def __init__(self, units: Iterable[UnitEntry]) -> None:
        self.units: dict[str, UnitEntry] = {}
        self.keys: dict[tuple[str, ...], list[tuple[str, bool]]] = {}  # words → [(code, prefix typed)]
        for u in units:
            self.units[u.code] = u
        for u in self.units.values():
            words = _name_words(u.name)
            self._add(tuple(words), u.code, True)
            core = self._core(words)
            if core is not None:
                if u.kind not in _NEEDS_PREFIX and (len(core) > 1 or u.kind == "province"):
                    self._add(core, u.code, False)
                # "Sở Nội vụ Hà Nội" is also "Sở Nội vụ" (within Hà Nội)
                parent = self.units.get(u.parent or "")
                pcore = self._core(_name_words(parent.name)) if parent else None
                if pcore and len(words) > len(pcore) + 1 and tuple(words[-len(pcore) :]) == pcore:
                    self._add(tuple(words[: -len(pcore)]), u.code, True)
            if "-" not in u.code and len(u.code) > 3:  # BKHCN, BCDTW typed as such
                self._add((u.code.lower(),), u.code, True)

    @staticmethod
    def _core(words: list[str]) -> tuple[str, ...] | None:
        text = " ".join(words)
        for prefix, _ in PREFIXES:
            if text.startswith(prefix + " "):
                return tuple(text[len(prefix) + 1 :].split())
        return None

    def _add(self, key: tuple[str, ...], code: str, prefixed: bool) -> None:
        if key:
            entries = self.keys.setdefault(key, [])
            if all(c != code for c, _ in entries):
                entries.append((code, prefixed))

    def ancestors(self, code: str) -> list[str]:
        out, seen = [], set()
        while code in self.units and code not in seen:
            seen.add(code)
            out.append(code)
            code = self.units[code].parent or ""
        return out

    def find(self, words: list[str], caller_unit: str | None = None) -> tuple[str | None, int, int]:
        """The first unit the words name (longest match): (code, start, end) or (None, -1, -1)."""
        longest = max((len(k) for k in self.keys), default=0)
        i = 0
        while i < len(words):
            for n in range(min(longest, len(words) - i), 0, -1):
                entries = self.keys.get(tuple(words[i : i + n]))
                if not entries:
                    continue
                prefix_kind = next(
                    (k for p, k in PREFIXES if i > 0 and words[max(0, i - len(p.split())) : i] == p.split()), None
                )
                code = self._pick(entries, prefix_kind, caller_unit)
                if code is not None:
                    return code, i, i + n
            i += 1
        return None, -1, -1

    def _pick(self, entries: list[tuple[str, bool]], prefix_kind: str | None, caller_unit: str | None) -> str | None:
        codes = [c for c, _ in entries]
        if prefix_kind is not None:
            same = [
                c
                for c in codes
                if self.units[c].kind == prefix_kind or (prefix_kind == "province" and self.units[c].kind == "central")
            ]
            codes = same or codes
        if len(codes) > 1 and caller_unit is not None:
            # an ambiguous short name ("Sở Nội vụ") means the one in the caller's own province or unit
            home = set(self.ancestors(caller_unit)[:-1])  # without the root, which every unit shares
            near = [c for c in codes if home & set(self.ancestors(c)[:-1])]
            codes = near or codes
        codes.sort(key=lambda c: (len(self.ancestors(c)), c))
        return codes[0] if codes else None


# --- normalisation -----------------------------------------------------------------------------------

# Shorthand and common typos (folded words) → the words they stand for.
SHORTHAND: dict[str, str] = {
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "nhiu": "nhieu",
    "j": "gi",
    "gj": "gi",
    "ji": "gi",
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "hok": "khong",
    "dv": "don vi",
    "dvi": "don vi",
    "nv": "nhiem vu",
    "nvu": "nhiem vu",
    "nhiemvu": "nhiem vu",
    "vc": "viec",
    "hnay": "hom nay",
    "hnai": "hom nay",
    "quahan": "qua han",
    "trehan": "tre han",
    "tiendo": "tien do",
    "denhan": "den han",
    "hna": "han",
    "hanj": "han",
    "qa": "qua",
    "wa": "qua",
    "thag": "thang",
    "thnag": "thang",
    "mik": "minh",
    "mk": "minh",
    "mjnh": "minh",
    "t": "toi",
    "dc": "duoc",
    "đc": "duoc",
    "ntn": "nhu the nao",
    "vs": "voi",
    "ng": "nguoi",
    "hcm": "ho chi minh",
    "tphcm": "thanh pho ho chi minh",
    "hn": "ha noi",
    "tp": "thanh pho",
    "ubnd": "uy ban nhan dan",
    "bkhcn": "bo khoa hoc cong nghe",
    "khcn": "khoa hoc cong nghe",
    "gddt": "giao duc dao tao",
    "hanoi": "ha noi",
    "xog": "xong",
    "xng": "xong",
}
# Typos of two words (folded).
PHRASES: dict[str, str] = {
    "qua hang": "qua han",
    "tre hang": "tre han",
    "den hang": "den han",
    "nhiem vy": "nhiem vu",
    "nhiem vj": "nhiem vu",
    "nhim vu": "nhiem vu",
    "nhiem vuu": "nhiem vu",
    "tien dop": "tien do",
    "tien doo": "tien do",
    "bao nhieu nv": "bao nhieu nhiem vu",
    "kh&cn": "khoa hoc cong nghe",
    "kh & cn": "khoa hoc cong nghe",
    "kh cn": "khoa hoc cong nghe",
    "gd&dt": "giao duc dao tao",
    "gd & dt": "giao duc dao tao",
    # English names of units and places
    "ministry of science and technology": "bo khoa hoc cong nghe",
    "ministry of finance": "bo tai chinh",
    "ministry of public security": "bo cong an",
    "ministry of home affairs": "bo noi vu",
    "ministry of justice": "bo tu phap",
    "ministry of health": "bo y te",
    "ho chi minh city": "ho chi minh",
    "hoan kiem ward": "phuong hoan kiem",
    "gia lai province": "tinh gia lai",
}
_PHRASE_RE = re.compile(r"(?<!\w)(?:" + "|".join(sorted(map(re.escape, PHRASES), key=len, reverse=True)) + r")(?!\w)")


def normalise(text: str) -> str:
    """Folded, shorthand and typos spelt out, one space between words; punctuation kept where it matters
    (dates 31/12, task codes BCD-2025-0345)."""
    folded = re.sub(r"\btp\.\s*", "thanh pho ", fold(text))
    folded = _PHRASE_RE.sub(lambda m: f" {PHRASES[m.group(0)]} ", folded)
    out = []
    for tok in re.findall(r"[\w/.\-&]+|[?;,!]", folded):
        word = tok.strip(".")
        out.append(SHORTHAND.get(word, tok) if word else tok)
    return " ".join(out)


# --- what is asked ------------------------------------------------------------------------------------

TASK_CODE = re.compile(r"\b([a-z]{2,8}(?:-\d{4})?-\d{4,5})\b")


def _has(text: str, *patterns: str) -> bool:
    return any(re.search(rf"(?<![\w]){p}(?![\w])", text) for p in patterns)


_TASK_NOUN = (r"nhiem vu", r"viec", r"cong viec", r"tasks?", r"bao cao", r"deadlines?", r"ho so")
_OVERDUE = (
    r"qua han",
    r"tre han",
    r"tre hen",
    r"bi tre",
    r"bi cham",
    r"(?:cham|tre) tien do",
    r"cham tre",
    r"no dong",
    r"overdue",
    r"behind schedule",
    r"past due",
    r"missed",
    r"lagging",
)
# "chậm", "trễ", "late" alone are also other words ("phương châm" folds to "phuong cham"): only beside a task noun
_OVERDUE_WEAK = (r"tre", r"cham", r"late", r"behind")
_LATEST = (
    r"(?:don vi|dia phuong|xa|phuong|tinh|bo|so|noi|units?|provinces?|communes?|wards?|ministries)"
    r" (?:nao|gi)\b.*(?:cham|tre|qua han|kem|thap|nhieu nhat|it nhat|cuoi)",
    r"which (?:units?|provinces?|communes?|wards?|ministries)\b.*(?:late|behind|overdue|worst|lag|most|slow)",
    r"(?:cham|tre|kem|thap) nhat",
    r"(?:nhieu|cao) nhat\b.*qua han",
    r"qua han (?:nhieu|cao) nhat",
    r"worst",
    r"most overdue",
    r"slowest",
    r"(?:xep hang|bang xep hang|ranking)(?: \w+){0,2} (?:don vi|tinh|xa|phuong|bo|units?|provinces?)",
    r"dung cuoi",
    r"lagging the most",
)
_DUE = (
    r"den han",
    r"sap den han",
    r"toi han",
    r"sap het han",
    r"het han",
    r"phai nop",
    r"can nop",
    r"nop gi",
    r"phai lam",
    r"can lam",
    r"phai hoan thanh",
    r"can hoan thanh",
    r"phai xong",
    r"han chot",
    r"due",
    r"deadlines?",
    r"phai gui",
    r"phai bao cao",
    r"(?:viec|nhiem vu|cong viec) (?:gi|nao)",
    r"con (?:viec|nhiem vu) gi",
    r"co (?:viec|nhiem vu) gi",
    r"co gi phai",
    r"what (?:do|must|should) (?:we|i) (?:do|submit|deliver|finish)",
    r"(?:must|have to|need to|should) (?:\w+ )?(?:finish|complete|submit|deliver|do)",
    r"to do",
    r"submit",
    r"han (?:nop|cuoi)",
)
_PROGRESS = (
    r"tien do",
    r"ti le hoan thanh",
    r"ty le hoan thanh",
    r"tinh hinh (?:thuc hien|nhiem vu|trien khai)",
    r"ket qua thuc hien",
    r"hoan thanh (?:duoc )?bao nhieu",
    r"bao nhieu phan tram (?:nhiem vu|viec|cong viec)",
    r"progress",
    r"completion rate",
    r"(?:percent|share|how much) (?:of tasks )?(?:done|completed)",
    r"how (?:is|are) .* doing",
    r"how far",
    r"lam den dau",
    r"den dau roi",
    r"the nao roi",
    r"tong hop",
)
_STATUS = (
    r"xong chua",
    r"da xong chua",
    r"hoan thanh chua",
    r"lam chua",
    r"nop chua",
    r"done yet",
    r"finished",
    r"trang thai",
    r"status",
    r"is .* done",
    r"ra sao",
    r"the nao",
)
_ASK = (
    r"bao nhieu",
    r"nhung",
    r"cac",
    r"gi",
    r"nao",
    r"con",
    r"liet ke",
    r"danh sach",
    r"how many",
    r"which",
    r"what",
    r"list",
    r"show",
    r"co khong",
    r"chua",
    r"the nao",
    r"ra sao",
    r"dau",
    r"any",
)
_DOC_NOUN = (
    r"nghi quyet",
    r"ke hoach",
    r"van ban",
    r"huong dan",
    r"thong bao",
    r"ket luan",
    r"quyet dinh",
    r"cong van",
    r"nghi dinh",
    r"thong tu",
    r"luat",
    r"chi thi",
    r"chuong trinh hanh dong",
    r"de an",
    r"resolution",
    r"plan",
    r"document",
    r"guidance",
    r"guideline",
    r"decree",
    r"law",
    r"circular",
    r"notice",
    r"decision",
    r"official letter",
    r"hoi nghi",
    r"conference",
    r"nq\s*\d+",
    r"kh\s*\d+",
    r"\d+[a-z]*[-/][a-z]+[-/]?[a-z]*",
)
_DOC_VERB = (
    r"noi gi",
    r"noi ve",
    r"noi the nao",
    r"yeu cau",
    r"quy dinh",
    r"de ra",
    r"neu",
    r"ghi",
    r"xac dinh",
    r"dinh huong",
    r"muc tieu",
    r"chi tieu",
    r"giai phap",
    r"giao (?:cho )?(?:\w+ ){0,10}(?:nhiem vu|viec) gi",
    r"ban hanh",
    r"ky ngay",
    r"hieu luc",
    r"says?",
    r"require[sd]?",
    r"state[sd]?",
    r"set out",
    r"what does",
    r"according to",
    r"mention",
    r"trinh",
    r"de xuat",
    r"bao gom",
    r"gom nhung",
    r"thoi han (?:nao|la)",
    r"truoc ngay nao",
    r"den ngay nao",
    r"khi nao",
    r"luc nao",
    r"bao gio",
    r"by when",
    r"when must",
    r"what date",
    r"ngay nao",
    r"nam nao",
    r"danh gia",
    r"ve dau",
    r"o dau",
    r"where",
    r"under",
)
_DEFINITION = (
    r"the nao la",
    r"the nao duoc (?:coi|xem|tinh) la",
    r"duoc (?:coi|xem|hieu|tinh) la",
    r"khai niem",
    r"dinh nghia",
    r"nghia la gi",
    r"co nghia la",
    r"what (?:is|are) an? (?:overdue|recurring)",
    r"what (?:is|are) (?:overdue|recurring) tasks$",
    r"what counts as",
    r"mean",
    r"xu ly the nao",
    r"bi xu ly",
    r"xu ly ra sao",
    r"cach (?:tinh|cap nhat|danh gia)",
    r"lam the nao de",
    r"how (?:to|do i|should|is .* (?:counted|calculated|defined))",
    r"quy trinh",
    r"gia han",
    r"ai (?:chiu trach nhiem|phai)",
    r"vi sao",
    r"tai sao",
    r"why",
    r"who ",
    # what must be done to reach a goal: a requirement the documents state
    r"(?:can|phai|nen) lam gi de",
    # a date asked for is a fact the documents state; the task lists answer what is due, not when
    r"(?:thoi gian|thoi han|thoi diem|ngay|nam) nao",
    r"(?:what|which) deadline",
    r"khi nao",
    r"bao gio",
    r"luc nao",
    r"by when",
    r"when (?:must|should|is|are|will|do|does)",
    r"what date",
    # "According to document X, …" and a figure as of a past reporting date ask what a text states
    r"^theo (?:bao cao|nghi quyet|ke hoach|van ban|huong dan|thong bao|ket luan|quyet dinh|cong van)",
    r"^according to",
    r"(?:tinh den|as of|ngay) \d{1,2}/\d{1,2}/\d{4}",
)
_SELF = (
    r"(?:don vi|xa|phuong|tinh|bo|so|co quan|ben|dia phuong|thanh pho|chung|unit|team|ward|commune|office)"
    r" (?:toi|minh|em|chung toi|chung minh|nha|ta|chung ta)",
    r"cua (?:toi|minh|em|chung toi|chung ta)",
    r"chung toi",
    r"ben (?:minh|em|toi)",
    r"my (?:unit|ward|commune|province|ministry|department|office|team)",
    r"our (?:unit|ward|commune|province|ministry|department|office|team)?",
    r"\bwe\b",
    r"\bi\b",
)
# a bare "thành phố" / "tỉnh" (no name matched after it): the caller's own; "tính", "tình hình" fold alike
_BARE_PROVINCE = (
    r"(?:toan )?thanh pho",
    r"(?:toan )?tinh(?! hinh| nao| den| la| theo| trang| thanh)",
    r"the city",
    r"the province",
    r"ca tinh",
    r"ca thanh pho",
)


@dataclass(frozen=True)
class _Clause:
    kind: str | None
    doc: bool
    ask: bool


def _kind(text: str) -> str | None:
    if TASK_CODE.search(text):
        return "status"
    if _has(text, *_LATEST):
        return "latest"
    if _has(text, r"(?:cham|tre) tien do"):
        return "overdue"
    if _has(text, *_PROGRESS):
        return "progress"
    if _has(text, *_OVERDUE) or (_has(text, *_OVERDUE_WEAK) and _has(text, *_TASK_NOUN)):
        return "overdue"
    if _has(text, *_DUE):
        return "due"
    return None


def _clause(text: str) -> _Clause:
    doc = (_has(text, *_DOC_NOUN) and _has(text, *_DOC_VERB)) or _has(text, *_DEFINITION)
    return _Clause(_kind(text), doc, _has(text, *_ASK))


_SPLIT = re.compile(
    r"\s(?:va|dong thoi|con|and|also|kem theo|cung nhu)\s(?=(?:\w+ ){0,4}(?:ke hoach|van ban|nghi quyet|"
    r"huong dan|the plan|the resolution|the guidance|theo|what does|what do|quy dinh))|[;?]\s*(?=\S)"
)


def parse(message: str, units: UnitDirectory, *, caller_unit: str | None = None) -> Intent:
    """What a message asks (see `Intent`)."""
    text = normalise(strip_courtesy(message))
    code_m = TASK_CODE.search(text)
    clauses = [c for c in _SPLIT.split(text) if c and c.strip()]
    parsed = [_clause(c) for c in clauses]
    whole = _clause(text)
    task_part = any(c.kind is not None and not c.doc for c in parsed)
    doc_part = any(c.doc and (c.kind is None or len(parsed) > 1) for c in parsed)
    if code_m:
        route = (
            BOTH if (len(parsed) > 1 and doc_part and any(c.kind == "status" and not c.doc for c in parsed)) else TASKS
        )
        return Intent(route, "status", code=code_m.group(1).upper())
    if (asked := _status_by_title(text, whole, units, caller_unit)) is not None:
        unit, title = asked
        return Intent(TASKS, "status", unit if unit is not None else SELF, title=title)
    if whole.kind is None:
        return Intent(DOCUMENTS)
    if len(parsed) > 1 and task_part and doc_part:
        route = BOTH
        task_text = " ".join(c for c, p in zip(clauses, parsed, strict=True) if p.kind is not None and not p.doc)
    elif whole.doc:
        return Intent(DOCUMENTS)
    else:
        route, task_text = TASKS, text
    kind = _kind(task_text) or whole.kind
    words = [w for w in _words(task_text) if w != "va"]
    unit, self_level = _unit(task_text, words, units, caller_unit)
    window = window_spec(task_text) if kind == "due" else None
    return Intent(route, kind, unit, window, None, self_level)


# "… xong chưa?" about a task named by its title ("Nhiệm vụ làm sạch dữ liệu dân cư xong chưa?")
_STATUS_BY_TITLE = re.compile(
    r"(?<!\w)(?:(?:da|duoc) )?(?:(?:lam|hoan thanh|thuc hien|nop|gui|trien khai) )?(?:xong )?chua"
    r"(?: (?:a|ah|nhe|nha|vay|the|nhi))*(?: \?)?$"
    r"|(?<!\w)(?:has|have|is|are|was) (?:the |our )?(?:[\w-]+ ){0,8}?(?:task|report|work)\b.*?(?:been )?"
    r"(?:done|finished|completed|submitted)(?: yet)?(?: \?)?$"
    r"|(?<!\w)(?:trang thai|tinh trang|status)(?: cua| of)?(?: the)? (?:nhiem vu|cong viec|viec|task)\b"
)
_STATUS_NOUN = re.compile(r"(?<!\w)(?:nhiem vu|cong viec|viec|tasks?|bao cao|report|ho so)(?!\w)")
# what says that a task is asked about, not which one: taken out of the title words
_ASKING = re.compile(
    r"(?<!\w)(?:nhiem vu|cong viec|viec|the task|task|don vi (?:toi|minh)|(?:anh|chi|em) oi|cho (?:toi|em) hoi)(?!\w)"
)
_INNER = {"cua", "da", "duoc", "the", "of", "a", "an", "is", "has", "have", "been", "yet", "la", "ve", "on", "about"}
_EDGE = _INNER | {
    "chua", "xong", "roi", "hoan", "thanh", "lam", "thuc", "hien", "nop", "gui", "trien", "khai", "done",
    "finished", "completed", "submitted", "trang", "thai", "tinh", "status", "co", "khong", "minh", "toi", "our",
    "my", "we", "i", "nay", "this", "what", "s",
}  # fmt: skip


def _status_by_title(
    text: str, whole: _Clause, units: UnitDirectory, caller_unit: str | None
) -> tuple[str | None, str] | None:
    """(unit named or None, the title words) when the message asks whether a task named by its title is done."""
    if whole.doc or not _STATUS_BY_TITLE.search(text) or not _STATUS_NOUN.search(text):
        return None
    if whole.kind == "latest" or (
        whole.kind is not None
        and not re.search(r"(?:xong|hoan thanh|nop|gui|lam) chua|(?:done|finished|completed|submitted) yet", text)
    ):
        return None  # "… tiến độ thế nào", "còn việc gì quá hạn không": the lists answer those
    words = [w for w in _words(_ASKING.sub(" ", text)) if w != "va"]
    code, start, end = units.find(words, caller_unit)
    if code is not None:  # "… của phường Hoàn Kiếm": the scope, not the title
        prefixes = {w for p, _ in PREFIXES for w in p.split()}
        while start > 0 and words[start - 1] in prefixes:
            start -= 1
        words = words[:start] + words[end:]
    words = [w for w in words if w not in _INNER]
    while words and words[0] in _EDGE:
        words.pop(0)
    while words and words[-1] in _EDGE:
        words.pop()
    if len(words) < 2:
        return None
    return code, " ".join(words)


def title_score(asked: str, title: str) -> tuple[float, float]:
    """How well the words of a status question match a task title: (the share of the asked words the title
    has, the share of the title's words asked), both folded."""
    want = set(asked.split())
    have = set(_words(normalise(title)))
    if not want or not have:
        return 0.0, 0.0
    common = len(want & have)
    return common / len(want), common / len(have)


def _unit(text: str, words: list[str], units: UnitDirectory, caller_unit: str | None) -> tuple[str, str | None]:
    code, _, _ = units.find(words, caller_unit)
    if code is not None:
        return code, None
    upper = re.findall(r"\b[a-z]{2,6}(?:-[a-z0-9]+)+\b", text)  # a unit code typed as such: HN-HOANKIEM
    for tok in upper:
        if tok.upper() in units.units:
            return tok.upper(), None
    if _has(text, r"ca nuoc", r"toan quoc", r"nationwide", r"across the country", r"national"):
        root = next((c for c, u in units.units.items() if u.parent is None), None)
        if root is not None:
            return root, None
    if not _has(text, *_SELF) and _has(text, *_BARE_PROVINCE):
        return SELF, "province"
    # A unit named but not in the table ("xã Hòa Bình" where no such commune is loaded): never the caller's
    # own unit — the name goes to the commands, which say that no such unit exists.
    if named := places(text):
        return named[0].upper(), None
    return SELF, None


# --- time ---------------------------------------------------------------------------------------------

_MONTHS_EN = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m
}


_DATE = r"(\d{1,2})(?:/(\d{1,2})(?:/(\d{2,4}))?)?"
_RANGE = re.compile(
    rf"(?:(?:tu|from|between|giua)(?: ngay)? )?{_DATE}(?: (?:den|toi|to|until|and|va)(?: ngay)? | ?- ?)"
    r"(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?"
)


def window_spec(text: str) -> str | None:
    """The time window a message names, as a spec: today, tomorrow, week, next_week, month, next_month,
    month:M, days:N, before:D/M[/Y], range:D/M[/Y]-D/M[/Y], year."""
    if m := _RANGE.search(text):  # "từ 1/12 đến 15/12", "from 1 to 15/12", "1/12-15/12"
        end = f"{int(m[4])}/{int(m[5])}" + (f"/{m[6]}" if m[6] else "")
        start = f"{int(m[1])}/{int(m[2] or m[5])}" + (f"/{m[3] or m[6]}" if m[3] or m[6] else "")
        return f"range:{start}-{end}"
    if m := re.search(
        r"(?:truoc|den|toi|han|by|before|until|tu nay den)(?: ngay)? (\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?", text
    ):
        return f"before:{int(m[1])}/{int(m[2])}" + (f"/{m[3]}" if m[3] else "")
    if m := re.search(r"(?:by|before|until) (\d{1,2}) (" + "|".join(_MONTHS_EN) + r")\b", text):
        return f"before:{int(m[1])}/{_MONTHS_EN[m[2]]}"
    if m := re.search(r"(?:by|before|until) (" + "|".join(_MONTHS_EN) + r") (\d{1,2})\b", text):
        return f"before:{int(m[2])}/{_MONTHS_EN[m[1]]}"
    if m := re.search(r"(\d{1,3}) (?:ngay|days?)(?: (?:toi|nua|sap toi|ke tiep|tiep theo|next|ahead|coming))?", text):
        if re.search(r"(?:trong|toi|nua|sap toi|ke tiep|tiep theo|next|ahead|coming|within)", text):
            return f"days:{int(m[1])}"
    if _has(text, r"hom nay", r"today", r"trong ngay"):
        return "today"
    if _has(text, r"ngay mai", r"tomorrow"):
        return "tomorrow"
    if _has(text, r"tuan (?:toi|sau|ke tiep|tiep theo)", r"next week"):
        return "next_week"
    if _has(text, r"tuan nay", r"trong tuan", r"this week", r"cuoi tuan"):
        return "week"
    if _has(text, r"thang (?:toi|sau|ke tiep|tiep theo)", r"next month"):
        return "next_month"
    if m := re.search(r"\bthang (\d{1,2})\b(?!/)", text):
        if 1 <= int(m[1]) <= 12:
            return f"month:{int(m[1])}"
    if m := re.search(r"\b(?:in )?(" + "|".join(k for k in _MONTHS_EN if len(k) > 3) + r")\b", text):
        return f"month:{_MONTHS_EN[m[1]]}"
    if _has(text, r"thang nay", r"trong thang", r"this month", r"cuoi thang"):
        return "month"
    if _has(text, r"nam nay", r"this year", r"cuoi nam"):
        return "year"
    return None


def window_dates(spec: str, today: date) -> tuple[date, date]:
    """(first day, last day) of a window spec, as of `today` (a window never starts before today)."""

    def month_end(y: int, m: int) -> date:
        return date(y, m, calendar.monthrange(y, m)[1])

    if spec == "today":
        return today, today
    if spec == "tomorrow":
        return today + timedelta(days=1), today + timedelta(days=1)
    if spec == "week":
        return today, today + timedelta(days=6 - today.weekday())
    if spec == "next_week":
        start = today + timedelta(days=7 - today.weekday())
        return start, start + timedelta(days=6)
    if spec == "month":
        return today, month_end(today.year, today.month)
    if spec == "next_month":
        y, m = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return date(y, m, 1), month_end(y, m)
    if spec == "year":
        return today, date(today.year, 12, 31)
    kind, _, arg = spec.partition(":")
    if kind == "days":
        return today, today + timedelta(days=int(arg))
    if kind == "month":
        m = int(arg)
        y = today.year if m >= today.month else today.year + 1
        return max(today, date(y, m, 1)), month_end(y, m)
    if kind == "before":
        return today, max(today, _day(arg, today))
    if kind == "range":
        first, _, last = arg.partition("-")
        end = _day(last, today)
        start = _day(first, today, year=end.year)
        if start > end and first.count("/") < 2:  # "từ 20/12 đến 5/1": the window starts the year before
            start = _day(first, today, year=end.year - 1)
        return max(today, start), max(today, start, end)
    raise ValueError(spec)


def _day(spec: str, today: date, *, year: int | None = None) -> date:
    """D/M[/Y] as a date: without a year this year's, or next year's once this year's has passed; a day that
    does not exist (31/2) is today."""
    parts = [int(p) for p in spec.split("/")]
    y = parts[2] if len(parts) > 2 else (year or today.year)  # `year`: the year a date without one is in
    y = y + 2000 if y < 100 else y
    try:
        day = date(y, parts[1], parts[0])
    except ValueError:
        return today
    if len(parts) == 2 and year is None and day < today:
        day = day.replace(year=day.year + 1)
    return day
