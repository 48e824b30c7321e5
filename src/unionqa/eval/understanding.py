"""Scores of the issue map and the answer's point: did the question reach its labour situation,
did an off-topic one reach none, and does the 要点 (the answer's first paragraph) hold a key fact."""

from __future__ import annotations

from ..types import Answer
from .metrics import EvalItem, Scores, fact_present


def point(answer: Answer) -> str:
    """The answer's first paragraph: its 要点 (after an urgent notice, if any)."""
    paras = [p for p in answer.answer.split("\n\n") if p.strip()]
    if paras and paras[0].startswith(("紧急：", "Urgent: ")):
        paras = paras[1:]
    return paras[0] if paras else ""


def understanding_scores(item: EvalItem, answer: Answer) -> Scores:
    out: Scores = {}
    got = [s.id for s in answer.situations]
    if item.gold_situation is not None:
        if item.gold_situation:
            out["situation@1"] = float(bool(got) and got[0] in item.gold_situation)
            out["situation@3"] = float(bool(set(got[:3]) & set(item.gold_situation)))
        else:
            out["offtopic_unmatched"] = float(not got)
    if item.answerable and not answer.refused and item.key_facts:
        lead = point(answer)
        out["point_key_fact"] = float(any(fact_present(f, lead) for f in item.key_facts))
    return out
