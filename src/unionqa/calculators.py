"""Deterministic labour-rights calculators: severance, double wages, overtime, leave, deadlines.

Design
------
* One rule function per kind (``calc_pay.severance``, ``calc_time.overtime_pay`` ...); ``KINDS``
  lists each kind's inputs and the articles it rests on. ``calculate`` is the only entry point: it
  checks the kind and the inputs (strings from a CLI are coerced by the ``InputSpec``; a bad
  value raises ``UsageError`` naming the field), then runs the rule.
* No figure comes from memory. Every rule obtains its articles through the caller's
  ``cite(law, article)``, which quotes them verbatim from the index. If an article the kind
  needs is not indexed, the result is ``None`` and a notice names the missing document. Every
  step is written by ``Run.step``, which prefixes the article it applies, so a step cannot
  forget its source; the citations are numbered 1..n in the order the steps first use them.
* A missing required input is not an error: ``missing`` lists it, ``result`` is ``None`` and
  the steps state the rule, so an answer can give the rule and ask for the facts.
* Where the law leaves a question open (is this ending one that gives compensation? does the
  cap apply?) the calculation says so in ``notices`` instead of assuming.
* Conventions not found in the documents are named as such: the 21.75-day month of
  劳社部发〔2008〕3号 for overtime, and the civil-code way of counting a one-year period.
* Money is computed in ``Decimal`` and rounded to 0.01 yuan (half up) once, at the end.

Files: ``calculators`` (this module: the Calculation shape, ``KINDS``, input checking and
``calculate``), ``calc_run`` (the ``Run`` that collects steps and citations; law names and
date helpers), ``calc_pay`` (severance, damages, notice pay, double wages), ``calc_time``
(overtime, probation, arbitration deadline), ``calc_leave`` (maternity and annual leave), and
``calc_parse``: questions in words (干了4年8个月，月薪八千) turned into inputs by
``parse_inputs``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import calc_leave, calc_pay, calc_time
from .calc_run import (
    ARB,
    FEMALE,
    HOURS,
    LAWS,
    LCL,
    LCL_REG,
    LEAVE,
    LEAVE_MEAS,
    LL,
    Cite,
    Outcome,
    Run,
    cn_date,
    fmt,
)
from .errors import UsageError
from .types import Citation

__all__ = ["KINDS", "LAWS", "CalcResult", "Calculation", "InputSpec", "KindSpec", "calculate"]

InputType = Literal["number", "integer", "date", "boolean", "choice"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class CalcResult(_Frozen):
    value: float | int
    unit: str
    text: str


class Calculation(_Frozen):
    """The CONTRACT's Calculation. ``result`` is None when an input or an article is missing,
    and for wage arrears while still employed (no time limit runs; the notices say so)."""

    kind: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list)
    result: CalcResult | None = None
    steps: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)


class InputSpec(_Frozen):
    name: str
    type: InputType
    label_zh: str
    label_en: str
    unit: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = 0  # inclusive
    positive: bool = False  # strictly greater than zero
    maximum: float | None = None


class KindSpec(_Frozen):
    name: str
    name_zh: str
    name_en: str
    inputs: tuple[InputSpec, ...]
    articles: tuple[tuple[str, str], ...]  # every article the kind may rest on
    needs: tuple[tuple[str, str], ...]  # those it always needs (cited before computing)
    one_of: tuple[tuple[str, ...], ...] = ()  # alternative input sets, one of which is needed


def _in(name: str, type_: InputType, zh: str, en: str, unit: str = "", **kw: Any) -> InputSpec:
    return InputSpec(name=name, type=type_, label_zh=zh, label_en=en, unit=unit, **kw)


_SERVICE = (
    _in("start_date", "date", "入职日期", "start date"),
    _in("end_date", "date", "离职日期（最后工作日）", "end date (last day of work)"),
    _in("years", "integer", "工作年数", "years of service", "年", maximum=80),
    _in("months", "integer", "另有的月数", "further months", "个月", maximum=960),
)
_WAGE = _in("monthly_wage", "number", "月工资", "monthly wage", "元", positive=True)
_AVG = _in(
    "local_avg_wage",
    "number",
    "当地上年度职工月平均工资",
    "local average monthly wage",
    "元",
    positive=True,
)
_MIN = _in(
    "local_min_wage", "number", "当地最低工资标准", "local minimum wage", "元", positive=True
)
_DAILY = _in("daily_wage", "number", "日工资", "daily wage", "元", positive=True)
_SERVICE_ONE_OF = (("start_date", "end_date"), ("years", "months"))

KINDS: dict[str, KindSpec] = {
    k.name: k
    for k in (
        KindSpec(
            name="severance",
            name_zh="经济补偿",
            name_en="severance pay",
            inputs=(*_SERVICE, _WAGE, _AVG, _MIN),
            articles=((LCL, "第四十六条"), (LCL, "第四十七条"), (LCL_REG, "第二十七条")),
            needs=((LCL, "第四十六条"), (LCL, "第四十七条"), (LCL_REG, "第二十七条")),
            one_of=_SERVICE_ONE_OF,
        ),
        KindSpec(
            name="unlawful_termination",
            name_zh="违法解除赔偿金",
            name_en="damages for unlawful termination",
            inputs=(*_SERVICE, _WAGE, _AVG, _MIN),
            articles=(
                (LCL, "第八十七条"),
                (LCL, "第四十七条"),
                (LCL_REG, "第二十七条"),
                (LCL_REG, "第二十五条"),
            ),
            needs=(
                (LCL, "第八十七条"),
                (LCL, "第四十七条"),
                (LCL_REG, "第二十七条"),
                (LCL_REG, "第二十五条"),
            ),
            one_of=_SERVICE_ONE_OF,
        ),
        KindSpec(
            name="notice_pay",
            name_zh="代通知金",
            name_en="pay in lieu of notice",
            inputs=(
                _in(
                    "monthly_wage",
                    "number",
                    "上一个月的工资",
                    "last month's wage",
                    "元",
                    positive=True,
                ),
            ),
            articles=((LCL, "第四十条"), (LCL_REG, "第二十条")),
            needs=((LCL, "第四十条"), (LCL_REG, "第二十条")),
        ),
        KindSpec(
            name="no_contract_double_wage",
            name_zh="未签书面劳动合同二倍工资",
            name_en="double wages without a written contract",
            inputs=(
                _in(
                    "months_without_contract",
                    "number",
                    "未签书面合同的月数（从用工之日起）",
                    "months worked without a written contract",
                    "个月",
                    required=True,
                    maximum=1200,
                ),
                _WAGE,
            ),
            articles=(
                (LCL, "第八十二条"),
                (LCL_REG, "第六条"),
                (LCL_REG, "第七条"),
                (LCL, "第十四条"),
            ),
            needs=((LCL, "第八十二条"), (LCL_REG, "第六条")),
        ),
        KindSpec(
            name="overtime_pay",
            name_zh="加班费",
            name_en="overtime pay",
            inputs=(
                _in(
                    "hours",
                    "number",
                    "加班小时数",
                    "overtime hours",
                    "小时",
                    required=True,
                    positive=True,
                ),
                _in(
                    "day_type",
                    "choice",
                    "加班日类型",
                    "kind of day",
                    required=True,
                    choices=("workday", "rest_day", "holiday"),
                ),
                _in("time_off_in_lieu", "boolean", "是否安排了补休", "time off in lieu given"),
                _in("hourly_wage", "number", "小时工资", "hourly wage", "元", positive=True),
                _DAILY,
                _WAGE,
            ),
            articles=((LL, "第四十四条"), (HOURS, "第三条")),
            needs=((LL, "第四十四条"),),
            one_of=(("hourly_wage",), ("daily_wage",), ("monthly_wage",)),
        ),
        KindSpec(
            name="probation_limit",
            name_zh="试用期上限",
            name_en="maximum probation",
            inputs=(
                _in(
                    "contract_months",
                    "number",
                    "劳动合同期限（月）",
                    "contract term in months",
                    "个月",
                    positive=True,
                    maximum=1200,
                ),
                _in(
                    "contract_years",
                    "number",
                    "劳动合同期限（年）",
                    "contract term in years",
                    "年",
                    positive=True,
                    maximum=100,
                ),
                _in("open_ended", "boolean", "是否无固定期限合同", "open-ended contract"),
                _in("task_based", "boolean", "是否以完成一定工作任务为期限", "task-based contract"),
                _WAGE,
                _MIN,
            ),
            articles=((LCL, "第十九条"), (LCL, "第二十条")),
            needs=((LCL, "第十九条"), (LCL, "第二十条")),
            one_of=(("contract_months",), ("contract_years",), ("open_ended",), ("task_based",)),
        ),
        KindSpec(
            name="maternity_leave",
            name_zh="产假天数",
            name_en="maternity leave",
            inputs=(
                _in("babies", "integer", "婴儿数", "number of babies", "个", minimum=1, maximum=10),
                _in("difficult_birth", "boolean", "是否难产", "difficult birth"),
                _in(
                    "miscarriage_months",
                    "number",
                    "流产时怀孕月数",
                    "months pregnant at miscarriage",
                    "个月",
                    positive=True,
                    maximum=10,
                ),
            ),
            articles=((FEMALE, "第七条"),),
            needs=((FEMALE, "第七条"),),
        ),
        KindSpec(
            name="arbitration_deadline",
            name_zh="仲裁时效",
            name_en="arbitration time limit",
            inputs=(
                _in(
                    "known_date",
                    "date",
                    "知道或应当知道权利被侵害的日期",
                    "date you knew (or should have known) of the infringement",
                ),
                _in("end_date", "date", "劳动关系终止日期", "date the employment ended"),
                _in("still_employed", "boolean", "是否仍在职", "still employed"),
                _in("wage_arrears", "boolean", "是否为拖欠工资争议", "dispute over unpaid wages"),
            ),
            articles=((ARB, "第二十七条"),),
            needs=((ARB, "第二十七条"),),
        ),
        KindSpec(
            name="annual_leave",
            name_zh="带薪年休假",
            name_en="paid annual leave",
            inputs=(
                _in(
                    "total_work_years",
                    "number",
                    "累计工作年限",
                    "total years of work",
                    "年",
                    required=True,
                    maximum=80,
                ),
                _in("untaken_days", "number", "应休未休天数", "untaken leave days", "天"),
                _DAILY,
                _WAGE,
            ),
            articles=(
                (LEAVE, "第三条"),
                (LEAVE, "第五条"),
                (LEAVE_MEAS, "第十条"),
                (LEAVE_MEAS, "第十一条"),
            ),
            needs=((LEAVE, "第三条"),),
        ),
    )
}


# ---------------------------------------------------------------- input coercion

_TRUE = {"true", "1", "yes", "y", "on", "是", "有", "对"}
_FALSE = {"false", "0", "no", "n", "off", "否", "无", "没有", "不是"}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _field(spec: InputSpec) -> str:
    return f"{spec.label_zh}（{spec.name}）"


def _coerce_one(spec: InputSpec, value: Any) -> Any:
    f = _field(spec)
    if spec.type == "boolean":
        if isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in _TRUE or s in _FALSE:
            return s in _TRUE
        raise UsageError(f"{f}应为是或否（true/false），而不是：{value}")
    if spec.type == "date":
        if isinstance(value, date):
            return value
        s = str(value).strip()
        try:
            if not _ISO.fullmatch(s):
                raise ValueError(s)
            return date.fromisoformat(s)
        except ValueError:
            raise UsageError(
                f"{f}不是有效日期：{value}（应为 YYYY-MM-DD，如 2024-03-14）"
            ) from None
    if spec.type == "choice":
        s = str(value).strip()
        if s not in spec.choices:
            raise UsageError(f"{f}应为 {' / '.join(spec.choices)} 之一，而不是：{value}")
        return s
    if isinstance(value, bool):
        raise UsageError(f"{f}应为数字，而不是：{value}")
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise UsageError(f"{f}应为数字，而不是：{value}") from None
    if not d.is_finite():
        raise UsageError(f"{f}应为数字，而不是：{value}")
    if spec.type == "integer" and d != d.to_integral_value():
        raise UsageError(f"{f}应为整数，而不是：{value}")
    if d < 0:
        raise UsageError(f"{f}不能为负数：{value}")
    if spec.positive and d == 0:
        raise UsageError(f"{f}必须大于0：{value}")
    if spec.minimum is not None and d < Decimal(str(spec.minimum)):
        raise UsageError(f"{f}至少为{fmt(Decimal(str(spec.minimum)))}：{value}")
    if spec.maximum is not None and d > Decimal(str(spec.maximum)):
        raise UsageError(f"{f}不合理（最多{fmt(Decimal(str(spec.maximum)))}）：{value}")
    return int(d) if spec.type == "integer" else d


def _coerce(spec: KindSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    by_name = {i.name: i for i in spec.inputs}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in by_name:
            raise UsageError(
                f"「{spec.name_zh}」（{spec.name}）没有输入项 {name}（可用：{'、'.join(by_name)}）"
            )
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        out[name] = _coerce_one(by_name[name], value)
    start, end = out.get("start_date"), out.get("end_date")
    if start and end and end < start:
        raise UsageError(
            f"离职日期（end_date）{cn_date(end)}早于入职日期（start_date）{cn_date(start)}"
        )
    if sum(bool(out.get(k)) for k in ("open_ended", "task_based")) > 1:
        raise UsageError(
            "无固定期限（open_ended）和以完成一定工作任务为期限（task_based）不能同时为是"
        )
    if end and out.get("still_employed"):
        raise UsageError("已给出劳动关系终止日期（end_date），仍在职（still_employed）不能为是")
    if "contract_months" in out and "contract_years" in out:
        raise UsageError("合同期限请只给出 contract_months 或 contract_years 中的一个")
    return out


def _echo(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


# ---------------------------------------------------------------- the entry point

_RULES: dict[str, Callable[[Run], Outcome]] = {
    "severance": calc_pay.severance,
    "unlawful_termination": calc_pay.unlawful_termination,
    "notice_pay": calc_pay.notice_pay,
    "no_contract_double_wage": calc_pay.no_contract_double_wage,
    "overtime_pay": calc_time.overtime_pay,
    "probation_limit": calc_time.probation_limit,
    "maternity_leave": calc_leave.maternity_leave,
    "arbitration_deadline": calc_time.arbitration_deadline,
    "annual_leave": calc_leave.annual_leave,
}


def calculate(
    kind: str,
    inputs: Mapping[str, Any],
    cite: Cite,
    *,
    lang: str = "zh",
    today: date | None = None,
) -> Calculation:
    """Compute one kind from ``inputs`` (typed values or CLI strings), citing through ``cite``.

    ``cite(law, article)`` returns the article quoted verbatim from the index (any ``n``), or
    None when it is not indexed; ``law`` is a key of ``LAWS`` and ``article`` a label such as
    ``第四十七条``. ``today`` is used when a date is open (severance without ``end_date``; the
    days left before an arbitration deadline, where None means the real today).

    Raises ``UsageError`` (message in Chinese, naming the field) for an unknown kind, an
    unknown input or an invalid value. Missing inputs are not errors: see ``missing``.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise UsageError(f"未知的计算类型：{kind}（可用：{'、'.join(KINDS)}）")
    if lang not in ("zh", "en"):
        raise UsageError(f"语言（lang）应为 zh 或 en，而不是：{lang}")
    values = _coerce(spec, inputs)
    run = Run(cite_fn=cite, lang=lang, today=today, v=values)
    echo = {k: _echo(x) for k, x in values.items()}
    for law, article in spec.needs:
        run.need(law, article)
    if run.absent:
        return Calculation(kind=kind, inputs=echo, notices=run.absent_notices())
    outcome = _RULES[kind](run)
    if run.absent:  # an article needed only for these inputs is not indexed
        return Calculation(kind=kind, inputs=echo, notices=run.absent_notices())
    if run.missing:
        names = ("、" if lang == "zh" else ", ").join(_labels(spec, run.missing, lang))
        run.note(f"还需要：{names}。", f"Still needed: {names}.")
        groups = [g for g in spec.one_of if set(g) & set(run.missing)]
        if groups:
            alts = " / ".join("+".join(g) for g in spec.one_of)
            run.note(f"可以给出其中一组：{alts}。", f"Any one of these sets will do: {alts}.")
    result = None
    if outcome is not None and not run.missing:
        value, unit, text = outcome
        result = CalcResult(value=value, unit=unit, text=text)
    citations = [c.model_copy(update={"n": i}) for i, c in enumerate(run.citations, 1)]
    return Calculation(
        kind=kind,
        inputs=echo,
        missing=run.missing,
        result=result,
        steps=run.steps,
        citations=citations,
        notices=run.notices,
    )


def _labels(spec: KindSpec, names: list[str], lang: str) -> list[str]:
    by_name = {i.name: i for i in spec.inputs}
    if lang == "en":
        return [f"{by_name[n].label_en} ({n})" for n in names]
    return [f"{by_name[n].label_zh}（{n}）" for n in names]
