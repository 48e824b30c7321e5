"""Answers built on the labour issue map: answered / partial / none, the point first, what to do
next for the situation, the worker's own figure computed, follow-ups, urgency and hand-off.
Over corpus/ and the 11 statutes with the real e5 model (skipped without ../shared)."""

from __future__ import annotations

import re

import pytest

from unionqa.types import Answer


def _lead(a: Answer) -> str:
    paras = [p for p in a.answer.split("\n\n") if p.strip()]
    return paras[1] if paras[0].startswith("紧急") else paras[0]


def _cited(a: Answer, law: str, article: str) -> bool:
    return any(c.title.endswith(law) and c.locator.startswith(article) for c in a.citations)


def test_colloquial_wage_arrears_is_answered_from_its_governing_article(laws_service):
    a = laws_service.ask("厂里拖了我俩月工钱，老板天天说下个月发，我该找谁？")
    assert a.coverage == "answered" and not a.refused
    assert a.situations[0].id == "wage.arrears"
    assert _cited(a, "劳动合同法", "第三十条") or _cited(a, "劳动争议调解仲裁法", "第九条")
    assert "劳动保障监察" in a.answer and "12351" in a.answer
    assert a.escalation is None


def test_a_city_figure_the_statutes_do_not_state_is_partial_and_cites_the_rule(laws_service):
    a = laws_service.ask("杭州现在最低工资一个月多少钱？")
    assert a.coverage == "partial" and a.refused
    assert a.situations and a.situations[0].id == "wage.minimum"
    assert "没有写明" in a.answer and "12351" in a.answer
    assert a.citations and _cited(a, "劳动法", "第四十八条")
    assert not re.search(r"\d{3,}\s*元", a.answer)  # no invented amount
    assert a.escalation is not None and a.escalation.situation == "wage.minimum"
    assert a.escalation.office


def test_an_off_topic_question_matches_no_situation_and_is_refused(laws_service):
    a = laws_service.ask("周末去哪里钓鱼比较好？")
    assert a.coverage == "none" and a.refused and a.situations == []
    assert a.citations == [] and "12351" in a.answer
    assert a.escalation is not None


@pytest.mark.parametrize(
    "question",
    [
        "房东到期不退押金，还扣了我五百块，怎么办",  # 押金 is the landlord's, not the employer's
        "闯红灯被交警罚了两百，能不能申请复议",
        "网上买的衣服质量太差，商家不给退货，去哪投诉",
    ],
)
def test_an_off_topic_lookalike_of_a_labour_situation_matches_none(laws_service, question):
    a = laws_service.ask(question)
    assert a.situations == [] and a.coverage == "none" and a.refused


@pytest.mark.parametrize(
    "question, situation, law, article",
    [
        (
            "厂子干不下去要关门了，我们这些人能拿到补偿吗",
            "term.closure",
            "劳动合同法",
            "第四十四条",
        ),
        (
            "我的身份证号码被前公司泄露给了贷款中介，找谁",
            "privacy.leak",
            "个人信息保护法",
            "第十条",
        ),
        (
            "单位一直不给交社保，我想以这个理由走人，还能要补偿吗",
            "term.constructive",
            "劳动合同法",
            "第三十八条",
        ),
    ],
)
def test_situations_workers_bring_reach_their_governing_article(
    laws_service, question, situation, law, article
):
    a = laws_service.ask(question)
    assert a.coverage == "answered" and not a.refused
    assert situation in [s.id for s in a.situations[:2]]
    hits = laws_service.search(question, k=5).hits
    assert any(h.title.endswith(law) and h.locator.startswith(article) for h in hits)


def test_the_workers_own_numbers_are_computed_in_the_point(laws_service):
    a = laws_service.ask("我在厂里干了4年8个月被辞退了，月薪8000，能拿多少补偿？")
    assert a.coverage == "answered"
    assert a.calculation is not None and a.calculation.kind == "severance"
    assert a.calculation.result is not None and a.calculation.result.value == 40000
    lead = _lead(a)
    assert "40000元" in lead and "5个月" in lead and "[1]" in lead
    assert any(c.locator.startswith("第四十七条") for c in a.citations)
    assert "计算过程" in a.answer and "第四十七条" in a.answer


def test_missing_facts_are_named_after_the_general_rule(laws_service):
    a = laws_service.ask("被公司裁员了，经济补偿怎么算？")
    assert a.coverage == "answered" and a.calculation is None
    assert any(
        c.locator.startswith(("第四十一条", "第四十六条", "第四十七条")) for c in a.citations
    )
    assert re.search(r"告诉我.*(月工资|入职|工作年限).*算出", a.answer)


@pytest.mark.parametrize(
    "turns, situation, law, article",
    [
        (
            ["老板两个月没发工资了", "那我能去哪里告他？"],
            "wage.arrears",
            "劳动争议调解仲裁法",
            None,
        ),
        (
            ["我被公司无缘无故辞退了", "那能要多少赔偿？"],
            "term.unlawful",
            "劳动合同法",
            "第八十七条",
        ),
        (
            ["公司用AI面试自动决定录不录用我", "那这个我可以拒绝吗？"],
            "ai.automated_decision",
            "个人信息保护法",
            "第二十四条",
        ),
    ],
)
def test_three_turn_dialogues_keep_their_situation(laws_service, turns, situation, law, article):
    first, second = turns
    a1 = laws_service.ask(first)
    a2 = laws_service.ask(second, history=[first])
    a3 = laws_service.ask("还有别的办法吗？", history=[first, second])
    for a in (a1, a2):
        assert a.coverage == "answered", a.answer
        assert situation in [s.id for s in a.situations]
    assert a3.situations and a3.situations[0].id.split(".")[0] == situation.split(".")[0]
    assert any(c.title.endswith(law) for c in a2.citations)
    if article:
        assert _cited(a2, law, article)


@pytest.mark.parametrize(
    "question, kind, number",
    [
        ("我真的不想活了，老板欠了半年工资", "self_harm", "120"),
        ("包工头说再要工资就打死我", "violence", "110"),
        ("刚才工友的手被机器绞了，流了很多血", "injury", "120"),
        ("我们三十多个工友被拖欠工资半年了", "collective_arrears", "12351"),
        ("厂里把我们锁在宿舍不让走", "detained", "110"),
    ],
)
def test_urgent_cases_say_where_to_call_first(laws_service, question, kind, number):
    a = laws_service.ask(question)
    assert a.answer.startswith("紧急：") and number in a.answer.split("\n")[0]
    assert a.escalation is not None and a.escalation.urgency == "urgent"
    assert a.escalation.urgent_class == kind and number in a.escalation.call_now


def test_a_request_for_a_person_hands_off(laws_service):
    a = laws_service.ask("转人工")
    assert a.refused and a.coverage == "none" and a.citations == []
    assert "12351" in a.answer and "人工" in a.answer
    assert a.escalation is not None and "人工" in a.escalation.reason


def test_an_escalation_summary_holds_facts_not_the_question(laws_service):
    a = laws_service.ask(
        "我叫王小明，电话13812345678，在深圳干了3年，月薪6000，公司要把我调去搬货，能要求多少补偿？转人工"
    )
    assert a.escalation is not None
    summary = a.escalation.summary
    assert "13812345678" not in summary and "王小明" not in summary
    assert "6000" in summary


def test_an_english_question_gets_an_english_frame_around_chinese_quotes(laws_service):
    a = laws_service.ask("My boss has not paid my wages for two months. What can I do?")
    assert a.coverage == "answered"
    assert a.situations and a.situations[0].id == "wage.arrears"
    assert a.answer.startswith("Key point") and "What to do next" in a.answer
    assert all(re.search(r"[\u4e00-\u9fff]", c.quote) for c in a.citations)


def test_search_says_why_each_hit_is_there(laws_service):
    hits = laws_service.search("公司没给我交社保，我能辞职要补偿吗", k=5).hits
    assert all(h.metadata["why"] for h in hits)
    assert any(any(w.startswith("situation:") for w in h.metadata["why"]) for h in hits)


def test_classify_gives_a_hotline_the_office_deadline_and_facts(laws_service):
    out = laws_service.classify("被辞退一年半了，还能申请劳动仲裁吗")
    first = out["situations"][0]
    assert first["id"].startswith("dispute.") or first["id"].startswith("term.")
    assert first["offices"] and first["facts"]
    assert any(a["indexed"] for a in first["articles"])
    assert out["urgency"] == "normal"


def test_a_quote_from_another_document_must_be_about_the_question(tmp_path):
    """A second document's sentence that only shares the asked figure type is not evidence."""
    from fixtures import CORPUS, make_settings

    from unionqa.service import QAService

    svc = QAService(make_settings(tmp_path / "d"))
    svc.ingest([CORPUS])
    notice = (
        "# 关于发放防暑降温费的通知\n\n"
        "各单位：\n\n入夏以来气温持续偏高。经研究，7月至9月向一线职工发放防暑降温费，"
        "标准为每人每月260元，随工资一并发放。\n"
    )
    svc.add_document(notice.encode("utf-8"), "防暑降温费通知.md")
    a = svc.ask("防暑降温费每个月发多少钱？")
    assert not a.refused and "260元" in a.answer
    assert {c.source for c in a.citations} == {"uploads/防暑降温费通知.md"}


@pytest.mark.parametrize(
    "question",
    ["公司欠了我加班费，要在多久之内去申请仲裁？", "申请劳动仲裁有没有期限，几个月以内必须去？"],
)
def test_a_question_on_the_arbitration_time_limit_leads_with_the_one_year_rule(
    laws_service, question
):
    a = laws_service.ask(question)
    assert a.situations[0].id == "dispute.deadline"  # not "how to apply"
    assert "第二十七条" in _lead(a) and "一年" in _lead(a)


def test_damages_for_an_unlawful_dismissal_are_stated_on_their_condition(laws_service):
    a = laws_service.ask("干了三年被公司无缘无故开除了，月薪6000，能要多少赔偿？")
    assert a.calculation is not None and a.calculation.kind == "unlawful_termination"
    lead = _lead(a)
    assert "如果属于违法解除" in lead and "36000元" in lead


@pytest.mark.parametrize(
    "question, article, not_article",
    [
        # the same situation, two asked points: the rule by default, its remedy when asked
        ("单位欠了我半年工钱，我该找谁要？", None, "第八十五条"),
        (
            "单位欠了我半年工钱，监察大队已经限期让他发，他到现在还是不给，我还能多要点吗？",
            "第八十五条",
            None,
        ),
        ("被裁了去领失业金，最多能领多长时间？", "第四十六条", None),
    ],
)
def test_the_asked_point_picks_the_article_within_a_situation(
    laws_service, question, article, not_article
):
    a = laws_service.ask(question)
    assert not a.refused
    lead = _lead(a)
    if article:
        assert article in lead
    if not_article:
        assert not_article not in lead


def test_a_situation_whose_rules_are_not_indexed_is_partial_not_answered_from_another_law(
    laws_service,
):
    # the statutes alone: 职工带薪年休假条例 (which says 5, 10 or 15 days) is not indexed, and
    # 劳动法's "连续工作一年以上的，享受带薪年休假" is related but does not answer
    a = laws_service.ask("我参加工作十二年了，换到现在这家单位，今年的年假应该是几天？")
    assert a.situations and a.situations[0].id == "leave.annual"
    assert a.coverage == "partial" and a.refused
    assert "没有写明" in a.answer and "12351" in a.answer
    assert not re.search(r"(?:5|10|15|五|十|十五)天", a.answer)


@pytest.mark.parametrize(
    ("turns", "point"),
    [
        (["公司用AI面试自动决定录不录用我，我可以拒绝吗？"], "有权拒绝该决定"),
        (["公司用AI面试自动决定录不录用我", "那这个我可以拒绝吗？"], "有权拒绝该决定"),
        (["AI面试给我打了低分,我能要求解释吗?"], "透明可释"),
        (["公司招应届生能领什么补助?"], "每招聘1人不超过1500元"),
    ],
)
def test_over_the_news_alone_the_situations_governing_passage_is_the_point(
    corpus_service, turns, point
):
    """corpus/ holds no statute: the passage the map names for the asked point (or the
    situation's first) answers, and leads, however low retrieval ranked it."""
    a = corpus_service.ask(turns[-1], history=turns[:-1])
    assert a.coverage == "answered" and not a.refused
    lead = a.answer.split("\n\n依据")[0]  # a list item the point opens stays with it
    assert _lead(a).startswith("要点") and point in lead


def test_a_situation_surely_asked_whose_rules_are_absent_is_not_answered_from_the_news(
    corpus_service,
):
    """corpus/ has no rule on 失业金: its 扩岗补助 figure, found by 失业 and 补助, is no answer."""
    a = corpus_service.ask("我下岗半年了,失业金一个月能领多少?")
    assert a.situations and a.situations[0].id == "si.unemployment"
    assert a.refused and a.coverage != "answered" and "1500" not in a.answer


def test_a_partial_answer_gives_no_figure_of_the_asked_kind_in_its_next_steps(corpus_service):
    """The map's advice on probation pay states 百分之八十; corpus/ states no such rule, so a
    refusal of a question asking for that figure names where to go and leaves the clause out."""
    for q in [
        "刚来上班还在试用期,试用期工资最少能给我开多少?",
        "应届生刚入职,试用期工资公司最少得给多少?",
    ]:
        a = corpus_service.ask(q)
        assert a.coverage in ("partial", "none") and a.refused
        assert "百分之八十" not in a.answer and "劳动保障监察" in a.answer


def test_n_plus_one_asked_with_a_severance_names_the_condition_of_the_plus_one(laws_service):
    """N+1's "+1" is pay in lieu of notice (第四十条), not part of every severance."""
    a = laws_service.ask("被辞了能拿N+1吗,干了3年")
    assert a.calculation is not None and a.calculation.kind == "severance"
    assert "代通知金" in a.answer and "提前三十日" in a.answer
    assert any(c.locator.startswith("第四十条") for c in a.calculation.citations)
    plain = laws_service.ask("干了5年被裁员能拿多少?")
    assert plain.calculation is not None and "代通知金" not in plain.answer
