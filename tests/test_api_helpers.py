"""Helpers for the API tests (no tests here): app builders, a real uvicorn in a thread, SSE parsing,
and a QAService that can be made slow on purpose."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from unionqa.api.app import create_app
from unionqa.service import QAService
from unionqa.settings import Settings


def api_settings(
    service: QAService,
    data_dir: Path,
    *,
    api_keys: str | None = None,
    admin_keys: str | None = None,
    **api: Any,
) -> Settings:
    """The service's settings with the API part changed and ``data_dir`` set (the index and the
    feedback store stay where the service has them)."""
    return service.settings.model_copy(
        update={
            "data_dir": data_dir,
            "api_keys": api_keys,
            "admin_keys": admin_keys,
            "api": service.settings.api.model_copy(update=api),
        }
    )


def client_for(service: QAService, data_dir: Path, **kw: Any) -> TestClient:
    app = create_app(service, settings=api_settings(service, data_dir, **kw), mount_ui=False)
    return TestClient(app, raise_server_exceptions=False)


def parse_sse(text: str) -> list[tuple[str, str]]:
    """``[(event, data), ...]`` from a text/event-stream body (event defaults to "message")."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        event, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        events.append((event, "\n".join(data)))
    return events


def sse_json(text: str) -> list[tuple[str, Any]]:
    return [(e, json.loads(d)) for e, d in parse_sse(text)]


class LiveServer:
    """A real uvicorn serving ``app`` on 127.0.0.1 in a background thread (``options``: more
    ``uvicorn.Config`` arguments, e.g. ``unionqa serve``'s own)."""

    def __init__(self, app: Any, **options: Any) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(
            uvicorn.Config(
                app, **{"log_level": "warning", "access_log": False, "lifespan": "on", **options}
            )
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(cmd: list[str], log: Path, **kw) -> subprocess.Popen:
    """A process in its own session (so it can be stopped with its children), output to ``log``
    (a pipe nobody reads would fill up and stall a chatty server)."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kw
        )


def wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise AssertionError(f"process exited with {proc.returncode}:\n{tail}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer 200 within {seconds} s")


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


class SlowService(QAService):
    """The real service over the same index, held back on purpose (deadline and saturation tests).

    ``ask`` waits until ``release`` is set (at most ``delay`` s); ``ask_stream`` yields its first
    piece, then waits the same way before the rest."""

    def __init__(self, base: QAService, delay: float) -> None:
        super().__init__(base.settings, embeddings=base.embeddings)
        self.delay = delay
        self.release = threading.Event()
        self.entered = threading.Event()

    def ask(self, question: str, history: Any = (), as_of: Any = None) -> Any:
        self.entered.set()
        self.release.wait(self.delay)
        return super().ask(question, history=history, as_of=as_of)

    def ask_stream(self, question: str, history: Any = (), as_of: Any = None) -> Iterator[Any]:
        inner = super().ask_stream(question, history=history, as_of=as_of)

        def pieces() -> Iterator[Any]:
            yield next(inner)
            self.release.wait(self.delay)
            yield from inner

        return pieces()
