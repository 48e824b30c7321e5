"""Who may call the API and how much: API keys, admin keys, the per-key quota, and the runner
that puts every blocking service call on a bounded thread pool under the request's deadline.

Rules (docs/hotline.md repeats them for integrators):

- ``UNIONQA_API_KEYS`` set: every ``/v1`` route needs ``Authorization: Bearer <key>`` (401
  otherwise). Unset: the API is open and any bearer token is ignored.
- Document changes (upload, delete) always need an admin key from ``UNIONQA_ADMIN_KEYS``: 401
  without a known key, 403 with a key that is not an admin key. With no admin keys configured
  they are refused (403) even on an open API: a reverse proxy on the same host makes "only from
  loopback" unsafe, and ``unionqa ingest`` on the server does the same job. Admin keys are also
  valid API keys.
- Quota: ``UNIONQA_API__QUOTA_PER_MINUTE`` requests in any 60 s per key (per client address on an
  open API), per worker process; 0 turns it off. Over it: 429 with ``Retry-After``.
- Concurrency: at most ``UNIONQA_API__MAX_CONCURRENCY`` service calls in flight per process;
  beyond that 503 at once. A call that outlives the deadline answers 504, and keeps its slot
  until the thread finishes (threads cannot be killed), so saturation is reported honestly.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import math
import threading
import time
import traceback
from collections import deque
from collections.abc import AsyncGenerator, Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.types import Receive

from ..errors import (
    BackendUnavailableError,
    IndexLockedError,
    IndexMismatchError,
    IndexNotReadyError,
    IngestError,
    MissingExtraError,
    UnionQAError,
    UploadTooLargeError,
    UsageError,
)

T = TypeVar("T")
logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An HTTP-level refusal (auth, quota, limits, deadline), rendered as the JSON error body."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


# UnionQAError subclass → HTTP status; messages are already written for users (errors.py)
STATUS: list[tuple[type[UnionQAError], int]] = [
    (UsageError, 400),
    (UploadTooLargeError, 413),
    (IngestError, 422),
    (IndexNotReadyError, 503),
    (IndexMismatchError, 503),
    (BackendUnavailableError, 503),
    (MissingExtraError, 503),
    (IndexLockedError, 409),
]
INTERNAL = "服务内部错误，请稍后再试；如果一直出现，请把请求编号 {rid} 告诉管理员。"


def translate(
    exc: BaseException, request_id: str = "-"
) -> tuple[int, dict[str, str], dict[str, str]]:
    """Status, JSON body and headers for any error: the one translation table of the API."""
    if isinstance(exc, ApiError):
        return exc.status, {"error": exc.code, "message": exc.message}, exc.headers
    if isinstance(exc, UnionQAError):
        status = next((s for cls, s in STATUS if isinstance(exc, cls)), 500)
        message = str(exc)
        if isinstance(exc, IndexMismatchError):
            message = "服务的索引需要管理员重建。" + message
        headers = {"Retry-After": "5"} if status == 503 else {}
        if status == 500:
            return (
                status,
                {"error": "internal_error", "message": INTERNAL.format(rid=request_id)},
                {},
            )
        return status, {"error": exc.code, "message": message}, headers
    return 500, {"error": "internal_error", "message": INTERNAL.format(rid=request_id)}, {}


def stream_error(exc: Exception, route: str) -> dict[str, str]:
    """The JSON error sent as an event when a stream fails midway (its status is already 200).
    A failure that is not one of ours is logged like the edge logs one: where, never what."""
    if not isinstance(exc, ApiError | UnionQAError):
        logger.error(
            "unhandled %s mid-stream on %s\n%s",
            type(exc).__name__,
            route,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
    return translate(exc)[1]


def key_id(key: str) -> str:
    """A short, stable name for a key in logs and the feedback store; never the key itself."""
    return "k_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class Caller:
    key_id: str | None  # None: no known key (open API)
    admin: bool = False
    client: str = "-"  # client address, the quota bucket on an open API

    @property
    def bucket(self) -> str:
        return self.key_id or f"addr:{self.client}"


class KeyRing:
    def __init__(self, api_keys: Iterable[str], admin_keys: Iterable[str]) -> None:
        self._api = [k.encode("utf-8") for k in api_keys]
        self._admin = [k.encode("utf-8") for k in admin_keys]

    @property
    def open(self) -> bool:
        return not self._api

    @staticmethod
    def _match(token: bytes, keys: list[bytes]) -> bool:
        found = False
        for k in keys:  # no early exit: time does not depend on which key matched
            found |= hmac.compare_digest(token, k)
        return found

    def identify(self, authorization: str | None, client: str = "-") -> Caller:
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return Caller(None, client=client)
        raw = token.encode("utf-8")
        if self._match(raw, self._admin):
            return Caller(key_id(token), admin=True, client=client)
        if self._match(raw, self._api):
            return Caller(key_id(token), client=client)
        return Caller(None, client=client)

    def require_api(self, caller: Caller) -> None:
        if not self.open and caller.key_id is None:
            raise ApiError(
                401,
                "unauthorized",
                "缺少或无效的 API 密钥：请在请求头加上 Authorization: Bearer <密钥>。",
                {"WWW-Authenticate": "Bearer"},
            )

    def require_admin(self, caller: Caller) -> None:
        if not self._admin:
            raise ApiError(
                403,
                "documents_read_only",
                "此服务未开放文档管理：请在服务器上设置 UNIONQA_ADMIN_KEYS 后用管理员密钥调用，"
                "或在服务器上运行 `unionqa ingest`。",
            )
        if caller.admin:
            return
        if caller.key_id is None:
            raise ApiError(
                401,
                "unauthorized",
                "修改文档需要管理员密钥：请在请求头加上 Authorization: Bearer <管理员密钥>。",
                {"WWW-Authenticate": "Bearer"},
            )
        raise ApiError(403, "forbidden", "这个密钥不能修改文档，请使用管理员密钥。")


class Quota:
    """A sliding 60-second window per bucket: at most ``per_minute`` requests in any minute."""

    WINDOW = 60.0
    MAX_BUCKETS = 10_000

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, bucket: str, now: float | None = None, count: bool = True) -> None:
        """429 when the bucket is full; else the request counts (unless ``count`` is false)."""
        if self.per_minute <= 0:
            return
        at = time.monotonic() if now is None else now
        with self._lock:
            if len(self._hits) > self.MAX_BUCKETS:
                self._forget(at)
            hits = self._hits.setdefault(bucket, deque())
            while hits and hits[0] <= at - self.WINDOW:
                hits.popleft()
            if len(hits) >= self.per_minute:
                wait = max(1, math.ceil(hits[0] + self.WINDOW - at))
                raise ApiError(
                    429,
                    "rate_limited",
                    f"请求太频繁：每分钟最多 {self.per_minute} 次，请 {wait} 秒后再试。",
                    {"Retry-After": str(wait)},
                )
            if count:
                hits.append(at)

    def _forget(self, at: float) -> None:
        for bucket in [b for b, h in self._hits.items() if not h or h[-1] <= at - self.WINDOW]:
            del self._hits[bucket]


def deadline_error(deadline_s: float) -> ApiError:
    return ApiError(
        504,
        "deadline_exceeded",
        f"处理超时（超过 {deadline_s:g} 秒），请稍后再试；问题说得更具体些也会更快。",
    )


def busy_error() -> ApiError:
    return ApiError(
        503, "busy", "服务正忙（同时处理的请求已满），请稍后再试。", {"Retry-After": "1"}
    )


class Runner:
    """Blocking service calls on a bounded pool, awaited until the request's deadline."""

    def __init__(self, max_concurrency: int, deadline_s: float) -> None:
        self.max_concurrency = max(1, max_concurrency)
        self.deadline_s = deadline_s
        self._pool = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="unionqa-api")
        self.in_flight = 0  # taken and given back under the lock; read without it by busy()
        self._count = threading.Lock()

    def busy(self) -> bool:
        return self.in_flight >= self.max_concurrency

    def _release(self, _: object = None) -> None:
        with self._count:
            self.in_flight -= 1

    def _submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        with self._count:
            if self.in_flight >= self.max_concurrency:
                raise busy_error()
            self.in_flight += 1
        try:
            future = self._pool.submit(fn, *args, **kwargs)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(self._release)
        return future

    @staticmethod
    def _left(deadline_at: float) -> float:
        return max(0.0, deadline_at - time.monotonic())

    async def call(self, deadline_at: float, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        future = self._submit(fn, *args, **kwargs)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self._left(deadline_at))
        except TimeoutError:
            raise deadline_error(self.deadline_s) from None

    async def stream(
        self, deadline_at: float, make: Callable[[], Iterable[T]]
    ) -> AsyncGenerator[T, None]:
        """Iterate ``make()`` on a pool thread; items arrive here as they are produced.

        The whole stream shares the request's deadline. Closing this generator (the client went
        away) tells the producer to stop after its current item.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stop = threading.Event()

        def put(kind: str, value: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, (kind, value))
            except RuntimeError:  # the loop is gone (server shutting down)
                stop.set()

        def produce() -> None:
            try:
                for item in make():
                    if stop.is_set():
                        return
                    put("item", item)
                put("end", None)
            except BaseException as e:  # handed to the awaiting side, raised there
                put("error", e)

        self._submit(produce)
        try:
            while True:
                try:
                    kind, value = await asyncio.wait_for(queue.get(), self._left(deadline_at))
                except TimeoutError:
                    raise deadline_error(self.deadline_s) from None
                if kind == "end":
                    return
                if kind == "error":
                    raise value
                yield value
        finally:
            stop.set()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# A body over the limit is read and thrown away up to this much before the 413 goes out: a client
# still sending when the server answers and closes sees a broken pipe, not the 413 (urllib, Java
# and PHP clients do). Beyond it (a declared gigabyte) the 413 goes out at once and the connection
# closes, so no client can make the server read without end.
DRAIN_BYTES = 16 * 1024 * 1024


async def drain(receive: Receive, budget: int, deadline_at: float) -> None:
    """Read and discard the rest of the body: at most ``budget`` bytes, until the deadline."""
    while budget >= 0:
        left = deadline_at - time.monotonic()
        if left <= 0:
            return
        try:
            message = await asyncio.wait_for(receive(), left)
        except TimeoutError:
            return
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return
