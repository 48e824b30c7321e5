"""Question → ranked ``Hit``s: dense (Chroma) + keyword (jieba/BM25), fused by weighted
reciprocal rank, with exact article references (劳动合同法第三十九条, 第24条) pinned first and
metadata filters (kind, region, in force on a date) applied to both sides."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np
from langchain_core.embeddings import Embeddings

from ..errors import UsageError
from ..index.store import Index
from ..settings import K_MAX, K_MIN, RetrievalSettings
from ..text import glossary
from ..text.articles import ARTICLE_REF_RE
from ..text.numerals import cn_number
from ..text.questions import QUESTION_WORDS, detect_lang
from ..types import Hit
from .filters import Filters
from .issue_map import Match
from .keyword import KeywordCache, KeywordIndex
from .situation_search import Boost, SituationSearch

logger = logging.getLogger(__name__)

RRF_K = 60
TITLE_RE = re.compile(r"《([^《》]{1,80})》")
PHRASE_RERANK = 30


def article_refs(question: str) -> list[tuple[str | None, str]]:
    """(law name or None, 第X条 label) for each article reference in the question."""
    out = []
    for m in ARTICLE_REF_RE.finditer(question):
        num = m.group(2).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        label = f"第{cn_number(int(num)) if num.isdigit() else num}条"
        out.append((m.group(1), label))
    return out


@dataclass(frozen=True)
class Retrieval:
    hits: list[Hit]
    situations: list[Match]  # the labour situations the question describes, best first


class Retriever:
    def __init__(
        self,
        index: Index,
        embeddings: Embeddings,
        settings: RetrievalSettings,
        keywords: KeywordCache,
        situations: SituationSearch | None = None,
    ) -> None:
        self.index = index
        self.keywords = keywords
        self.embeddings = embeddings
        self.settings = settings
        self.situations = situations

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        return self.retrieve(query, k, filters).hits

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        lang: str | None = None,
        point: str | None = None,
    ) -> Retrieval:
        """The hits for ``query`` and the situations it describes. Each hit's metadata says why
        it is there (``why``: dense, keyword, title, article reference, situation). ``point``
        (a follow-up's own words, without the turns before it) orders a situation's articles."""
        query = (query or "").strip()
        if not query:
            raise UsageError("问题不能为空，请输入要查询的内容。")
        k = self.settings.k if k is None else k  # k=0 is an error, not "the default"
        if not K_MIN <= k <= K_MAX:
            raise UsageError(f"k 应在 {K_MIN} 到 {K_MAX} 之间。")
        filters = filters or Filters()
        n = max(self.settings.candidates, k)
        kw = self.keywords.get()
        vector = self.embeddings.embed_query(query)
        dense = self.index.dense(vector, n, filters.where())
        keyword = kw.search(glossary.expand(query), n, filters.mask(kw))

        scores: dict[str, float] = {}
        _fuse(scores, [d["chunk_id"] for d in dense], self.settings.dense_weight)
        _fuse(scores, [cid for cid, _ in keyword], self.settings.keyword_weight)
        # a document named by its title (《…》): the title picks the document, the rest of the
        # question picks the passage inside it ("《…》的作者是什么身份" → the byline)
        named = self._named_documents(query, kw, filters)
        if named is not None:
            within = kw.search(glossary.expand(TITLE_RE.sub(" ", query)), n, named)
            _fuse(scores, [cid for cid, _ in within], self.settings.keyword_weight)
        pinned = self._article_hits(query, kw, filters)
        for cid, boost in pinned.items():
            scores[cid] = scores.get(cid, 0.0) + boost
        matches: list[Match] = []
        governing: dict[str, Boost] = {}
        if self.situations is not None:
            matches = self.situations.match(query, vector, lang or detect_lang(query))
            governing = self.situations.boosts(matches, point or query)
            allowed = filters.mask(kw)
            for cid, b in governing.items():
                if allowed is None or allowed[kw.row[cid]]:
                    scores[cid] = scores.get(cid, 0.0) + b.weight

        rows = {r["chunk_id"]: r for r in dense}
        # phrase bonus: the longest run of the question (question words removed) found verbatim
        # in a candidate, e.g. "用人单位可以解除劳动合同" in 第三十九条 and not in 第三十八条
        shortlist = sorted(scores, key=lambda c: -scores[c])[: max(k, PHRASE_RERANK)]
        rows.update(self.index.fetch([c for c in shortlist if c not in rows], vector))
        core = _core(query)
        for cid in shortlist:
            if cid in rows:
                scores[cid] += self.settings.phrase_weight * _phrase(core, rows[cid]["text"])
        top = sorted(shortlist, key=lambda c: -scores[c])[:k]
        bm25 = dict(keyword)
        why: dict[str, list[str]] = {}
        for reason, ranked in (
            ("dense", [d["chunk_id"] for d in dense]),
            ("keyword", [c for c, _ in keyword]),
        ):
            for rank, cid in enumerate(ranked[:k]):
                why.setdefault(cid, []).append(f"{reason}#{rank + 1}")
        hits = []
        for cid in top:
            row = rows.get(cid)
            if row is None:
                continue
            m = dict(row["metadata"])
            m["dense_similarity"] = round(row.get("similarity", 0.0), 4)
            m["bm25"] = round(bm25.get(cid, 0.0), 4)
            m["article_match"] = cid in pinned
            reasons = why.get(cid, [])
            if cid in pinned:
                reasons = [*reasons, "article_reference"]
            if named is not None and cid in kw.row and named[kw.row[cid]]:
                reasons = [*reasons, "title"]
            gov = governing.get(cid)
            if gov is not None:
                reasons = [*reasons, f"situation:{gov.situation}"]
                m["situation"], m["situation_article"] = gov.situation, gov.position
                m["governs_best"], m["situation_asked"] = gov.best, gov.asked
            m["why"] = reasons or ["phrase"]
            hits.append(
                Hit(
                    chunk_id=cid,
                    doc_id=m["doc_id"],
                    source=m["source"],
                    title=m["title"],
                    text=row["text"],
                    score=round(scores[cid], 6),
                    start=int(m.pop("start")),
                    end=int(m.pop("end")),
                    locator=str(m.get("locator", "")),
                    metadata=m,
                )
            )
        logger.debug(
            "search k=%d candidates=%d hits=%d situations=%s",
            k,
            len(scores),
            len(hits),
            ",".join(m.situation.id for m in matches) or "-",
        )
        return Retrieval(hits, matches)

    def _named_documents(self, query: str, kw: KeywordIndex, filters: Filters) -> np.ndarray | None:
        """Row mask of the documents whose title a 《…》 in the question names, or None."""
        names = {_short_title(m.strip()) for m in TITLE_RE.findall(query)}
        if not names:
            return None
        rows = [
            i for title, idx in kw.by_title.items() if _short_title(title) in names for i in idx
        ]
        if not rows:
            return None
        mask = np.zeros(len(kw), dtype=bool)
        mask[rows] = True
        allowed = filters.mask(kw)
        return mask if allowed is None else mask & allowed

    def _article_hits(self, query: str, kw: KeywordIndex, filters: Filters) -> dict[str, float]:
        """Exact article references win: 1.0 when the law's title ends with the named law
        (or no law is named), 0.5 when the title only contains it."""
        out: dict[str, float] = {}
        allowed = filters.mask(kw)
        titles = kw.columns["title"]
        for law, label in article_refs(query):
            ids = kw.article_rows(label)
            if law:
                named = [c for c in ids if _title_match(titles[kw.row[c]], law)]
                ids = named
            for cid in ids:
                if allowed is not None and not allowed[kw.row[cid]]:
                    continue
                title = titles[kw.row[cid]]
                boost = 1.0 if not law or _title_match(title, law, exact=True) else 0.5
                out[cid] = max(out.get(cid, 0.0), boost)
        return out


def _fuse(scores: dict[str, float], ranked: list[str], weight: float) -> None:
    """Add one ranked list to ``scores`` by weighted reciprocal rank."""
    for rank, cid in enumerate(ranked):
        scores[cid] = scores.get(cid, 0.0) + weight / (RRF_K + rank + 1)


def _short_title(title: str) -> str:
    """A statute's title without its 中华人民共和国 prefix, as questions name it."""
    return title.removeprefix("中华人民共和国")


def _core(query: str) -> str:
    return re.sub(r"[\s\W_]+", "", QUESTION_WORDS.sub("", query))


def _phrase(core: str, text: str) -> float:
    """(length of the longest common run / length of the question core)², for runs ≥ 4."""
    if len(core) < 4:
        return 0.0
    flat = re.sub(r"\s+", "", text)
    m = SequenceMatcher(None, core, flat, autojunk=False).find_longest_match(
        0, len(core), 0, len(flat)
    )
    return (m.size / len(core)) ** 2 if m.size >= 4 else 0.0


def _title_match(title: str, law: str, exact: bool = False) -> bool:
    """Is ``law`` (maybe with leading words like 根据) the name of the document titled ``title``?"""
    for i in range(0, max(1, len(law) - 1)):
        name = law[i:]
        if len(name) < 2:
            break
        if (title.endswith(name) or _short_title(title) == name) if exact else name in title:
            return True
    return False
