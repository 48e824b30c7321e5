"""References to passages, resolved against the index: an article of a law (劳动合同法 第三十条) or a
passage of another document (a title substring and a verbatim phrase). The issue map's governing
articles and the calculators' citations both go through here; a reference whose document is not
indexed resolves to nothing."""

from __future__ import annotations

import threading
from typing import Any

from ..index.store import Index
from ..text.articles import law_title_matches
from ..types import Citation, parse_date
from .issue_map import ArticleRef
from .keyword import KeywordCache


class References:
    def __init__(self, index: Index, keywords: KeywordCache) -> None:
        self.index = index
        self.keywords = keywords
        self._ids: dict[tuple[str, ArticleRef], list[str]] = {}
        self._lock = threading.Lock()

    def chunk_ids(self, ref: ArticleRef) -> list[str]:
        """The chunks a reference names in the current generation of the index."""
        kw = self.keywords.get()
        key = (kw.generation, ref)
        with self._lock:
            if key in self._ids:
                return self._ids[key]
        titles = kw.columns["title"]
        if ref.law and ref.article:
            ids = [
                c
                for c in kw.article_rows(ref.article)
                if law_title_matches(titles[kw.row[c]], ref.law)
            ]
        else:
            rows = [
                i for t, idx in kw.by_title.items() if ref.title and ref.title in t for i in idx
            ]
            found = self.index.fetch([kw.ids[i] for i in rows]) if rows else {}
            ids = [c for c, row in found.items() if ref.contains and ref.contains in row["text"]]
        with self._lock:
            if len(self._ids) > 4096 or any(g != kw.generation for g, _ in self._ids):
                self._ids.clear()
            self._ids[key] = ids
        return ids

    def citation(self, law: str, article: str) -> Citation | None:
        """A verbatim citation (n=0) of a whole article, or None when it is not indexed."""
        ids = self.chunk_ids(ArticleRef(law=law, article=article))
        if not ids:
            return None
        row = self.index.fetch(ids[:1])[ids[0]]
        return _citation(row)


def _citation(row: dict[str, Any]) -> Citation:
    m = row["metadata"]
    return Citation(
        n=0,
        doc_id=m["doc_id"],
        source=m["source"],
        title=m["title"],
        quote=row["text"],
        start=int(m["start"]),
        end=int(m["end"]),
        locator=str(m.get("locator", "")),
        valid_until=parse_date(m.get("valid_until")),
    )
