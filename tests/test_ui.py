"""The chat UI's handlers over a real service (no browser): streaming, errors, feedback, language,
and mounting into a FastAPI app. The browser test is test_ui_browser.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from fixtures import make_settings

from unionqa.errors import IndexNotReadyError
from unionqa.feedback import FeedbackStore
from unionqa.service import QAService
from unionqa.types import Answer
from unionqa.ui import app as ui
from unionqa.ui import chat


class BrokenService(QAService):
    """A real service whose answering fails the way a backend can."""

    def __init__(self, data_dir: Path, error: Exception) -> None:
        super().__init__(make_settings(data_dir))
        self.error = error

    def ask_stream(
        self, question: str, history: Sequence[str] = (), as_of: date | None = None
    ) -> Iterator[str | Answer]:
        yield "半句"
        raise self.error


def _run(
    service: QAService, question: str, turns: list[Any] | None = None
) -> list[tuple[Any, ...]]:
    return list(chat._respond(service, question, [], turns or [], "zh"))


def test_answer_streams_pieces_before_the_source_cards(corpus_service: QAService) -> None:
    steps = _run(corpus_service, "公司招应届生能领什么补助?")
    contents = [messages[-1]["content"] for messages, _, _ in steps]
    assert "正在查找资料" in contents[0]
    streamed = [c for c in contents[1:-1] if "uq-sources" not in c]
    assert len(streamed) >= 2 and "1500元" in streamed[-1]  # text grows before the cards come
    final_messages, turns, box = steps[-1]
    assert box == ""
    assert [m["role"] for m in final_messages] == ["user", "assistant"]
    final = final_messages[-1]["content"]
    assert "uq-sources" in final and "<mark" in final and "已过期" in final
    (turn,) = turns
    assert uuid.UUID(turn["answer_id"]) and turn["answer"].citations


def test_uncovered_question_is_refused_with_the_hotline(corpus_service: QAService) -> None:
    final = _run(corpus_service, "我在外地打工，社保能转回老家吗?")[-1][0][-1]["content"]
    assert "uq-refusal" in final and "12351" in final and "uq-sources" not in final


def test_followup_passes_earlier_questions_as_history(corpus_service: QAService) -> None:
    first = _run(corpus_service, "公司招应届生能领什么补助?")[-1][1]
    final = _run(corpus_service, "那国有企业呢？", first)[-1]
    assert len(final[1]) == 2 and "增人增资" in final[0][-1]["content"]


@pytest.mark.parametrize(
    ("error", "shown"),
    [(IndexNotReadyError(), "索引尚未建立"), (RuntimeError("boom at line 3"), "稍后再试")],
)
def test_errors_become_a_friendly_bubble(tmp_path: Path, error: Exception, shown: str) -> None:
    final_messages, turns, _ = _run(BrokenService(tmp_path, error), "加班费怎么算？")[-1]
    final = final_messages[-1]["content"]
    assert "uq-error" in final and shown in final
    assert "Traceback" not in final and "boom" not in final
    assert turns[0]["answer"] is None


def test_empty_question_is_not_sent(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="请先输入问题"):  # gr.Warning outside a request
        steps = _run(BrokenService(tmp_path, RuntimeError()), "   ")
    assert steps == [([], [], "")]


def test_rating_and_comment_reach_the_feedback_store(
    corpus_service: QAService, tmp_path: Path
) -> None:
    _, turns, _ = _run(corpus_service, "AI面试给我打了低分,我能要求解释吗?")[-1]
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    like = gr.LikeData(None, {"index": 1, "value": "…", "liked": False})
    pending, box = ui._rate(lambda: store, turns, "zh", like)
    assert box["visible"] is True and pending["rating"] == "down"
    ui._comment(lambda: store, pending, "引用不对，我的电话是13812345678", "zh")
    rows = store.all()
    assert [(r.answer_id, r.rating) for r in rows] == [(turns[0]["answer_id"], "down")] * 2
    assert rows[1].comment == "引用不对，我的电话是[电话]" and rows[1].key_id == "ui"
    retract = gr.LikeData(None, {"index": 1, "value": "…", "liked": ""})
    assert ui._rate(lambda: store, turns, "zh", retract)[0] is None and len(store.all()) == 2


def test_language_switch_relabels_and_rerenders(corpus_service: QAService) -> None:
    _, turns, _ = _run(corpus_service, "公司招应届生能领什么补助?")[-1]
    updates = ui._switch_language(corpus_service, "English", turns)
    assert updates[0] == "en"
    assert updates[4]["submit_btn"] == "Send" and "Type your question" in updates[4]["placeholder"]
    chat = updates[-1]["value"]
    assert len(chat) == 2 and "Sources" in chat[1]["content"] and "Expired" in chat[1]["content"]


def test_mount_serves_the_ui_inside_a_fastapi_app(corpus_service: QAService) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    ui.mount(app, corpus_service)
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        page = client.get("/")
        assert page.status_code == 200 and "职工政策问答" in page.text
        config = client.get("/config").json()
        assert config["analytics_enabled"] is False
