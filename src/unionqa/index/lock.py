"""The one-writer lock of a data dir.

Two files: ``ingest.lock.flock`` is what is locked, with ``filelock`` (``flock`` on Linux), so
the kernel releases it when its writer exits or is killed; it is never removed (a waiter that
opened the old inode would lock a different file than the next writer). ``ingest.lock`` says who
holds it (``{"pid", "host", "since"}``), for the error message and for people: written once the
lock is taken, removed before it is released. The locked file holds nothing, since ``filelock``
may truncate it when it opens it."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ..errors import IndexLockedError

logger = logging.getLogger(__name__)

HOLDER_FILE = "ingest.lock"
LOCK_FILE = "ingest.lock.flock"


@contextlib.contextmanager
def writer_lock(data_dir: Path) -> Iterator[None]:
    """One writer at a time; another is refused at once with ``IndexLockedError`` naming the
    holder's PID. What a killed writer left in ``ingest.lock`` is replaced (its lock died with
    it); what a writer on another host left is respected, since its lock may not reach this host
    (a network file system): that file is removed by hand once that writer is known to be gone."""
    data_dir.mkdir(parents=True, exist_ok=True)
    holder = data_dir / HOLDER_FILE
    lock = FileLock(data_dir / LOCK_FILE, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        left = _read(holder)
        raise IndexLockedError(left.get("pid") if left else None) from None
    try:
        _claim(holder)
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                holder.unlink()
    finally:
        lock.release()


def _claim(holder: Path) -> None:
    """Write this process into ``holder`` (called while holding the lock)."""
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
    if holder.exists():
        left = _read(holder)
        if left is None:  # killed between creating the file and writing its PID
            logger.warning("clearing an unreadable stale ingest lock")
        elif left.get("host") != me["host"]:
            raise IndexLockedError(left.get("pid"))
        else:
            logger.warning("clearing stale ingest lock of dead process %s", left.get("pid"))
    holder.write_text(json.dumps(me))


def _read(path: Path) -> dict[str, Any] | None:
    try:
        got = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return got if isinstance(got, dict) else None
