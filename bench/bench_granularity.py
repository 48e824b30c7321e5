"""Does gold-quote recall in the top 5 hits measure retrieval, or chunk size?

Runs ``unionqa eval`` over the 11 statutes with ../shared/eval-dev/real_questions.jsonl twice,
the naive LangChain RAG scored in the same run each time:

- ``articles``: unionqa as shipped, one chunk per statute article (~125 characters);
- ``1000-char chunks``: the same retriever, fusion and answer chain, with the statutes packed into
  chunks of up to 1,000 characters inside each chapter (the naive RAG's size).

If the second wins in the top 5 hits but loses within the same amount of text, recall@5 is
measuring how much text five hits hold, not how well a system ranks. Writes
bench/out/granularity.json and its table in docs/benchmarks.md.

    nice -n 10 .venv/bin/python bench/bench_granularity.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import corpora

from unionqa.eval import metrics as ev
from unionqa.eval.run import run_eval
from unionqa.ingest import chunking
from unionqa.settings import Settings

WINDOW = 1000
METRICS = [f"quote_recall@{ev.QUOTE_K}", *ev.CONTEXT_BUDGETS, "key_fact_recall"]
METRICS += [f"context_chars@{ev.QUOTE_K}"]


def packed_statute_pieces(text: str, blocks: list) -> list:
    """Statute paragraphs packed into pieces of up to WINDOW characters (a piece never spans
    two chapters), each labelled with the article it starts in; replaces
    chunking._statute_pieces for the second run."""
    pieces = chunking._pack(text, blocks, lambda b: b.article or f"第{b.para}段", max_chars=WINDOW)
    for p in pieces:
        if p.locator.endswith("条"):
            p.extra["article"] = p.locator
    return pieces


def run(name: str, out: Path) -> dict:
    settings = Settings(data_dir=out / "unused", _env_file=None)
    code = run_eval(
        settings, corpora.REAL_QUESTIONS, ingest=[corpora.LAWS], out=out / name, with_baseline=True
    )
    report = json.loads((out / name / "report.json").read_text(encoding="utf-8"))
    return {
        "exit": code,
        "unionqa": {m: report["metrics"]["overall"].get(m) for m in METRICS},
        "naive": {m: report["baseline"]["metrics"]["overall"].get(m) for m in METRICS},
    }


def main() -> None:
    if not corpora.REAL_QUESTIONS.is_file() or not corpora.LAWS.is_dir():
        sys.exit("needs ../shared/corpora/laws and ../shared/eval-dev/real_questions.jsonl")
    results = {}
    with tempfile.TemporaryDirectory(prefix="unionqa-granularity-") as tmp:
        results["articles"] = run("articles", Path(tmp))
        shipped = chunking._statute_pieces
        chunking._statute_pieces = packed_statute_pieces
        try:
            results[f"{WINDOW}-char chunks"] = run("packed", Path(tmp))
        finally:
            chunking._statute_pieces = shipped
    corpora.write_json(
        "granularity", {"command": corpora.command(), "machine": corpora.machine(), **results}
    )
    labels = ["top 5 hits", *(f"in {c:,} chars" for c in ev.CONTEXT_BUDGETS.values())]
    rows = []
    for name, r in results.items():
        rows.append([f"unionqa, {name}", *(f"{r['unionqa'][m]:.3f}" for m in METRICS[:4])])
        rows[-1] += [f"{r['unionqa']['key_fact_recall']:.3f}", f"{r['unionqa'][METRICS[-1]]:.0f}"]
    naive = results["articles"]["naive"]
    rows.append(["naive RAG (same runs)", *(f"{naive[m]:.3f}" for m in METRICS[:4])])
    rows[-1] += [f"{naive['key_fact_recall']:.3f}", f"{naive[METRICS[-1]]:.0f}"]
    header = ["gold-quote recall on real_questions", *labels, "key-fact recall", "chars in top 5"]
    corpora.update_doc(
        "granularity", corpora.table(header, rows) + f"\n\n    nice -n 10 {corpora.command()}"
    )
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
