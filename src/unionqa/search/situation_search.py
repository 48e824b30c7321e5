"""The issue map at search time: a question's vector → the labour situations it describes → their
governing articles (those that are indexed) as boosts for the retriever, each with its reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..settings import SituationSettings
from .issue_map import IssueMap, Match, Matcher
from .refs import References


@dataclass(frozen=True)
class Boost:
    weight: float
    situation: str  # the situation id whose governing article this chunk is
    position: int  # its place in the situation's article list (0 = the rule that answers)
    best: bool  # of the best matched situation


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

    def boosts(self, matches: Sequence[Match]) -> dict[str, Boost]:
        """Chunk id → boost for the governing articles of the matched situations."""
        out: dict[str, Boost] = {}
        for i, m in enumerate(matches):
            factor = 1.0 if i == 0 else self.cfg.second_factor
            for j, ref in enumerate(m.situation.articles):
                if not ref.law:  # a passage of a news item or notice is found by its words; the
                    continue  # statutes' articles are what workers' words fail to reach
                weight = self.cfg.boost * factor * self.cfg.article_decay**j
                for cid in self.references.chunk_ids(ref):
                    if cid not in out or out[cid].weight < weight:
                        out[cid] = Boost(round(weight, 6), m.situation.id, j, i == 0)
        return out
