"""Rewrite an index's documents collection as an ingest now creates it (``index.DOCS_HNSW``), in
place: for measuring the cold start of an index built before that change without re-ingesting
it (25 minutes at the whole law book). Use it on a copy.

    cp -a /tmp/lb2 /tmp/lb2b && .venv/bin/python bench/rewrite_docs_collection.py /tmp/lb2b
    UNIONQA_EMBEDDING=use .venv/bin/python bench/bench_cold_start.py --data-dir /tmp/lb2b --label lawbook-use-docs100
"""

from __future__ import annotations

import sys

import chromadb
from chromadb.config import Settings

from unionqa.index.store import DOCS_HNSW


def main() -> None:
    data_dir, name = sys.argv[1], "unionqa-docs"
    client = chromadb.PersistentClient(
        path=f"{data_dir}/chroma", settings=Settings(anonymized_telemetry=False)
    )
    old = client.get_collection(name, embedding_function=None)
    rows: dict[str, list] = {"ids": [], "documents": [], "metadatas": [], "embeddings": []}
    for offset in range(0, old.count(), 500):
        got = old.get(include=["documents", "metadatas", "embeddings"], limit=500, offset=offset)
        for key in rows:
            rows[key] += list(got[key])
    client.delete_collection(name)
    new = client.create_collection(
        name, embedding_function=None, configuration={"hnsw": dict(DOCS_HNSW)}
    )
    for i in range(0, len(rows["ids"]), 50):
        new.upsert(
            ids=rows["ids"][i : i + 50],
            documents=rows["documents"][i : i + 50],
            metadatas=rows["metadatas"][i : i + 50],
            embeddings=[list(e) for e in rows["embeddings"][i : i + 50]],
        )
    print(f"{new.count()} documents rewritten; hnsw {new.configuration_json['hnsw']}")


if __name__ == "__main__":
    main()
