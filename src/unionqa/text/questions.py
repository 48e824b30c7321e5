"""Question words and chat: the words a worker's question is phrased in rather than about
(请问, 怎么办, 那会儿, 到底), found by pattern and by jieba's part-of-speech tags."""

from __future__ import annotations

import re

from .tokens import general_idf, load_jieba, tokenize

FOLLOWUP_RE = re.compile(
    r"^(那|那么|这|这个|这样|这种|它|他们|还有|还|要是|如果|那如果|另外|同样|and\b|what about|how about|and if|is that|is this)|"
    r"(呢|吗)[？?]?$",
    re.I,
)

QUESTION_WORDS = re.compile(
    r"才行|才可以|由谁来|谁来|由谁|能领|能拿|给我|帮我|感觉|自己|一个|多长时间|长时间|多长|多久|几个|几天|从哪|哪出|是从|能要|一直|做到|要先|还能|还要|可不可以|会不会|应不应该|请问|我想问一下|我想问|想问|在什么情况下|什么情况下|什么时候|为什么|怎么办|怎么样|怎么|怎样|如何|哪些|哪里|哪儿|是否|能否|能不能|可不可以|可以吗|有没有|是不是|什么|多少|吗|呢|吧|啊"
)

# jieba part-of-speech tags of words that never name what a question is about: pronouns, time
# words, adverbs, conjunctions, numerals, measure words, locatives, status words, prepositions,
# particles, interjections, onomatopoeia (我们, 今年, 到底, 不管, 一共, 那会儿, 死死的)
_FUNCTION_TAGS = "rtdcmqfzpuyo"  # first letters; "e" (interjection) exactly, not "eng"


def load_tagger() -> None:
    """Load jieba's part-of-speech and idf tables now (0.3 s and 0.15 s) rather than on the
    first question."""
    chat_tokens("劳动合同", tokenize("劳动合同"))
    general_idf()


def chat_tokens(text: str, tokens: list[str]) -> set[str]:
    """The ``tokens`` of ``text`` that are chat, not topic. The topic of a worker's question is
    carried by its nouns and verbs; its chat ("那会儿", "到底", "死死的") varies freely and must
    not count as something the documents fail to cover. Chat is what jieba tags as a function
    word, the parts of such a word (会儿 of 那会儿), and a search-mode token that no tagged word
    contains: one that straddles two words (我能 of 我|能, 管得 of 管|得着) names nothing."""
    import jieba.posseg as pseg

    load_jieba()
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


def names_a_thing(term: str) -> bool:
    import jieba.posseg as pseg

    tag = pseg.dt.word_tag_tab.get(term)
    return tag is None or tag[0] in "njl" or tag in ("eng", "nr", "ns", "nt", "nz")


def detect_lang(text: str) -> str:
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]{2,}", text))
    return "en" if latin >= 2 and cjk == 0 else "zh"


def question_length(text: str) -> int:
    """Characters of Chinese plus two per Latin word: a length comparable across languages."""
    return len(re.findall(r"[\u4e00-\u9fff]", text)) + 2 * len(re.findall(r"[A-Za-z]+", text))


def is_followup(question: str, history: list[str]) -> bool:
    q = question.strip()
    return bool(history) and (len(q) <= 20 or bool(FOLLOWUP_RE.search(q)))
