"""unionqa against the naive LangChain RAG, in the same run, on both question sets.

The issue's bar: unionqa beats the naive RAG on gold-quote recall and on key-fact recall over
eval/questions.jsonl (corpus/) and ../shared/eval-dev/real_questions.jsonl (the statutes). The
two systems hand on chunks of different sizes (statute articles of ~125 characters against
1,000-character chunks), so gold-quote recall is compared within the same amount of text, at
every budget the report shows; recall in the top 5 hits is compared where the chunk sizes are
alike (corpus/, whose news paragraphs are packed into pieces of 200-400 characters). The margins
are whatever the system achieves: nothing here is tuned to pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unionqa.eval import metrics as ev
from unionqa.eval.run import run_eval
from unionqa.service import QAService

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "eval" / "questions.jsonl"
REAL = REPO.parent / "shared" / "eval-dev" / "real_questions.jsonl"


def _run(service: QAService, questions: Path, out: Path) -> tuple[dict, dict]:
    assert run_eval(service.settings, questions, out=out, with_baseline=True) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report["metrics"]["overall"], report["baseline"]["metrics"]["overall"]


def _assert_beats(ours: dict, naive: dict, metrics: list[str]) -> None:
    worse = {m: (ours[m], naive[m]) for m in metrics if not ours[m] >= naive[m]}
    assert not worse, f"unionqa below the naive RAG (ours, naive): {worse}"
    assert ours["key_fact_recall"] > naive["key_fact_recall"], (ours, naive)


def test_unionqa_beats_the_naive_rag_on_the_corpus_set(corpus_service, tmp_path):
    ours, naive = _run(corpus_service, QUESTIONS, tmp_path)
    assert ours["n"] == naive["n"] >= 120
    _assert_beats(ours, naive, [f"quote_recall@{ev.QUOTE_K}", *ev.CONTEXT_BUDGETS])
    assert ours["citation_validity"] == naive["citation_validity"] == 1.0
    assert ours["refusal_rate"] > naive["refusal_rate"] == 0.0


def test_unionqa_beats_the_naive_rag_on_real_questions_within_equal_context(laws_service, tmp_path):
    if not REAL.is_file():
        pytest.skip("../shared/eval-dev/real_questions.jsonl is absent")
    ours, naive = _run(laws_service, REAL, tmp_path)
    assert ours["n"] == naive["n"] == 45
    _assert_beats(ours, naive, list(ev.CONTEXT_BUDGETS))
    # what the comparison in equal context corrects for: the naive RAG's top 5 hold far more text
    chars = f"context_chars@{ev.QUOTE_K}"
    assert naive[chars] > 4 * ours[chars]
