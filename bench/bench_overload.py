"""Overload on ``POST /v1/ask`` over loopback: load well above capacity is turned away quickly.

Builds an index of corpus/ in a temporary data dir, starts ``unionqa serve`` (one worker, API
defaults: two calls in flight per core, 30 s deadline; quota off so the concurrency bound is what is
measured) on a free port, then:

1. capacity: 4 clients for a few seconds (at or below the concurrency bound);
2. overload: 64 clients for 20 s, each sending its next question as soon as the last one is
   answered (0.05 s pause after a refusal): excess requests must get 429/503 at once, not wait
   for a timeout; the server's RSS is sampled all along;
3. recovery: when the load stops, a single question must succeed;
4. quota: the server restarted with the default quota (60 a minute per client address) and 16
   clients for 5 s: requests over the quota get 429 with Retry-After.

Every phase is bounded in time; every request has a client timeout (deadline + 10 s). Writes
bench/out/overload.json, prints a Markdown table, and exits 1 when a check fails.

    .venv/bin/python bench/bench_overload.py [--clients 64] [--seconds 20]

Client and server share the machine, so the numbers include the client's own CPU use.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
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
OUT = ROOT / "bench" / "out" / "overload.json"  # --out to keep a variant beside it
DEADLINE_S = 30.0  # the API default (UNIONQA_API__DEADLINE_S)
REJECTED = {429, 503}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def questions() -> list[str]:
    path = ROOT / "eval" / "dev_questions.jsonl"
    if path.exists():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        return [r["question"] for r in rows]
    return [
        "公司招应届生能领什么补助？",
        "一次性扩岗补助每人多少钱？",
        "新就业形态劳动者怎么入会？",
    ]


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


class RssSampler:
    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid, self.every = pid, every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(rss_mb(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def hammer(base: str, qs: list[str], clients: int, seconds: float, pause: float) -> dict:
    """``clients`` closed-loop clients for ``seconds``; latency by outcome."""
    ok: list[float] = []
    rejected: list[float] = []
    other: list[float] = []
    statuses: Counter[str] = Counter()
    end = time.monotonic() + seconds
    # idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them under us
    limits = httpx.Limits(
        max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=2.0
    )
    timeout = httpx.Timeout(DEADLINE_S + 10)

    async def client(n: int, http: httpx.AsyncClient) -> None:
        i = n
        while time.monotonic() < end:
            t = time.perf_counter()
            try:
                r = await http.post("/v1/ask", json={"question": qs[i % len(qs)]})
                status = str(r.status_code)
            except httpx.HTTPError as e:  # a timeout or a dropped connection: a failure here
                status = type(e).__name__
            took = (time.perf_counter() - t) * 1000
            statuses[status] += 1
            if status == "200":
                ok.append(took)
            elif status.isdigit() and int(status) in REJECTED:
                rejected.append(took)
                await asyncio.sleep(pause)
            else:
                other.append(took)
            i += clients

    probes: list[float] = []

    async def probe() -> None:
        """GET /healthz (no work, no slot) every 0.25 s: how long the server's event loop takes
        to answer anything at all under this load."""
        async with httpx.AsyncClient(base_url=base, timeout=timeout) as http:
            while time.monotonic() < end:
                t = time.perf_counter()
                r = await http.get("/healthz")
                if r.status_code == 200:
                    probes.append((time.perf_counter() - t) * 1000)
                await asyncio.sleep(0.25)

    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as http:
        await asyncio.gather(probe(), *(client(n, http) for n in range(clients)))
    elapsed = time.perf_counter() - t0
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": sum(statuses.values()),
        "statuses": dict(statuses),
        "ok": len(ok),
        "ok_per_s": round(len(ok) / elapsed, 2),
        "ok_p50_ms": percentile(ok, 0.50),
        "ok_p95_ms": percentile(ok, 0.95),
        "ok_max_ms": round(max(ok), 1) if ok else None,
        "rejected": len(rejected),
        "reject_p50_ms": percentile(rejected, 0.50),
        "reject_p95_ms": percentile(rejected, 0.95),
        "reject_max_ms": round(max(rejected), 1) if rejected else None,
        "other": len(other),
        "healthz_p50_ms": percentile(probes, 0.50),
        "healthz_p95_ms": percentile(probes, 0.95),
    }


class Server:
    def __init__(self, data: Path, env: dict[str, str], name: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = data / f"{name}.log"
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(BIN / "unionqa"), "serve", "--port", str(self.port)],
            env=env, cwd=data, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log_path.read_text(errors="replace")[-3000:])
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become ready")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def recover(base: str, q: str, within: float = 40.0) -> dict:
    """One question after the load: how long until it is answered (busy slots may still drain)."""
    t0 = time.perf_counter()
    tries = 0
    while True:
        tries += 1
        t = time.perf_counter()
        r = httpx.post(f"{base}/v1/ask", json={"question": q}, timeout=DEADLINE_S + 10)
        if r.status_code == 200 or time.perf_counter() - t0 > within:
            return {
                "status": r.status_code,
                "latency_ms": round((time.perf_counter() - t) * 1000, 1),
                "after_s": round(time.perf_counter() - t0, 2),
                "tries": tries,
            }
        time.sleep(float(r.headers.get("retry-after", 1)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20.0, help="overload duration")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--pause", type=float, default=0.05, help="client pause after a refusal")
    parser.add_argument(
        "--max-concurrency",
        type=int,
        default=2 * (os.cpu_count() or 1),
        help="UNIONQA_API__MAX_CONCURRENCY (default: two per core, as the API)",
    )
    parser.add_argument("--no-quota-phase", action="store_true")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="unionqa-overload-"))
    env = {
        **os.environ,
        "UNIONQA_DATA_DIR": str(data),
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
    }
    for name in [k for k in env if k.startswith("UNIONQA_") and k != "UNIONQA_DATA_DIR"]:
        env.pop(name)
    env["UNIONQA_API__MAX_CONCURRENCY"] = str(args.max_concurrency)
    subprocess.run(
        [str(BIN / "unionqa"), "ingest", str(ROOT / "corpus"), "--json"],
        env=env, cwd=data, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    qs = questions()
    report: dict = {
        "endpoint": "POST /v1/ask",
        "workers": 1,
        "api": {"max_concurrency": args.max_concurrency, "deadline_s": DEADLINE_S},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_before": os.getloadavg(),
        },
    }
    server = Server(data, {**env, "UNIONQA_API__QUOTA_PER_MINUTE": "0"}, "serve")
    try:
        server.wait_ready()
        asyncio.run(hammer(server.base, qs, 2, 3, args.pause))  # warm-up
        report["rss_mb_idle"] = rss_mb(server.proc.pid)
        report["capacity"] = asyncio.run(hammer(server.base, qs, 4, 8, args.pause))
        with RssSampler(server.proc.pid) as rss:
            report["overload"] = asyncio.run(
                hammer(server.base, qs, args.clients, args.seconds, args.pause)
            )
            report["recovery"] = recover(server.base, qs[0])
        report["rss_mb_peak"] = max(rss.samples)
        report["rss_mb_after"] = rss_mb(server.proc.pid)
    finally:
        server.stop()
    if not args.no_quota_phase:
        server = Server(data, env, "serve-quota")  # the default quota: 60 a minute per address
        try:
            server.wait_ready()
            report["quota"] = asyncio.run(hammer(server.base, qs, 16, 5, args.pause))
        finally:
            server.stop()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(data / "serve.log", OUT.parent / "overload_serve.log")
    shutil.rmtree(data, ignore_errors=True)

    over, cap = report["overload"], report["capacity"]
    failures = {
        k: v
        for k, v in over["statuses"].items()
        if not (k.isdigit() and int(k) in {200, 429, 503, 504})
    }
    checks = {
        "load_above_capacity": over["clients"] > args.max_concurrency and over["rejected"] > 0,
        "rejections_quick_p95_under_1s": (over["reject_p95_ms"] or 0) < 1000,
        "no_timeouts_or_errors": not failures,
        "no_5xx_but_503_504": all(
            not (k.isdigit() and int(k) >= 500 and int(k) not in (503, 504))
            for k in over["statuses"]
        ),
        "recovered": report["recovery"]["status"] == 200,
        "rss_bounded_under_idle_plus_512mb": report["rss_mb_peak"] < report["rss_mb_idle"] + 512,
        "quota_gives_429": args.no_quota_phase or report["quota"]["statuses"].get("429", 0) > 0,
    }
    report["checks"] = checks
    report["machine"]["loadavg_after"] = os.getloadavg()
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    def row(name: str, r: dict) -> str:
        return (
            f"| {name} | {r['clients']} | {r['seconds']} | {r['requests']} | {r['ok']} | "
            f"{r['ok_per_s']} | {r['ok_p50_ms']} | {r['ok_p95_ms']} | {r['rejected']} | "
            f"{r['reject_p50_ms']} | {r['reject_p95_ms']} | {r['other']} | {r['healthz_p95_ms']} |"
        )

    print(
        "| phase | clients | s | requests | 200 | 200/s | 200 p50 ms | 200 p95 ms | 429/503 "
        "| reject p50 ms | reject p95 ms | timeouts/other | /healthz p95 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(row("capacity", cap))
    print(row("overload", over))
    if "quota" in report:
        print(row("quota 60/min", report["quota"]))
    rec = report["recovery"]
    print(
        f"\nstatuses under overload: {over['statuses']}; recovery: {rec['status']} after "
        f"{rec['after_s']} s ({rec['latency_ms']} ms); RSS idle {report['rss_mb_idle']} MB, "
        f"peak {report['rss_mb_peak']} MB, after {report['rss_mb_after']} MB"
    )
    print("checks: " + ", ".join(f"{k}={'ok' if v else 'FAIL'}" for k, v in checks.items()))
    print(f"{os.cpu_count()} CPUs shared with the client; JSON: {args.out}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
