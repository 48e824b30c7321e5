"""Rules of ``answer.evidence`` that choose what may be quoted, one table row each. Fast: no
model, no index."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from unionqa.answer.evidence import Terms, _names_shared, select
from unionqa.types import Hit


def terms(weights: dict[str, float], nominal: set[str]) -> Terms:
    return Terms(
        weights=weights,
        alternatives={t: (t,) for t in weights},
        nominal=frozenset(nominal),
    )


@pytest.mark.parametrize(
    ("weights", "quote", "shared"),
    [
        # the heaviest naming term decides; a tie goes to the longer one (人脸, not 钱)
        ({"人脸": 2.77, "钱": 2.77, "收集": 2.26}, "每招聘1人不超过1500元，钱从基金出", False),
        ({"人脸": 2.77, "钱": 2.77, "收集": 2.26}, "收集人脸信息应当取得单独同意", True),
        ({"高温": 3.0, "钱": 1.0}, "高温津贴每月300元", True),
        ({"高温": 3.0, "钱": 1.0}, "扩岗补助1500元，钱从失业保险基金出", False),
    ],
)
def test_a_quote_from_another_document_must_name_the_question_topic(weights, quote, shared):
    t = terms(weights, set(weights))
    assert _names_shared(t.covered(quote), t) is shared


def test_the_topic_does_not_depend_on_the_hash_seed():
    code = (
        "from unionqa.answer.evidence import Terms, _names_shared\n"
        "w = {'钱': 2.77, '人脸': 2.77, 'ai': 1.5}\n"
        "t = Terms(w, {k: (k,) for k in w}, nominal=frozenset(w))\n"
        "print(_names_shared({'钱'}, t))\n"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(6)
    }
    assert seen == {"False"}


NOTICE = (
    "实施对象: 招用离校两年内未就业高校毕业生的企业。\n\n"
    "补助标准:\n\n- 每招用1人不超过1500元\n- 资金从失业保险基金支出"
)


def _notice_hit() -> Hit:
    return Hit(
        chunk_id="c1",
        doc_id="d1",
        source="notice.md",
        title="补助通知",
        text=NOTICE,
        score=1.0,
        start=0,
        end=len(NOTICE),
        locator="第1段",
    )


def _article_hit(cid: str, text: str, title: str, **meta: object) -> Hit:
    """A whole statute article as the retriever hands it on, with its situation metadata."""
    return Hit(
        chunk_id=cid,
        doc_id=cid,
        source=f"{cid}.md",
        title=title,
        text=text,
        score=1.0,
        start=0,
        end=len(text),
        locator=cid,
        metadata={"kind": "law", **meta},
    )


def test_a_list_opener_takes_its_markdown_items_along():
    t = terms({"补助": 1.0}, {"补助"})
    chosen, _ = select([_notice_hit()], {"d1": NOTICE}, "补助标准是啥", t)
    opener = next(e for e in chosen if e.quote.startswith("补助标准"))
    assert opener.quote.endswith("资金从失业保险基金支出") and "1500元" in opener.quote
    assert NOTICE[opener.start : opener.end] == opener.quote


def test_a_governing_phrase_of_the_situation_makes_its_sentence_the_point():
    t = terms({"企业": 1.0, "补助": 1.0}, {"企业", "补助"})
    question = "企业能领补助吗"
    plain, _ = select([_notice_hit()], {"d1": NOTICE}, question, t)
    governed, _ = select([_notice_hit()], {"d1": NOTICE}, question, t, ["每招用1人不超过1500元"])
    assert not plain[0].quote.startswith("补助标准")
    assert governed[0].quote.startswith("补助标准") and "1500元" in governed[0].quote


def test_a_news_passage_governs_for_the_asked_point_or_as_the_situations_first():
    from unionqa.answer.evidence import passage_phrases
    from unionqa.search.issue_map import IssueMap, Match

    s = IssueMap.load().get("subsidy.graduates")
    assert s is not None
    first = next(r.contains for r in s.articles if r.contains)
    # nothing asked: the situation's first passage; its other points govern nothing here
    assert passage_phrases([Match(s, 1.0)], "公司招应届生能领什么补助") == [first]
    asked = passage_phrases([Match(s, 1.0)], "扩岗补助的钱是从哪出的")
    assert asked[0] == "所需资金从失业保险基金支出" and asked[1:] == [first]
    assert passage_phrases([], "扩岗补助的钱是从哪出的") == []


def test_the_governing_sentence_is_marked_and_a_statute_article_keeps_the_lead():
    t = terms({"企业": 1.0, "补助": 1.0}, {"企业", "补助"})
    chosen, _ = select(
        [_notice_hit()], {"d1": NOTICE}, "企业能领补助吗", t, ["每招用1人不超过1500元"]
    )
    assert chosen[0].governs and not any(e.governs for e in chosen[1:])
    article = _article_hit(
        "d2",
        "第五条 企业吸纳就业的，按规定享受补助。",
        "某条例",
        situation="x",
        situation_article=0,
        governs_best=True,
    )
    docs = {"d1": NOTICE, "d2": article.text}
    # the retriever's boost ranks a governing article first; the news passage does not jump it
    led, _ = select([article, _notice_hit()], docs, "企业能领补助吗", t, ["每招用1人不超过1500元"])
    assert led[0].doc_id == "d2"


def test_advice_clauses_stating_the_unstated_kind_are_left_out():
    from unionqa.answer.guidance import next_steps
    from unionqa.search.issue_map import IssueMap

    s = IssueMap.load().get("probation.pay")
    assert s is not None and "百分之八十" in (s.advice or "")
    full = next_steps(s, "zh", "12351", set())
    partial = next_steps(s, "zh", "12351", set(), unstated="ratio")
    assert "百分之八十" in full and "百分之八十" not in partial
    assert "12351" in partial and all(o in partial for o in s.offices)


def test_a_sure_situation_with_none_of_its_passages_found_is_unsourced():
    from unionqa.answer.gate import unsourced
    from unionqa.search.issue_map import IssueMap, Match

    m = IssueMap.load()
    subsidy, jobless = m.get("subsidy.graduates"), m.get("si.unemployment")
    assert subsidy is not None and jobless is not None
    hits = [_notice_hit()]
    assert unsourced([Match(jobless, 0.99)], hits, 0.97)
    assert not unsourced([Match(jobless, 0.95)], hits, 0.97)  # not sure: its words may answer
    found = _notice_hit().model_copy(update={"text": "补助标准:\n\n- 每招聘1人不超过1500元"})
    assert not unsourced([Match(subsidy, 0.99)], [found], 0.97)
    assert not unsourced([], hits, 0.97)


def test_the_article_of_the_asked_point_leads_over_a_higher_ranked_one():
    """转正后降薪 in a probation-pay question: 第三十五条 (asked) before 第二十条 (ranked first)."""
    twenty = "第二十条 劳动者在试用期的工资不得低于本单位相同岗位最低档工资的百分之八十。"
    change = "第三十五条 用人单位与劳动者协商一致，可以变更劳动合同约定的内容。"

    def article(cid: str, text: str, position: int, asked: bool) -> Hit:
        return _article_hit(
            cid,
            text,
            "劳动合同法",
            situation="probation.pay",
            situation_article=position,
            governs_best=True,
            situation_asked=asked,
        )

    t = terms({"工资": 1.0, "变更": 1.0}, {"工资", "变更"})
    hits = [article("a20", twenty, 1, False), article("a35", change, 0, True)]
    chosen, _ = select(hits, {"a20": twenty, "a35": change}, "转正后公司要变更我的工资", t)
    assert chosen[0].doc_id == "a35"
    plain = [
        h.model_copy(update={"metadata": {**h.metadata, "situation_asked": False}}) for h in hits
    ]
    chosen, _ = select(plain, {"a20": twenty, "a35": change}, "转正后公司要变更我的工资", t)
    assert chosen[0].doc_id == "a20"  # nothing asked: the retrieval order stands


def test_a_figure_question_keeps_its_governing_sentence_of_that_kind():
    """产假几天 beside 工资照发吗: the asked wage article leads, the 98天 sentence stays."""
    pay = (
        "第八条 女职工产假期间的工资待遇，由生育保险基金支付。"
        "对未参加生育保险的，按照产假前工资的标准由用人单位支付。"
        "产假期间工资不得降低。产假期间的工资照发，不得扣减。产假期间工资按月发放。"
    )
    days = "第七条 女职工生育享受98天产假。"

    def article(cid: str, text: str, asked: bool) -> Hit:
        return _article_hit(
            cid,
            text,
            "女职工劳动保护特别规定",
            situation="women.maternity_leave",
            situation_article=0 if asked else 1,
            governs_best=True,
            situation_asked=asked,
        )

    t = terms({"产假": 1.0, "工资": 1.0, "照发": 1.0}, {"产假", "工资"})
    hits = [article("a8", pay, True), article("a7", days, False)]
    chosen, _ = select(hits, {"a8": pay, "a7": days}, "单位给几天产假，工资照发吗", t)
    assert chosen[0].doc_id == "a8" and any("98天" in e.quote for e in chosen)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("被车间主任打了，公司不管", "violence"),
        ("昨天被老板揍伤了", "violence"),
        ("我被打了", "violence"),
        ("被系统打了低分，能要求解释吗", None),
        ("上班忘了被打卡记了迟到", None),
        ("被领导打了电话骂了一顿", None),
    ],
)
def test_being_hit_at_work_is_urgent_and_a_score_or_a_clock_in_is_not(text, kind):
    from unionqa.answer.guidance import urgent

    assert urgent(text) == kind
