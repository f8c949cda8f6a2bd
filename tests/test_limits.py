"""Limits on bad input: zip bombs (.docx, .xlsx), too many entries or pages, too much text; each file is
refused with a Vietnamese reason and the rest of the sync goes on, in bounded memory and time."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfWriter

from bot.config import Settings
from db.errors import ImportRejected
from db.importer import check_xlsx
from ingestion.errors import CorruptDocument, IngestError, TooLarge
from ingestion.loaders import Limits, load_document
from ingestion.sync import build_library

TROLY = str(Path(sys.executable).with_name("troly"))
GOOD = "# Kế hoạch thử nghiệm\n\nỦy ban nhân dân tỉnh hoàn thành cơ sở dữ liệu dân cư trước ngày 31/12/2025.\n"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def write_docx_bomb(path: Path, unpacked: int) -> None:
    """A .docx whose word/document.xml unpacks to `unpacked` bytes (one letter repeated inside one run),
    written streaming: neither the test nor the file holds the unpacked text."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode()
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    block = b"a" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(head)
            left = unpacked - len(head) - len(tail)
            while left > 0:
                f.write(block[: min(left, len(block))])
                left -= len(block)
            f.write(tail)


def lie_about_sizes(path: Path, name: str, size: int) -> None:
    """Rewrite the central directory so that `name` claims to unpack to `size` bytes."""
    data = bytearray(path.read_bytes())
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + name_len].decode() == name:
            struct.pack_into("<I", data, pos + 24, size)  # uncompressed size (32-bit field)
        pos += 4
    path.write_bytes(bytes(data))


def test_a_1_gib_docx_bomb_is_refused_in_bounded_memory_and_the_rest_is_indexed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_docx_bomb(docs / "bom.docx", 1 << 30)
    (docs / "ke-hoach.md").write_text(GOOD, encoding="utf-8")
    assert (docs / "bom.docx").stat().st_size < 5 * 1024 * 1024
    data = tmp_path / "data"
    # Peak memory of `troly ingest` (and anything it started), measured by a parent that only waits for it.
    probe = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.stderr.write(p.stdout + p.stderr)\n"
    )
    env = {**os.environ, "TROLY_DATA_DIR": str(data)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", probe, TROLY, "ingest", str(docs), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    took = time.monotonic() - started
    code, peak_kib = map(int, done.stdout.split())
    report = json.loads(done.stderr[done.stderr.index("{") : done.stderr.rindex("}") + 1])
    print(f"\n1 GiB .docx bomb: troly ingest peak RSS {peak_kib / 1024:.0f} MB, {took:.1f} s")
    assert code == 1  # a file failed
    assert report["added"] == ["ke-hoach.md"]
    [failed] = report["failed"]
    assert failed["source"] == "bom.docx" and "giải nén quá lớn" in failed["reason"]
    assert peak_kib < 500 * 1024


def test_declared_sizes_that_lie_are_caught_while_reading(tmp_path: Path) -> None:
    path = tmp_path / "noi-doi.docx"
    write_docx_bomb(path, 80 * 1024 * 1024)
    lie_about_sizes(path, "word/document.xml", 1000)
    limits = Limits()
    with pytest.raises(IngestError) as err:  # the inflated bytes are counted, or their CRC fails
        load_document(path, limits)
    assert isinstance(err.value, TooLarge | CorruptDocument)
    assert "bỏ qua" in str(err.value)


def test_entry_count_and_text_size_limits(tmp_path: Path) -> None:
    many = tmp_path / "nhieu.docx"
    with zipfile.ZipFile(many, "w") as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        for i in range(60):
            zf.writestr(f"word/media/{i}.bin", b"x")
    with pytest.raises(TooLarge, match="quá nhiều thành phần"):
        load_document(many, Limits(max_zip_entries=50))

    long_md = tmp_path / "dai.md"
    long_md.write_text("Điều 1. " + "Nội dung văn bản. " * 400, encoding="utf-8")
    assert load_document(long_md, Limits(max_chars=100_000)).text
    with pytest.raises(TooLarge, match="MAX_DOCUMENT_CHARS"):
        load_document(long_md, Limits(max_chars=5_000))

    words = tmp_path / "dai.docx"
    import docx

    document = docx.Document()
    for _ in range(300):
        document.add_paragraph("Ủy ban nhân dân tỉnh triển khai kế hoạch chuyển đổi số. " * 2)
    document.save(str(words))
    with pytest.raises(TooLarge, match="MAX_DOCUMENT_CHARS"):
        load_document(words, Limits(max_chars=5_000))


def test_pdf_page_and_text_limits(tmp_path: Path) -> None:
    writer = PdfWriter()
    for _ in range(4):
        writer.add_blank_page(200, 200)
    path = tmp_path / "trang.pdf"
    buf = io.BytesIO()
    writer.write(buf)
    path.write_bytes(buf.getvalue())
    with pytest.raises(TooLarge, match="quá nhiều trang"):
        load_document(path, Limits(max_pdf_pages=3))


def test_a_50_mb_markdown_is_refused_at_once_and_max_document_chars_is_configurable(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    line = "Ủy ban nhân dân tỉnh triển khai nhiệm vụ chuyển đổi số theo kế hoạch đã ban hành.\n".encode()
    with (docs / "khong-lo.md").open("wb") as f:
        for _ in range(50 * 1024 * 1024 // len(line)):
            f.write(line)
    (docs / "ke-hoach.md").write_text(GOOD, encoding="utf-8")
    (docs / "vua.md").write_text("# Vừa\n\n" + "Cán bộ cập nhật tiến độ hằng tuần. " * 200, encoding="utf-8")

    library = build_library(Settings.from_env({"TROLY_DATA_DIR": str(tmp_path / "data"), "DOCS_DIR": str(docs)}))
    try:
        started = time.monotonic()
        report = library.sync()
        took = time.monotonic() - started
    finally:
        library.close()
    assert sorted(report.added) == ["ke-hoach.md", "vua.md"]
    [(source, reason)] = report.failed
    assert source == "khong-lo.md" and "MAX_DOCUMENT_CHARS" in str(reason)
    assert took < 60, took

    # MAX_DOCUMENT_CHARS=5000: the 7,000-character file is refused too.
    small = build_library(
        Settings.from_env(
            {"TROLY_DATA_DIR": str(tmp_path / "data2"), "DOCS_DIR": str(docs), "MAX_DOCUMENT_CHARS": "5000"}
        )
    )
    try:
        report = small.sync()
    finally:
        small.close()
    assert report.added == ["ke-hoach.md"]
    assert {s for s, _ in report.failed} == {"khong-lo.md", "vua.md"}


def test_xlsx_bombs_are_refused_before_openpyxl(tmp_path: Path) -> None:
    path = tmp_path / "nhiem-vu.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            block = b" " * (1 << 20)
            for _ in range(40):
                f.write(block)
    with pytest.raises(ImportRejected, match="giải nén quá lớn"):
        check_xlsx(path, max_bytes=32 * 1024 * 1024)
    lie_about_sizes(path, "xl/worksheets/sheet1.xml", 100)
    with pytest.raises(ImportRejected):
        check_xlsx(path, max_bytes=32 * 1024 * 1024)
    with pytest.raises(ImportRejected, match="quá nhiều thành phần"):
        check_xlsx(path, max_entries=0)
