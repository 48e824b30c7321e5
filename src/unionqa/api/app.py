"""The HTTP API (``unionqa serve``): a FastAPI app over ``QAService``.

Modules, by noun:

- ``app.py`` (here): the app: ``create_app``, the edge middleware (request id, body limit,
  access log, last-resort 500), error handlers, ``app_factory`` and ``run_server``;
- ``routes.py``: dependencies and the routes (ask, search, stream, documents, feedback,
  health); ``openai.py``: OpenAI-compatible chat completions; ``calculators.py``: the
  calculators (``/v1/calculate``);
- ``access.py``: keys, quota, the bounded runner with the deadline, error translation;
- ``schemas.py``: request/response bodies; ``unionqa.feedback``: the SQLite feedback store.

Every error leaves as ``{"error": code, "message": 中文}``; never a stack trace, never input
echoed back. The access log names route, status, latency, key id and request id, never the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import threading
import time
import traceback
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..errors import UnionQAError, UsageError
from ..privacy import contains_personal_data
from ..service import QAService
from ..settings import APISettings, Settings, UISettings
from .access import DRAIN_BYTES, ApiError, Runner, busy_error, drain, translate
from .calculators import router as calculators_router
from .docs import add_docs, document_limits
from .documents import router as documents_router
from .openai import router as openai_router
from .ops import router as ops_router
from .routes import ApiState, health, router
from .schemas import validation_message

logger = logging.getLogger(__name__)
access_log = logging.getLogger("unionqa.access")

DESCRIPTION = """unionqa：面向职工政策与权益问题的检索问答服务。每个回答都带有可核对的原文引用；
资料不支持时明确拒答并给出求助渠道（12351 职工服务热线）。

- 设置了 `UNIONQA_API_KEYS` 时，所有 `/v1` 接口需要 `Authorization: Bearer <密钥>`；
- 上传、删除文档需要管理员密钥（`UNIONQA_ADMIN_KEYS`）；
- 错误一律返回 `{"error": 代码, "message": 中文说明}`。
"""
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


# --- errors -----------------------------------------------------------------------------------


def _json(status: int, body: dict[str, str], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


async def _on_known_error(request: Request, exc: Exception) -> JSONResponse:
    status, body, headers = translate(exc, _request_id(request))
    if status >= 500 and not isinstance(exc, ApiError):
        logger.warning("%s on %s: %s", type(exc).__name__, _route(request.scope), body["error"])
    return _json(status, body, headers)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _json(
        422, {"error": "invalid_request", "message": validation_message(list(exc.errors()))}
    )


_HTTP = {
    400: (
        "invalid_request",
        "请求体无法解析：请发送 UTF-8 编码的 JSON（上传文件请用 multipart/form-data）。",
    ),
    404: ("not_found", "没有这个接口，请查看 /docs 中的接口列表。"),
    405: ("method_not_allowed", "这个接口不支持该请求方法，请查看 /docs。"),
    413: ("request_too_large", "请求体太大。"),
}


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code, message = _HTTP.get(exc.status_code, ("http_error", "请求无法处理。"))
    if exc.status_code == 413 and isinstance(exc.detail, str):
        message = exc.detail
    return _json(exc.status_code, {"error": code, "message": message}, dict(exc.headers or {}))


# --- the edge: request id, deadline stamp, body limit, access log, last-resort 500 -------------


def _route(scope: Scope, status: int = 0) -> str:
    """The route's template (``/v1/documents/{doc_id}``); for other paths (the docs, a mounted
    UI) the path without its query, and nothing for a path that matched no route."""
    route = getattr(scope.get("route"), "path", None)
    if route:
        return str(route)
    return "-" if status in (0, 404) else str(scope.get("path", "-"))[:100]


def _too_large(limit: int) -> HTTPException:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return HTTPException(
        413, f"请求体太大：上限 {size}。问题请精简；大文件请在服务器上用 `unionqa ingest` 导入。"
    )


# the routes that run on the request pool: when it is full they are turned away here, before the
# body is read, parsed and validated (under overload that work alone kept 503s waiting)
POOLED = {"/v1/ask", "/v1/search", "/v1/ask/stream", "/v1/chat/completions", "/v1/calculate"}


class Edge:
    """Pure ASGI (streams pass straight through)."""

    def __init__(
        self,
        app: ASGIApp,
        api: APISettings,
        runner: Runner | None = None,
        ui: UISettings | None = None,
    ) -> None:
        self.app = app
        self.api = api
        self.runner = runner
        ui = ui or UISettings()
        self.security_headers = [(b"x-content-type-options", b"nosniff")]
        if ui.referrer_policy:
            self.security_headers.append((b"referrer-policy", ui.referrer_policy.encode()))
        if ui.content_security_policy:
            csp = ui.content_security_policy.encode()
            self.security_headers.append((b"content-security-policy", csp))

    def _limit(self, scope: Scope) -> int:
        if scope["method"] == "POST" and scope["path"].rstrip("/") == "/v1/documents":
            return self.api.max_upload_bytes
        return self.api.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        # a caller's id that is a phone, ID-card or bank-card number would reach the access log
        ok = _REQUEST_ID.match(given) and not contains_personal_data(given)
        rid = given if ok else os.urandom(8).hex()
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        state["deadline_at"] = time.monotonic() + self.api.deadline_s
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", rid.encode()),
                    *self.security_headers,
                ]
            await send(message)

        limit = self._limit(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if message.get("more_body", False):
                        await drain(receive, DRAIN_BYTES, state["deadline_at"])
                    raise _too_large(limit)  # FastAPI re-raises it from body parsing
            return message

        try:
            length = int(headers.get("content-length", "0") or 0)
        except ValueError:
            length = 0
        try:
            if (
                self.runner is not None
                and scope["method"] == "POST"
                and scope["path"].rstrip("/") in POOLED
                and self.runner.busy()
            ):
                await (await _on_known_error(Request(scope), busy_error()))(
                    scope, receive, send_with_id
                )
            elif length > limit:
                # a client waiting for "100 Continue" sends nothing: answer it at once
                if length <= limit + DRAIN_BYTES and "100-continue" not in headers.get(
                    "expect", ""
                ):
                    await drain(receive, length, state["deadline_at"])
                response = await _on_http_error(Request(scope), _too_large(limit))
                await response(scope, receive, send_with_id)
            else:
                await self.app(scope, limited_receive, send_with_id)
        except HTTPException as e:  # the body limit, hit where FastAPI does not translate it
            if status == 0:
                await (await _on_http_error(Request(scope), e))(scope, receive, send_with_id)
        except Exception as e:  # the last resort: log where (not what was asked), answer 500
            logger.error(
                "unhandled %s on %s (request %s)\n%s",
                type(e).__name__,
                _route(scope),
                rid,
                "".join(traceback.format_tb(e.__traceback__)),
            )
            if status == 0:
                _, body, _ = translate(e, rid)
                await _json(500, body)(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %d %.1fms key=%s rid=%s pid=%d",
                scope["method"],
                _route(scope, status),
                status,
                (time.perf_counter() - t0) * 1000,
                state.get("key_id", "-"),
                rid,
                os.getpid(),
            )


# --- the app ----------------------------------------------------------------------------------


def _warm_up(service: QAService) -> None:
    """``service.warm_up()``, so the first question is quick; an index not ready yet is logged."""
    try:
        info = service.warm_up()
        logger.info("ready: %s documents, %s chunks", info["documents"], info["chunks"])
    except UnionQAError as e:
        logger.warning("not ready yet: %s", type(e).__name__)


def _mount_ui(app: FastAPI, service: QAService) -> None:
    """The chat UI at ``/``; without Gradio, a clear error rather than an API without its page."""
    try:
        from ..ui.app import mount
    except ModuleNotFoundError as e:
        raise UsageError(
            "聊天页面需要 Gradio：请重新安装 unionqa（`pip install -e .`），"
            "或设置 UNIONQA_API__MOUNT_UI=false 只启动 API。"
        ) from e
    mount(app, service)
    for route in app.routes:
        if isinstance(route, Mount) and isinstance(route.app, FastAPI):
            route.app.add_exception_handler(HTTPException, _on_page_http_error)


def create_app(
    service: QAService | None = None,
    *,
    settings: Settings | None = None,
    mount_ui: bool | None = None,
) -> FastAPI:
    """The API app. Tests pass their own ``service`` (and ``settings`` for the API limits and
    keys; default: the service's) and ``mount_ui=False``. The chat UI
    is mounted when ``mount_ui`` (default: ``settings.api.mount_ui``) is true."""
    if service is None:
        service = QAService.from_settings(settings)
    settings = settings or service.settings
    state = ApiState.build(service, settings)
    # Warm up while the rest of the app (the chat page's Gradio above all) is built; the first
    # request waits for it, since opening the index from several request threads at once races
    # inside Chroma. Bounded, so a dead backend does not keep the server from starting.
    warm = threading.Thread(target=_warm_up, args=(service,), daemon=True)
    warm.start()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _ = service.feedback  # opens the store and purges old rows
        service.start_delivery()  # the webhook's outbox: what a previous run left is sent
        await asyncio.to_thread(warm.join, settings.api.deadline_s)
        yield
        state.runner.shutdown()
        service.stop_delivery()

    app = FastAPI(
        title="unionqa",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # add_docs: Swagger UI from this server, not a CDN
        redoc_url=None,  # ReDoc has no local copy; /docs is the reference
        openapi_tags=[
            {"name": "questions", "description": "提问与检索"},
            {"name": "openai", "description": "OpenAI 兼容接口"},
            {
                "name": "calculators",
                "description": "劳动权益计算器（经济补偿、加班费、产假、仲裁时效等）",
            },
            {"name": "documents", "description": "文档（修改需管理员密钥）"},
            {"name": "feedback", "description": "回答评价"},
            {"name": "operations", "description": "热线运营：统计与评价读取（需管理员密钥）"},
            {"name": "health", "description": "探活与就绪"},
        ],
    )
    app.state.api = state
    app.add_exception_handler(ApiError, _on_known_error)
    app.add_exception_handler(UnionQAError, _on_known_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_middleware(Edge, api=settings.api, runner=state.runner, ui=settings.ui)
    # always, even with no origins allowed: the chat page's Gradio adds its own CORS otherwise
    # (answering preflights from localhost origins, and from any origin on a public host name)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.api.cors_origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
        max_age=600,
    )
    app.include_router(router)
    app.include_router(documents_router)
    app.include_router(calculators_router)
    app.include_router(openai_router)
    app.include_router(ops_router)
    app.include_router(health)
    add_docs(app)
    document_limits(app, settings.api)
    if settings.api.mount_ui if mount_ui is None else mount_ui:
        _mount_ui(app, service)
    return app


async def _on_page_http_error(request: Request, exc: Exception) -> Any:
    """Inside the mounted chat page: unknown paths and wrong methods get the API's error JSON;
    Gradio's own errors stay Gradio's (its page reads them)."""
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):
        return await _on_http_error(request, exc)
    from fastapi.exception_handlers import http_exception_handler

    return await http_exception_handler(request, exc)


def configure_logging(level: str) -> None:
    """Front-door logging: our loggers (and uvicorn's own) at ``level`` to stderr."""
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("unionqa").setLevel(level.upper())


def app_factory() -> FastAPI:
    """For uvicorn's ``--factory`` (one call per worker process): settings from the environment."""
    from ..settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings=settings)


__all__ = ["app_factory", "configure_logging", "create_app"]
