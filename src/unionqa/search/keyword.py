"""Keyword side of hybrid search: jieba tokens scored with BM25 (bm25s).

The index is derived from the chunks in Chroma, so any process (or API worker sharing a Chroma
server) can rebuild it; it is cached on disk under the data dir, tagged with the collection's
``generation`` so a stale cache is never used. Tokenizing is most of a rebuild, so the index keeps
each chunk's tokens, keyed by a hash of the text they came from: after a write, only new or
changed chunks are tokenized again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import shutil
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..text.tokens import tokenize

if TYPE_CHECKING:
    from ..index.store import Index

logger = logging.getLogger(__name__)

KEYWORD_RECHECK_S = 2.0


def import_bm25s() -> Any:
    """``bm25s``, with its logger following the root's level again: importing it sets its own
    logger to DEBUG, which printed ``DEBUG bm25s`` lines in every ingest."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.NOTSET)
    return bm25s


def _text_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _tokenizer_version() -> str:
    """What tokens depend on besides the text: jieba's version and the words added to it."""
    import jieba

    from ..text.glossary import COLLOQUIAL

    words = "\n".join(sorted(COLLOQUIAL))
    return (
        f"{jieba.__version__}:{hashlib.blake2b(words.encode('utf-8'), digest_size=8).hexdigest()}"
    )


class KeywordIndex:
    """BM25 over chunk texts plus the metadata columns search needs to filter and boost."""

    # every key of filters.FILTER_KEYS except in_force (which reads valid_until) must be here
    COLUMNS = ("doc_id", "source", "title", "article", "kind", "region", "valid_until")

    def __init__(
        self,
        ids: list[str],
        columns: dict[str, list[Any]],
        retriever: Any,
        generation: str,
        tokens: dict[str, Any] | None = None,
    ):
        self.ids = ids
        self.columns = columns
        self.generation = generation
        self._bm25 = retriever
        # each row's tokens as ids into the BM25 vocabulary: "key" (the text's hash), "flat",
        # "ptr" (row i's tokens are flat[ptr[i]:ptr[i + 1]]) and "version" (_tokenizer_version)
        self.tokens = tokens
        self.row = {cid: i for i, cid in enumerate(ids)}
        self._vocab = set(retriever.vocab_dict) if retriever is not None else set()
        self.by_article: dict[str, list[int]] = {}
        for i, label in enumerate(columns.get("article", [])):
            if label:
                self.by_article.setdefault(label, []).append(i)
        self.by_title: dict[str, list[int]] = {}
        for i, title in enumerate(columns.get("title", [])):
            self.by_title.setdefault(title, []).append(i)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(
        cls,
        ids: list[str],
        texts: list[str],
        metas: list[dict[str, Any]],
        generation: str,
        previous: KeywordIndex | None = None,
    ) -> KeywordIndex:
        """BM25 over ``texts`` (each with its document title); a text ``previous`` has already
        tokenized, by the same tokenizer, reuses its tokens."""
        bm25s = import_bm25s()

        columns = {
            c: [m.get(c, "" if c != "valid_until" else 0) for m in metas] for c in cls.COLUMNS
        }
        if not ids:
            return cls([], columns, None, generation)
        version = _tokenizer_version()
        reuse = previous._rows_by_key(version) if previous is not None else {}
        old = previous.tokens if reuse and previous is not None else None
        old_vocab = previous._vocab_list() if old is not None and previous is not None else []
        vocab: dict[str, int] = {}
        keys = np.empty(len(ids), dtype=np.uint64)
        ptr = np.zeros(len(ids) + 1, dtype=np.int64)
        doc_ids: list[list[int]] = []
        for i, (t, m) in enumerate(zip(texts, metas, strict=True)):
            text = m.get("title", "") + " " + t
            keys[i] = key = _text_key(text)
            row = reuse.get(key)
            if row is not None and old is not None:
                toks = [
                    old_vocab[j]
                    for j in old["flat"][old["ptr"][row] : old["ptr"][row + 1]].tolist()
                ]
            else:
                toks = tokenize(text) or ["∅"]
            doc_ids.append([vocab.setdefault(tok, len(vocab)) for tok in toks])
            ptr[i + 1] = ptr[i] + len(toks)
        retriever = bm25s.BM25()
        retriever.index((doc_ids, vocab), show_progress=False)
        flat = np.fromiter((j for d in doc_ids for j in d), dtype=np.int32, count=int(ptr[-1]))
        tokens = {"key": keys, "flat": flat, "ptr": ptr, "version": version}
        return cls(ids, columns, retriever, generation, tokens)

    def _rows_by_key(self, version: str) -> dict[int, int]:
        """Row of each tokenized text, by its hash (empty when tokenized by another tokenizer)."""
        if self.tokens is None or self.tokens["version"] != version:
            return {}
        return {int(k): i for i, k in enumerate(self.tokens["key"])}

    def _vocab_list(self) -> list[str]:
        out = [""] * len(self._bm25.vocab_dict)
        for tok, j in self._bm25.vocab_dict.items():
            out[j] = tok
        return out

    def save(self, path: Path) -> None:
        # per process: API workers sharing a data dir may save the same generation at once
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25"))
        if self.tokens is not None:
            t = self.tokens
            np.savez(tmp / "tokens.npz", key=t["key"], flat=t["flat"], ptr=t["ptr"])
            (tmp / "tokens.json").write_text(json.dumps({"version": t["version"]}))
        (tmp / "rows.json").write_text(
            json.dumps(
                {"generation": self.generation, "ids": self.ids, "columns": self.columns},
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        shutil.rmtree(path, ignore_errors=True)
        try:
            tmp.rename(path)
        except OSError:  # another worker saved the same index first: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, path: Path) -> KeywordIndex | None:
        bm25s = import_bm25s()

        try:
            rows = json.loads((path / "rows.json").read_text(encoding="utf-8"))
            retriever = bm25s.BM25.load(str(path / "bm25")) if rows["ids"] else None
            missing = set(cls.COLUMNS) - set(rows["columns"])
            if missing:  # a cache written by an older version
                raise KeyError(sorted(missing))
        except (OSError, ValueError, KeyError) as e:
            logger.info("keyword cache unusable (%s); rebuilding", e.__class__.__name__)
            return None
        return cls(rows["ids"], rows["columns"], retriever, rows["generation"], _load_tokens(path))

    def idf(self, token: str) -> float:
        """Inverse document frequency; a token no chunk contains gets the highest weight."""
        n = max(len(self.ids), 1)
        tid = self._bm25.vocab_dict.get(token) if self._bm25 is not None else None
        df = 0
        if tid is not None:
            indptr = self._bm25.scores["indptr"]
            df = int(indptr[tid + 1] - indptr[tid])
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def known(self, token: str) -> bool:
        return token in self._vocab

    def search(self, query: str, n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        if self._bm25 is None:
            return []
        toks = [t for t in tokenize(query) if t in self._vocab]
        if not toks:
            return []
        scores = self._bm25.get_scores(toks)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def article_rows(self, label: str, title_part: str | None = None) -> list[str]:
        """Chunk ids of article ``label`` (第二十四条), optionally in documents whose title has ``title_part``."""
        rows = self.by_article.get(label, [])
        if title_part:
            rows = [i for i in rows if title_part in self.columns["title"][i]]
        return [self.ids[i] for i in rows]


def _load_tokens(path: Path) -> dict[str, Any] | None:
    """The cached tokens of a keyword index, or None (an older cache, or unreadable: the next
    rebuild then tokenizes every chunk)."""
    try:
        with np.load(path / "tokens.npz", allow_pickle=False) as z:
            tokens: dict[str, Any] = {k: z[k] for k in ("key", "flat", "ptr")}
        tokens["version"] = json.loads((path / "tokens.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None
    return tokens


class KeywordCache:
    """The BM25 index for an index's current generation: from memory, the disk cache under the
    data dir, or rebuilt from the chunks. The generation is checked at most every
    ``KEYWORD_RECHECK_S`` seconds, so API workers sharing a Chroma server see each other's writes."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._keyword: KeywordIndex | None = None
        self._keyword_checked = 0.0

    def get(self) -> KeywordIndex:
        now = time.monotonic()
        if self._keyword is not None and now - self._keyword_checked < KEYWORD_RECHECK_S:
            return self._keyword
        gen = self.index.generation()
        self._keyword_checked = now
        if self._keyword is not None and self._keyword.generation == gen:
            return self._keyword
        cache = self.index.data_dir / "keyword" / self.index.name
        kw = KeywordIndex.load(cache) if cache.exists() else None
        if kw is None or kw.generation != gen:
            previous = self._keyword or kw  # either one's tokens spare re-tokenizing most chunks
            ids, texts, metas = self.index.read_chunks()
            logger.info("building keyword index over %d chunks", len(ids))
            kw = KeywordIndex.build(ids, texts, metas, gen, previous)
            with contextlib.suppress(OSError):
                kw.save(cache)
        self._keyword = kw
        return kw

    def refresh(self) -> KeywordIndex:
        """After a write: rebuild now (and save the disk cache for other processes)."""
        self._keyword_checked = float("-inf")  # the old index stays, to lend its tokens
        return self.get()
