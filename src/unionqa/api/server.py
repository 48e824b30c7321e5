"""``unionqa serve``: uvicorn with the limits of ``APISettings`` (the request head's size and
read time, h11), one process or several workers sharing a Chroma server."""

from __future__ import annotations

import functools
import os
from typing import Any

from ..errors import UsageError
from ..settings import APISettings, Settings
from .app import configure_logging, create_app


def server_options(api: APISettings) -> dict[str, Any]:
    """The uvicorn options of ``unionqa serve`` that bound what a connection may cost."""
    from .h11 import HeadDeadlineProtocol

    return {
        # a partial of a module-level class: spawned workers unpickle it by name
        "http": functools.partial(HeadDeadlineProtocol, header_timeout_s=api.header_timeout_s),
        "h11_max_incomplete_event_size": api.max_header_bytes,
        # X-Forwarded-For only from the configured proxies (uvicorn trusts 127.0.0.1 otherwise)
        "proxy_headers": bool(api.trusted_proxies),
        "forwarded_allow_ips": ",".join(api.trusted_proxies) or "127.0.0.1",
    }


def run_server(
    settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int = 1
) -> None:
    """``unionqa serve``. Several workers need a Chroma server: the embedded store's vectors are
    not seen by other processes."""
    if workers < 1:
        raise UsageError("--workers 至少为 1。")
    if workers > 1 and not settings.chroma_url:
        raise UsageError(
            f"--workers {workers} 需要 Chroma 服务器：嵌入式索引里新加的内容其他进程看不到。"
            "请先运行 `chroma run --path <目录> --port 8001`，再设置 "
            "UNIONQA_CHROMA_URL=http://127.0.0.1:8001 并导入文档；或去掉 --workers。"
        )
    import uvicorn

    configure_logging(settings.log_level)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "access_log": False,  # ours (unionqa.access) never logs the query string or body
        "log_config": None,
        "log_level": settings.log_level.lower(),
        "server_header": False,
        "timeout_graceful_shutdown": 10,
        **server_options(settings.api),
    }
    if workers == 1:
        uvicorn.run(create_app(settings=settings), **options)
    else:
        # Each worker process imports app_factory by name and reads the settings from its
        # environment, which it inherits from this one: the data dir (which `serve --data-dir`
        # may have changed) is the one setting that has to be put there.
        os.environ["UNIONQA_DATA_DIR"] = str(settings.data_dir)
        uvicorn.run("unionqa.api.app:app_factory", factory=True, workers=workers, **options)


__all__ = ["run_server", "server_options"]
