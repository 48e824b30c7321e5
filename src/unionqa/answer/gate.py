"""The refusal gate: does what was found address the question? A short question must have most of
its (idf-weighted) terms covered by the top passages and its heaviest term among them; a long
narrative ("我在深圳上班三年，老板……") is mostly circumstances no document mentions, so it needs
enough covered weight, not a covered share. An exact article match always passes."""

from __future__ import annotations

from dataclasses import dataclass

from ..privacy import without_placeholders
from ..settings import AnswerSettings
from ..text import answer_type
from ..text.questions import question_length
from ..types import Hit
from .evidence import Evidence, Terms


@dataclass(frozen=True)
class Gate:
    coverage: float
    missing: float
    top_similarity: float
    supported: bool
    unstated: str | None = None  # the kind of figure asked for that no evidence states


def judge(
    question: str,
    lang: str,
    hits: list[Hit],
    evidence: list[Evidence],
    terms: Terms,
    cfg: AnswerSettings,
    floors: tuple[float, float],
) -> Gate:
    """``floors``: the embedding's calibrated (Chinese, English) similarity floors."""
    top = " ".join(h.text + " " + h.title for h in hits[:3])
    coverage = terms.coverage(top)
    missing = terms.missing_share(top)
    covered_weight = coverage * terms.total
    top_similarity = max(
        (float(h.metadata.get("dense_similarity", 0.0)) for h in hits), default=0.0
    )
    floor_zh, floor_en = floors
    if lang == "en":
        floor = floor_en if cfg.min_similarity_en is None else cfg.min_similarity_en
    else:
        floor = floor_zh if cfg.min_similarity is None else cfg.min_similarity
    similar = top_similarity >= floor
    if question_length(question) > cfg.long_question:
        addressed = covered_weight >= cfg.min_covered_weight
    else:
        addressed = coverage >= cfg.min_coverage and missing <= cfg.max_missing_share
    article = any(h.metadata.get("article_match") for h in hits)
    supported = bool(evidence) and (article or similar and addressed)
    # a question that asks for a figure is answered only by a quote that states one of its
    # kind and names something the question asks about (in the quote or its section heading)
    wants = answer_type.expected(without_placeholders(question))
    if (
        supported
        and wants
        and not any(
            answer_type.states(wants, e.quote) and terms.covered(e.quote + e.section)
            for e in evidence
        )
    ):
        return Gate(coverage, missing, top_similarity, False, wants)
    return Gate(coverage, missing, top_similarity, supported)
