"""Handing an escalated answer to a person: the hotline's webhook (``UNIONQA_HANDOFF__URL``).

Every answer with an ``escalation`` becomes one JSON payload (``payload``): its id, time, channel,
the situation, office, urgency, the redacted fact summary, coverage and the citations; the
question only when ``UNIONQA_HANDOFF__INCLUDE_QUESTION=true``, and then redacted. Never the
answer text, never an unredacted question.

Delivery is at least once, and nothing is lost while the endpoint is down:

- ``Outbox.put`` writes the payload as one file in ``<data dir>/handoff-outbox/`` atomically
  (temporary file, fsync, rename) before the first attempt;
- ``Delivery``, one background thread per process, POSTs each file with the headers
  ``X-Unionqa-Signature: sha256=<hex HMAC-SHA256 of the body under UNIONQA_HANDOFF__SECRET>`` and
  ``Idempotency-Key: <answer id>``, with a timeout, and removes the file only after a 2xx;
- a failure (refused connection, timeout, any other status) is retried after a delay that starts
  at ``backoff_s`` and doubles up to ``max_backoff_s``; a restarted process sends what is left;
- several processes may share an outbox: a file is sent by whoever holds its ``flock``.

The receiver deduplicates on ``Idempotency-Key`` (a retry after a lost 2xx repeats a delivery).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .privacy import redact
from .settings import HandoffSettings
from .stats import coverage_of
from .types import Answer

logger = logging.getLogger(__name__)

OUTBOX_DIR = "handoff-outbox"
PAYLOAD_VERSION = 1
BATCH = 100  # files tried per pass of the delivery loop
POLL_S = 30.0  # longest sleep between passes (files written by other processes are seen then)


def payload(
    answer: Answer,
    answer_id: str,
    channel: str,
    *,
    question: str | None = None,
    created: datetime | None = None,
) -> dict[str, Any]:
    """The webhook's JSON for an answer with an escalation. ``question`` is redacted here; pass
    it only when the settings say so."""
    esc = answer.escalation
    if esc is None:
        raise ValueError("only an answer with an escalation is handed off")
    names = {s.id: s.name for s in answer.situations}
    out: dict[str, Any] = {
        "version": PAYLOAD_VERSION,
        "answer_id": answer_id,
        "created": (created or datetime.now(UTC)).isoformat(timespec="seconds"),
        "channel": channel,
        "hotline": esc.hotline,
        "reason": esc.reason,
        "situation": esc.situation,
        "situation_name": names.get(esc.situation or ""),
        "office": esc.office,
        "urgency": esc.urgency,
        "urgent_class": esc.urgent_class,
        "call_now": list(esc.call_now),
        "summary": redact(esc.summary),
        "coverage": coverage_of(answer),
        "unstated": answer.unstated,
        "citations": [
            {"n": c.n, "title": c.title, "locator": c.locator, "quote": c.quote}
            for c in answer.citations
        ],
    }
    if question is not None:
        out["question"] = redact(question)
    return out


def signature(body: bytes, secret: str) -> str:
    """The ``X-Unionqa-Signature`` header's value for a body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _file_name(answer_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", answer_id)[:120] + ".json"


class Outbox:
    """One JSON file per handoff, named by its answer id; the file's bytes are the POST body."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def put(self, body: dict[str, Any]) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / _file_name(str(body["answer_id"]))
        tmp = self.folder / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)  # the rename itself survives a crash
        finally:
            os.close(fd)
        return path

    def pending(self) -> list[Path]:
        """Files waiting to be delivered, oldest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for p in self.folder.glob("*.json"):
            with contextlib.suppress(FileNotFoundError):  # delivered meanwhile by another process
                found.append((p.stat().st_mtime, p.name, p))
        return [p for _, _, p in sorted(found)]

    @staticmethod
    @contextlib.contextmanager
    def claim(path: Path) -> Iterator[bytes | None]:
        """The file's bytes while this process holds its lock; None when another process holds
        it or it is already gone."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            yield None
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield None
                return
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # delivered and removed between our open and our lock
                yield None
                return
            with os.fdopen(os.dup(fd), "rb") as f:
                data = f.read()
            yield data
        finally:
            os.close(fd)


class Delivery:
    """The background sender of one process. ``deliver_due`` is one bounded pass; the thread
    repeats it until ``stop``, sleeping until the next retry is due (at most ``POLL_S``)."""

    def __init__(self, settings: HandoffSettings, outbox: Outbox) -> None:
        if not settings.url:
            raise ValueError("UNIONQA_HANDOFF__URL is not set")
        self.settings = settings
        self.url = settings.url
        self.outbox = outbox
        self._retry: dict[str, tuple[int, float]] = {}  # file name → (failures, next attempt)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.delivered = 0
        self.failures = 0

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name="unionqa-handoff", daemon=True
                )
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.deliver_due()
            except OSError:  # the outbox folder itself failed: try again later
                logger.exception("handoff outbox unreadable")
                wait = POLL_S
            self._wake.wait(wait)
            self._wake.clear()

    def deliver_due(self, now: float | None = None) -> float:
        """Try every file whose retry is due (at most ``BATCH``); seconds until the next is due."""
        at = time.monotonic() if now is None else now
        files = self.outbox.pending()
        names = {p.name for p in files}
        self._retry = {k: v for k, v in self._retry.items() if k in names}
        tried = 0
        for path in files:
            if self._stop.is_set() or tried >= BATCH:
                break
            _, due = self._retry.get(path.name, (0, 0.0))
            if due > at:
                continue
            tried += 1
            self._attempt(path)
        if tried >= BATCH:
            return 0.0
        dues = [due for _, due in self._retry.values()]
        return max(0.0, min([POLL_S, *(d - time.monotonic() for d in dues)]))

    def _attempt(self, path: Path) -> None:
        with Outbox.claim(path) as body:
            if body is None:
                return
            try:
                answer_id = str(json.loads(body)["answer_id"])
            except (ValueError, KeyError, TypeError):
                logger.error("handoff file %s is not a payload; moved aside", path.name)
                os.replace(path, path.with_suffix(".bad"))
                return
            status = self._post(body, answer_id)
            if status is not None and 200 <= status < 300:
                path.unlink()
                self._retry.pop(path.name, None)
                self.delivered += 1
                logger.info("handoff delivered (%d)", status)
                return
        failures = self._retry.get(path.name, (0, 0.0))[0] + 1
        delay = min(self.settings.backoff_s * 2 ** (failures - 1), self.settings.max_backoff_s)
        self._retry[path.name] = (failures, time.monotonic() + delay)
        self.failures += 1
        logger.warning(
            "handoff not delivered (%s), attempt %d; retry in %.1f s",
            status or "no connection",
            failures,
            delay,
        )

    def _post(self, body: bytes, answer_id: str) -> int | None:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": answer_id,
            "User-Agent": "unionqa-handoff/1",
        }
        if self.settings.secret is not None:
            headers["X-Unionqa-Signature"] = signature(
                body, self.settings.secret.get_secret_value()
            )
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as response:
                return int(response.status)
        except urllib.error.HTTPError as e:
            e.close()
            return int(e.code)
        except (OSError, ValueError):  # refused, reset, timeout, DNS; a malformed URL
            return None


class Handoff:
    """The outbox and its sender, as QAService holds them."""

    def __init__(self, settings: HandoffSettings, data_dir: Path) -> None:
        self.settings = settings
        self.outbox = Outbox(Path(data_dir) / OUTBOX_DIR)
        self.delivery = Delivery(settings, self.outbox)

    def submit(
        self, answer: Answer, answer_id: str, channel: str, question: str | None = None
    ) -> Path:
        """Write the handoff to the outbox (before any attempt) and wake the sender."""
        body = payload(
            answer,
            answer_id,
            channel,
            question=question if self.settings.include_question else None,
        )
        path = self.outbox.put(body)
        self.delivery.start()
        self.delivery.wake()
        return path
