"""The part of a document a question names ("Điều 3 Quyết định 210", "khoản 2 Điều 2", "Mục II Kế hoạch 85",
"Article 3 of Decision 210"), and whether a passage's section is that part.

A passage's section is the path the loader read from the document's own headings, parts joined by " › ":
"Điều 2 › Khoản 2 › a)–d)", "QUYẾT ĐỊNH: › Điều 3–4", "Mục II › 3", "Mục I › 1 › 1.1 › dòng 5". A range
("Điều 3–4": the passage holds both articles) holds every number in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.text import (
    ABBREVIATIONS,
    DOCUMENT_KINDS,
    ENGLISH_DOCUMENT_KINDS,
    ENGLISH_FUNCTION_WORDS,
    expand_query,
    fold,
)

_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv"]
_NUMERAL = "|".join(sorted(_ROMAN, key=len, reverse=True))

# Folded: "điều 3", "dieu 3", "article 3"; "khoản 2", "clause 2", "paragraph 2"; "mục II", "muc 2", "section II".
_ARTICLE = re.compile(r"\b(?:dieu|article|art\.?)\s*(\d{1,3})\b")
_CLAUSE = re.compile(r"\b(?:khoan|clause|paragraph)\s*(\d{1,2})\b")
_HEADED = re.compile(rf"\b(?:muc|section|part)\s*({_NUMERAL}|\d{{1,2}})\b")
# A clause under a heading written with a dot: "mục II.3", "section II.3".
_HEADED_ITEM = re.compile(rf"\b(?:muc|section|part)\s*({_NUMERAL})\.(\d{{1,2}})\b")


@dataclass(frozen=True)
class Part:
    """What a question names: an article (and maybe its clause), or a numbered heading (and maybe an item)."""

    article: int | None = None
    heading: int | None = None  # "Mục II" → 2
    item: int | None = None  # a clause of the article, or a numbered item under the heading

    def __bool__(self) -> bool:
        return self.article is not None or self.heading is not None


def _number(numeral: str) -> int:
    """3 for "3", "iii" or "III"; 0 for a numeral past the list (no part is numbered 0)."""
    numeral = numeral.lower()
    if numeral.isdigit():
        return int(numeral)
    return _ROMAN.index(numeral) + 1 if numeral in _ROMAN else 0


def named_part(question: str) -> Part:
    """The part of a document the question names; an empty Part when it names none (or more than one)."""
    asked = fold(question)
    articles = {int(n) for n in _ARTICLE.findall(asked)}
    clauses = {int(n) for n in _CLAUSE.findall(asked)}
    dotted = _HEADED_ITEM.findall(asked)
    headings = {_number(h) for h, _ in dotted} or {_number(h) for h in _HEADED.findall(asked)}
    items = {int(i) for _, i in dotted} or clauses
    if len(articles) == 1 and not headings:
        return Part(article=articles.pop(), item=clauses.pop() if len(clauses) == 1 else None)
    if len(headings) == 1 and not articles:
        return Part(heading=headings.pop(), item=items.pop() if len(items) == 1 else None)
    return Part()


_RANGE = r"(\d+|[IVX]+)(?:–(\d+|[IVX]+))?"
_SECTION_ARTICLE = re.compile(rf"^(?:Điều|Article)\s+{_RANGE}$")
_SECTION_HEADING = re.compile(rf"^(?:Mục|MỤC|Section)\s+{_RANGE}$")
_SECTION_ITEM = re.compile(rf"^(?:(?:Khoản|Clause)\s+)?{_RANGE}\.?$")


def _holds(match: re.Match[str] | None, number: int) -> bool:
    if match is None:
        return False
    first = _number(match.group(1))
    last = _number(match.group(2)) if match.group(2) else first
    return first <= number <= last


def holds(section: str, part: Part) -> bool:
    """Whether a passage whose section is `section` is (inside) the named part."""
    if not part:
        return False
    steps = [s.strip() for s in section.split("›")]
    top = _SECTION_ARTICLE if part.article is not None else _SECTION_HEADING
    number = part.article if part.article is not None else part.heading
    assert number is not None
    for i, step in enumerate(steps):
        if _holds(top.match(step), number):
            below = steps[i + 1] if i + 1 < len(steps) else ""
            # The whole article holds its clauses; a passage of one clause holds only that one.
            return part.item is None or not _SECTION_ITEM.match(below) or _holds(_SECTION_ITEM.match(below), part.item)
    return False


# The English names of the kinds of document ("decision", "plan"), word by word.
_ENGLISH_KIND_WORDS = frozenset(w for en in ENGLISH_DOCUMENT_KINDS for w in en.split())

# What a question asking for a part as a whole says besides naming it and its document: "Điều 3 Quyết định 210
# quy định gì?", "Nội dung chính của Mục II Kế hoạch 85 là gì?", "What does Article 5 of Decision 210 say?".
_WHOLE_FRAME = frozenset(
    """
    dieu khoan muc article clause paragraph section part art quy dinh noi dung chinh tom tat trinh bay neu de cap
    van de say says provide provides cover covers contain contains about summary summarise summarize main content
    la gi cua co nhung cac nhu the nao ra sao ve cho biet hoi xin vui long toi em theo trong thi noi ban
    """.split()
)


def asks_whole(question: str) -> bool:
    """Whether the question asks what a part it names says, and nothing of it in particular."""
    if not named_part(question):
        return False
    kinds = set(DOCUMENT_KINDS.replace("|", " ").split())
    abbreviated = {w for short, full in ABBREVIATIONS.items() for w in (short, *full.split())}
    said = [
        t
        for t in expand_query(question)
        if not (t.isdigit() or "_" in t or t in _ROMAN or t in _WHOLE_FRAME)
        and t not in ENGLISH_FUNCTION_WORDS
        and t not in kinds
        and t not in abbreviated
        and t not in _ENGLISH_KIND_WORDS
    ]
    return not said


def _title_line(number: int, article: bool) -> re.Pattern[str]:
    """The heading line that opens a part: "## Điều 3. Cơ quan …", "## II. CHỈ TIÊU", "Mục II. …"."""
    if article:
        return re.compile(rf"^#*\s*(?:Điều|ĐIỀU|Article)\s+{number}\b")
    roman = _ROMAN[number - 1].upper() if number <= len(_ROMAN) else str(number)
    return re.compile(rf"^#*\s*(?:(?:Mục|MỤC|Section)\s+)?(?:{roman}|{number})[.:]\s")


_ANY_ARTICLE = re.compile(r"^#*\s*(?:Điều|ĐIỀU|Article)\s+\d+\b")
_ANY_HEADING = re.compile(r"^#*\s*(?:(?:Mục|MỤC|Section)\s+)?[IVX]+[.:]\s")
_ANY_ITEM = re.compile(r"^(?:Khoản\s+)?\d+[.)]\s")


def part_text(passage: str, part: Part) -> tuple[str, list[str]]:
    """The heading line that opens the named part in a passage ("" when the passage starts inside it) and the
    lines of the part below it, to the next part of the same level."""
    lines = [line.strip() for line in passage.splitlines() if line.strip()]
    article = part.article is not None
    number = part.article if article else part.heading
    assert number is not None
    title, body = "", lines
    opening = _title_line(number, article)
    start = next((i for i, line in enumerate(lines) if opening.match(line)), None)
    if start is not None:
        title = lines[start].lstrip("#").strip()
        same_level = _ANY_ARTICLE if article else _ANY_HEADING
        rest = lines[start + 1 :]
        end = next((i for i, line in enumerate(rest) if same_level.match(line)), len(rest))
        body = rest[:end]
    if part.item is not None:
        item = re.compile(rf"^(?:Khoản\s+)?{part.item}[.)]\s")
        first = next((i for i, line in enumerate(body) if item.match(line)), None)
        if first is not None:
            rest = body[first + 1 :]
            end = next((i for i, line in enumerate(rest) if _ANY_ITEM.match(line)), len(rest))
            body = [body[first], *rest[:end]]
    return title, body


def label(part: Part) -> str:
    """The part as the documents write it: "Điều 9", "khoản 2 Điều 3", "Mục VI", "Mục II.3"."""
    if part.article is not None:
        return f"khoản {part.item} Điều {part.article}" if part.item is not None else f"Điều {part.article}"
    assert part.heading is not None
    numeral = _ROMAN[part.heading - 1].upper() if part.heading <= len(_ROMAN) else str(part.heading)
    return f"Mục {numeral}.{part.item}" if part.item is not None else f"Mục {numeral}"


def parts_held(sections: list[str], part: Part) -> str:
    """The articles (or numbered headings, as `part` is) a document's passages are of, as the documents write
    them: "Điều 1–5", "Mục I–IV", "Điều 1, 3–4"; "" when it has none of that kind."""
    kind = _SECTION_ARTICLE if part.article is not None else _SECTION_HEADING
    held: set[int] = set()
    for section in sections:
        for step in (s.strip() for s in section.split("›")):
            m = kind.match(step)
            if m:
                first = _number(m.group(1))
                held.update(range(first, (_number(m.group(2)) if m.group(2) else first) + 1))
    held.discard(0)
    runs: list[list[int]] = []
    for n in sorted(held):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    word, show = ("Điều", str) if part.article is not None else ("Mục", lambda n: _ROMAN[n - 1].upper())
    shown = [show(r[0]) if len(r) == 1 else f"{show(r[0])}–{show(r[-1])}" for r in runs]
    return f"{word} {', '.join(shown)}" if shown else ""
