"""The worker chat UI (Gradio 6), a front door that calls only ``QAService``.

- ``build_ui(service)``: the Blocks (streamed answers, source cards, refusals with the 12351
  hotline, example questions, a dismissible privacy notice, 👍/👎 feedback with a comment,
  Chinese/English labels);
- ``mount(app, service, path="/")``: the same Blocks inside a FastAPI app;
- ``main()``: ``python app_gradio.py``, on 127.0.0.1:7860 (``GRADIO_SERVER_PORT`` overrides).

The HTML of messages lives in ``render.py`` (everything from a document, an answer or a worker
is escaped there).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import Any

import gradio as gr
from fastapi.responses import JSONResponse

from ..api.routes import ApiState
from ..errors import IndexNotReadyError, UnionQAError, UsageError
from ..feedback import MAX_COMMENT_CHARS, FeedbackStore
from ..service import QAService
from . import admin, calculator, render
from .chat import _limited_respond, _turn_messages
from .suggestions import CANDIDATES, suggestions

logger = logging.getLogger(__name__)

LANGUAGES = {"中文": "zh", "English": "en"}
FEEDBACK_KEY_ID = "ui"  # who gave the feedback, as the feedback store records API key ids

THEME = gr.themes.Default(
    primary_hue="red",
    neutral_hue="slate",
    font=["system-ui", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"],
    font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"],
)


def _page_options() -> dict[str, Any]:
    """What launch() and mount_gradio_app() both take in Gradio 6."""
    return {
        "theme": THEME,
        "css": render.CSS,
        "js": render.JS,
        "head": render.HEAD,
        "footer_links": [],
        "run_history": False,
    }


# --- rendering of whole turns -----------------------------------------------------------


def _switch_language(
    service: QAService, choice: str, turns: list[dict[str, Any]]
) -> tuple[Any, ...]:
    lang = LANGUAGES.get(choice, "zh")
    messages = [m for turn in turns for m in _turn_messages(service, turn, lang)]
    return (
        lang,
        gr.update(value=_header_html(lang)),
        gr.update(value=render.t(lang, "notice")),
        gr.update(value=render.t(lang, "dismiss")),
        gr.update(placeholder=render.t(lang, "placeholder"), submit_btn=render.t(lang, "send")),
        gr.update(value=render.t(lang, "examples")),
        gr.update(
            label=render.t(lang, "feedback_prompt"),
            placeholder=render.t(lang, "feedback_placeholder"),
        ),
        gr.update(value=render.t(lang, "feedback_send")),
        gr.update(value=_footer_html(lang)),
        gr.update(
            value=messages,
            label=render.t(lang, "chat_label"),
            placeholder=render.chat_placeholder(lang),
        ),
    )


def _rate(
    store: Callable[[], FeedbackStore],
    turns: list[dict[str, Any]],
    lang: str,
    data: gr.LikeData,
) -> tuple[Any, ...]:
    """👍/👎 on an answer: store the rating now, then offer the optional comment box.

    A comment sent afterwards is a second row for the same answer id (rating repeated)."""
    index = data.index if isinstance(data.index, int) else data.index[0]
    turn_no = index // 2  # messages alternate: question, answer
    turn = turns[turn_no] if 0 <= turn_no < len(turns) else None
    if turn is None or turn.get("answer") is None or data.liked not in (True, False):
        return None, gr.update(visible=False)  # an error bubble, or a rating taken back
    rating = "up" if data.liked else "down"
    if not _store(store, turn["answer_id"], rating, None, lang):
        return None, gr.update(visible=False)
    return {"answer_id": turn["answer_id"], "rating": rating}, gr.update(visible=True)


def _comment(
    store: Callable[[], FeedbackStore], pending: dict[str, str] | None, comment: str, lang: str
) -> tuple[Any, ...]:
    comment = (comment or "").strip()
    if pending and comment:
        if not _store(store, pending["answer_id"], pending["rating"], comment, lang):
            return pending, gr.update(), gr.update()
        gr.Info(render.t(lang, "feedback_thanks"))
    return None, gr.update(value=""), gr.update(visible=False)


def _store(
    store: Callable[[], FeedbackStore], answer_id: str, rating: str, comment: str | None, lang: str
) -> bool:
    try:
        store().add(answer_id, rating, comment, FEEDBACK_KEY_ID)
    except UnionQAError as e:
        gr.Warning(str(e))
        return False
    except sqlite3.Error:
        logger.exception("could not store feedback")
        gr.Warning(render.t(lang, "error_generic"))
        return False
    logger.info("feedback from the UI: %s, comment=%s", rating, comment is not None)
    return True


def _header_html(lang: str) -> str:
    return f"<h1>{render.t(lang, 'title')}</h1><p>{render.t(lang, 'subtitle')}</p>"


def _footer_html(lang: str) -> str:
    return f"<p>{render.t(lang, 'footer')}</p>"


# --- the Blocks -----------------------------------------------------------------------------


def build_ui(service: QAService, limits: ApiState | None = None) -> gr.Blocks:
    """The page; ``limits``: the API's keys, quota, pool and deadline (its own when alone)."""
    limits = limits or ApiState.build(service, service.settings)
    lang0 = "zh"
    with gr.Blocks(title="职工政策问答 · unionqa", analytics_enabled=False) as demo:
        lang = gr.State(lang0)
        turns = gr.State([])
        pending = gr.State(None)
        dismissed = gr.BrowserState(
            False, storage_key="unionqa-notice-dismissed", secret="unionqa-notice"
        )
        with gr.Row(elem_id="uq-header"):
            header = gr.HTML(_header_html(lang0), padding=False)
            language = gr.Radio(
                list(LANGUAGES),
                value="中文",
                show_label=False,
                container=False,
                elem_id="uq-lang",
                scale=0,
            )
        with gr.Column(visible=False, elem_id="uq-notice") as notice_box:
            notice = gr.HTML(render.t(lang0, "notice"), padding=False)
            dismiss = gr.Button(render.t(lang0, "dismiss"), size="sm", elem_id="uq-dismiss")
        chatbot = gr.Chatbot(
            label=render.t(lang0, "chat_label"),
            show_label=False,
            elem_id="uq-chat",
            height="calc(100vh - 330px)",
            min_height=320,
            render_markdown=False,
            sanitize_html=True,
            allow_tags=False,
            latex_delimiters=[],
            buttons=[],
            layout="bubble",
            autoscroll=False,  # the page's JS puts a new answer's first line at the top
            placeholder=render.chat_placeholder(lang0),
        )
        box = gr.Textbox(
            show_label=False,
            placeholder=render.t(lang0, "placeholder"),
            lines=1,
            max_lines=4,
            submit_btn=render.t(lang0, "send"),
            elem_id="uq-input",
            max_length=service.settings.api.max_question_chars,
        )
        # hidden until the first page load has checked which ones the index answers
        examples_label = gr.Markdown(
            render.t(lang0, "examples"), elem_id="uq-examples-label", visible=False
        )
        with gr.Row(elem_id="uq-examples", visible=False) as examples_row:
            example_buttons = [
                gr.Button(
                    q, size="sm", variant="secondary", elem_classes="uq-example", visible=False
                )
                for q in CANDIDATES
            ]
        with gr.Column(visible=False, elem_id="uq-feedback") as feedback_box:
            comment = gr.Textbox(
                label=render.t(lang0, "feedback_prompt"),
                placeholder=render.t(lang0, "feedback_placeholder"),
                lines=2,
                max_length=MAX_COMMENT_CHARS,
                elem_id="uq-comment",
            )
            comment_send = gr.Button(
                render.t(lang0, "feedback_send"), size="sm", elem_id="uq-comment-send"
            )
        calculator.panel(service, lang)
        footer = gr.HTML(_footer_html(lang0), elem_id="uq-footer", padding=False)

        async def respond(
            question: str,
            messages: list[Any],
            turn_list: list[Any],
            lang_code: str,
            request: gr.Request,
        ) -> AsyncIterator[tuple[Any, ...]]:
            client = request.client.host if request.client else "-"
            async for step in _limited_respond(
                limits, question, messages, turn_list, lang_code, client
            ):
                yield step

        ask_outputs = [chatbot, turns, box]
        box.submit(respond, [box, chatbot, turns, lang], ask_outputs, concurrency_limit=4)
        for button in example_buttons:  # a button's value is its label: the example question
            button.click(respond, [button, chatbot, turns, lang], ask_outputs, concurrency_limit=4)

        language.change(
            lambda choice, turn_list: _switch_language(service, choice, turn_list),
            [language, turns],
            [
                lang,
                header,
                notice,
                dismiss,
                box,
                examples_label,
                comment,
                comment_send,
                footer,
                chatbot,
            ],
        )

        def rate(turn_list: list[Any], lang_code: str, data: gr.LikeData) -> tuple[Any, ...]:
            return _rate(lambda: service.feedback, turn_list, lang_code, data)

        chatbot.like(rate, [turns, lang], [pending, feedback_box])
        comment_send.click(
            lambda p, c, lang_code: _comment(lambda: service.feedback, p, c, lang_code),
            [pending, comment, lang],
            [pending, comment, feedback_box],
        )
        chatbot.clear(
            lambda: ([], None, gr.update(visible=False)), None, [turns, pending, feedback_box]
        )
        demo.load(lambda d: gr.update(visible=not d), [dismissed], [notice_box])
        checked: list[list[str]] = []  # the check's result, once it succeeded

        def show_examples() -> list[Any]:
            if not checked and (kept := suggestions(service)):
                checked.append(kept)
            kept = checked[0] if checked else []
            shown = gr.update(visible=bool(kept))
            return [shown, shown, *(gr.update(visible=q in kept) for q in CANDIDATES)]

        demo.load(show_examples, None, [examples_label, examples_row, *example_buttons])
        dismiss.click(lambda: (gr.update(visible=False), True), None, [notice_box, dismissed])
    return demo


def mount(app: Any, service: QAService, path: str = "/") -> Any:
    """Mount the chat UI into a FastAPI app (register the app's own routes first). Inside the
    API's app the page shares its limits (``app.state.api``). The admin view goes at /admin
    first, since the chat page at / would catch that path."""
    admin.mount(app, service, theme=THEME, footer_links=[])
    limits = getattr(app.state, "api", None) or ApiState.build(service, service.settings)
    prefix = path.rstrip("/")
    for route in FILE_ROUTES:  # matched before the mount: Gradio never sees these requests
        app.add_api_route(prefix + route, _no_files, methods=["POST"], include_in_schema=False)
    return gr.mount_gradio_app(
        app, build_ui(service, limits), path=path, **_page_options(), **_auth(limits)
    )


# Gradio's routes that write what a caller sends to disk (its cache, never cleaned): the page has
# no file, audio or video input, so nobody needs them
FILE_ROUTES = (
    "/gradio_api/upload",
    "/gradio_api/process_recording",
    "/gradio_api/stream/{rest:path}",
)


async def _no_files() -> JSONResponse:
    return JSONResponse(
        {
            "error": "forbidden",
            "message": "聊天页面不接收文件。文档请由管理员通过 POST /v1/documents 上传。",
        },
        status_code=403,
    )


def _auth(limits: ApiState) -> dict[str, Any]:
    """``UNIONQA_UI__AUTH=key``: the page (and its Gradio API) asks for an API key first."""
    if limits.settings.ui.auth != "key":
        return {}
    keys = limits.keys
    if keys.open:
        raise UsageError(
            "UNIONQA_UI__AUTH=key 需要同时设置 UNIONQA_API_KEYS（页面用 API 密钥登录）。"
        )

    def check(_user: str, password: str) -> bool:
        return keys.identify(f"Bearer {password}").key_id is not None

    return {
        "auth": check,
        "auth_message": "请输入热线给您的 API 密钥作为密码（用户名可随意填写）。",
    }


def ensure_index(service: QAService) -> None:
    """Ingest corpus/ when the index is missing or empty."""
    try:
        if service.documents():
            return
    except IndexNotReadyError:
        pass
    report = service.ingest()
    logger.info("ingested corpus: %d files, %d chunks", report.files, report.chunks)


def main() -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    service = QAService.from_settings()
    logging.basicConfig(
        level=service.settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    ensure_index(service)
    service.start_delivery()
    build_ui(service).launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        **_page_options(),
    )
