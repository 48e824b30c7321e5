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
