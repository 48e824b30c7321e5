"""Shared fixtures. Real parts (the e5 model, Chroma) by default; the network is refused except
loopback, so a hidden download fails loudly instead of passing on a developer's machine."""

from __future__ import annotations

import os
import socket

import pytest
from fixtures import CORPUS, LAWS, loopback, make_settings, run_chroma

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _refuse_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a non-loopback address raises (a download attempt fails the test)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address):
            raise ConnectionRefusedError(f"network disabled in tests: {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address):
            raise ConnectionRefusedError(f"network disabled in tests: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


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


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real ``chroma run`` server on loopback for the whole session; yields its URL.

    Shared by every test that asks for it: give each test its own collection
    (``make_settings(tmp_path, chroma_url=url, collection=f"t-{uuid.uuid4().hex[:8]}")``)."""
    with run_chroma(tmp_path_factory.mktemp("chroma-server")) as (url, _):
        yield url


@pytest.fixture
def count_tokenize(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the keyword index tokenizes from now on, in order."""
    import unionqa.search.keyword as keyword

    seen: list[str] = []
    real = keyword.tokenize

    def counting(text: str) -> list[str]:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(keyword, "tokenize", counting)
    return seen
