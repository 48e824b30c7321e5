"""The expected-answer-type check: what kind of figure a question asks for, and whether a
sentence states one. Examples are written here, not taken from the eval set."""

from __future__ import annotations

import pytest

from unionqa.text.answer_type import expected, states


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("高温津贴每个月发多少钱?", "money"),
        ("公司辞退我要赔多少?", "money"),
        ("个税起征点是多少", "money"),
        ("What is the minimum wage in Hangzhou?", "money"),
        ("How much severance can I get?", "money"),
        ("婚假能休几天?", "duration"),
        ("试用期最长多久", "duration"),
        ("能要多少个月的双倍工资?", "duration"),
        ("How long is the probation period?", "duration"),
        ("劳动法是哪一年通过的?", "date"),
        ("工资每月几号之前必须发?", "date"),
        ("When does the subsidy end?", "date"),
        ("加班费按工资的几倍算?", "ratio"),
        ("公积金缴存比例是多少", "ratio"),
        ("一个车间最多能有多少人?", "count"),
        ("How many people can join the union committee?", "count"),
        ("投诉电话是多少?", "contact"),
        ("在哪个网站申请?", "contact"),
        ("公积金贷款最高能贷多少万?", "money"),
        ("平台每单抽成多少才合法?", "ratio"),
        ("加班费怎么算?", None),
        ("公司不签合同合法吗?", None),
        ("What should I do if I am fired?", None),
    ],
)
def test_the_kind_of_figure_a_question_asks_for(question: str, kind: str | None) -> None:
    assert expected(question) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("每招用1人给予不超过2000元补贴。", "money"),
        ("按照不低于劳动者本人工资的百分之三百支付。", "money"),
        ("向劳动者每月支付二倍的工资。", "money"),
        ("每满一年支付一个月工资的标准向劳动者支付。", "money"),
        ("试用期不得超过六个月。", "duration"),
        ("应当提前三十日以书面形式通知用人单位。", "duration"),
        ("产假为98天。", "duration"),
        ("本法自1995年1月1日起施行。", "date"),
        ("政策执行至二〇二五年十二月三十一日。", "date"),
        ("比例为12%。", "ratio"),
        ("入会率达到百分之九十。", "ratio"),
        ("委员会由七人组成。", "count"),
        ("来自60多个国家的代表出席。", "count"),
        ("咨询电话：010-12345678。", "contact"),
        ("详见 https://example.gov.cn/notice 。", "contact"),
    ],
)
def test_a_sentence_that_states_the_figure(text: str, kind: str) -> None:
    assert states(kind, text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("用人单位应当依法支付工资。", "money"),  # on topic, no amount
        ("AI视频面试的应用场景已占到31.8%。", "money"),  # a percentage, but not of pay
        ("试用期包含在劳动合同期限内。", "duration"),
        ("政策执行至2025年12月31日。", "duration"),  # a date is not a length of time
        ("试用期不得超过六个月。", "count"),  # 六个月 is a duration, not a count
        ("工会依法维护职工的合法权益。", "date"),
        ("按照国家有关规定缴纳社会保险费。", "ratio"),
        ("拨打当地的职工服务热线。", "contact"),
    ],
)
def test_a_sentence_without_the_figure(text: str, kind: str) -> None:
    assert not states(kind, text)


@pytest.mark.parametrize(
    "question", ["我的电话是，招聘高校毕业生企业能拿到什么补助？", "公司有我的邮箱，这合法吗？"]
)
def test_a_question_that_mentions_a_contact_does_not_ask_for_one(question: str) -> None:
    assert expected(question) is None


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("老板拖了俩月工钱", True),
        ("迟到一次扣两百合法吗", True),
        ("做小时工被辞了有补偿么", True),
        ("My boss hasn't paid me", True),
        ("房东不退押金怎么办", False),
        ("电动车被交警扣了罚多少", False),
        ("How do I renew my passport?", False),
    ],
)
def test_a_question_names_the_world_of_work_or_not(text: str, about: bool) -> None:
    from unionqa.text.questions import about_work

    assert about_work(text) is about
