"""Unit tests of the pure metric functions in ``unionqa.evaluation``, on small hand-made cases."""

from __future__ import annotations

import math

import pytest

from unionqa.errors import UsageError
from unionqa.eval import gates, judge
from unionqa.eval import metrics as ev
from unionqa.types import Answer, Citation, Hit

DOC = "第一条 为了保护劳动者。第二条 工资按月支付。加班费为百分之一百五十。"
OTHER = "无关的文字。"
TEXTS = {"d1": DOC, "d2": OTHER}


def hit(source: str, text: str, doc_id: str = "d1") -> Hit:
    start = TEXTS[doc_id].find(text)
    return Hit(
        chunk_id=f"{source}-{start}",
        doc_id=doc_id,
        source=source,
        title=source,
        text=text,
        score=1.0,
        start=start,
        end=start + len(text),
        locator="",
    )


def cite(n: int, quote: str, doc_id: str = "d1", source: str = "law.md", start: int | None = None):
    s = TEXTS[doc_id].find(quote) if start is None else start
    return Citation(
        n=n,
        doc_id=doc_id,
        source=source,
        title="t",
        quote=quote,
        start=s,
        end=s + len(quote),
        locator="",
    )


def item(**kw) -> ev.EvalItem:
    base = {
        "id": "x",
        "question": "加班费怎么算?",
        "gold_doc": "law.md",
        "gold_quote": "工资按月支付。加班费为百分之一百五十",
        "key_facts": ["百分之一百五十|150%", "按月"],
        "kind": "fact",
    }
    return ev.EvalItem.model_validate({**base, **kw})


def doc_text(c: Citation) -> str | None:
    return TEXTS.get(c.doc_id)


# --- question files -------------------------------------------------------------------


def test_parse_questions_ignores_unknown_fields_and_defaults_lang_to_zh():
    text = (
        '{"id": 7, "question": "q", "answerable": false, "gold_doc": null, "gold_quote": null,'
        ' "key_facts": [], "kind": "unanswerable", "origin": "real", "source": {"repo": "x"},'
        ' "must_not_contain": ["98天"]}\n\n'
    )
    [it] = ev.parse_questions(text)
    assert it.id == "7" and it.lang == "zh" and not it.answerable
    assert it.must_not_contain == ["98天"] and it.history == [] and it.support == []


def test_parse_questions_reads_support_and_history():
    text = (
        '{"id": "a", "question": "那国企呢?", "lang": "zh", "answerable": true, "gold_doc": "g.md",'
        ' "gold_quote": "q1", "key_facts": ["f"], "kind": "multi_turn", "history": ["h1"],'
        ' "support": [{"doc": "g.md", "quote": "q2", "why": "ignored"}]}'
    )
    [it] = ev.parse_questions(text)
    assert it.history == ["h1"]
    assert it.evidence() == [("g.md", "q1"), ("g.md", "q2")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json\n", "第 1 行"),
        ('{"id": "a"}\n', "question"),
        ('{"id": "a", "question": "  "}\n', "question 为空"),
        ('{"id": "a", "question": "q"}\n{"id": "a", "question": "r"}\n', "重复"),
    ],
)
def test_parse_questions_rejects_bad_lines_naming_them(text, message):
    with pytest.raises(UsageError, match=message):
        ev.parse_questions(text)


def test_load_questions_names_a_missing_file(tmp_path):
    with pytest.raises(UsageError, match="找不到问题文件"):
        ev.load_questions(tmp_path / "none.jsonl")


# --- key facts and forbidden strings ---------------------------------------------------


def test_key_fact_alternatives_match_ignoring_whitespace_and_case():
    assert ev.fact_present("三十日|30日", "应当在 30 日内")
    assert ev.fact_present("Article 24|第24条", "see article  24")
    assert not ev.fact_present("三十日|30日", "应当在3O日内")
    assert ev.alternatives(" a | |b ") == ["a", "b"]


def test_key_fact_recall_is_the_share_of_facts_present():
    assert ev.key_fact_recall(
        ["1500元|1500", "失业保险基金", "两年"], "不超过1500元，由失业保险基金支出"
    ) == pytest.approx(2 / 3)
    assert ev.key_fact_recall([], "anything") is None


def test_forbidden_found_lists_the_invented_figures():
    assert ev.forbidden_found(["98天", "128天"], "产假为 98 天") == ["98天"]
    assert ev.forbidden_found(["98天"], "我无法回答") == []


# --- retrieval ------------------------------------------------------------------------


def test_hit_at_k_and_mrr_use_the_first_hit_from_the_gold_document():
    hits = [hit("other.md", OTHER, "d2"), hit("law.md", "第二条 工资按月支付。")]
    s = ev.retrieval_scores(item(), hits)
    assert s["hit@1"] == 0.0 and s["hit@5"] == 1.0 and s["mrr"] == 0.5


def test_gold_doc_missing_from_hits_scores_zero():
    s = ev.retrieval_scores(item(), [hit("other.md", OTHER, "d2")])
    assert s["hit@1"] == s["hit@5"] == s["mrr"] == s["quote_recall@5"] == 0.0


def test_quote_recall_accepts_a_quote_inside_one_chunk():
    hits = [hit("law.md", "第二条 工资按月支付。加班费为百分之一百五十。")]
    assert ev.retrieval_scores(item(), hits)["quote_recall@5"] == 1.0


def test_quote_recall_accepts_sentence_parts_split_across_chunks_of_the_gold_doc():
    hits = [hit("law.md", "第二条 工资按月支付。"), hit("law.md", "加班费为百分之一百五十。")]
    assert ev.retrieval_scores(item(), hits)["quote_recall@5"] == 1.0


def test_quote_recall_rejects_parts_found_only_in_another_document():
    part_elsewhere = Hit(
        **{**hit("law.md", "加班费为百分之一百五十。").model_dump(), "source": "x.md"}
    )
    hits = [hit("law.md", "第二条 工资按月支付。"), part_elsewhere]
    assert ev.retrieval_scores(item(), hits)["quote_recall@5"] == 0.0


def test_quote_recall_only_counts_the_top_k():
    hits = [hit("other.md", OTHER, "d2")] * 5 + [hit("law.md", DOC)]
    s = ev.retrieval_scores(item(), hits)
    assert s["hit@5"] == 0.0 and s["quote_recall@5"] == 0.0 and s["mrr"] == pytest.approx(1 / 6)


def test_quote_recall_within_a_budget_counts_leading_hits_up_to_that_many_characters():
    filler = hit("law.md", "第一条 " + "为" * 995)  # 1,000 characters, no gold quote
    gold = hit("law.md", DOC)
    s = ev.retrieval_scores(item(), [filler, gold])
    assert s["quote_recall@ctx1000"] == 0.0  # the gold hit would pass 1,000 characters
    assert s["quote_recall@ctx2000"] == s["quote_recall@ctx"] == 1.0
    assert s["quote_recall@5"] == 1.0
    # the first hit counts even when it alone is longer than the budget
    assert (
        ev.retrieval_scores(item(), [hit("law.md", DOC + "为" * 1200)])["quote_recall@ctx1000"]
        == 1.0
    )


def test_evidence_recall_counts_support_quotes():
    it = item(support=[{"doc": "law.md", "quote": "第一条 为了保护劳动者"}])
    s = ev.retrieval_scores(it, [hit("law.md", "第二条 工资按月支付。加班费为百分之一百五十。")])
    assert s["evidence_recall@5"] == 0.5


def test_unanswerable_items_have_no_retrieval_scores():
    it = item(answerable=False, gold_doc=None, gold_quote=None, kind="unanswerable")
    assert ev.retrieval_scores(it, [hit("law.md", DOC)]) == {}


# --- answers --------------------------------------------------------------------------


def test_answer_scores_for_a_good_cited_answer():
    quote = "工资按月支付。加班费为百分之一百五十。"
    a = Answer(
        answer="工资每月发，加班费为百分之一百五十。[1]", refused=False, citations=[cite(1, quote)]
    )
    s = ev.answer_scores(item(), a, doc_text)
    assert s["key_fact_recall"] == 0.5  # the percentage is present, "按月" is not
    assert s["cites_gold_doc"] == 1.0 and s["cites_gold_quote"] == 1.0
    assert s["valid_citations"] == s["citations"] == 1.0
    assert s["markers_consistent"] == 1.0 and s["refused_answerable"] == 0.0


def test_citation_with_wrong_offsets_is_not_verbatim():
    good = cite(1, "工资按月支付。")
    shifted = cite(2, "工资按月支付。", start=good.start + 1)
    wrong_doc = cite(3, "工资按月支付。", doc_id="d2", start=0)
    assert ev.citation_verbatim(good, doc_text)
    assert not ev.citation_verbatim(shifted, doc_text)
    assert not ev.citation_verbatim(wrong_doc, doc_text)
    assert not ev.citation_verbatim(good, lambda c: None)


def test_markers_must_match_citations_both_ways():
    c1, c2 = cite(1, "第一条"), cite(2, "第二条")
    assert ev.markers_consistent(Answer(answer="a[1] b[2]", refused=False, citations=[c1, c2]))
    assert not ev.markers_consistent(Answer(answer="a[1]", refused=False, citations=[c1, c2]))
    assert not ev.markers_consistent(Answer(answer="a[1] b[3]", refused=False, citations=[c1, c2]))


def test_cites_gold_quote_across_two_citations_of_the_gold_doc():
    a = Answer(
        answer="x[1][2]",
        refused=False,
        citations=[cite(1, "第二条 工资按月支付。"), cite(2, "加班费为百分之一百五十。")],
    )
    assert ev.answer_scores(item(), a, doc_text)["cites_gold_quote"] == 1.0


def test_refusals_and_invented_figures():
    refusal = Answer(answer="资料中没有，请拨打12351。", refused=True)
    invented = Answer(answer="产假为98天。", refused=False)
    unans = item(
        answerable=False, gold_doc=None, gold_quote=None, key_facts=[], must_not_contain=["98天"]
    )
    assert ev.answer_scores(unans, refusal, doc_text)["refused_unanswerable"] == 1.0
    assert ev.answer_scores(unans, refusal, doc_text)["invented_figure"] == 0.0
    s = ev.answer_scores(unans, invented, doc_text)
    assert s["refused_unanswerable"] == 0.0 and s["invented_figure"] == 1.0
    assert ev.answer_scores(item(), refusal, doc_text)["refused_answerable"] == 1.0


def test_item_quality_orders_failures_below_successes():
    good = {
        "hit@5": 1.0,
        "quote_recall@5": 1.0,
        "key_fact_recall": 1.0,
        "cites_gold_quote": 1.0,
        "refused_answerable": 0.0,
    }
    bad = {**good, "key_fact_recall": 0.0, "refused_answerable": 1.0}
    assert ev.item_quality(good, True) == 1.0
    assert ev.item_quality(bad, True) < ev.item_quality(good, True)
    assert ev.item_quality({"refused_unanswerable": 0.0, "invented_figure": 1.0}, False) == 0.0


# --- latency and aggregation ----------------------------------------------------------


def test_percentiles_interpolate_like_numpy():
    xs = [1.0, 2.0, 3.0, 4.0, 100.0]
    assert ev.percentile(xs, 50) == 3.0
    assert ev.percentile(xs, 95) == pytest.approx(80.8)
    assert math.isnan(ev.percentile([], 50))


def test_latency_summary_per_stage():
    out = ev.latency_summary([{"retrieve": 10.0, "total": 20.0}, {"retrieve": 30.0}])
    assert out["retrieve"] == {"p50": 20.0, "p95": 29.0, "n": 2}
    assert out["total"]["n"] == 1


def test_aggregate_skips_none_and_names_rates():
    scores = [
        {"hit@5": 1.0, "refused_answerable": 0.0, "citations": 2.0, "valid_citations": 2.0},
        {"hit@5": 0.0, "refused_answerable": 1.0, "citations": 1.0, "valid_citations": 0.0},
        {"hit@5": None, "refused_unanswerable": 1.0, "citations": 0.0, "valid_citations": 0.0},
    ]
    m = ev.aggregate(scores)
    assert m["n"] == 3 and m["hit@5"] == 0.5
    assert m["wrong_refusal_rate"] == 0.5 and m["refusal_rate"] == 1.0
    assert m["citation_validity"] == pytest.approx(2 / 3, abs=1e-4)  # over citations, not answers
    assert "citations" not in m and "refused_answerable" not in m


def test_summarize_groups_by_kind():
    out = ev.summarize(
        [("fact", {"hit@5": 1.0}), ("fact", {"hit@5": 0.0}), ("english", {"hit@5": 1.0})]
    )
    assert out["overall"]["hit@5"] == pytest.approx(2 / 3, abs=1e-4)
    assert out["by_kind"]["fact"] == {"n": 2, "hit@5": 0.5}
    assert out["by_kind"]["english"]["n"] == 1


# --- gates ----------------------------------------------------------------------------


def test_gate_passes_within_tolerance_and_fails_beyond_it():
    previous = {"hit@5": 0.90, "wrong_refusal_rate": 0.10, "citation_validity": 1.0}
    assert (
        gates.compare_metrics(
            {"hit@5": 0.88, "wrong_refusal_rate": 0.12, "citation_validity": 1.0}, previous
        )
        == []
    )
    failures = gates.compare_metrics(
        {"hit@5": 0.80, "wrong_refusal_rate": 0.20, "citation_validity": 0.99}, previous
    )
    assert {f.metric for f in failures} == {"hit@5", "wrong_refusal_rate", "citation_validity"}
    assert "hit@5: 0.800 vs baseline 0.900" in str(failures[0])


def test_gate_counts_improvements_as_passing_and_missing_metrics_as_failures():
    previous = {"hit@5": 0.5, "key_fact_recall": 0.6}
    assert [f.metric for f in gates.compare_metrics({"hit@5": 1.0}, previous)] == [
        "key_fact_recall"
    ]
    assert gates.compare_metrics({"hit@5": 1.0, "new_metric": 0.0}, {"hit@5": 1.0}) == []


# --- LLM judge parsing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "value"),
    [("0.8", 0.8), ("Score: 1", 1.0), ("85%", 0.85), ("7", 1.0), ("none", None)],
)
def test_parse_judgement(reply, value):
    assert judge.parse_judgement(reply) == value
