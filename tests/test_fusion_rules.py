"""Each fusion rule of ``search.retriever``, one table row each: how the dense and keyword lists,
exact article references, a named document, the phrase bonus and the filters decide the order.
Fast: a fake store and embedding around a real (tiny) keyword index."""

from __future__ import annotations

from typing import Any

import pytest

from unionqa.errors import UsageError
from unionqa.search.filters import Filters
from unionqa.search.keyword import KeywordIndex
from unionqa.search.retriever import (
    RRF_K,
    Retriever,
    _fuse,
    _phrase,
    _title_match,
    article_refs,
)
from unionqa.settings import RetrievalSettings

LCL = "中华人民共和国劳动合同法"
RULES = "中华人民共和国劳动合同法实施条例"
SUBSIDY = "高校毕业生就业补贴办法"
CHUNKS: dict[str, tuple[str, dict[str, Any]]] = {
    "a39": (
        "第三十九条 劳动者在试用期间被证明不符合录用条件的，用人单位可以解除劳动合同。",
        {"doc_id": "lcl", "title": LCL, "article": "第三十九条", "kind": "law"},
    ),
    "a38": (
        "第三十八条 用人单位未及时足额支付劳动报酬的，劳动者可以解除劳动合同。",
        {"doc_id": "lcl", "title": LCL, "article": "第三十八条", "kind": "law"},
    ),
    "r39": (
        "第三十九条 用人单位依照劳动合同法的规定解除劳动合同的，应当出具解除证明。",
        {"doc_id": "rules", "title": RULES, "article": "第三十九条", "kind": "law"},
    ),
    "s1": (
        "招用应届高校毕业生的企业，按每人一千元的标准给予一次性就业补贴。",
        {"doc_id": "subsidy", "title": SUBSIDY, "kind": "policy", "region": "广东"},
    ),
    "s2": (
        "补贴资金由就业补助资金列支，企业应在招用后三个月内提出申请。",
        {"doc_id": "subsidy", "title": SUBSIDY, "kind": "policy", "region": "广东"},
    ),
}


def _meta(cid: str) -> dict[str, Any]:
    text, meta = CHUNKS[cid]
    return {"source": f"{meta['doc_id']}.md", "start": 0, "end": len(text), **meta}


class FakeIndex:
    """Dense search answers ``dense_order`` (filtered by a ``{"kind": ...}`` where)."""

    def __init__(self, dense_order: list[str]) -> None:
        self.dense_order = dense_order

    def _row(self, cid: str) -> dict[str, Any]:
        return {"chunk_id": cid, "text": CHUNKS[cid][0], "metadata": _meta(cid), "similarity": 0.5}

    def dense(self, vector: list[float], n: int, where: dict[str, Any] | None) -> list[dict]:
        rows = [self._row(c) for c in self.dense_order]
        if where:
            rows = [r for r in rows if all(r["metadata"].get(k) == v for k, v in where.items())]
        return rows[:n]

    def fetch(self, ids: list[str], vector: list[float] | None = None) -> dict[str, dict]:
        return {c: self._row(c) for c in ids}


class FakeEmbeddings:
    def embed_query(self, text: str) -> list[float]:
        return [0.0]


class FixedKeywords:
    def __init__(self) -> None:
        ids = list(CHUNKS)
        self.kw = KeywordIndex.build(
            ids, [CHUNKS[c][0] for c in ids], [_meta(c) for c in ids], "g1"
        )

    def get(self) -> KeywordIndex:
        return self.kw


@pytest.fixture(scope="module")
def keywords() -> FixedKeywords:
    return FixedKeywords()


def retriever(keywords: FixedKeywords, dense_order: list[str]) -> Retriever:
    return Retriever(FakeIndex(dense_order), FakeEmbeddings(), RetrievalSettings(), keywords)  # type: ignore[arg-type]


# --- the arithmetic ---------------------------------------------------------------------------

S = RetrievalSettings()


def fused(*lists: tuple[list[str], float]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranked, weight in lists:
        _fuse(scores, ranked, weight)
    return scores


# (rule, result, expected)
ARITHMETIC = [
    (
        "rank r of a list adds weight / (RRF_K + r + 1)",
        fused((["a", "b"], 1.0)),
        {"a": 1 / 61, "b": 1 / 62},
    ),
    (
        "lists add up, each with its own weight",
        fused((["a", "b"], S.dense_weight), (["b"], S.keyword_weight)),
        {"a": 1 / (RRF_K + 1), "b": 1 / (RRF_K + 2) + S.keyword_weight / (RRF_K + 1)},
    ),
    (
        "an exact phrase run scores (run / core)²",
        _phrase("用人单位可以解除劳动合同", "…用人单位可以解除劳动合同。"),
        1.0,
    ),
    ("a run shorter than 4 characters scores nothing", _phrase("试用期内辞职", "试用期满"), 0.0),
    ("a question core under 4 characters scores nothing", _phrase("辞职", "辞职"), 0.0),
    ("a named law matches a title that contains it", _title_match(RULES, "劳动合同法"), True),
    (
        "exactly: the title must end with the law's name",
        _title_match(RULES, "劳动合同法", exact=True),
        False,
    ),
    (
        "exactly: the short title (no 中华人民共和国) matches",
        _title_match(LCL, "劳动合同法", exact=True),
        True,
    ),
    (
        "leading words before a law's name are skipped",
        _title_match(LCL, "根据劳动合同法", exact=True),
        True,
    ),
    ("第39条 reads as 第三十九条", article_refs("第39条怎么规定"), [(None, "第三十九条")]),
    (
        "full-width digits read too",
        article_refs("劳动合同法第３９条"),
        [("劳动合同法", "第三十九条")],
    ),
]


@pytest.mark.parametrize(
    "result,expected", [r[1:] for r in ARITHMETIC], ids=[r[0] for r in ARITHMETIC]
)
def test_fusion_arithmetic(result: Any, expected: Any) -> None:
    if isinstance(expected, dict):
        assert result == pytest.approx(expected)
    else:
        assert result == expected


# --- the order of hits ----------------------------------------------------------------------


def test_an_exactly_named_article_is_pinned_first_and_marked(keywords: FixedKeywords) -> None:
    hits = retriever(keywords, ["s1", "s2", "a38", "r39", "a39"]).search("劳动合同法第三十九条")
    assert hits[0].chunk_id == "a39" and hits[0].metadata["article_match"] is True
    assert not any(h.metadata["article_match"] for h in hits if h.chunk_id not in ("a39", "r39"))


def test_a_loosely_named_law_gets_half_the_pin(keywords: FixedKeywords) -> None:
    hits = {
        h.chunk_id: h for h in retriever(keywords, ["a39", "r39"]).search("劳动合同法第三十九条")
    }
    assert hits["r39"].metadata["article_match"] is True
    assert 0.4 < hits["a39"].score - hits["r39"].score < 0.6


def test_an_article_number_alone_pins_that_article_of_every_statute(
    keywords: FixedKeywords,
) -> None:
    hits = retriever(keywords, ["s1", "s2", "a38", "a39", "r39"]).search("第39条")
    assert {h.chunk_id for h in hits[:2]} == {"a39", "r39"}
    assert all(h.metadata["article_match"] for h in hits[:2])


def test_a_named_document_lifts_its_passages(keywords: FixedKeywords) -> None:
    dense = ["a39", "a38", "r39", "s2", "s1"]
    plain = retriever(keywords, dense).search("企业什么时候提出申请")
    named = retriever(keywords, dense).search(f"《{SUBSIDY}》企业什么时候提出申请")
    rank = {h.chunk_id: i for i, h in enumerate(named)}
    assert named[0].chunk_id == "s2"
    assert rank["s2"] <= [h.chunk_id for h in plain].index("s2")


def test_the_phrase_bonus_breaks_a_tie_of_ranks(keywords: FixedKeywords) -> None:
    r = retriever(keywords, [])
    r.settings = RetrievalSettings(dense_weight=0.0, keyword_weight=0.0)
    hits = r.search("劳动者可以解除劳动合同")
    assert hits[0].chunk_id == "a38"  # the only chunk holding the whole run


def test_filters_apply_to_both_lists(keywords: FixedKeywords) -> None:
    hits = retriever(keywords, ["a39", "a38", "s1"]).search(
        "解除劳动合同 就业补贴", filters=Filters(kind="policy")
    )
    assert hits and {h.metadata["kind"] for h in hits} == {"policy"}


@pytest.mark.parametrize(
    "query,k,message",
    [
        ("", None, "问题不能为空"),
        ("   ", None, "问题不能为空"),
        ("补贴", 0, "k 应在"),
        ("补贴", 101, "k 应在"),
    ],
    ids=["empty", "blank", "k=0 is an error, not the default", "k over 100"],
)
def test_search_refuses(keywords: FixedKeywords, query: str, k: int | None, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        retriever(keywords, []).search(query, k=k)
