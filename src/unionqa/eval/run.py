"""``unionqa eval``: run a question file through ``QAService.search`` and ``QAService.ask``
(and the naive LangChain baseline), score with ``metrics.py``, write ``report.json``,
``report.html`` and ``metrics.json``, print a one-screen table, and gate against a
previous metrics snapshot.

Retrieval is scored at depth ``RETRIEVE_K`` for both systems; for a follow-up question the
search query is the earlier turns plus the question (``ask`` gets them as history).
``metrics.json`` (and ``report.json``) have ``{"metrics": {"overall": ...}}``; copy either to
``eval/baseline.json`` to make a run the reference for ``--compare``.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..errors import IndexNotReadyError, UsageError
from ..service import QAService
from ..settings import Settings
from ..types import Answer, Citation, Document, Hit
from . import metrics as ev
from .baseline import CHUNK_OVERLAP, CHUNK_SIZE, TOP_K, NaiveRAG
from .gates import GATES, check_floors, compare_metrics
from .judge import JUDGE_SKIPPED, Judge
from .report import print_summary, render_html
from .understanding import understanding_scores

logger = logging.getLogger(__name__)

RETRIEVE_K = 40  # deep enough for the equal-context recall; MRR is cut at metrics.MRR_K


def temporary_settings(settings: Settings, **updates: Any) -> Settings:
    """A copy of settings pointing at a fresh temporary data dir (for ``eval --ingest``)."""
    tmp = Path(tempfile.mkdtemp(prefix="unionqa-"))
    return settings.model_copy(update={"data_dir": tmp, **updates})


@dataclass
class SystemRun:
    """One system's results over the question set."""

    name: str
    records: list[dict[str, Any]] = field(default_factory=list)
    judge_status: str = JUDGE_SKIPPED

    def metrics(self, items: Sequence[ev.EvalItem]) -> dict[str, Any]:
        out = ev.summarize(
            [(it.kind, r["scores"]) for it, r in zip(items, self.records, strict=True)]
        )
        out["latency_ms"] = ev.latency_summary(r["timings_ms"] for r in self.records)
        return out


def run_eval(
    settings: Settings,
    questions: Path,
    ingest: Sequence[Path] = (),
    out: Path = Path("eval/out"),
    with_baseline: bool = True,
    compare: Path | None = None,
    as_of: date | None = None,
) -> int:
    """Run, score, write the reports, print the table; 1 when a gate fails, else 0."""
    items = ev.load_questions(Path(questions))
    previous = read_snapshot(compare) if compare else None
    console = Console(stderr=True)
    tmp_dir: Path | None = None
    baseline: NaiveRAG | None = None
    setup: dict[str, float] = {}
    try:
        if ingest:
            settings = temporary_settings(settings)
            tmp_dir = Path(settings.data_dir)
            service = QAService(settings, role="ingest")
            t0 = time.perf_counter()
            with console.status("building a temporary index…"):
                ingested = service.ingest(list(ingest))
            setup["ingest_s"] = round(time.perf_counter() - t0, 2)
            for f in ingested.failed:
                console.print(f"[yellow]not ingested[/]: {f.path}: {f.error}")
        else:
            service = QAService(settings)
        docs = _documents(service)
        if with_baseline:
            t0 = time.perf_counter()
            with console.status("building the naive LangChain baseline…"):
                baseline = NaiveRAG(list(docs.values()), service.embeddings)
            setup["baseline_build_s"] = round(time.perf_counter() - t0, 2)
        judge = Judge(settings) if settings.llm.base_url else None
        t0 = time.perf_counter()
        ours, theirs = _run_all(items, service, baseline, docs, judge, as_of, console)
        setup["questions_s"] = round(time.perf_counter() - t0, 2)
    finally:
        if baseline is not None:
            baseline.close()
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)

    metrics = ours.metrics(items)
    base_metrics = theirs.metrics(items) if theirs else None
    failures: list[Any] = (
        compare_metrics(metrics["overall"], previous["overall"]) if previous else []
    )
    floors = read_floors(compare) if compare else {}
    failures += check_floors(
        metrics["overall"], floors, base_metrics["overall"] if base_metrics else None
    )
    report = _report(items, questions, ingest, settings, as_of, ours, theirs, metrics, base_metrics)
    report["setup_seconds"] = setup
    if compare:
        report["gate"] = {
            "compare": str(compare),
            "gates": [g.__dict__ for g in GATES],
            "floors": floors,
            "failures": [str(f) for f in failures],
            "passed": not failures,
        }
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "report.json", report)
    snapshot = {k: report[k] for k in ("schema", "created", "questions", "n_items", "metrics")}
    snapshot["baseline_metrics"] = base_metrics
    _write_json(out / "metrics.json", snapshot)
    (out / "report.html").write_text(render_html(report), encoding="utf-8")
    print_summary(Console(), report, failures, out)
    return 1 if failures else 0


def read_floors(path: Path) -> dict[str, dict[str, float]]:
    """The absolute floors a baseline file carries (``"floors"``), or none."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    floors = data.get("floors") if isinstance(data, dict) else None
    return floors if isinstance(floors, dict) else {}


def read_snapshot(path: Path) -> dict[str, Any]:
    """The ``metrics`` of a report.json / metrics.json / eval/baseline.json."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise UsageError(f"找不到对比基线文件：{path}") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UsageError(f"对比基线文件 {path} 不是有效的 JSON。") from e
    metrics = data.get("metrics") if isinstance(data, dict) else None
    if not isinstance(metrics, dict) or not isinstance(metrics.get("overall"), dict):
        raise UsageError(f"对比基线文件 {path} 缺少 metrics.overall。")
    return metrics


# --- running --------------------------------------------------------------------------


def _documents(service: QAService) -> dict[str, Document]:
    docs = {}
    for info in service.documents():
        doc = service.get_document(info.doc_id)
        if doc is not None:
            docs[doc.doc_id] = doc
    if not docs:
        raise IndexNotReadyError()
    return docs


def search_query(item: ev.EvalItem) -> str:
    return "\n".join([*item.history, item.question])


def _run_all(
    items: Sequence[ev.EvalItem],
    service: QAService,
    baseline: NaiveRAG | None,
    docs: dict[str, Document],
    judge: Judge | None,
    as_of: date | None,
    console: Console,
) -> tuple[SystemRun, SystemRun | None]:
    def doc_text(c: Citation) -> str | None:
        doc = docs.get(c.doc_id)
        return doc.text if doc is not None else None

    ours = SystemRun("unionqa")
    theirs = SystemRun(NaiveRAG.name) if baseline else None
    columns = (TextColumn("eval"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        task = bar.add_task("eval", total=len(items))
        for item in items:
            record = _run_one(
                item,
                lambda q: service.search(q, k=RETRIEVE_K).hits,
                lambda it: service.ask(it.question, history=it.history, as_of=as_of),
                doc_text,
                judge,
            )
            ours.records.append(record)
            if baseline is not None and theirs is not None:
                rec = _run_one(
                    item,
                    lambda q: baseline.search(q, k=RETRIEVE_K),
                    lambda it: baseline.ask(it.question, history=it.history),
                    doc_text,
                    judge,
                )
                theirs.records.append(rec)
            bar.advance(task)
    for run in (ours, theirs):
        if run is not None and judge is not None:
            run.judge_status = judge.status()
    return ours, theirs


def _run_one(
    item: ev.EvalItem,
    search: Callable[[str], list[Hit]],
    ask: Callable[[ev.EvalItem], Answer],
    doc_text: ev.DocText,
    judge: Judge | None,
) -> dict[str, Any]:
    """Score one item with one system."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    hits = search(search_query(item))
    timings["eval.search"] = _ms(t0)
    scores = ev.retrieval_scores(item, hits)
    answer: Answer | None = None
    error: str | None = None
    t0 = time.perf_counter()
    try:
        answer = ask(item)
    except Exception as e:  # one broken item must not end the run; it scores as an error
        logger.warning("ask failed on %s: %s", item.id, e.__class__.__name__)
        error = f"{e.__class__.__name__}: {e}"
    timings["eval.ask"] = _ms(t0)
    scores["error"] = float(answer is None)
    shown = answer or Answer(answer="", refused=False)
    scores.update(ev.answer_scores(item, shown, doc_text))
    scores.update(understanding_scores(item, shown))
    if answer is not None:
        timings.update(answer.timings_ms)
        if judge is not None:
            scores.update(judge.judge(item.question, answer))
    record = {
        "hits": [_hit_json(h) for h in hits],
        "answer": answer.model_dump(mode="json") if answer else None,
        "error": error,
        "scores": scores,
        "quality": round(ev.item_quality(scores, item.answerable), 4),
        "timings_ms": timings,
    }
    return record


def _hit_json(h: Hit) -> dict[str, Any]:
    return {
        "source": h.source,
        "locator": h.locator,
        "start": h.start,
        "end": h.end,
        "score": h.score,
        "text": h.text,
    }


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


# --- output ---------------------------------------------------------------------------


def _report(
    items: Sequence[ev.EvalItem],
    questions: Path,
    ingest: Sequence[Path],
    settings: Settings,
    as_of: date | None,
    ours: SystemRun,
    theirs: SystemRun | None,
    metrics: dict[str, Any],
    base_metrics: dict[str, Any] | None,
) -> dict[str, Any]:
    records = []
    for i, item in enumerate(items):
        rec = {**item.model_dump(mode="json"), "unionqa": ours.records[i]}
        if theirs:
            rec["baseline"] = theirs.records[i]
        records.append(rec)
    return {
        "schema": 1,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions": str(questions),
        "n_items": len(items),
        "ingest": [str(p) for p in ingest],
        "as_of": as_of.isoformat() if as_of else None,
        "config": {
            "embedding": settings.embedding_spec,
            "retrieval": settings.retrieval.model_dump(),
            "llm_model": settings.llm.model if settings.llm.base_url else None,
            "retrieve_k": RETRIEVE_K,
            "quote_k": ev.QUOTE_K,
        },
        "answers": "ok",
        "llm_judge": ours.judge_status,
        "metrics": metrics,
        "baseline": {
            "name": theirs.name,
            "config": {"chunk_size": CHUNK_SIZE, "chunk_overlap": CHUNK_OVERLAP, "top_k": TOP_K},
            "answers": "ok",
            "metrics": base_metrics,
        }
        if theirs
        else None,
        "setup_seconds": {},
        "gate": None,
        "items": records,
    }


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
