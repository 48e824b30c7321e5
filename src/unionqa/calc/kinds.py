"""Deterministic labour-rights calculators: severance, double wages, overtime, leave, deadlines.

Design
------
* One rule function per kind (``pay.severance``, ``periods.overtime_pay`` ...); ``KINDS``
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

Files: ``kinds`` (this module: the Calculation shape, ``KINDS``, input checking and
``calculate``), ``run`` (the ``Run`` that collects steps and citations; law names and
date helpers), ``pay`` (severance, damages, notice pay, double wages), ``periods``
(overtime, probation, arbitration deadline), ``leave`` (maternity and annual leave), and
``parse``: questions in words (干了4年8个月，月薪八千) turned into inputs by
``parse_inputs``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import UsageError
from ..types import CalcResult, Calculation
from . import contract, leave, pay, periods
from .models import InputSpec, KindSpec
from .run import (
    LAWS,
    Cite,
    Outcome,
    Run,
    cn_date,
    fmt,
)
from .specs import KINDS

__all__ = ["KINDS", "LAWS", "CalcResult", "Calculation", "InputSpec", "KindSpec", "calculate"]

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
    "severance": pay.severance,
    "unlawful_termination": pay.unlawful_termination,
    "notice_pay": pay.notice_pay,
    "no_contract_double_wage": contract.no_contract_double_wage,
    "overtime_pay": periods.overtime_pay,
    "probation_limit": periods.probation_limit,
    "maternity_leave": leave.maternity_leave,
    "arbitration_deadline": periods.arbitration_deadline,
    "annual_leave": leave.annual_leave,
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
