"""One turn of the chat: the question through ``QAService`` (under the API's limits when the page
is mounted in the API's app), the answer streamed as messages with its source cards."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import gradio as gr

from ..api.access import ApiError, Caller, busy_error
from ..api.routes import ApiState, Work
from ..errors import UnionQAError
from ..service import QAService
from ..text.questions import detect_lang
from ..types import Answer
from . import render

logger = logging.getLogger(__name__)


def _document_texts(service: QAService, answer: Answer) -> dict[str, str | None]:
    texts: dict[str, str | None] = {}
    for c in answer.citations:
        if c.doc_id not in texts:
            doc = service.get_document(c.doc_id)
            texts[c.doc_id] = doc.text if doc else None
    return texts


def _assistant(content: str) -> dict[str, str]:
    return {"role": "assistant", "content": content}


def _turn_messages(service: QAService, turn: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """The two messages of one finished turn: the question and the answer (or error)."""
    user = {"role": "user", "content": render.user_message(turn["question"])}
    answer: Answer | None = turn.get("answer")
    if answer is None:
        return [user, _assistant(render.error_message(turn.get("error") or "", lang))]
    try:
        docs = _document_texts(service, answer)
    except Exception:  # the index changed or failed: cards then show their quotes alone
        logger.exception("could not load the cited documents")
        docs = {}
    html = render.answer_message(answer, docs, turn["answer_id"], lang, turn["as_of"])
    return [user, _assistant(html)]


# --- event handlers -----------------------------------------------------------------------

MAX_HISTORY = 20  # earlier questions sent with a new one, as AskRequest.history allows


async def _limited_respond(
    limits: ApiState,
    question: str,
    messages: list[dict[str, Any]],
    turns: list[dict[str, Any]],
    lang: str,
    client: str,
) -> AsyncIterator[tuple[Any, ...]]:
    """``_respond`` under the API's own limits, since anyone can call the page's Gradio API
    (``/gradio_api/call/respond``) without the page: the question's length, the per-client
    quota and the concurrency limit refuse at once (``gr.Error`` with the API's Chinese message);
    the answer runs on the API's pool, sharing its slots, and stops at its deadline."""
    question = (question or "").strip()
    if not question:
        gr.Warning(render.t(lang, "empty"))
        yield messages, turns, ""
        return
    work = Work(limits, time.monotonic() + limits.settings.api.deadline_s)
    try:
        work.check_text(question)
        limits.quota.check(Caller(None, client=client).bucket)
        if limits.runner.busy():
            raise busy_error()
    except ApiError as e:
        raise gr.Error(e.message, print_exception=False) from None
    earlier = turns[-MAX_HISTORY:]
    last: tuple[Any, ...] = (messages, turns, "")
    try:
        async for step in work.stream(
            lambda: _respond_steps(limits, question, messages, turns, lang, earlier)
        ):
            last = step
            yield step
    except ApiError as e:  # the deadline, or the pool filled up meanwhile
        user = {"role": "user", "content": render.user_message(question)}
        yield [*messages, user, _assistant(render.error_message(e.message, lang))], last[1], ""


def _respond_steps(
    limits: ApiState,
    question: str,
    messages: list[dict[str, Any]],
    turns: list[dict[str, Any]],
    lang: str,
    earlier: list[dict[str, Any]],
) -> Iterator[tuple[Any, ...]]:
    """``_respond`` with the history cut to the last ``MAX_HISTORY`` questions."""
    for shown, kept, box in _respond(limits.service, question, messages, earlier, lang):
        yield shown, [*turns[: len(turns) - len(earlier)], *kept], box


def _respond(
    service: QAService,
    question: str,
    messages: list[dict[str, Any]],
    turns: list[dict[str, Any]],
    lang: str,
) -> Iterator[tuple[Any, ...]]:
    """Stream one answer into the chat: (messages, turns, textbox value)."""
    question = (question or "").strip()
    if not question:
        gr.Warning(render.t(lang, "empty"))
        yield messages, turns, ""
        return
    turn: dict[str, Any] = {
        "question": question,
        "answer_id": str(uuid.uuid4()),
        "as_of": date.today(),
        "answer": None,
        "error": None,
    }
    history = [t["question"] for t in turns]
    asked = [*messages, {"role": "user", "content": render.user_message(question)}]
    yield [*asked, _assistant(render.pending_message("", lang))], turns, ""
    text = ""
    try:
        for item in service.ask_stream(question, history, as_of=turn["as_of"]):
            if isinstance(item, Answer):
                turn["answer"] = item
            else:
                text += item
                yield [*asked, _assistant(render.pending_message(text, lang))], turns, ""
    except UnionQAError as e:
        turn["error"] = str(e)
    except Exception:  # a bug or a backend failure: a friendly bubble, the traceback to the log
        logger.exception("the UI could not answer a question")
        turn["error"] = render.t(lang, "error_generic")
    if turn["answer"] is None and turn["error"] is None:
        turn["error"] = render.t(lang, "error_generic")
    if turn["answer"] is not None:  # counted, and handed to the hotline when escalated
        service.record(
            turn["answer"], turn["answer_id"], "ui", lang=detect_lang(question), question=question
        )
    yield [*messages, *_turn_messages(service, turn, lang)], [*turns, turn], ""
