"""The worker chat UI (Gradio 6), a front door that calls only ``QAService``.

- ``build_ui(service)``: the Blocks (streamed answers, source cards, refusals with the 12351
  hotline, example questions, a dismissible privacy notice, 👍/👎 feedback with a comment,
  Chinese/English labels);
- ``mount(app, service, path="/")``: the same Blocks inside a FastAPI app;
- ``main()``: ``python app_gradio.py``, on 127.0.0.1:7860 (``GRADIO_SERVER_PORT`` overrides).

The HTML of messages lives in ``ui_render`` (everything from a document, an answer or a worker
is escaped there).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from functools import cache
from typing import Any

import gradio as gr

from . import ui_render as render
from .errors import IndexNotReadyError, UnionQAError
from .feedback import FEEDBACK_FILE, MAX_COMMENT_CHARS, FeedbackStore
from .service import QAService
from .types import Answer

logger = logging.getLogger(__name__)

EXAMPLES = [
    "公司招应届生能领什么补助?",
    "AI面试给我打了低分,我能要求解释吗?",
    "我在外地打工，社保能转回老家吗?",  # not covered by corpus/: shows a refusal
]
LANGUAGES = {"中文": "zh", "English": "en"}
FEEDBACK_KEY_ID = "ui"  # who gave the feedback, as the feedback store records API key ids

CSS = """
.gradio-container { max-width: 980px !important; margin: 0 auto !important; }
#uq-header { align-items: center; gap: 8px; }
#uq-header h1 { font-size: 1.45em; margin: 0 0 2px; }
#uq-header p { margin: 0; color: var(--body-text-color-subdued); font-size: .92em; }
#uq-lang { flex-grow: 0 !important; min-width: 210px !important; }
#uq-lang .wrap { flex-wrap: nowrap; }
#uq-notice { border: 1px solid #e8b04a; background: #fff8e6; border-radius: 10px; padding: 10px 12px;
  gap: 6px; color: #3d2c00; }
#uq-notice button { align-self: flex-end; max-width: 120px; }
#uq-chat .message { max-width: 100% !important; }
#uq-chat .bubble.bot-row { max-width: 100% !important; }
.uq-question { white-space: pre-wrap; }
.uq-welcome { text-align: center; color: var(--body-text-color-subdued); max-width: 28em; margin: 0 auto; padding: 0 8px; }
.uq-welcome b { color: var(--body-text-color); font-size: 1.1em; }
.uq-answer { white-space: pre-wrap; line-height: 1.7; overflow-wrap: anywhere; }
.uq-pending { color: var(--body-text-color-subdued); font-style: italic; }
.uq-ref { color: var(--color-accent); font-weight: 600; font-size: .75em; margin-left: 1px; }
.uq-notices { margin-top: 10px; padding: 8px 10px; border-left: 4px solid #d97706; background: #fff7e6;
  color: #3d2c00; border-radius: 6px; font-size: .92em; }
.uq-notices ul { margin: 4px 0 0 1.1em; padding: 0; }
.uq-sources { margin-top: 12px; }
.uq-sources-title { font-weight: 600; font-size: .9em; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.uq-cards { display: flex; flex-direction: column; gap: 8px; }
.uq-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 8px 10px;
  background: var(--background-fill-primary); }
.uq-card-head { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; }
.uq-num { display: inline-flex; align-items: center; justify-content: center; min-width: 1.5em; height: 1.5em;
  border-radius: 50%; background: var(--color-accent); color: #fff; font-size: .8em; font-weight: 700; }
.uq-title { font-weight: 600; }
.uq-loc { color: var(--body-text-color-subdued); font-size: .9em; }
.uq-badge { font-size: .78em; border-radius: 999px; padding: 1px 8px; white-space: nowrap; }
.uq-valid { background: #e3f4e8; color: #17622f; }
.uq-expired { background: #fde6e6; color: #9f1c1c; }
.uq-nodate { background: var(--background-fill-secondary); color: var(--body-text-color-subdued); }
.uq-para { white-space: pre-wrap; margin: 6px 0 4px; font-size: .93em; line-height: 1.65; overflow-wrap: anywhere; }
mark.uq-quote { background: #ffe27a; color: #1f1600; padding: 0 2px; border-radius: 3px; }
.uq-doc summary { cursor: pointer; color: var(--link-text-color); font-size: .9em; }
.uq-doc-body { position: relative; max-height: 45vh; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere;
  margin-top: 6px; padding: 8px 10px; border-radius: 8px; background: var(--background-fill-secondary);
  font-size: .9em; line-height: 1.65; }
.uq-refusal { border: 2px solid #d97706; background: #fff8eb; color: #3d2c00; border-radius: 12px; padding: 12px 14px; }
.uq-refusal-title { font-weight: 700; margin-bottom: 4px; }
.uq-hotline { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; margin: 10px 0 4px; padding: 8px 12px;
  border-radius: 10px; background: #b91c1c; color: #fff !important; text-decoration: none !important; }
.uq-hotline-number { font-size: 1.7em; font-weight: 800; letter-spacing: .04em; }
.uq-hotline-label { font-size: 1em; font-weight: 600; }
.uq-hint { font-size: .9em; }
.uq-error { border: 1px solid #dc2626; background: #fef2f2; color: #7f1d1d; border-radius: 10px; padding: 10px 12px; }
.uq-error-title { font-weight: 700; }
#uq-examples { gap: 6px; flex-wrap: wrap; }
#uq-examples button { flex: 0 1 auto !important; min-width: 0 !important; white-space: normal; text-align: left; }
#uq-footer p { font-size: .82em; color: var(--body-text-color-subdued); text-align: center; margin: 4px 0 0; }
@media (max-width: 600px) {
  #uq-chat .message-row { margin-left: 2px !important; margin-right: 2px !important; }
  #uq-chat .message-row .bot { padding: 8px !important; }
  .uq-card { padding: 6px 8px; }
  #uq-header h1 { font-size: 1.2em; }
  #uq-lang { min-width: 100% !important; }
  .uq-hotline-number { font-size: 1.5em; }
  #uq-examples button { width: 100%; flex-basis: 100% !important; }
}
"""

# Page-level rules outside Gradio's ``.contain`` (Gradio rewrites media queries in ``css`` to
# apply inside it only), so they go into the page head.
HEAD = """<style>
@media (max-width: 600px) {
  .gradio-container .main.app { padding-left: 8px !important; padding-right: 8px !important; }
}
</style>"""

# Opening a card's <details> scrolls its highlighted quote into view. Static code: no user or
# document text is ever part of it.
JS = """
() => {
  document.addEventListener("toggle", (event) => {
    const d = event.target;
    if (!(d instanceof HTMLDetailsElement) || !d.open || !d.classList.contains("uq-doc")) return;
    const box = d.querySelector(".uq-doc-body");
    const mark = box && box.querySelector("mark");
    if (mark) box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
  }, true);
}
"""

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
        "css": CSS,
        "js": JS,
        "head": HEAD,
        "footer_links": [],
        "run_history": False,
    }


# --- feedback ---------------------------------------------------------------------------


def feedback_store(service: QAService) -> FeedbackStore:
    """The store the API's POST /v1/feedback writes too (SQLite in the data dir)."""
    settings = service.settings
    return FeedbackStore(settings.data_dir / FEEDBACK_FILE, settings.api.feedback_retention_days)


# --- rendering of whole turns -----------------------------------------------------------


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
    except UnionQAError:
        docs = {}
    html = render.answer_message(answer, docs, turn["answer_id"], lang, turn["as_of"])
    return [user, _assistant(html)]


# --- event handlers -----------------------------------------------------------------------


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
    yield [*messages, *_turn_messages(service, turn, lang)], [*turns, turn], ""


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
    store: Callable[[], FeedbackStore], turns: list[dict[str, Any]], data: gr.LikeData
) -> tuple[Any, ...]:
    """👍/👎 on an answer: store the rating now, then offer the optional comment box.

    A comment sent afterwards is a second row for the same answer id (rating repeated)."""
    index = data.index if isinstance(data.index, int) else data.index[0]
    turn_no = index // 2  # messages alternate: question, answer
    turn = turns[turn_no] if 0 <= turn_no < len(turns) else None
    if turn is None or turn.get("answer") is None or data.liked not in (True, False):
        return None, gr.update(visible=False)  # an error bubble, or a rating taken back
    rating = "up" if data.liked else "down"
    store().add(turn["answer_id"], rating, None, FEEDBACK_KEY_ID)
    logger.info("feedback from the UI: %s", rating)
    return {"answer_id": turn["answer_id"], "rating": rating}, gr.update(visible=True)


def _comment(
    store: Callable[[], FeedbackStore], pending: dict[str, str] | None, comment: str, lang: str
) -> tuple[Any, ...]:
    comment = (comment or "").strip()
    if pending and comment:
        try:
            store().add(pending["answer_id"], pending["rating"], comment, FEEDBACK_KEY_ID)
        except UnionQAError as e:
            gr.Warning(str(e))
            return pending, gr.update(), gr.update()
        gr.Info(render.t(lang, "feedback_thanks"))
    return None, gr.update(value=""), gr.update(visible=False)


def _header_html(lang: str) -> str:
    return f"<h1>{render.t(lang, 'title')}</h1><p>{render.t(lang, 'subtitle')}</p>"


def _footer_html(lang: str) -> str:
    return f"<p>{render.t(lang, 'footer')}</p>"


# --- the Blocks -----------------------------------------------------------------------------


def build_ui(service: QAService) -> gr.Blocks:
    lang0 = "zh"
    store = cache(lambda: feedback_store(service))
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
            height="62vh",
            min_height=320,
            render_markdown=False,
            sanitize_html=True,
            allow_tags=False,
            latex_delimiters=[],
            buttons=[],
            layout="bubble",
            placeholder=render.chat_placeholder(lang0),
        )
        box = gr.Textbox(
            show_label=False,
            placeholder=render.t(lang0, "placeholder"),
            lines=1,
            max_lines=4,
            submit_btn=render.t(lang0, "send"),
            elem_id="uq-input",
            max_length=1000,
        )
        examples_label = gr.Markdown(render.t(lang0, "examples"), elem_id="uq-examples-label")
        with gr.Row(elem_id="uq-examples"):
            example_buttons = [
                gr.Button(q, size="sm", variant="secondary", elem_classes="uq-example")
                for q in EXAMPLES
            ]
        with gr.Column(visible=False, elem_id="uq-feedback") as feedback_box:
            comment = gr.Textbox(
                label=render.t(lang0, "feedback_prompt"),
                placeholder=render.t(lang0, "feedback_placeholder"),
                lines=2,
                max_length=MAX_COMMENT_CHARS,
                elem_id="uq-comment",
            )
            comment_send = gr.Button(render.t(lang0, "feedback_send"), size="sm")
        footer = gr.HTML(_footer_html(lang0), elem_id="uq-footer", padding=False)

        def respond(
            question: str, messages: list[Any], turn_list: list[Any], lang_code: str
        ) -> Iterator[tuple[Any, ...]]:
            yield from _respond(service, question, messages, turn_list, lang_code)

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

        def rate(turn_list: list[Any], data: gr.LikeData) -> tuple[Any, ...]:
            return _rate(store, turn_list, data)

        chatbot.like(rate, [turns], [pending, feedback_box])
        comment_send.click(
            lambda p, c, lang_code: _comment(store, p, c, lang_code),
            [pending, comment, lang],
            [pending, comment, feedback_box],
        )
        chatbot.clear(
            lambda: ([], None, gr.update(visible=False)), None, [turns, pending, feedback_box]
        )
        demo.load(lambda d: gr.update(visible=not d), [dismissed], [notice_box])
        dismiss.click(lambda: (gr.update(visible=False), True), None, [notice_box, dismissed])
    return demo


def mount(app: Any, service: QAService, path: str = "/") -> Any:
    """Mount the chat UI into a FastAPI app (register the app's own routes first)."""
    return gr.mount_gradio_app(app, build_ui(service), path=path, **_page_options())


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
    build_ui(service).launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        **_page_options(),
    )
