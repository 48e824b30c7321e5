"""What every calculator rule shares: the law names, number and date helpers, and ``Run``.

A rule (``pay``, ``periods``) reads the coerced inputs in ``run.v`` and writes steps
through ``run.step(law, article, zh, en)``, so every step names the article it applies and
cites it. A rule returns the result as ``(value, unit, text)``, or None after listing
``run.missing`` and stating the rule. ``calculators.calculate`` is the public entry point.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..types import Citation

Cite = Callable[[str, str], Citation | None]
Outcome = tuple[int | float, str, str] | None

LCL = "劳动合同法"
LCL_REG = "劳动合同法实施条例"
LL = "劳动法"
FEMALE = "女职工劳动保护特别规定"
ARB = "劳动争议调解仲裁法"
LEAVE = "职工带薪年休假条例"
LEAVE_MEAS = "企业职工带薪年休假实施办法"
HOURS = "国务院关于职工工作时间的规定"

# short name (the title without 中华人民共和国) -> (English name, corpus file it comes from)
LAWS: dict[str, tuple[str, str]] = {
    LCL: ("the Labour Contract Law", "labour_contract_law.md"),
    LCL_REG: (
        "the Implementing Regulations of the Labour Contract Law",
        "labour_contract_law_implementing_regulations.md",
    ),
    LL: ("the Labour Law", "labour_law.md"),
    FEMALE: (
        "the Special Provisions on Labour Protection of Female Employees",
        "female_employees_special_protection_provisions.md",
    ),
    ARB: (
        "the Labour Dispute Mediation and Arbitration Law",
        "labour_dispute_mediation_arbitration_law.md",
    ),
    LEAVE: ("the Regulations on Paid Annual Leave", "paid_annual_leave_regulations.md"),
    LEAVE_MEAS: (
        "the Implementing Measures for Paid Annual Leave of Enterprise Employees",
        "paid_annual_leave_implementing_measures.md",
    ),
    HOURS: ("the State Council Provisions on Working Hours", "working_hours_provisions.md"),
}

# ---------------------------------------------------------------- numbers and dates

_CN_DIGITS = "零一二三四五六七八九"


def num(d: Decimal | int) -> int | float:
    """Round half up to 0.01; an integral amount becomes an int."""
    q = Decimal(d).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(q) if q == q.to_integral_value() else float(q)


def fmt(d: Decimal | int) -> str:
    """8000 -> "8000", 7356.3218 -> "7356.32", 0.5 -> "0.5"."""
    v = num(d)
    return str(v) if isinstance(v, int) else f"{v:.2f}".rstrip("0").rstrip(".")


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def article_no(label: str) -> int:
    """第四十七条 -> 47 (labels up to 第九百九十九条)."""
    total, digit = 0, 0
    for ch in label.strip("第条"):
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS.index(ch)
        elif ch in "十百":
            total += (digit or 1) * (10 if ch == "十" else 100)
            digit = 0
    return total + digit


def add_months(d: date, n: int) -> date:
    """The same day n months later; a day the month lacks becomes its last day."""
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def service_span(start: date, end: date) -> tuple[int, int]:
    """Whole months and leftover days worked from ``start`` through ``end`` (both included)."""
    stop = end + timedelta(days=1)
    n = (stop.year - start.year) * 12 + stop.month - start.month
    while n > 0 and add_months(start, n) > stop:
        n -= 1
    return n, (stop - add_months(start, n)).days


def one_year_on(d: date) -> date:
    """Last day of a one-year period counted from the day after ``d``: the same date a year
    later, or 28 February when ``d`` is 29 February (民法典第二百零一条、第二百零二条)."""
    return add_months(d, 12)


# ---------------------------------------------------------------- the run of one calculation


_PART_ZH = re.compile(r"(第[一二三四五六七八九十]+款|第（[一二三四五六七八九十]+）项)：")
_PART_EN = re.compile(
    r"(?:(?P<para>first|second|third|fourth|fifth) paragraph|item \((?P<item>\d+)\)): "
)


@dataclass
class Run:
    """What one calculation collects: steps, notices, missing inputs, citations in order."""

    cite_fn: Cite
    lang: str
    today: date | None
    v: dict[str, Any]
    steps: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    absent: list[tuple[str, str]] = field(default_factory=list)
    _seen: dict[tuple[str, str], Citation | None] = field(default_factory=dict)

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def ref(self, law: str, article: str) -> str:
        return self.t(f"《{law}》{article}", f"Article {article_no(article)} of {LAWS[law][0]}")

    def need(self, law: str, article: str) -> Citation | None:
        """The article's citation (asked of the index once); an absent one is recorded."""
        key = (law, article)
        if key not in self._seen:
            c = self.cite_fn(law, article)
            self._seen[key] = c
            if c is None:
                self.absent.append(key)
        return self._seen[key]

    def step(self, law: str, article: str, zh: str, en: str) -> None:
        """A step that applies ``article`` (cited); a text opening with "第二款：" / "second
        paragraph: " or "第（一）项：" / "item (1): " names that part of the article."""
        c = self.need(law, article)
        if c is not None and c not in self.citations:
            self.citations.append(c)
        if self.lang == "en":
            ref = self.ref(law, article)
            if m := _PART_EN.match(en):
                en = en[m.end() :]
                if m["item"]:
                    ref = ref.replace(" of ", f"({m['item']}) of ", 1)
                else:
                    ref = f"the {m['para']} paragraph of {ref}"
            self.steps.append(f"Under {ref}, {en}")
        else:
            part = ""
            if m := _PART_ZH.match(zh):
                part, zh = m[1], zh[m.end() :]
            self.steps.append(f"按{self.ref(law, article)}{part}，{zh}")

    def note(self, zh: str, en: str) -> None:
        self.notices.append(self.t(zh, en))

    def absent_notices(self) -> list[str]:
        out = []
        for law, article in self.absent:
            what = "法律" if law.endswith("法") and not law.endswith("办法") else "法规"
            ref = self.ref(law, article)
            out.append(
                self.t(
                    f"需要{ref}，但索引中没有这部{what}，无法计算。",
                    f"{ref[:1].upper()}{ref[1:]} is needed, but that document is not in the index, "
                    "so nothing was calculated.",
                )
            )
        return out

    def money(self, amount: Decimal) -> str:
        return self.t(f"{fmt(amount)}元", f"{fmt(amount)} yuan")

    def wages(self, m: Decimal) -> str:
        if m == Decimal("0.5"):
            return self.t("半个月工资", "half a month's wage")
        return self.t(
            f"{fmt(m)}个月工资", "1 month's wage" if m == 1 else f"{fmt(m)} months' wages"
        )
