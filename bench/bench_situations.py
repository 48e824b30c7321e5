"""The labour issue map's costs: embedding every exemplar once (at ingest), loading the cached
matrix in a new process (what a cold start pays), and matching one question (what a search pays
on top of its one query embedding). Writes bench/out/situations.json.

    nice -n 10 .venv/bin/python bench/bench_situations.py [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = [
    "老板拖了俩月工资不发，我该找谁？",
    "干了5年被裁员能拿多少",
    "厂里不给交社保，我能走人要补偿吗",
    "怀孕了公司让我去仓库搬货",
    "上班路上被电动车撞了算工伤吗",
    "I was fired without notice, what can I claim?",
    "明天北京下雨吗",
]

LOAD = r"""
import sys, time
t = time.perf_counter()
from unionqa.index.embeddings import HashingEmbeddings
from unionqa.search.issue_map import IssueMap
from unionqa.search.situation_search import Matcher
m = IssueMap.load()
t_map = time.perf_counter()
emb = HashingEmbeddings()
emb.name = sys.argv[2]
Matcher(m, emb, __import__("pathlib").Path(sys.argv[1])).warm_up()
print(round((t_map - t) * 1000, 1), round((time.perf_counter() - t_map) * 1000, 1))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from unionqa.index.embeddings import E5SmallEmbeddings
    from unionqa.search.issue_map import IssueMap
    from unionqa.search.situation_search import Matcher
    from unionqa.settings import SituationSettings

    issue_map = IssueMap.load()
    n = sum(len(s.exemplars) for s in issue_map.situations)
    emb = E5SmallEmbeddings(threads=2)
    cache = Path(tempfile.mkdtemp(prefix="unionqa-bench-map-"))
    t = time.perf_counter()
    Matcher(issue_map, emb, cache).warm_up()
    embed_s = time.perf_counter() - t
    # a new process with the cache present: the map's YAML and the matrix from disk
    loads = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", LOAD, str(cache), emb.name],
            capture_output=True,
            text=True,
            check=True,
        )
        loads.append([float(x) for x in out.stdout.split()])
    matcher = Matcher(issue_map, emb, cache)
    matcher.warm_up()
    cfg = SituationSettings()
    times = []
    for _ in range(args.runs):
        for q in QUESTIONS:
            v = emb.encode([q], query=True)[0]
            t = time.perf_counter()
            matcher.match(q, v, "en" if q.isascii() else "zh", cfg)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    result = {
        "situations": len(issue_map.situations),
        "exemplars": n,
        "embed_all_exemplars_s (2 threads, once per map and model)": round(embed_s, 1),
        "cold: load the YAML map ms (median)": statistics.median(x[0] for x in loads),
        "cold: load the cached matrix ms (median)": statistics.median(x[1] for x in loads),
        "match one question ms p50": round(times[len(times) // 2], 2),
        "match one question ms p95": round(times[int(len(times) * 0.95) - 1], 2),
    }
    out = Path("bench/out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "situations.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
