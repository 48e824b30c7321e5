"""OpenAI-compatible chat completions over ``QAService.ask``, so a hotline platform (or the
official ``openai`` client) can use unionqa as a "model" without losing the citations.

The last user message is the question, earlier user messages the history; system and assistant
messages are ignored. The reply's text keeps the ``[n]`` markers and ends with a source list
(``来源：\\n[1] 《title》locator：quote``); the structured citations, ``refused``, ``notices`` and
``escalation`` travel in extra fields (on the message and at the top level; when streaming, on
the final chunk before ``data: [DONE]``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from functools import partial

from fastapi import APIRouter, Depends
from fastapi.sse import format_sse_event

from ..answer.trust import shown
from ..types import Answer
from .access import ApiError, stream_error
from .routes import ERRORS, OnAnswer, ServiceDep, SSEResponse, WorkDep, api_caller, record, sse
from .schemas import (
    CHAT_EVENT_SCHEMA,
    AnswerExtras,
    ChatChoice,
    ChatCompletion,
    ChatOutMessage,
    ChatRequest,
    ModelCard,
    ModelList,
    chat_chunk,
)

MODEL = "unionqa"

router = APIRouter(prefix="/v1", dependencies=[Depends(api_caller)], responses=ERRORS)


def sources_text(answer: Answer) -> str:
    """The source list appended to the reply text; empty when nothing is cited."""
    if not answer.citations:
        return ""
    lines = [
        f"[{c.n}] 《{c.title}》{c.locator}：{c.quote if c.trusted else shown(c.quote, [], 'zh')}"
        for c in answer.citations
    ]  # an untrusted document's contact details are masked as in the answer
    return "\n\n来源：\n" + "\n".join(lines)


def extras(answer: Answer) -> AnswerExtras:
    return AnswerExtras(
        citations=answer.citations,
        refused=answer.refused,
        notices=answer.notices,
        escalation=answer.escalation,
    )


def split_messages(body: ChatRequest) -> tuple[str, list[str]]:
    turns = [m.text() for m in body.messages if m.role == "user" and m.text().strip()]
    if not turns:
        raise ApiError(
            422, "no_user_message", "messages 里没有用户的提问：请至少给一条 role 为 user 的消息。"
        )
    return turns[-1], turns[:-1]


@router.get("/models", summary="可用的“模型”（OpenAI 兼容）", tags=["openai"])
async def models() -> ModelList:
    return ModelList(data=[ModelCard(id=MODEL)])


@router.post(
    "/chat/completions",
    summary="对话补全（OpenAI 兼容，保留引用）",
    tags=["openai"],
    responses={
        200: {
            "description": "`stream` 为 false：chat.completion JSON；为 true：chat.completion.chunk "
            "的 server-sent events，以 `data: [DONE]` 结束，最后一个 chunk 带 citations 等字段。",
            "content": {"text/event-stream": {"schema": CHAT_EVENT_SCHEMA}},
        },
    },
    response_model=ChatCompletion,
)
async def chat_completions(
    body: ChatRequest, service: ServiceDep, work: WorkDep
) -> ChatCompletion | SSEResponse:
    question, history = split_messages(body)
    work.check_text(question, history)
    chat_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if body.stream:
        items = work.stream(lambda: service.ask_stream(question, history=history))
        first = await anext(items)
        recorded = partial(record, service, channel="openai", question=question)
        return SSEResponse(_chunks(chat_id, created, first, items, recorded))
    answer: Answer = await work(service.ask, question, history=history)
    await record(service, answer, chat_id, "openai", question)  # the reply's id names it
    return ChatCompletion(
        id=chat_id,
        created=created,
        model=MODEL,
        choices=[
            ChatChoice(
                message=ChatOutMessage(
                    content=answer.answer + sources_text(answer), citations=answer.citations
                )
            )
        ],
        **extras(answer).model_dump(),
    )


def _data(obj: object) -> bytes:
    return sse(None, obj)


async def _chunks(
    chat_id: str,
    created: int,
    first: str | Answer,
    items: AsyncGenerator[str | Answer, None],
    on_answer: OnAnswer,
) -> AsyncIterator[bytes]:
    yield _data(chat_chunk(chat_id, created, {"role": "assistant", "content": ""}))
    try:
        item = first
        while True:
            if isinstance(item, Answer):
                await on_answer(item, chat_id)
                tail = sources_text(item)
                if tail:
                    yield _data(chat_chunk(chat_id, created, {"content": tail}))
                yield _data(chat_chunk(chat_id, created, {}, "stop", extras(item)))
            else:
                yield _data(chat_chunk(chat_id, created, {"content": item}))
            item = await anext(items)
    except StopAsyncIteration:
        yield format_sse_event(data_str="[DONE]")
    except Exception as e:  # OpenAI's in-stream error shape, which its clients raise as APIError
        body = stream_error(e, "/v1/chat/completions")
        yield _data({"error": {"code": body["error"], "message": body["message"]}})
    finally:
        await items.aclose()
