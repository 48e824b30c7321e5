"""uvicorn's h11 protocol with a deadline for a connection's first request head.

A module of its own, imported only by ``unionqa serve``: the class has to live at module level,
because ``--workers`` starts its processes by *spawn*, which pickles the protocol by name."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class HeadDeadlineProtocol(H11Protocol):
    """h11 bounds the bytes it buffers for one request's head (the httptools protocol keeps
    every header byte it is sent); this also closes a connection whose first request head has
    not arrived ``header_timeout_s`` after connecting (uvicorn waits forever). Later requests on
    a kept-alive connection are bounded by the keep-alive timeout and the size."""

    def __init__(self, *args: Any, header_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timeout_s = header_timeout_s

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(self._header_timeout_s, self._head_too_slow)

    def _head_too_slow(self) -> None:
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_timer.cancel()
        super().connection_lost(exc)
