"""The labour issue map: its data files, their validation, the matcher and its cache."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from fixtures import ROOT, SHARED

from unionqa.index.embeddings import HashingEmbeddings
from unionqa.search import situation_search as situation_search_module
from unionqa.search.issue_map import (
    MIN_EXEMPLARS,
    PACKAGE_DIR,
    IssueMap,
    MapError,
)
from unionqa.search.situation_search import Matcher
from unionqa.settings import SituationSettings
from unionqa.text.articles import law_title_matches

LAW_DIRS = [SHARED / "corpora" / "laws", SHARED / "corpora" / "regs"]

GOOD = """
- id: test.thing
  name: 测试情形
  name_en: A test situation
  exemplars: [一, 二, 三, 四, 五, 六, 七, How about eight]
  articles:
    - {law: 劳动合同法, article: 第三十条}
  offices: [劳动保障监察]
"""


@pytest.fixture(scope="module")
def issue_map() -> IssueMap:
    return IssueMap.load()


def test_package_map_has_eighty_situations_each_with_eight_exemplars_and_english(issue_map):
    assert len(issue_map.situations) >= 80
    ids = [s.id for s in issue_map.situations]
    assert len(ids) == len(set(ids))
    for s in issue_map.situations:
        assert len(s.exemplars) >= MIN_EXEMPLARS, s.id
        assert any(not re.search(r"[\u4e00-\u9fff]", e) for e in s.exemplars), s.id
        assert s.name and s.name_en


def test_every_statute_reference_names_an_article_that_exists(issue_map):
    if not all(d.is_dir() for d in LAW_DIRS):
        pytest.skip("../shared is absent (a fresh clone has none)")
    articles: dict[str, set[str]] = {}
    for d in LAW_DIRS:
        for f in d.glob("*.md"):
            text = f.read_text(encoding="utf-8")
            title = re.search(r"title:\s*([^|]+?)\s*\|", text.splitlines()[0]).group(1)
            articles[title.removeprefix("中华人民共和国")] = set(
                re.findall(r"^(第[零〇一二三四五六七八九十百千]+条)", text, re.M)
            )
    corpus = [f.read_text(encoding="utf-8") for f in (ROOT / "corpus").glob("*.md")]
    for s in issue_map.situations:
        for ref in s.articles:
            if ref.law:
                laws = [t for t in articles if law_title_matches(t, ref.law)]
                assert laws, f"{s.id}: no document titled …{ref.law}"
                assert any(ref.article in articles[t] for t in laws), f"{s.id}: {ref}"
            else:
                assert any(ref.title in t and ref.contains in t for t in corpus), f"{s.id}: {ref}"


def _bigrams(text: str) -> set[str]:
    flat = re.sub(r"[\s\W_]+", "", text.lower())
    return {flat[i : i + 2] for i in range(len(flat) - 1)}


def _questions() -> list[str]:
    files = [*(ROOT / "eval").glob("*.jsonl"), *(SHARED / "eval-dev").glob("*.jsonl")]
    return [json.loads(line)["question"] for f in files for line in f.open() if line.strip()]


def test_no_exemplar_is_a_near_copy_of_a_development_or_evaluation_question(issue_map):
    # character-bigram Jaccard: 0.5 and above reads as the same question reworded slightly
    questions = [(q, _bigrams(q)) for q in _questions()]
    assert len(questions) > 100
    for s in issue_map.situations:
        for ex in s.exemplars:
            b = _bigrams(ex)
            for q, qb in questions:
                if b and qb:
                    assert len(b & qb) / len(b | qb) < 0.5, f"{s.id}: {ex!r} ~ {q!r}"


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD + GOOD, "重复"),
        (GOOD.replace("How about eight", "").replace(", ]", "]"), "exemplars 至少要"),
        (GOOD.replace("第三十条", "30"), "条文编号无效"),
        (GOOD.replace("劳动保障监察", "居委会"), "未知的 offices"),
        (GOOD + "  colour: red\n", "未知字段 colour"),
        (GOOD.replace("  name_en: A test situation\n", ""), "缺少字段 name_en"),
        ("- &a [x, x]\n- *a\n", "别名"),
        ("- id: [unclosed\n", "不是有效的 YAML"),
        (GOOD.replace("第三十条}", "第三十条, asks: 多久}"), "asks 应为非空字符串列表"),
        (GOOD.replace("第三十条}", "第三十条, asks: [多久, '']}"), "asks 应为非空字符串列表"),
    ],
)
def test_an_invalid_situation_file_is_refused_naming_file_entry_and_field(tmp_path, text, message):
    (tmp_path / "local.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(MapError) as err:
        IssueMap.load(tmp_path)
    assert message in str(err.value)
    assert "local.yaml" in str(err.value)


def test_a_data_dir_file_adds_and_overrides_situations(tmp_path, issue_map):
    first = issue_map.situations[0]
    override = GOOD.replace("test.thing", first.id) + GOOD.replace("test.thing", "local.new")
    (tmp_path / "hotline.yaml").write_text(override, encoding="utf-8")
    m = IssueMap.load(tmp_path)
    assert m.get(first.id).name == "测试情形" and m.get("local.new") is not None
    assert m.overrides == [first.id]
    assert len(m.situations) == len(issue_map.situations) + 1


TWO_ARTICLES = GOOD.replace(
    "    - {law: 劳动合同法, article: 第三十条}",
    "    - {law: 劳动合同法, article: 第三十条}\n"
    "    - {law: 劳动合同法, article: 第八十五条, asks: [还是不给, 加付]}\n"
    "    - {law: 劳动争议调解仲裁法, article: 第二十七条, asks: [多久, How Long]}",
)


def test_an_article_whose_asked_point_the_question_holds_goes_first(tmp_path):
    (tmp_path / "a.yaml").write_text(TWO_ARTICLES, encoding="utf-8")
    s = IssueMap.load(tmp_path, package=False).get("test.thing")
    assert [a.asks for a in s.articles] == [(), ("还是不给", "加付"), ("多久", "How Long")]
    assert s.asked("工资拖了三个月") == []
    # the question asks at its end: the article whose word comes last goes first
    assert [str(a) for a in s.asked("要多久才能拿到，他还是不给怎么办")] == [
        "劳动合同法第八十五条",
        "劳动争议调解仲裁法第二十七条",
    ]
    assert [str(a) for a in s.asked("他还是不给，仲裁要多久")] == [
        "劳动争议调解仲裁法第二十七条",
        "劳动合同法第八十五条",
    ]
    assert [str(a) for a in s.asked("how long do I have?")] == ["劳动争议调解仲裁法第二十七条"]


class _Refs:
    """Each reference resolves to one chunk id named after it."""

    def chunk_ids(self, ref):
        return [str(ref)]


def test_the_asked_article_takes_the_first_boost_and_the_rest_keep_their_order(tmp_path):
    (tmp_path / "a.yaml").write_text(TWO_ARTICLES, encoding="utf-8")
    m = IssueMap.load(tmp_path, package=False)
    cfg = SituationSettings()
    search = situation_search_module.SituationSearch(m, HashingEmbeddings(), _Refs(), cfg, None)
    match = [situation_search_module.Match(m.get("test.thing"), 1.0)]
    plain = search.boosts(match, "工资拖了三个月")
    assert [plain[c].position for c in ("劳动合同法第三十条", "劳动合同法第八十五条")] == [0, 1]
    asked = search.boosts(match, "仲裁要多久")
    order = sorted(asked, key=lambda c: asked[c].position)
    assert order == ["劳动争议调解仲裁法第二十七条", "劳动合同法第三十条", "劳动合同法第八十五条"]
    first = asked["劳动争议调解仲裁法第二十七条"].weight
    assert first == pytest.approx(cfg.boost * cfg.asked_factor)
    assert first > plain["劳动合同法第三十条"].weight == pytest.approx(cfg.boost)
    assert asked["劳动合同法第三十条"].weight == pytest.approx(cfg.boost * cfg.article_decay)


class _Counting(HashingEmbeddings):
    calls = 0

    def encode(self, texts, query):
        type(self).calls += 1
        return super().encode(texts, query)


def test_exemplar_vectors_are_cached_and_rebuilt_when_the_map_changes(tmp_path):
    (tmp_path / "map").mkdir()
    (tmp_path / "map" / "a.yaml").write_text(GOOD, encoding="utf-8")
    m = IssueMap.load(tmp_path / "map", package=False)
    Matcher(m, _Counting(), tmp_path).warm_up()
    assert _Counting.calls == 1 and len(list(tmp_path.glob("situations-*.npy"))) == 1
    situation_search_module._MEMO.clear()  # a new process: only the file under the data dir is left
    Matcher(m, _Counting(), tmp_path).warm_up()
    assert _Counting.calls == 1  # read from the cache
    (tmp_path / "map" / "a.yaml").write_text(GOOD.replace("How about eight", "八"), "utf-8")
    Matcher(IssueMap.load(tmp_path / "map", package=False), _Counting(), tmp_path).warm_up()
    assert _Counting.calls == 2 and len(list(tmp_path.glob("situations-*.npy"))) == 1


def test_exemplar_tokens_are_cached_so_a_new_process_does_not_cut_them_again(tmp_path, monkeypatch):
    (tmp_path / "map").mkdir()
    (tmp_path / "map" / "a.yaml").write_text(GOOD, encoding="utf-8")
    m = IssueMap.load(tmp_path / "map", package=False)
    situation_search_module._BM25.clear()  # this map was tokenized by an earlier test
    Matcher(m, HashingEmbeddings(), tmp_path).warm_up()
    assert len(list(tmp_path.glob("situations-tokens-*.json"))) == 1
    cut = []
    monkeypatch.setattr(situation_search_module, "tokenize", lambda t: cut.append(t) or ["欠薪"])
    situation_search_module._BM25.clear()  # a new process
    matcher = Matcher(m, HashingEmbeddings(), tmp_path)
    matcher.warm_up()
    assert cut == [] and matcher._bm25 is not None
    # a changed trigger is new text: cut again, and the old file replaced
    changed = GOOD.replace("offices:", "triggers: [欠薪]\n  offices:")
    (tmp_path / "map" / "a.yaml").write_text(changed, encoding="utf-8")
    situation_search_module._BM25.clear()
    Matcher(IssueMap.load(tmp_path / "map", package=False), HashingEmbeddings(), tmp_path).warm_up()
    assert cut and len(list(tmp_path.glob("situations-tokens-*.json"))) == 1


def test_an_exclusion_term_rules_a_situation_out(tmp_path):
    text = GOOD.replace("offices:", "excludes: [工伤]\n  offices:")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    emb = HashingEmbeddings()
    matcher = Matcher(IssueMap.load(tmp_path, package=False), emb, None)
    cfg = SituationSettings(min_similarity=-1.0)
    vector = emb.encode(["一"], query=True)[0]
    assert [m.situation.id for m in matcher.match("一 工资", vector, "zh", cfg)] == ["test.thing"]
    assert matcher.match("一 工资 工伤", vector, "zh", cfg) == []


def test_a_question_naming_nothing_of_work_matches_no_situation(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    emb = HashingEmbeddings()
    matcher = Matcher(IssueMap.load(tmp_path, package=False), emb, None)
    cfg = SituationSettings(min_similarity=-1.0)  # any similarity would match
    vector = emb.encode(["押金"], query=True)[0]
    assert matcher.match("房东不退押金", vector, "zh", cfg) == []
    assert [m.situation.id for m in matcher.match("老板不退押金", vector, "zh", cfg)] == [
        "test.thing"
    ]


@pytest.fixture(scope="module")
def e5_matcher(issue_map):
    from unionqa.index.embeddings import E5SmallEmbeddings

    emb = E5SmallEmbeddings(threads=2)
    return Matcher(issue_map, emb, None), emb


@pytest.mark.parametrize(
    "question, situation",
    [
        ("厂里三个月没发工钱了，老板人也找不到", "wage.arrears"),
        ("我怀孕五个月，领导让我去搬货不去就降工资", "women.pregnancy"),
        ("在公司干了八年今天突然说裁员，给钱吗", "term.layoff"),
        ("被辞退一年半了还能告吗", "dispute.deadline"),
        (
            "My employer never gave me a written contract, can I get double pay?",
            "contract.no_written",
        ),
    ],
)
def test_colloquial_questions_match_their_situation(e5_matcher, question, situation):
    matcher, emb = e5_matcher
    lang = "en" if question.isascii() else "zh"
    got = matcher.match(question, emb.encode([question], query=True)[0], lang, SituationSettings())
    assert got and situation in [m.situation.id for m in got[:2]], got[:3]


def test_a_worker_giving_notice_is_not_the_employer_giving_notice(e5_matcher):
    matcher, emb = e5_matcher
    q = "我想辞职，是不是一定要提前一个月跟厂里打招呼？"
    got = [
        m.situation.id
        for m in matcher.match(q, emb.encode([q], query=True)[0], "zh", SituationSettings())
    ]
    assert got and "term.notice" not in got and got[0] == "term.resign", got


@pytest.mark.parametrize(
    "question", ["明天北京下雨吗", "红烧肉怎么做才好吃", "推荐几部好看的电影", "iPhone怎么截屏"]
)
def test_off_topic_questions_match_no_situation(e5_matcher, question):
    matcher, emb = e5_matcher
    got = matcher.match(question, emb.encode([question], query=True)[0], "zh", SituationSettings())
    assert got == []


def test_package_data_dir_is_shipped():
    assert PACKAGE_DIR.is_dir() and len(list(PACKAGE_DIR.glob("*.yaml"))) >= 5


@pytest.mark.parametrize(
    ("sizes", "k"), [([8, 3, 12, 1, 9], 1), ([8, 3, 12, 1, 9], 3), ([2, 2], 5), ([10], 3)]
)
def test_a_situation_scores_the_mean_of_its_k_nearest_exemplars(sizes, k):
    from unionqa.search.situation_search import _top_mean

    rng = np.random.default_rng(len(sizes) + k)
    owner = np.repeat(np.arange(len(sizes)), sizes)
    sims = rng.random(len(owner))
    groups = np.full((len(sizes), max(sizes)), -1)
    for i, row in enumerate(np.split(np.arange(len(owner)), np.cumsum(sizes)[:-1])):
        groups[i, : len(row)] = row
    want = [np.sort(sims[owner == i])[-k:].mean() for i in range(len(sizes))]
    assert np.allclose(_top_mean(sims, groups, k), want)
