"""Regression gates: which metrics may not drop (or rise) by more than a tolerance against a
baseline snapshot (``eval/baseline.json``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .metrics import CONTEXT_BUDGETS, QUOTE_K


@dataclass(frozen=True)
class Gate:
    metric: str
    better: Literal["higher", "lower"]
    tolerance: float  # absolute


GATES: tuple[Gate, ...] = (
    Gate("hit@1", "higher", 0.03),
    Gate("hit@5", "higher", 0.03),
    Gate("mrr", "higher", 0.03),
    Gate(f"quote_recall@{QUOTE_K}", "higher", 0.03),
    Gate(f"evidence_recall@{QUOTE_K}", "higher", 0.03),
    *(Gate(name, "higher", 0.03) for name in CONTEXT_BUDGETS),
    Gate("key_fact_recall", "higher", 0.03),
    Gate("cites_gold_doc", "higher", 0.03),
    Gate("cites_gold_quote", "higher", 0.03),
    Gate("citation_validity", "higher", 0.0),  # an invariant: every quote verbatim
    Gate("wrong_refusal_rate", "lower", 0.03),
    Gate("refusal_rate", "higher", 0.05),  # one of ~20 unanswerable items is 0.05
    Gate("invented_figure_rate", "lower", 0.03),
)


@dataclass(frozen=True)
class GateFailure:
    metric: str
    previous: float
    current: float | None
    tolerance: float

    def __str__(self) -> str:
        if self.current is None:
            return f"{self.metric}: not measured in this run (baseline {self.previous:.3f})"
        return (
            f"{self.metric}: {self.current:.3f} vs baseline {self.previous:.3f} "
            f"(allowed change {self.tolerance:.2f})"
        )


def compare_metrics(
    current: Mapping[str, Any], previous: Mapping[str, Any], gates: Sequence[Gate] = GATES
) -> list[GateFailure]:
    """Gated metrics that got worse than ``previous`` by more than their tolerance.
    A metric the previous run did not measure is not gated; one it did but this run did
    not is a failure."""
    failures = []
    for g in gates:
        before = previous.get(g.metric)
        if not isinstance(before, int | float):
            continue
        now = current.get(g.metric)
        if not isinstance(now, int | float):
            failures.append(GateFailure(g.metric, float(before), None, g.tolerance))
            continue
        drop = (before - now) if g.better == "higher" else (now - before)
        if drop > g.tolerance + 1e-9:
            failures.append(GateFailure(g.metric, float(before), float(now), g.tolerance))
    return failures


@dataclass(frozen=True)
class FloorFailure:
    """An absolute floor (``min``/``max``) or a margin over the naive RAG (``over_baseline``)
    that this run misses."""

    metric: str
    rule: str
    bound: float
    current: float | None

    def __str__(self) -> str:
        now = "not measured" if self.current is None else f"{self.current:.3f}"
        return f"{self.metric}: {now}, floor {self.rule} {self.bound:.3f}"


def check_floors(
    current: Mapping[str, Any],
    floors: Mapping[str, Mapping[str, float]],
    naive: Mapping[str, Any] | None = None,
) -> list[FloorFailure]:
    """``floors``: metric → {"min": x} | {"max": x} | {"over_baseline": margin}."""
    out = []
    for metric, rules in floors.items():
        now = current.get(metric)
        value = float(now) if isinstance(now, int | float) else None
        for rule, bound in rules.items():
            if rule == "over_baseline":
                theirs = (naive or {}).get(metric)
                if not isinstance(theirs, int | float):
                    continue  # the naive RAG was not run
                limit, ok = (
                    float(theirs) + bound,
                    value is not None and value >= float(theirs) + bound - 1e-9,
                )
            elif rule == "min":
                limit, ok = bound, value is not None and value >= bound - 1e-9
            elif rule == "max":
                limit, ok = bound, value is not None and value <= bound + 1e-9
            else:
                raise ValueError(f"unknown floor rule {rule!r} for {metric}")
            if not ok:
                out.append(FloorFailure(metric, rule, limit, value))
    return out
