"""Split a loaded document into chunks that each read on their own and cite a precise section.

Structured documents (Party and State documents: Phần / Chương / Mục, "I.", "Điều 5.", "1.", "1.1.",
"2)", "a)") are parsed into a heading tree. Each chunk starts with its ancestors' heading lines and
carries its section path, e.g. "Mục II › 3 › b)" or "Điều 3 › Khoản 2 › a)":

* a node that fits in ``max_chars`` (with its ancestors' headings) is one chunk;
* otherwise its small children are packed together: one child → the child's path, several →
  a range such as "Mục II › 3 › a)–c)", its own text (if any) with them → the node's path;
* text too long for one chunk is split at paragraph, bullet, sentence, then clause boundaries, each
  part repeating the headings; only a sentence longer than the limit is cut, at a word boundary.

Text before the first heading is "Mở đầu" (folded into the first chunk when it is short). Tables
become one ``table_row`` chunk per row ("Header: cell | …"), section "<heading path> › <STT>" or
"<heading path> › dòng N" without an STT column ("Bảng K › …" outside any heading).

Documents with fewer than three structural headings (news, Arabic or Persian articles) are chunked
as prose: paragraphs merged up to ``max_chars``, kind "prose", section "Đoạn N" or "Đoạn N–M" (the
1-based paragraphs the chunk covers), so every chunk can still be cited.

The header block (motto, "Số …", place and date, rule lines) and the signature / "Nơi nhận" block
are dropped: they are in ``DocumentMeta`` or useless for answering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.types import Chunk

from .loaders import LoadedDocument, Table
from .metadata import doc_type_of_line, is_boilerplate, is_place_date_line, is_symbol_line, is_upper_line

__all__ = ["chunk_document", "PREAMBLE", "MIN_STRUCTURE_HEADINGS"]

PREAMBLE = "Mở đầu"
MIN_STRUCTURE_HEADINGS = 3  # below this a document is read as prose
_CONTEXT_CAP = 160  # ancestor heading lines longer than this are shortened when repeated
_PARENTHETICAL = re.compile(r"^\s*\(.*\)\s*$", re.DOTALL)  # "(Kèm theo Quyết định số …)"
_FOLD_PREAMBLE = 300  # a preamble shorter than this joins the first chunk instead of standing alone
_HEADER_ZONE = 40

_ROMAN = re.compile(r"^(X{0,3})(IX|IV|V?I{0,3})$")
_SEP = r"(?=$|[\s.:\-–—])[\s.:\-–—]*"
_RE_PART = re.compile(r"^(?:PHẦN|Phần)\s+(THỨ\s+[^\W\d_]+|thứ\s+[^\W\d_]+|[IVXLC]+|\d+)" + _SEP + r"(.*)$")
_RE_APPENDIX = re.compile(
    r"^(PHỤ LỤC|Phụ lục)(?:\s+(?:số\s+|SỐ\s+)?([IVXLC]+|\d+[a-zA-Z]?)(?=$|[\s.:\-–—]))?"
    r"[\s.:\-–—]*(.*)$"
)
_RE_CHAPTER = re.compile(r"^(?:CHƯƠNG|Chương)\s+([IVXLC]+|\d+)" + _SEP + r"(.*)$")
_RE_SECTION = re.compile(r"^(?:MỤC|Mục)\s+([IVXLC]+|\d+)" + _SEP + r"(.*)$")
_RE_ARTICLE = re.compile(r"^(?:Điều|ĐIỀU)\s+(\d{1,3}[a-z]?)\s*(?:[.:]\s*(.*))?$")
_RE_ROMAN = re.compile(r"^([IVX]{1,7})\s*[.\-–—:]\s*(.*)$")
_RE_NUM = re.compile(r"^(\d{1,3}(?:\.\d{1,2}){0,3})\s*([.)])\s+(\S.*)$")
_RE_NUM_NODOT = re.compile(r"^(\d{1,3}(?:\.\d{1,2}){1,3})\s+(\S.*)$")
_RE_LETTER = re.compile(r"^([a-zđ])\)\s+(\S.*)$")
_RE_MD = re.compile(r"^(#{1,6})\s+(\S.*)$")
_RE_SIGNATURE = re.compile(
    r"^(?:(?:T\.?M|T/M|K\.?T|K/T|T\.?L|T/L|TUQ|Q)\.?\s+\S.*|\((?:Đã ký|đã ký)\)|Nơi nhận\s*:?.*|NƠI NHẬN\s*:?.*)$"
)
# The closing formula, ended by the document's end mark "/.": "Trên đây là báo cáo kết quả … của Ủy ban nhân dân xã
# Hòa Minh Sơn./." It carries the issuer's name into the last section's passage, which then ranked first for any
# question naming the commune.
_CLOSING = re.compile(r"^Trên đây là\b.{0,300}/\.$")
_RANK = {"part": 0.0, "appendix": 0.0, "chapter": 1.0, "section": 2.0, "article": 3.0}
_STT = re.compile(r"^(stt|tt|số tt|số thứ tự|no\.?|#)$", re.IGNORECASE)


@dataclass
class _Heading:
    kind: str  # part, appendix, chapter, section, article, md1…md6, n1…n4, paren, letter
    ident: str
    label: str
    rank: float | None  # fixed rank for the major kinds; None for numbered and lettered points
    bare: bool = False  # "CHƯƠNG I" alone on its line: the next upper-case line is its title


@dataclass
class _Node:
    heading: str
    label: str
    kind: str
    rank: float | None
    parent: _Node | None = None
    items: list[str | Table] = field(default_factory=list)  # text and tables before the first child
    children: list[_Node] = field(default_factory=list)
    awaiting_title: bool = False

    @property
    def path(self) -> str:
        labels: list[str] = []
        node: _Node | None = self
        while node is not None and node.parent is not None:
            labels.append(node.label)
            node = node.parent
        return " › ".join(reversed(labels))

    def ancestors(self) -> list[_Node]:
        out: list[_Node] = []
        node = self.parent
        while node is not None and node.parent is not None:
            out.append(node)
            node = node.parent
        return list(reversed(out))


@dataclass
class _Out:
    text: str
    section: str
    kind: str


# --- line classification --------------------------------------------------------------------------


def _starts_lower(rest: str) -> bool:
    return bool(rest) and rest[0].islower()


def _classify(line: str) -> _Heading | None:
    """The heading a line opens, or None for body text (bullets are body text)."""
    m = _RE_MD.match(line)
    if m:
        inner = _classify(m.group(2))
        if inner is not None:
            return inner
        level = len(m.group(1))
        return _Heading(f"md{level}", "", _shorten(m.group(2), 60), 0.5 + level / 10)
    m = _RE_ARTICLE.match(line)
    if m:
        return _Heading("article", m.group(1), f"Điều {m.group(1)}", _RANK["article"], bare=not m.group(2))
    m = _RE_PART.match(line)
    if m and not _starts_lower(m.group(2)):
        ident = m.group(1)
        ident = ident.lower() if ident.upper().startswith("THỨ") else ident
        return _Heading("part", ident, f"Phần {ident}", _RANK["part"], bare=not m.group(2))
    m = _RE_APPENDIX.match(line)
    if m and len(line) < 250 and (m.group(1) == "PHỤ LỤC" or m.group(2) or not _starts_lower(m.group(3))):
        ident = m.group(2) or ""
        return _Heading("appendix", ident, f"Phụ lục {ident}".strip(), _RANK["appendix"], bare=not m.group(3))
    m = _RE_CHAPTER.match(line)
    if m and not _starts_lower(m.group(2)):
        return _Heading("chapter", m.group(1), f"Chương {m.group(1)}", _RANK["chapter"], bare=not m.group(2))
    m = _RE_SECTION.match(line)
    if m and not _starts_lower(m.group(2)):
        return _Heading("section", m.group(1), f"Mục {m.group(1)}", _RANK["section"], bare=not m.group(2))
    m = _RE_ROMAN.match(line)
    if m and _ROMAN.match(m.group(1)) and not _starts_lower(m.group(2)):
        # Roman headings of Party documents ("II. QUAN ĐIỂM CHỈ ĐẠO") are cited as "Mục II".
        return _Heading("section", m.group(1), f"Mục {m.group(1)}", _RANK["section"], bare=not m.group(2))
    m = _RE_NUM.match(line)
    if m:
        ident, close = m.group(1), m.group(2)
        depth = ident.count(".") + 1
        if close == ")" and depth == 1:
            return _Heading("paren", ident, f"{ident})", None)
        return _Heading(f"n{depth}", ident, ident, None)
    m = _RE_NUM_NODOT.match(line)
    if m and m.group(2)[0].isupper():  # "1.1 Đối tượng"; "3.5 triệu" is a number, not a heading
        ident = m.group(1)
        return _Heading(f"n{ident.count('.') + 1}", ident, ident, None)
    m = _RE_LETTER.match(line)
    if m:
        return _Heading("letter", m.group(1), f"{m.group(1)})", None)
    return None


def _same_level(existing: str, new: str) -> bool:
    if existing == new:
        return True
    # "2." closes an open "1.1." as well as "1."; numbered levels compare by depth.
    if existing[0] == "n" and new[0] == "n" and existing[1:].isdigit() and new[1:].isdigit():
        return int(existing[1:]) >= int(new[1:])
    return False


# --- preparing lines ------------------------------------------------------------------------------


def _events(doc: LoadedDocument) -> list[str | Table]:
    """Lines and tables in document order, without header boilerplate and the signature block."""
    lines: list[tuple[int, str]] = []
    offset = 0
    for raw in doc.text.split("\n"):
        lines.append((offset, raw.strip()))
        offset += len(raw) + 1

    # Header zone: up to the first heading or the first real paragraph.
    zone_end = 0
    for i, (_, line) in enumerate(lines[:_HEADER_ZONE]):
        if line and (len(line) > 200 or _classify(line) is not None):
            break
        zone_end = i + 1
    # Upper-case lines above the type line ("BAN CHẤP HÀNH TRUNG ƯƠNG" over "NGHỊ QUYẾT") name the issuer,
    # which DocumentMeta already holds.
    type_line = next((i for i, (_, line) in enumerate(lines[:zone_end]) if doc_type_of_line(line)), -1)
    kept: list[tuple[int, str]] = []
    in_trailer = False
    for i, (off, line) in enumerate(lines):
        if not line or is_boilerplate(line):
            continue
        if i < zone_end and (is_symbol_line(line) or is_place_date_line(line)):
            continue
        if i < type_line and is_upper_line(line):
            continue
        if _CLOSING.match(line):
            continue  # "Trên đây là báo cáo của Ủy ban nhân dân xã …/.": names the document, states nothing
        bare = line.strip("*_ ")  # Markdown writes the block's label in bold: "**Nơi nhận:**"
        if bare and _RE_SIGNATURE.match(bare) and len(bare) < 120 and (is_upper_line(bare) or bare[0] in "(Nn"):
            in_trailer = True  # signature and "Nơi nhận" list: drop until an appendix, if any
            continue
        if in_trailer:
            # Signature and recipient lines are short and never headings; anything else ends the block
            # (an appendix after "Nơi nhận", or a false start).
            if _classify(line) is None and len(line) <= 150:
                continue
            in_trailer = False
        kept.append((off, line))

    merged: list[tuple[int, int, str | Table]] = [(off, 1, line) for off, line in kept]
    merged += [(t.position, 0, t) for t in doc.tables]
    merged.sort(key=lambda e: (e[0], e[1]))
    return [e[2] for e in merged]


# --- building the tree ----------------------------------------------------------------------------


def _build_tree(events: list[str | Table]) -> tuple[_Node, int]:
    root = _Node(heading="", label="", kind="root", rank=-1.0)
    stack: list[_Node] = [root]
    headings = [(i, _classify(e)) if isinstance(e, str) else (i, None) for i, e in enumerate(events)]
    md1 = [i for i, h in headings if h is not None and h.kind == "md1"]
    first_heading = next((i for i, h in headings if h is not None), -1)
    count = 0
    for i, event in enumerate(events):
        if isinstance(event, Table):
            stack[-1].items.append(event)
            stack[-1].awaiting_title = False
            continue
        h = headings[i][1]
        if h is not None and len(md1) == 1 and i == md1[0] == first_heading:
            h = None  # a single leading "# Title" is the document title, not a level of every path
        if h is None:
            top = stack[-1]
            if top.awaiting_title and is_upper_line(event) and len(event) < 250:
                top.heading += "\n" + event  # "CHƯƠNG I" / "NHỮNG QUY ĐỊNH CHUNG"
            else:
                top.items.append(event)
            top.awaiting_title = False
            continue
        count += 1
        if h.rank is not None:
            while len(stack) > 1 and (stack[-1].rank is None or stack[-1].rank >= h.rank):
                stack.pop()
        else:
            lo = max(i for i, n in enumerate(stack) if n.rank is not None) + 1
            target = next((j for j in range(lo, len(stack)) if _same_level(stack[j].kind, h.kind)), None)
            if target is not None:
                del stack[target:]
        label = h.label
        if h.kind == "n1" and any(n.kind == "article" for n in stack):
            label = f"Khoản {h.ident}"
        node = _Node(heading=event, label=label, kind=h.kind, rank=h.rank, parent=stack[-1], awaiting_title=h.bare)
        stack[-1].children.append(node)
        stack.append(node)
    return root, count


# --- text splitting -------------------------------------------------------------------------------

_SPLITTERS = (
    re.compile(r"(?<=\s\|)\s+"),  # table cells ("Header: cell | Header: cell")
    re.compile(r"(?<=[.!?؟…])\s+"),  # sentences (Latin, Arabic and Persian question mark)
    re.compile(r"(?<=[;؛:])\s+"),  # clauses
    re.compile(r"(?<=[,،])\s+"),  # phrases
    re.compile(r"\s+"),  # words
)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def _atoms(text: str, budget: int, level: int) -> list[str]:
    if len(text) <= budget:
        return [text]
    if level >= len(_SPLITTERS):
        return [text[i : i + budget] for i in range(0, len(text), budget)]  # one "word" longer than a chunk
    out: list[str] = []
    for atom in _SPLITTERS[level].split(text):
        if atom:
            out.extend(_atoms(atom, budget, level + 1))
    return out


def _segments(text: str, budget: int) -> list[str]:
    """Pieces of `text`, each at most `budget` characters, cut at the coarsest boundary that works.

    Only a part longer than `budget` is cut at the next finer boundary (cells, sentences, clauses,
    phrases, words, characters); the resulting atoms are then packed greedily.
    """
    out: list[str] = []
    current = ""
    for atom in _atoms(text, budget, 0):
        if not current:
            current = atom
        elif len(current) + 1 + len(atom) <= budget:
            current = f"{current} {atom}"
        else:
            out.append(current)
            current = atom
    if current:
        out.append(current)
    return out


def _fit_prefix(lines: list[str], max_chars: int) -> list[str]:
    """Heading lines to repeat, shortened so they take at most half a chunk."""
    budget = max_chars // 2
    cap = _CONTEXT_CAP
    out = [_shorten(line, cap) for line in lines if line]
    while out and len("\n".join(out)) > budget and cap > 30:
        cap = max(30, cap - 20)
        out = [_shorten(line, cap) for line in lines if line]
    while out and len("\n".join(out)) > budget:
        out = out[1:]  # keep the nearest headings
    return out


def _join(prefix: list[str], body: str) -> str:
    return "\n".join([*prefix, body]) if prefix else body


def _pack(paragraphs: list[str], first_prefix: list[str], rest_prefix: list[str], max_chars: int) -> list[str]:
    """Greedily fill chunks with paragraphs; the first chunk gets `first_prefix`, later ones `rest_prefix`."""
    longest = max(len("\n".join(first_prefix)), len("\n".join(rest_prefix)))
    budget = max(1, max_chars - longest - 1)
    pieces: list[tuple[str, str]] = []  # (text, joiner before it when it shares a chunk with the previous piece)
    for para in paragraphs:
        for k, seg in enumerate(_segments(para, budget)):
            pieces.append((seg, " " if k else "\n"))
    out: list[str] = []
    body = ""
    prefix = first_prefix
    for seg, joiner in pieces:
        candidate = f"{body}{joiner}{seg}" if body else seg
        if len(_join(prefix, candidate)) <= max_chars:
            body = candidate
            continue
        if body:
            out.append(_join(prefix, body))
        prefix = rest_prefix
        body = seg
    if body:
        out.append(_join(prefix, body))
    return out


# --- emitting chunks ------------------------------------------------------------------------------


def _render(node: _Node) -> str:
    parts = [node.heading] if node.heading else []
    parts += [item for item in node.items if isinstance(item, str)]
    parts += [_render(child) for child in node.children]
    return "\n".join(p for p in parts if p)


def _range(first: str, last: str) -> str:
    """ "Khoản 3", "Khoản 5" → "Khoản 3–5"; "a)", "c)" → "a)–c)"."""
    word, _, rest = last.rpartition(" ")
    if word and first.startswith(word + " "):
        return f"{first}–{rest}"
    return f"{first}–{last}"


def _tables_in(node: _Node) -> list[tuple[_Node, Table]]:
    out = [(node, item) for item in node.items if isinstance(item, Table)]
    for child in node.children:
        out += _tables_in(child)
    return out


class _Emitter:
    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.out: list[_Out] = []
        self.table_ids: dict[int, int] = {}

    def context(self, node: _Node, *, include_self: bool) -> list[str]:
        nodes = node.ancestors() + ([node] if include_self and node.parent is not None else [])
        return _fit_prefix([" ".join(n.heading.split("\n")) for n in nodes], self.max_chars)

    def add(self, text: str, section: str, kind: str = "text") -> None:
        if text.strip():
            self.out.append(_Out(text, section, kind))

    def table(self, owner: _Node, table: Table, *, prefix: list[str] | None = None) -> None:
        """One chunk per row (more if a row is huge), after the headings of the node holding the table."""
        number = self.table_ids.setdefault(id(table), len(self.table_ids) + 1)
        ctx = self.context(owner, include_self=True) if prefix is None else prefix
        base = owner.path or f"Bảng {number}"
        stt = next((k for k, h in enumerate(table.headers) if _STT.match(h.strip())), None)
        for index, row in enumerate(table.rows, start=1):
            if not any(cell.strip() for cell in row):
                continue
            cells = [f"{h}: {c}" if h else c for h, c in zip(table.headers, row, strict=False) if c.strip()]
            cells += [c for c in row[len(table.headers) :] if c.strip()]  # cells beyond the header row
            number_cell = row[stt].strip() if stt is not None and stt < len(row) else ""
            label = number_cell if number_cell else f"dòng {index}"
            body = " | ".join(cells)
            for part in _pack([body], ctx, ctx, self.max_chars):
                self.add(part, f"{base} › {label}", "table_row")

    def node(self, node: _Node) -> None:
        """Emit a node that is not the root."""
        ancestors = self.context(node, include_self=False)
        own = [item for item in node.items if isinstance(item, str)]
        # An annex heading with only "(Kèm theo Kế hoạch số …)" above its table: alone it would be a chunk that
        # answers nothing yet ranks first for the words of its title; its rows carry it instead.
        tables = [item for item in node.items if isinstance(item, Table)]
        caption_only = bool(tables) and not node.children and all(_PARENTHETICAL.match(t) for t in own)
        if caption_only and len(node.heading) <= _CONTEXT_CAP:
            prefix = _fit_prefix([*self.context(node, include_self=True), *own], self.max_chars)
            for table in tables:
                self.table(node, table, prefix=prefix)
            return

        whole = _render(node)
        if len(_join(ancestors, whole)) <= self.max_chars:
            self.add(_join(ancestors, whole), node.path)
            for owner, table in _tables_in(node):
                self.table(owner, table)
            return
        own_ctx = self.context(node, include_self=True)
        # Own text: the heading and the paragraphs before the first child, tables in their place.
        own_text = [item for item in node.items if isinstance(item, str)]
        has_own = bool(own_text) or len(node.heading) > _CONTEXT_CAP or not node.children
        group: list[_Node] = []
        group_has_own = False

        def flush() -> None:
            nonlocal group, group_has_own
            if not group and not group_has_own:
                return
            if group_has_own:
                body = "\n".join([node.heading, *own_text, *(_render(c) for c in group)])
                self.add(_join(ancestors, body), node.path)
            else:
                body = "\n".join(_render(c) for c in group)
                section = (
                    group[0].path if len(group) == 1 else f"{node.path} › {_range(group[0].label, group[-1].label)}"
                )
                self.add(_join(own_ctx, body), section)
            for child in group:
                for owner, table in _tables_in(child):
                    self.table(owner, table)
            if group_has_own:
                for item in node.items:
                    if isinstance(item, Table):
                        self.table(node, item)
            group, group_has_own = [], False

        if has_own:
            own_whole = "\n".join([node.heading, *own_text])
            if len(_join(ancestors, own_whole)) <= self.max_chars:
                group_has_own = True  # may share its chunk with the first small children
            else:
                self.own_split(node, ancestors, own_ctx)
        for child in node.children:
            rendered = _render(child)
            if len(_join(own_ctx, rendered)) > self.max_chars:
                flush()
                self.node(child)
                continue
            trial = group + [child]
            if group_has_own:
                body = "\n".join([node.heading, *own_text, *(_render(c) for c in trial)])
                fits = len(_join(ancestors, body)) <= self.max_chars
            else:
                fits = len(_join(own_ctx, "\n".join(_render(c) for c in trial))) <= self.max_chars
            if not fits:
                flush()
                trial = [child]
            group = trial
        flush()

    def own_split(self, node: _Node, ancestors: list[str], own_ctx: list[str]) -> None:
        """A heading plus body text too long for one chunk: parts that each repeat the headings."""
        run: list[str] = [node.heading] if node.heading else []
        first = True
        section = node.path or PREAMBLE
        for item in node.items:
            if isinstance(item, Table):
                if run:
                    for part in _pack(run, ancestors if first else own_ctx, own_ctx, self.max_chars):
                        self.add(part, section)
                    first = False
                    run = []
                self.table(node, item)
            else:
                run.append(item)
        if run:
            for part in _pack(run, ancestors if first else own_ctx, own_ctx, self.max_chars):
                self.add(part, section)

    def root(self, root: _Node) -> None:
        preamble = [item for item in root.items if isinstance(item, str)]
        start = len(self.out)
        if preamble:
            for part in _pack(preamble, [], [], self.max_chars):
                self.add(part, PREAMBLE)
        for item in root.items:
            if isinstance(item, Table):
                self.table(root, item, prefix=[])
        folded = len(self.out) == start + 1 and len(self.out[start].text) < _FOLD_PREAMBLE
        for child in root.children:
            self.node(child)
        if folded and len(self.out) > start + 1:
            pre, first = self.out[start], self.out[start + 1]
            if first.kind == "text" and len(pre.text) + 1 + len(first.text) <= self.max_chars:
                self.out[start : start + 2] = [_Out(f"{pre.text}\n{first.text}", first.section, first.kind)]

    def prose(self, events: list[str | Table]) -> None:
        paragraphs: list[tuple[int, str]] = []
        n = 0

        def flush() -> None:
            if not paragraphs:
                return
            groups: list[list[tuple[int, str]]] = [[]]
            for number, para in paragraphs:
                trial = "\n".join(p for _, p in groups[-1] + [(number, para)])
                if groups[-1] and len(trial) > self.max_chars:
                    groups.append([])
                groups[-1].append((number, para))
            for group in groups:
                first, last = group[0][0], group[-1][0]
                section = f"Đoạn {first}" if first == last else f"Đoạn {first}–{last}"
                for part in _pack([p for _, p in group], [], [], self.max_chars):
                    self.add(part, section, "prose")
            paragraphs.clear()

        for event in events:
            if isinstance(event, Table):
                flush()
                self.table(_Node("", "", "root", -1.0), event, prefix=[])
            else:
                n += 1
                paragraphs.append((n, event))
        flush()


def chunk_document(doc: LoadedDocument, *, max_chars: int = 1200) -> list[Chunk]:
    """Chunks of `doc` in reading order, none longer than `max_chars`."""
    if max_chars < 80:
        raise ValueError("max_chars must be at least 80")
    events = _events(doc)
    root, headings = _build_tree(events)
    emitter = _Emitter(max_chars)
    if headings >= MIN_STRUCTURE_HEADINGS:
        emitter.root(root)
    else:
        emitter.prose(events)
    return [Chunk(text=o.text, section=o.section, ordinal=i, kind=o.kind) for i, o in enumerate(emitter.out)]
