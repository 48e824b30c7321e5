"""A long ingest shows progress with an ETA, and resumes where it stopped after being killed.

1. ``unionqa ingest PATH`` under ``script`` (a pseudo-terminal, so the CLI draws rich's progress
   bar on stderr, as in a terminal); the transcript is checked for the bar and its time-remaining
   column.
2. The ingest is killed with SIGKILL once some documents are committed (no clean-up runs; its
   lock file stays behind).
3. The documents and chunks in the index are counted; ``unionqa ingest PATH --json`` runs again:
   it must clear the dead writer's lock, report the committed documents as ``unchanged``, add
   only the rest, and end with the same documents and chunks as a clean ingest.

    nice -n 10 .venv/bin/python bench/bench_resume.py laws
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import corpora

BIN = Path(sys.executable).parent


def committed_docs(data: Path) -> int:
    """Documents in the registry collection, read from Chroma's SQLite file without opening a
    client (the killed writer's data dir is left exactly as it was)."""
    db = data / "chroma" / "chroma.sqlite3"
    if not db.exists():
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = con.execute(
            "SELECT count(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id "
            "JOIN collections c ON s.collection = c.id WHERE c.name LIKE '%-docs'"
        ).fetchone()
        return int(row[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def counts(data: Path) -> dict[str, int]:
    from unionqa.index.store import Index
    from unionqa.settings import Settings

    info = Index(Settings(data_dir=data, _env_file=None)).info()
    return {"documents": info["documents"], "chunks": info["chunks"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("size", choices=corpora.SIZES, nargs="?", default="laws")
    ap.add_argument("--kill-after-docs", type=int, default=3)
    args = ap.parse_args()
    try:
        paths = corpora.paths(args.size)
    except corpora.Skip as e:
        print(f"skip: {e}")
        return
    data = corpora.TMP / f"resume-{args.size}"
    shutil.rmtree(data, ignore_errors=True)
    env = {**os.environ, "UNIONQA_DATA_DIR": str(data), "ANONYMIZED_TELEMETRY": "False"}
    env.pop("UNIONQA_CHROMA_URL", None)
    cmd = shlex.join([str(BIN / "unionqa"), "ingest", *map(str, paths)])
    typescript = data.parent / f"resume-{args.size}.typescript"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        ["script", "-qfec", cmd, str(typescript)],
        env={**env, "COLUMNS": "100", "TERM": "xterm"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    while proc.poll() is None and committed_docs(data) < args.kill_after_docs:
        time.sleep(0.5)
    killed_at = time.perf_counter() - t0
    if proc.poll() is not None:
        raise SystemExit("the ingest finished before it could be killed; use a larger size")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    lock_left = (data / "ingest.lock").exists()
    before = counts(data)
    print("killed after", round(killed_at, 1), "s:", before, "lock left:", lock_left, flush=True)

    transcript = typescript.read_bytes().decode("utf-8", "replace")
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", transcript)
    bars = re.findall(r"导入\s*[━╸╺ ]*\s*(\d+)/(\d+)\s+(\d+:\d\d:\d\d|-:--:--)", plain)
    etas = [b[2] for b in bars if b[2] != "-:--:--"]

    rerun = subprocess.run(
        [str(BIN / "unionqa"), "ingest", *map(str, paths), "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    report = json.loads(rerun.stdout)
    after = counts(data)
    clean = corpora.read_json(f"ingest-{args.size}-e5-small")
    ok = (
        rerun.returncode == 0
        and report["unchanged"] == before["documents"]
        and report["added"] == after["documents"] - before["documents"]
        and (clean is None or after["chunks"] == clean["chunks"])
    )
    record = {
        "size": args.size,
        "killed_after_s": round(killed_at, 1),
        "progress_updates_seen": len(bars),
        "eta_examples": etas[:3] + etas[-2:],
        "last_progress": list(bars[-1][:2]) if bars else None,
        "lock_left_by_killed_writer": lock_left,
        "before_rerun": before,
        "rerun_report": {k: report[k] for k in ("added", "unchanged", "updated", "chunks")},
        "rerun_stderr": rerun.stderr.strip()[-300:],
        "after": after,
        "clean_ingest_chunks": clean["chunks"] if clean else None,
        "resumed_correctly": ok,
        "machine": corpora.machine(),
        "command": corpora.command(),
    }
    corpora.write_json(f"resume-{args.size}", record)
    print(json.dumps(record, ensure_ascii=False, indent=1))
    rows = [
        ["progress bar updates seen in the terminal transcript", len(bars)],
        ["time-remaining values shown (first, last)", ", ".join(etas[:1] + etas[-1:]) or "none"],
        [
            "killed (SIGKILL) after",
            f"{killed_at:.0f} s, {before['documents']} documents / {before['chunks']} chunks committed",
        ],
        ["lock file left by the killed writer", lock_left],
        [
            "rerun reports",
            f"unchanged {report['unchanged']}, added {report['added']}, chunks {report['chunks']}",
        ],
        ["index after the rerun", f"{after['documents']} documents, {after['chunks']} chunks"],
        ["clean ingest of the same files", f"{clean['chunks']} chunks" if clean else "–"],
        ["resumed correctly", "yes" if ok else "NO"],
    ]
    corpora.update_doc(
        "resume",
        corpora.table(["check", "result"], rows) + f"\n\n    nice -n 10 {record['command']}",
    )


if __name__ == "__main__":
    main()
