"""Search with the real e5 model: the right passage first, figures and dates found, filters that
really filter, exact article references pinned, and clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import make_settings

from unionqa.errors import IndexNotReadyError, UsageError
from unionqa.service import QAService

SUBSIDY = "graduate-hiring-subsidy.md"


def test_graduate_hiring_question_finds_the_subsidy_article_first(corpus_service) -> None:
    result = corpus_service.search("招聘应届毕业生企业能拿什么补助")
    assert result.query == "招聘应届毕业生企业能拿什么补助"
    top = result.hits[0]
    assert top.source == SUBSIDY
    assert top.title == "招聘高校毕业生等青年就业 企业可享这些补助和优惠"
    assert "补助" in top.text
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)


@pytest.mark.parametrize("figure", ["1500元", "2025年12月31日"])
def test_amounts_and_dates_as_queries_find_the_subsidy_chunk(corpus_service, figure: str) -> None:
    hits = corpus_service.search(figure, k=3).hits
    assert any(h.source == SUBSIDY and figure in h.text for h in hits), [
        (h.source, h.text[:30]) for h in hits
    ]


@pytest.mark.parametrize(
    ("question", "byline", "rank"),
    [
        # 第4段 tells of 工作者 (jieba also cuts 作者 from it) at the conference itself
        ("《中国代表团参加首届世界女工会议的历史意义》的作者单位是哪里", "上海工会管理职业学院", 2),
        ("《奋力书写加快发展新质生产力的工会答卷》作者是谁", "河南省总工会党组成员", 1),
    ],
)
def test_a_document_named_by_title_is_searched_for_the_rest_of_the_question(
    corpus_service, question: str, byline: str, rank: int
) -> None:
    # without the title pass, the title's words match every paragraph of the article: the
    # bylines ranked fourth and sixth
    hits = corpus_service.search(question, k=rank).hits
    assert any(byline in h.text for h in hits), [(h.locator, h.text[-20:]) for h in hits]


def test_a_title_no_document_has_changes_nothing(corpus_service) -> None:
    question = "《人工智能法案》对招聘有什么规定"
    bare = corpus_service.search("人工智能法案对招聘有什么规定", k=5).hits
    named = corpus_service.search(question, k=5).hits
    assert [h.chunk_id for h in named] == [h.chunk_id for h in bare]


def test_hits_quote_the_stored_document_exactly(corpus_service) -> None:
    for hit in corpus_service.search("工会如何推动新质生产力发展", k=5).hits:
        doc = corpus_service.get_document(hit.doc_id)
        assert doc is not None and doc.source == hit.source
        assert doc.text[hit.start : hit.end] == hit.text
        assert hit.locator and hit.chunk_id.startswith(hit.doc_id + "#")


def test_k_limits_the_number_of_hits(corpus_service) -> None:
    assert len(corpus_service.search("工会", k=2).hits) == 2
    assert len(corpus_service.search("工会", k=20).hits) == 20


@pytest.mark.parametrize("k", [0, -1, 101])
def test_k_out_of_range_is_a_usage_error(corpus_service, k: int) -> None:
    with pytest.raises(UsageError, match="k 应在 1 到 100 之间"):
        corpus_service.search("工会", k=k)


# --- filters --------------------------------------------------------------------------


def test_kind_filter_returns_only_that_kind(corpus_service) -> None:
    hits = corpus_service.search("企业招聘补助", k=10, filters=["kind=policy"]).hits
    assert hits
    assert {h.metadata["kind"] for h in hits} == {"policy"}
    commentary = corpus_service.search("企业招聘补助", k=10, filters={"kind": "commentary"}).hits
    assert commentary and all(h.source != SUBSIDY for h in commentary)


def test_in_force_filter_excludes_the_expired_subsidy(corpus_service) -> None:
    question = "招聘应届毕业生企业能拿什么补助"
    before = corpus_service.search(question, k=20, filters=["in_force=2025-06-01"]).hits
    assert before[0].source == SUBSIDY  # still valid on that day
    after = corpus_service.search(question, k=20, filters=["in_force=2026-01-01"]).hits
    assert after, "documents without an expiry date stay in force"
    assert all(h.source != SUBSIDY for h in after)
    assert all(h.metadata["valid_until"] == 0 for h in after)


def test_filter_that_matches_nothing_gives_no_hits_not_an_error(corpus_service) -> None:
    assert corpus_service.search("工会", filters=["kind=regulation"]).hits == []


def test_source_filter_keeps_one_document(corpus_service) -> None:
    hits = corpus_service.search("工会", k=10, filters=[f"source={SUBSIDY}"]).hits
    assert hits and {h.source for h in hits} == {SUBSIDY}


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("colour=red", "无效的过滤条件：colour=red"),
        ("kind=", "无效的过滤条件"),
        ("kind", "无效的过滤条件"),
        ("in_force=2026-13-01", "YYYY-MM-DD"),
        ("in_force=tomorrow", "YYYY-MM-DD"),
    ],
)
def test_bad_filter_is_a_usage_error_naming_the_problem(
    corpus_service, pair: str, message: str
) -> None:
    with pytest.raises(UsageError) as e:
        corpus_service.search("工会", filters=[pair])
    assert message in str(e.value)
    if "无效" in message:
        assert "kind=…" in str(e.value)  # lists what is accepted


@pytest.mark.parametrize("question", ["", "   ", "\n\t　"])
def test_empty_question_is_a_usage_error(corpus_service, question: str) -> None:
    with pytest.raises(UsageError, match="问题不能为空"):
        corpus_service.search(question)


def test_search_before_any_ingest_says_to_run_ingest(tmp_path: Path) -> None:
    svc = QAService(make_settings(tmp_path / "empty"))
    with pytest.raises(IndexNotReadyError, match="unionqa ingest"):
        svc.search("加班费怎么算")


# --- statutes (need ../shared) --------------------------------------------------------


def _is(hit, law_title: str, article: str) -> bool:
    return hit.title == law_title and hit.locator == article


LCL = "中华人民共和国劳动合同法"
PIPL = "中华人民共和国个人信息保护法"


def test_dismissal_question_finds_labour_contract_law_article_39(laws_service) -> None:
    hits = laws_service.search("用人单位在什么情况下可以解除劳动合同", k=3).hits
    assert any(_is(h, LCL, "第三十九条") for h in hits), [(h.title, h.locator) for h in hits]


@pytest.mark.parametrize(
    "question",
    ["个人信息保护法第二十四条", "个人信息保护法第24条", "《个人信息保护法》第２４条的规定是什么"],
)
def test_named_article_comes_first(laws_service, question: str) -> None:
    hits = laws_service.search(question, k=5).hits
    assert _is(hits[0], PIPL, "第二十四条"), [(h.title, h.locator) for h in hits]
    assert hits[0].text.startswith("第二十四条 个人信息处理者利用个人信息进行自动化决策")
    assert hits[0].metadata["article_match"] is True


def test_named_article_of_a_law_is_not_confused_with_its_implementing_regulations(
    laws_service,
) -> None:
    hits = laws_service.search("劳动合同法第39条", k=5).hits
    assert _is(hits[0], LCL, "第三十九条")


def test_law_filter_kind_law_returns_only_statutes(laws_service) -> None:
    hits = laws_service.search("加班工资", k=10, filters=["kind=law"]).hits
    assert hits and {h.metadata["kind"] for h in hits} == {"law"}
    assert all(h.metadata.get("version_date") for h in hits)


def test_keyword_cache_without_a_filter_column_is_rebuilt_not_used(tmp_path: Path) -> None:
    import json

    from unionqa.search.keyword import KeywordIndex

    meta = {"doc_id": "d", "source": "a.md", "title": "标题", "kind": "policy", "valid_until": 0}
    KeywordIndex.build(["d#1"], ["加班工资"], [meta], "gen-1").save(tmp_path / "kw")
    assert KeywordIndex.load(tmp_path / "kw").columns["source"] == ["a.md"]
    rows = json.loads((tmp_path / "kw" / "rows.json").read_text(encoding="utf-8"))
    del rows["columns"]["source"]  # as written before `source` became filterable
    (tmp_path / "kw" / "rows.json").write_text(json.dumps(rows), encoding="utf-8")
    assert KeywordIndex.load(tmp_path / "kw") is None
