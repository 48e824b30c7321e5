"""Development loop for search fusion and the refusal gate (never the eval set).

Runs eval/dev_questions.jsonl over corpus/ and eval/dev_questions_laws.jsonl over corpus/ plus
../shared/corpora/laws, and prints retrieval hits, key-fact recall, refusals and the features the
refusal gate uses (best dense similarity, question-term coverage, article match), so thresholds
can be chosen by looking at where answerable and unanswerable questions fall.

    .venv/bin/python bench/tune_dev.py [--features]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from unionqa.answer.question import make_question  # noqa: E402
from unionqa.answer.state import State  # noqa: E402
from unionqa.errors import IndexMismatchError  # noqa: E402
from unionqa.service import QAService  # noqa: E402
from unionqa.settings import Settings  # noqa: E402

LAWS = ROOT.parent / "shared" / "corpora" / "laws"
CACHE = Path("/tmp/unionqa-dev")


def service(name: str, paths: list[Path]) -> QAService:
    svc = QAService(Settings(data_dir=CACHE / name, _env_file=None))
    try:
        svc.ingest(paths)
    except IndexMismatchError:  # built by an older chunker: start afresh
        svc.ingest(paths, rebuild=True)
    return svc


def facts_ok(facts: list[str], text: str) -> float:
    norm = "".join(text.split()).lower()
    if not facts:
        return 1.0
    return sum(any("".join(a.split()).lower() in norm for a in f.split("|")) for f in facts) / len(
        facts
    )


def run(svc: QAService, path: Path, show: bool) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        q, hist = item["question"], item.get("history", [])
        st = svc.chain.prepare.invoke(State(q=make_question(q, hist), as_of=date.today()))
        hits = st.hits
        gold = item.get("gold_doc")
        loc = item.get("gold_locator")
        ranks = [
            i
            for i, h in enumerate(hits)
            if h.source == gold and (not loc or h.locator in loc.split("|"))
        ]
        ans = svc.ask(q, history=hist)
        row = {
            "id": item["id"],
            "answerable": item["answerable"],
            "rank": ranks[0] if ranks else None,
            "top_sim": max((h.metadata["dense_similarity"] for h in hits), default=0),
            "coverage": round(st.coverage, 3),
            "missing": round(st.missing, 3),
            "article": any(h.metadata.get("article_match") for h in hits),
            "supported": st.supported,
            "refused": ans.refused,
            "facts": facts_ok(item.get("key_facts", []), ans.answer),
            "bad": [m for m in item.get("must_not_contain", []) if m in ans.answer],
            "citations": len(ans.citations),
            "verbatim": sum(
                svc.get_document(c.doc_id).text[c.start : c.end] == c.quote for c in ans.citations
            ),
        }
        rows.append(row)
        if show:
            print(json.dumps(row, ensure_ascii=False), item["question"][:30])
    return rows


def summary(name: str, rows: list[dict]) -> None:
    ans = [r for r in rows if r["answerable"]]
    un = [r for r in rows if not r["answerable"]]
    hit1 = sum(r["rank"] == 0 for r in ans) / max(len(ans), 1)
    hit5 = sum(r["rank"] is not None and r["rank"] < 5 for r in ans) / max(len(ans), 1)
    facts = sum(r["facts"] for r in ans if not r["refused"]) / max(len(ans), 1)
    print(
        f"{name}: answerable={len(ans)} hit@1={hit1:.2f} hit@5={hit5:.2f} key-facts={facts:.2f} "
        f"wrong-refusals={sum(r['refused'] for r in ans)} | unanswerable={len(un)} "
        f"refused={sum(r['refused'] for r in un)} invented={sum(bool(r['bad']) for r in un)} | "
        f"citations verbatim at their offsets={sum(r['verbatim'] for r in rows)}/{sum(r['citations'] for r in rows)}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", action="store_true")
    args = ap.parse_args()
    corpus = service("corpus", [ROOT / "corpus"])
    summary("corpus", run(corpus, ROOT / "eval" / "dev_questions.jsonl", args.features))
    if LAWS.is_dir():
        laws = service("laws", [ROOT / "corpus", LAWS])
        summary("laws", run(laws, ROOT / "eval" / "dev_questions_laws.jsonl", args.features))


if __name__ == "__main__":
    main()
