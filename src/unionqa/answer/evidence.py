"""Evidence selection: from retrieved chunks to the verbatim sentences an answer rests on.

Sentences are scored for relevance to the question (idf-weighted term overlap, the chunk's
retrieval rank, an exact article match, and figures when the question asks for an amount or a
duration) and picked greedily for covering the parts of the question, deduplicated by span.
Every ``Evidence`` span is a slice of the document text: ``quote == text[start:end]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from ..ingest.locate import locate_in_chunk
from ..search.issue_map import Match
from ..search.keyword import KeywordIndex
from ..text import answer_type, glossary
from ..text.questions import QUESTION_WORDS, chat_tokens, names_a_thing
from ..text.sentences import sentence_spans
from ..text.tokens import EN_STOP_WORDS, general_rarity, tokenize
from ..types import Hit, parse_date

MAX_SENTENCES = 4
MAX_QUOTE_CHARS = 700
ARTICLE_QUOTE_MAX = 300
FOLLOW_SHARE = 0.2  # a further quote must score at least this share of the first
_LIST_ITEM = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+是|[-*•]\s|\d+[.、])"
)
_MARKUP = re.compile(r"^(?:[-*•]\s+|#+\s+)")
# A soft cue, wider than answer_type: a question about subsidies, pay or compensation
# ("能领什么补助?") is better answered by the sentence with the figures, but does not demand one
# (answer_type's kinds refuse when no quote states the figure, so they must stay narrow).
_HAS_FIGURE = re.compile(r"\d|[一二两三四五六七八九十百千万]+(?:个月|日|天|年|倍|元|周|小时|岁)")
AMOUNT_Q = re.compile(
    r"多少|几|标准|金额|多久|多长|期限|补助|补贴|领|拿|赔|工资|how much|how many|how long|amount|subsid",
    re.I,
)


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    source: str
    title: str
    locator: str
    section: str
    start: int
    end: int
    quote: str
    valid_until: date | None
    kind: str
    rank: int  # rank of the hit it came from (0 = best)
    score: float
    governs: bool = False  # holds a governing passage of a news item or notice (``phrases``)


@dataclass(frozen=True)
class Terms:
    """A question's content terms: weight (idf; halved for terms only in the history) and the
    words documents use for each (glossary.py). A term is covered when any of them occurs."""

    weights: dict[str, float]
    alternatives: dict[str, tuple[str, ...]]
    focus: frozenset[str] = frozenset()  # a follow-up's own terms ("那国有企业呢？" → 国有企业)
    # terms that name things (nouns, set phrases, words jieba does not know): a topic the
    # documents lack is named by one of these (产假, 公积金); a verb is paraphrased freely
    # (截止 → 执行至, 录用 → 决定)
    nominal: frozenset[str] | None = None

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    def covered(self, text: str) -> set[str]:
        flat = re.sub(r"\s+", "", text).lower()
        return {t for t, alts in self.alternatives.items() if any(a in flat for a in alts)}

    def coverage(self, text: str) -> float:
        return sum(self.weights[t] for t in self.covered(text)) / (self.total or 1.0)

    def missing_share(self, text: str) -> float:
        """The weight share of the heaviest naming term that ``text`` does not cover."""
        missing = set(self.weights) - self.covered(text)
        if self.nominal is not None:
            missing &= self.nominal
        return max((self.weights[t] for t in missing), default=0.0) / (self.total or 1.0)


_TITLE = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:of|and|for|on|\'s)?\s*[A-Z][a-z]+)+")


def _title_case_words(text: str) -> set[str]:
    """Lower-cased words of runs of two or more capitalised words in ``text``."""
    return {w.lower() for m in _TITLE.finditer(text) for w in re.findall(r"[A-Za-z]+", m.group())}


def question_terms(question: str, history: list[str], kw: KeywordIndex) -> Terms:
    weights: dict[str, float] = {}
    alternatives: dict[str, tuple[str, ...]] = {}
    own: set[str] = set()
    for text, w in [(h, 0.5) for h in history[-2:]] + [(question, 1.0)]:
        text = QUESTION_WORDS.sub(" ", text)
        tokens = tokenize(text)
        chat = chat_tokens(text, tokens)
        for t in tokens:
            if t in chat:
                continue
            if t.isascii() and not t.isdigit():
                # an English word can only be checked against Chinese text through the glossary;
                # a capitalised one (a place, a name) must occur as it is, unless it is part of
                # a title in Title Case ("the World Conference of Women Workers"), which Chinese
                # documents give in translation
                proper = re.search(
                    rf"(?<![.?!]\s)(?<!^)\b{re.escape(t.capitalize())}\b", text
                ) is not None and t not in _title_case_words(text)
                if t in EN_STOP_WORDS or len(t) < 2 or not (glossary.ENGLISH.get(t) or proper):
                    continue
            if len(t) == 1 and t not in glossary.COLLOQUIAL:  # 钱, 想, 谁: too vague to weigh
                continue
            alts = glossary.equivalents(t)
            known = [kw.idf(a) for a in alts if kw.known(a)]
            # a word no document uses is either the topic the documents lack (产假, 年终奖) or
            # chat (电话, 感觉): general-Chinese rarity tells them apart
            weight = w * (min(known) if known else kw.idf(t) * general_rarity(t))
            weights[t] = max(weights.get(t, 0.0), weight)
            alternatives[t] = alts
            if w == 1.0:
                own.add(t)
    # jieba's search mode also yields the parts of a compound (劳动, 合同, 劳动合同): keep the
    # compound only, so one concept is not counted three times
    for t in [t for t in weights if any(t != o and t in o for o in weights)]:
        weights.pop(t)
        alternatives.pop(t)
    return Terms(
        weights,
        alternatives,
        frozenset(own & set(weights)) if history else frozenset(),
        frozenset(t for t in weights if names_a_thing(t)),
    )


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
        if (
            not _LIST_ITEM.match(hit.text[ns - hit.start : ne - hit.start])
            or ne - s > MAX_QUOTE_CHARS
        ):
            break
        e = ne
    return s, e


def select(
    hits: list[Hit],
    doc_text: dict[str, str],
    question: str,
    terms: Terms,
    phrases: Sequence[str] = (),
    governing: int | None = None,
) -> tuple[list[Evidence], float]:
    """The evidence to quote, best first, and how much of the question it covers (0..1).
    ``phrases``: the best situation's governing passages of news items and notices, by a verbatim
    phrase (``{title, contains}`` in the map); the sentence that holds one is a governing one."""
    if not hits:
        return [], 0.0
    weights, total = terms.weights, terms.total or 1.0
    wants_figure = bool(AMOUNT_Q.search(question))
    wants = answer_type.expected(question)
    cands: list[tuple[float, set[str], Evidence]] = []
    stating: list[Evidence] = []  # sentences of the governing articles stating the asked kind
    statute = any(h.metadata.get("governs_best") for h in hits)
    qgrams = _bigrams(glossary.expand(QUESTION_WORDS.sub(" ", question)))
    for rank, hit in enumerate(hits):
        text = doc_text[hit.doc_id]
        spans = _spans(hit)
        whole_article = bool(hit.metadata.get("article_match"))
        if whole_article:
            spans = [(hit.start, hit.end)]
        elif (
            hit.metadata.get("article")
            and len(spans) > 1
            and hit.end - hit.start <= ARTICLE_QUOTE_MAX
        ):
            spans = [*spans, (hit.start, hit.end)]  # a short article may be quoted whole
        after_question = 0
        for i in range(len(spans)):
            s, e = spans[i] if whole_article else _extend_list(hit, spans, i)
            quote = text[s:e]
            covered = terms.covered(quote)
            lex = sum(weights[t] for t in covered) / total
            # the retrieval rank is the best single signal of where the answer is
            base = 0.5 * lex + 0.5 / (1 + rank) + (0.3 if whole_article else 0.0)
            # the asked point in the question's own characters (怀孕7个月 ↔ 怀孕7个月以上的女职工)
            base += CHAR_WEIGHT * _char_overlap(qgrams, quote)
            # the point first: a sentence of the rule that governs the best matched situation
            base += _governing_bonus(hit)
            # a governing passage of a news item: no retrieval boost put it near the top, so
            # the one that answers the asked point (or the situation's first) leads by itself,
            # unless a statute's article governs the situation here
            at = next((i for i, p in enumerate(phrases) if p in quote), None)
            if at is not None:
                base += GOVERNING_BONUS[0] + (PHRASE_LEAD if at == 0 and not statute else 0.0)
            if terms.focus and covered & terms.focus:  # a follow-up is about its own words
                base += 0.3
            if wants_figure and _HAS_FIGURE.search(quote):
                base += 0.1
            if wants and answer_type.states(wants, quote):
                base += 0.15
            # a question in the document is not an answer, but the sentences after it may be
            if quote.rstrip().endswith(("?", "？")):
                base *= 0.4
                after_question = 2
            elif after_question:
                base += 0.1
                after_question -= 1
            found = _evidence(hit, s, e, quote, rank, base)
            if hit.metadata.get("governs_best") and wants and answer_type.states(wants, quote):
                stating.append(found)
            if at is not None and (governing is None or at < governing):
                found = replace(found, governs=True)
            cands.append((base, covered, found))
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
            # a quote from another document must share a naming term with the question itself,
            # not merely a figure of the asked kind (高温津贴 300元 beside 扩岗补助 1500元)
            # (statutes cite each other's rules: an article of a second law stays)
            if (
                chosen
                and ev.doc_id != chosen[0].doc_id
                and "law" not in (ev.kind, chosen[0].kind)
                and not _names_shared(cov, terms)
            ):
                continue
            new = sum(weights[t] for t in cov - covered_all) / total
            gain = base if not chosen else 0.5 * base + 0.5 * new
            if gain > best_gain:
                best_i, best_gain = i, gain
        if best_i < 0 or (
            chosen and (best_gain < FOLLOW_SHARE * first or cands[best_i][0] < FOLLOW_SHARE * first)
        ):
            break
        _, cov, ev = cands.pop(best_i)
        if chosen and used_chars + len(ev.quote) > MAX_QUOTE_CHARS:
            break
        chosen.append(ev)
        covered_all |= cov
        used_chars += len(ev.quote)
    # a figure question keeps its governing article's sentence that states a figure of its
    # kind (产假几天 beside 工资照发吗: 98天 stays when 第八条 leads)
    if wants and chosen and not any(answer_type.states(wants, e.quote) for e in chosen):
        extra = max(
            (e for e in stating if not any(_overlaps(e, c) for c in chosen)),
            key=lambda e: e.score,
            default=None,
        )
        if extra is not None:
            chosen = [*chosen[: MAX_SENTENCES - 1], extra]
            covered_all |= terms.covered(extra.quote)
    return chosen, sum(weights[t] for t in covered_all) / total


CHAR_WEIGHT = 0.3  # chosen on eval/dev_workers.jsonl (0.3 and 0.6 tried)
_CJK = re.compile(r"[\u4e00-\u9fff0-9]+")


def _bigrams(text: str) -> set[str]:
    return {run[i : i + 2] for run in _CJK.findall(text) for i in range(len(run) - 1)}


def _char_overlap(qgrams: set[str], quote: str) -> float:
    """The share of the question's character bigrams (with glossary wording) in the quote."""
    return len(qgrams & _bigrams(quote)) / len(qgrams) if qgrams else 0.0


def _names_shared(covered: set[str], terms: Terms) -> bool:
    """Does the quote name the question's topic: its heaviest naming term (防暑降温, not 钱)?"""
    own = terms.focus or set(terms.weights)
    names = [t for t in own if terms.nominal is None or t in terms.nominal]
    if not names:
        return True
    # ties go to the longer, more specific term (人脸 before 钱), never to set order
    topic = max(names, key=lambda t: (terms.weights.get(t, 0.0), len(t), t))
    return topic in covered


# chosen on the development questions (eval/dev_workers.jsonl; 0.15, 0.2 and 0.25 tried): a
# sentence of the best situation's governing articles outranks the retrieval order, a second
# situation's counts less
GOVERNING_BONUS = (0.2, 0.2, 0.05)
# the article (or news passage) of the asked point, and a news item's first governing passage,
# lead outright: 0.1-0.6 tried on eval/dev_workers.jsonl and real_questions (要点 0.804 -> 0.816
# and 0.800 -> 0.800 from 0.4 on), the news one on eval/dev_questions.jsonl (0.3-0.5)
PHRASE_LEAD = 0.4
ASKED_LEAD = 0.4


def passage_phrases(matches: Sequence[Match], question: str = "") -> list[str]:
    """The best situation's governing passages of news items and notices, by their verbatim
    phrase: those of the asked point, then the situation's first (the statutes' articles come
    marked on their hits by the retriever). A passage for another point governs nothing here."""
    if not matches:
        return []
    s = matches[0].situation
    first = [r for r in s.articles if r.contains][:1]
    return list(dict.fromkeys(r.contains for r in [*s.asked(question), *first] if r.contains))


def asked_phrases(matches: Sequence[Match], question: str) -> int:
    """How many of ``passage_phrases`` answer the asked point: only those let a news passage
    carry the answer past the wording gate (its first passage alone may just share the topic)."""
    return len([r for r in matches[0].situation.asked(question) if r.contains]) if matches else 0


def _governing_bonus(hit: Hit) -> float:
    position = hit.metadata.get("situation_article")
    if position is None:
        return 0.0
    if not hit.metadata.get("governs_best"):
        return GOVERNING_BONUS[2]
    if hit.metadata.get("situation_asked"):  # the article of the asked point leads
        return GOVERNING_BONUS[0] + ASKED_LEAD
    return GOVERNING_BONUS[0] if position == 0 else GOVERNING_BONUS[1]


def _evidence(hit: Hit, s: int, e: int, quote: str, rank: int, score: float) -> Evidence:
    return Evidence(
        doc_id=hit.doc_id,
        source=hit.source,
        title=hit.title,
        locator=locate_in_chunk(hit.text, hit.start, s, e, hit.locator),
        section=str(hit.metadata.get("section", "")),
        start=s,
        end=e,
        quote=quote,
        valid_until=parse_date(hit.metadata.get("valid_until")),
        kind=str(hit.metadata.get("kind", "")),
        rank=rank,
        score=round(score, 4),
    )


def _overlaps(a: Evidence, b: Evidence) -> bool:
    return a.doc_id == b.doc_id and a.start < b.end and b.start < a.end or a.quote == b.quote
