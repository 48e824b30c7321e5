"""The values of the calculators: the CONTRACT's Calculation and the specs of each kind's inputs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..types import Citation

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
