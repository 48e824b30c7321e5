"""Cold start to the first answer, with an existing index.

- CLI: wall time of ``unionqa ask QUESTION --json`` as a subprocess (Python start, imports, model
  load, index open, keyword index from its disk cache, the answer).
- Server: ``unionqa serve`` started as a subprocess; time until the first 200 from
  ``POST /v1/ask`` (polled every 50 ms; connection refused and 503 "not ready" count as not yet).

Each is run ``--runs`` times; the first run may also pay for reading files into the OS page cache.

    nice -n 10 .venv/bin/python bench/bench_cold_start.py --data-dir /tmp/bench-lawbook-use --label lawbook-use
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import corpora
import httpx

BIN = Path(sys.executable).parent
QUESTION = "用人单位在什么情况下可以解除劳动合同"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_once(env: dict[str, str]) -> float:
    t = time.perf_counter()
    res = subprocess.run(
        [str(BIN / "unionqa"), "ask", QUESTION, "--json"], env=env, capture_output=True, text=True
    )
    took = time.perf_counter() - t
    if res.returncode != 0:
        raise SystemExit(f"unionqa ask failed: {res.stderr[-500:]}")
    assert json.loads(res.stdout)["answer"]
    return took


def serve_once(env: dict[str, str]) -> dict[str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    t = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "unionqa"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    first_connect = None
    try:
        with httpx.Client(timeout=30) as client:
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"serve exited: {proc.stderr.read().decode()[-800:]}")  # type: ignore[union-attr]
                try:
                    r = client.post(f"{url}/v1/ask", json={"question": QUESTION})
                    if first_connect is None:
                        first_connect = time.perf_counter() - t
                    if r.status_code == 200:
                        return {
                            "first_200_s": round(time.perf_counter() - t, 3),
                            "port_open_s": round(first_connect, 3),
                        }
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
                if time.perf_counter() - t > 120:
                    raise SystemExit("no 200 within 120 s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not Path(args.data_dir).exists():
        print(f"skip: {args.data_dir} does not exist")
        return
    env = {
        **os.environ,
        "UNIONQA_DATA_DIR": args.data_dir,
        "ANONYMIZED_TELEMETRY": "False",
        "UNIONQA_API__QUOTA_PER_MINUTE": "0",
    }
    env.pop("UNIONQA_API_KEYS", None)
    t = time.perf_counter()
    subprocess.run([str(BIN / "unionqa"), "--help"], env=env, capture_output=True, check=True)
    help_s = time.perf_counter() - t
    cli = [round(cli_once(env), 3) for _ in range(args.runs)]
    print("cli", cli, flush=True)
    serve = [serve_once(env) for _ in range(args.runs)]
    print("serve", serve, flush=True)
    record = {
        "label": args.label,
        "data_dir": args.data_dir,
        "store": "server" if env.get("UNIONQA_CHROMA_URL") else "embedded",
        "help_s": round(help_s, 3),
        "cli_ask_s": cli,
        "serve_first_200_s": [s["first_200_s"] for s in serve],
        "serve_port_open_s": [s["port_open_s"] for s in serve],
        "machine": corpora.machine(),
        "command": corpora.command(),
    }
    corpora.write_json(f"cold-{args.label}", record)
    rows, cmds = [], []
    for f in sorted(corpora.OUT.glob("cold-*.json")):
        r = json.loads(f.read_text(encoding="utf-8"))
        rows.append(
            [
                r["label"],
                r["store"],
                r["help_s"],
                " / ".join(f"{x:.2f}" for x in r["cli_ask_s"]),
                f"{statistics.median(r['cli_ask_s']):.2f}",
                " / ".join(f"{x:.2f}" for x in r["serve_first_200_s"]),
                f"{statistics.median(r['serve_first_200_s']):.2f}",
                r["machine"]["loadavg_1m"],
            ]
        )
        cmds.append(r["command"])
    corpora.update_doc(
        "cold",
        corpora.table(
            [
                "index",
                "store",
                "`unionqa --help` s",
                "`unionqa ask --json` runs, s",
                "median",
                "`unionqa serve` → first 200 from POST /v1/ask, runs, s",
                "median",
                "load avg",
            ],
            rows,
        )
        + "\n\n"
        + "\n".join(f"    nice -n 10 {c}" for c in cmds),
    )


if __name__ == "__main__":
    main()
