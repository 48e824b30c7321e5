"""``QAService``: the one place that builds everything. Front doors (CLI, API, UI) call only this."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from .errors import UploadTooLargeError, UsageError
from .feedback import FEEDBACK_FILE, FeedbackStore
from .handoff import Handoff
from .index.embeddings import make_embeddings
from .index.store import Index
from .ingest.chunking import CHUNKER_VERSION
from .ingest.loaders import make_doc_id
from .ingest.pipeline import CommitGate, Progress, ingest_paths, ingest_upload, read_upload
from .search.filters import Filters
from .search.issue_map import IssueMap
from .search.keyword import KeywordCache
from .search.refs import References
from .search.retriever import Retriever
from .search.situation_search import SituationSearch
from .settings import Settings, get_settings
from .stats import STATS_FILE, OutcomeCounters, report
from .types import Answer, Calculation, Document, DocumentInfo, IngestReport, SearchResult

if TYPE_CHECKING:
    from .answer.chain import AnswerChain

logger = logging.getLogger(__name__)

DEFAULT_CORPUS = Path("corpus")
WARM_UP_QUERY = "劳动合同"  # a fixed query, not a worker's question


class QAService:
    def __init__(
        self, settings: Settings, role: str = "serve", embeddings: Embeddings | None = None
    ) -> None:
        self.settings = settings
        self.role = role
        self.index = Index(settings, chunker=CHUNKER_VERSION)
        self.keywords = KeywordCache(self.index)
        self._embeddings = embeddings
        self._checked_generation: str | None = None
        self._lock = threading.Lock()
        self._handoff: Handoff | None = None
        self._feedback: FeedbackStore | None = None
        self._feedback_lock = threading.Lock()  # not _lock: that one is held while a model loads

    @classmethod
    def from_settings(cls, settings: Settings | None = None, role: str = "serve") -> QAService:
        return cls(settings or get_settings(), role=role)

    # --- parts, built on first use ----------------------------------------------------

    @property
    def embeddings(self) -> Embeddings:
        with self._lock:
            if self._embeddings is None:
                self._embeddings = make_embeddings(
                    self.settings.embedding_spec, self.role, self.settings.threads
                )
            return self._embeddings

    @cached_property
    def issue_map(self) -> IssueMap:
        """The package's labour situations and the deployment's own (``<data_dir>/situations``)."""
        return IssueMap.load(self.settings.data_dir / "situations")

    @cached_property
    def situation_search(self) -> SituationSearch:
        return SituationSearch(
            self.issue_map,
            self.embeddings,
            self.references,
            self.settings.situations,
            self.settings.data_dir,  # the exemplar matrix is cached there once it exists
        )

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(
            self.index,
            self.embeddings,
            self.settings.retrieval,
            self.keywords,
            self.situation_search,
        )

    @cached_property
    def references(self) -> References:
        """Articles and passages named by the issue map and the calculators, found in the index."""
        return References(self.index, self.keywords)

    @cached_property
    def chain(self) -> AnswerChain:
        from .answer.chain import AnswerChain

        return AnswerChain(self.retriever, self.index, self.settings, self.references)

    def _ensure_compatible(self) -> None:
        gen = self.index.generation()
        if gen != self._checked_generation:
            self.index.check_compatible(self.settings.embedding_spec)
            self._checked_generation = gen

    # --- documents --------------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[Path] = (),
        *,
        prune: bool = False,
        rebuild: bool = False,
        progress: Progress | None = None,
        trusted: bool = False,  # the maintainer vouches for every file (answer/trust.py)
    ) -> IngestReport:
        targets = [Path(p) for p in paths] or [DEFAULT_CORPUS]
        report = ingest_paths(
            self.index,
            self.embeddings,
            self.settings.embedding_spec,
            targets,
            prune=prune,
            rebuild=rebuild,
            progress=progress,
            trusted=trusted,
        )
        self.keywords.refresh()
        if self.settings.situations.enabled:
            self.situation_search.warm_up()  # embed the map's exemplars now, not at first question
        return report

    def add_document(
        self,
        data: bytes,
        filename: str,
        *,
        max_chunks: int | None = None,
        gate: CommitGate | None = None,
        trusted: bool = False,
    ) -> tuple[DocumentInfo, bool]:
        """Ingest one uploaded file (the API's POST /v1/documents); returns it and whether it
        was written. A file whose bytes are already indexed is returned as it is (a retry
        writes nothing); one of more than ``max_chunks`` chunks is refused before any work;
        ``trusted``: the administrator vouches for it (answer/trust.py)."""
        upload = read_upload(data, filename, trusted)  # a bad file fails before the model loads
        trust = upload.doc.metadata.get("trust")
        if self.index.exists():
            same = [
                d
                for d in self.index.documents()
                if d.sha256 == upload.sha256 and d.metadata.get("trust") == trust
            ]
            if same:
                return next((d for d in same if d.doc_id == upload.doc.doc_id), same[0]), False
        if max_chunks is not None and len(upload.chunks) > max_chunks:
            raise UploadTooLargeError(len(upload.chunks), max_chunks)
        ingest_upload(self.index, self.embeddings, self.settings.embedding_spec, upload, gate)
        self.keywords.refresh()
        return next(d for d in self.index.documents() if d.doc_id == upload.doc.doc_id), True

    def delete_document(self, doc_id: str) -> bool:
        with self.index.lock():
            gone = self.index.delete_document(doc_id)
            if gone:
                self.index.finish_write()
        if gone:
            self.keywords.refresh()
        return gone

    def documents(self) -> list[DocumentInfo]:
        return self.index.documents()

    def get_document(self, doc_id: str) -> Document | None:
        return self.index.get_document(doc_id)

    # --- questions --------------------------------------------------------------------

    def search(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | dict[str, str] | list[str] | None = None,
    ) -> SearchResult:
        if not isinstance(filters, Filters):
            filters = Filters.parse(filters)
        if not (question or "").strip():
            raise UsageError("问题不能为空，请输入要查询的内容。")
        self._ensure_compatible()
        return SearchResult(
            query=question, hits=self.retriever.search(question, k=k, filters=filters)
        )

    def classify(self, question: str, history: Sequence[str] = ()) -> dict[str, Any]:
        """The labour situations a question describes, with where to go, the deadline, the facts
        a hotline needs and whether each governing article is indexed (for routing a ticket)."""
        from .answer import guidance
        from .answer.question import make_question

        if not (question or "").strip():
            raise UsageError("问题不能为空，请输入要查询的内容。")
        self._ensure_compatible()
        q = make_question(question, list(history))
        vector = self.embeddings.embed_query(q.query)
        matches = self.situation_search.match(q.query, vector, q.lang)
        urgent = guidance.urgent(q.text)
        return {
            "situations": [self.situation_info(m.situation.id, m.score) for m in matches],
            "urgency": "urgent" if urgent else "normal",
            "urgent_class": urgent,
            "call_now": list(guidance.CALL_NOW.get(urgent, ())) if urgent else [],
        }

    def situation_info(self, sid: str, score: float | None = None) -> dict[str, Any]:
        s = self.issue_map.get(sid)
        if s is None:
            raise UsageError(f"没有这个情形：{sid}")
        indexed = self.index.exists()
        out: dict[str, Any] = {
            "id": s.id,
            "name": s.name,
            "name_en": s.name_en,
            "offices": list(s.offices),
            "deadline": s.deadline,
            "facts": list(s.facts),
            "calculator": s.calculator,
            "articles": [
                {
                    "ref": str(a),
                    "indexed": bool(indexed and self.references.chunk_ids(a)),
                }
                for a in s.articles
            ],
            "exemplars": len(s.exemplars),
            "file": s.file,
        }
        if score is not None:
            out["score"] = round(score, 4)
        return out

    def ask(self, question: str, history: Sequence[str] = (), as_of: date | None = None) -> Answer:
        if not (question or "").strip():
            raise UsageError("问题不能为空，请输入要查询的内容。")
        self._ensure_compatible()
        return self.chain.ask(question, history=list(history), as_of=as_of)

    def ask_stream(
        self, question: str, history: Sequence[str] = (), as_of: date | None = None
    ) -> Iterator[str | Answer]:
        """Text pieces of the answer as verified sentences are produced, then the final Answer."""
        if not (question or "").strip():
            raise UsageError("问题不能为空，请输入要查询的内容。")
        self._ensure_compatible()
        return self.chain.stream(question, history=list(history), as_of=as_of)

    # --- calculators ------------------------------------------------------------------

    def calculate(self, kind: str, inputs: Mapping[str, Any], lang: str = "zh") -> Calculation:
        """One calculator kind over ``inputs`` (typed values or strings), its articles quoted
        verbatim from the index. Raises UsageError (naming the field) for an unknown kind or
        input or a bad value; a missing input is listed in ``missing``."""
        from .calc import KINDS, calculate

        if kind not in KINDS:
            raise UsageError(f"未知的计算类型：{kind}（可用：{'、'.join(KINDS)}）")
        self._ensure_compatible()
        return calculate(kind, inputs, self.references.citation, lang=lang)

    @staticmethod
    def calculator_kinds() -> list[dict[str, Any]]:
        """Every calculator kind with its inputs, for listings (GET /v1/calculate, the CLI, the
        UI): name, names in Chinese and English, and per input its name, type, unit, whether it
        is required, its choices and labels."""
        from .calc import KINDS

        return [
            {
                "name": k.name,
                "name_zh": k.name_zh,
                "name_en": k.name_en,
                "inputs": [
                    {
                        "name": i.name,
                        "type": i.type,
                        "unit": i.unit,
                        "required": i.required,
                        "choices": list(i.choices),
                        "choices_zh": list(i.choices_zh),
                        "label_zh": i.label_zh,
                        "label_en": i.label_en,
                    }
                    for i in k.inputs
                ],
                "one_of": [list(g) for g in k.one_of],
            }
            for k in KINDS.values()
        ]

    def warm_up(self) -> dict[str, Any]:
        """Load the model, open the index (``ready`` counts both collections, Chroma's first read
        of each), search once (the keyword index and the chunks' HNSW segment) and warm the
        answer chain, so the first question is quick. Returns ``ready()``'s counts."""
        info = self.ready()
        self.search(WARM_UP_QUERY, k=1)
        self.chain.warm_up()
        if self.settings.situations.enabled:  # the map's exemplar matrix (cached in the data dir)
            self.situation_search.warm_up()
        return info

    # --- what happened to answers: counters, ratings, the hotline's webhook -----------------

    @property
    def feedback(self) -> FeedbackStore:
        """The ratings of answers (one store per service), opened and purged on first use."""
        with self._feedback_lock:
            if self._feedback is None:
                self._feedback = FeedbackStore(
                    self.settings.data_dir / FEEDBACK_FILE,
                    self.settings.api.feedback_retention_days,
                )
            return self._feedback

    @cached_property
    def outcomes(self) -> OutcomeCounters:
        return OutcomeCounters(
            self.settings.data_dir / STATS_FILE, self.settings.stats.retention_days
        )

    @property
    def handoff(self) -> Handoff | None:
        """The webhook's outbox and sender (one per service); None when no URL is set."""
        if not self.settings.handoff.url:
            return None
        with self._lock:
            if self._handoff is None:
                self._handoff = Handoff(self.settings.handoff, self.settings.data_dir)
            return self._handoff

    def record(
        self,
        answer: Answer,
        answer_id: str,
        channel: str,
        *,
        lang: str = "zh",
        question: str | None = None,
    ) -> None:
        """What a front door calls once an answer has its id: count the outcome and, when the
        answer has an escalation and a webhook is set, hand it off. ``lang`` is the question's
        (``text.questions.detect_lang``); ``question`` is used only by the webhook, only when
        ``UNIONQA_HANDOFF__INCLUDE_QUESTION`` is true, and redacted. Never raises for a store
        that fails: the worker still gets the answer, and the log says what failed."""
        try:
            self.outcomes.add(answer, channel, lang)
        except (sqlite3.Error, OSError):
            logger.exception("could not count an outcome")
        if answer.escalation is not None and self.handoff is not None:
            try:
                self.handoff.submit(answer, answer_id, channel, question)
            except OSError:
                logger.exception("could not write a handoff to the outbox")

    def start_delivery(self) -> None:
        """Start sending what the outbox holds (a restart resends what is left)."""
        if self.handoff is not None:
            self.handoff.delivery.start()

    def stop_delivery(self, timeout: float = 5.0) -> None:
        if self._handoff is not None:
            self._handoff.delivery.stop(timeout)

    def stats(self, days: int = 7) -> dict[str, Any]:
        """The outcome report of the last ``days`` days, with the ratings of ``self.feedback``."""
        if days < 1:
            raise UsageError("days 至少为 1。")
        return report(self.outcomes, self.feedback, days)

    def ready(self) -> dict[str, Any]:
        """For /readyz: model loaded, index opened and non-empty."""
        info = self.index.info()
        self._ensure_compatible()
        _ = self.embeddings
        return {
            "documents": info["documents"],
            "chunks": info["chunks"],
            "embedding": info.get("embedding"),
        }


__all__ = ["QAService", "make_doc_id"]
