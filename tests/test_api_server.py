"""The API behind a real uvicorn on 127.0.0.1: server-sent events, the official ``openai`` client,
and ``unionqa serve`` with two workers over a ``chroma run`` server (the README's examples run in
``test_readme.py``)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import httpx
import openai
import pytest
from click.testing import CliRunner
from fixtures import CORPUS, make_settings
from test_api_helpers import (
    LiveServer,
    SlowService,
    api_settings,
    free_port,
    parse_sse,
    spawn,
    stop_process,
    wait_http,
)

from unionqa.api.app import create_app
from unionqa.cli import main
from unionqa.service import QAService

KEY, ADMIN = "hotline-key", "admin-key"
QUESTION = "公司招应届生能领什么补助？"
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def live(corpus_service, tmp_path_factory):
    """A real uvicorn over its own copy of the corpus index (the docs examples upload and delete)."""
    data = tmp_path_factory.mktemp("live")
    svc = QAService(make_settings(data / "index"), embeddings=corpus_service.embeddings)
    assert not svc.ingest([CORPUS]).failed
    settings = api_settings(svc, data, api_keys=KEY, admin_keys=ADMIN, quota_per_minute=0)
    with LiveServer(create_app(svc, settings=settings, mount_ui=False)) as server:
        yield server


@pytest.fixture
def client(live):
    return openai.OpenAI(base_url=f"{live.url}/v1", api_key=KEY, max_retries=0, timeout=60)


def test_sse_stream_over_a_real_server(live):
    events = []
    with httpx.stream(
        "POST",
        f"{live.url}/v1/ask/stream",
        json={"question": QUESTION},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=60,
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        buffer = ""
        for text in r.iter_text():
            buffer += text
            *complete, buffer = buffer.split("\n\n")
            events += parse_sse("\n\n".join(complete))
    names = [e for e, _ in events]
    assert names.count("delta") >= 2 and names[-2:] == ["answer", "done"]
    answer = json.loads(events[-2][1])
    deltas = "".join(json.loads(d)["text"] for e, d in events if e == "delta")
    assert deltas == answer["answer"] and answer["citations"]


def test_sse_errors_before_the_stream_starts_keep_their_status(live):
    r = httpx.post(
        f"{live.url}/v1/ask/stream",
        json={"question": "问" * 1001},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert r.status_code == 422 and r.json()["error"] == "question_too_long"


def test_openai_client_keeps_citations_without_streaming(client):
    reply = client.chat.completions.create(
        model="unionqa", messages=[{"role": "user", "content": QUESTION}]
    )
    message = reply.choices[0].message
    assert reply.object == "chat.completion" and reply.choices[0].finish_reason == "stop"
    extra = reply.model_extra or {}
    assert extra["refused"] is False and extra["citations"]
    first = extra["citations"][0]
    assert "[1]" in message.content
    assert (
        f"来源：\n[1] 《{first['title']}》{first['locator']}：{first['quote']}" in message.content
    )
    assert (message.model_extra or {})["citations"] == extra["citations"]


def test_openai_client_streams_chunks_and_the_last_carries_citations(client):
    stream = client.chat.completions.create(
        model="unionqa", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "[1]" in text and "\n\n来源：\n[1] 《" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    extra = last.model_extra or {}
    assert extra["citations"] and extra["refused"] is False
    assert not any((c.model_extra or {}).get("citations") for c in chunks[:-1])


def test_openai_client_refusal_names_the_hotline(client):
    reply = client.chat.completions.create(
        model="unionqa",
        messages=[{"role": "user", "content": "我的工资被拖欠了三个月，应该去哪里投诉？"}],
    )
    extra = reply.model_extra or {}
    assert extra["refused"] is True and extra["citations"] == []
    assert "12351" in extra["escalation"]["hotline"]
    assert "来源" not in (reply.choices[0].message.content or "")


def test_openai_client_gets_the_chinese_error_message(live):
    bad = openai.OpenAI(base_url=f"{live.url}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as e:
        bad.chat.completions.create(model="unionqa", messages=[{"role": "user", "content": "你好"}])
    assert e.value.status_code == 401
    assert e.value.response.json()["message"].startswith("缺少或无效的 API 密钥")


def test_openai_stream_failing_midway_raises_with_the_chinese_message(corpus_service, tmp_path):
    slow = SlowService(corpus_service, delay=10)
    settings = api_settings(slow, tmp_path, deadline_s=1.0)
    try:
        with LiveServer(create_app(slow, settings=settings, mount_ui=False)) as server:
            client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="open", max_retries=0)
            stream = client.chat.completions.create(
                model="unionqa", messages=[{"role": "user", "content": QUESTION}], stream=True
            )
            pieces = []
            with pytest.raises(openai.APIError) as e:
                for chunk in stream:
                    pieces.append(chunk.choices[0].delta.content or "")
    finally:
        slow.release.set()
    assert "".join(pieces)  # the first sentence arrived before the deadline
    assert e.value.message == "处理超时（超过 1 秒），请稍后再试；问题说得更具体些也会更快。"
    assert e.value.body == {"code": "deadline_exceeded", "message": e.value.message}


# --- unionqa serve ----------------------------------------------------------------------------


def test_serve_refuses_several_workers_without_a_chroma_server(tmp_path, monkeypatch):
    monkeypatch.delenv("UNIONQA_CHROMA_URL", raising=False)
    result = CliRunner().invoke(main, ["serve", "--workers", "2", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "需要 Chroma 服务器" in result.output and "UNIONQA_CHROMA_URL" in result.output


@pytest.mark.slow
def test_two_workers_share_an_uploaded_document_through_a_chroma_server(corpus_service, tmp_path):
    chroma_port = free_port()
    api_port = next(p for p in iter(free_port, None) if p != chroma_port)
    chroma_log, serve_log = tmp_path / "chroma.log", tmp_path / "serve.log"
    chroma = spawn(
        [str(VENV_BIN / "chroma"), "run", "--path", str(tmp_path / "chroma"),
         "--host", "127.0.0.1", "--port", str(chroma_port)],
        chroma_log,
    )  # fmt: skip
    serve = None
    try:
        chroma_url = f"http://127.0.0.1:{chroma_port}"
        wait_http(f"{chroma_url}/api/v2/heartbeat", chroma, chroma_log, 60)
        settings = make_settings(tmp_path / "data", chroma_url=chroma_url)
        assert not QAService(settings, embeddings=corpus_service.embeddings).ingest([CORPUS]).failed

        env = {
            **os.environ,
            "UNIONQA_CHROMA_URL": chroma_url,
            "UNIONQA_DATA_DIR": str(tmp_path / "data"),
            "UNIONQA_ADMIN_KEYS": ADMIN,
            "UNIONQA_API__QUOTA_PER_MINUTE": "0",
            "ANONYMIZED_TELEMETRY": "False",
            "HF_HUB_OFFLINE": "1",
        }
        env.pop("UNIONQA_API_KEYS", None)
        serve = spawn(
            [str(VENV_BIN / "unionqa"), "serve", "--port", str(api_port), "--workers", "2"],
            serve_log, cwd=tmp_path, env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{api_port}"
        wait_http(f"{base}/readyz", serve, serve_log)

        text = "# 夜班职工防暑降温补贴办法\n\n夜班职工在七月至九月可领取防暑降温补贴，每人每月二百八十元。\n"
        with httpx.Client(base_url=base, timeout=60) as one:  # one connection = one worker
            uploader = one.get("/healthz").json()["pid"]
            r = one.post(
                "/v1/documents",
                files={"file": ("夜班补贴.md", text.encode(), "text/markdown")},
                headers={"Authorization": f"Bearer {ADMIN}"},
            )
            assert r.status_code == 201, r.text
            doc_id = r.json()["doc_id"]

        found: set[int] = set()
        seen: set[int] = set()
        deadline = time.monotonic() + 90
        while len(found) < 2 and time.monotonic() < deadline:
            with httpx.Client(base_url=base, timeout=60) as c:  # a fresh connection each time
                pid = c.get("/healthz").json()["pid"]
                seen.add(pid)
                r = c.post("/v1/search", json={"question": "夜班防暑降温补贴每月多少钱"})
                if r.status_code in (503, 504):  # a worker still warming up on 2 busy cores
                    time.sleep(1)
                    continue
                assert r.status_code == 200, r.text
                hits = r.json()
                if hits["hits"] and hits["hits"][0]["doc_id"] == doc_id:
                    found.add(pid)
            time.sleep(0.1)
        assert len(seen) == 2, f"only worker(s) {seen} answered"
        assert uploader in found and len(found) == 2, f"document found by {found} of {seen}"
    finally:
        if serve is not None:
            stop_process(serve)
        stop_process(chroma)
