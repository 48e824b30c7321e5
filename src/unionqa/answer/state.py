"""What the answer chain knows about one question as it goes through the stages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..search.issue_map import Match
from ..types import Calculation, Hit
from .evidence import Evidence
from .question import Question
from .verify import Unit, Verified


@dataclass
class State:
    q: Question
    as_of: date
    query: str = ""
    hits: list[Hit] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)  # the labour situations, best first
    doc_texts: dict[str, str] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    passages: list[Evidence] = field(default_factory=list)
    coverage: float = 0.0
    missing: float = 0.0
    top_similarity: float = 0.0
    supported: bool = False
    outcome: str = "none"  # answered | partial | none
    unstated: str | None = None  # the kind of figure asked for that no evidence states
    calculation: Calculation | None = None  # computed from the question's own numbers
    known: dict[str, Any] = field(default_factory=dict)  # those numbers, by input label
    ask_for: list[str] = field(default_factory=list)  # facts that would make it specific
    untrusted: set[str] = field(default_factory=set)  # doc ids whose contact details are masked
    urgent: str | None = None
    person: bool = False
    units: Iterator[Unit] | None = None
    verified: Iterator[Verified] | None = None
    narrow: bool = False
    notices: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    mode: str = "extractive"

    @property
    def question(self) -> str:
        return self.q.text

    @property
    def history(self) -> list[str]:
        return list(self.q.history)

    @property
    def lang(self) -> str:
        return self.q.lang

    @property
    def situation(self) -> Any:
        return self.matches[0].situation if self.matches else None
