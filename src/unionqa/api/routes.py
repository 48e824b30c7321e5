"""The API's routes over ``QAService``: questions, documents, feedback, health. Thin: each one
checks what only HTTP knows (keys, limits, the deadline) and calls the service on the pool."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import StreamingResponse
from fastapi.sse import format_sse_event

from ..service import QAService
from ..settings import Settings
from ..text.questions import detect_lang
from ..types import Answer, DocumentInfo, SearchResult
from .access import ApiError, Caller, KeyRing, Quota, Runner, stream_error
from .schemas import (
    ASK_EVENT_SCHEMA,
    AnswerOut,
    AskRequest,
    ClassifyRequest,
    ErrorOut,
    FeedbackOut,
    FeedbackRequest,
    HealthOut,
    ReadyOut,
    SearchRequest,
)

_ERROR_TEXT = {
    400: "请求内容有误",
    401: "缺少或无效的 API 密钥",
    403: "密钥没有这个权限",
    404: "没有找到",
    409: "索引正被另一个任务写入",
    413: "请求体太大",
    422: "请求格式不正确（含问题过长）",
    429: "请求太频繁（响应头 Retry-After 给出等待秒数）",
    500: "服务内部错误",
    503: "服务暂不可用：索引未就绪、需要重建、后端不可达或服务正忙",
    504: "处理超时",
}
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text} for code, text in _ERROR_TEXT.items()
}
# The same, spelled out for routes whose own response class is not JSON (FastAPI would document
# their errors under that media type too); ErrorOut is in the components through ERRORS.
JSON_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }
    for code, text in _ERROR_TEXT.items()
}
SSE_EXAMPLE = (
    'event: delta\ndata: {"text": "要点：……[1]"}\n\n'
    'event: answer\ndata: {"answer": "……", "refused": false, "citations": [...], "id": "ans_…"}\n\n'
    "event: done\ndata: {}\n\n"
)


# --- per-app state and dependencies -------------------------------------------------------


@dataclass
class ApiState:
    service: QAService
    settings: Settings
    keys: KeyRing
    quota: Quota
    runner: Runner
    failures: Quota  # 401s per client address: key guessing

    @classmethod
    def build(cls, service: QAService, settings: Settings) -> ApiState:
        api = settings.api
        return cls(
            service=service,
            settings=settings,
            keys=KeyRing(settings.key_list(), settings.key_list(admin=True)),
            quota=Quota(api.quota_per_minute),
            runner=Runner(api.max_concurrency, api.deadline_s),
            failures=Quota(api.max_auth_failures_per_minute),
        )


# Dependencies are async: they do not block, and FastAPI would hop to a thread for a plain def.
async def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


StateDep = Annotated[ApiState, Depends(get_state)]


async def get_service(state: StateDep) -> QAService:
    return state.service


ServiceDep = Annotated[QAService, Depends(get_service)]


async def api_caller(request: Request, state: StateDep) -> Caller:
    """Every /v1 route: a known key when keys are configured, then the quota. A client address
    with too many failed keys in a minute gets 429 for everything until the minute is over."""
    client = request.client.host if request.client else "-"
    given = request.headers.getlist("authorization")
    if len(given) > 1:
        raise ApiError(400, "bad_request", "请求头 Authorization 出现了多次：只能带一个 API 密钥。")
    failures = f"auth:{client}"
    state.failures.check(failures, count=False)
    caller = state.keys.identify(given[0] if given else None, client)
    request.state.key_id = caller.key_id or "-"
    try:
        state.keys.require_api(caller)
    except ApiError:
        state.failures.check(failures)  # counts this failure
        raise
    state.quota.check(caller.bucket)
    return caller


CallerDep = Annotated[Caller, Depends(api_caller)]


async def admin_caller(caller: CallerDep, state: StateDep) -> Caller:
    state.keys.require_admin(caller)
    return caller


class Work:
    """This request's way to run blocking service calls: on the pool, before its deadline."""

    def __init__(self, state: ApiState, deadline_at: float) -> None:
        self.state = state
        self.deadline_at = deadline_at

    async def __call__(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.state.runner.call(self.deadline_at, fn, *args, **kwargs)

    def stream(self, make: Any) -> AsyncGenerator[Any, None]:
        return self.state.runner.stream(self.deadline_at, make)

    def check_text(self, question: str, history: Iterable[str] = ()) -> None:
        limit = self.state.settings.api.max_question_chars
        if not question.strip():
            raise ApiError(422, "empty_question", "问题不能为空，请输入要咨询的内容。")
        if len(question) > limit:
            raise ApiError(
                422,
                "question_too_long",
                f"问题太长：最多 {limit} 个字，请精简后再问（可以分几次问）。",
            )
        if any(len(turn) > limit for turn in history):
            raise ApiError(
                422, "history_too_long", f"history 中的每条提问最多 {limit} 个字，请精简。"
            )


async def get_work(request: Request, state: StateDep) -> Work:
    deadline_at = getattr(request.state, "deadline_at", None)
    if deadline_at is None:
        deadline_at = time.monotonic() + state.settings.api.deadline_s
    return Work(state, deadline_at)


WorkDep = Annotated[Work, Depends(get_work)]
DocId = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{1,100}$", examples=["graduate-hiring-subsidy-ab0ea37d"])
]


def new_answer_id() -> str:
    return f"ans_{uuid.uuid4().hex}"


async def record(
    service: QAService, answer: Answer, answer_id: str, channel: str, question: str
) -> None:
    """Count the outcome and hand off an escalation (``QAService.record``), off the event loop:
    the question itself is passed for the webhook's opt-in copy, the counters get its language."""
    lang = detect_lang(question)
    await asyncio.to_thread(
        service.record, answer, answer_id, channel, lang=lang, question=question
    )


OnAnswer = Callable[[Answer, str], Awaitable[None]]


def public_info(info: DocumentInfo) -> DocumentInfo:
    """Server paths (the folder a file was ingested from) stay on the server."""
    meta = {k: v for k, v in info.metadata.items() if k != "root"}
    return info.model_copy(update={"metadata": meta})


def sse(event: str | None, data: Any) -> bytes:
    """One server-sent event (FastAPI's framing) with ``data`` as one line of JSON."""
    return format_sse_event(event=event, data_str=json.dumps(data, ensure_ascii=False))


class SSEResponse(StreamingResponse):
    """Server-sent events, not cached or buffered on the way (nginx honours X-Accel-Buffering).
    Returned by the endpoint, not declared as FastAPI's generator-style ``EventSourceResponse``:
    the first piece is awaited before the response starts, so an error before it still gets its
    status code."""

    media_type = "text/event-stream"

    def __init__(self, content: AsyncIterator[bytes], status_code: int = 200) -> None:
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        super().__init__(content, status_code=status_code, headers=headers)


# --- questions ----------------------------------------------------------------------------

router = APIRouter(prefix="/v1", dependencies=[Depends(api_caller)], responses=ERRORS)


@router.post("/ask", summary="提问：带引用的回答", tags=["questions"])
async def ask(body: AskRequest, service: ServiceDep, work: WorkDep) -> AnswerOut:
    """回答职工的问题。`answer` 中每个 `[n]` 对应 `citations[n-1]`；资料不支持时 `refused` 为 true，
    `escalation` 给出求助渠道。返回的 `id` 用于 `POST /v1/feedback`。"""
    work.check_text(body.question, body.history)
    answer = await work(service.ask, body.question, history=body.history, as_of=body.as_of)
    answer_id = new_answer_id()
    await record(service, answer, answer_id, "api", body.question)
    return AnswerOut.from_answer(answer, answer_id)


@router.post(
    "/classify", summary="分类：问题属于哪类劳动情形、去哪办、要了解哪些事实", tags=["questions"]
)
async def classify(body: ClassifyRequest, service: ServiceDep, work: WorkDep) -> dict[str, Any]:
    """把职工的问题归入劳动情形（欠薪、经济补偿、工伤……），给出主管部门、时效、热线需要了解的事实、
    适用的计算器和依据条文是否已导入，供热线分派工单。问题文字不被存储。"""
    work.check_text(body.question, body.history)
    result: dict[str, Any] = await work(service.classify, body.question, history=body.history)
    return result


@router.post("/search", summary="检索：返回原文片段", tags=["questions"])
async def search(body: SearchRequest, service: ServiceDep, work: WorkDep) -> SearchResult:
    work.check_text(body.question)
    filters = body.filters.as_dict() if body.filters else None
    result: SearchResult = await work(service.search, body.question, k=body.k, filters=filters)
    return result


@router.post(
    "/ask/stream",
    summary="提问（流式，server-sent events）",
    tags=["questions"],
    response_class=SSEResponse,
    responses={
        **JSON_ERRORS,
        200: {
            "description": '`event: delta`（`{"text": …}`，逐句）→ `event: answer`（完整回答 JSON，'
            "含 id）→ `event: done`。中途出错：`event: error`（错误 JSON）。",
            "content": {"text/event-stream": {"schema": ASK_EVENT_SCHEMA, "example": SSE_EXAMPLE}},
        },
    },
)
async def ask_stream(body: AskRequest, service: ServiceDep, work: WorkDep) -> SSEResponse:
    work.check_text(body.question, body.history)
    items = work.stream(
        lambda: service.ask_stream(body.question, history=body.history, as_of=body.as_of)
    )
    first = await anext(items)  # errors before the first piece still get their status code
    recorded = partial(record, service, channel="api", question=body.question)
    return SSEResponse(_ask_events(first, items, recorded))


async def _ask_events(
    first: str | Answer, items: AsyncGenerator[str | Answer, None], on_answer: OnAnswer
) -> AsyncIterator[bytes]:
    answer_id = new_answer_id()
    try:
        item = first
        while True:
            if isinstance(item, Answer):
                await on_answer(item, answer_id)
                out = AnswerOut.from_answer(item, answer_id).model_dump(mode="json")
                yield sse("answer", out)
            else:
                yield sse("delta", {"text": item})
            item = await anext(items)
    except StopAsyncIteration:
        yield sse("done", {})
    except Exception as e:  # translated: the client gets the JSON error as an event
        yield sse("error", stream_error(e, "/v1/ask/stream"))
    finally:
        await items.aclose()


# --- feedback -----------------------------------------------------------------------------


@router.post("/feedback", summary="评价一个回答", tags=["feedback"], status_code=201)
async def feedback(
    body: FeedbackRequest, caller: CallerDep, state: StateDep, work: WorkDep
) -> FeedbackOut:
    """保存回答编号、评价、留言（抹去个人信息后）、时间和密钥编号；不保存问题原文。"""

    def store() -> str:
        return state.service.feedback.add(
            body.answer_id, body.rating, body.comment, caller.key_id
        ).id

    return FeedbackOut(id=await work(store))


# --- health -------------------------------------------------------------------------------

health = APIRouter(tags=["health"])


@health.get("/healthz", summary="进程存活")
async def healthz() -> HealthOut:
    return HealthOut(pid=os.getpid())


@health.get(
    "/readyz",
    summary="可以接受请求：模型已加载，索引已打开且不为空",
    responses={503: ERRORS[503], 504: ERRORS[504]},
)
async def readyz(service: ServiceDep, work: WorkDep) -> ReadyOut:
    info: dict[str, Any] = await work(service.ready)
    if not info.get("chunks"):
        raise ApiError(503, "index_empty", "索引是空的：请先导入文档（`unionqa ingest`）。")
    return ReadyOut(
        documents=int(info["documents"]),
        chunks=int(info["chunks"]),
        embedding=info.get("embedding"),
        pid=os.getpid(),
    )


__all__ = ["ERRORS", "ApiState", "health", "router"]
