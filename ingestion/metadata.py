"""Document metadata: YAML front matter, a sidecar YAML file, or the Vietnamese official header.

Precedence is per field: front matter, then sidecar, then what the header says. Fields nobody
states stay "" — nothing is guessed except the language, which is read off the script.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from retrieval.types import DocumentMeta

__all__ = [
    "extract_meta",
    "guess_language",
    "symbol_key",
    "is_boilerplate",
    "is_separator",
    "is_symbol_line",
    "is_place_date_line",
    "read_sidecar",
    "doc_type_of_line",
    "DOC_TYPES",
]

# Longest first so "THÔNG BÁO KẾT LUẬN" wins over "THÔNG BÁO".
DOC_TYPES: tuple[str, ...] = (
    "THÔNG BÁO KẾT LUẬN",
    "CHƯƠNG TRÌNH HÀNH ĐỘNG",
    "NGHỊ QUYẾT",
    "KẾ HOẠCH",
    "HƯỚNG DẪN",
    "CÔNG VĂN",
    "QUYẾT ĐỊNH",
    "BÁO CÁO",
    "THÔNG BÁO",
    "CHỈ THỊ",
    "KẾT LUẬN",
    "QUY ĐỊNH",
    "CHƯƠNG TRÌNH",
    "ĐỀ ÁN",
    "TỜ TRÌNH",
    "NGHỊ ĐỊNH",
    "THÔNG TƯ",
    "QUY CHẾ",
)
# Type codes inside a symbol (57-NQ/TW, 350/KH-UBND). A symbol with none of them is a công văn.
_SYMBOL_TYPES: dict[str, str] = {
    "NQ": "Nghị quyết",
    "KH": "Kế hoạch",
    "HD": "Hướng dẫn",
    "QĐ": "Quyết định",
    "QD": "Quyết định",
    "BC": "Báo cáo",
    "TB": "Thông báo",
    "CT": "Chỉ thị",
    "KL": "Kết luận",
    "QĐi": "Quy định",
    "CTr": "Chương trình",
    "ĐA": "Đề án",
    "TTr": "Tờ trình",
    "NĐ": "Nghị định",
    "TT": "Thông tư",
}

_FRONT_KEYS = {
    "title": "title",
    "symbol": "symbol",
    "type": "doc_type",
    "doc_type": "doc_type",
    "issuer": "issuer",
    "date": "date",
    "language": "language",
    "lang": "language",
}

_SEPARATOR = re.compile(r"^[\s*\-_=~.•·–—]+$")
_BOILERPLATE = re.compile(
    r"^(ĐẢNG CỘNG SẢN VIỆT NAM|CỘNG H(?:ÒA|OÀ|OA) XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập\s*[-–—]\s*Tự do\s*[-–—]\s*Hạnh phúc)"
    r"[\s\-–—_]*$",
    re.IGNORECASE,
)
# Symbols: digits, then letter/digit groups joined by - or / (letters include Đ).
_SYMBOL_RE = r"\d+[a-zA-Z]?(?:\s?[-/]\s?[^\W_]+(?:\.[^\W_]+)?)+"
_SYMBOL_LINE = re.compile(rf"^Số(?:\s*(?:hiệu|ký hiệu))?\s*:?\s*({_SYMBOL_RE})\s*$", re.IGNORECASE)
_DATE_WORDS = re.compile(r"ng[àa]y\s+(\d{1,2})\s+th[áa]ng\s+(\d{1,2})\s+n[ăa]m\s+(\d{4})", re.IGNORECASE)
_DATE_SLASH = re.compile(r"ng[àa]y\s+(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", re.IGNORECASE)
_PLACE_DATE = re.compile(r"^[^\d,]{2,40},\s*ng[àa]y\b.*\d{4}\s*$", re.IGNORECASE)
_HEADING_MARK = re.compile(r"^(?:[IVX]+\s*[.\-–—]|\d+(?:\.\d+)*[.)]|[a-zđ]\)|Điều\s+\d|Chương\s|Phần\s)")
# Organisation head nouns: a header line starting with one of these names a body on its own.
_ORG_START = re.compile(
    r"^(BAN|BỘ|ỦY BAN|UỶ BAN|SỞ|VĂN PHÒNG|TỈNH ỦY|THÀNH ỦY|ĐẢNG ỦY|ĐẢNG ĐOÀN|CHÍNH PHỦ|QUỐC HỘI|CỤC|TỔNG CỤC|"
    r"HỘI ĐỒNG|THỦ TƯỚNG|CHỦ TỊCH|HUYỆN ỦY|TRUNG ƯƠNG)\b"
)
_HEADER_LINES = 40  # the official header never runs longer than this


def is_separator(line: str) -> bool:
    """A rule line such as '-----' or '*' that carries no words."""
    return bool(line.strip()) and bool(_SEPARATOR.match(line.strip()))


def is_boilerplate(line: str) -> bool:
    """National motto / party name lines printed on every document, or a rule line."""
    s = line.strip()
    return is_separator(s) or bool(_BOILERPLATE.match(s))


def is_symbol_line(line: str) -> bool:
    return bool(_SYMBOL_LINE.match(line.strip()))


def is_place_date_line(line: str) -> bool:
    """'Hà Nội, ngày 22 tháng 12 năm 2024' (or a bare 'ngày … tháng … năm …' line)."""
    s = line.strip()
    if len(s) > 80:
        return False
    return bool(_PLACE_DATE.match(s)) or bool(re.fullmatch(r"\(?" + _DATE_WORDS.pattern + r"\)?", s, re.I))


def symbol_key(symbol: str) -> str:
    """Normalise a document symbol for comparison: NFC, upper-case, Đ→D, dashes unified, no spaces."""
    s = unicodedata.normalize("NFC", symbol).upper().replace("Đ", "D")
    s = re.sub(r"[‐‑‒–—−]", "-", s)
    return re.sub(r"\s+", "", s)


def is_upper_line(line: str) -> bool:
    """Every letter of the line is upper-case (a title, a heading, a signature block), and it has letters."""
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(not c.islower() for c in letters)


def guess_language(text: str) -> str:
    """'ar', 'fa', 'vi', 'en' or '' from the script of the first 20 000 characters."""
    sample = text[:20000]
    arabic = persian = latin = viet = 0
    for ch in sample:
        o = ord(ch)
        if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF:
            if ch.isalpha():
                arabic += 1
                if ch in "پچژگکی":
                    persian += 1
        elif ch.isalpha() and o < 0x2000:
            latin += 1
            base = unicodedata.normalize("NFD", ch)
            if ch in "đĐ" or len(base) > 1 and any(unicodedata.combining(c) for c in base[1:]):
                viet += 1
    if arabic > latin:
        # Persian writes ی and ک where Arabic writes ي and ك, so these letters are frequent in Persian only.
        return "fa" if persian >= max(3, arabic * 0.02) else "ar"
    if latin == 0:
        return ""
    if viet >= max(3, latin * 0.03):
        return "vi"
    return "en"


def _split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    stripped = text.lstrip("\ufeff \t\n")
    if not stripped.startswith("---"):
        return None, text
    lines = stripped.split("\n")
    if lines[0].strip() != "---":
        return None, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(lines[1:i]))
            except yaml.YAMLError:
                return None, text
            if not isinstance(data, dict):
                return None, text  # a rule line followed by prose, not front matter
            return data, "\n".join(lines[i + 1 :])
    return None, text


def _clean_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _fields(data: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = _FRONT_KEYS.get(str(key).strip().lower())
        if name and _clean_value(value):
            out[name] = _clean_value(value)
    if "date" in out:
        out["date"] = _normalise_date(out["date"])
    return out


def _normalise_date(value: str) -> str:
    value = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value) or None
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3))) or ""
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
    if m:
        return _iso(int(m.group(3)), int(m.group(2)), int(m.group(1))) or ""
    return ""


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def read_sidecar(path: Path) -> dict[str, str]:
    """Fields from `<name>.meta.yaml` (or `<stem>.meta.yaml`, `<stem>.yaml`) next to `path`, if any."""
    for name in (
        f"{path.name}.meta.yaml",
        f"{path.stem}.meta.yaml",
        f"{path.stem}.meta.yml",
        f"{path.stem}.yaml",
        f"{path.stem}.yml",
    ):
        candidate = path.with_name(name)
        if candidate == path or not candidate.is_file():
            continue
        try:
            data = yaml.safe_load(candidate.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # a broken sidecar must not stop the document itself from loading
        if isinstance(data, dict):
            return _fields(data)
    return {}


# A Markdown heading or bold mark around a header line ("# BÁO CÁO …", "**ỦY BAN NHÂN DÂN …**"): the line is
# read without it.
_MARKDOWN_MARKS = re.compile(r"^#{1,6}\s+|^\*\*|\*\*$")


def _type_with_subject(line: str) -> tuple[str, str]:
    """The type and the title of a line that puts the subject beside the type ("BÁO CÁO Kết quả thực hiện …",
    "CÔNG VĂN V/v đôn đốc …"): how a document typed as Markdown heads itself. ('', '') for any other line."""
    for t in DOC_TYPES:
        rest = line[len(t) :].strip() if line.startswith(t + " ") else ""
        if rest and not is_upper_line(rest):
            rest = re.sub(r"^V/v\b\s*:?\s*", "về việc ", rest)
            lowered = rest[:1].lower() + rest[1:] if rest[1:2].islower() else rest  # "Kết quả", not "UBND"
            return t.capitalize(), f"{t.capitalize()} {lowered}"
    return "", ""


_PLACE = re.compile(r"\b(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG)\s+\S.*$")


def _issuer(lines: list[str]) -> str:
    """The issuer named by the upper-case lines of a header ("ỦY BAN NHÂN DÂN" over "THÀNH PHỐ HÀ NỘI")."""
    last = lines[-1]
    if len(lines) >= 2 and not _ORG_START.match(last):
        return f"{lines[-2]} {last}"  # "ỦY BAN NHÂN DÂN" + "THÀNH PHỐ HÀ NỘI"
    if len(lines) >= 2 and re.fullmatch(r"(TỈNH|THÀNH|HUYỆN|ĐẢNG|XÃ|PHƯỜNG) ỦY", last):
        return f"{lines[-2]} – {last}"  # "ĐẢNG BỘ TỈNH GIA LAI" – "TỈNH ỦY": name the place
    parent = _PLACE.search(lines[-2]) if len(lines) >= 2 else None
    if parent and not _PLACE.search(last):
        # "SỞ KHOA HỌC VÀ CÔNG NGHỆ" under "ỦY BAN NHÂN DÂN TỈNH LÂM GIANG": the department of that province.
        return f"{last} {parent.group(0)}"
    return last


def _issuer_lines(lines: list[str]) -> list[str]:
    """The first block of upper-case lines (blank lines and boilerplate before it skipped)."""
    out: list[str] = []
    for ln in lines:
        if not ln or is_boilerplate(ln):
            if out:
                break
            continue
        if is_symbol_line(ln) or is_place_date_line(ln) or not is_upper_line(ln) or len(ln) > 200:
            break
        out.append(ln)
    return out


def _header_fields(text: str) -> dict[str, str]:
    """What the official header states: symbol, date, type, title, issuer."""
    lines = [_MARKDOWN_MARKS.sub("", ln.strip()).strip() for ln in text.split("\n")]
    head: list[str] = []
    for ln in lines:
        if len(head) >= _HEADER_LINES:
            break
        head.append(ln)
    out: dict[str, str] = {}

    for ln in head:
        m = _SYMBOL_LINE.match(ln)
        if m:
            out["symbol"] = re.sub(r"\s+", "", m.group(1))
            break

    date = ""
    for ln in head:  # the place-and-date line is authoritative; any other date is a fallback
        if is_place_date_line(ln):
            date = _find_date(ln)
            if date:
                break
    if not date:
        date = _find_date("\n".join(head))
    if date:
        out["date"] = date

    type_idx = -1
    titled = ""  # the title given beside the type, on the type line itself
    for i, ln in enumerate(head):
        doc_type = doc_type_of_line(ln)
        if not doc_type and not any(head[:i]):  # only the first line may put its subject beside the type
            doc_type, titled = _type_with_subject(ln)
        if doc_type:
            out["doc_type"] = doc_type
            type_idx = i
            break

    vv = next((ln for ln in head if re.match(r"^V/v\b", ln)), "")
    if titled:
        out["title"] = titled
    elif type_idx >= 0:
        subject = _subject_lines(head, type_idx)
        first = head[type_idx]
        # A type line may carry more than the type ("NGHỊ QUYẾT HỘI NGHỊ LẦN THỨ MƯỜI"); keep it as written then.
        title = out["doc_type"] if _bare_type(first) else first
        out["title"] = " ".join([title, *subject]).strip()
    elif vv:
        # A công văn has no type line; its subject is the "V/v …" (về việc) line under the symbol.
        out["doc_type"] = "Công văn"
        out["title"] = "Công văn về việc " + vv[3:].strip().lstrip(":").strip()
    else:
        if "symbol" in out:
            code_type = _type_from_symbol(out["symbol"])
            if code_type:
                out["doc_type"] = code_type
        for ln in head:
            if ln and not is_boilerplate(ln) and not is_symbol_line(ln) and not is_place_date_line(ln):
                out["title"] = _shorten(ln, 200)
                break

    # Issuer: the upper-case lines at the very top, only for a real official header (type or symbol found); under
    # the type line when that comes first ("# BÁO CÁO …" then "ỦY BAN NHÂN DÂN XÃ …").
    if type_idx >= 0 or "symbol" in out:
        issuer_lines = _issuer_lines(head[: type_idx if type_idx >= 0 else len(head)])
        if not issuer_lines and titled:
            issuer_lines = _issuer_lines(head[type_idx + 1 :])
        if issuer_lines:
            out["issuer"] = _issuer(issuer_lines)
    return out


def _find_date(text: str) -> str:
    for pattern in (_DATE_WORDS, _DATE_SLASH):
        for m in pattern.finditer(text):
            iso = _iso(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            if iso:
                return iso
    return ""


def _bare_type(line: str) -> str:
    s = line.strip().rstrip(":").strip()
    return next((t for t in DOC_TYPES if s == t), "")


def doc_type_of_line(line: str) -> str:
    """'Nghị quyết' for an upper-case title line 'NGHỊ QUYẾT' (or 'NGHỊ QUYẾT HỘI NGHỊ …'); else ''."""
    s = line.strip()
    if not s or not is_upper_line(s) or len(s) > 200:
        return ""
    bare = s.rstrip(":").strip()
    for t in DOC_TYPES:
        if bare == t or bare.startswith(t + " "):
            return t.capitalize()
    return ""


def _type_from_symbol(symbol: str) -> str:
    parts = re.split(r"[-/]", symbol)[1:]
    for part in parts:
        if part in _SYMBOL_TYPES:
            return _SYMBOL_TYPES[part]
    return "Công văn" if "/" in symbol else ""


def _subject_lines(head: list[str], type_idx: int) -> list[str]:
    """Lines after the type line that name its subject ('về đột phá …')."""
    out: list[str] = []
    i = type_idx + 1
    while i < len(head) and not head[i]:
        i += 1  # blank lines between the type line and its subject
    while i < len(head) and len(out) < 4:
        ln = head[i]
        if not ln:
            break
        if (
            is_boilerplate(ln)
            or is_symbol_line(ln)
            or is_place_date_line(ln)
            or _HEADING_MARK.match(ln)
            or ln.startswith(("Căn cứ", "Kính gửi", "Thực hiện"))
            or len(ln) > 400
        ):
            break
        if is_upper_line(ln):
            if ln.startswith("CỦA "):
                i += 1  # "CỦA BỘ CHÍNH TRỊ": the issuer, already known; keep the title readable
                continue
            if out:
                break  # the enacting body ("CHÍNH PHỦ") after the subject
        out.append(ln)
        i += 1
    return out


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def extract_meta(text: str, path: Path | str | None = None) -> tuple[DocumentMeta, str]:
    """Return the document's metadata and its body (the text without front matter)."""
    front, body = _split_front_matter(text)
    fields: dict[str, str] = _header_fields(body)
    if path is not None:
        fields.update(read_sidecar(Path(path)))
    if front:
        fields.update(_fields(front))
    if not fields.get("language"):
        fields["language"] = guess_language(body)
    return DocumentMeta(
        title=fields.get("title", ""),
        symbol=fields.get("symbol", ""),
        doc_type=fields.get("doc_type", ""),
        issuer=fields.get("issuer", ""),
        date=fields.get("date", ""),
        language=fields.get("language", ""),
    ), body
