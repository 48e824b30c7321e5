"""Evidence selection: from retrieved chunks to the verbatim sentences an answer rests on.

Sentences are scored for relevance to the question (idf-weighted term overlap, the chunk's
retrieval rank, an exact article match, and figures when the question asks for an amount or a
duration) and picked greedily for covering the parts of the question, deduplicated by span.
Every ``Evidence`` span is a slice of the document text: ``quote == text[start:end]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .chunking import sentence_spans
from .keyword import KeywordIndex, tokenize
from .types import Hit, parse_date

MAX_SENTENCES = 4
MAX_QUOTE_CHARS = 700
_LIST_ITEM = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+是|[-*•]\s|\d+[.、])")
_MARKUP = re.compile(r"^(?:[-*•]\s+|#+\s+)")
_HAS_FIGURE = re.compile(r"\d|[一二两三四五六七八九十百千万]+(?:个月|日|天|年|倍|元|周|小时|岁)")
AMOUNT_Q = re.compile(r"多少|几|标准|金额|多久|多长|期限|补助|补贴|领|拿|赔|工资|how much|how many|how long|amount|subsid", re.I)
QUESTION_WORDS = re.compile(
    r"请问|我想问一下|我想问|想问|在什么情况下|什么情况下|什么时候|为什么|怎么办|怎么样|怎么|怎样|如何|哪些|哪里|哪儿|是否|能否|能不能|可不可以|可以吗|有没有|是不是|什么|多少|吗|呢|吧|啊"
)


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    source: str
    title: str
    locator: str
    start: int
    end: int
    quote: str
    valid_until: date | None
    kind: str
    rank: int  # rank of the hit it came from (0 = best)
    score: float


def question_terms(question: str, history: list[str], kw: KeywordIndex) -> dict[str, float]:
    """Content terms with weights: idf, halved for terms only in the history."""
    terms: dict[str, float] = {}
    for text, w in [(h, 0.5) for h in history[-2:]] + [(question, 1.0)]:
        for t in tokenize(QUESTION_WORDS.sub(" ", text)):
            terms[t] = max(terms.get(t, 0.0), w * kw.idf(t))
    return terms


def coverage(terms: dict[str, float], text: str) -> float:
    total = sum(terms.values())
    if not total:
        return 0.0
    flat = re.sub(r"\s+", "", text).lower()
    return sum(w for t, w in terms.items() if t in flat) / total


def _spans(hit: Hit) -> list[tuple[int, int]]:
    """Sentence spans of a hit, in document offsets, with list/heading markup trimmed."""
    out = []
    for s, e in sentence_spans(hit.text):
        m = _MARKUP.match(hit.text, s, e)
        if m:
            s = m.end()
        if e - s >= 4:
            out.append((hit.start + s, hit.start + e))
    return out


def _extend_list(hit: Hit, spans: list[tuple[int, int]], i: int) -> tuple[int, int]:
    """A sentence that opens a list ("…之一的，…:") takes its items along."""
    s, e = spans[i]
    rel = hit.text[e - hit.start - 1 : e - hit.start]
    if rel not in (":", "："):
        return s, e
    for ns, ne in spans[i + 1 :]:
        if not _LIST_ITEM.match(hit.text[ns - hit.start : ne - hit.start]) or ne - s > MAX_QUOTE_CHARS:
            break
        e = ne
    return s, e


def select(hits: list[Hit], doc_text: dict[str, str], question: str, history: list[str], kw: KeywordIndex) -> tuple[list[Evidence], float]:
    """The evidence to quote, best first, and how much of the question it covers (0..1)."""
    if not hits:
        return [], 0.0
    terms = question_terms(question, history, kw)
    total = sum(terms.values()) or 1.0
    wants_figure = bool(AMOUNT_Q.search(question))
    top_score = max(h.score for h in hits) or 1.0
    cands: list[tuple[float, set[str], Evidence]] = []
    for rank, hit in enumerate(hits):
        text = doc_text[hit.doc_id]
        spans = _spans(hit)
        whole_article = bool(hit.metadata.get("article_match"))
        if whole_article:
            spans = [(hit.start, hit.end)]
        for i in range(len(spans)):
            s, e = spans[i] if whole_article else _extend_list(hit, spans, i)
            quote = text[s:e]
            flat = re.sub(r"\s+", "", quote).lower()
            covered = {t for t in terms if t in flat}
            lex = sum(terms[t] for t in covered) / total
            base = 0.5 * lex + 0.35 * (hit.score / top_score) + (0.3 if whole_article else 0.0)
            if wants_figure and _HAS_FIGURE.search(quote):
                base += 0.2
            cands.append((base, covered, _evidence(hit, s, e, quote, rank, base)))
    if not cands:
        return [], 0.0
    cands.sort(key=lambda c: -c[0])
    chosen: list[Evidence] = []
    covered_all: set[str] = set()
    first = cands[0][0]
    used_chars = 0
    while cands and len(chosen) < MAX_SENTENCES:
        best_i, best_gain = -1, 0.0
        for i, (base, cov, ev) in enumerate(cands):
            if any(_overlaps(ev, c) for c in chosen):
                continue
            new = sum(terms[t] for t in cov - covered_all) / total
            gain = base if not chosen else 0.5 * base + 0.5 * new
            if gain > best_gain:
                best_i, best_gain = i, gain
        if best_i < 0 or (chosen and best_gain < 0.45 * first):
            break
        _, cov, ev = cands.pop(best_i)
        if chosen and used_chars + len(ev.quote) > MAX_QUOTE_CHARS:
            break
        chosen.append(ev)
        covered_all |= cov
        used_chars += len(ev.quote)
    return chosen, sum(terms[t] for t in covered_all) / total


def _evidence(hit: Hit, s: int, e: int, quote: str, rank: int, score: float) -> Evidence:
    return Evidence(
        doc_id=hit.doc_id, source=hit.source, title=hit.title, locator=hit.locator, start=s, end=e,
        quote=quote, valid_until=parse_date(hit.metadata.get("valid_until")),
        kind=str(hit.metadata.get("kind", "")), rank=rank, score=round(score, 4),
    )


def _overlaps(a: Evidence, b: Evidence) -> bool:
    return a.doc_id == b.doc_id and a.start < b.end and b.start < a.end or a.quote == b.quote
