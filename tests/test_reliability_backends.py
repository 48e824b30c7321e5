"""Reliability when backends fail, through the HTTP API on a real uvicorn: a ``chroma run`` server
stopped (SIGTERM, SIGKILL) in the middle of serving gives 503 JSON in Chinese and a 503 /readyz,
and service resumes when the server is back on the same port and path, without an API restart;
an LLM endpoint that hangs, errors or talks garbage gives extractive answers with a notice
within the request deadline."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from fixtures import llm_stub, make_settings
from test_api_helpers import LiveServer, api_settings
from test_reliability_helpers import ChromaServer

from unionqa.api.app import create_app
from unionqa.service import QAService
from unionqa.settings import LLMSettings

DOCS = {
    "probation.md": "# 试用期\n\n劳动合同期限三个月以上不满一年的，试用期不得超过一个月。\n",
    "overtime.md": "# 加班费\n\n休息日安排劳动者工作又不能安排补休的，支付不低于工资的百分之二百的工资报酬。\n",
    "leave.md": "# 年休假\n\n职工累计工作已满1年不满10年的，年休假5天。\n",
}
QUESTION = "休息日加班工资怎么算"
LLM_QUESTION = "招聘高校毕业生，企业能拿到什么补助？"
OUTAGES = ["terminate", "kill", "terminate"]  # how the server goes down, cycle by cycle


def is_json_error(r: httpx.Response, code: str) -> bool:
    body = r.json()
    return (
        set(body) == {"error", "message"}
        and body["error"] == code
        and "Traceback" not in r.text
        and 'File "' not in r.text
    )


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma-restart"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def over_chroma(chroma: ChromaServer, corpus_service, tmp_path_factory) -> QAService:
    data = tmp_path_factory.mktemp("backend-api")
    docs = data / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    settings = make_settings(
        data / "index", chroma_url=chroma.url, collection=f"t-{uuid.uuid4().hex[:8]}"
    )
    svc = QAService(settings, embeddings=corpus_service.embeddings)
    assert svc.ingest([docs]).added == 3
    return svc


def live_api(svc: QAService, data: Path, **api: object) -> LiveServer:
    app = create_app(
        svc, settings=api_settings(svc, data, quota_per_minute=0, **api), mount_ui=False
    )
    return LiveServer(app)


@pytest.fixture
def api_over_chroma(over_chroma: QAService, tmp_path: Path):
    with live_api(over_chroma, tmp_path) as live:
        yield live


class Hammer:
    """One client asking over and over in the background; counts status codes and checks every
    error body (never a 500, never a stack trace)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.codes: Counter[int] = Counter()
        self.bad: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as c:
            while not self.stop.is_set():
                r = c.post("/v1/search", json={"question": QUESTION, "k": 2})
                self.codes[r.status_code] += 1
                if r.status_code != 200 and not is_json_error(r, "backend_unavailable"):
                    self.bad.append(f"{r.status_code} {r.text[:200]}")
                time.sleep(0.02)

    def __enter__(self) -> Hammer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(60)


def test_chroma_server_outage_is_503_and_service_resumes_without_an_api_restart(
    api_over_chroma: LiveServer, chroma: ChromaServer
) -> None:
    c = httpx.Client(base_url=api_over_chroma.url, timeout=60)
    assert c.get("/readyz").status_code == 200
    before = c.post("/v1/search", json={"question": QUESTION, "k": 3}).json()["hits"]
    assert before[0]["source"] == "overtime.md"
    seen: Counter[int] = Counter()
    with Hammer(api_over_chroma.url) as hammer:
        for how in OUTAGES:
            time.sleep(0.5)  # the hammer is mid-stream when the server goes
            assert chroma.proc is not None
            if how == "kill":
                chroma.proc.send_signal(signal.SIGKILL)
                chroma.proc.wait(15)
            chroma.stop()

            r = c.post("/v1/ask", json={"question": QUESTION})
            assert r.status_code == 503 and is_json_error(r, "backend_unavailable")
            assert "Chroma" in r.json()["message"] and "稍后再试" in r.json()["message"]
            assert r.headers["retry-after"] == "5"
            assert QUESTION not in r.text
            ready = c.get("/readyz")
            assert ready.status_code == 503 and is_json_error(ready, "backend_unavailable")
            stream = c.post("/v1/ask/stream", json={"question": QUESTION})
            assert stream.status_code == 503 and is_json_error(stream, "backend_unavailable")
            chat = c.post(
                "/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}]}
            )
            assert chat.status_code == 503 and is_json_error(chat, "backend_unavailable")
            assert c.get("/healthz").status_code == 200  # the process itself is fine
            seen.update([503] * 4)

            chroma.start()  # same port, same path
            deadline = time.monotonic() + 30
            while (ready := c.get("/readyz")).status_code != 200:
                assert time.monotonic() < deadline, ready.text
                time.sleep(0.2)
            r = c.post("/v1/ask", json={"question": QUESTION})
            assert r.status_code == 200 and r.json()["citations"], r.text
            after = c.post("/v1/search", json={"question": QUESTION, "k": 3}).json()["hits"]
            assert [h["chunk_id"] for h in after] == [h["chunk_id"] for h in before]
            seen.update([200] * 2)
    print({"outages": OUTAGES, "hammer": dict(hammer.codes), "checked": dict(seen)})
    assert hammer.bad == []
    assert set(hammer.codes) <= {200, 503} and hammer.codes[200] and hammer.codes[503]
    assert chroma.starts == len(OUTAGES) + 1


def test_frozen_chroma_server_is_504_then_503_busy_and_recovers_when_it_thaws(
    over_chroma: QAService, chroma: ChromaServer, tmp_path: Path
) -> None:
    """A server that stops answering (SIGSTOP) without closing connections: the Chroma client has
    no timeout, so each call waits; the API answers 504 at its deadline, then 503 once every
    slot waits, and serves again as soon as the server answers."""
    with live_api(over_chroma, tmp_path, deadline_s=2.0, max_concurrency=2) as live:
        c = httpx.Client(base_url=live.url, timeout=60)
        assert c.post("/v1/search", json={"question": QUESTION}).status_code == 200
        assert chroma.proc is not None
        chroma.proc.send_signal(signal.SIGSTOP)
        try:
            codes = [
                c.post("/v1/search", json={"question": QUESTION}).status_code for _ in range(3)
            ]
            busy = c.post("/v1/search", json={"question": QUESTION})
        finally:
            chroma.proc.send_signal(signal.SIGCONT)
        assert codes[:2] == [504, 504] and codes[2] == 503
        assert busy.status_code == 503 and is_json_error(busy, "busy")
        deadline = time.monotonic() + 30
        while (r := c.post("/v1/search", json={"question": QUESTION})).status_code != 200:
            assert time.monotonic() < deadline, r.text
            time.sleep(0.2)
        assert r.json()["hits"][0]["source"] == "overtime.md"


# --- the LLM endpoint through the API ---------------------------------------------------------


@pytest.fixture(scope="module")
def stub_url() -> str:
    return llm_stub.start()


def llm_client(
    corpus_service, tmp_path: Path, url: str, scenario: str, timeout: float, deadline: float
):
    llm = LLMSettings(base_url=url, model=scenario, timeout_s=timeout)
    svc = QAService(
        corpus_service.settings.model_copy(update={"llm": llm}),
        embeddings=corpus_service.embeddings,
    )
    app = create_app(svc, settings=api_settings(svc, tmp_path, deadline_s=deadline), mount_ui=False)
    return LiveServer(app)


@pytest.mark.parametrize("scenario", ["hang", "error", "garbage"])
def test_failing_llm_falls_back_to_quotes_with_a_notice_within_the_api_deadline(
    corpus_service, tmp_path: Path, stub_url: str, scenario: str
) -> None:
    with llm_client(corpus_service, tmp_path, stub_url, scenario, 1.0, 8.0) as live:
        r = httpx.post(f"{live.url}/v1/ask", json={"question": LLM_QUESTION}, timeout=60)
        # 200 (not 504) is the proof it came back before the deadline
        assert r.status_code == 200, r.text
        a = r.json()
        assert not a["refused"] and a["citations"]
        assert any("原文摘录" in n for n in a["notices"])
        with httpx.stream(
            "POST", f"{live.url}/v1/ask/stream", json={"question": LLM_QUESTION}, timeout=60
        ) as s:
            body = s.read().decode()
        assert s.status_code == 200 and "event: answer" in body and "原文摘录" in body
        assert "event: error" not in body


def test_hanging_llm_on_a_follow_up_times_out_twice_and_still_answers(
    corpus_service, tmp_path: Path, stub_url: str
) -> None:
    """Condensing the follow-up and generating each wait for the timeout: both fall back."""
    with llm_client(corpus_service, tmp_path, stub_url, "hang", 1.0, 8.0) as live:
        r = httpx.post(
            f"{live.url}/v1/ask",
            json={"question": "那国有企业呢？", "history": ["招聘高校毕业生企业有什么补助？"]},
            timeout=60,
        )
        assert r.status_code == 200, r.text


def test_llm_slower_than_the_deadline_is_504_in_chinese_not_a_hang(
    corpus_service, tmp_path: Path, stub_url: str
) -> None:
    with llm_client(corpus_service, tmp_path, stub_url, "hang", 20.0, 2.0) as live:
        r = httpx.post(f"{live.url}/v1/ask", json={"question": LLM_QUESTION}, timeout=60)
        assert r.status_code == 504 and is_json_error(r, "deadline_exceeded")
        assert "处理超时" in r.json()["message"]
