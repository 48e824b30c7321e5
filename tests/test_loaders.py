"""Loaders: every supported format and encoding becomes a Document with the right text and
metadata; broken or hostile files are refused with a reason the user can act on."""

from __future__ import annotations

import codecs
import io
import random
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from unionqa.errors import IngestError, UsageError
from unionqa.ingest.limits import MAX_DOCX_UNCOMPRESSED
from unionqa.ingest.loaders import load_bytes, load_file, make_doc_id

TEXT = "劳动者有权依法参加和组织工会。\n\n用人单位应当按时足额支付工资！加班的，支付加班费。"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- Markdown front matter ------------------------------------------------------------


def test_markdown_front_matter_becomes_metadata_with_iso_dates(tmp_path: Path) -> None:
    md = (
        "---\n"
        "title: 稳岗补贴政策\n"
        "kind: policy\n"
        "issuer: [人社部, 财政部]\n"
        "valid_until: 2025-12-31\n"
        "published: 2024-03-01\n"
        "---\n"
        "\n# 稳岗补贴政策\n\n企业可以申请稳岗补贴。\n"
    )
    doc, sha = load_file(write(tmp_path, "seed/subsidy.md", md), tmp_path)
    assert doc.source == "seed/subsidy.md"
    assert doc.title == "稳岗补贴政策"
    assert doc.metadata["kind"] == "policy"
    assert doc.metadata["valid_until"] == "2025-12-31"
    assert doc.metadata["published"] == "2024-03-01"
    assert doc.metadata["issuer"] == ["人社部", "财政部"]
    assert doc.valid_until is not None and doc.valid_until.isoformat() == "2025-12-31"
    assert len(sha) == 64


def test_markdown_front_matter_is_not_part_of_the_text(tmp_path: Path) -> None:
    md = "---\ntitle: 标题\nkind: policy\n---\n# 标题\n\n正文第一句。\n"
    doc = load_bytes(md.encode(), "a.md")
    assert doc.text == "# 标题\n\n正文第一句。\n"
    assert "kind" not in doc.text and "---" not in doc.text


def test_markdown_without_front_matter_takes_title_from_heading() -> None:
    doc = load_bytes("# 年休假\n\n职工连续工作一年以上的，享受带薪年休假。".encode(), "leave.md")
    assert doc.title == "年休假"
    assert doc.metadata == {"region": "national"}


def test_markdown_with_broken_front_matter_is_refused_with_a_reason() -> None:
    with pytest.raises(IngestError, match="YAML"):
        load_bytes("---\ntitle: [未闭合\n---\n正文。".encode(), "bad.md")


def test_windows_line_endings_are_normalised() -> None:
    doc = load_bytes("第一段。\r\n\r\n第二段。\r\n".encode(), "crlf.txt")
    assert doc.text == "第一段。\n\n第二段。\n"


# --- text encodings -------------------------------------------------------------------


ENCODINGS = {
    "utf-8": TEXT.encode("utf-8"),
    "utf-8-bom": codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    "gb18030": TEXT.encode("gb18030"),
    "gbk": TEXT.encode("gbk"),
    "utf-16-le-bom": codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    "utf-16-be-bom": codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_txt_in_each_supported_encoding_decodes_to_the_same_text(
    tmp_path: Path, encoding: str
) -> None:
    doc, _ = load_file(write(tmp_path, f"{encoding}.txt", ENCODINGS[encoding]), tmp_path)
    assert doc.text == TEXT
    assert "\ufeff" not in doc.text


def test_short_gbk_text_is_not_mistaken_for_another_encoding() -> None:
    assert load_bytes("工资按月支付。".encode("gbk"), "short.txt").text == "工资按月支付。"


def test_gb18030_only_characters_survive() -> None:
    text = "职工姓名：䶮，工号：一二三。"  # 䶮 is outside GBK
    assert load_bytes(text.encode("gb18030"), "rare.txt").text == text


@pytest.mark.parametrize(
    "junk",
    [
        random.Random(7).randbytes(4096),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
    ],
    ids=["random-bytes", "png"],
)
def test_binary_junk_named_txt_is_refused_with_a_reason(junk: bytes) -> None:
    with pytest.raises(IngestError) as e:
        load_bytes(junk, "notes.txt")
    assert "编码" in str(e.value)


def test_empty_file_is_refused_with_a_reason() -> None:
    with pytest.raises(IngestError, match="空"):
        load_bytes(b"  \n", "empty.txt")


def test_unsupported_extension_is_a_usage_error_naming_supported_types() -> None:
    with pytest.raises(UsageError) as e:
        load_bytes(b"a,b\n1,2\n", "table.csv")
    assert ".csv" in str(e.value) and ".docx" in str(e.value)


# --- HTML -----------------------------------------------------------------------------


HTML = """<!doctype html><html><head><title>页面标题</title>
<style>.x { color: red } body::after { content: "STYLE_TEXT" }</style>
<script>var leaked = "SCRIPT_TEXT";</script></head>
<body>
<nav hidden>HIDDEN_NAV</nav>
<h1>加班工资怎么算</h1>
<p>用人单位安排劳动者延长工作时间的，支付不低于工资的百分之一百五十的工资报酬。</p>
<div style="display:none">DISPLAY_NONE_TEXT</div>
<p aria-hidden="true">ARIA_HIDDEN_TEXT</p>
<ul><li>休息日加班：百分之二百</li><li>法定休假日加班：百分之三百</li></ul>
<noscript>NOSCRIPT_TEXT</noscript>
<table><tr><td>咨询热线</td><td>12351</td></tr></table>
<script>document.write("SCRIPT_TEXT_2")</script>
</body></html>"""


def test_html_keeps_visible_text_and_drops_scripts_styles_and_hidden_elements() -> None:
    doc = load_bytes(HTML.encode("utf-8"), "overtime.html")
    assert doc.title == "加班工资怎么算"
    for kept in ("百分之一百五十", "休息日加班：百分之二百", "法定休假日加班：百分之三百", "12351"):
        assert kept in doc.text
    for dropped in ("SCRIPT_TEXT", "STYLE_TEXT", "HIDDEN_NAV", "DISPLAY_NONE", "ARIA_HIDDEN"):
        assert dropped not in doc.text
    assert "NOSCRIPT_TEXT" not in doc.text
    assert "<" not in doc.text


def test_html_without_h1_takes_its_title_from_the_title_element() -> None:
    html = (
        "<html><head><title>关于做好就业工作的通知</title></head><body><p>正文。</p></body></html>"
    )
    doc = load_bytes(html.encode(), "page_123.html")
    assert doc.title == "关于做好就业工作的通知"
    assert doc.text == "正文。"


def test_html_in_gbk_is_decoded() -> None:
    html = "<html><body><p>工会会员享有的权利。</p></body></html>"
    assert load_bytes(html.encode("gbk"), "gbk.htm").text == "工会会员享有的权利。"


# --- DOCX -----------------------------------------------------------------------------


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    d.add_heading(paragraphs[0], level=1)
    for p in paragraphs[1:]:
        d.add_paragraph(p)
    d.add_paragraph("   ")  # blank paragraphs are dropped
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_paragraphs_become_text(tmp_path: Path) -> None:
    data = _docx(
        [
            "带薪年休假",
            "职工累计工作已满1年不满10年的，年休假5天。",
            "已满10年不满20年的，年休假10天。",
        ]
    )
    doc, _ = load_file(write(tmp_path, "leave.docx", data), tmp_path)
    assert doc.text == (
        "带薪年休假\n\n职工累计工作已满1年不满10年的，年休假5天。\n\n已满10年不满20年的，年休假10天。"
    )


def test_docx_whose_uncompressed_size_exceeds_the_limit_is_refused() -> None:
    good = _docx(["标题", "正文。"])
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        block = b"\0" * (1024 * 1024)
        with out.open("word/media/padding.bin", "w") as f:
            for _ in range(MAX_DOCX_UNCOMPRESSED // len(block) + 1):
                f.write(block)
    data = buf.getvalue()
    assert len(data) < 1024 * 1024  # small on disk, huge when unpacked
    with pytest.raises(IngestError, match="压缩炸弹"):
        load_bytes(data, "bomb.docx")


def test_docx_that_is_not_a_zip_is_refused_with_a_reason() -> None:
    with pytest.raises(IngestError, match="DOCX"):
        load_bytes(b"this is not a zip archive at all", "fake.docx")


# --- PDF ------------------------------------------------------------------------------


def minimal_pdf(line: str) -> bytes:
    """A one-page PDF written by hand: ASCII text in the standard Type1 font Helvetica."""
    content = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PDF_LINE = "Overtime on rest days is paid at 200 percent of wages."


def test_hand_written_pdf_is_valid_for_pypdf_itself() -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(minimal_pdf(PDF_LINE)), strict=True)
    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text() == PDF_LINE


def test_pdf_text_is_loaded(tmp_path: Path) -> None:
    doc, _ = load_file(write(tmp_path, "Overtime Rules.pdf", minimal_pdf(PDF_LINE)), tmp_path)
    assert doc.text == PDF_LINE
    assert doc.title == "Overtime Rules"
    assert doc.source == "Overtime Rules.pdf"


@pytest.mark.parametrize("keep", [0.5, 0.2])
def test_truncated_pdf_is_refused_with_a_reason(keep: float) -> None:
    data = minimal_pdf(PDF_LINE)
    with pytest.raises(IngestError) as e:
        load_bytes(data[: int(len(data) * keep)], "cut.pdf")
    assert "PDF" in str(e.value) and "损坏" in str(e.value)


def test_pdf_without_text_is_refused_as_probably_scanned() -> None:
    with pytest.raises(IngestError, match="扫描件"):
        load_bytes(minimal_pdf(""), "scan.pdf")


# --- statutes -------------------------------------------------------------------------


STATUTE = (
    "<!-- title: 中华人民共和国测试法 | source: example.org/laws @ abc123 : 测试法(2020-05-06).md -->\n"
    "# 中华人民共和国测试法\n\n"
    "2001年1月1日 第九届全国人民代表大会常务委员会第二十次会议通过\n\n"
    "2020年5月6日 第十三届全国人民代表大会常务委员会第十八次会议修正\n\n"
    "2012年12月28日 第十一届全国人民代表大会常务委员会第三十次会议修正\n\n"
    "<!-- INFO END -->\n\n"
    "## 第一章 总则\n\n"
    "第一条 为了测试，制定本法。本法自2030年1月1日起施行。\n\n"
    "第二条 本法适用于测试。\n\n"
    "第三条 用人单位应当遵守本法。\n"
)


def test_statute_is_recognised_with_title_and_latest_header_date(tmp_path: Path) -> None:
    doc, _ = load_file(write(tmp_path, "test_law.md", STATUTE), tmp_path)
    assert doc.metadata["kind"] == "law"
    assert doc.title == "中华人民共和国测试法"
    # the latest date of the header, not a date inside an article (2030) and not the first one
    assert doc.metadata["version_date"] == "2020-05-06"


def test_statute_provenance_comment_is_excluded_from_text_but_kept_as_metadata() -> None:
    doc = load_bytes(STATUTE.encode(), "test_law.md")
    assert doc.text.startswith("# 中华人民共和国测试法\n")
    assert "example.org" not in doc.text
    assert doc.metadata["provenance"].startswith("<!-- title: 中华人民共和国测试法")
    assert doc.text == STATUTE.split("\n", 1)[1]


def test_statute_as_plain_txt_is_recognised_too() -> None:
    doc = load_bytes(STATUTE.encode("gb18030"), "test_law.txt")
    assert doc.metadata["kind"] == "law"
    assert doc.title == "中华人民共和国测试法"


def test_prose_that_mentions_articles_is_not_taken_for_a_statute() -> None:
    text = "# 评论\n\n劳动合同法第三十九条规定了过失性辞退。第四十条规定了无过失性辞退。\n"
    doc = load_bytes(text.encode(), "comment.md")
    assert "kind" not in doc.metadata


def test_front_matter_kind_wins_over_statute_detection() -> None:
    text = "---\nkind: commentary\n---\n# 解读\n\n第一条 甲。\n\n第二条 乙。\n\n第三条 丙。\n"
    assert load_bytes(text.encode(), "reading.md").metadata["kind"] == "commentary"


# --- document ids ---------------------------------------------------------------------


ODD_NAMES = [
    "labour law.md",
    "劳动合同法.md",
    'he said "overtime".md',
    "it's 100% legal & fair?.txt",
    "sub dir/第 1 章 (修订).md",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_file_names_get_url_safe_stable_doc_ids(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, "# 标题\n\n正文。\n")
    doc, _ = load_file(path, tmp_path)
    assert doc.source == name
    assert quote(doc.doc_id, safe="") == doc.doc_id
    assert doc.doc_id == make_doc_id(name) == load_file(path, tmp_path)[0].doc_id


def test_doc_ids_of_different_names_differ_even_when_their_slugs_agree() -> None:
    ids = {make_doc_id(n) for n in ["劳动合同法.md", "劳动法.md", "劳动 法.md", "a/劳动法.md"]}
    assert len(ids) == 4


def test_doc_id_is_readable_for_ascii_names() -> None:
    assert make_doc_id("seed/graduate-hiring-subsidy.md").startswith(
        "seed-graduate-hiring-subsidy-"
    )
