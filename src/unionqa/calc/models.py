"""The values of the calculators: the CONTRACT's Calculation and the specs of each kind's inputs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

InputType = Literal["number", "integer", "date", "boolean", "choice"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class InputSpec(_Frozen):
    name: str
    type: InputType
    label_zh: str
    label_en: str
    unit: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    choices_zh: tuple[str, ...] = ()  # what a worker reads for each choice, in the same order
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
    # what the figure holds on, said before it in the point ("如果属于违法解除，赔偿金为")
    condition_zh: str = ""
    condition_en: str = ""
