"""Upload throughput: chunks/s of ``POST /v1/documents``'s work (read, chunk, embed with the
serving process's e5 threads, write), to size ``UNIONQA_API__MAX_UPLOAD_CHUNKS`` inside the
deadline.

    nice -n 10 .venv/bin/python bench/bench_upload.py --chunks 200 --repeat 2

A Markdown document of about ``--chunks`` chunks is made from the statutes of
../shared/corpora/laws (or corpus/), uploaded through ``QAService.add_document`` into a fresh
temporary index with ``role="serve"`` (the thread count a server uses), and timed; the first
upload also loads the model, so it is reported apart.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from unionqa.ingest.pipeline import read_upload  # noqa: E402
from unionqa.service import QAService  # noqa: E402
from unionqa.settings import Settings  # noqa: E402


def source_text() -> str:
    laws = ROOT.parent / "shared" / "corpora" / "laws"
    folder = laws if laws.is_dir() else ROOT / "corpus"
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md")))
    # prose, not a statute: drop article labels so the generic chunker packs sentences
    return re.sub(
        r"第[零〇一二三四五六七八九十百千]+条", "", re.sub(r"^[#<].*$", "", text, flags=re.M)
    )


def document(chunks: int, salt: int) -> bytes:
    body = source_text()
    lo, hi = 1000, len(body)
    for _ in range(30):  # bisect the prefix length that gives about ``chunks`` chunks
        mid = (lo + hi) // 2
        n = len(read_upload(f"# 测试{salt}\n\n{body[:mid]}".encode(), "x.md").chunks)
        lo, hi = (mid, hi) if n < chunks else (lo, mid)
    return f"# 测试{salt}\n\n{body[:hi]}".encode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    svc = QAService(Settings(data_dir=Path(tempfile.mkdtemp(prefix="unionqa-up-"))), role="serve")
    warm = document(20, 0)
    t0 = time.perf_counter()
    svc.add_document(warm, "warm.md")
    print(
        f"first upload (model load + {len(read_upload(warm, 'w.md').chunks)} chunks): "
        f"{time.perf_counter() - t0:.1f} s"
    )
    for i in range(1, args.repeat + 1):
        data = document(args.chunks, i)
        n = len(read_upload(data, "x.md").chunks)
        t0 = time.perf_counter()
        svc.add_document(data, f"upload-{i}.md")
        dt = time.perf_counter() - t0
        print(
            f"upload {i}: {len(data) // 1024} KB, {n} chunks in {dt:.1f} s = {n / dt:.1f} chunks/s"
        )


if __name__ == "__main__":
    main()
