"""The calculators' routes: ``GET /v1/calculate`` lists the kinds and their inputs, ``POST
/v1/calculate`` computes one (CONTRACT.md's Calculation). Same keys, quota, pool and deadline as
every /v1 route; a bad value is 422 ``invalid_request`` naming the field, never echoing it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..calc import KINDS
from ..errors import UsageError
from ..service import QAService
from ..types import Calculation
from .access import ApiError
from .routes import ERRORS, ServiceDep, WorkDep, api_caller

# --- bodies (in the OpenAPI with Chinese examples) ---------------------------------------------

InputValue = Annotated[str, StringConstraints(max_length=100)] | int | float | bool | None
if TYPE_CHECKING:
    KindName = str
else:
    KindName = Literal[tuple(KINDS)]  # the kinds, in the OpenAPI as an enum


class CalculateRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "severance",
                    "inputs": {"years": 3, "months": 7, "monthly_wage": 6500},
                    "lang": "zh",
                },
                {
                    "kind": "no_contract_double_wage",
                    "inputs": {"months_without_contract": 7, "monthly_wage": 5000},
                },
                {
                    "kind": "arbitration_deadline",
                    "inputs": {"end_date": "2025-03-31"},
                },
            ]
        },
    )

    kind: KindName = Field(description="计算类型，见 GET /v1/calculate")
    inputs: dict[str, InputValue] = Field(
        default_factory=dict,
        max_length=20,
        description="输入项：名称 → 值（日期用 YYYY-MM-DD，金额单位为元，是/否用 true/false）",
    )
    lang: Literal["zh", "en"] = Field(default="zh", description="步骤和说明的语言")


class CalcInputOut(BaseModel):
    name: str = Field(examples=["monthly_wage"])
    type: Literal["number", "integer", "date", "boolean", "choice"]
    unit: str = Field(examples=["元"])
    required: bool
    choices: list[str] = Field(description="type 为 choice 时可选的值")
    choices_zh: list[str] = Field(description="每个可选值的中文说明，顺序同 choices")
    label_zh: str = Field(examples=["月工资"])
    label_en: str = Field(examples=["monthly wage"])


class CalcKindOut(BaseModel):
    name: str = Field(examples=["severance"])
    name_zh: str = Field(examples=["经济补偿"])
    name_en: str = Field(examples=["severance pay"])
    inputs: list[CalcInputOut]
    one_of: list[list[str]] = Field(
        description="可相互替代的输入组，给出其中一组即可（如 start_date+end_date 或 years+months）"
    )


class CalcKindList(BaseModel):
    kinds: list[CalcKindOut]


router = APIRouter(prefix="/v1", dependencies=[Depends(api_caller)], responses=ERRORS)

_INPUT_NAME = re.compile(r"^[a-z_]{1,40}$")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@router.get("/calculate", summary="计算器：计算类型及其输入项", tags=["calculators"])
async def calculator_kinds() -> CalcKindList:
    """每种计算（经济补偿、违法解除赔偿金、加班费、产假、仲裁时效……）的名称和输入项：名称、类型、
    单位、是否必填、可选值。`one_of` 列出可以相互替代的输入组。"""
    return CalcKindList.model_validate({"kinds": QAService.calculator_kinds()})


@router.post("/calculate", summary="计算：金额、天数或期限，逐步引用法条", tags=["calculators"])
async def calculate(body: CalculateRequest, service: ServiceDep, work: WorkDep) -> Calculation:
    """按给出的输入计算，返回 CONTRACT.md 的 Calculation：`result`（数值、单位、说明），每一步都写明
    所依据的条文（`steps`），条文原文在 `citations`。缺少必需的输入时 `result` 为 null，`missing`
    列出缺的项；所需法律未导入时 `result` 为 null，`notices` 说明缺哪部法律。输入值不合理（如负数
    工资、离职早于入职）时返回 422 `invalid_request`，说明是哪一项。"""
    spec = KINDS[body.kind]
    names = [i.name for i in spec.inputs]
    for key in body.inputs:
        if key not in names:
            shown = f" {key}" if _INPUT_NAME.fullmatch(key) else "（名称无法识别）"
            raise ApiError(
                422,
                "invalid_request",
                f"「{spec.name_zh}」（{spec.name}）没有输入项{shown}，可用：{'、'.join(names)}。",
            )
    try:
        result: Calculation = await work(service.calculate, body.kind, body.inputs, lang=body.lang)
    except UsageError as e:  # a bad value: the message names the field, not what was sent
        raise ApiError(422, "invalid_request", _without_values(str(e), body.inputs)) from None
    return result


def _without_values(message: str, inputs: dict[str, Any]) -> str:
    """The calculator's message for the CLI quotes the rejected value (a date as 2024年4月30日);
    the API never echoes input."""
    for value in inputs.values():
        if value is None or str(value) == "":
            continue
        text = str(value)
        message = message.replace(f"，而不是：{text}", "").replace(f"：{text}", "")
        if m := _ISO_DATE.fullmatch(text.strip()):
            message = message.replace(f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", "")
    return message.rstrip("。") + "。"
