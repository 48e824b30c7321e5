"""The corpus built from the newspaper seed page must be verbatim.

Checks that need only the corpus (front matter schema) always run. Checks
against the seed page run only where ``../shared/seed`` is present beside the
repository (CI, the team's machines); a fresh clone elsewhere skips them.

Verbatim means: after removing Markdown markup, every sentence of a corpus body
occurs in the seed page exactly, punctuation included, except the sentences
that the page itself breaks across columns. Those are listed in
``EXPECTED_JOINED_SENTENCES`` below; any other sentence that is not on the page
(a changed word, a "fixed" comma, an invented sentence) fails.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_973cad8ac153f4bc.txt"
SEED_NAME = "000_973cad8ac153f4bc.txt"

PAGE_THEME = "在发展新质生产力中展现工会作为"
KINDS = {"commentary", "policy", "history"}
REQUIRED_KEYS = (
    "title",
    "authors",
    "affiliation",
    "column",
    "kind",
    "region",
    "source_page",
    "lang",
)

# Sentences the page breaks across columns (or across a page fragment) and the
# corpus joins back together. Each is exactly two whole seed lines' text meeting
# at the break; nothing else may be joined.
EXPECTED_JOINED_SENTENCES = {
    # 新质生产力: "…推动高质量发展的" / (女工会议 piece) / "内在要求和重要着力点。"
    "发展新质生产力是推动高质量发展的内在要求和重要着力点。",
    # 催 / 生
    "新质生产力是由技术革命性突破、生产要素创新性配置、产业深度转型升级而催生的先进生产力质态。",
    # 自 / 己
    "1950年8月,全国总工会召开的第一次全国工会女职工工作会议明确指出,工会女工部要把“面向生产,"
    "组织女工参加生产竞赛,保护女工的特殊利益,作为自己的中心任务”。",
    # 中国 / 女工
    "男女同工同酬是中国代表团向大会着重介绍了中国的男女同工同酬政策,并表示中国女工已经在大规模的"
    "社会主义经济建设中获得经济平权,她们不仅能够从事各种工作,还有提高文化水平和接受技术训练的机会。",
    # 获得 / 解放”
    "早在党成立初期,中共二大制定的第一个《关于妇女运动的决议》就提到,妇女解放要伴随着劳动解放,"
    "在延安时期,“妇女通过劳动获得解放”这一理念得到了塑造和系统宣传。",
}

_HEADING = re.compile(r"^#+\s+")
_BULLET = re.compile(r"^[-*+]\s+")
_TERMINATORS = set("。！？；!?")
_CLOSERS = set("”’」』)）")


def strip_markup(text: str) -> str:
    """Remove Markdown markup only: ``**``, heading marks, list bullets, and
    leading/trailing whitespace on each line. Nothing else is touched."""
    out = []
    for line in text.split("\n"):
        s = line.strip()
        s = _HEADING.sub("", s)
        s = _BULLET.sub("", s)
        s = s.replace("**", "")
        out.append(s.strip())
    return "\n".join(out)


def split_sentences(text: str) -> list[str]:
    """Split on 。！？；!? and line breaks; closing quotes/brackets that follow
    a terminator stay with its sentence."""
    sentences: list[str] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            sentences.append("".join(buf))
            buf = []
            i += 1
            continue
        buf.append(ch)
        i += 1
        if ch in _TERMINATORS:
            while i < n and (text[i] in _TERMINATORS or text[i] in _CLOSERS):
                buf.append(text[i])
                i += 1
            sentences.append("".join(buf))
            buf = []
    sentences.append("".join(buf))
    return [s.strip() for s in sentences if s.strip()]


def parse_doc(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path.name}: no front matter"
    end = text.index("\n---\n", 4)
    meta = yaml.safe_load(text[4:end])
    assert isinstance(meta, dict), f"{path.name}: front matter is not a mapping"
    return meta, text[end + len("\n---\n") :]


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.md"))


def seed_docs() -> list[tuple[Path, dict, str]]:
    docs = []
    for path in corpus_files():
        meta, body = parse_doc(path)
        if meta.get("source_page") == SEED_NAME:
            docs.append((path, meta, body))
    return docs


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


# ---------------------------------------------------------------- corpus only


def test_at_least_five_files():
    assert len(corpus_files()) >= 5


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_front_matter(path: Path):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.md", path.name), (
        "file name must be ASCII kebab-case"
    )
    meta, body = parse_doc(path)
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    assert not missing, f"missing front matter keys: {missing}"
    assert isinstance(meta["title"], str) and meta["title"]
    assert isinstance(meta["authors"], list) and all(
        isinstance(a, str) and a for a in meta["authors"]
    )
    assert meta["affiliation"] is None or isinstance(meta["affiliation"], str)
    assert meta["column"] is None or isinstance(meta["column"], str)
    assert meta["kind"] in KINDS
    assert isinstance(meta["region"], str) and meta["region"]
    assert meta["lang"] == "zh"
    if "valid_until" in meta:
        v = meta["valid_until"]
        if not isinstance(v, dt.date):
            v = dt.date.fromisoformat(str(v))
        assert isinstance(v, dt.date)
    if "issuer" in meta:
        assert isinstance(meta["issuer"], list) and all(
            isinstance(x, str) and x for x in meta["issuer"]
        )
    if meta.get("truncated"):
        assert isinstance(meta.get("note"), str) and meta["note"], "truncated docs need a note"
    paras = paragraphs(body)
    assert paras and paras[0] == f"# {meta['title']}", "body must start with '# title'"
    if "summary" in meta:
        assert len(paras) > 1 and paras[1] == meta["summary"], (
            "summary must be the first body paragraph"
        )


def test_seed_corpus_present():
    names = {p.name for p, _, _ in seed_docs()}
    assert {
        "new-quality-productive-forces-union.md",
        "graduate-hiring-subsidy.md",
        "innovation-cases-governance.md",
        "ai-recruitment-legal-boundaries.md",
        "first-world-women-workers-conference.md",
    } <= names
    for _, meta, _ in seed_docs():
        assert meta.get("page_theme") == PAGE_THEME
        assert meta["region"] == "national"


def test_subsidy_notice():
    meta, body = parse_doc(CORPUS / "graduate-hiring-subsidy.md")
    assert meta["kind"] == "policy"
    assert meta["valid_until"] == dt.date(2025, 12, 31)
    assert "人社部" in meta["issuer"]
    assert "每招聘1人不超过1500元" in body


def test_truncated_article_flagged():
    meta, body = parse_doc(CORPUS / "innovation-cases-governance.md")
    assert meta.get("truncated") is True
    assert meta.get("note") == "原版面此文未完，止于“……指导实”。"
    assert strip_markup(body).rstrip().endswith("指导实")


# ---------------------------------------------------------------- against seed


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    if not SEED.is_file():
        pytest.skip(f"seed page not present: {SEED}")
    return strip_markup(SEED.read_text(encoding="utf-8")).split("\n")


def find_join(sentence: str, lines: list[str]) -> tuple[int, int] | None:
    """(i, j) if ``sentence`` is a suffix of seed line i followed by a prefix
    of another seed line j."""
    for k in range(1, len(sentence)):
        head, tail = sentence[:k], sentence[k:]
        ends = [i for i, line in enumerate(lines) if line and line.endswith(head)]
        if not ends:
            continue
        for j, line in enumerate(lines):
            if line and line.startswith(tail):
                for i in ends:
                    if i != j:
                        return i, j
    return None


def check_sentences(lines: list[str]) -> tuple[int, list[str], list[str]]:
    """Return (number checked, joined sentences, failures)."""
    seed_text = "\n".join(lines)
    checked, joined, failures = 0, [], []
    for path, _, body in seed_docs():
        for s in split_sentences(strip_markup(body)):
            checked += 1
            if s in seed_text:
                continue
            if find_join(s, lines) is not None:
                joined.append(s)
            else:
                failures.append(f"{path.name}: {s}")
    return checked, joined, failures


def test_every_sentence_is_on_the_page(seed_lines):
    checked, _, failures = check_sentences(seed_lines)
    assert checked > 100
    assert not failures, "sentences not found verbatim on the seed page:\n" + "\n".join(failures)


def test_only_the_known_column_breaks_are_joined(seed_lines):
    _, joined, _ = check_sentences(seed_lines)
    assert len(joined) == len(EXPECTED_JOINED_SENTENCES) == 5, joined
    assert set(joined) == EXPECTED_JOINED_SENTENCES


def test_every_body_line_is_a_seed_line_or_a_known_join(seed_lines):
    """Stronger than per sentence: catches reordered or dropped sentences
    inside a paragraph. A joined line must be exactly two seed lines glued."""
    seed_text = "\n".join(seed_lines)
    nonempty = [x for x in seed_lines if x]
    pairs = {a + b for a in nonempty for b in nonempty if a != b}
    bad = []
    for path, _, body in seed_docs():
        for line in strip_markup(body).split("\n"):
            if line and line not in seed_text and line not in pairs:
                bad.append(f"{path.name}: {line}")
    assert not bad, "\n".join(bad)


def test_every_seed_paragraph_is_in_the_corpus(seed_lines):
    corpus_text = "\n".join(strip_markup(body) for _, _, body in seed_docs())
    labels = {PAGE_THEME, "观点"} | {m["column"] for _, m, _ in seed_docs() if m.get("column")}
    missing = [
        line
        for line in seed_lines
        if len(line) >= 20 and line not in labels and line not in corpus_text
    ]
    assert not missing, "seed paragraphs missing from the corpus:\n" + "\n".join(missing)


def test_front_matter_facts_are_on_the_page(seed_lines):
    seed_text = "\n".join(seed_lines)
    for path, meta, _ in seed_docs():
        assert meta["title"] in seed_lines, path.name
        for author in meta["authors"]:
            assert author in seed_text, f"{path.name}: author {author}"
        if meta.get("affiliation"):
            assert meta["affiliation"] in seed_text, f"{path.name}: affiliation"
        if meta.get("summary"):
            assert meta["summary"] in seed_lines, f"{path.name}: summary"
        if meta.get("column"):
            assert meta["column"] in seed_lines, f"{path.name}: column"
