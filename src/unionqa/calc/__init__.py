"""Deterministic labour-rights calculators (经济补偿, 二倍工资, 加班费, 产假, 仲裁时效 …): typed inputs,
steps that name the article they apply, verbatim citations through the caller's ``cite``."""

from .kinds import KINDS, CalcResult, Calculation, InputSpec, KindSpec, calculate
from .parse import parse_inputs
from .run import LAWS

__all__ = [
    "KINDS",
    "LAWS",
    "CalcResult",
    "Calculation",
    "InputSpec",
    "KindSpec",
    "calculate",
    "parse_inputs",
]
