"""What a generation change costs the readers: another process has written (new ``generation``)
and C requests arrive at once in an API process whose keyword index is now stale.

Counts how many keyword-index builds and cache loads that burst triggers in the reader process,
and the slowest request. The writer is simulated in-process by a second ``Index`` on the same
data dir: ``--mode bump`` only changes the generation (a writer in a process that does not share
the data dir, or one still building its cache), ``--mode finish`` runs the writer's whole
``finish_write`` (new generation and the keyword cache in the shared data dir) first.

    nice -n 10 .venv/bin/python bench/bench_keyword_reload.py --data-dir /tmp/unionqa-bench/ingest-laws-e5-small
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import corpora


class Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.builds = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "building keyword index" in record.getMessage():
            self.builds += 1


def burst(data: Path, mode: str, concurrency: int) -> dict:
    from unionqa.index.store import Index
    from unionqa.ingest.chunking import CHUNKER_VERSION
    from unionqa.search.keyword import KeywordCache, KeywordIndex
    from unionqa.service import QAService
    from unionqa.settings import Settings

    settings = Settings(data_dir=data, _env_file=None)
    svc = QAService(settings)
    qs = [q["question"] for q in corpora.questions()]
    svc.search(qs[0])  # warm: model and keyword index loaded
    loads = 0
    real_load = KeywordIndex.load.__func__  # type: ignore[attr-defined]
    lock = threading.Lock()

    def counting_load(cls, path):  # noqa: ANN001
        nonlocal loads
        with lock:
            loads += 1
        return real_load(cls, path)

    KeywordIndex.load = classmethod(counting_load)  # type: ignore[method-assign]
    counter = Count()
    logging.getLogger("unionqa.search.keyword").addHandler(counter)
    logging.getLogger("unionqa.search.keyword").setLevel(logging.INFO)
    writer = Index(settings, chunker=CHUNKER_VERSION)
    t = time.perf_counter()
    if mode == "bump":
        chunks, _ = writer._collections()
        writer._bump_generation(chunks)
    else:
        writer.finish_write()
        KeywordCache(writer).refresh()  # what QAService does after a write
    writer_s = time.perf_counter() - t
    counter.builds, loads = 0, 0  # from here on: the reader's own work
    time.sleep(2.1)  # past KEYWORD_RECHECK_S: the reader checks the generation again
    lat: list[float] = []

    def one(q: str) -> None:
        t = time.perf_counter()
        svc.search(q)
        lat.append((time.perf_counter() - t) * 1000)

    with ThreadPoolExecutor(concurrency) as ex:
        list(ex.map(one, qs[:concurrency]))
    KeywordIndex.load = classmethod(real_load)  # type: ignore[method-assign]
    return {
        "mode": mode,
        "concurrency": concurrency,
        "chunks": svc.index.info()["chunks"],
        "writer_s": round(writer_s, 2),
        "reader_builds": counter.builds,
        "reader_cache_loads": loads,
        "slowest_ms": round(max(lat), 1),
        "fastest_ms": round(min(lat), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    src = Path(args.data_dir)
    if not src.exists():
        print(f"skip: {src} does not exist")
        return
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    results = []
    for mode in ("bump", "finish"):
        work = Path(tempfile.mkdtemp(prefix="unionqa-reload-"))
        shutil.copytree(src, work / "data")  # the benchmark index itself is left alone
        try:
            results.append(burst(work / "data", mode, args.concurrency))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(json.dumps(results[-1]), flush=True)
    record = {
        "label": args.label,
        "results": results,
        "machine": corpora.machine(),
        "command": corpora.command(),
    }
    corpora.write_json(f"keyword-reload{('-' + args.label) if args.label else ''}", record)


if __name__ == "__main__":
    main()
