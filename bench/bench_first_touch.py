"""The first read of a Chroma collection in a new process, against its ``sync_threshold``.

Chroma persists a collection's vector segment every ``sync_threshold`` writes and, when a process
first touches the collection, replays the records written since. unionqa's documents collection
holds whole texts (beside 1-d placeholder vectors), so up to 999 of them were replayed with the
default threshold. This builds the same shape (3,400 documents of 6,300 characters, written 200
per call) with thresholds 1,000 and 100, then times the first ``get`` of one document in fresh
processes, alternating.

    .venv/bin/python bench/bench_first_touch.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import corpora

BUILD = r"""
import sys, chromadb
from chromadb.config import Settings
path, sync = sys.argv[1], int(sys.argv[2])
c = chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False))
conf = {"hnsw": {"space": "l2", "sync_threshold": sync, "batch_size": min(100, sync)}}
col = c.get_or_create_collection("docs", embedding_function=None, configuration=conf)
text = "劳动合同法规定" * 900
for i in range(0, 3400, 200):
    ids = [f"d{j}" for j in range(i, i + 200)]
    col.upsert(ids=ids, embeddings=[[0.0]] * 200, documents=[text + i for i in ids],
               metadatas=[{"n": j} for j in range(i, i + 200)])
"""

READ = r"""
import sys, time, chromadb
from chromadb.config import Settings
c = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
col = c.get_collection("docs")
t = time.perf_counter()
col.get(ids=["d5"], include=["documents"])
print(time.perf_counter() - t)
"""


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="unionqa-first-touch-"))
    times: dict[int, list[float]] = {1000: [], 100: []}
    for sync in times:
        subprocess.run([sys.executable, "-c", BUILD, str(root / str(sync)), str(sync)], check=True)
    for _ in range(3):
        for sync in times:
            out = subprocess.run(
                [sys.executable, "-c", READ, str(root / str(sync))],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            times[sync].append(float(out.strip().splitlines()[-1]))
    record = {
        str(sync): {
            "runs_s": [round(t, 3) for t in ts],
            "median_s": round(statistics.median(ts), 3),
        }
        for sync, ts in times.items()
    }
    record["command"] = corpora.command()
    corpora.write_json("first-touch", record)
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
