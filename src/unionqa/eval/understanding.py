"""Scores of the issue map and the answer's point: did the question reach its labour situation,
did an off-topic one reach none, and does the 要点 (the answer's first paragraph) hold a key fact."""

from __future__ import annotations

import re

from ..types import Answer
from .metrics import EvalItem, Scores, fact_present

_AFTER_POINT = re.compile(
    r"\n\n(?:依据：|Evidence:|计算过程：|How it is worked out:|下一步：|What to do next:)"
)


def point(answer: Answer) -> str:
    """The answer's 要点: everything before its evidence, steps or next steps (after an urgent
    notice, if any). A quoted article that opens a list keeps its items."""
    text = answer.answer
    if text.startswith(("紧急：", "Urgent: ")):
        text = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    return _AFTER_POINT.split(text, 1)[0]


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
