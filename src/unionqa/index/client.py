"""The Chroma connection: an embedded store or a ``chroma run`` server with every request bounded,
and which of its failures mean "the server is unreachable"."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import BackendUnavailableError
from ..settings import Settings


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def _set_timeout(client: Any, seconds: float) -> None:
    """Bound every request of chromadb's HTTP client (it builds its httpx session with
    ``timeout=None``)."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):
        raise RuntimeError("chromadb's HTTP client has changed: cannot bound its requests")
    session.timeout = httpx.Timeout(seconds, connect=min(seconds, 5.0))


def _chroma_errors() -> tuple[type[BaseException], ...]:
    import httpx

    return (httpx.HTTPError, ConnectionError, OSError)


def open_client(settings: Settings, data_dir: Path) -> Any:
    """A chromadb client: an HTTP one for ``settings.chroma_url``, else an embedded store under
    ``data_dir``. Any failure to connect raises ``BackendUnavailableError``."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    import httpx

    try:
        if settings.chroma_url:
            u = urlparse(settings.chroma_url)
            host = u.hostname or "127.0.0.1"
            port = u.port or (443 if u.scheme == "https" else 8000)
            # chromadb's HTTP client waits forever on a server that accepts connections
            # and never answers (SIGSTOPped, hung): check that it answers in time, then
            # bound every later request the same way
            timeout = settings.chroma_timeout_s
            scheme = "https" if u.scheme == "https" else "http"
            heartbeat = f"{scheme}://{host}:{port}/api/v2/heartbeat"
            httpx.get(heartbeat, timeout=timeout).raise_for_status()
            client = chromadb.HttpClient(
                host=host, port=port, ssl=scheme == "https", settings=_chroma_settings()
            )
            _set_timeout(client, timeout)
            return client
        data_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=_chroma_settings())
    except Exception as e:  # chromadb raises bare Exception/ValueError when a server is down
        raise BackendUnavailableError(
            "无法连接向量数据库（Chroma），请检查 UNIONQA_CHROMA_URL 或稍后再试。"
        ) from e


def is_connection_error(e: BaseException) -> bool:
    seen: BaseException | None = e
    while seen is not None:
        if isinstance(seen, _chroma_errors()):
            return True
        text = str(seen).lower()
        if any(
            s in text for s in ("connect", "connection refused", "could not connect", "timed out")
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
