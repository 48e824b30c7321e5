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


# The world of work in workers' words: a question naming none of these (租房押金, 交警罚款,
# 网购退货) describes no labour situation, however close its wording comes to an exemplar
# ("押金不退" is the landlord's, not the factory's). Broad on purpose: a word too many costs
# nothing, a word missing sends a real question to the unmatched floor.
WORK_WORDS = re.compile(
    r"工作|上班|下班|公司|单位|厂|老板|东家|员工|职工|工人|工友|雇|工资|薪|工钱|报酬|加班|社保"
    r"|保险|公积金|劳动|合同|辞|离职|入职|试用|转正|工伤|工亡|病假|产假|年假|婚假|丧假|休假|放假"
    r"|调休|假期|请假|招聘|招人|面试|求职|录用|简历|就业|失业|退休|养老|医保|工会|仲裁|人事|领导"
    r"|主管|经理|同事|岗|裁员|裁人|开除|被开|开了我|把我开|炒|胜任|迟到|早退|补偿|赔偿金|骑手"
    r"|外卖|快递员|跑单|平台|实习|毕业|应届|补贴|补助|津贴|女工|孕|哺乳|生育|个人信息|人脸"
    r"|指纹|算法|打卡|考勤|工地|包工头|干活|打工|上岗|兼职|派遣|竞业|保密|培训|服务期|违约金"
    r"|职业病|伤残|鉴定|调岗|降薪|罚款|扣钱|旷工|夜班|值班|工龄|年终奖|绩效|提成|底薪|监察|劳务"
    r"|用人|车间|店长|饭店|餐馆|项目部|施工|农民工|性骚扰|歧视|隐私|泄露|骚扰|摄像头|监控"
    r"|定位|技能|工匠|女性|妇女|小时工|钟点工|临时工|零工|同工同酬|hr\b"
    r"|job|work|employ|boss|company|salary|wage|pay|overtime|leave|contract|fired|dismiss|resign"
    r"|quit|insurance|union|intern|pregnan|matern|hiring|interview|labou?r|severance|probation"
    r"|arbitration|injur|pension|subsid|privacy|personal data|personal information",
    re.I,
)


def about_work(text: str) -> bool:
    """Does ``text`` name anything of the world of work (an employer, pay, a job, a benefit)?"""
    return WORK_WORDS.search(text) is not None
