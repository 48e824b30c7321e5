"""A citation's locator from the quote's own offsets (``unionqa.ingest.locate``): the paragraph,
the list item under its lead-in, or a statute's article and 款 and 项, never merely the
paragraph where the chunk starts."""

from __future__ import annotations

import pytest
from fixtures import CORPUS

from unionqa.ingest.chunking import chunk_document
from unionqa.ingest.loaders import load_bytes
from unionqa.ingest.locate import locate, locate_in_chunk
from unionqa.text.sentences import sentence_spans

SUBSIDY = load_bytes((CORPUS / "graduate-hiring-subsidy.md").read_bytes(), "graduate.md")

STATUTE = """---
title: 中华人民共和国示例法
kind: law
---

# 中华人民共和国示例法

## 第四章 劳动合同的解除和终止

第三十八条 用人单位有下列情形之一的，劳动者可以解除劳动合同：

（一）未按照劳动合同约定提供劳动保护或者劳动条件的；

（二）未及时足额支付劳动报酬的；

用人单位以暴力、威胁手段强迫劳动者劳动的，劳动者可以立即解除劳动合同。

第三十九条 劳动者严重违反用人单位的规章制度的，用人单位可以解除劳动合同。
"""


def _span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def _chunk_of(doc, start: int):
    return next(c for c in chunk_document(doc) if c.start <= start < c.end)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("根据人社部、教育部、财政部印发的", "第1段"),
        ("整合优化吸纳就业补贴和扩岗补助政策", "第2段"),
        ("实施对象: 招聘毕业年度及离校两年内", "第3段"),
        ("补助标准:", "第4段"),
        ("每招聘1人不超过1500元", "第4段第1项"),
        ("所需资金从失业保险基金支出", "第4段第2项"),
        ("政策执行至2025年12月31日\n", "第4段第3项"),
        ("延续实施国有企业增人增资政策", "第8段"),
    ],
)
def test_a_quote_is_located_in_its_own_paragraph_or_list_item(quote: str, expected: str) -> None:
    start, end = _span(SUBSIDY.text, quote.rstrip("\n"))
    chunk = _chunk_of(SUBSIDY, start)
    assert locate(SUBSIDY.text, start, end, chunk.locator) == expected


def test_quotes_of_one_chunk_get_different_locators() -> None:
    """The issue's case: three quotes of the subsidy section all said 第2段."""
    chunk = _chunk_of(SUBSIDY, SUBSIDY.text.index("整合优化"))
    found = {
        locate(SUBSIDY.text, s, e, chunk.locator)
        for s, e in sentence_spans(SUBSIDY.text, chunk.start, chunk.end)
    }
    assert len(found) >= 3 and chunk.locator in found


def test_a_quote_across_paragraphs_is_located_where_it_starts() -> None:
    start, _ = _span(SUBSIDY.text, "补助标准:")
    _, end = _span(SUBSIDY.text, "每招聘1人不超过1500元")
    assert locate(SUBSIDY.text, start, end, "第2段") == "第4段起"


def test_from_the_chunk_alone_every_sentence_gets_the_same_locator() -> None:
    """locate_in_chunk (a search hit's text and locator) agrees with the whole document,
    except for a list item whose lead-in lies before the chunk (then its own paragraph)."""
    checked = 0
    for chunk in chunk_document(SUBSIDY):
        for s, e in sentence_spans(SUBSIDY.text, chunk.start, chunk.end):
            whole = locate(SUBSIDY.text, s, e, chunk.locator)
            alone = locate_in_chunk(chunk.text, chunk.start, s, e, chunk.locator)
            lead_outside = "项" in whole and whole.split("第")[1] != alone.split("第")[1]
            assert alone == whole or lead_outside, (chunk.locator, SUBSIDY.text[s:e])
            checked += 1
    assert checked >= 8


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("用人单位有下列情形之一的", "第三十八条第一款"),
        ("未及时足额支付劳动报酬的", "第三十八条第一款第二项"),
        ("用人单位以暴力、威胁手段强迫劳动者劳动的", "第三十八条第二款"),
        ("劳动者严重违反用人单位的规章制度的", "第三十九条"),  # one 款: the article alone
    ],
)
def test_a_statute_quote_names_its_article_kuan_and_item(quote: str, expected: str) -> None:
    doc = load_bytes(STATUTE.encode(), "law.md")
    start, end = _span(doc.text, quote)
    chunk = _chunk_of(doc, start)
    assert chunk.locator == expected[:5]  # the chunk knows the article only
    assert locate(doc.text, start, end, chunk.locator) == expected
    assert locate_in_chunk(chunk.text, chunk.start, start, end, chunk.locator) == expected


def test_what_cannot_be_placed_keeps_the_chunk_locator() -> None:
    assert locate(SUBSIDY.text, 0, 5, "题注") == "题注"
    assert locate(SUBSIDY.text, 10, 5, "第2段") == "第2段"
    assert locate(SUBSIDY.text, 0, len(SUBSIDY.text) + 9, "第2段") == "第2段"


def test_answer_citations_carry_their_quotes_own_locator(corpus_service) -> None:
    answer = corpus_service.ask("公司招应届生能领什么补助?")
    assert answer.citations
    for c in answer.citations:
        doc = corpus_service.get_document(c.doc_id)
        chunk = _chunk_of(doc, c.start)
        assert c.locator == locate(doc.text, c.start, c.end, chunk.locator), c.quote
