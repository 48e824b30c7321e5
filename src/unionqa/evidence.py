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
from functools import lru_cache

from . import answer_type, glossary
from .chunking import sentence_spans
from .keyword import KeywordIndex, _jieba, tokenize
from .types import Hit, parse_date

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
QUESTION_WORDS = re.compile(
    r"才行|才可以|由谁来|谁来|由谁|能领|能拿|给我|帮我|感觉|自己|一个|多长时间|长时间|多长|多久|几个|几天|从哪|哪出|是从|能要|一直|做到|要先|还能|还要|可不可以|会不会|应不应该|请问|我想问一下|我想问|想问|在什么情况下|什么情况下|什么时候|为什么|怎么办|怎么样|怎么|怎样|如何|哪些|哪里|哪儿|是否|能否|能不能|可不可以|可以吗|有没有|是不是|什么|多少|吗|呢|吧|啊"
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


_EN_STOP = set(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "am",
        "be",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "will",
        "would",
        "i",
        "my",
        "me",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "it",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "about",
        "as",
        "if",
        "or",
        "and",
        "not",
        "no",
        "yes",
        "any",
        "some",
        "there",
        "have",
        "has",
        "had",
        "get",
        "got",
        "much",
        "many",
        "long",
        "still",
    ]
)


@lru_cache(maxsize=1)
def _general_idf() -> tuple[dict[str, float], float]:
    """jieba's idf table from a general Chinese corpus, and its median."""
    import jieba.analyse

    table = jieba.analyse.default_tfidf.idf_freq
    return table, jieba.analyse.default_tfidf.median_idf


# places name a jurisdiction: common words, but decisive for what a policy question asks
PLACES = set(
    [
        "北京",
        "天津",
        "上海",
        "重庆",
        "河北",
        "山西",
        "辽宁",
        "吉林",
        "黑龙江",
        "江苏",
        "浙江",
        "安徽",
        "福建",
        "江西",
        "山东",
        "河南",
        "湖北",
        "湖南",
        "广东",
        "海南",
        "四川",
        "贵州",
        "云南",
        "陕西",
        "甘肃",
        "青海",
        "台湾",
        "内蒙古",
        "广西",
        "西藏",
        "宁夏",
        "新疆",
        "香港",
        "澳门",
        "深圳",
        "广州",
        "杭州",
        "南京",
        "苏州",
        "武汉",
        "成都",
        "西安",
        "郑州",
        "长沙",
        "青岛",
        "厦门",
        "宁波",
        "东莞",
        "佛山",
        "沈阳",
        "大连",
        "哈尔滨",
        "济南",
        "合肥",
        "福州",
        "昆明",
        "南宁",
        "石家庄",
        "太原",
        "外地",
        "老家",
    ]
)


def general_rarity(token: str) -> float:
    """0..1: how rare a word is in general Chinese (1 for rare words, ~0.3 for 自己)."""
    if token.isascii() or token in PLACES:
        return 1.0
    table, median = _general_idf()
    return min(1.0, table.get(token, median) / 12.0)


# jieba part-of-speech tags of words that never name what a question is about: pronouns, time
# words, adverbs, conjunctions, numerals, measure words, locatives, status words, prepositions,
# particles, interjections, onomatopoeia (我们, 今年, 到底, 不管, 一共, 那会儿, 死死的)
_FUNCTION_TAGS = "rtdcmqfzpuyo"  # first letters; "e" (interjection) exactly, not "eng"


def load_tagger() -> None:
    """Load jieba's part-of-speech and idf tables now (0.3 s and 0.15 s) rather than on the
    first question."""
    _chat_tokens("劳动合同", tokenize("劳动合同"))
    _general_idf()


def _chat_tokens(text: str, tokens: list[str]) -> set[str]:
    """The ``tokens`` of ``text`` that are chat, not topic. The topic of a worker's question is
    carried by its nouns and verbs; its chat ("那会儿", "到底", "死死的") varies freely and must
    not count as something the documents fail to cover. Chat is what jieba tags as a function
    word, the parts of such a word (会儿 of 那会儿), and a search-mode token that no tagged word
    contains: one that straddles two words (我能 of 我|能, 管得 of 管|得着) names nothing."""
    import jieba.posseg as pseg

    _jieba()
    table = pseg.dt.word_tag_tab
    out: set[str] = set()
    words = []
    for word, flag in pseg.cut(text):
        words.append(word.lower())
        if _is_function(table.get(word, flag)):
            out.update(w.lower() for w in (word, *_parts(word)))
            continue
        out.update(p for p in _parts(word) if _is_function(table.get(p, "")))
    out.update(t for t in tokens if not any(t in w for w in words))
    return out


def _is_function(tag: str) -> bool:
    return tag == "e" or bool(tag) and tag[:1] in _FUNCTION_TAGS and tag != "eng"


def _parts(word: str) -> list[str]:
    return [t for t in tokenize(word) if t != word.lower()] if len(word) > 2 else []


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
        chat = _chat_tokens(text, tokens)
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
                if t in _EN_STOP or len(t) < 2 or not (glossary.ENGLISH.get(t) or proper):
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
        frozenset(t for t in weights if _names_a_thing(t)),
    )


def _names_a_thing(term: str) -> bool:
    import jieba.posseg as pseg

    tag = pseg.dt.word_tag_tab.get(term)
    return tag is None or tag[0] in "njl" or tag in ("eng", "nr", "ns", "nt", "nz")


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
    hits: list[Hit], doc_text: dict[str, str], question: str, terms: Terms
) -> tuple[list[Evidence], float]:
    """The evidence to quote, best first, and how much of the question it covers (0..1)."""
    if not hits:
        return [], 0.0
    weights, total = terms.weights, terms.total or 1.0
    wants_figure = bool(AMOUNT_Q.search(question))
    wants = answer_type.expected(question)
    cands: list[tuple[float, set[str], Evidence]] = []
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
    return chosen, sum(weights[t] for t in covered_all) / total


def _evidence(hit: Hit, s: int, e: int, quote: str, rank: int, score: float) -> Evidence:
    return Evidence(
        doc_id=hit.doc_id,
        source=hit.source,
        title=hit.title,
        locator=hit.locator,
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
