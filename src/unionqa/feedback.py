"""Ratings of answers, kept in SQLite in the data dir (``feedback.sqlite3``).

What is stored: the answer id, the rating (``up``/``down``), an optional comment with personal
data redacted (``unionqa.privacy.redact``), the time, and the id of the API key that sent it
(a short hash, never the key). Never the question or the answer text. Rows older than the
retention period are purged when a store opens and on every insert.

Used by the API (``POST /v1/feedback``) and the UI::

    store = FeedbackStore(settings.data_dir / FEEDBACK_FILE, settings.api.feedback_retention_days)
    store.add("ans_3f2a…", "down", comment="引用的条款不对")
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import UsageError
from .privacy import redact

FEEDBACK_FILE = "feedback.sqlite3"
MAX_COMMENT_CHARS = 1000
Rating = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY,
    answer_id TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT,
    created_at REAL NOT NULL,
    key_id TEXT
);
CREATE INDEX IF NOT EXISTS feedback_created_at ON feedback (created_at);
"""


@dataclass(frozen=True)
class FeedbackRecord:
    id: str
    answer_id: str
    rating: str
    comment: str | None
    created_at: float  # unix seconds
    key_id: str | None


class FeedbackStore:
    """One SQLite file; a short-lived connection per call, so threads and processes may share it."""

    def __init__(self, path: Path, retention_days: int = 180) -> None:
        self.path = Path(path)
        self.retention_days = retention_days
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)
        self.purge()

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            with db:  # commit or roll back
                yield db
        finally:
            db.close()

    def add(
        self,
        answer_id: str,
        rating: str,
        comment: str | None = None,
        key_id: str | None = None,
        now: float | None = None,
    ) -> FeedbackRecord:
        if rating not in ("up", "down"):
            raise UsageError("评价只能是 up（有帮助）或 down（没帮助）。")
        if not answer_id or len(answer_id) > 100:
            raise UsageError("缺少回答编号（answer_id）。")
        if comment is not None and len(comment) > MAX_COMMENT_CHARS:
            raise UsageError(f"留言太长，最多 {MAX_COMMENT_CHARS} 字。")
        at = time.time() if now is None else now
        record = FeedbackRecord(
            id=f"fb_{uuid.uuid4().hex}",
            answer_id=answer_id,
            rating=rating,
            comment=(redact(comment).strip() or None) if comment else None,
            created_at=at,
            key_id=key_id,
        )
        with self._connect() as db:
            db.execute(
                "INSERT INTO feedback (id, answer_id, rating, comment, created_at, key_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.answer_id,
                    record.rating,
                    record.comment,
                    record.created_at,
                    record.key_id,
                ),
            )
        self.purge(at)
        return record

    def purge(self, now: float | None = None) -> int:
        """Delete rows older than the retention period; returns how many went."""
        at = time.time() if now is None else now
        cutoff = at - self.retention_days * 86400
        with self._connect() as db:
            return db.execute("DELETE FROM feedback WHERE created_at < ?", (cutoff,)).rowcount

    def all(self) -> list[FeedbackRecord]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, answer_id, rating, comment, created_at, key_id"
                " FROM feedback ORDER BY created_at"
            ).fetchall()
        return [FeedbackRecord(*row) for row in rows]
