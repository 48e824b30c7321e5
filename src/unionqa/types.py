"""Frozen value types shared by every layer. Public surfaces speak these, not LangChain/Chroma types."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Document(_Frozen):
    """A loaded file. ``text`` is the body as decoded: YAML front matter and a statute's
    provenance comment line are excluded; every offset in the system points into ``text``."""

    doc_id: str
    source: str  # path relative to the ingested PATH, e.g. "labour_law.md"
    title: str
    text: str
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def valid_until(self) -> date | None:
        return parse_date(self.metadata.get("valid_until"))


class Chunk(_Frozen):
    chunk_id: str
    doc_id: str
    text: str  # == document.text[start:end]
    start: int
    end: int
    locator: str  # "第三十九条", "第二章 第十条", "第3段"
    embed_text: str  # what is embedded: a title/heading prefix + text
    metadata: dict[str, Any] = Field(default_factory=dict)


class Hit(_Frozen):
    chunk_id: str
    doc_id: str
    source: str
    title: str
    text: str
    score: float
    start: int
    end: int
    locator: str
    metadata: dict[str, Any] = Field(default_factory=dict)


class SearchResult(_Frozen):
    query: str
    hits: list[Hit]


class Citation(_Frozen):
    n: int
    doc_id: str
    source: str
    title: str
    quote: str  # == document.text[start:end]
    start: int
    end: int
    locator: str
    valid_until: date | None = None
    # False: the document is not marked trusted (answer/trust.py). The answer masks the phone
    # numbers, URLs and account numbers of ``quote``; whoever shows the quote should too
    trusted: bool = True


def cite(
    n: int, span: Any, quote: str, valid_until: date | None = None, trusted: bool = True
) -> Citation:
    """Citation ``[n]`` of ``quote`` at a span (anything with doc_id, source, title, start, end
    and locator: a Hit, an Evidence)."""
    return Citation(
        n=n,
        doc_id=span.doc_id,
        source=span.source,
        title=span.title,
        quote=quote,
        start=span.start,
        end=span.end,
        locator=span.locator,
        valid_until=valid_until,
        trusted=trusted,
    )


class Escalation(_Frozen):
    """Where a person takes over: always the hotline and why; for a matched labour situation
    also the office to go to and a fact summary with no raw question text (personal data
    redacted); ``urgency`` "urgent" with the numbers to call at once (110, 120, 12351)."""

    hotline: str
    reason: str
    situation: str | None = None
    office: str | None = None
    urgency: Literal["urgent", "normal"] = "normal"
    urgent_class: str | None = None  # self_harm, violence, injury, collective_arrears, detained
    call_now: list[str] = Field(default_factory=list)
    summary: str = ""


class SituationRef(_Frozen):
    id: str
    name: str
    score: float


class CalcResult(_Frozen):
    value: float | int
    unit: str
    text: str


class Calculation(_Frozen):
    """The CONTRACT's Calculation. ``result`` is None when an input or an article is missing,
    and for wage arrears while still employed (no time limit runs; the notices say so)."""

    kind: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list)
    result: CalcResult | None = None
    steps: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)


class Answer(_Frozen):
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)
    escalation: Escalation | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)
    # answered: the documents answer it; partial: they speak to the situation but not to the
    # point asked (refused, citing the governing rule); none: nothing relevant (refused)
    coverage: Literal["answered", "partial", "none"] = "answered"
    situations: list[SituationRef] = Field(default_factory=list)
    calculation: Calculation | None = None
    # the kind of figure asked for that no quote states (money, duration, date, ratio, count,
    # contact), when that is why the answer is partial
    unstated: str | None = None


class DocumentInfo(_Frozen):
    doc_id: str
    source: str
    title: str
    sha256: str
    chunks: int
    metadata: dict[str, Any] = Field(default_factory=dict)


class IngestFailure(_Frozen):
    path: str
    error: str


class IngestReport(_Frozen):
    files: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    failed: list[IngestFailure] = Field(default_factory=list)
    skipped: list[IngestFailure] = Field(default_factory=list)
    seconds: float = 0.0


def parse_date(value: Any) -> date | None:
    """Dates arrive from YAML (date objects), JSON (strings) or Chroma (YYYYMMDD ints)."""
    if value is None or value == "" or value == 0:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, int):
        return date(value // 10000, value // 100 % 100, value % 100)
    return date.fromisoformat(str(value)[:10])
