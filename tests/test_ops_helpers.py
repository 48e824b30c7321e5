"""Helpers for the hotline-operations tests (no tests here): a loopback webhook receiver that can
be down for its first attempts, a service over a private copy of the corpus index, hand-built
answers, and a bounded wait."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from unionqa.service import QAService
from unionqa.types import Answer, Citation, Escalation, SituationRef

SECRET = "hook-secret-1"


class Receiver:
    """A webhook endpoint on 127.0.0.1 (http.server in a thread). The first ``fail_first``
    requests get 503; later ones 200. ``delivered`` holds one body per Idempotency-Key (the
    receiver's dedupe); ``attempts`` counts every request, ``bad_signatures`` the ones whose
    X-Unionqa-Signature does not verify."""

    def __init__(self, fail_first: int = 0, secret: str = SECRET, port: int = 0) -> None:
        self.fail_first = fail_first
        self.secret = secret
        self.attempts = 0
        self.accepted = 0  # 2xx answers given (a duplicate key is answered 200 again)
        self.bad_signatures = 0
        self.delivered: dict[str, dict[str, Any]] = {}
        self.raw: list[bytes] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.attempts += 1
                    receiver.raw.append(body)
                    if receiver.attempts <= receiver.fail_first:
                        status = 503
                    else:
                        want = (
                            "sha256="
                            + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                        )
                        if not hmac.compare_digest(
                            want, self.headers.get("X-Unionqa-Signature", "")
                        ):
                            receiver.bad_signatures += 1
                            status = 401
                        else:
                            key = self.headers["Idempotency-Key"]
                            receiver.delivered.setdefault(key, json.loads(body))
                            receiver.accepted += 1
                            status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_for(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    """Poll until ``condition()``; fail after ``timeout`` s (a bound, not a timed assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.05)


def hook_settings(url: str, **kw: Any) -> dict[str, Any]:
    from unionqa.settings import HandoffSettings

    return {
        "handoff": HandoffSettings(
            url=url, secret=SECRET, backoff_s=0.05, max_backoff_s=0.2, timeout_s=5, **kw
        )
    }


def service_copy(base: QAService, data_dir: Path, **updates: Any) -> QAService:
    """A service over a private copy of ``base``'s index (so outbox and counters stay apart),
    sharing its loaded model."""
    stores = shutil.ignore_patterns("stats.sqlite3*", "feedback.sqlite3*", "handoff-outbox")
    shutil.copytree(base.settings.data_dir, data_dir, ignore=stores)
    settings = base.settings.model_copy(update={"data_dir": data_dir, **updates})
    return QAService(settings, embeddings=base.embeddings)


def settings_only(data_dir: Path, **updates: Any) -> QAService:
    """A service with no index, for the stores alone (counters, outbox, feedback)."""
    from fixtures import make_settings

    return QAService(make_settings(data_dir, embedding="hashing", **updates))


def answer(
    coverage: str = "answered",
    situation: tuple[str, str] | None = None,
    escalate: bool = False,
    urgent_class: str | None = None,
    summary: str = "",
    unstated: str | None = None,
) -> Answer:
    """A hand-built Answer (unit tests of the pieces that read one)."""
    sits = [SituationRef(id=situation[0], name=situation[1], score=0.9)] if situation else []
    esc = None
    if escalate or coverage != "answered" or urgent_class:
        esc = Escalation(
            hotline="12351",
            reason="现有资料未覆盖该问题",
            situation=situation[0] if situation else None,
            office="劳动保障监察" if situation else None,
            urgency="urgent" if urgent_class else "normal",
            urgent_class=urgent_class,
            call_now=["110", "12351"] if urgent_class else [],
            summary=summary,
        )
    cites = [
        Citation(
            n=1,
            doc_id="labour-law",
            source="labour_law.md",
            title="中华人民共和国劳动法",
            quote="工资应当以货币形式按月支付给劳动者本人。",
            start=0,
            end=20,
            locator="第五十条",
        )
    ]
    return Answer(
        answer="……[1]",
        refused=coverage != "answered",
        citations=cites,
        escalation=esc,
        coverage=coverage,  # type: ignore[arg-type]
        situations=sits,
        unstated=unstated,
    )
