"""The answer chain in its default, extractive mode: real e5 model, real Chroma, corpus/."""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest

from unionqa.errors import UsageError
from unionqa.types import Answer

MARK = re.compile(r"\[(\d+)\]")


def assert_cited_verbatim(service, answer: Answer) -> None:
    """Every [n] names a citation, every citation is used, every quote is text[start:end]."""
    used = {int(n) for n in MARK.findall(answer.answer)}
    assert used == {c.n for c in answer.citations}
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        doc = service.get_document(c.doc_id)
        assert doc is not None and doc.text[c.start : c.end] == c.quote


def test_expired_subsidy_is_cited_with_a_notice(corpus_service):
    a = corpus_service.ask("现在招应届生还能领一次性扩岗补助吗？", as_of=date(2026, 11, 24))
    assert not a.refused
    assert any("1500元" in c.quote for c in a.citations)
    assert any(c.valid_until == date(2025, 12, 31) for c in a.citations)
    assert any("2025-12-31" in n and "已过期" in n for n in a.notices)
    assert "12351" in a.answer
    assert_cited_verbatim(corpus_service, a)


def test_policy_still_in_force_before_its_end_date_has_no_expiry_notice(corpus_service):
    a = corpus_service.ask("招聘高校毕业生，企业能拿多少一次性扩岗补助？", as_of=date(2025, 6, 1))
    assert not a.refused
    assert not any("已过期" in n for n in a.notices)
    assert "有效期至2025-12-31" in a.answer


def test_answer_frame_puts_the_point_first_then_evidence_next_steps_and_validity(corpus_service):
    a = corpus_service.ask("AI面试给我打了低分,我能要求解释吗?")
    assert not a.refused
    assert a.answer.startswith("要点：")
    assert a.answer.index("下一步：") < a.answer.index("有效期：")
    assert any("解释" in c.quote for c in a.citations)
    assert_cited_verbatim(corpus_service, a)


@pytest.mark.parametrize(
    "question",
    ["产假有多少天？", "北京的最低工资是多少钱一个月", "年终奖公司可以不发吗"],
)
def test_ask_without_evidence_refuses_and_names_hotline(corpus_service, question):
    a = corpus_service.ask(question)
    assert a.refused
    assert a.citations == []
    assert "12351" in a.answer and "没有涉及" in a.answer
    assert a.escalation is not None and "12351" in a.escalation.hotline
    assert not re.search(r"\d+\s*(天|元)", a.answer)  # no invented figure


def test_english_question_gets_an_english_frame_around_chinese_quotes(corpus_service):
    a = corpus_service.ask("How much subsidy can a company get for hiring a college graduate?")
    assert not a.refused
    assert a.answer.startswith("Key point")
    assert "What to do next" in a.answer and "12351" in a.answer
    assert any(re.search(r"[\u4e00-\u9fff]", c.quote) for c in a.citations)


def test_english_refusal_is_in_english(corpus_service):
    a = corpus_service.ask("What is the minimum monthly wage in Shanghai?")
    assert a.refused and a.answer.startswith("Sorry")


@pytest.mark.parametrize(
    ("turns", "expect"),
    [
        (
            ["招应届毕业生，企业有什么补助？", "要给员工交几个月保险才行？", "那国有企业呢？"],
            "国有企业",
        ),
        (
            ["AI面试给我打了低分，我能要求解释吗？", "那公司有义务公开算法吗？", "这个合法吗？"],
            "算法",
        ),
        (["首届世界女工会议是哪年开的？", "在哪里开的？", "谁带队去的？"], "杨之华"),
    ],
)
def test_three_turn_followups_are_rewritten_with_their_history(corpus_service, turns, expect):
    history: list[str] = []
    for q in turns:
        a = corpus_service.ask(q, history=history)
        assert not a.refused, q
        assert_cited_verbatim(corpus_service, a)
        history.append(q)
    assert expect in a.answer


def test_every_stage_is_timed(corpus_service):
    a = corpus_service.ask("一次性扩岗补助的钱从哪里出？")
    for stage in ("condense", "retrieve", "select", "generate", "verify", "format", "total"):
        assert stage in a.timings_ms
    assert a.timings_ms["total"] >= a.timings_ms["retrieve"]


def test_streaming_yields_text_then_the_same_answer(corpus_service):
    items = list(corpus_service.ask_stream("一次性扩岗补助的钱从哪里出？"))
    final = items[-1]
    assert isinstance(final, Answer)
    text = "".join(i for i in items[:-1] if isinstance(i, str))
    assert text == final.answer
    assert len(items) > 2


def test_empty_question_is_a_clear_error(corpus_service):
    with pytest.raises(UsageError, match="不能为空"):
        corpus_service.ask("   ")


def test_personal_numbers_never_reach_the_logs(corpus_service, caplog):
    phone, email = "13912345678", "worker@example.com"
    with caplog.at_level(logging.DEBUG):
        corpus_service.ask(f"我叫张三，电话{phone}，邮箱{email}，公司招应届生能领什么补助？")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert phone not in logged and email not in logged and "张三" not in logged
    assert "answered" in logged  # decisions are logged, the question is not


def test_followup_answer_leads_with_its_own_subject(corpus_service):
    history = ["招应届毕业生，企业有什么补助？", "要给员工交几个月保险才行？"]
    a = corpus_service.ask("那国有企业呢？", history=history)
    assert not a.refused
    # the point is about state-owned firms, not the subsidy
    assert "国有企业" in a.citations[0].quote


@pytest.mark.parametrize(
    ("question", "what"),
    [("使用AI招聘的企业多久要做一次算法风险评估？", "具体期限或天数")],  # "定期", no interval
)
def test_on_topic_question_whose_figure_no_document_states_is_refused(
    corpus_service, question, what
):
    """Passages about the subject are not an answer when the question asks for a figure of a
    kind none of them states: the refusal says which kind is missing. Since the 2026-12 contract
    such an answer is ``partial``: it cites the rule the documents do give (verbatim), and no
    figure of the asked kind."""
    a = corpus_service.ask(question)
    assert a.refused and a.coverage in ("partial", "none")
    assert what in a.answer and "12351" in a.answer
    docs = {
        d.doc_id: d.text for d in map(corpus_service.get_document, {c.doc_id for c in a.citations})
    }
    assert all(docs[c.doc_id][c.start : c.end] == c.quote for c in a.citations)


def test_question_whose_figure_is_stated_is_answered_with_it(corpus_service):
    a = corpus_service.ask("招一个应届生，企业能领多少扩岗补助？")
    assert not a.refused
    assert any("1500元" in c.quote for c in a.citations)


def test_chat_words_in_a_question_do_not_count_as_uncovered_topics(corpus_service):
    """ "那会儿", "到底", "死死的" are function words to jieba's tagger; with them weighed as topics
    the documents lack, a colloquial question was refused although its subject is covered."""
    from unionqa.answer.evidence import question_terms

    kw = corpus_service.keywords.get()
    terms = question_terms("我们国企今年想多招点大学生,可工资总额卡得死死的,有啥办法?", [], kw)
    assert {"国企", "工资总额", "大学生"} <= set(terms.weights)
    assert not {"我们", "今年", "死死的", "多招"} & set(terms.weights)


def test_search_mode_fragments_of_chat_are_not_topics(corpus_service):
    """jieba's search mode yields tokens its tagger never sees as words: 我能 (我|能), 管得
    (管|得着), and 会儿 inside the pronoun 那会儿. Weighed as topics, they were the "missing"
    terms that refused colloquial questions whose subject the documents cover."""
    from unionqa.answer.evidence import question_terms

    kw = corpus_service.keywords.get()
    terms = question_terms("老板那会儿答应给我交社保,我能让他补上", [], kw)
    assert {"老板", "交社保", "补上"} <= set(terms.weights)
    assert not {"我能", "会儿", "那会儿"} & set(terms.weights)
    union = question_terms("工会还管得着企业招聘吗", [], kw)
    assert {"工会", "企业", "招聘"} <= set(union.weights) and "管得" not in union.weights


def test_english_rights_vocabulary_reaches_the_chinese_sentence(corpus_service):
    """English words are matched to Chinese text through the glossary only: without 'refuse' →
    拒绝 and 'automated' → 自动化, the sentence that answers the question weighed nothing."""
    from unionqa.answer.evidence import question_terms

    kw = corpus_service.keywords.get()
    terms = question_terms("May a job applicant refuse an automated decision?", [], kw)
    assert {"refuse", "automated", "decision", "applicant"} <= set(terms.weights)
    answer = (
        "如果一项决定是仅通过自动化决策的方式作出的且对个人权益有重大影响,那么个人有权拒绝该决定。"
    )
    assert {"refuse", "automated", "decision"} <= terms.covered(answer)
    a = corpus_service.ask("May a job applicant refuse an automated decision?")
    assert not a.refused and any("拒绝" in c.quote for c in a.citations)


def test_words_of_an_english_title_are_not_names_that_must_occur_verbatim(corpus_service):
    from unionqa.answer.evidence import question_terms

    kw = corpus_service.keywords.get()
    titled = question_terms("Which city hosted the World Conference of Women Workers?", [], kw)
    assert "world" not in titled.weights
    place = question_terms("What is the minimum wage in Shenzhen?", [], kw)
    assert "shenzhen" in place.weights


def test_only_a_missing_naming_term_counts_as_a_missing_topic(corpus_service):
    """A noun the documents lack (产假) is a topic they don't cover; a verb they phrase otherwise
    (截止 where the notice says 执行至) is not."""
    from unionqa.answer.evidence import question_terms

    kw = corpus_service.keywords.get()
    leave = question_terms("女职工产假有多少天", [], kw)
    assert "产假" in leave.nominal and leave.missing_share("女职工享受的保护") > 0.34
    ends = question_terms("扩岗补助什么时候截止", [], kw)
    assert "截止" in ends.weights and "截止" not in ends.nominal
    assert ends.missing_share("一次性扩岗补助政策执行至2025年12月31日") == 0.0
