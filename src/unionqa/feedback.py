"""Ratings of answers, kept in SQLite in the data dir (``feedback.sqlite3``).

What is stored: the answer id, the rating (``up``/``down``), an optional comment with personal
data redacted (``unionqa.privacy.redact``), the time, and the id of the API key that sent it
(a short hash, never the key). Never the question or the answer text. Rows older than the
retention period are purged when a store opens and on every insert.

Opened by ``QAService.feedback`` (one store per service, in its data dir), which the API
(``POST /v1/feedback``), the UI, ``unionqa feedback export`` and the stats use::

    service.feedback.add("ans_3f2a…", "down", comment="引用的条款不对")
"""

from __future__ import annotations

import base64
import contextlib
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
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

    def as_json(self) -> dict[str, object]:
        out = asdict(self)
        out["created_at"] = (
            datetime.fromtimestamp(self.created_at).astimezone().isoformat(timespec="seconds")
        )
        return out


@dataclass(frozen=True)
class FeedbackPage:
    items: list[FeedbackRecord]
    total: int  # rows matching the filters, over all pages
    next_cursor: str | None = None  # pass back as ``cursor`` for the next page
    next_offset: int | None = None
    filters: dict[str, str | None] = field(default_factory=dict)


def _day_start(day: date) -> float:
    """Local midnight at the start of ``day``, in unix seconds (days are the server's)."""
    return datetime(day.year, day.month, day.day).timestamp()


def _cursor(record: FeedbackRecord) -> str:
    raw = f"{record.created_at!r}|{record.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _parse_cursor(cursor: str) -> tuple[float, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, fid = raw.partition("|")
        return float(at), fid
    except ValueError as e:
        raise UsageError("cursor 无效：请使用上一页返回的 next_cursor。") from e


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

    def query(
        self,
        since: date | None = None,
        until: date | None = None,
        rating: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        cursor: str | None = None,
    ) -> FeedbackPage:
        """Rows oldest first, filtered by day (``since``/``until`` inclusive) and rating, one page
        at a time: after ``cursor`` (from the previous page) or from ``offset``."""
        if rating is not None and rating not in ("up", "down"):
            raise UsageError("rating 只能是 up 或 down。")
        if since and until and since > until:
            raise UsageError("since 不能晚于 until。")
        where: list[str] = ["1"]
        args: list[float | str] = []
        if since:
            where.append("created_at >= ?")
            args.append(_day_start(since))
        if until:
            where.append("created_at < ?")
            args.append(_day_start(until) + 86400)
        if rating:
            where.append("rating = ?")
            args.append(rating)
        cond = " AND ".join(where)
        page_cond, page_args = cond, list(args)
        if cursor:
            at, fid = _parse_cursor(cursor)
            page_cond += " AND (created_at > ? OR (created_at = ? AND id > ?))"
            page_args += [at, at, fid]
        sql = (
            "SELECT id, answer_id, rating, comment, created_at, key_id FROM feedback"
            f" WHERE {page_cond} ORDER BY created_at, id LIMIT ? OFFSET ?"
        )
        with self._connect() as db:
            total = int(
                db.execute(f"SELECT count(*) FROM feedback WHERE {cond}", args).fetchone()[0]
            )
            rows = db.execute(sql, [*page_args, -1 if limit is None else limit + 1, offset])
            items = [FeedbackRecord(*row) for row in rows.fetchall()]
        more = limit is not None and len(items) > limit
        items = items[:limit] if limit is not None else items
        return FeedbackPage(
            items=items,
            total=total,
            next_cursor=_cursor(items[-1]) if more else None,
            next_offset=(offset + len(items)) if more and not cursor else None,
            filters={
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None,
                "rating": rating,
            },
        )

    def ratings(self, since: date, until: date) -> dict[str, dict[str, int]]:
        """Per local day: answers rated up and down (an answer rated twice the same way, e.g.
        a rating then a comment, counts once)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT date(created_at, 'unixepoch', 'localtime') AS day, rating,"
                " count(DISTINCT answer_id) FROM feedback WHERE created_at >= ? AND created_at < ?"
                " GROUP BY day, rating",
                (_day_start(since), _day_start(until) + 86400),
            ).fetchall()
        out: dict[str, dict[str, int]] = {}
        for day, rating, n in rows:
            out.setdefault(day, {})[rating] = int(n)
        return out

    def all(self) -> list[FeedbackRecord]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, answer_id, rating, comment, created_at, key_id"
                " FROM feedback ORDER BY created_at"
            ).fetchall()
        return [FeedbackRecord(*row) for row in rows]
