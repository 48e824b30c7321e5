"""Search and ask (extractive) latency per stage, and HNSW recall@10 against exact search.

In-process over an index built by bench/bench_ingest.py (or any data dir), with the serving
thread setting (1 embedding thread). The first question is timed on its own (model load, keyword
index from its disk cache, first Chroma query); then every question of the fixed set runs once
untimed (warm-up) and ``--passes`` times timed. Stages are ``Answer.timings_ms``
(condense/retrieve/select/generate/verify/format/total).

Recall@10: ``--recall N`` queries (the question set, then first sentences of stored chunks)
embedded as queries; Chroma's top 10 (its HNSW index, as configured in index.py) against the
exact top 10 by cosine over every stored embedding (``collection.get(include=["embeddings"])``).

    nice -n 10 .venv/bin/python bench/bench_search.py laws --data-dir /tmp/unionqa-bench/ingest-laws-e5-small
    UNIONQA_CHROMA_URL=http://127.0.0.1:8011 nice -n 10 .venv/bin/python bench/bench_search.py ...
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import corpora
import numpy as np

STAGES = ("condense", "retrieve", "select", "generate", "verify", "format", "total")


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process, MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    kb = lambda k: int(fields[k].split()[0]) / 1024  # noqa: E731
    return round(kb("VmRSS"), 1), round(kb("VmHWM"), 1)


def latency(svc, qs: list[dict], passes: int) -> dict:
    from unionqa.errors import UnionQAError

    search_ms: list[float] = []
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    refused = 0
    for q in qs:  # warm-up
        try:
            svc.search(q["question"])
            svc.ask(q["question"], history=q.get("history", []))
        except UnionQAError:
            pass
    for _ in range(passes):
        for q in qs:
            t = time.perf_counter()
            svc.search(q["question"])
            search_ms.append((time.perf_counter() - t) * 1000)
            a = svc.ask(q["question"], history=q.get("history", []))
            refused += a.refused
            for s in STAGES:
                stages[s].append(float(a.timings_ms.get(s, 0.0)))
    row = lambda v: {  # noqa: E731
        "p50": round(corpora.percentile(v, 50), 1),
        "p95": round(corpora.percentile(v, 95), 1),
        "max": round(max(v), 1),
    }
    return {
        "n": len(search_ms),
        "search_ms": row(search_ms),
        "ask_ms": {s: row(v) for s, v in stages.items()},
        "refused": refused,
    }


def recall(svc, queries: list[str], k: int = 10) -> dict:
    chunks, _ = svc.index._collections()
    conf = chunks.configuration_json if hasattr(chunks, "configuration_json") else None
    ids: list[str] = []
    vecs: list[np.ndarray] = []
    t = time.perf_counter()
    total = chunks.count()
    for off in range(0, total, 5000):
        got = chunks.get(include=["embeddings"], limit=5000, offset=off)
        ids += got["ids"]
        vecs.append(np.asarray(got["embeddings"], dtype=np.float32))
    load_s = time.perf_counter() - t
    m = np.vstack(vecs)
    m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
    id_arr = np.asarray(ids)
    per_query = []
    hnsw_ms, exact_ms = [], []
    for q in queries:
        v = np.asarray(svc.embeddings.embed_query(q), dtype=np.float32)
        v /= max(float(np.linalg.norm(v)), 1e-12)
        t = time.perf_counter()
        res = chunks.query(query_embeddings=[v.tolist()], n_results=k, include=[])
        hnsw_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        scores = m @ v
        top = np.argpartition(-scores, k - 1)[:k]
        exact_ms.append((time.perf_counter() - t) * 1000)
        exact = set(id_arr[top])
        per_query.append(len(exact & set(res["ids"][0])) / k)
    hnsw = (conf or {}).get("hnsw") if isinstance(conf, dict) else None
    return {
        "queries": len(queries),
        "recall_at_10": round(float(np.mean(per_query)), 4),
        "min_recall": round(float(np.min(per_query)), 2),
        "queries_below_1": int(sum(r < 1 for r in per_query)),
        "vectors": int(m.shape[0]),
        "hnsw_query_ms_p50": round(corpora.percentile(hnsw_ms, 50), 2),
        "exact_numpy_ms_p50": round(corpora.percentile(exact_ms, 50), 2),
        "embeddings_get_s": round(load_s, 2),
        "hnsw_config": hnsw,
    }


def bench(size: str, args: argparse.Namespace) -> dict:
    from unionqa.service import QAService
    from unionqa.settings import Settings

    t0 = time.perf_counter()
    settings = Settings(data_dir=Path(args.data_dir))  # UNIONQA_EMBEDDING, _CHROMA_URL from env
    svc = QAService(settings)
    qs = corpora.questions(with_laws=size != "corpus")
    first = qs[0]["question"]
    t = time.perf_counter()
    _ = svc.embeddings
    model_s = time.perf_counter() - t
    t = time.perf_counter()
    svc.keywords.get()
    keyword_s = time.perf_counter() - t
    t = time.perf_counter()
    svc.ask(first)
    first_ask_s = time.perf_counter() - t
    cold = {
        "model_load_s": round(model_s, 3),
        "keyword_load_s": round(keyword_s, 3),
        "first_ask_s": round(first_ask_s, 3),
        "since_start_s": round(time.perf_counter() - t0, 3),
        "rss_mb_after_first": rss_mb()[0],
    }
    print("cold", json.dumps(cold), flush=True)
    lat = latency(svc, qs, args.passes)
    print("latency", json.dumps(lat), flush=True)
    rec = None
    if args.recall:
        texts = svc.keywords.get().ids  # sample chunk texts through the index
        chunks, _ = svc.index._collections()
        qtexts = [q["question"] for q in qs][: args.recall]
        if len(qtexts) < args.recall:
            import random

            pick = random.Random(7).sample(texts, min(len(texts), 3 * args.recall))
            got = chunks.get(ids=pick, include=["documents"])
            qtexts += corpora.sample_passages(got["documents"], len(got["documents"]))[
                : args.recall - len(qtexts)
            ]
        rec = recall(svc, qtexts)
        print("recall", json.dumps(rec), flush=True)
    info = svc.index.info()
    return {
        "size": size,
        "embedding": settings.embedding_spec,
        "store": "server" if settings.chroma_url else "embedded",
        "chunks": info["chunks"],
        "documents": info["documents"],
        "questions": len(qs),
        "passes": args.passes,
        "cold": cold,
        "latency": lat,
        "recall": rec,
        "rss_mb": rss_mb(),
        "machine": corpora.machine(),
        "command": corpora.command(),
    }


def name_of(r: dict) -> str:
    return f"search-{r['size']}-{r['embedding']}-{r['store']}"


def report() -> None:
    rows, rrows, cmds = [], [], []
    for f in sorted(corpora.OUT.glob("search-*.json")):
        r = json.loads(f.read_text(encoding="utf-8"))
        lat = r["latency"]
        a = lat["ask_ms"]
        rows.append(
            [
                r["size"],
                r["embedding"],
                r["store"],
                r["chunks"],
                lat["n"],
                f"{corpora.ms(lat['search_ms']['p50'])} / {corpora.ms(lat['search_ms']['p95'])}",
                *(f"{corpora.ms(a[s]['p50'])} / {corpora.ms(a[s]['p95'])}" for s in STAGES),
                f"{r['cold']['first_ask_s']:.2f}",
                r["machine"]["loadavg_1m"],
            ]
        )
        if r.get("recall"):
            rc = r["recall"]
            rrows.append(
                [
                    r["size"],
                    r["embedding"],
                    r["store"],
                    rc["vectors"],
                    rc["queries"],
                    f"{rc['recall_at_10']:.4f}",
                    rc["queries_below_1"],
                    rc["hnsw_query_ms_p50"],
                    rc["exact_numpy_ms_p50"],
                    json.dumps(rc["hnsw_config"]) if rc["hnsw_config"] else "–",
                ]
            )
        cmds.append(r["command"])
    header = [
        "size",
        "embedding",
        "store",
        "chunks",
        "questions",
        "search p50 / p95 ms",
        *(f"ask {s} p50 / p95" for s in STAGES),
        "first ask in a new process, s",
        "load avg",
    ]
    corpora.update_doc(
        "search",
        corpora.table(header, rows)
        + "\n\nCommands:\n\n"
        + "\n".join(f"    nice -n 10 {c}" for c in cmds),
    )
    if rrows:
        corpora.update_doc(
            "recall",
            corpora.table(
                [
                    "size",
                    "embedding",
                    "store",
                    "vectors",
                    "queries",
                    "recall@10",
                    "queries < 1",
                    "HNSW query p50 ms",
                    "exact numpy p50 ms",
                    "collection HNSW configuration (read back)",
                ],
                rrows,
            ),
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("size", choices=corpora.SIZES)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--recall", type=int, default=200, help="queries for recall@10 (0 = skip)")
    ap.add_argument("--report-only", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if not args.report_only:
        if not Path(args.data_dir).exists() and not os.environ.get("UNIONQA_CHROMA_URL"):
            print(f"skip: {args.data_dir} does not exist (run bench/bench_ingest.py first)")
            return
        r = bench(args.size, args)
        corpora.write_json(name_of(r), r)
    report()


if __name__ == "__main__":
    main()
