"""Structure-aware chunking on real files: section paths, the size cap, table rows, prose, the corpus."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingestion.chunking import PREAMBLE, chunk_document
from ingestion.loaders import LoadedDocument, Table, load_document
from retrieval.types import Chunk, DocumentMeta

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = Path(__file__).resolve().parents[1] / "docs_corpus"

RESOLUTION = """BAN CHẤP HÀNH TRUNG ƯƠNG
*
Số 99-NQ/TW

ĐẢNG CỘNG SẢN VIỆT NAM
Hà Nội, ngày 05 tháng 3 năm 2025

NGHỊ QUYẾT
CỦA BỘ CHÍNH TRỊ
về chuyển đổi số trong cơ quan đảng
-----

Chuyển đổi số là yêu cầu tất yếu để nâng cao năng lực lãnh đạo của Đảng.

I. TÌNH HÌNH

1. Kết quả đạt được

Hạ tầng số của các cơ quan đảng từng bước được đầu tư.

2. Hạn chế

- Dữ liệu còn phân tán.
- Nhân lực còn thiếu.

II- NHIỆM VỤ, GIẢI PHÁP

1. Hoàn thiện thể chế

a) Ban hành quy chế quản lý dữ liệu trong năm 2025.

b) Sửa đổi quy định về văn bản điện tử.

2. Phát triển hạ tầng

a) Đầu tư trung tâm dữ liệu của các cơ quan đảng, bảo đảm an toàn, an ninh mạng theo cấp độ; hoàn thành kết nối với trung tâm dữ liệu quốc gia trước tháng 12 năm 2025.

b) Nâng cấp mạng truyền số liệu chuyên dùng đến cấp xã; bảo đảm băng thông và dự phòng.

- Ưu tiên các xã vùng sâu, vùng xa;
+ Trang bị thiết bị đầu cuối.

c) Triển khai nền tảng họp trực tuyến thống nhất từ Trung ương đến cơ sở.

III – TỔ CHỨC THỰC HIỆN

1. Văn phòng Trung ương Đảng chủ trì theo dõi, đôn đốc.

T/M BỘ CHÍNH TRỊ
TỔNG BÍ THƯ
(Đã ký)

Nơi nhận:
- Các tỉnh ủy, thành ủy,
- Lưu Văn phòng Trung ương Đảng.
"""

DECREE = """CHÍNH PHỦ
Số: 12/NQ-CP

NGHỊ QUYẾT
về tổ chức thực hiện

Điều 1. Phạm vi điều chỉnh

Nghị quyết này quy định việc tổ chức thực hiện chương trình chuyển đổi số.

Điều 2. Nhiệm vụ

1. Bộ Khoa học và Công nghệ chủ trì:

a) Xây dựng khung kiến trúc dữ liệu quốc gia, trình Thủ tướng Chính phủ trong quý II năm 2025.

b) Hướng dẫn các bộ, ngành, địa phương triển khai nền tảng tích hợp, chia sẻ dữ liệu.

2. Bộ Tài chính bố trí kinh phí thực hiện.

Điều 3. Hiệu lực

Nghị quyết có hiệu lực kể từ ngày ký.
"""

BOILERPLATE = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "Nơi nhận",
    "(Đã ký)",
    "Số 99-NQ/TW",
    "Hà Nội, ngày",
)


def _load(tmp_path: Path, text: str, name: str = "doc.md") -> LoadedDocument:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_document(path)


def _sections(chunks: list[Chunk]) -> list[str]:
    return [c.section for c in chunks]


def _assert_well_formed(chunks: list[Chunk], max_chars: int) -> None:
    assert chunks
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert 0 < len(c.text) <= max_chars, (c.section, len(c.text))
        assert c.text == c.text.strip()


# --- structure -----------------------------------------------------------------------------------


def test_resolution_sections_small_chunks(tmp_path: Path) -> None:
    doc = _load(tmp_path, RESOLUTION)
    assert doc.meta.symbol == "99-NQ/TW"
    chunks = chunk_document(doc, max_chars=300)
    _assert_well_formed(chunks, 300)
    assert _sections(chunks) == ["Mục I", "Mục II › 1", "Mục II › 2 › a)", "Mục II › 2 › b)–c)", "Mục III"]
    by_section = {c.section: c.text for c in chunks}
    # The short preamble (title lines and the opening paragraph) is folded into the first chunk;
    # the issuer line, symbol, motto, place/date and rule lines are gone.
    assert by_section["Mục I"] == (
        "NGHỊ QUYẾT\nCỦA BỘ CHÍNH TRỊ\nvề chuyển đổi số trong cơ quan đảng\n"
        "Chuyển đổi số là yêu cầu tất yếu để nâng cao năng lực lãnh đạo của Đảng.\n"
        "I. TÌNH HÌNH\n1. Kết quả đạt được\nHạ tầng số của các cơ quan đảng từng bước được đầu tư.\n"
        "2. Hạn chế\n- Dữ liệu còn phân tán.\n- Nhân lực còn thiếu."
    )
    assert by_section["Mục II › 1"] == (
        "II- NHIỆM VỤ, GIẢI PHÁP\n1. Hoàn thiện thể chế\na) Ban hành quy chế quản lý dữ liệu trong năm 2025.\n"
        "b) Sửa đổi quy định về văn bản điện tử."
    )
    # Every chunk reads on its own: it starts with its headings.
    assert by_section["Mục II › 2 › a)"].startswith("II- NHIỆM VỤ, GIẢI PHÁP\n2. Phát triển hạ tầng\na) Đầu tư")
    assert by_section["Mục II › 2 › b)–c)"] == (
        "II- NHIỆM VỤ, GIẢI PHÁP\n2. Phát triển hạ tầng\n"
        "b) Nâng cấp mạng truyền số liệu chuyên dùng đến cấp xã; bảo đảm băng thông và dự phòng.\n"
        "- Ưu tiên các xã vùng sâu, vùng xa;\n+ Trang bị thiết bị đầu cuối.\n"
        "c) Triển khai nền tảng họp trực tuyến thống nhất từ Trung ương đến cơ sở."
    )
    assert by_section["Mục III"] == "III – TỔ CHỨC THỰC HIỆN\n1. Văn phòng Trung ương Đảng chủ trì theo dõi, đôn đốc."
    everything = "\n".join(c.text for c in chunks)
    for line in BOILERPLATE + ("BAN CHẤP HÀNH TRUNG ƯƠNG", "T/M BỘ CHÍNH TRỊ", "-----"):
        assert line not in everything
    assert all(c.kind == "text" for c in chunks)


def test_resolution_default_size_keeps_siblings_together(tmp_path: Path) -> None:
    chunks = chunk_document(_load(tmp_path, RESOLUTION))
    _assert_well_formed(chunks, 1200)
    assert _sections(chunks) == ["Mục I", "Mục II", "Mục III"]
    assert chunks[0].text.startswith("NGHỊ QUYẾT\n")
    assert "I. TÌNH HÌNH\n1. Kết quả đạt được" in chunks[0].text
    assert chunks[1].text.startswith("II- NHIỆM VỤ, GIẢI PHÁP\n1. Hoàn thiện thể chế\na) Ban hành")


def test_single_point_gets_its_own_path(tmp_path: Path) -> None:
    chunks = chunk_document(_load(tmp_path, RESOLUTION), max_chars=200)
    _assert_well_formed(chunks, 200)
    assert _sections(chunks) == [
        PREAMBLE,
        "Mục I",
        "Mục II › 1",
        "Mục II › 2 › a)",
        "Mục II › 2 › a)",
        "Mục II › 2 › b)",
        "Mục II › 2 › c)",
        "Mục III",
    ]
    # Point a) alone is too long: cut at its ";", the second part repeats the headings (a) shortened).
    assert chunks[3].text.endswith("an ninh mạng theo cấp độ;")
    assert chunks[4].text.startswith("II- NHIỆM VỤ, GIẢI PHÁP\n2. Phát triển hạ tầng\na) Đầu tư")
    assert chunks[4].text.endswith("\nhoàn thành kết nối với trung tâm dữ liệu quốc gia trước tháng 12 năm 2025.")
    assert chunks[0].text.startswith("NGHỊ QUYẾT\n")  # too long to fold at this size: stands alone


def test_article_and_clause_paths(tmp_path: Path) -> None:
    doc = _load(tmp_path, DECREE)
    chunks = chunk_document(doc, max_chars=200)
    _assert_well_formed(chunks, 200)
    assert _sections(chunks) == [
        PREAMBLE,
        "Điều 1",
        "Điều 2 › Khoản 1 › a)",
        "Điều 2 › Khoản 1 › b)",
        "Điều 2 › Khoản 2",
        "Điều 3",
    ] or _sections(chunks) == [
        "Điều 1",
        "Điều 2 › Khoản 1 › a)",
        "Điều 2 › Khoản 1 › b)",
        "Điều 2 › Khoản 2",
        "Điều 3",
    ]
    point_b = next(c for c in chunks if c.section == "Điều 2 › Khoản 1 › b)")
    assert point_b.text.startswith("Điều 2. Nhiệm vụ\n1. Bộ Khoa học và Công nghệ chủ trì:\nb) Hướng dẫn")
    wide = chunk_document(doc, max_chars=1200)
    assert "Điều 2" in _sections(wide)


def test_chapters_sections_and_parts(tmp_path: Path) -> None:
    text = """LUẬT MẪU

Chương I
NHỮNG QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh

Luật này quy định về dữ liệu số.

Chương II
QUẢN LÝ DỮ LIỆU

Mục 1. CƠ SỞ DỮ LIỆU QUỐC GIA

Điều 2. Xây dựng cơ sở dữ liệu

1. Cơ sở dữ liệu quốc gia được xây dựng tập trung, thống nhất, dùng chung từ Trung ương đến địa phương.

2. Chính phủ quy định chi tiết việc xây dựng, cập nhật, duy trì và khai thác cơ sở dữ liệu quốc gia.

Mục 2. CHIA SẺ DỮ LIỆU

Điều 3. Nguyên tắc chia sẻ

Dữ liệu được chia sẻ miễn phí giữa các cơ quan nhà nước.

PHẦN THỨ HAI
ĐIỀU KHOẢN THI HÀNH

Điều 4. Hiệu lực

Luật này có hiệu lực từ ngày 01 tháng 7 năm 2026.
"""
    chunks = chunk_document(_load(tmp_path, text), max_chars=240)
    _assert_well_formed(chunks, 240)
    assert _sections(chunks) == [
        "Chương I",
        "Chương II › Mục 1 › Điều 2 › Khoản 1",
        "Chương II › Mục 1 › Điều 2 › Khoản 2",
        "Chương II › Mục 2",
        "Phần thứ hai",
    ]
    # A bare "Chương II" line takes the upper-case title line under it; every clause repeats the headings.
    assert chunks[2].text == (
        "Chương II QUẢN LÝ DỮ LIỆU\nMục 1. CƠ SỞ DỮ LIỆU QUỐC GIA\nĐiều 2. Xây dựng cơ sở dữ liệu\n"
        "2. Chính phủ quy định chi tiết việc xây dựng, cập nhật, duy trì và khai thác cơ sở dữ liệu quốc gia."
    )
    assert chunks[4].text.startswith("PHẦN THỨ HAI\nĐIỀU KHOẢN THI HÀNH\nĐiều 4. Hiệu lực")


def test_numbered_sub_items() -> None:
    text = "\n\n".join(
        [
            "1. Đánh giá chung",
            "1.1. Ban Chỉ đạo ghi nhận kết quả.",
            "1.2. Còn hạn chế:",
            "a) Số hóa chậm.",
            "b) Dữ liệu chưa kết nối.",
            "2. Nhiệm vụ",
            "2.1. Hoàn thành cơ sở dữ liệu.",
            "2) Một mục đánh số kiểu khác.",
            "2.2 Kết nối dữ liệu",
            "3. Tổ chức",
            "1.287 nhiệm vụ đã được giao.",
        ]
    )
    chunks = chunk_document(LoadedDocument(text=text), max_chars=80)
    _assert_well_formed(chunks, 80)
    assert _sections(chunks) == ["1 › 1.1", "1 › 1.2", "2 › 2.1", "2 › 2.2", "3"]
    assert chunks[1].text == "1. Đánh giá chung\n1.2. Còn hạn chế:\na) Số hóa chậm.\nb) Dữ liệu chưa kết nối."
    assert chunks[-1].text == "3. Tổ chức\n1.287 nhiệm vụ đã được giao."  # a number, not heading "1.287"


# --- the size cap --------------------------------------------------------------------------------


def test_huge_clause_is_split_with_its_heading(tmp_path: Path) -> None:
    sentence = (
        "Các bộ, ngành rà soát, cập nhật dữ liệu của đơn vị mình trên hệ thống thông tin theo dõi nhiệm vụ số {n}. "
    )
    body = ""
    n = 0
    while len(body) < 90_000:
        body += sentence.format(n=n)
        n += 1
    text = (
        f"Điều 3. Tổ chức thực hiện\n\n1. Khoản ngắn.\n\n2. {body.strip()}\n\nĐiều 4. Hiệu lực\n\nCó hiệu lực ngay.\n"
    )
    doc = LoadedDocument(text=text, meta=DocumentMeta())
    chunks = chunk_document(doc, max_chars=1200)
    _assert_well_formed(chunks, 1200)
    parts = [c for c in chunks if c.section == "Điều 3 › Khoản 2"]
    assert len(parts) >= 75
    for part in parts:
        assert part.text.startswith("Điều 3. Tổ chức thực hiện\n2. Các bộ, ngành rà soát")
    joined = "\n".join(c.text for c in parts)
    for k in (0, n // 2, n - 1):  # nothing is lost: every sentence is somewhere, none cut in two
        assert f"theo dõi nhiệm vụ số {k}." in joined
    assert [c.section for c in chunks if c.section != "Điều 3 › Khoản 2"] == ["Điều 3 › Khoản 1", "Điều 4"]


def test_unbreakable_text_is_cut_at_word_boundaries(tmp_path: Path) -> None:
    words = " ".join(f"từ{i}" for i in range(3000))  # ~20k characters, not one punctuation mark
    blob = "x" * 5000  # a single "word" longer than a chunk
    text = f"I. MỘT\n\n1. {words}\n\n2. {blob}\n\nII. HAI\n\n1. Ngắn.\n\nIII. BA\n\n1. Ngắn."
    chunks = chunk_document(LoadedDocument(text=text), max_chars=500)
    _assert_well_formed(chunks, 500)
    word_parts = [c for c in chunks if c.section == "Mục I › 1"]
    assert len(word_parts) > 30
    rebuilt: list[str] = []
    for c in word_parts:
        body = c.text.split("\n", 2)[2] if c is not word_parts[0] else c.text.split("\n", 1)[1][3:]
        rebuilt.extend(body.split())
    assert rebuilt == words.split()  # cut between words only
    blob_parts = [c.text for c in chunks if c.section == "Mục I › 2"]
    assert len(blob_parts) > 10
    # The first part carries the item line itself; later parts repeat it shortened, then continue.
    rebuilt_blob = blob_parts[0].split("\n", 1)[1][3:] + "".join(t.rsplit("\n", 1)[1] for t in blob_parts[1:])
    assert rebuilt_blob == blob
    assert all(t.split("\n")[1].startswith("2. xxx") for t in blob_parts)


def test_no_chunk_exceeds_cap_for_many_sizes(tmp_path: Path) -> None:
    doc = _load(tmp_path, RESOLUTION + "\n" + DECREE)
    for size in (80, 120, 200, 400, 800, 1200, 4000):
        _assert_well_formed(chunk_document(doc, max_chars=size), size)
    with pytest.raises(ValueError):
        chunk_document(doc, max_chars=10)


# --- tables --------------------------------------------------------------------------------------


def test_table_rows(tmp_path: Path) -> None:
    text = """KẾ HOẠCH
về dữ liệu

I. NHIỆM VỤ

1. Hoàn thành cơ sở dữ liệu.

2. Kết nối dữ liệu.

PHỤ LỤC
DANH MỤC NHIỆM VỤ

| STT | Nhiệm vụ | Cơ quan chủ trì | Thời hạn |
|---|---|---|---|
| 4 | Trang bị thiết bị cho trụ sở xã | UBND các tỉnh | 30/06/2025 |
| 5 | Đưa Trung tâm dữ liệu quốc gia số 1 vào vận hành | Bộ Công an | 31/08/2025 |
|  | Dòng không số thứ tự | Bộ Tài chính |  |

Bảng tổng hợp:

| Trạng thái | Số nhiệm vụ |
|---|---|
| Đã hoàn thành | 601 |
| Quá hạn | 104 |
"""
    chunks = chunk_document(_load(tmp_path, text))
    _assert_well_formed(chunks, 1200)
    rows = [c for c in chunks if c.kind == "table_row"]
    assert [c.section for c in rows] == [
        "Phụ lục › 4",
        "Phụ lục › 5",
        "Phụ lục › dòng 3",
        "Phụ lục › dòng 1",
        "Phụ lục › dòng 2",
    ]
    assert rows[1].text == (
        "PHỤ LỤC DANH MỤC NHIỆM VỤ\n"
        "STT: 5 | Nhiệm vụ: Đưa Trung tâm dữ liệu quốc gia số 1 vào vận hành | Cơ quan chủ trì: Bộ Công an"
        " | Thời hạn: 31/08/2025"
    )
    assert rows[3].text.endswith("Trạng thái: Đã hoàn thành | Số nhiệm vụ: 601")
    # Rows follow the text that precedes them.
    ordinals = {c.section: c.ordinal for c in chunks}
    assert ordinals["Phụ lục"] < ordinals["Phụ lục › 4"]
    assert "STT" not in "\n".join(c.text for c in chunks if c.kind == "text")


def test_an_annex_title_above_its_table_goes_with_its_rows(tmp_path: Path) -> None:
    text = """KẾ HOẠCH
về dữ liệu

I. NHIỆM VỤ

1. Hoàn thành cơ sở dữ liệu.

PHỤ LỤC: DANH MỤC NHIỆM VỤ TRỌNG TÂM
(Kèm theo Kế hoạch số 350/KH-UBND ngày 18 tháng 11 năm 2025)

| STT | Nhiệm vụ | Thời hạn |
|---|---|---|
| 1 | Công bố danh mục dữ liệu dùng chung | 31/12/2025 |
| 2 | Kết nối dữ liệu | 05/12/2025 |
"""
    chunks = chunk_document(_load(tmp_path, text))
    _assert_well_formed(chunks, 1200)
    # No chunk of the title and its "(Kèm theo …)" alone: it answers nothing, yet its words ranked it first.
    assert [c.kind for c in chunks if "PHỤ LỤC" in c.text] == ["table_row", "table_row"]
    assert chunks[-2].text == (
        "PHỤ LỤC: DANH MỤC NHIỆM VỤ TRỌNG TÂM\n(Kèm theo Kế hoạch số 350/KH-UBND ngày 18 tháng 11 năm 2025)\n"
        "STT: 1 | Nhiệm vụ: Công bố danh mục dữ liệu dùng chung | Thời hạn: 31/12/2025"
    )


def test_table_without_heading_and_long_row() -> None:
    table = Table(headers=["Nhiệm vụ", "Ghi chú"], rows=[["Rà soát dữ liệu", "chi tiết " * 400]], position=0)
    doc = LoadedDocument(text="Đoạn văn ngắn ở cuối.", tables=[table])
    chunks = chunk_document(doc, max_chars=300)
    _assert_well_formed(chunks, 300)
    rows = [c for c in chunks if c.kind == "table_row"]
    assert len(rows) > 5
    assert {c.section for c in rows} == {"Bảng 1 › dòng 1"}
    assert rows[0].text.startswith("Nhiệm vụ: Rà soát dữ liệu | Ghi chú: chi tiết")
    assert chunks[-1].kind == "prose" and chunks[-1].text == "Đoạn văn ngắn ở cuối."


def test_docx_table_rows(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in ["KẾ HOẠCH", "về số hóa", "I. NHIỆM VỤ", "1. Số hóa hồ sơ.", "2. Danh mục:"]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=3)
    for c, value in enumerate(["STT", "Nhiệm vụ", "Thời hạn"]):
        table.cell(0, c).text = value
    for c, value in enumerate(["7", "Số hóa hộ tịch", "31/12/2025"]):
        table.cell(1, c).text = value
    document.add_paragraph("II. TỔ CHỨC THỰC HIỆN")
    document.add_paragraph("1. Các sở triển khai.")
    path = tmp_path / "kh.docx"
    document.save(str(path))
    chunks = chunk_document(load_document(path))
    [row] = [c for c in chunks if c.kind == "table_row"]
    assert row.section == "Mục I › 2 › 7"
    assert row.text == "I. NHIỆM VỤ\n2. Danh mục:\nSTT: 7 | Nhiệm vụ: Số hóa hộ tịch | Thời hạn: 31/12/2025"
    assert [c.section for c in chunks if c.kind == "text"][-1] == "Mục II"


# --- prose ---------------------------------------------------------------------------------------


def _seed_files() -> list[Any]:
    """The seed articles of ../shared/seeds; on a user's clone (no ../shared) one skipped case says why."""
    files = sorted((SHARED / "seeds").glob("*.txt"))
    return files or [pytest.param(None, marks=pytest.mark.skip(reason="../shared/seeds is not here (a user's clone)"))]


@pytest.mark.parametrize("path", _seed_files(), ids=lambda p: p.name[:3] if p else "no-seeds")
def test_seed_articles_are_prose(path: Path) -> None:
    doc = load_document(path)
    assert doc.meta.language in {"ar", "fa"}
    chunks = chunk_document(doc)
    _assert_well_formed(chunks, 1200)
    assert all(c.kind == "prose" for c in chunks)
    assert all(re.fullmatch(r"Đoạn \d+(–\d+)?", c.section) for c in chunks)
    joined = " ".join(" ".join(c.text.split()) for c in chunks)
    for para in (p.strip() for p in doc.text.split("\n")):
        if para:
            assert " ".join(para.split())[:60] in joined  # no paragraph dropped
    # Short paragraphs are merged: fewer chunks than paragraphs.
    assert len(chunks) < sum(1 for p in doc.text.split("\n") if p.strip())


def test_vietnamese_prose_without_structure(tmp_path: Path) -> None:
    paras = [f"Đoạn tin thứ {i}: Hội nghị đánh giá kết quả thực hiện nhiệm vụ chuyển đổi số. " * 3 for i in range(8)]
    chunks = chunk_document(_load(tmp_path, "\n\n".join(paras), "tin.txt"), max_chars=500)
    _assert_well_formed(chunks, 500)
    assert all(c.kind == "prose" for c in chunks)
    assert chunks[0].section == "Đoạn 1–2"


def test_the_closing_formula_recipients_and_signature_are_dropped_in_markdown_too(tmp_path: Path) -> None:
    """ "**Nơi nhận:**" and its list ("- UBND tỉnh (b/c); - Lưu: VT.") say whom a document went to, and were quoted
    as the answer to "which villages …" (a list). The plain label was dropped already; the bold one was not."""
    text = (
        "# BÁO CÁO Kết quả thực hiện năm 2025\n\nỦY BAN NHÂN DÂN XÃ HÒA MINH SƠN\n\n## I. KẾT QUẢ\n\n"
        "Có 9/11 thôn được phủ sóng 4G ổn định.\n\nTrên đây là báo cáo của Ủy ban nhân dân xã./.\n\n"
        "**Nơi nhận:**\n- UBND tỉnh (b/c);\n- Sở Khoa học và Công nghệ;\n- Lưu: VT.\n\n"
        "**TM. ỦY BAN NHÂN DÂN**\n**CHỦ TỊCH**\n\nLê Văn Khánh\n"
    )
    chunks = chunk_document(_load(tmp_path, text, "07-BC.md"), max_chars=1200)
    said = "\n".join(c.text for c in chunks)
    assert "9/11 thôn" in said
    assert "Nơi nhận" not in said and "Lưu: VT" not in said and "Lê Văn Khánh" not in said, said
    # The closing formula names the document's issuer into the last section's passage, and states nothing.
    assert "Trên đây là" not in said, said


# --- the real corpus -----------------------------------------------------------------------------


def _corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.md")) if CORPUS.is_dir() else []


def test_corpus_documents() -> None:
    files = _corpus_files()
    if not files:
        pytest.skip("docs_corpus is empty")
    for path in files:
        doc = load_document(path)
        raw = path.read_text(encoding="utf-8")
        front = (yaml.safe_load(raw.split("---", 2)[1]) if raw.startswith("---") else None) or {}
        if front.get("symbol"):
            assert doc.meta.symbol == front["symbol"], path.name
        assert doc.meta.language == "vi", path.name
        chunks = chunk_document(doc)
        _assert_well_formed(chunks, 1200)
        assert all(c.section for c in chunks), path.name
        texts = "\n".join(c.text for c in chunks)
        for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Nơi nhận", "(Đã ký)"):
            assert line not in texts, (path.name, line)
        if doc.tables:
            assert any(c.kind == "table_row" for c in chunks), path.name
        if re.search(r"^Điều \d+\.", doc.text, re.MULTILINE):
            assert any(c.section.startswith("Điều ") for c in chunks), path.name
        if re.search(r"^[IVX]+\. ", doc.text, re.MULTILINE):
            assert any(c.section.startswith("Mục ") for c in chunks), path.name
