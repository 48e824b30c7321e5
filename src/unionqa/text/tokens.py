"""Tokens: jieba search-mode tokens without punctuation and stop words (Chinese and English), and
how rare a word is in general Chinese."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from .glossary import COLLOQUIAL

_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]")
STOP_WORDS = set(
    [
        "的",
        "了",
        "和",
        "与",
        "或",
        "及",
        "是",
        "在",
        "对",
        "为",
        "以",
        "等",
        "中",
        "其",
        "之",
        "该",
        "这",
        "那",
        "我",
        "你",
        "他",
        "她",
        "它",
        "吗",
        "呢",
        "吧",
        "啊",
        "么",
        "什么",
        "怎么",
        "能",
        "可以",
        "有",
        "没有",
        "会",
        "要",
        "就",
        "都",
        "也",
        "还",
        "把",
        "被",
        "让",
        "给",
        "从",
        "向",
        "到",
        "上",
        "下",
        "个",
        "一",
        "不",
    ]
)

_jieba_ready = False


def load_jieba():
    """jieba, initialised once, with the glossary's workers' words in its dictionary."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        for word in COLLOQUIAL:  # workers' words are vocabulary too (入职, 社保, 应届生)
            jieba.add_word(word)
        _jieba_ready = True
    return jieba


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens, lower-cased, without punctuation and stop words."""
    toks = []
    for t in load_jieba().cut_for_search(text):
        t = t.strip().lower()
        if t and _TOKEN_OK.search(t) and t not in STOP_WORDS:
            toks.append(t)
    return toks


EN_STOP_WORDS = set(
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
def general_idf() -> tuple[dict[str, float], float]:
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
    table, median = general_idf()
    return min(1.0, table.get(token, median) / 12.0)
