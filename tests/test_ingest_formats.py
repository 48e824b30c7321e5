"""Formats that lost content or blew up before (issue 18): YAML alias bombs in front matter,
Word tables, Excel sheets, Big5 text and PDF pages. Each keeps ``chunk.text ==
document.text[start:end]``; a table's header row is repeated in every chunk it is cut into
(in ``embed_text`` and ``metadata["table_header"]``, never in the quoted text)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fixtures import make_settings

from unionqa.errors import IngestError
from unionqa.ingest import office
from unionqa.ingest.chunking import chunk_document
from unionqa.ingest.loaders import load_bytes
from unionqa.types import Chunk, Document


def exact(doc: Document) -> list[Chunk]:
    chunks = chunk_document(doc)
    assert chunks
    for c in chunks:
        assert c.text == doc.text[c.start : c.end]
    return chunks


# --- YAML front matter ------------------------------------------------------------------

BOMB = (
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "---\n# 通知\n\n正文。\n"
)


def test_front_matter_with_yaml_aliases_is_refused_naming_the_file() -> None:
    assert len(BOMB.encode()) < 400
    with pytest.raises(IngestError) as e:
        load_bytes(BOMB.encode(), "uploads/炸弹.md")
    assert "炸弹.md" in str(e.value) and "别名" in str(e.value)


def test_front_matter_over_the_size_cap_is_refused_naming_the_file() -> None:
    big = "---\n" + "".join(f"k{i}: {'值' * 40}\n" for i in range(2000)) + "---\n# 标题\n\n正文。\n"
    with pytest.raises(IngestError) as e:
        load_bytes(big.encode(), "big.md")
    assert "big.md" in str(e.value) and "文件头过大" in str(e.value)


def test_an_ordinary_front_matter_still_loads() -> None:
    doc = load_bytes("---\ntitle: 通知\nvalid_until: 2026-12-31\n---\n正文。\n".encode(), "a.md")
    assert doc.title == "通知" and doc.metadata["valid_until"] == "2026-12-31"


# --- Big5 -------------------------------------------------------------------------------

TRAD = "勞動者有權依法參加和組織工會。\n\n用人單位應當按時足額支付工資！加班的，支付加班費。"


def test_big5_text_is_decoded_not_ingested_as_mojibake() -> None:
    assert load_bytes(TRAD.encode("big5"), "trad.txt").text == TRAD


def test_gbk_text_is_still_decoded_as_gbk() -> None:
    simp = "劳动者有权依法参加和组织工会。用人单位应当按时足额支付工资！"
    assert load_bytes(simp.encode("gbk"), "simp.txt").text == simp


# --- Word tables ------------------------------------------------------------------------

HEADER = ("补贴项目", "对象", "标准")


def _docx_with_table(rows: list[tuple[str, ...]]) -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("企业补贴标准", level=1)
    d.add_paragraph("以下补贴按年度发放。")
    table = d.add_table(rows=0, cols=len(HEADER))
    for row in [HEADER, *rows]:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    d.add_paragraph("申请材料报当地人社部门。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_table_rows_are_ingested_in_document_order() -> None:
    doc = load_bytes(_docx_with_table([("高温津贴", "室外作业职工", "每人每月300元")]), "a.docx")
    assert doc.text == (
        "企业补贴标准\n\n以下补贴按年度发放。\n\n"
        "补贴项目 | 对象 | 标准\n高温津贴 | 室外作业职工 | 每人每月300元\n\n"
        "申请材料报当地人社部门。"
    )


def test_docx_table_cut_into_chunks_repeats_its_header_in_every_chunk() -> None:
    rows = [(f"第{i}项补贴", f"第{i}类企业职工", f"每人{i * 100}元") for i in range(1, 61)]
    doc = load_bytes(_docx_with_table(rows), "big.docx")
    chunks = exact(doc)
    table = [c for c in chunks if "每人" in c.text]
    assert len(table) > 2
    header = " | ".join(HEADER)
    for c in table:
        assert c.metadata["table_header"] == header
        assert header in c.embed_text.splitlines()[:2]
    assert header not in table[-1].text  # the quoted text stays verbatim
    assert "以下补贴" not in table[1].text  # a table starts its own chunks


def test_docx_table_cell_value_is_found_by_search(tmp_path: Path) -> None:
    from unionqa.service import QAService

    folder = tmp_path / "docs"
    folder.mkdir()
    rows = [("一次性扩岗补助", "招用高校毕业生的企业", "每招1人1500元")]
    rows += [(f"岗位补贴{i}", f"第{i}类企业", f"每人{i}0元") for i in range(1, 30)]
    rows.append(("高温津贴", "室外露天作业职工", "每人每月300元"))
    (folder / "标准表.docx").write_bytes(_docx_with_table(rows))
    svc = QAService(make_settings(tmp_path / "idx"), role="ingest")
    assert svc.ingest([folder]).added == 1
    hits = svc.search("高温津贴每月多少钱", k=3).hits
    assert "每人每月300元" in hits[0].text


# --- Excel ------------------------------------------------------------------------------


def _xlsx(sheets: dict[str, list[tuple[object, ...]]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_sheets_become_sections_with_the_header_on_every_chunk() -> None:
    many = [("项目", "标准")] + [(f"补贴{i}", f"{i * 10}元") for i in range(1, 80)]
    data = _xlsx(
        {"高温津贴": [("岗位", "标准"), ("室外作业", 300), ("室内高温", 200.0)], "补贴": many}
    )
    doc = load_bytes(data, "uploads/标准.xlsx")
    assert doc.title == "标准"
    assert "岗位 | 标准\n室外作业 | 300\n室内高温 | 200" in doc.text
    chunks = exact(doc)
    first = [c for c in chunks if c.metadata.get("section") == "高温津贴"]
    second = [c for c in chunks if c.metadata.get("section") == "补贴"]
    assert first and len(second) > 1
    assert all(c.metadata["table_header"] == "岗位 | 标准" for c in first)
    assert all(c.metadata["table_header"] == "项目 | 标准" for c in second)
    assert all("项目 | 标准" in c.embed_text for c in second)


def test_xlsx_with_too_many_cells_is_refused_with_the_limit(monkeypatch) -> None:
    monkeypatch.setattr(office, "MAX_TABLE_CELLS", 50)
    data = _xlsx({"表": [(i, i, i) for i in range(30)]})
    with pytest.raises(IngestError, match="50"):
        load_bytes(data, "big.xlsx")


def test_xlsx_that_is_not_a_zip_is_refused_with_a_reason() -> None:
    with pytest.raises(IngestError, match="XLSX"):
        load_bytes(b"not a workbook at all", "fake.xlsx")


def test_xlsx_without_any_value_is_refused() -> None:
    with pytest.raises(IngestError, match="没有可用的文字"):
        load_bytes(_xlsx({"空": []}), "empty.xlsx")


# --- PDF pages --------------------------------------------------------------------------


def cjk_pdf(pages: list[list[str]]) -> bytes:
    """A PDF written by hand, one page per list of lines; any BMP text, drawn as 2-byte CIDs
    (Identity-H) whose ToUnicode map is the identity, so pypdf extracts the text exactly."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def "
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange "
        b"1 beginbfrange <0000> <FFFF> <0000> endbfrange endcmap "
        b"CMapName currentdict /CMap defineresource pop end end"
    )
    kids = " ".join(f"{6 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong /Encoding /Identity-H"
        b" /DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong /CIDSystemInfo"
        b" << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    for i, lines in enumerate(pages):
        ops = [
            f"BT /F1 12 Tf 72 {720 - 20 * k} Td <{line.encode('utf-16-be').hex()}> Tj ET"
            for k, line in enumerate(lines)
        ]
        content = "\n".join(ops).encode("ascii")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
            b" /Resources << /Font << /F1 3 0 R >> >> >>" % (7 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_pdf_chunks_name_their_page() -> None:
    pages = [
        ["关于高温津贴的通知"],
        ["从事室外露天作业的职工，高温津贴标准为每人每月三百元。"],
        ["用人单位不得以防暑降温饮料充抵高温津贴。"],
    ]
    doc = load_bytes(cjk_pdf(pages), "notice.pdf")
    chunks = exact(doc)
    by_text = {c.text: c.locator for c in chunks}
    assert any(loc.startswith("第3页") for t, loc in by_text.items() if "充抵" in t)
    assert all(c.locator.startswith("第") and "页" in c.locator for c in chunks)
    assert all(isinstance(c.metadata["page"], int) for c in chunks)


def test_pdf_statute_chunks_name_page_and_article() -> None:
    pages = [
        ["中华人民共和国测试法", "第一条 为了测试，制定本法。", "第二条 本法适用于测试。"],
        ["第三条 用人单位应当遵守本法。"],
        ["第十条 休息日加班的，支付不低于工资百分之二百的工资报酬。"],
    ]
    doc = load_bytes(cjk_pdf(pages), "law.pdf")
    assert doc.metadata["kind"] == "law"
    chunks = exact(doc)
    locators = {c.locator for c in chunks}
    assert "第3页 第十条" in locators and "第2页 第三条" in locators
    assert json.dumps(doc.metadata)  # the page offsets stay JSON-storable
