"""Outcome counters: what happens to questions, per day, without keeping any question.

One SQLite file in the data dir (``stats.sqlite3``). For each day (the server's local date) it
counts answers by channel (``api``, ``ui``, ``openai``), language, coverage (``answered``,
``partial``, ``none``), the best matched situation, the kind of figure the documents do not state
and the urgent class of an escalation. Nothing else: no text, no answer id, no time of day.
Ratings are counted from the feedback store (one per answer and rating). Days older than
``UNIONQA_STATS__RETENTION_DAYS`` (180) are purged when the store opens and once a day after.

    counters = OutcomeCounters(settings.data_dir / STATS_FILE)
    counters.add(answer, channel="api", lang="zh")
    report(counters, service.feedback, days=7)    # the JSON of GET /v1/stats and `unionqa stats`
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .feedback import FeedbackStore
from .types import Answer

STATS_FILE = "stats.sqlite3"
CHANNELS = ("api", "ui", "openai")
COVERAGES = ("answered", "partial", "none")
UNMATCHED = "未匹配到情形"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outcomes (
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    lang TEXT NOT NULL,
    coverage TEXT NOT NULL,
    situation TEXT NOT NULL,
    unstated TEXT NOT NULL,
    urgent_class TEXT NOT NULL,
    escalated INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, channel, lang, coverage, situation, unstated, urgent_class, escalated)
);
CREATE TABLE IF NOT EXISTS situation_names (id TEXT PRIMARY KEY, name TEXT NOT NULL);
"""
_COLUMNS = "day, channel, lang, coverage, situation, unstated, urgent_class, escalated"


def coverage_of(answer: Answer) -> str:
    """The answer's coverage; a refusal still marked ``answered`` (an answer built before
    coverage was set) counts as ``none``, since ``refused`` is true exactly when it is not."""
    if answer.refused and answer.coverage == "answered":
        return "none"
    return answer.coverage


class OutcomeCounters:
    """A short-lived connection per call, so threads and processes may share the file."""

    def __init__(self, path: Path, retention_days: int = 180) -> None:
        self.path = Path(path)
        self.retention_days = retention_days
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)
        self._purged: date | None = None
        self.purge()

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a count lost in a power cut is acceptable
            with db:
                yield db
        finally:
            db.close()

    def add(self, answer: Answer, channel: str, lang: str, day: date | None = None) -> None:
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        today = day or date.today()
        top = answer.situations[0] if answer.situations else None
        esc = answer.escalation
        urgent = (esc.urgent_class or "urgent") if esc and esc.urgency == "urgent" else ""
        key = (
            today.isoformat(),
            channel,
            lang if lang in ("zh", "en") else "other",
            coverage_of(answer),
            top.id if top else "",
            answer.unstated or "",
            urgent,
            int(esc is not None),
        )
        with self._connect() as db:
            db.execute(
                f"INSERT INTO outcomes ({_COLUMNS}, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)"
                f" ON CONFLICT ({_COLUMNS}) DO UPDATE SET n = n + 1",
                key,
            )
            if top is not None:
                db.execute(
                    "INSERT INTO situation_names (id, name) VALUES (?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                    (top.id, top.name),
                )
        if self._purged != today:
            self.purge(today)

    def purge(self, today: date | None = None) -> int:
        """Delete the days past the retention period; returns how many rows went."""
        day = today or date.today()
        cutoff = (day - timedelta(days=self.retention_days)).isoformat()
        with self._connect() as db:
            gone = db.execute("DELETE FROM outcomes WHERE day <= ?", (cutoff,)).rowcount
        self._purged = day
        return gone

    def rows(self, since: date, until: date) -> list[dict[str, Any]]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                f"SELECT {_COLUMNS}, n FROM outcomes WHERE day >= ? AND day <= ? ORDER BY day",
                (since.isoformat(), until.isoformat()),
            ).fetchall()
        return [dict(r) for r in rows]

    def names(self) -> dict[str, str]:
        with self._connect() as db:
            return dict(db.execute("SELECT id, name FROM situation_names").fetchall())


def report(
    counters: OutcomeCounters,
    feedback: FeedbackStore | None = None,
    days: int = 7,
    today: date | None = None,
) -> dict[str, Any]:
    """The last ``days`` days (today included) summed, with the day-by-day totals and the
    situations that end ``partial`` or ``none``, most frequent first (the corpus's to-do list)."""
    until = today or date.today()
    since = until - timedelta(days=days - 1)
    rows = counters.rows(since, until)
    names = counters.names()
    ratings = feedback.ratings(since, until) if feedback is not None else {}

    def total(column: str, keys: tuple[str, ...] = ()) -> dict[str, int]:
        c: Counter[str] = Counter({k: 0 for k in keys})
        for r in rows:
            if r[column]:
                c[r[column]] += r["n"]
        return dict(c)

    per_situation: dict[str, Counter[str]] = {}
    per_day: dict[str, Counter[str]] = {}
    for r in rows:
        per_situation.setdefault(r["situation"], Counter())[r["coverage"]] += r["n"]
        per_day.setdefault(r["day"], Counter())[r["coverage"]] += r["n"]

    def situation(sid: str, c: Counter[str]) -> dict[str, Any]:
        return {
            "id": sid or None,
            "name": names.get(sid, sid) if sid else UNMATCHED,
            "answers": sum(c.values()),
            **{k: c[k] for k in COVERAGES},
        }

    situations = sorted(
        (situation(sid, c) for sid, c in per_situation.items()),
        key=lambda s: (-s["answers"], s["id"] or ""),
    )
    unanswered = sorted(
        (
            {**s, "unanswered": s["partial"] + s["none"]}
            for s in situations
            if s["partial"] + s["none"]
        ),
        key=lambda s: (-s["unanswered"], s["id"] or ""),
    )
    by_day = []
    for n in range(days):
        d = (since + timedelta(days=n)).isoformat()
        c = per_day.get(d, Counter())
        rated = ratings.get(d, {})
        by_day.append(
            {
                "day": d,
                "answers": sum(c.values()),
                **{k: c[k] for k in COVERAGES},
                "up": rated.get("up", 0),
                "down": rated.get("down", 0),
            }
        )
    escalated = sum(r["n"] for r in rows if r["escalated"])
    return {
        "days": days,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "answers": sum(r["n"] for r in rows),
        "coverage": total("coverage", COVERAGES),
        "channels": total("channel", CHANNELS),
        "languages": total("lang"),
        "unstated": total("unstated"),
        "escalations": {"total": escalated, "urgent": total("urgent_class")},
        "ratings": {k: sum(d[k] for d in by_day) for k in ("up", "down")},
        "situations": situations,
        "unanswered": unanswered,
        "by_day": by_day,
    }
