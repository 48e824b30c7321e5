"""The issue map at search time: a question's vector → the labour situations it describes → their
governing articles (those that are indexed) as boosts for the retriever, each with its reason."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..settings import SituationSettings
from ..text.questions import about_work
from ..text.tokens import tokenize
from .issue_map import IssueMap, Match, Situation
from .refs import References

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Boost:
    weight: float
    situation: str  # the situation id whose governing article this chunk is
    position: int  # its place in the situation's article list (0 = the rule that answers)
    best: bool  # of the best matched situation
    asked: bool = False  # its asked-point words (``asks``) are in the question


class SituationSearch:
    def __init__(
        self,
        issue_map: IssueMap,
        embeddings: Any,
        references: References,
        cfg: SituationSettings,
        cache_dir: Path | None,
    ) -> None:
        self.map = issue_map
        self.matcher = Matcher(issue_map, embeddings, cache_dir)
        self.references = references
        self.cfg = cfg

    def warm_up(self) -> None:
        self.matcher.warm_up()

    def match(self, text: str, vector: Sequence[float], lang: str) -> list[Match]:
        if not self.cfg.enabled:
            return []
        return self.matcher.match(text, vector, lang, self.cfg)

    def boosts(self, matches: Sequence[Match], text: str = "") -> dict[str, Boost]:
        """Chunk id → boost for the governing articles of the matched situations, in the order
        that answers ``text`` (the article of the asked point first)."""
        out: dict[str, Boost] = {}
        for i, m in enumerate(matches):
            factor = 1.0 if i == 0 else self.cfg.second_factor
            asked = m.situation.asked(text)
            for j, ref in enumerate([*asked, *(r for r in m.situation.articles if r not in asked)]):
                if not ref.law:  # a passage of a news item or notice is found by its words; the
                    continue  # statutes' articles are what workers' words fail to reach
                weight = self.cfg.boost * factor * self.cfg.article_decay**j
                if ref in asked:
                    weight *= self.cfg.asked_factor
                for cid in self.references.chunk_ids(ref):
                    if cid not in out or out[cid].weight < weight:
                        out[cid] = Boost(round(weight, 6), m.situation.id, j, i == 0, ref in asked)
        return out


# exemplar matrices by (model, map fingerprint): every service of a process shares one
_MEMO: dict[tuple[str, str], np.ndarray] = {}
_BM25: dict[str, Any] = {}  # the exemplars' BM25 by their text and tokenizer


class Matcher:
    """Question → ranked situations. The exemplar matrix is built once per process (loaded
    from the cache under the data dir when the map and the model are unchanged)."""

    def __init__(self, issue_map: IssueMap, embeddings: Any, cache_dir: Path | None) -> None:
        self.map = issue_map
        self.embeddings = embeddings
        self.cache_dir = cache_dir
        self._matrix: np.ndarray | None = None
        self._groups: np.ndarray = np.zeros((0, 1), dtype=np.int64)
        self._bm25: Any = None
        self._lock = threading.Lock()

    def _model_name(self) -> str:
        return str(getattr(self.embeddings, "name", type(self.embeddings).__name__))

    def _cache_path(self, fingerprint: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"situations-{self._model_name()}-{fingerprint}.npy"

    def warm_up(self) -> None:
        with self._lock:
            if self._matrix is not None:
                return
            texts = [e for s in self.map.situations for e in s.exemplars]
            # row i: the exemplar rows of situation i, padded with -1 (for a top-k per row)
            sizes = [len(s.exemplars) for s in self.map.situations]
            self._groups = np.full((len(sizes), max(sizes, default=1)), -1, dtype=np.int64)
            for i, row in enumerate(np.split(np.arange(len(texts)), np.cumsum(sizes)[:-1])):
                self._groups[i, : len(row)] = row
            self._bm25 = _situation_bm25(self.map.situations, self.cache_dir)
            fingerprint = self.map.fingerprint()
            key = (self._model_name(), fingerprint)
            if key in _MEMO:
                self._matrix = _MEMO[key]
                return
            path = self._cache_path(fingerprint)
            if path is not None and path.exists():
                m = np.load(path)
                if m.shape[0] == len(texts):
                    self._matrix = _MEMO[key] = m
                    return
            logger.info("embedding %d situation exemplars", len(texts))
            m = np.asarray(self.embeddings.encode(texts, query=True), dtype=np.float32)
            _MEMO[key] = m
            if path is not None and path.parent.is_dir():
                for old in path.parent.glob("situations-*.npy"):
                    old.unlink(missing_ok=True)
                tmp = path.with_name(path.stem + ".tmp.npy")
                np.save(tmp, m)
                tmp.replace(path)
            self._matrix = m

    def match(
        self, text: str, vector: Sequence[float], lang: str, cfg: SituationSettings
    ) -> list[Match]:
        """The situations ``text`` (with its vector) describes, best first; [] for none."""
        if not self.map.situations or not about_work(text):
            return []
        self.warm_up()
        assert self._matrix is not None
        sims = self._matrix @ np.asarray(vector, dtype=np.float32)
        if float(sims.max()) < cfg.min_similarity:
            return []
        # English questions have few exemplars of their language: their nearest one decides
        k = 1 if lang == "en" else cfg.top_exemplars
        dense = _top_mean(sims, self._groups, k)
        lexical = _bm25_scores(self._bm25, text, len(dense))
        if lexical.max() > 0:
            dense = dense + cfg.lexical_weight * lexical / lexical.max()
        folded = text.lower()
        scored: list[Match] = []
        for i, s in enumerate(self.map.situations):
            if any(x.lower() in folded for x in s.excludes):
                continue
            trig = any(t.lower() in folded for t in s.triggers)
            scored.append(
                Match(s, round(float(dense[i]) + (cfg.trigger_bonus if trig else 0.0), 4), trig)
            )
        scored.sort(key=lambda m: -m.score)
        if not scored:
            return []
        top = scored[0].score
        return [m for m in scored if m.score >= top - cfg.second_margin][: cfg.max_matches]


def _top_mean(sims: np.ndarray, groups: np.ndarray, k: int) -> np.ndarray:
    """Per row of ``groups`` (indices into ``sims``, -1 = none): the mean of its ``k`` largest."""
    padded = np.where(groups >= 0, sims[np.maximum(groups, 0)], -np.inf)
    k = min(k, padded.shape[1])
    top = -np.partition(-padded, k - 1, axis=1)[:, :k]
    valid = np.isfinite(top)
    return np.where(valid, top, 0.0).sum(axis=1) / np.maximum(valid.sum(axis=1), 1)


def _situation_bm25(situations: Sequence[Situation], cache_dir: Path | None) -> Any:
    """BM25 over each situation's exemplars, name and triggers. Their jieba tokens are cached
    under the data dir (keyed by the text and the tokenizer), so a new process does not cut
    1,500 exemplars again."""
    from .keyword import _tokenizer_version, import_bm25s

    texts = [" ".join([*s.exemplars, s.name, *s.triggers]) for s in situations]
    key = hashlib.blake2b(
        json.dumps([_tokenizer_version(), texts], ensure_ascii=False).encode("utf-8"),
        digest_size=12,
    ).hexdigest()
    if key in _BM25:  # once per process
        return _BM25[key]
    path = cache_dir / f"situations-tokens-{key}.json" if cache_dir is not None else None
    docs: list[list[str]] | None = None
    if path is not None and path.exists():
        with contextlib.suppress(OSError, ValueError):
            docs = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(docs, list) or len(docs) != len(texts):
        docs = [tokenize(t) for t in texts]
        if path is not None and path.parent.is_dir():
            for old in path.parent.glob("situations-tokens-*.json"):
                old.unlink(missing_ok=True)
            tmp = path.with_name(path.stem + ".tmp")
            tmp.write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
    model = _BM25[key] = import_bm25s().BM25()
    model.index(docs, show_progress=False)
    return model


def _bm25_scores(model: Any, text: str, n: int) -> np.ndarray:
    vocab = getattr(model, "vocab_dict", {})
    tokens = [t for t in tokenize(text) if t in vocab]
    if not tokens:
        return np.zeros(n, dtype=np.float32)
    return np.asarray(model.get_scores(tokens), dtype=np.float32)
