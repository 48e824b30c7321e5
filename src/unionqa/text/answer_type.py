"""What kind of datum a question asks for, and whether a sentence states one.

A question that asks for a figure ("补贴标准是多少?", "产假有多少天?", "哪一年召开的?") is
answered only by a sentence that gives a figure of that kind. A document on the right topic that
never states the figure does not answer it, however well it matches: quoting it would look like an
answer and is not one. This is the classic expected-answer-type check of question answering,
kept to kinds that can be recognised reliably in Chinese and English text.

Kinds: ``money`` (amounts, percentages and multiples of pay), ``duration`` (days, months,
years), ``date`` (a year, month or day), ``count`` (how many people, countries, items),
``ratio`` (a share or multiple) and ``contact`` (a phone number, web address or e-mail).
"""

from __future__ import annotations

import re

_N = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+)"
_UNIT_TIME = r"(?:个工作日|工作日|个月|日|天|周|星期|小时|年(?!\d{1,2}月))"

# what a question asks for; checked in this order, the first that matches wins
QUESTION: list[tuple[str, re.Pattern[str]]] = [
    (
        "contact",  # asked for, not mentioned: "我的电话是…" gives one
        re.compile(
            r"(?:电话|网址|网站|热线|邮箱|号码|联系方式)(?:号码)?(?:是多少|是什么|多少|是哪)"
            r"|(?:哪个|什么|哪里的?|哪儿的?)(?:电话|网址|网站|热线|邮箱|号码)|打哪个"
            r"|(?:what|which)(?: is the)? (?:\w+ )?(?:phone|website|web site|url|hotline|e-?mail)",
            re.I,
        ),
    ),
    (
        "duration",
        re.compile(
            r"多久|多长时间|多少(?:个)?(?:天|日|年|周|小时|工作日)|多少个月|几(?:天|年|周|小时|工作日)|几个(?:月|星期|小时|工作日)"
            r"|how long|how many (?:days|weeks|months|years|hours)",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"哪一?年|哪一?天|几月|几号|什么时候|何时|什么时间|when\b|what year|which year|what date",
            re.I,
        ),
    ),
    (
        "ratio",
        re.compile(
            r"比例|百分之几|百分比|几成|几倍|多少倍|(?:抽成|提成|分成)[^，。？?,]{0,3}多少"
            r"|percentage|what share|what rate",
            re.I,
        ),
    ),
    (
        "count",
        re.compile(
            r"多少(?:个|人|名|家|项|位|次|种|批|条|所|国)|几(?:个|名|家|项|位|次|种|批|条|所)(?!月)"
            r"|how many",
            re.I,
        ),
    ),
    (
        "money",
        re.compile(
            r"多少钱|几块|多少元|多少万|(?:罚|赔|补|领|拿|发|付|给|奖|贴|资|金|费|标准|税|贷)[^，。？?,]{0,5}多少"
            r"|多少(?:补贴|补助|奖金|经费|工资|钱|费用|金额|贴息)|起征点|金额"
            r"|how much|what amount|what is the (?:\w+ ){0,2}(?:wage|salary|benefit|subsidy|fine)",
            re.I,
        ),
    ),
]

_PAY = r"(?:工资|报酬|薪|费|金|补贴|补助|津贴)"
_MONEY = re.compile(
    rf"{_N}\s*(?:元|块钱|万元|亿元|美元|欧元)"  # 1500元, 五千元
    rf"|(?:百分之[零〇一二两三四五六七八九十百]+|\d+(?:\.\d+)?\s*%|{_N}倍)[^，。；]{{0,8}}{_PAY}"
    rf"|{_PAY}[^，。；]{{0,8}}(?:百分之|{_N}倍|\d+(?:\.\d+)?\s*%)"  # 工资的百分之二百, 二倍的工资
    rf"|{_N}个?月(?:的)?(?:本人)?工资"  # 一个月工资
)
_DURATION = re.compile(
    rf"(?<![\d年月])(?:\d{{1,3}}|[零〇一二两三四五六七八九十百半]+)\s*{_UNIT_TIME}"
)
_DATE = re.compile(
    r"\d{4}\s*年|[一二三四五六七八九〇零]{4}年|\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"
)
_RATIO = re.compile(
    rf"百分之|\d+(?:\.\d+)?\s*[%‰]|{_N}倍|{_N}成(?!员|立|为|本|绩|果|效|熟|年)|比例为"
)
_COUNT = re.compile(
    rf"{_N}\s*(?:多)?(?:个(?!月|工作日|小时|星期)|人|名|家|项|位|次|种|批|条|所|国|件|省|部门|类)"
)
_CONTACT = re.compile(
    r"\d{5,}|\d{3,4}-\d{7,8}|https?://|www\.|[\w.-]+@[\w-]+\.\w+|\.(?:cn|com|org)\b"
)

STATES: dict[str, re.Pattern[str]] = {
    "money": _MONEY,
    "duration": _DURATION,
    "date": _DATE,
    "ratio": _RATIO,
    "count": _COUNT,
    "contact": _CONTACT,
}


def expected(question: str) -> str | None:
    """The kind of datum ``question`` asks for, or None for any other question."""
    for kind, pattern in QUESTION:
        if pattern.search(question):
            return kind
    return None


def states(kind: str, text: str) -> bool:
    """Whether ``text`` states a datum of ``kind``."""
    return STATES[kind].search(text) is not None
