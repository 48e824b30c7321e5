"""Load on ``POST /v1/ask`` over loopback: requests/s and p50/p95 latency at concurrency 1, 8, 32.

Builds an index of corpus/ in a temporary data dir, starts ``unionqa serve`` (one worker, quota
off, other API settings at their defaults) on a free port, and sends the development questions
round-robin from N client threads (which wait as ``Retry-After`` says when the server answers
503 busy), each level bounded by a time and a request budget. Writes
bench/out/api_load.json and prints a Markdown table.

    .venv/bin/python bench/bench_api_load.py [--seconds 20] [--requests 400]

The client threads run on the same machine as the server, so on a small machine the numbers
include the client's own CPU use.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out" / "api_load.json"
LEVELS = (1, 8, 32)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def questions() -> list[str]:
    path = ROOT / "eval" / "dev_questions.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r["question"] for r in rows]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_level(base: str, qs: list[str], concurrency: int, seconds: float, budget: int) -> dict:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    counter = iter(range(budget))
    end = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.monotonic() < end:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                t = time.perf_counter()
                wait = 0.0
                try:
                    r = client.post("/v1/ask", json={"question": qs[n % len(qs)]})
                    status = str(r.status_code)
                    wait = float(r.headers.get("retry-after", 0)) if r.status_code != 200 else 0
                except httpx.HTTPError as e:
                    status = type(e).__name__
                took = (time.perf_counter() - t) * 1000
                with lock:
                    statuses[status] += 1
                    if status == "200":
                        latencies.append(took)
                if wait:  # a polite client: busy (503) and quota (429) answers say when to retry
                    time.sleep(min(wait, max(0.0, end - time.monotonic())))

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    return {
        "concurrency": concurrency,
        "requests": sum(statuses.values()),
        "ok": len(latencies),
        "statuses": dict(statuses),
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per level")
    parser.add_argument("--requests", type=int, default=400, help="request budget per level")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="unionqa-bench-"))
    env = {
        **os.environ,
        "UNIONQA_DATA_DIR": str(data),
        "UNIONQA_API__QUOTA_PER_MINUTE": "0",
        "ANONYMIZED_TELEMETRY": "False",
        "HF_HUB_OFFLINE": "1",
    }
    for name in ("UNIONQA_API_KEYS", "UNIONQA_CHROMA_URL", "UNIONQA_LLM__BASE_URL"):
        env.pop(name, None)
    subprocess.run(
        [str(BIN / "unionqa"), "ingest", str(ROOT / "corpus"), "--json"],
        env=env, cwd=data, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(data / "serve.log", "wb")  # noqa: SIM115 - closed after the server stops
    server = subprocess.Popen(
        [str(BIN / "unionqa"), "serve", "--port", str(port)],
        env=env, cwd=data, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                sys.stderr.write((data / "serve.log").read_text(errors="replace")[-3000:])
                return 1
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                sys.stderr.write("server did not become ready\n")
                return 1
            time.sleep(0.3)
        qs = questions()
        run_level(base, qs, 2, 5, 20)  # warm-up: caches, keyword index, thread pool
        results = [run_level(base, qs, c, args.seconds, args.requests) for c in LEVELS]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        log.close()
        OUT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data / "serve.log", OUT.parent / "api_load_serve.log")  # the access log
        shutil.rmtree(data, ignore_errors=True)

    report = {
        "endpoint": "POST /v1/ask",
        "workers": 1,
        "questions": len(qs),
        "limits": {"seconds_per_level": args.seconds, "requests_per_level": args.requests},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "levels": results,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("| concurrency | requests | ok | req/s | p50 ms | p95 ms | other statuses |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        other = ", ".join(f"{k}: {v}" for k, v in r["statuses"].items() if k != "200") or "-"
        print(
            f"| {r['concurrency']} | {r['requests']} | {r['ok']} | {r['rps']} | "
            f"{r['p50_ms']} | {r['p95_ms']} | {other} |"
        )
    print(f"\n{os.cpu_count()} CPUs, client and server on the same machine; JSON: {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
