"""The API under bounded loopback load over a large existing index, with the embedded store and
with a ``chroma run`` server, at several thread settings and worker counts.

The load generator is bench/bench_api_load.py's ``run_level`` (N client threads sending
``POST /v1/ask`` round-robin, each level bounded by time and a request budget); this script only
sets up the servers around an index built by bench/bench_ingest.py:

- ``embedded``: one ``unionqa serve`` over the data dir;
- ``server``: ``chroma run --path DATA/chroma`` on loopback and ``unionqa serve`` (``--workers``
  processes) with ``UNIONQA_CHROMA_URL`` (the keyword cache in DATA is shared, as several API
  processes would share it).

Questions: the development and law questions and the real worker questions (bench/corpora.py).

    nice -n 10 .venv/bin/python bench/bench_api_scale.py --data-dir /tmp/bench-lawbook-use --label lawbook-use
    nice -n 10 .venv/bin/python bench/bench_api_scale.py --data-dir ... --stores embedded --threads 1 2 --levels 8
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import bench_api_load
import corpora
import httpx

BIN = Path(sys.executable).parent


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} not ready after {timeout} s")


def tree_peak_rss_mb(pid: int) -> float:
    """Peak RSS (VmHWM) summed over a process and its children (uvicorn workers)."""
    total = 0
    pids = [pid]
    try:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            pids.append(int(child))
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


@contextmanager
def started(cmd: list[str], env: dict[str, str], log: Path):
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def run_setup(args: argparse.Namespace, store: str, threads: int, workers: int) -> dict:
    data = Path(args.data_dir)
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    env = {
        **os.environ,
        "UNIONQA_DATA_DIR": str(data),
        "UNIONQA_EMBEDDING": manifest["embedding"],
        "UNIONQA_THREADS": str(threads),
        "UNIONQA_API__QUOTA_PER_MINUTE": "0",
        "UNIONQA_LOG_LEVEL": "WARNING",
        "ANONYMIZED_TELEMETRY": "False",
    }
    for name in ("UNIONQA_API_KEYS", "UNIONQA_CHROMA_URL", "UNIONQA_LLM__BASE_URL"):
        env.pop(name, None)
    logs = corpora.TMP / "api-scale-logs"
    logs.mkdir(parents=True, exist_ok=True)
    port = bench_api_load.free_port()
    qs = [q["question"] for q in corpora.questions()]
    serve = [str(BIN / "unionqa"), "serve", "--port", str(port), "--workers", str(workers)]
    chroma_ctx = None
    if store == "server":
        cport = bench_api_load.free_port()
        env["UNIONQA_CHROMA_URL"] = f"http://127.0.0.1:{cport}"
        chroma_ctx = started(
            [
                str(BIN / "chroma"),
                "run",
                "--path",
                str(data / "chroma"),
                "--host",
                "127.0.0.1",
                "--port",
                str(cport),
            ],
            env,
            logs / "chroma.log",
        )
    try:
        chroma = chroma_ctx.__enter__() if chroma_ctx else None
        if chroma is not None:
            wait_ready(f"http://127.0.0.1:{cport}/api/v2/heartbeat", chroma)
        with started(serve, env, logs / f"serve-{store}-{threads}-{workers}.log") as proc:
            base = f"http://127.0.0.1:{port}"
            wait_ready(f"{base}/readyz", proc)
            bench_api_load.run_level(base, qs, 2, 5, 20)  # warm-up, as bench_api_load does
            levels = [
                bench_api_load.run_level(base, qs, c, args.seconds, args.requests)
                for c in args.levels
            ]
            for lv in levels:
                print(store, threads, workers, json.dumps(lv), flush=True)
            rss = tree_peak_rss_mb(proc.pid)
            chroma_rss = tree_peak_rss_mb(chroma.pid) if chroma is not None else None
    finally:
        if chroma_ctx is not None:
            chroma_ctx.__exit__(None, None, None)
    return {
        "store": store,
        "threads": threads,
        "workers": workers,
        "levels": levels,
        "api_peak_rss_mb": rss,
        "chroma_peak_rss_mb": chroma_rss,
        "loadavg": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument(
        "--stores", nargs="+", default=["embedded", "server"], choices=["embedded", "server"]
    )
    ap.add_argument("--threads", type=int, nargs="+", default=[1])
    ap.add_argument("--workers", type=int, nargs="+", default=[1])
    ap.add_argument("--levels", type=int, nargs="+", default=list(bench_api_load.LEVELS))
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    if not (Path(args.data_dir) / "manifest.json").is_file():
        print(f"skip: no index in {args.data_dir} (run bench/bench_ingest.py first)")
        return
    runs = []
    for store in args.stores:
        for workers in args.workers:
            if workers > 1 and store == "embedded":
                continue  # unionqa serve refuses: several workers need a Chroma server
            for threads in args.threads:
                runs.append(run_setup(args, store, threads, workers))
    name = f"api-{args.label}-" + "-".join(args.stores) + "-t" + "".join(map(str, args.threads))
    name += "-w" + "".join(map(str, args.workers))
    record = {
        "label": args.label,
        "data_dir": args.data_dir,
        "limits": {"seconds_per_level": args.seconds, "requests_per_level": args.requests},
        "runs": runs,
        "machine": corpora.machine(),
        "command": corpora.command(),
    }
    corpora.write_json(name, record)
    rows, cmds = [], []
    for f in sorted(corpora.OUT.glob("api-*.json")):
        r = json.loads(f.read_text(encoding="utf-8"))
        if "runs" not in r:
            continue  # bench_api_load.py's own api_load.json
        cmds.append(r["command"])
        for run in r["runs"]:
            for lv in run["levels"]:
                other = ", ".join(f"{k}: {v}" for k, v in lv["statuses"].items() if k != "200")
                rows.append(
                    [
                        r["label"],
                        run["store"],
                        run["workers"],
                        run["threads"],
                        lv["concurrency"],
                        lv["ok"],
                        lv["rps"],
                        lv["p50_ms"],
                        lv["p95_ms"],
                        other or "–",
                        run["api_peak_rss_mb"],
                        run["chroma_peak_rss_mb"] or "–",
                        run["loadavg"],
                    ]
                )
    corpora.update_doc(
        "api",
        corpora.table(
            [
                "index",
                "store",
                "API workers",
                "embedding threads",
                "concurrency",
                "ok",
                "req/s",
                "p50 ms",
                "p95 ms",
                "other statuses",
                "API peak RSS MB",
                "Chroma peak RSS MB",
                "load avg",
            ],
            rows,
        )
        + "\n\nCommands:\n\n"
        + "\n".join(f"    nice -n 10 {c}" for c in cmds),
    )


if __name__ == "__main__":
    main()
