"""Nothing downloads: ingest and search run in a fresh Python whose sockets refuse every
non-loopback address, with the offline switches of Hugging Face and Chroma *unset* (the program
itself must not need them). Any outside connection attempt is logged and fails the test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from fixtures import CORPUS

# Patches socket before anything else is imported, records every refused address, then runs the
# CLI with the arguments after "--".
GUARD = r"""
import ipaddress, os, socket, sys

LOG = os.environ["NET_ATTEMPTS_LOG"]

def loopback(address):
    if not isinstance(address, tuple) or not address:
        return True
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex

def _refuse(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address):
        with open(LOG, "a") as f:
            f.write(repr(address) + "\n")
        raise ConnectionRefusedError("network disabled: %r" % (address,))

def connect(self, address):
    _refuse(self, address)
    return _connect(self, address)

def connect_ex(self, address):
    _refuse(self, address)
    return _connect_ex(self, address)

socket.socket.connect, socket.socket.connect_ex = connect, connect_ex

args = sys.argv[sys.argv.index("--") + 1 :]
if args[0] == "probe":
    try:
        socket.create_connection(("192.0.2.1", 80), timeout=2)
    except ConnectionRefusedError as e:
        print("refused:", e)
    sys.exit(0)
sys.argv = ["unionqa", *args]
from unionqa.cli import main
main()
"""

OFFLINE_SWITCHES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY")


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_SWITCHES}
    env = {k: v for k, v in env.items() if not k.startswith("UNIONQA_")}
    env["UNIONQA_DATA_DIR"] = str(tmp_path / "data")
    env["NET_ATTEMPTS_LOG"] = str(tmp_path / "net-attempts.log")
    return subprocess.run(
        [sys.executable, "-c", GUARD, "--", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )


def _attempts(tmp_path: Path) -> list[str]:
    log = tmp_path / "net-attempts.log"
    return log.read_text().splitlines() if log.exists() else []


def test_the_guard_really_refuses_outside_connections(tmp_path: Path) -> None:
    probe = _run(tmp_path, "probe")
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.startswith("refused: network disabled: ('192.0.2.1', 80)")
    assert _attempts(tmp_path) == ["('192.0.2.1', 80)"]


def test_ingest_and_search_with_the_default_model_never_touch_the_network(
    tmp_path: Path,
) -> None:
    corpus = shutil.copytree(CORPUS, tmp_path / "corpus")

    ingest = _run(tmp_path, "ingest", str(corpus), "--json")
    assert ingest.returncode == 0, ingest.stderr
    report = json.loads(ingest.stdout)
    assert report["added"] == len(list(corpus.glob("*.md"))) and report["failed"] == []
    manifest = json.loads((tmp_path / "data" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedding"] == "e5-small"

    search = _run(tmp_path, "search", "招聘应届毕业生企业能拿什么补助", "--json", "--k", "3")
    assert search.returncode == 0, search.stderr
    hits = json.loads(search.stdout)["hits"]
    assert hits[0]["source"] == "graduate-hiring-subsidy.md"

    assert _attempts(tmp_path) == [], "something tried to reach the network"
