"""The refusal gate: does what was found address the question? A short question must have most of
its (idf-weighted) terms covered by the top passages and its heaviest term among them; a long
narrative ("我在深圳上班三年，老板……") is mostly circumstances no document mentions, so it needs
enough covered weight, not a covered share. An exact article match always passes.

A question that describes a labour situation of the issue map is answered when the quotes rest on
that situation's governing article and the best passage is close enough in meaning: its
colloquial words (老板, 厂里, 三个月) need not occur in any statute. The outcome is ``answered``,
``partial`` (on topic, but the figure asked for is stated nowhere: the answer says so and quotes
the governing rule) or ``none``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..privacy import without_placeholders
from ..search.issue_map import Match
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
    outcome: str = "none"  # answered | partial | none


_YEAR = re.compile(r"\d{4}年|今年|明年|去年|this year|next year")


def specific_missing(question: str, terms: Terms, text: str) -> bool:
    """Does the question name a place, a person, an organisation or a year that ``text`` lacks?"""
    import jieba.posseg as pseg

    year = _YEAR.search(question)
    if year and year.group() not in text:
        return True
    missing = set(terms.weights) - terms.covered(text)
    for t in missing:
        tag = pseg.dt.word_tag_tab.get(t)
        if tag in ("ns", "nr", "nt") or _YEAR.search(t):
            return True
    return False


def governed(e: Evidence, hits: list[Hit]) -> bool:
    """Does the quote come from a matched situation's governing article (or passage)?"""
    return e.governs or any(
        h.metadata.get("situation") and h.doc_id == e.doc_id and h.start <= e.start < h.end
        for h in hits
    )


def unsourced(matches: Sequence[Match] | None, hits: list[Hit], sure: float) -> bool:
    """Is the best situation certain and none of its news passages among the hits?"""
    if not matches or matches[0].score < sure:
        return False
    phrases = [r.contains for r in matches[0].situation.articles if r.contains]
    return not any(p in h.text for p in phrases for h in hits)


def judge(
    question: str,
    lang: str,
    hits: list[Hit],
    evidence: list[Evidence],
    terms: Terms,
    cfg: AnswerSettings,
    floors: tuple[float, float],
    matches: Sequence[Match] | None = None,
    unmatched_floor: float | None = None,
) -> Gate:
    """``floors``: the embedding's calibrated (Chinese, English) similarity floors;
    ``matches``: the labour situations the question matched, best first (None: no issue map)."""
    situated = None if matches is None else bool(matches)
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
    if situated is False and lang != "en" and unmatched_floor is not None:
        # a Chinese question that describes no labour situation must be closer in meaning to be
        # answered from its words alone (off-topic ones share words: 利率, 户口)
        similar = similar and top_similarity >= unmatched_floor
    if question_length(question) > cfg.long_question:
        addressed = covered_weight >= cfg.min_covered_weight
    else:
        addressed = coverage >= cfg.min_coverage and missing <= cfg.max_missing_share
    article = any(h.metadata.get("article_match") for h in hits)
    by_situation = bool(situated) and similar and any(governed(e, hits) for e in evidence)
    supported = bool(evidence) and (article or similar and addressed or by_situation)
    # a question that asks for a figure is answered only by a quote that states one of its
    # kind and names something the question asks about (in the quote or its section heading;
    # a governing article of the question's situation is about it by construction)
    wants = answer_type.expected(without_placeholders(question))
    stated = (
        any(
            answer_type.states(wants, e.quote)
            and (terms.covered(e.quote + e.section) or governed(e, hits))
            for e in evidence
        )
        if wants
        else True
    )
    # a figure for a place, a person or a year the documents never name (深圳's minimum wage,
    # 2026's contribution base) is not stated by the national rule that governs it
    # (in a short question: a narrative names its city and year as circumstances)
    short = question_length(question) <= cfg.long_question
    if supported and wants and short and not article and specific_missing(question, terms, top):
        stated = False
    if supported and not stated:
        return Gate(coverage, missing, top_similarity, False, wants, "partial")
    # the situation is known but none of the rules that govern it is in the index (年休假条例 in
    # a deployment of the statutes only; an indexed one would be among the hits): another
    # statute's article found by its words is related, not the answer (a news item or notice
    # that addresses the question still answers it)
    ungoverned = bool(matches) and not any(h.metadata.get("situation") for h in hits)
    if supported and ungoverned and not article and evidence[0].kind == "law":
        return Gate(coverage, missing, top_similarity, False, None, "partial")
    # a question surely about a situation none of whose rules (statute or news passage) was found:
    # what its words found elsewhere is about something else (失业金 asked, 扩岗补助 found)
    if supported and ungoverned and not article and unsourced(matches, hits, cfg.sure_situation):
        return Gate(coverage, missing, top_similarity, False, None, "none")
    return Gate(
        coverage, missing, top_similarity, supported, None, "answered" if supported else "none"
    )
