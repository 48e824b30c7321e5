"""What the faster embedding costs in retrieval quality: ``use`` against ``e5-small``.

hit@1 / hit@5 over the answerable development questions (never the eval set), on the same
indexes bench/tune_dev.py uses: eval/dev_questions.jsonl over corpus/, and
eval/dev_questions_laws.jsonl plus ../shared/eval-dev/real_questions.jsonl over corpus/ and the
11 statutes. A hit is a passage of the gold document (at the gold article when the question names
one, as in tune_dev.py; overlapping the gold quote or a support quote for the real questions).
Two rankings: the product's hybrid search (dense + BM25 + article pins + phrase rerank, after the
chain's condense step), and the dense side alone (the embedding by itself).

    nice -n 10 .venv/bin/python bench/bench_quality.py
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import corpora

SETS = {
    "dev (corpus)": ("corpus", corpora.ROOT / "eval" / "dev_questions.jsonl"),
    "dev laws (corpus + laws)": ("laws", corpora.ROOT / "eval" / "dev_questions_laws.jsonl"),
    "real questions (corpus + laws)": ("laws", corpora.REAL_QUESTIONS),
}


def service(backend: str, which: str):
    from unionqa.errors import IndexMismatchError
    from unionqa.service import QAService
    from unionqa.settings import Settings

    paths = [corpora.ROOT / "corpus"] + ([corpora.LAWS] if which == "laws" else [])
    data = corpora.TMP / f"quality-{backend}-{which}"
    svc = QAService(Settings(data_dir=data, embedding=backend, _env_file=None), role="ingest")
    try:
        svc.ingest(paths)
    except IndexMismatchError:
        svc.ingest(paths, rebuild=True)
    return svc


def gold_spans(svc, item: dict) -> list[tuple[str, int, int]]:
    """(source, start, end) of the gold quote and support quotes in their documents."""
    by_source = {d.source: d.doc_id for d in svc.documents()}
    quotes = [(item.get("gold_doc"), item.get("gold_quote"))] + [
        (s.get("doc"), s.get("quote")) for s in item.get("support", [])
    ]
    out = []
    for source, quote in quotes:
        if not source or not quote or source not in by_source:
            continue
        doc = svc.get_document(by_source[source])
        start = doc.text.find(quote) if doc else -1
        if start >= 0:
            out.append((source, start, start + len(quote)))
    return out


def is_hit(h, item: dict, spans: list[tuple[str, int, int]]) -> bool:
    source = h.source if hasattr(h, "source") else h["metadata"]["source"]
    locator = h.locator if hasattr(h, "locator") else h["metadata"].get("locator", "")
    if source != item.get("gold_doc") and not any(s == source for s, _, _ in spans):
        return False
    if item.get("gold_locator"):
        return locator in item["gold_locator"].split("|")
    if spans:
        start = h.start if hasattr(h, "start") else h["metadata"]["start"]
        end = h.end if hasattr(h, "end") else h["metadata"]["end"]
        return any(s == source and start < e and end > b for s, b, e in spans)
    return True


def evaluate(svc, path: Path) -> dict:
    from unionqa.answer.chain import _State
    from unionqa.text.questions import detect_lang

    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    items = [i for i in items if i.get("answerable") and i.get("gold_doc")]
    ranks: dict[str, list[int | None]] = {"hybrid": [], "dense": []}
    for item in items:
        q, hist = item["question"], item.get("history", [])
        st = svc.chain.prepare.invoke(
            _State(question=q, history=hist, as_of=date.today(), lang=detect_lang(q))
        )
        spans = gold_spans(svc, item)
        hybrid = [i for i, h in enumerate(st.hits) if is_hit(h, item, spans)]
        dense_rows = svc.index.dense(svc.embeddings.embed_query(st.query), 10, None)
        dense = [i for i, r in enumerate(dense_rows) if is_hit(r, item, spans)]
        ranks["hybrid"].append(hybrid[0] if hybrid else None)
        ranks["dense"].append(dense[0] if dense else None)
    out: dict = {"questions": len(items)}
    for kind, rs in ranks.items():
        out[kind] = {
            "hit@1": round(sum(r == 0 for r in rs) / max(len(rs), 1), 3),
            "hit@5": round(sum(r is not None and r < 5 for r in rs) / max(len(rs), 1), 3),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backends", nargs="+", default=["e5-small", "use"])
    args = ap.parse_args()
    results: dict = {}
    for backend in args.backends:
        services: dict = {}
        for name, (which, path) in SETS.items():
            if which == "laws" and not corpora.LAWS.is_dir() or not path.is_file():
                print(f"skip {name}: ../shared not here")
                continue
            if which not in services:
                services[which] = service(backend, which)
            results.setdefault(name, {})[backend] = evaluate(services[which], path)
            print(backend, name, results[name][backend], flush=True)
    record = {"results": results, "machine": corpora.machine(), "command": corpora.command()}
    corpora.write_json("quality", record)
    rows = []
    for name, per in results.items():
        for backend, r in per.items():
            rows.append(
                [
                    name,
                    backend,
                    r["questions"],
                    f"{r['hybrid']['hit@1']:.2f}",
                    f"{r['hybrid']['hit@5']:.2f}",
                    f"{r['dense']['hit@1']:.2f}",
                    f"{r['dense']['hit@5']:.2f}",
                ]
            )
    corpora.update_doc(
        "quality",
        corpora.table(
            [
                "question set",
                "embedding",
                "answerable questions",
                "hybrid hit@1",
                "hybrid hit@5",
                "dense only hit@1",
                "dense only hit@5",
            ],
            rows,
        )
        + f"\n\n    nice -n 10 {record['command']}",
    )


if __name__ == "__main__":
    main()
