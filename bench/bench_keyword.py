"""The keyword (jieba + BM25) index at scale: time and memory to read every chunk from Chroma,
tokenize and index them (what ``Index.finish_write`` does after each ingest), save the disk cache,
and load it again (what the first search of a new process does).

Each step's peak memory is the process's VmHWM after it (the process starts with the index
opened, nothing else loaded). Runs on an index built by bench/bench_ingest.py; the data dir's
own cache is left alone (the cache is written to a temporary dir).

    nice -n 10 .venv/bin/python bench/bench_keyword.py --data-dir /tmp/bench-national
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import corpora


def status_mb() -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return (
        round(int(fields["VmRSS"].split()[0]) / 1024, 1),
        round(int(fields["VmHWM"].split()[0]) / 1024, 1),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--label", default=None, help="name in the table (default: the data dir)")
    args = ap.parse_args()
    if not Path(args.data_dir).exists():
        print(f"skip: {args.data_dir} does not exist")
        return
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from unionqa.index.store import Index
    from unionqa.search.keyword import KeywordIndex
    from unionqa.settings import Settings
    from unionqa.text.tokens import load_jieba

    steps: dict[str, dict[str, float]] = {}

    def step(name: str, t: float) -> None:
        rss, hwm = status_mb()
        steps[name] = {"s": round(time.perf_counter() - t, 2), "rss_mb": rss, "peak_mb": hwm}
        print(name, steps[name], flush=True)

    index = Index(Settings(data_dir=Path(args.data_dir)))
    t = time.perf_counter()
    gen = index.generation()
    step("open index", t)
    t = time.perf_counter()
    load_jieba()
    step("jieba dictionary", t)
    t = time.perf_counter()
    ids, texts, metas = index.read_chunks()  # what KeywordCache.get() reads, page by page
    step("read chunks from Chroma", t)
    n_chars = sum(map(len, texts))
    t = time.perf_counter()
    kw = KeywordIndex.build(ids, texts, metas, gen)
    step("tokenize + BM25 index", t)
    del ids, texts, metas
    tmp = Path(tempfile.mkdtemp(prefix="unionqa-kw-"))
    t = time.perf_counter()
    kw.save(tmp / "kw")
    step("save cache", t)
    cache_mb = round(corpora.du(tmp / "kw") / 2**20, 1)
    del kw
    t = time.perf_counter()
    kw2 = KeywordIndex.load(tmp / "kw")
    step("load cache (a new process's first search)", t)
    assert kw2 is not None
    t = time.perf_counter()
    for q in ("用人单位解除劳动合同", "工伤保险待遇", "加班费怎么算"):
        kw2.search(q, 40)
    step("3 keyword searches", t)
    # after a write: one document's chunks change; the rest lend the tokens kw2 cached
    ids, texts, metas = index.read_chunks()
    doc = metas[-1]["doc_id"]
    texts = [x + "（修订）" if m["doc_id"] == doc else x for x, m in zip(texts, metas, strict=True)]
    t = time.perf_counter()
    kw3 = KeywordIndex.build(ids, texts, metas, gen + "-next", kw2)
    step("rebuild after one document changed (tokens reused; the read above not counted)", t)
    assert len(kw3) == len(kw2)
    del ids, texts, metas, kw3
    shutil.rmtree(tmp, ignore_errors=True)
    label = args.label or args.data_dir
    record = {
        "data_dir": args.data_dir,
        "label": label,
        "chunks": len(kw2),
        "chars": n_chars,
        "cache_mb": cache_mb,
        "steps": steps,
        "machine": corpora.machine(),
        "command": corpora.command(),
    }
    corpora.write_json(f"keyword-{Path(args.data_dir).name}", record)
    rows = []
    for f in sorted(corpora.OUT.glob("keyword-*.json")):
        r = json.loads(f.read_text(encoding="utf-8"))
        for name, v in r.get("steps", {}).items():
            rows.append([r["label"], r["chunks"], name, v["s"], v["rss_mb"], v["peak_mb"]])
    cmds = sorted(
        {
            r["command"]
            for f in corpora.OUT.glob("keyword-*.json")
            if "steps" in (r := json.loads(f.read_text()))
        }
    )
    corpora.update_doc(
        "keyword",
        corpora.table(["index", "chunks", "step", "seconds", "RSS MB after", "peak RSS MB"], rows)
        + "\n\n"
        + "\n".join(f"    nice -n 10 {c}" for c in cmds),
    )


if __name__ == "__main__":
    main()
