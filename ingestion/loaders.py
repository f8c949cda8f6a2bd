"""Read a file into text, tables and metadata: .txt, .md, .pdf, .docx, .html/.htm.

Every loader returns NFC-normalised text with "\\n" line ends. Tables are kept apart from the text
(``LoadedDocument.tables``) with the character offset where they stood, so chunking can put each row
back in its place. Failures raise the classes in ``ingestion.errors`` with a Vietnamese message.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from retrieval.types import DocumentMeta

from .errors import (
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    IngestError,
    NoTextLayer,
    TooLarge,
    UnsupportedFile,
)
from .metadata import extract_meta, is_place_date_line, is_symbol_line

__all__ = [
    "Limits",
    "Table",
    "LoadedDocument",
    "Loader",
    "TextLoader",
    "PdfLoader",
    "DocxLoader",
    "HtmlLoader",
    "LOADERS",
    "SUPPORTED_SUFFIXES",
    "load_document",
    "decode_text",
    "normalise_text",
    "split_pipe_tables",
]


@dataclass(frozen=True)
class Limits:
    """What one document may cost. A file over a limit is refused with its reason (the sync goes on).

    Zip sizes are checked twice: as the central directory declares them, then by counting the bytes
    actually inflated (a crafted archive can declare anything). Extracted text is counted while it is
    read, so a zip bomb or a 50 MB text file is refused after a few megabytes, not after embedding.
    """

    max_chars: int = 2_000_000  # extracted text per document (MAX_DOCUMENT_CHARS)
    max_zip_entries: int = 5_000
    max_zip_bytes: int = 256 * 1024 * 1024  # all entries, unpacked
    max_zip_entry_bytes: int = 64 * 1024 * 1024  # one entry (word/document.xml), unpacked
    max_pdf_pages: int = 3_000


DEFAULT_LIMITS = Limits()


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB".replace(",", ".")


def _chars(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _too_much_text(limits: Limits, path: Path) -> TooLarge:
    return TooLarge("ingest.too_long", path=path, chars=_chars(limits.max_chars))


def check_zip(data: bytes, limits: Limits, path: Path, what: str) -> None:
    """Refuse an archive (.docx/.xlsx) with too many entries or unpacking to too much: first by the sizes its
    central directory declares, then by inflating each entry in small pieces and counting what comes out."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_zip_entries:
                raise TooLarge("ingest.zip_parts", path=path, what=what, n=len(infos), most=limits.max_zip_entries)
            declared = sum(i.file_size for i in infos)
            biggest = max((i.file_size for i in infos), default=0)
            if declared > limits.max_zip_bytes or biggest > limits.max_zip_entry_bytes:
                raise TooLarge(
                    "ingest.zip_too_big",
                    path=path,
                    what=what,
                    size=_mb(max(declared, biggest)),
                    most=_mb(limits.max_zip_bytes),
                )
            total = 0
            for info in infos:
                entry = 0
                with zf.open(info) as fh:
                    while block := fh.read(1 << 16):
                        entry += len(block)
                        total += len(block)
                        if entry > limits.max_zip_entry_bytes or total > limits.max_zip_bytes:
                            size = _mb(min(total, limits.max_zip_bytes))
                            raise TooLarge("ingest.zip_lies", path=path, what=what, size=size)
    except IngestError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise CorruptDocument("ingest.zip_corrupt", path=path, what=what) from exc
    except Exception as exc:  # noqa: BLE001 - zlib.error and friends: a damaged archive
        raise CorruptDocument("ingest.zip_corrupt", path=path, what=what) from exc


@dataclass
class Table:
    """A table pulled out of the text. `position` is the offset in `LoadedDocument.text` where it stood."""

    headers: list[str]
    rows: list[list[str]]
    position: int = 0


@dataclass
class LoadedDocument:
    text: str  # the body, without front matter and without the tables
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    tables: list[Table] = field(default_factory=list)


class Loader(Protocol):
    def load(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedDocument: ...


# --- text helpers ---------------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200e\u200f\ufeff\x00"), None)  # ZWNJ (U+200C) stays: Persian needs it


def normalise_text(text: str) -> str:
    """NFC, '\\n' line ends, no NUL/BOM/zero-width spaces, non-breaking spaces made plain, lines right-stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    text = text.replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n")
    # cp1258 and some PDF/Word exports write tone marks as combining characters; NFC composes them.
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def decode_text(data: bytes) -> str:
    """Decode a plain-text file: BOMs first, then UTF-8, then BOM-less UTF-16, then Windows-1258."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return data.decode("utf-32", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    sample = data[:4000]
    if sample.count(0) > len(sample) // 4:
        # BOM-less UTF-16: ASCII-range characters leave a NUL in every other byte.
        odd_nuls = sample[1::2].count(0)
        even_nuls = sample[0::2].count(0)
        return data.decode("utf-16-le" if odd_nuls >= even_nuls else "utf-16-be", errors="replace")
    # Legacy Vietnamese Windows files (cp1258). Undefined bytes become U+FFFD rather than failing the file.
    return data.decode("cp1258", errors="replace")


_PIPE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _pipe_cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells = re.split(r"(?<!\\)\|", s)
    return [c.strip().replace("\\|", "|") for c in cells]


def split_pipe_tables(text: str) -> tuple[str, list[Table]]:
    """Remove Markdown pipe tables (header row, |---| line, rows) from `text` and return them as Tables."""
    lines = text.split("\n")
    out: list[str] = []
    tables: list[Table] = []
    offset = 0  # length of "\n".join(out) + "\n" so far, i.e. where the next line starts
    i = 0
    while i < len(lines):
        line = lines[i]
        if (
            "|" in line
            and i + 1 < len(lines)
            and _PIPE_SEPARATOR.match(lines[i + 1])
            and "|" in lines[i + 1]
            and line.strip()
        ):
            headers = _pipe_cells(line)
            rows: list[list[str]] = []
            j = i + 2
            while j < len(lines) and "|" in lines[j] and lines[j].strip():
                cells = _pipe_cells(lines[j])
                # Pad or trim so every row lines up with the headers.
                cells = (cells + [""] * len(headers))[: max(len(headers), 1)]
                rows.append(cells)
                j += 1
            tables.append(Table(headers=headers, rows=rows, position=offset))
            out.append("")  # a blank line where the table stood keeps paragraphs around it apart
            offset += 1
            i = j
            continue
        out.append(line)
        offset += len(line) + 1
        i += 1
    return "\n".join(out), tables


def _finish(
    raw_text: str,
    path: Path,
    tables: list[Table] | None = None,
    *,
    markdown: bool = False,
    html_title: str = "",
    limits: Limits = DEFAULT_LIMITS,
) -> LoadedDocument:
    table_chars = sum(len(c) for t in tables or [] for row in [t.headers, *t.rows] for c in row)
    if len(raw_text) + table_chars > limits.max_chars:
        raise _too_much_text(limits, path)
    text = normalise_text(raw_text)
    meta, body = extract_meta(text, path)
    found: list[Table] = list(tables or [])
    if markdown:
        body, found = split_pipe_tables(body)
    elif found:
        # Table offsets were measured on the text before front matter was cut; shift them back.
        shift = len(text) - len(body) if text.endswith(body) else 0
        found = [replace(t, position=max(0, t.position - shift)) for t in found]
    found = [t for t in found if t.rows or any(t.headers)]
    if not body.strip() and not found:
        raise EmptyDocument(path=path)
    if html_title and not meta.title:
        meta = replace(meta, title=html_title)
    return LoadedDocument(text=body, meta=meta, tables=found)


def _read_bytes(path: Path, max_bytes: int | None = None, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The file's bytes; with `max_bytes`, a bigger file is refused before it is read (as too much text)."""
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise _too_much_text(limits, path)
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise IngestError("ingest.not_found", path=path) from exc
    except IsADirectoryError as exc:
        raise UnsupportedFile("ingest.is_folder", path=path) from exc
    except OSError as exc:
        raise IngestError("ingest.unreadable", path=path) from exc
    if not data.strip():
        raise EmptyDocument(path=path)
    return data


# --- loaders --------------------------------------------------------------------------------------


class TextLoader:
    """.txt and .md: encoding detection, front matter, Markdown pipe tables."""

    def load(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedDocument:
        # UTF-16 takes 2 bytes a character (and any Vietnamese letter at most 3 in UTF-8): bigger is too much text.
        data = _read_bytes(path, 4 * limits.max_chars, limits)
        if _looks_binary(data):
            raise CorruptDocument("ingest.binary", path=path)
        return _finish(decode_text(data), path, markdown=True, limits=limits)


def _looks_binary(data: bytes) -> bool:
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = data[:4000]
    nuls = sample.count(0)
    if nuls > len(sample) // 4:
        # UTF-16 without BOM has its NULs all on one side; binary data scatters them.
        return min(sample[0::2].count(0), sample[1::2].count(0)) > len(sample) // 50
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32 and b != 27)
    return controls > len(sample) // 20


class PdfLoader:
    """.pdf through pypdf's text layer; scans (no text) are refused rather than indexed empty."""

    def load(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedDocument:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError, FileNotDecryptedError

        data = _read_bytes(path)
        if b"%PDF" not in data[:1024]:
            raise CorruptDocument("ingest.pdf_corrupt", path=path)
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("")  # many "protected" PDFs only restrict printing/copying
                except (DependencyError, NotImplementedError) as exc:
                    raise EncryptedDocument(path=path) from exc
                if not opened:
                    raise EncryptedDocument("ingest.pdf_encrypted", path=path)
            if len(reader.pages) > limits.max_pdf_pages:
                raise TooLarge("ingest.pdf_pages", path=path, n=len(reader.pages), most=limits.max_pdf_pages)
            pages: list[str] = []
            extracted = 0
            for page in reader.pages:
                pages.append(page.extract_text() or "")
                extracted += len(pages[-1])
                if extracted > limits.max_chars:
                    raise _too_much_text(limits, path)
        except IngestError:
            raise
        except FileNotDecryptedError as exc:
            raise EncryptedDocument("ingest.pdf_encrypted", path=path) from exc
        except Exception as exc:  # pypdf raises many unrelated types (ValueError, KeyError, zlib.error …) on damage
            raise CorruptDocument("ingest.pdf_unreadable", path=path) from exc
        text = "\n\n".join(p.strip("\n") for p in pages)
        if not text.strip():
            raise NoTextLayer(path=path)
        return _finish(text, path, limits=limits)


_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: legacy .doc, or an encrypted .docx


class DocxLoader:
    """.docx with python-docx: paragraphs and tables in document order."""

    def load(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedDocument:
        import docx
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph

        data = _read_bytes(path)
        if data.startswith(_CFB_MAGIC):
            if "EncryptionInfo".encode("utf-16-le") in data:
                raise EncryptedDocument("ingest.word_encrypted", path=path)
            raise UnsupportedFile("ingest.word_old", path=path)
        check_zip(data, limits, path, "Word")
        try:
            document = docx.Document(io.BytesIO(data))
            lines: list[str] = []
            tables: list[Table] = []
            extracted = 0
            for block in document.iter_inner_content():
                if isinstance(block, Paragraph):
                    lines.append(normalise_text(block.text))
                    extracted += len(lines[-1])
                elif isinstance(block, DocxTable):
                    rows = [
                        [normalise_text(_cell_text(cell.text)) for cell in _unique_cells(row.cells)]
                        for row in block.rows
                    ]
                    extracted += sum(len(c) for r in rows for c in r)
                    _place_table(rows, lines, tables)
                if extracted > limits.max_chars:
                    raise _too_much_text(limits, path)
        except IngestError:
            raise
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise CorruptDocument("ingest.word_corrupt", path=path) from exc
        except Exception as exc:  # python-docx/lxml raise assorted errors on malformed XML
            raise CorruptDocument("ingest.word_unreadable", path=path) from exc
        return _finish("\n".join(lines), path, tables, limits=limits)


def _unique_cells(cells: Any) -> list[Any]:
    # A horizontally merged cell is returned once per grid column; keep one copy.
    out: list[Any] = []
    for cell in cells:
        if not out or cell._tc is not out[-1]._tc:
            out.append(cell)
    return out


def _cell_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _is_layout_table(rows: list[list[str]]) -> bool:
    """Official documents put their header (issuer | motto, symbol | date) and signature in borderless tables."""
    if len(rows) < 2 or max((len(r) for r in rows), default=0) < 2:
        return True
    if len(rows) <= 3:
        cells = [c for r in rows for c in r]
        for cell in cells:
            for part in cell.split("\n"):
                if (
                    is_symbol_line(part)
                    or is_place_date_line(part)
                    or "CỘNG HÒA XÃ HỘI" in part.upper()
                    or part.strip().upper().startswith(("NƠI NHẬN", "TM.", "T/M", "KT.", "TL.", "T/L"))
                ):
                    return True
    return False


def _place_table(rows: list[list[str]], lines: list[str], tables: list[Table]) -> None:
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return
    if _is_layout_table(rows):
        # Read a layout table as text: each cell's lines, row by row.
        for row in rows:
            for cell in row:
                lines.extend(part for part in cell.split("\n") if part.strip())
        return
    position = sum(len(line) + 1 for line in lines)
    width = max(len(r) for r in rows)
    headers = (rows[0] + [""] * width)[:width]
    body = [(r + [""] * width)[:width] for r in rows[1:]]
    tables.append(Table(headers=headers, rows=body, position=position))
    lines.append("")


_HTML_DROP = ("script", "style", "nav", "noscript", "template", "svg", "iframe", "head", "footer", "aside", "form")
_HTML_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "figure",
    "figcaption",
    "address",
    "body",
    "html",
    "tr",
    "caption",
}
_MARKER = re.compile(r"^\s*(?:[-+•–*]|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[IVX]+\.)\s")


class HtmlLoader:
    """.html/.htm with BeautifulSoup's html.parser: headings, paragraphs and list items as lines; tables apart."""

    def load(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedDocument:
        from bs4 import BeautifulSoup

        # Markup around the text: allow ten bytes of HTML a character before refusing unread.
        data = _read_bytes(path, 10 * limits.max_chars, limits)
        soup = BeautifulSoup(data, "html.parser")  # UnicodeDammit honours <meta charset>
        title_tag = soup.find("title")
        html_title = _cell_text(title_tag.get_text(" ")) if title_tag else ""
        for tag in soup.find_all(_HTML_DROP):
            tag.decompose()
        walker = _HtmlWalker()
        walker.walk(soup)
        walker.flush()
        return _finish(
            "\n".join(walker.lines), path, walker.tables, html_title=normalise_text(html_title), limits=limits
        )


class _HtmlWalker:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tables: list[Table] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = normalise_text(re.sub(r"\s+", " ", "".join(self.buffer)).strip())
        self.buffer = []
        if text:
            self.lines.append(text)

    def walk(self, node: Any, list_kind: str = "", index: int = 0) -> None:
        from bs4 import NavigableString, Tag
        from bs4.element import Comment, Doctype, ProcessingInstruction

        for child in node.children:
            if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name.lower()
            if name == "br":
                self.flush()
            elif name == "table":
                self.flush()
                rows: list[list[str]] = []
                for tr in child.find_all("tr"):
                    if tr.find_parent("table") is not child:
                        continue  # rows of a nested table are read as text of their cell
                    rows.append(
                        [
                            normalise_text(_cell_text(td.get_text(" ")))
                            for td in tr.find_all(("td", "th"), recursive=False)
                        ]
                    )
                _place_table(rows, self.lines, self.tables)
            elif name in ("ul", "ol"):
                self.flush()
                n = 0
                for item in child.children:
                    if isinstance(item, Tag) and item.name == "li":
                        n += 1
                        self._list_item(item, name, n)
                    elif isinstance(item, Tag):
                        self.walk(item)
                        self.flush()
                self.flush()
            elif name == "li":
                self._list_item(child, "ul", 1)
            elif name in _HTML_BLOCKS:
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)

    def _list_item(self, item: Any, kind: str, n: int) -> None:
        self.flush()
        start = len(self.lines)
        self.walk(item)
        self.flush()
        if len(self.lines) > start and not _MARKER.match(self.lines[start]):
            # Keep the list marker so chunking sees the item as a point, as it would in the printed text.
            self.lines[start] = (f"{n}. " if kind == "ol" else "- ") + self.lines[start]


# --- dispatch -------------------------------------------------------------------------------------

LOADERS: dict[str, Loader] = {
    ".txt": TextLoader(),
    ".md": TextLoader(),
    ".markdown": TextLoader(),
    ".pdf": PdfLoader(),
    ".docx": DocxLoader(),
    ".html": HtmlLoader(),
    ".htm": HtmlLoader(),
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(LOADERS)


def load_document(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> LoadedDocument:
    """Load any supported file; raise an IngestError subclass (a message key) when it cannot be used."""
    p = Path(path)
    loader = LOADERS.get(p.suffix.lower())
    if loader is None:
        types = ", ".join(LOADERS)
        if not p.suffix:
            raise UnsupportedFile("ingest.no_suffix_refused", path=p, types=types)
        raise UnsupportedFile("ingest.suffix_refused", path=p, suffix=p.suffix, types=types)
    return loader.load(p, limits)
