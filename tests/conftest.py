"""Shared fixtures. Real parts (the e5 model, Chroma) by default; the network is refused except
loopback, so a hidden download fails loudly instead of passing on a developer's machine."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
LAWS = SHARED / "corpora" / "laws"


def _loopback(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return isinstance(address, str | bytes)  # AF_UNIX paths
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _refuse_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a non-loopback address raises (a download attempt fails the test)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise ConnectionRefusedError(f"network disabled in tests: {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise ConnectionRefusedError(f"network disabled in tests: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


def make_settings(data_dir: Path, **kw):
    from unionqa.settings import Settings

    return Settings(data_dir=data_dir, _env_file=None, **kw)


@pytest.fixture(scope="session")
def corpus_service(tmp_path_factory: pytest.TempPathFactory):
    """A service over corpus/ with the real e5 model in an embedded Chroma (built once)."""
    from unionqa.service import QAService

    svc = QAService(make_settings(tmp_path_factory.mktemp("corpus-index")))
    report = svc.ingest([CORPUS])
    assert report.added == len(list(CORPUS.glob("*.md"))) and not report.failed
    return svc


@pytest.fixture(scope="session")
def laws_service(tmp_path_factory: pytest.TempPathFactory):
    """corpus/ plus the 11 statutes of ../shared (skipped when ../shared is absent)."""
    if not LAWS.is_dir():
        pytest.skip("../shared/corpora/laws is absent (a fresh clone has no ../shared)")
    from unionqa.service import QAService

    svc = QAService(make_settings(tmp_path_factory.mktemp("laws-index")))
    report = svc.ingest([CORPUS, LAWS])
    assert not report.failed
    return svc


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real ``chroma run`` server on loopback for the whole session; yields its URL.

    Shared by every test that asks for it: give each test its own collection
    (``make_settings(tmp_path, chroma_url=url, collection=f"t-{uuid.uuid4().hex[:8]}")``)."""
    with run_chroma(tmp_path_factory.mktemp("chroma-server")) as (url, _):
        yield url


@contextlib.contextmanager
def run_chroma(root: Path):
    """Start ``chroma run`` over ``root/db`` on a free loopback port; yields (url, process)."""
    import subprocess
    import sys
    import time
    import urllib.request

    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        pytest.skip("the chroma CLI is not installed in this environment")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (root / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(root / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"chroma run exited with {proc.returncode}: {_tail(root / 'server.log')}"
                )
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"chroma run did not answer within 60 s: {_tail(root / 'server.log')}")
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _tail(path: Path, n: int = 2000) -> str:
    return path.read_text(errors="replace")[-n:]


@pytest.fixture
def count_tokenize(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the keyword index tokenizes from now on, in order."""
    import unionqa.keyword as keyword

    seen: list[str] = []
    real = keyword.tokenize

    def counting(text: str) -> list[str]:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(keyword, "tokenize", counting)
    return seen
