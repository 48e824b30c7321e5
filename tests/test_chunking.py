"""Chunking: verbatim offsets, sentence boundaries, stable ids, one chunk per statute article.

Every file of corpus/ and (when ../shared is present) every statute of ../shared/corpora/laws is
chunked for real; the finer points (punctuation, long articles, pathological sentences) use
synthetic strings whose right answer is known.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fixtures import CORPUS, LAWS

from unionqa.ingest.chunking import ARTICLE_MAX, MAX_CHARS, TARGET, chunk_document
from unionqa.ingest.loaders import load_bytes, load_file
from unionqa.text.sentences import HARD_MAX
from unionqa.text.sentences import sentence_spans as spans
from unionqa.types import Document

SENTENCE_ENDS = set("。！？；!?…")
CLOSERS = set("”’」』）)】》〕\"'")

CORPUS_FILES = sorted(CORPUS.glob("*.md"))
LAW_FILES = sorted(LAWS.glob("*.md")) if LAWS.is_dir() else []
ALL_FILES = [(f, CORPUS) for f in CORPUS_FILES] + [(f, LAWS) for f in LAW_FILES]

needs_laws = pytest.mark.skipif(not LAW_FILES, reason="../shared/corpora/laws is absent")


def _load(path: Path, root: Path) -> Document:
    return load_file(path, root)[0]


def _ends_cleanly(text: str, end: int) -> bool:
    """Is ``end`` just after a sentence end (closing quotes/brackets allowed) or a line end?"""
    if not text[end:].split("\n", 1)[0].strip():  # only (full-width) spaces up to the line end
        return True
    j = end - 1
    while j > 0 and text[j] in CLOSERS:
        j -= 1
    return text[j] in SENTENCE_ENDS or (text[j] == "." and text[end].isspace())


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in spans(text)]


def _doc(text: str, kind: str | None = "commentary", title: str = "测试文档") -> Document:
    meta = {"kind": kind} if kind else {}
    return Document(doc_id="t-0001", source="t.md", title=title, text=text, metadata=meta)


_CN = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}


def cn_to_int(s: str) -> int:
    """一百零二 → 102, 三十九 → 39, 十 → 10 (enough for article numbers)."""
    total, num = 0, 0
    for ch in s:
        if ch in _CN:
            num = _CN[ch]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (num or 1) * unit
            num = 0
    return total + num


# --- every real file ------------------------------------------------------------------


@pytest.mark.parametrize(("path", "root"), ALL_FILES, ids=[f.name for f, _ in ALL_FILES])
def test_every_chunk_is_exactly_its_slice_of_the_document(path: Path, root: Path) -> None:
    doc = _load(path, root)
    chunks = chunk_document(doc)
    assert chunks, f"{path.name} gave no chunks"
    for c in chunks:
        assert c.doc_id == doc.doc_id
        assert 0 <= c.start < c.end <= len(doc.text)
        assert c.text == doc.text[c.start : c.end]
        assert c.text == c.text.strip(), "a chunk starts or ends with whitespace"
        assert c.embed_text.endswith(c.text)


@pytest.mark.parametrize(("path", "root"), ALL_FILES, ids=[f.name for f, _ in ALL_FILES])
def test_no_chunk_ends_inside_a_sentence(path: Path, root: Path) -> None:
    doc = _load(path, root)
    bad = [
        (c.locator, doc.text[c.end - 12 : c.end] + "|" + doc.text[c.end : c.end + 6])
        for c in chunk_document(doc)
        if not _ends_cleanly(doc.text, c.end)
    ]
    assert bad == []


@pytest.mark.parametrize(("path", "root"), ALL_FILES, ids=[f.name for f, _ in ALL_FILES])
def test_chunk_ids_are_unique_and_stable(path: Path, root: Path) -> None:
    first = chunk_document(_load(path, root))
    again = chunk_document(_load(path, root))
    ids = [c.chunk_id for c in first]
    assert len(set(ids)) == len(ids)
    assert first == again
    assert all(c.chunk_id.startswith(c.doc_id + "#") for c in first)


def test_corpus_prose_chunks_are_mostly_200_to_400_chars() -> None:
    lengths = [
        c.end - c.start
        for f in CORPUS_FILES
        for c in chunk_document(_load(f, CORPUS))
        if c.metadata["kind"] != "policy"  # the policy notice is short bullet lists
    ]
    in_range = [n for n in lengths if TARGET <= n <= MAX_CHARS]
    assert len(in_range) >= 0.7 * len(lengths), lengths
    assert max(lengths) <= MAX_CHARS * 1.5


def test_corpus_prose_chunks_overlap_by_one_whole_sentence() -> None:
    overlaps = 0
    for f in CORPUS_FILES:
        doc = _load(f, CORPUS)
        chunks = chunk_document(doc)
        for a, b in zip(chunks, chunks[1:], strict=False):
            assert b.start > a.start, "chunks must move forward"
            if b.start < a.end:
                overlaps += 1
                shared = doc.text[b.start : a.end]
                assert _sentences(shared) == [shared], f"overlap is not one sentence: {shared!r}"
                assert a.metadata.get("section") == b.metadata.get("section")
    assert overlaps >= 5


def test_markdown_headings_are_never_inside_chunks() -> None:
    for f in CORPUS_FILES:
        for c in chunk_document(_load(f, CORPUS)):
            assert not re.search(r"^#", c.text, re.M), (f.name, c.locator)


def test_subsidy_section_name_is_kept_as_metadata_and_in_the_embedded_text() -> None:
    doc = _load(CORPUS / "graduate-hiring-subsidy.md", CORPUS)
    chunk = next(c for c in chunk_document(doc) if "1500元" in c.text)
    assert chunk.metadata["section"] == "一次性扩岗补助"
    assert chunk.embed_text.startswith(doc.title)
    assert "一次性扩岗补助" in chunk.embed_text.split("\n", 1)[0]
    assert chunk.metadata["valid_until"] == 20251231
    assert chunk.metadata["kind"] == "policy"
    assert re.fullmatch(r"第\d+段", chunk.locator)


# --- statutes -------------------------------------------------------------------------


def _articles(chunks):
    return [c for c in chunks if c.metadata.get("article")]


@needs_laws
@pytest.mark.parametrize("path", LAW_FILES, ids=[f.name for f in LAW_FILES])
def test_statute_articles_are_numbered_one_to_n_each_in_its_own_chunk(path: Path) -> None:
    doc = _load(path, LAWS)
    assert doc.metadata["kind"] == "law"
    chunks = chunk_document(doc)
    arts = _articles(chunks)
    labels = list(dict.fromkeys(c.locator for c in arts))
    numbers = [cn_to_int(re.fullmatch(r"第(.+?)条", label).group(1)) for label in labels]
    assert numbers == list(range(1, len(numbers) + 1)), (
        "articles missing, duplicated or mislabelled"
    )
    for c in arts:
        assert c.metadata["article"] == c.locator
        assert c.chunk_id.split("#", 1)[1].split("~")[0] == c.locator
    for label in labels:
        pieces = [c for c in arts if c.locator == label]
        assert pieces[0].text.startswith(label)
        if len(pieces) > 1:  # split only when the article is long
            assert pieces[-1].end - pieces[0].start > ARTICLE_MAX
            assert all(len(p.text) <= ARTICLE_MAX * 1.5 for p in pieces)
        # pieces of one article cover it without gaps
        for a, b in zip(pieces, pieces[1:], strict=False):
            assert b.start <= a.end + 2


@needs_laws
@pytest.mark.parametrize("path", LAW_FILES, ids=[f.name for f in LAW_FILES])
def test_statute_article_carries_the_chapter_it_sits_in(path: Path) -> None:
    doc = _load(path, LAWS)
    headings = [
        (m.start(), re.sub(r"\s+", " ", m.group(1)))
        for m in re.finditer(r"^##+\s+(.+?)\s*$", doc.text, re.M)
    ]
    for c in _articles(chunk_document(doc)):
        before = [h for pos, h in headings if pos < c.start]
        if before:
            assert c.metadata["chapter"].endswith(before[-1]), (c.locator, c.metadata)
        else:
            assert "chapter" not in c.metadata


@needs_laws
def test_labour_contract_law_article_39_is_one_chunk_in_chapter_four() -> None:
    doc = _load(LAWS / "labour_contract_law.md", LAWS)
    (art,) = [c for c in chunk_document(doc) if c.locator == "第三十九条"]
    assert art.chunk_id == f"{doc.doc_id}#第三十九条"
    assert art.metadata["chapter"] == "第四章 劳动合同的解除和终止"
    assert art.text.startswith("第三十九条 劳动者有下列情形之一的，用人单位可以解除劳动合同")
    assert art.text.endswith("被依法追究刑事责任的。")
    assert "第四十条" not in art.text
    assert art.embed_text.startswith(
        "中华人民共和国劳动合同法 第四章 劳动合同的解除和终止 第三十九条"
    )


@needs_laws
def test_statute_appendix_is_not_cited_as_the_last_article() -> None:
    doc = _load(LAWS / "female_employees_special_protection_provisions.md", LAWS)
    chunks = chunk_document(doc)
    (last,) = [c for c in chunks if c.locator == "第十六条"]
    assert last.text.endswith("同时废止。")
    annex = [c for c in chunks if "矿山井下作业" in c.text]
    assert annex and all(not c.metadata.get("article") for c in annex)
    assert all(c.locator.startswith("附录") for c in annex)


STATUTE = """# 中华人民共和国测试法

2001年1月1日 通过

2020年5月6日 修正

<!-- INFO END -->

## 第一章 总则

第一条 为了测试，制定本法。

第二条 本法适用于测试。

## 第二章 劳动合同

### 第一节 订立

第三条 用人单位应当订立书面劳动合同。

第四条 {long}

第五条 本法自公布之日起施行。
"""


def _long_article() -> str:
    paras = [
        f"（{n}）用人单位应当按照约定的时间和标准支付第{n}项待遇，不得克扣或者无故拖欠。" * 3
        for n in "一二三四五六七八"
    ]
    return "有下列情形之一的，劳动者可以解除劳动合同：\n\n" + "\n\n".join(paras)


def test_long_article_is_split_into_pieces_that_all_keep_its_label() -> None:
    text = STATUTE.format(long=_long_article())
    doc = load_bytes(text.encode(), "test_law.md")
    assert doc.metadata["kind"] == "law"
    chunks = chunk_document(doc)
    pieces = [c for c in chunks if c.locator == "第四条"]
    article = text[text.index("第四条") : text.index("第五条")].strip()
    assert len(article) > ARTICLE_MAX
    assert len(pieces) >= 2
    assert {c.metadata["article"] for c in pieces} == {"第四条"}
    assert {c.metadata["chapter"] for c in pieces} == {"第二章 劳动合同 第一节 订立"}
    assert [c.chunk_id.split("#")[1] for c in pieces] == ["第四条"] + [
        f"第四条~{n}" for n in range(2, len(pieces) + 1)
    ]
    assert pieces[0].start == doc.text.index("第四条")
    assert pieces[-1].end == doc.text.index("第四条") + len(article)
    for c in pieces:
        assert len(c.text) <= ARTICLE_MAX
        assert _ends_cleanly(doc.text, c.end)
        assert c.embed_text.split("\n")[0].endswith("第四条")
    assert [c.locator for c in chunks if c.metadata.get("article")] == [
        "第一条",
        "第二条",
        "第三条",
        *["第四条"] * len(pieces),
        "第五条",
    ]


def test_short_statute_articles_are_one_chunk_each_with_chapter() -> None:
    doc = load_bytes(STATUTE.format(long="劳动者可以解除劳动合同。").encode(), "test_law.md")
    got = {c.locator: c.metadata.get("chapter") for c in chunk_document(doc)}
    assert got == {
        "题注": None,
        "第一条": "第一章 总则",
        "第二条": "第一章 总则",
        "第三条": "第二章 劳动合同 第一节 订立",
        "第四条": "第二章 劳动合同 第一节 订立",
        "第五条": "第二章 劳动合同 第一节 订立",
    }


# --- sentences and punctuation (synthetic) ----------------------------------------------


def test_full_width_and_ascii_sentence_ends_split_sentences() -> None:
    text = "真的吗？是的；好!ok?等等……结束。"
    assert _sentences(text) == ["真的吗？", "是的；", "好!", "ok?", "等等……", "结束。"]


def test_closing_quotes_and_brackets_stay_with_their_sentence() -> None:
    text = "他说：“可以。”然后走了！「注意！」他喊。（见附件。）下一句"
    assert _sentences(text) == [
        "他说：“可以。”",
        "然后走了！",
        "「注意！」",
        "他喊。",
        "（见附件。）",
        "下一句",
    ]


def test_repeated_marks_and_decimal_points_do_not_split() -> None:
    text = "他问：“为什么？！”工资上涨3.5%。Pay rises 3.5% today. Next!"
    assert _sentences(text) == [
        "他问：“为什么？！”",
        "工资上涨3.5%。",
        "Pay rises 3.5% today.",
        "Next!",
    ]


def test_line_ends_close_a_sentence_without_punctuation() -> None:
    assert _sentences("第一行没有标点\n第二行也没有\n\n第三段。") == [
        "第一行没有标点",
        "第二行也没有",
        "第三段。",
    ]


def test_prose_with_mixed_punctuation_is_cut_only_between_sentences() -> None:
    one_round = [
        "劳动者说：“公司拖欠工资三个月了。”",
        "工会主席回答：「可以申请劳动仲裁！」",
        "仲裁委员会应当受理吗？",
        "应当受理；",
        "但须在时效内提出（一年内。）",
        "Is overtime paid at 150%?",
        "Yes!",
        "还要注意证据……",
        "保留工资条、考勤记录和聊天记录。",
    ]
    sentences = one_round * 6
    text = "".join(sentences)
    assert _sentences(text) == sentences
    bounds = {sum(len(s) for s in sentences[:i]) for i in range(len(sentences) + 1)}
    chunks = chunk_document(_doc(text))
    assert len(chunks) >= 2
    for c in chunks:
        assert c.start in bounds, text[c.start : c.start + 10]
        assert c.end in bounds, text[c.end - 10 : c.end + 3]
        assert c.text == text[c.start : c.end]


def test_pathological_sentence_is_split_at_commas_below_hard_max() -> None:
    clause = "用人单位应当依法支付劳动者的工资报酬，"  # 19 chars, no sentence end
    text = clause * 150 + "完。"
    assert len(text) > 2 * HARD_MAX
    chunks = chunk_document(_doc(text))
    assert len(chunks) >= 3
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for c in chunks:
        assert len(c.text) <= HARD_MAX
        assert c.text.endswith(("，", "。")), c.text[-5:]
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start == a.end  # no gap, no overlap inside one sentence


def test_sentence_without_any_break_is_hard_split_at_hard_max() -> None:
    text = "工" * (HARD_MAX * 2 + 10)
    chunks = chunk_document(_doc(text))
    assert [c.end - c.start for c in chunks] == [HARD_MAX, HARD_MAX, 10]
    assert "".join(c.text for c in chunks) == text


def test_short_document_gives_one_chunk_with_paragraph_locator() -> None:
    chunks = chunk_document(_doc("工资应当以货币形式按月支付。"))
    assert [(c.start, c.end, c.locator) for c in chunks] == [(0, 14, "第1段")]


def test_statute_appendix_after_the_last_article_gets_its_own_locator() -> None:
    text = STATUTE.format(long="劳动者可以解除劳动合同。") + (
        "\n附件1：\n\n禁忌从事的劳动范围\n\n一、矿山井下作业；\n\n二、高处作业。\n"
    )
    chunks = chunk_document(load_bytes(text.encode(), "test_law.md"))
    last = next(c for c in chunks if c.locator == "第五条")
    assert last.text == "第五条 本法自公布之日起施行。"
    annex = [c for c in chunks if "矿山井下作业" in c.text]
    assert [c.locator for c in annex] == ["附件1"]
    assert "article" not in annex[0].metadata
