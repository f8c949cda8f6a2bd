"""Loaders and metadata on real files written to tmp_path: txt/md (several encodings), pdf, docx, html."""

from __future__ import annotations

import os
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from ingestion.errors import (
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    IngestError,
    NoTextLayer,
    UnsupportedFile,
)
from ingestion.loaders import LoadedDocument, Table, decode_text, load_document, split_pipe_tables
from ingestion.metadata import extract_meta, guess_language, symbol_key

HEADER = """BỘ CHÍNH TRỊ
*
Số 57-NQ/TW

ĐẢNG CỘNG SẢN VIỆT NAM
Hà Nội, ngày 22 tháng 12 năm 2024

NGHỊ QUYẾT
CỦA BỘ CHÍNH TRỊ
về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia
-----

Khoa học, công nghệ là yếu tố quyết định sự phát triển của mỗi quốc gia.

I. MỤC TIÊU

1. Đến năm 2030, tiềm lực khoa học đạt mức tiên tiến.
"""


# --- helpers -------------------------------------------------------------------------------------


def _pdf_bytes(lines: list[str]) -> bytes:
    """A minimal valid one-page PDF showing `lines` in Helvetica (ASCII only)."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
    for i, line in enumerate(lines):
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj" if i == 0 else f"T* ({escaped}) Tj")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PDF_LINES = [
    "KE HOACH",
    "I. MUC DICH",
    "1. Hoan thanh co so du lieu truoc ngay 31/12/2025.",
    "2. Cap nhat tien do hang thang.",
    "II. TO CHUC THUC HIEN",
    "1. Van phong theo doi, don doc.",
]


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258: base letters (â, ơ, ư …) precomposed, tone marks as combining characters."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    clusters: list[list[str]] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and clusters:
            clusters[-1].append(ch)
        else:
            clusters.append([ch])
    out = ""
    for base, *marks in clusters:
        out += unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
        out += "".join(m for m in marks if m in tones)
    return out.encode("cp1258")


# --- text and markdown ---------------------------------------------------------------------------


def test_txt_utf8_reads_header_metadata(tmp_path: Path) -> None:
    path = tmp_path / "nq57.txt"
    path.write_text(HEADER, encoding="utf-8")
    doc = load_document(path)
    assert isinstance(doc, LoadedDocument)
    assert doc.meta.symbol == "57-NQ/TW"
    assert doc.meta.date == "2024-12-22"
    assert doc.meta.doc_type == "Nghị quyết"
    assert doc.meta.title == (
        "Nghị quyết về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"
    )
    assert doc.meta.issuer == "BỘ CHÍNH TRỊ"
    assert doc.meta.language == "vi"
    assert "I. MỤC TIÊU" in doc.text
    assert doc.tables == []


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_txt_boms(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.txt"
    if encoding == "utf-16-le-bom":
        path.write_bytes(b"\xff\xfe" + HEADER.encode("utf-16-le"))
    elif encoding == "utf-16-be-bom":
        path.write_bytes(b"\xfe\xff" + HEADER.encode("utf-16-be"))
    else:
        path.write_text(HEADER, encoding=encoding)
    doc = load_document(path)
    assert doc.meta.symbol == "57-NQ/TW"
    assert doc.text.startswith("BỘ CHÍNH TRỊ")  # no BOM left over
    assert "\ufeff" not in doc.text


def test_txt_cp1258_is_decoded_to_nfc(tmp_path: Path) -> None:
    raw = _cp1258(HEADER)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    # The encoder really writes tone marks as combining characters (0xEC = acute, 0xF2 = dot below).
    assert b"\xf2" in raw and b"\xec" in raw
    path = tmp_path / "legacy.txt"
    path.write_bytes(raw)
    doc = load_document(path)
    assert unicodedata.is_normalized("NFC", doc.text)
    assert doc.text == HEADER  # the round trip gives back the composed (NFC) text exactly
    assert doc.meta.symbol == "57-NQ/TW"
    assert doc.meta.doc_type == "Nghị quyết"


def test_decompose_utf8_is_normalised(tmp_path: Path) -> None:
    path = tmp_path / "nfd.md"
    path.write_text(unicodedata.normalize("NFD", HEADER), encoding="utf-8")
    doc = load_document(path)
    assert doc.meta.title.startswith("Nghị quyết về đột phá")
    assert unicodedata.is_normalized("NFC", doc.text)


def test_decode_text_bomless_utf16() -> None:
    assert decode_text("Kế hoạch số 02-KH/BCĐTW".encode("utf-16-le")) == "Kế hoạch số 02-KH/BCĐTW"


def test_markdown_front_matter_wins_and_pipe_table_is_extracted(tmp_path: Path) -> None:
    text = """---
title: "Kế hoạch số 02-KH/BCĐTW về cơ sở dữ liệu"
symbol: "02-KH/BCĐTW"
type: "Kế hoạch"
issuer: "Ban Chỉ đạo Trung ương"
date: 2025-06-19
---

BAN CHỈ ĐẠO TRUNG ƯƠNG
Số 99-KH/XYZ

KẾ HOẠCH
về một việc khác

I. NHIỆM VỤ

1. Danh mục nhiệm vụ:

| STT | Nhiệm vụ | Cơ quan chủ trì | Thời hạn |
|---|:---|---:|---|
| 1 | Trang bị thiết bị cho trụ sở xã | UBND các tỉnh | 30/06/2025 |
| 2 | Kết nối hệ thống văn bản \\| điều hành | Văn phòng Trung ương Đảng | 31/07/2025 |

2. Sau bảng.
"""
    path = tmp_path / "02.md"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path)
    assert doc.meta.title == "Kế hoạch số 02-KH/BCĐTW về cơ sở dữ liệu"
    assert doc.meta.symbol == "02-KH/BCĐTW"  # front matter beats the header's "Số 99-KH/XYZ"
    assert doc.meta.doc_type == "Kế hoạch"
    assert doc.meta.issuer == "Ban Chỉ đạo Trung ương"
    assert doc.meta.date == "2025-06-19"  # YAML date object → ISO string
    assert doc.meta.language == "vi"
    assert not doc.text.lstrip().startswith("---")
    assert "|" not in doc.text and "STT" not in doc.text
    [table] = doc.tables
    assert table.headers == ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"]
    assert table.rows[0] == ["1", "Trang bị thiết bị cho trụ sở xã", "UBND các tỉnh", "30/06/2025"]
    assert table.rows[1][1] == "Kết nối hệ thống văn bản | điều hành"  # escaped pipe stays in its cell
    before, after = doc.text[: table.position], doc.text[table.position :]
    assert before.rstrip().endswith("1. Danh mục nhiệm vụ:")
    assert after.strip().startswith("2. Sau bảng.")


def test_split_pipe_tables_positions() -> None:
    text = "a\n| x | y |\n|---|---|\n| 1 | 2 |\nb"
    body, tables = split_pipe_tables(text)
    assert body == "a\n\nb"
    assert tables == [Table(headers=["x", "y"], rows=[["1", "2"]], position=2)]


def test_sidecar_metadata(tmp_path: Path) -> None:
    path = tmp_path / "tin.txt"
    path.write_text("Một bản tin không có phần đầu văn bản.\n\nĐoạn hai.", encoding="utf-8")
    (tmp_path / "tin.meta.yaml").write_text(
        'title: "Tin hội nghị"\nsymbol: "TT-57/2025-01"\ntype: "Tin tức"\ndate: "15/10/2025"\n', encoding="utf-8"
    )
    doc = load_document(path)
    assert doc.meta.title == "Tin hội nghị"
    assert doc.meta.symbol == "TT-57/2025-01"
    assert doc.meta.doc_type == "Tin tức"
    assert doc.meta.date == "2025-10-15"
    assert doc.meta.issuer == ""  # nobody said who issued it: stays empty


def test_plain_sidecar_name(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text("Nội dung văn bản đủ dài để đọc.", encoding="utf-8")
    (tmp_path / "x.yaml").write_text("symbol: 71/NQ-CP\n", encoding="utf-8")
    assert load_document(path).meta.symbol == "71/NQ-CP"


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  ", "\ufeff \n".encode()])
def test_empty_text(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "e.txt"
    path.write_bytes(content)
    with pytest.raises(EmptyDocument) as err:
        load_document(path)
    assert str(err.value) == "Tệp không có nội dung — bỏ qua"


def test_binary_txt_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_bytes(os.urandom(3000))
    with pytest.raises(CorruptDocument):
        load_document(path)


def test_unsupported_and_missing(tmp_path: Path) -> None:
    xlsx = tmp_path / "tasks.xlsx"
    xlsx.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFile) as err:
        load_document(xlsx)
    assert ".xlsx" in str(err.value) and "không được hỗ trợ" in str(err.value)
    assert err.value.path == xlsx
    with pytest.raises(IngestError):
        load_document(tmp_path / "missing.txt")


# --- PDF -----------------------------------------------------------------------------------------


def test_pdf_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "kh.pdf"
    path.write_bytes(_pdf_bytes(PDF_LINES))
    doc = load_document(path)
    lines = [ln.strip() for ln in doc.text.split("\n") if ln.strip()]
    assert lines == PDF_LINES
    assert doc.meta.title == "KE HOACH"  # no Vietnamese type line in ASCII: the first line is the title
    assert doc.meta.doc_type == ""


def test_pdf_encrypted(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(EncryptedDocument) as err:
        load_document(path)
    assert "mật khẩu" in str(err.value)


def test_pdf_encrypted_with_empty_user_password_opens(tmp_path: Path) -> None:
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(_pdf_bytes(PDF_LINES))
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner-secret")
    path = tmp_path / "restricted.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert PdfReader(path).is_encrypted
    assert "II. TO CHUC THUC HIEN" in load_document(path).text


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(NoTextLayer) as err:
        load_document(path)
    assert str(err.value) == "Tệp PDF không có lớp văn bản (bản scan?) — bỏ qua"


@pytest.mark.parametrize("content", [b"%PDF-1.4\n" + bytes(range(256)) * 8, b"not a pdf at all " * 50])
def test_pdf_corrupt(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    with pytest.raises(CorruptDocument):
        load_document(path)


def test_pdf_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "random.pdf"
    path.write_bytes(os.urandom(5000))
    with pytest.raises(CorruptDocument):
        load_document(path)


# --- DOCX ----------------------------------------------------------------------------------------


def _docx(path: Path) -> None:
    document = docx.Document()
    header = document.add_table(rows=2, cols=2)  # the borderless layout table official documents use
    header.cell(0, 0).text = "BỘ CHÍNH TRỊ"
    header.cell(0, 1).text = "ĐẢNG CỘNG SẢN VIỆT NAM"
    header.cell(1, 0).text = "Số 57-NQ/TW"
    header.cell(1, 1).text = "Hà Nội, ngày 22 tháng 12 năm 2024"
    document.add_paragraph("NGHỊ QUYẾT")
    document.add_paragraph("về đột phá phát triển khoa học, công nghệ")
    document.add_paragraph("I. NHIỆM VỤ")
    document.add_paragraph("1. Danh mục nhiệm vụ trọng tâm:")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [
            ["STT", "Nhiệm vụ", "Thời hạn"],
            ["1", "Xây dựng cơ sở dữ liệu", "31/12/2025"],
            ["2", "Số hóa hồ sơ", "30/06/2026"],
        ]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("2. Đoạn sau bảng.")
    document.save(str(path))


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    path = tmp_path / "nq.docx"
    _docx(path)
    doc = load_document(path)
    assert doc.meta.symbol == "57-NQ/TW"
    assert doc.meta.date == "2024-12-22"
    assert doc.meta.issuer == "BỘ CHÍNH TRỊ"
    assert doc.meta.doc_type == "Nghị quyết"
    assert doc.meta.title == "Nghị quyết về đột phá phát triển khoa học, công nghệ"
    [table] = doc.tables  # the header layout table became text, the real one stayed a table
    assert table.headers == ["STT", "Nhiệm vụ", "Thời hạn"]
    assert table.rows == [["1", "Xây dựng cơ sở dữ liệu", "31/12/2025"], ["2", "Số hóa hồ sơ", "30/06/2026"]]
    assert doc.text[: table.position].rstrip().endswith("1. Danh mục nhiệm vụ trọng tâm:")
    assert doc.text[table.position :].strip() == "2. Đoạn sau bảng."
    assert "Xây dựng cơ sở dữ liệu" not in doc.text


def test_docx_corrupt_and_legacy(tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(os.urandom(2000))
    with pytest.raises(CorruptDocument):
        load_document(bad)
    not_word = tmp_path / "zip.docx"
    with zipfile.ZipFile(not_word, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    with pytest.raises(CorruptDocument):
        load_document(not_word)
    legacy = tmp_path / "old.docx"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(UnsupportedFile):
        load_document(legacy)
    locked = tmp_path / "locked.docx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 600)
    with pytest.raises(EncryptedDocument):
        load_document(locked)


# --- HTML ----------------------------------------------------------------------------------------

HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Thông báo kết luận số 45-TB/TW</title>
<style>body { color: red }</style><script>var secret = "không được xuất hiện";</script></head>
<body>
<nav><a href="/">Trang chủ</a> | <a href="/tin">Tin tức</a></nav>
<h1>THÔNG BÁO KẾT LUẬN</h1>
<p>của đồng chí Tổng Bí thư tại Hội nghị sơ kết quý III năm 2025</p>
<h2>1. Đánh giá kết quả</h2>
<p>Ban Chỉ đạo ghi nhận <b>sự nỗ lực</b> của các cấp,&nbsp;các ngành.</p>
<ul><li>Hạ tầng số từng bước hình thành;</li><li>Dịch vụ công trực tuyến ổn định.</li></ul>
<table>
  <tr><th>Trạng thái</th><th>Số nhiệm vụ</th></tr>
  <tr><td>Đã hoàn thành</td><td>601</td></tr>
  <tr><td>Quá hạn</td><td>104</td></tr>
</table>
<h2>2. Nhiệm vụ trọng tâm</h2>
<ol><li>Hoàn thành dứt điểm nhiệm vụ quá hạn.</li></ol>
</body></html>"""


def test_html(tmp_path: Path) -> None:
    path = tmp_path / "tb45.html"
    path.write_text(HTML, encoding="utf-8")
    doc = load_document(path)
    assert "secret" not in doc.text and "color" not in doc.text and "Trang chủ" not in doc.text
    lines = doc.text.split("\n")
    assert "THÔNG BÁO KẾT LUẬN" in lines
    assert "Ban Chỉ đạo ghi nhận sự nỗ lực của các cấp, các ngành." in lines
    assert "- Hạ tầng số từng bước hình thành;" in lines
    assert "1. Hoàn thành dứt điểm nhiệm vụ quá hạn." in lines
    assert doc.meta.doc_type == "Thông báo kết luận"
    assert doc.meta.title == "Thông báo kết luận của đồng chí Tổng Bí thư tại Hội nghị sơ kết quý III năm 2025"
    [table] = doc.tables
    assert table.headers == ["Trạng thái", "Số nhiệm vụ"]
    assert table.rows == [["Đã hoàn thành", "601"], ["Quá hạn", "104"]]
    assert doc.text[: table.position].rstrip().endswith("- Dịch vụ công trực tuyến ổn định.")
    assert doc.text[table.position :].strip().startswith("2. Nhiệm vụ trọng tâm")


def test_htm_legacy_charset(tmp_path: Path) -> None:
    path = tmp_path / "old.htm"
    path.write_bytes(
        '<html><head><meta charset="windows-1252"></head><body><p>Café résumé</p></body></html>'.encode("cp1252")
    )
    assert load_document(path).text.strip() == "Café résumé"


def test_html_without_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><script>x()</script><nav>menu</nav></body></html>", encoding="utf-8")
    with pytest.raises(EmptyDocument):
        load_document(path)


# --- metadata ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "symbol"),
    [
        ("Số 57-NQ/TW", "57-NQ/TW"),
        ("Số: 71/NQ-CP", "71/NQ-CP"),
        ("Số: 3456/BKHCN-CĐSQG", "3456/BKHCN-CĐSQG"),
        ("Số 02-KH/BCĐTW", "02-KH/BCĐTW"),
        ("Số: 125/QĐ-BCĐTW", "125/QĐ-BCĐTW"),
    ],
)
def test_symbol_from_header(line: str, symbol: str) -> None:
    meta, _ = extract_meta(f"BAN CHỈ ĐẠO TRUNG ƯƠNG\n{line}\n\nKẾ HOẠCH\nvề việc A\n\nNội dung.")
    assert meta.symbol == symbol


def test_header_variants() -> None:
    text = (
        "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI\n-------\nSố: 350/KH-UBND\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\n---------------\nHà Nội, ngày 18/11/2025\n\nKẾ HOẠCH\n"
        "Triển khai các nhiệm vụ trọng tâm\n\nI. MỤC ĐÍCH\n"
    )
    meta, body = extract_meta(text)
    assert body == text
    assert meta.issuer == "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"
    assert meta.date == "2025-11-18"
    assert meta.doc_type == "Kế hoạch"
    assert meta.title == "Kế hoạch Triển khai các nhiệm vụ trọng tâm"
    assert meta.symbol == "350/KH-UBND"


def test_header_thong_bao_ket_luan_and_cong_van() -> None:
    meta, _ = extract_meta("BAN CHỈ ĐẠO TRUNG ƯƠNG\nSố 45-TB/TW\n\nTHÔNG BÁO KẾT LUẬN\ncủa đồng chí Tổng Bí thư\n")
    assert meta.doc_type == "Thông báo kết luận"
    assert meta.title == "Thông báo kết luận của đồng chí Tổng Bí thư"
    cv, _ = extract_meta(
        "BỘ KHOA HỌC VÀ CÔNG NGHỆ\nSố: 3456/BKHCN-CĐSQG\nV/v đôn đốc thực hiện nhiệm vụ\n\n"
        "Hà Nội, ngày 29 tháng 9 năm 2025\n\nKính gửi: Các bộ, ngành\n"
    )
    assert cv.doc_type == "Công văn"
    assert cv.title == "Công văn về việc đôn đốc thực hiện nhiệm vụ"
    assert cv.issuer == "BỘ KHOA HỌC VÀ CÔNG NGHỆ"
    assert cv.date == "2025-09-29"


def test_a_markdown_header_with_the_subject_beside_the_type() -> None:
    """A document typed as Markdown heads itself "# BÁO CÁO Kết quả …" and puts the issuer under it: the title
    was "# BÁO CÁO …" and the issuer empty, so the commune it reports on ("Hòa Minh Sơn") was nowhere in its
    metadata."""
    meta, _ = extract_meta(
        "# BÁO CÁO Kết quả thực hiện Nghị quyết số 57-NQ/TW năm 2025\n\nỦY BAN NHÂN DÂN TỈNH LÂM GIANG\n"
        "ỦY BAN NHÂN DÂN XÃ HÒA MINH SƠN\n\nSố: 07/BC-UBND\n\nHòa Minh Sơn, ngày 18 tháng 12 năm 2025\n\n"
        "## I. CÔNG TÁC CHỈ ĐẠO\n"
    )
    assert (meta.doc_type, meta.symbol, meta.date) == ("Báo cáo", "07/BC-UBND", "2025-12-18")
    assert meta.title == "Báo cáo kết quả thực hiện Nghị quyết số 57-NQ/TW năm 2025"
    assert meta.issuer == "ỦY BAN NHÂN DÂN XÃ HÒA MINH SƠN"
    cv, _ = extract_meta(
        "# CÔNG VĂN V/v đôn đốc triển khai nhiệm vụ\n\nỦY BAN NHÂN DÂN TỈNH LÂM GIANG\nSỞ KHOA HỌC VÀ CÔNG NGHỆ\n\n"
        "Số: 33/SKHCN-QLCN\n"
    )
    assert (cv.doc_type, cv.title) == ("Công văn", "Công văn về việc đôn đốc triển khai nhiệm vụ")
    assert cv.issuer == "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH LÂM GIANG"  # the department of the province above it
    # A heading that is not the first line is a section, not the document's type.
    plain, _ = extract_meta("Ghi chú\n\n# BÁO CÁO Kết quả họp nhóm\n")
    assert (plain.doc_type, plain.issuer) == ("", "")


def test_unknown_fields_stay_empty() -> None:
    meta, _ = extract_meta("Ghi chú họp nhóm\n\nCần chuẩn bị tài liệu cho tuần sau.\n")
    assert meta.title == "Ghi chú họp nhóm"
    assert (meta.symbol, meta.doc_type, meta.issuer, meta.date) == ("", "", "", "")
    assert meta.language == "vi"


def test_guess_language() -> None:
    assert guess_language("وجاء في الإعلان: عقدت اللجنة التوجيهية مؤتمرا لمراجعة تنفيذ القرار رقم 57-NQ/TW") == "ar"
    assert guess_language("کمیته مرکزی راهبری علم، فناوری، نوآوری و تحول دیجیتال جلسه‌ای برگزار کرد") == "fa"
    assert guess_language("Nghị quyết về đột phá phát triển khoa học, công nghệ") == "vi"
    assert guess_language("The steering committee met on Friday to review the tasks.") == "en"
    assert guess_language("12345 — 678") == ""


def test_seed_languages() -> None:
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    files = sorted(seeds.glob("*.txt"))
    if not files:
        pytest.skip("../shared/seeds is not here (a user's clone)")
    langs = {f.name[:3]: load_document(f).meta.language for f in files}
    assert set(langs.values()) <= {"ar", "fa"}
    assert langs.get("004") == "fa"


def test_symbol_key() -> None:
    assert symbol_key("02-KH/BCĐTW") == symbol_key("02-kh/bcdtw") == "02-KH/BCDTW"
    assert symbol_key(" 57 – NQ/TW ") == "57-NQ/TW"
    assert symbol_key(unicodedata.normalize("NFD", "125/QĐ-BCĐTW")) == "125/QD-BCDTW"
