"""The one-writer lock of a data dir."""

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

from ..errors import IndexLockedError

logger = logging.getLogger(__name__)

# a live writer fills its lock file within microseconds; an unreadable one this old is debris
LOCK_UNREADABLE_STALE_S = 10.0


@contextlib.contextmanager
def writer_lock(data_dir: Path) -> Iterator[None]:
    """One writer at a time: ``data_dir/ingest.lock`` holds the writer's PID and host. A lock left
    by a killed writer (its PID is gone, or a zombie) is cleared, and so is an unreadable one
    older than ``LOCK_UNREADABLE_STALE_S``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "ingest.lock"
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _read_lock(path)
            if holder and holder.get("host") == me["host"] and not _pid_alive(holder.get("pid")):
                logger.warning("clearing stale ingest lock of dead process %s", holder.get("pid"))
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                continue
            if holder is None and _age(path) > LOCK_UNREADABLE_STALE_S:
                # a writer killed between creating the file and writing its PID
                logger.warning("clearing an unreadable ingest lock")
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                continue
            raise IndexLockedError(holder.get("pid") if holder else None) from None
        with os.fdopen(fd, "w") as f:
            json.dump(me, f)
        break
    else:
        raise IndexLockedError(None)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _read_lock(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (killed, not yet reaped) holds no lock either
    with contextlib.suppress(OSError):
        if " Z " in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:4]:
            return False
    return True
