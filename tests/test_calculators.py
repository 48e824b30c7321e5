"""The labour-rights calculators against hand-computed cases written from the articles.

Each expected figure was worked out by hand from the quoted article (the arithmetic is in the
comment beside it), not by running the code. The ``cite`` fixture quotes articles verbatim
from the real statute files in ../shared/corpora (skipped when they are absent), with offsets
into the body as ingest stores it (the provenance comment line removed).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from unionqa.calc import KINDS, LAWS, Calculation, calculate, parse_inputs
from unionqa.errors import UsageError
from unionqa.types import Citation

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
# the same pattern as unionqa.corpus.PROVENANCE_RE: ingest drops this first line of a statute
PROVENANCE_RE = re.compile(r"^<!--\s*title:\s*(?P<title>[^|]*?)\s*\|.*?-->\s*\n?")
NEXT_ARTICLE_RE = re.compile(r"(?m)^(?:第[零一二三四五六七八九十百]+条[ \u3000]|#)")
ARTICLE_IN_STEP_ZH = re.compile(r"按《[^》]+》第[零一二三四五六七八九十百]+条")
ARTICLE_IN_STEP_EN = re.compile(r"^Under (?:the \w+ paragraph of )?Article \d+(?:\(\d\))? of the ")
CJK = re.compile(r"[\u4e00-\u9fff]")
TODAY = date(2024, 6, 1)

_bodies: dict[str, str] = {}


def body(source: str) -> str:
    if source not in _bodies:
        path = next(CORPORA.rglob(source))
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        m = PROVENANCE_RE.match(text)
        _bodies[source] = text[m.end() :] if m else text
    return _bodies[source]


def real_cite(law: str, article: str) -> Citation | None:
    """The article from its label at the start of a line to the next article or heading."""
    source = LAWS[law][1]
    text = body(source)
    m = re.search(rf"(?m)^{article}[ \u3000]", text)
    if m is None:
        return None
    nxt = NEXT_ARTICLE_RE.search(text, m.end())
    quote = text[m.start() : nxt.start() if nxt else len(text)].rstrip()
    return Citation(
        n=0,
        doc_id=source,
        source=source,
        title=law,
        quote=quote,
        start=m.start(),
        end=m.start() + len(quote),
        locator=article,
    )


@pytest.fixture
def cite() -> Any:
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not here")
    return real_cite


def any_cite(law: str, article: str) -> Citation:
    """A stand-in for tests that fail before any figure is computed."""
    return Citation(n=0, doc_id=law, source=law, title=law, quote=article, start=0,
                    end=len(article), locator=article)  # fmt: skip


W = 8000  # the monthly wage of most cases

# (kind, inputs, expected value, expected unit); the comment is the hand computation
CASES: list[tuple[str, dict[str, Any], float | None, str]] = [
    # --- severance, 劳动合同法第四十七条: a month per full year; >= 6 months = a year; < 6 = half
    ("severance", {"years": 4, "months": 8, "monthly_wage": W}, 40000, "元"),  # 4 + 1 = 5 x 8000
    ("severance", {"years": 0, "months": 6, "monthly_wage": W}, 8000, "元"),  # exactly 6 months: 1
    ("severance", {"years": 0, "months": 5, "monthly_wage": W}, 4000, "元"),  # < 6 months: 0.5
    ("severance", {"years": 3, "months": 0, "monthly_wage": W}, 24000, "元"),  # 3 x 8000
    ("severance", {"years": 3, "months": 5, "monthly_wage": W}, 28000, "元"),  # 3.5 x 8000
    ("severance", {"years": 1, "months": 11, "monthly_wage": W}, 16000, "元"),  # 1 + 1 = 2
    ("severance", {"years": 0, "months": 3, "monthly_wage": W}, 4000, "元"),  # 0.5 x 8000
    ("severance", {"months": 20, "monthly_wage": W}, 16000, "元"),  # 20 m = 1 y 8 m -> 2
    # 2020-01-01 through 2020-06-30 is exactly six months -> 1 month
    ("severance", {"start_date": "2020-01-01", "end_date": "2020-06-30", "monthly_wage": W},
     8000, "元"),
    # through 2020-06-29: 5 months 29 days -> under six months -> 0.5 x 8000
    ("severance", {"start_date": "2020-01-01", "end_date": "2020-06-29", "monthly_wage": W},
     4000, "元"),
    # through 2020-12-29: 11 months 29 days -> six months or more -> 1 x 8000
    ("severance", {"start_date": "2020-01-01", "end_date": "2020-12-29", "monthly_wage": W},
     8000, "元"),
    # 2019-03-01 through 2024-02-29: exactly 5 years -> 5 x 8000
    ("severance", {"start_date": "2019-03-01", "end_date": "2024-02-29", "monthly_wage": W},
     40000, "元"),
    # 2021-03-01 through 2024-05-10: 3 y 2 m 10 d -> 3.5 x 8000
    ("severance", {"start_date": "2021-03-01", "end_date": "2024-05-10", "monthly_wage": W},
     28000, "元"),
    # no end date, today 2024-06-01: 2023-03-01 through 2024-06-01 = 1 y 3 m 1 d -> 1.5 x 8000
    ("severance", {"start_date": "2023-03-01", "monthly_wage": W}, 12000, "元"),
    # cap: 40000 > 3 x 10000, so 30000 a month and at most 12 years
    ("severance", {"years": 12, "monthly_wage": 40000, "local_avg_wage": 10000}, 360000, "元"),
    ("severance", {"years": 15, "monthly_wage": 40000, "local_avg_wage": 10000}, 360000, "元"),
    # 12 y 7 m counts 13, capped at 12 x 30000
    ("severance", {"years": 12, "months": 7, "monthly_wage": 40000, "local_avg_wage": 10000},
     360000, "元"),
    # 11 y 6 m counts 12: the cap on years changes nothing, the wage cap does: 12 x 30000
    ("severance", {"years": 11, "months": 6, "monthly_wage": 40000, "local_avg_wage": 10000},
     360000, "元"),
    # without the local average no cap is applied: 15 x 40000
    ("severance", {"years": 15, "monthly_wage": 40000}, 600000, "元"),
    # exactly three times is not "高于": no cap, 15 x 30000
    ("severance", {"years": 15, "monthly_wage": 30000, "local_avg_wage": 10000}, 450000, "元"),
    ("severance", {"years": 5, "monthly_wage": W, "local_avg_wage": 10000}, 40000, "元"),  # 5 x 8000
    # 实施条例第二十七条: an average below the minimum wage counts as the minimum: 2.5 x 2000
    ("severance", {"years": 2, "months": 3, "monthly_wage": 1500, "local_min_wage": 2000},
     5000, "元"),
    ("severance", {"years": 4, "months": 8}, 5, "个月工资"),  # no wage: 5 months
    ("severance", {"years": 0, "months": 1}, 0.5, "个月工资"),  # half a month
    # --- unlawful_termination, 第八十七条: twice the severance standard
    ("unlawful_termination", {"years": 4, "months": 8, "monthly_wage": W}, 80000, "元"),  # 5x2x8000
    ("unlawful_termination", {"years": 15, "monthly_wage": 40000, "local_avg_wage": 10000},
     720000, "元"),  # 12 x 2 x 30000
    ("unlawful_termination", {"years": 0, "months": 3, "monthly_wage": 6000}, 6000, "元"),  # .5x2
    ("unlawful_termination", {"start_date": "2020-01-01", "end_date": "2020-06-30",
                              "monthly_wage": 10000}, 20000, "元"),  # 1 x 2 x 10000
    ("unlawful_termination", {"years": 2}, 4, "个月工资"),  # 2 x 2
    # --- notice_pay, 第四十条 + 实施条例第二十条: one month at last month's wage
    ("notice_pay", {"monthly_wage": W}, 8000, "元"),
    ("notice_pay", {"monthly_wage": 12345.67}, 12345.67, "元"),
    ("notice_pay", {}, 1, "个月工资"),
    # --- no_contract_double_wage, 第八十二条 + 实施条例第六条、第七条: min(n - 1, 11) extra months
    ("no_contract_double_wage", {"months_without_contract": 7, "monthly_wage": W}, 48000, "元"),  # 6
    ("no_contract_double_wage", {"months_without_contract": 2, "monthly_wage": W}, 8000, "元"),  # 1
    ("no_contract_double_wage", {"months_without_contract": 11, "monthly_wage": W}, 80000, "元"),
    ("no_contract_double_wage", {"months_without_contract": 12, "monthly_wage": W}, 88000, "元"),
    ("no_contract_double_wage", {"months_without_contract": 13, "monthly_wage": W}, 88000, "元"),
    ("no_contract_double_wage", {"months_without_contract": 24, "monthly_wage": W}, 88000, "元"),
    ("no_contract_double_wage", {"months_without_contract": 1, "monthly_wage": W}, 0, "个月工资"),
    ("no_contract_double_wage", {"months_without_contract": 0.5}, 0, "个月工资"),
    ("no_contract_double_wage", {"months_without_contract": 7}, 6, "个月工资"),
    # --- overtime_pay, 劳动法第四十四条: 150% / 200% (no time off) / 300%
    ("overtime_pay", {"hours": 10, "day_type": "workday", "hourly_wage": 25}, 375, "元"),  # 10x25x1.5
    ("overtime_pay", {"hours": 10, "day_type": "workday", "hourly_wage": 25,
                      "time_off_in_lieu": True}, 375, "元"),  # time off does not replace 150%
    ("overtime_pay", {"hours": 8, "day_type": "rest_day", "hourly_wage": 25}, 400, "元"),  # 8x25x2
    ("overtime_pay", {"hours": 8, "day_type": "rest_day", "hourly_wage": 25,
                      "time_off_in_lieu": False}, 400, "元"),
    ("overtime_pay", {"hours": 8, "day_type": "rest_day", "hourly_wage": 25,
                      "time_off_in_lieu": True}, 0, "元"),  # time off given: no 200%
    ("overtime_pay", {"hours": 8, "day_type": "holiday", "hourly_wage": 25}, 600, "元"),  # 8x25x3
    ("overtime_pay", {"hours": 8, "day_type": "holiday", "hourly_wage": 25,
                      "time_off_in_lieu": True}, 600, "元"),  # holiday: 300% regardless
    # 21.75 divisor: 8000 / 21.75 / 8 = 8000/174; x 20 x 1.5 = 240000/174 = 1379.3103...
    ("overtime_pay", {"hours": 20, "day_type": "workday", "monthly_wage": W}, 1379.31, "元"),
    # 8700 / 174 = 50 an hour; 8 x 50 x 3 = 1200
    ("overtime_pay", {"hours": 8, "day_type": "holiday", "monthly_wage": 8700}, 1200, "元"),
    # 5220 / 174 = 30; 36 x 30 x 1.5 = 1620
    ("overtime_pay", {"hours": 36, "day_type": "workday", "monthly_wage": 5220}, 1620, "元"),
    # 8700 / 174 = 50; 16 x 50 x 2 = 1600
    ("overtime_pay", {"hours": 16, "day_type": "rest_day", "monthly_wage": 8700}, 1600, "元"),
    # daily 200 / 8 h = 25; 16 x 25 x 2 = 800
    ("overtime_pay", {"hours": 16, "day_type": "rest_day", "daily_wage": 200}, 800, "元"),
    # daily 300 / 8 = 37.5; 24 x 37.5 x 3 = 2700
    ("overtime_pay", {"hours": 24, "day_type": "holiday", "daily_wage": 300}, 2700, "元"),
    # --- probation_limit, 第十九条
    ("probation_limit", {"contract_months": 2}, 0, "个月"),  # under three months: none
    ("probation_limit", {"contract_months": 2.9}, 0, "个月"),
    ("probation_limit", {"contract_months": 3}, 1, "个月"),  # exactly 3 months: 1
    ("probation_limit", {"contract_months": 11}, 1, "个月"),
    ("probation_limit", {"contract_years": 1}, 2, "个月"),  # exactly 1 year: 2
    ("probation_limit", {"contract_months": 12}, 2, "个月"),
    ("probation_limit", {"contract_months": 35}, 2, "个月"),
    ("probation_limit", {"contract_years": 3}, 6, "个月"),  # exactly 3 years: 6
    ("probation_limit", {"contract_months": 36, "monthly_wage": W}, 6, "个月"),
    ("probation_limit", {"contract_years": 5}, 6, "个月"),
    ("probation_limit", {"open_ended": True}, 6, "个月"),
    ("probation_limit", {"task_based": True}, 0, "个月"),  # task-based: none
    # --- maternity_leave, 女职工劳动保护特别规定第七条
    ("maternity_leave", {}, 98, "天"),
    ("maternity_leave", {"difficult_birth": True}, 113, "天"),  # 98 + 15
    ("maternity_leave", {"babies": 2}, 113, "天"),  # 98 + 15
    ("maternity_leave", {"babies": 2, "difficult_birth": True}, 128, "天"),  # 98 + 15 + 15
    ("maternity_leave", {"babies": 3}, 128, "天"),  # 98 + 2 x 15
    ("maternity_leave", {"babies": 3, "difficult_birth": True}, 143, "天"),  # 98 + 15 + 30
    ("maternity_leave", {"miscarriage_months": 3}, 15, "天"),  # under 4 months
    ("maternity_leave", {"miscarriage_months": 3.9}, 15, "天"),
    ("maternity_leave", {"miscarriage_months": 4}, 42, "天"),  # from 4 months
    ("maternity_leave", {"miscarriage_months": 6}, 42, "天"),
    # --- arbitration_deadline, 劳动争议调解仲裁法第二十七条 (today 2024-06-01; value = days left)
    ("arbitration_deadline", {"known_date": "2024-03-14"}, 286, "天"),  # last 2025-03-14
    ("arbitration_deadline", {"known_date": "2024-02-29"}, 272, "天"),  # last 2025-02-28
    ("arbitration_deadline", {"known_date": "2023-03-01"}, -92, "天"),  # last 2024-03-01, passed
    ("arbitration_deadline", {"known_date": "2023-02-28"}, -94, "天"),  # last 2024-02-28
    ("arbitration_deadline", {"known_date": "2024-06-01"}, 365, "天"),  # last 2025-06-01
    ("arbitration_deadline", {"wage_arrears": True, "still_employed": False,
                              "end_date": "2024-05-31"}, 364, "天"),  # last 2025-05-31
    ("arbitration_deadline", {"wage_arrears": True, "end_date": "2024-05-31"}, 364, "天"),
    ("arbitration_deadline", {"wage_arrears": True, "still_employed": True}, None, ""),  # no limit
    # --- annual_leave, 职工带薪年休假条例第三条、第五条; 实施办法第十条、第十一条
    ("annual_leave", {"total_work_years": 0.9}, 0, "天"),
    ("annual_leave", {"total_work_years": 1}, 5, "天"),
    ("annual_leave", {"total_work_years": 9.99}, 5, "天"),
    ("annual_leave", {"total_work_years": 10}, 10, "天"),
    ("annual_leave", {"total_work_years": 19.99}, 10, "天"),
    ("annual_leave", {"total_work_years": 20}, 15, "天"),
    ("annual_leave", {"total_work_years": 35}, 15, "天"),
    ("annual_leave", {"total_work_years": 0.5, "monthly_wage": W}, 0, "天"),
    # 10 days x 8000/21.75 x 200% = 160000 / 21.75 = 7356.3218...
    ("annual_leave", {"total_work_years": 10, "monthly_wage": W}, 7356.32, "元"),
    ("annual_leave", {"total_work_years": 5, "daily_wage": 300, "untaken_days": 3}, 1800, "元"),
    ("annual_leave", {"total_work_years": 20, "daily_wage": 200}, 6000, "元"),  # 15 x 200 x 2
    # 4350 / 21.75 = 200 a day; 2 x 200 x 2 = 800
    ("annual_leave", {"total_work_years": 1, "monthly_wage": 4350, "untaken_days": 2}, 800, "元"),
    # 实施办法第五条: joined this year, (days left in the year / 365) x the year's days, part days lost
    # 1 Jul to 31 Dec is 184 days: 184 / 365 x 5 = 2.52 -> 2
    ("annual_leave", {"total_work_years": 6, "join_date": "2024-07-01"}, 2, "天"),
    # 1 Oct to 31 Dec is 92 days: 92 / 365 x 10 = 2.52 -> 2
    ("annual_leave", {"total_work_years": 12, "join_date": "2024-10-01"}, 2, "天"),
    ("annual_leave", {"total_work_years": 3, "join_date": "2024-01-01"}, 5, "天"),  # 366 / 365 x 5 -> 5
    # 20 to 31 Dec is 12 days: 12 / 365 x 5 = 0.16 -> 0
    ("annual_leave", {"total_work_years": 5, "join_date": "2024-12-20"}, 0, "天"),
    # 2 pro-rated days untaken at 300 a day: 2 x 300 x 200% = 1200
    ("annual_leave", {"total_work_years": 6, "join_date": "2024-07-01", "daily_wage": 300}, 1200, "元"),
    # joined in an earlier year than today's (2024-06-01): this year's leave is whole
    ("annual_leave", {"total_work_years": 6, "join_date": "2023-07-01"}, 5, "天"),
]  # fmt: skip


def _run(kind: str, inputs: dict[str, Any], cite: Any, lang: str = "zh") -> Calculation:
    return calculate(kind, inputs, cite, lang=lang, today=TODAY)


def _id(case: tuple[str, dict[str, Any], Any, str]) -> str:
    return case[0] + ":" + ",".join(f"{k}={v}" for k, v in case[1].items())


def test_table_has_at_least_seventy_cases_and_every_kind() -> None:
    assert len(CASES) >= 70
    assert {c[0] for c in CASES} == set(KINDS)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_hand_computed_case(case: tuple[str, dict[str, Any], Any, str], cite: Any) -> None:
    kind, inputs, value, unit = case
    calc = _run(kind, inputs, cite)
    assert calc.missing == []
    if value is None:
        assert calc.result is None
    else:
        assert calc.result is not None, calc.notices
        assert calc.result.value == pytest.approx(value, abs=0.005)
        assert calc.result.unit == unit
    assert calc.steps
    for step in calc.steps:
        assert ARTICLE_IN_STEP_ZH.search(step), step
    assert [c.n for c in calc.citations] == list(range(1, len(calc.citations) + 1))
    assert len({(c.source, c.start) for c in calc.citations}) == len(calc.citations)
    for c in calc.citations:
        assert body(c.source)[c.start : c.end] == c.quote
        assert c.quote.startswith(c.locator)
    used = {(c.title, c.locator) for c in calc.citations}
    assert used <= set(KINDS[kind].articles)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_english_steps_name_the_article_and_hold_no_chinese(
    case: tuple[str, dict[str, Any], Any, str], cite: Any
) -> None:
    kind, inputs, value, _unit = case
    zh, en = _run(kind, inputs, cite), _run(kind, inputs, cite, lang="en")
    assert len(en.steps) == len(zh.steps)
    for step in en.steps:
        assert ARTICLE_IN_STEP_EN.search(step), step
        assert not CJK.search(step), step
    if value is not None:
        assert en.result is not None and zh.result is not None
        assert en.result.value == zh.result.value
        assert not CJK.search(en.result.text)
    assert [c.quote for c in en.citations] == [c.quote for c in zh.citations]


# ---------------------------------------------------------------- what a worker reads


def test_severance_text_states_months_and_amount(cite: Any) -> None:
    calc = _run("severance", {"years": 4, "months": 8, "monthly_wage": 8000}, cite)
    assert calc.result is not None
    assert calc.result.text == "5个月工资，按月薪8000元计为40000元"
    assert (
        "按《劳动合同法》第四十七条，工作满4年，另有8个月（满六个月按一年计），计5个月工资"
        in calc.steps
    )
    assert any("第二十七条" in s and "12个月的平均" in s for s in calc.steps)


def test_severance_asks_whether_the_ending_gives_compensation(cite: Any) -> None:
    calc = _run("severance", {"years": 2, "monthly_wage": 8000}, cite)
    assert any(s.startswith("按《劳动合同法》第四十六条") for s in calc.steps)
    assert any("第四十六条" in n and "请确认" in n for n in calc.notices)


def test_severance_without_local_average_says_the_cap_may_apply(cite: Any) -> None:
    calc = _run("severance", {"years": 15, "monthly_wage": 40000}, cite)
    assert any("三倍" in n and "十二年" in n and "local_avg_wage" in n for n in calc.notices)
    capped = _run("severance", {"years": 15, "monthly_wage": 40000, "local_avg_wage": 10000}, cite)
    assert not any("local_avg_wage" in n for n in capped.notices)
    assert any("第四十七条第二款" in s and "十二年" in s for s in capped.steps)


def test_severance_before_2008_gets_a_notice(cite: Any) -> None:
    calc = _run("severance", {"start_date": "2005-01-01", "end_date": "2010-12-31"}, cite)
    assert calc.result is not None and calc.result.value == 6  # 6 full years
    assert any("第九十七条" in n for n in calc.notices)


def test_double_wage_after_a_year_says_open_ended_contract_is_deemed(cite: Any) -> None:
    calc = _run("no_contract_double_wage", {"months_without_contract": 13}, cite)
    assert calc.result is not None and calc.result.value == 11
    assert any("无固定期限" in n for n in calc.notices)
    assert {c.locator for c in calc.citations} >= {"第八十二条", "第六条", "第七条", "第十四条"}
    short = _run("no_contract_double_wage", {"months_without_contract": 7}, cite)
    assert not any("无固定期限" in n for n in short.notices)


def test_overtime_from_monthly_wage_names_the_divisor_source(cite: Any) -> None:
    calc = _run("overtime_pay", {"hours": 20, "day_type": "workday", "monthly_wage": 8000}, cite)
    assert any("21.75" in n and "劳社部发〔2008〕3号" in n and "不在" in n for n in calc.notices)
    assert any("第四十四条第（一）项" in s and "150%" in s for s in calc.steps)
    hourly = _run("overtime_pay", {"hours": 20, "day_type": "workday", "hourly_wage": 40}, cite)
    assert not any("21.75" in n for n in hourly.notices)


def test_rest_day_without_time_off_stated_mentions_time_off(cite: Any) -> None:
    calc = _run("overtime_pay", {"hours": 8, "day_type": "rest_day", "hourly_wage": 25}, cite)
    assert any("补休" in n for n in calc.notices)


def test_probation_states_one_probation_and_pay_floor(cite: Any) -> None:
    calc = _run("probation_limit", {"contract_years": 3, "monthly_wage": 8000,
                                    "local_min_wage": 2500}, cite)  # fmt: skip
    assert calc.result is not None and calc.result.text == "试用期最长6个月"
    assert any("只能约定一次试用期" in s for s in calc.steps)
    assert any("6400元" in s and "2500元" in s for s in calc.steps)  # 8000 x 80% = 6400 > 2500
    low = _run("probation_limit", {"contract_years": 1, "monthly_wage": 2500,
                                   "local_min_wage": 2200}, cite)  # fmt: skip
    assert any("至少2200元" in s for s in low.steps)  # 2500 x 80% = 2000 < 2200


def test_maternity_leave_says_local_rules_add_more(cite: Any) -> None:
    calc = _run("maternity_leave", {"babies": 2, "difficult_birth": True}, cite)
    assert calc.result is not None
    assert calc.result.text.startswith("产假128天")
    assert "产前可休15天" in calc.result.text
    assert any("当地" in n for n in calc.notices)


def test_arbitration_deadline_gives_iso_and_chinese_date(cite: Any) -> None:
    calc = _run("arbitration_deadline", {"known_date": "2024-03-14"}, cite)
    assert calc.result is not None
    assert "2025年3月14日" in calc.result.text and "2025-03-14" in calc.result.text
    leap = _run("arbitration_deadline", {"known_date": "2024-02-29"}, cite)
    assert leap.result is not None and "2025年2月28日" in leap.result.text
    passed = _run("arbitration_deadline", {"known_date": "2023-03-01"}, cite)
    assert passed.result is not None and "已过92天" in passed.result.text
    assert any("中断" in n for n in calc.notices)


def test_wage_arrears_while_employed_is_not_limited(cite: Any) -> None:
    calc = _run("arbitration_deadline", {"wage_arrears": True, "still_employed": True}, cite)
    assert calc.result is None and calc.missing == []
    assert any("不受一年时效限制" in n for n in calc.notices)
    assert any("第二十七条第四款" in s for s in calc.steps)


def test_annual_leave_pay_says_the_300_percent_includes_normal_wage(cite: Any) -> None:
    calc = _run("annual_leave", {"total_work_years": 10, "monthly_wage": 8000}, cite)
    assert any("第十条" in s and "200%" in s and "照发" in s for s in calc.steps)
    assert any("第十一条" in s and "21.75" in s for s in calc.steps)
    assert calc.result is not None and "10天" in calc.result.text


def test_string_inputs_from_the_cli_are_coerced(cite: Any) -> None:
    calc = _run("severance", {"years": "4", "months": "8", "monthly_wage": "8000"}, cite)
    assert calc.inputs == {"years": 4, "months": 8, "monthly_wage": 8000}
    assert calc.result is not None and calc.result.value == 40000
    ot = _run("overtime_pay", {"hours": "8", "day_type": "rest_day", "hourly_wage": "25",
                               "time_off_in_lieu": "true"}, cite)  # fmt: skip
    assert ot.inputs["time_off_in_lieu"] is True and ot.result is not None
    assert ot.result.value == 0
    dates = _run("arbitration_deadline", {"known_date": date(2024, 3, 14)}, cite)
    assert dates.inputs == {"known_date": "2024-03-14"}


def test_inputs_echo_the_value_used_unrounded(cite: Any) -> None:
    calc = _run("annual_leave", {"total_work_years": "9.999"}, cite)
    assert calc.inputs == {"total_work_years": 9.999}
    assert calc.result is not None and calc.result.value == 5  # 9.999 years: under 10, 5 days


def test_dates_win_over_years_and_say_so(cite: Any) -> None:
    calc = _run("severance", {"start_date": "2020-01-01", "end_date": "2020-06-30",
                              "years": 9, "monthly_wage": 8000}, cite)  # fmt: skip
    assert calc.result is not None and calc.result.value == 8000  # six months -> 1 month
    assert any("按日期计算" in n for n in calc.notices)


def test_calculation_has_the_contract_shape(cite: Any) -> None:
    data = _run("severance", {"years": 1, "monthly_wage": 5000}, cite).model_dump(mode="json")
    assert set(data) == {"kind", "inputs", "missing", "result", "steps", "citations", "notices"}
    assert set(data["result"]) == {"value", "unit", "text"}
    assert set(data["citations"][0]) == {
        "n", "doc_id", "source", "title", "quote", "start", "end", "locator", "valid_until",
        "trusted",  # added 2026-12 (answer/trust.py)
    }  # fmt: skip


def test_every_needed_article_is_in_the_corpus(cite: Any) -> None:
    for spec in KINDS.values():
        for law, article in spec.articles:
            assert cite(law, article) is not None, (law, article)


# ---------------------------------------------------------------- missing inputs and documents


MISSING = [
    ("severance", {}, ["years"]),
    ("severance", {"monthly_wage": 8000}, ["years"]),
    ("severance", {"end_date": "2024-01-01"}, ["start_date"]),
    ("unlawful_termination", {"monthly_wage": 8000}, ["years"]),
    ("no_contract_double_wage", {"monthly_wage": 8000}, ["months_without_contract"]),
    ("overtime_pay", {"hours": 5}, ["day_type", "hourly_wage"]),
    ("overtime_pay", {"day_type": "holiday", "monthly_wage": 8000}, ["hours"]),
    ("probation_limit", {"monthly_wage": 8000}, ["contract_months"]),
    ("arbitration_deadline", {}, ["known_date"]),
    ("arbitration_deadline", {"wage_arrears": True}, ["still_employed"]),
    ("arbitration_deadline", {"wage_arrears": True, "still_employed": False}, ["end_date"]),
    ("annual_leave", {"monthly_wage": 8000}, ["total_work_years"]),
]


@pytest.mark.parametrize(("kind", "inputs", "missing"), MISSING)
def test_missing_input_is_listed_and_the_rule_is_stated(
    kind: str, inputs: dict[str, Any], missing: list[str], cite: Any
) -> None:
    calc = _run(kind, inputs, cite)
    assert calc.missing == missing
    assert calc.result is None
    assert calc.steps and all(ARTICLE_IN_STEP_ZH.search(s) for s in calc.steps)
    assert calc.citations and any("还需要" in n for n in calc.notices)


def test_start_date_without_end_date_or_today_is_missing_end_date(cite: Any) -> None:
    calc = calculate("severance", {"start_date": "2020-01-01"}, cite)
    assert calc.missing == ["end_date"] and calc.result is None


def test_missing_article_gives_no_result_and_names_the_document(cite: Any) -> None:
    def without_47(law: str, article: str) -> Citation | None:
        return None if (law, article) == ("劳动合同法", "第四十七条") else cite(law, article)

    calc = _run("severance", {"years": 4, "months": 8, "monthly_wage": 8000}, without_47)
    assert calc.result is None
    assert calc.steps == [] and calc.citations == []
    assert calc.notices == ["需要《劳动合同法》第四十七条，但索引中没有这部法律，无法计算。"]


def test_missing_conditional_article_gives_no_result(cite: Any) -> None:
    def no_measures(law: str, article: str) -> Citation | None:
        return None if law == "企业职工带薪年休假实施办法" else cite(law, article)

    days_only = _run("annual_leave", {"total_work_years": 10}, no_measures)
    assert days_only.result is not None and days_only.result.value == 10
    paid = _run("annual_leave", {"total_work_years": 10, "monthly_wage": 8000}, no_measures)
    assert paid.result is None
    assert (
        paid.notices[0]
        == "需要《企业职工带薪年休假实施办法》第十一条，但索引中没有这部法规，无法计算。"
    )


def test_nothing_indexed_gives_notice_in_english() -> None:
    calc = calculate("maternity_leave", {}, lambda law, art: None, lang="en")
    assert calc.result is None
    assert calc.notices == [
        "Article 7 of the Special Provisions on Labour Protection of Female Employees is "
        "needed, but that document is not in the index, so nothing was calculated."
    ]


# ---------------------------------------------------------------- bad input


BAD = [
    ("severance", {"years": 2, "monthly_wage": -8000}, "月工资（monthly_wage）不能为负数"),
    ("severance", {"years": 2, "monthly_wage": "0"}, "monthly_wage"),
    ("severance", {"years": 2, "monthly_wage": "八千"}, "monthly_wage"),
    ("severance", {"start_date": "2024-05-01", "end_date": "2024-04-30"}, "end_date"),
    ("severance", {"start_date": "2024-02-30", "end_date": "2024-04-30"}, "start_date"),
    ("severance", {"start_date": "2024/05/01"}, "start_date"),
    ("severance", {"years": "2.5"}, "years"),
    ("severance", {"years": -1}, "years"),
    ("severance", {"salary": 8000}, "salary"),
    ("no_such_kind", {}, "未知的计算类型"),
    ("maternity_leave", {"babies": 0}, "婴儿数（babies）"),
    ("maternity_leave", {"babies": "1.5"}, "babies"),
    ("maternity_leave", {"miscarriage_months": 11}, "miscarriage_months"),
    ("overtime_pay", {"hours": 1, "day_type": "weekend", "hourly_wage": 1}, "day_type"),
    ("overtime_pay", {"hours": "abc", "day_type": "workday", "hourly_wage": 1}, "hours"),
    ("overtime_pay", {"hours": 0, "day_type": "workday", "hourly_wage": 1}, "hours"),
    ("overtime_pay", {"hours": 2, "day_type": "workday", "hourly_wage": "nan"}, "hourly_wage"),
    ("probation_limit", {"open_ended": "maybe"}, "open_ended"),
    ("probation_limit", {"open_ended": True, "task_based": True}, "task_based"),
    ("probation_limit", {"contract_months": 6, "contract_years": 1}, "contract_years"),
    ("arbitration_deadline", {"known_date": "last spring"}, "known_date"),
    ("arbitration_deadline", {"end_date": "2024-01-01", "still_employed": True}, "still_employed"),
    ("annual_leave", {"total_work_years": 5, "untaken_days": 9, "daily_wage": 100}, "untaken_days"),
    ("annual_leave", {"total_work_years": True}, "total_work_years"),
]


@pytest.mark.parametrize(("kind", "inputs", "field"), BAD)
def test_bad_input_raises_usage_error_naming_the_field(
    kind: str, inputs: dict[str, Any], field: str
) -> None:
    with pytest.raises(UsageError) as exc:
        calculate(kind, inputs, any_cite)
    assert field in str(exc.value)
    assert CJK.search(str(exc.value))


def test_bad_language_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="lang"):
        calculate("maternity_leave", {}, any_cite, lang="fr")


def test_empty_string_input_counts_as_not_given(cite: Any) -> None:
    calc = _run("severance", {"years": "3", "monthly_wage": ""}, cite)
    assert calc.result is not None and calc.result.value == 3


# ---------------------------------------------------------------- questions in words


PARSE = [
    ("我在公司干了4年8个月，月薪八千，被裁员了", "severance",
     {"years": 4, "months": 8, "monthly_wage": 8000}),
    ("工作了五年，8000块，公司说要裁员", "severance", {"years": 5, "months": 0, "monthly_wage": 8000}),
    ("三年零两个月，月薪1万2", "severance", {"years": 3, "months": 2, "monthly_wage": 12000}),
    ("一个月5000，干了两年半", "severance", {"years": 2, "months": 6, "monthly_wage": 5000}),
    ("工资一万二，做了十二年", "severance", {"years": 12, "months": 0, "monthly_wage": 12000}),
    ("月薪1.5万，社平工资4000，干了15年", "severance",
     {"years": 15, "months": 0, "monthly_wage": 15000, "local_avg_wage": 4000}),
    ("月薪8k，干了8个月被辞退", "severance", {"years": 0, "months": 8, "monthly_wage": 8000}),
    ("我月薪五千五，工作3年多", "severance", {"monthly_wage": 5500}),  # 3年多: months unknown
    ("入职2023年3月，现在被辞退", "severance", {"start_date": "2023-03-01"}),
    ("2021年3月1日入职，2024年5月10日被辞退，月工资一万二", "severance",
     {"start_date": "2021-03-01", "end_date": "2024-05-10", "monthly_wage": 12000}),
    ("我是2022年5月入职的，2024年6月30日离职", "unlawful_termination",
     {"start_date": "2022-05-01", "end_date": "2024-06-30"}),
    ("公司违法辞退我，干了6年，月薪9000", "unlawful_termination",
     {"years": 6, "months": 0, "monthly_wage": 9000}),
    ("上个月工资7500，公司没提前通知就让我走", "notice_pay", {"monthly_wage": 7500}),
    ("没签合同7个月，月薪6000", "no_contract_double_wage",
     {"months_without_contract": 7, "monthly_wage": 6000}),
    ("入职7个月了一直没签合同", "no_contract_double_wage", {"months_without_contract": 7}),
    ("在公司干了1年2个月，一直没签劳动合同", "no_contract_double_wage",
     {"months_without_contract": 14}),
    ("周六加班20小时，没有调休，时薪25", "overtime_pay",
     {"hours": 20, "day_type": "rest_day", "time_off_in_lieu": False, "hourly_wage": 25}),
    ("国庆节加班3天共24小时，月薪8000", "overtime_pay",
     {"hours": 24, "day_type": "holiday", "monthly_wage": 8000}),
    ("日薪300，周末加班8个小时，公司安排了调休", "overtime_pay",
     {"hours": 8, "day_type": "rest_day", "time_off_in_lieu": True, "daily_wage": 300}),
    ("这个月下班后加班了30小时", "overtime_pay", {"hours": 30, "day_type": "workday"}),
    ("签了3年合同，试用期6个月合法吗", "probation_limit", {"contract_years": 3}),
    ("合同期3个月，约定了1个月试用期", "probation_limit", {"contract_months": 3}),
    ("签的是无固定期限合同", "probation_limit", {"open_ended": True}),
    ("以完成一定工作任务为期限的合同能约定试用期吗", "probation_limit", {"task_based": True}),
    ("生了双胞胎，难产", "maternity_leave", {"babies": 2, "difficult_birth": True}),
    ("三胞胎剖腹产，产假多少天", "maternity_leave", {"babies": 3, "difficult_birth": True}),
    ("怀孕3个月流产了，能休多久", "maternity_leave", {"miscarriage_months": 3}),
    ("怀孕四个多月流产", "maternity_leave", {"miscarriage_months": 4}),
    ("公司欠我工资，我还在职", "arbitration_deadline",
     {"wage_arrears": True, "still_employed": True}),
    ("2024年3月14日被辞退，什么时候之前申请仲裁", "arbitration_deadline",
     {"end_date": "2024-03-14", "still_employed": False}),
    ("2024年1月5日发现公司没交社保", "arbitration_deadline", {"known_date": "2024-01-05"}),
    ("工作了12年，年假没休，月薪8000", "annual_leave",
     {"total_work_years": 12, "monthly_wage": 8000}),
    ("工龄9年，还有3天年假没休，日薪400", "annual_leave",
     {"total_work_years": 9, "untaken_days": 3, "daily_wage": 400}),
    ("加班工资才给了200元，周六加班16小时，月薪6000", "overtime_pay",
     {"hours": 16, "day_type": "rest_day", "monthly_wage": 6000}),
    ("转正工资8000，试用期工资5000，签了2年合同", "probation_limit",
     {"monthly_wage": 8000, "contract_years": 2}),
    ("公司给了2万块补偿，干了3年", "severance", {"years": 3, "months": 0}),
    ("今天天气怎么样", "severance", {}),
    # the worker's own average wage is the wage; the local average is another input
    ("离职前12个月的平均工资是6800，我干了3年", "severance",
     {"monthly_wage": 6800, "years": 3, "months": 0}),
    ("当地社平工资9000，我月薪30000，干了4年", "severance",
     {"local_avg_wage": 9000, "monthly_wage": 30000, "years": 4, "months": 0}),
    ("我才来了5个月就被裁了，工资4000", "severance", {"monthly_wage": 4000, "years": 0, "months": 5}),
    # months without a contract from the start date to a month named without a year
    ("2024年9月1号进的厂，到12月底还没签劳动合同，月薪4800", "no_contract_double_wage",
     {"monthly_wage": 4800, "months_without_contract": 4}),
    ("没签合同干了两年半，月薪5000", "no_contract_double_wage",
     {"monthly_wage": 5000, "months_without_contract": 30}),
    # time still to go, a bound or time ago is not time served
    ("员工还有两年退休，工作已经半年一直未签合同，我有权要求签订两年或三年合同吗", "no_contract_double_wage",
     {"months_without_contract": 6}),
    ("十年以上员工辞退怎么赔偿", "severance", {}),
    ("单位按五千块钱一年工龄补偿，我前十二个月平均工资是七千，干了6年", "severance",
     {"monthly_wage": 7000, "years": 6, "months": 0}),
    ("干了三年后公司裁员，把我也裁了", "severance", {"years": 3, "months": 0}),
    ("做了5年前台，两年后退休，公司要辞退我", "severance", {"years": 5, "months": 0}),
    ("三年前入职，干了2年8个月被辞退", "severance", {"years": 2, "months": 8}),
    ("距离退休还差5年，公司要辞退我，我干了12年", "severance", {"years": 12, "months": 0}),
    # a whole day's shift is 8 hours; hours added up
    ("周日加了一天班，日工资240，没有补休", "overtime_pay",
     {"daily_wage": 240, "hours": 8, "day_type": "rest_day", "time_off_in_lieu": False}),
    ("平时下班后加班，累计20个小时，时薪30", "overtime_pay",
     {"hourly_wage": 30, "hours": 20, "day_type": "workday"}),
    # English questions
    ("I worked there for 3 years and 2 months, salary 9000 yuan per month", "severance",
     {"years": 3, "months": 2, "monthly_wage": 9000}),
    ("Fired after 8 months, I earned 6k a month", "unlawful_termination",
     {"years": 0, "months": 8, "monthly_wage": 6000}),
    ("What is the weather like today?", "severance", {}),
    # 今年/去年 take the year from today (the tests' today: 2026-12-01)
    ("之前在别的公司干了8年，今年3月1号入职现在的单位，今年能休几天年假", "annual_leave",
     {"join_date": "2026-03-01", "total_work_years": 8}),
]  # fmt: skip


@pytest.mark.parametrize(("question", "kind", "expected"), PARSE)
def test_parse_inputs_reads_the_numbers_a_question_states(
    question: str, kind: str, expected: dict[str, Any]
) -> None:
    assert parse_inputs(question, kind, today=date(2026, 12, 1)) == expected


def test_parse_table_has_at_least_twenty_five_questions() -> None:
    assert len(PARSE) >= 25


def test_parse_rejects_unknown_kind() -> None:
    with pytest.raises(UsageError, match="未知的计算类型"):
        parse_inputs("干了4年", "bonus")


def test_parsed_question_computes_the_figure(cite: Any) -> None:
    inputs = parse_inputs("我在公司干了4年8个月，月薪八千，被裁员了，能拿多少补偿？", "severance")
    calc = _run("severance", inputs, cite)
    assert calc.result is not None
    assert calc.result.text == "5个月工资，按月薪8000元计为40000元"
