"""Privacy (after PIPL): a log-canary test. ``unionqa serve`` runs as a real uvicorn subprocess with
every logger at DEBUG into a file and an LLM configured (the stub); the CLI runs with ``-v``.
Questions carry a unique canary phrase and planted personal numbers; afterwards every log file,
stdout/stderr and every file of the data dir (Chroma's sqlite, the feedback store, the manifest,
the keyword cache, the outcome counters, the webhook's outbox) is searched, with every webhook
body the loopback receiver got and the output of `unionqa stats` and `unionqa feedback export`:
0 hits. With ``UNIONQA_HANDOFF__INCLUDE_QUESTION=true`` the question reaches the webhook redacted
only. Also: the feedback store's retention, Chroma telemetry and Gradio analytics off."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from fixtures import ROOT, llm_stub, make_settings
from test_api_helpers import client_for, free_port
from test_ops_helpers import SECRET, Receiver, answer, hook_settings, settings_only, wait_for
from test_privacy import make_card, make_id
from test_reliability_helpers import UNIONQA, cli_env, files_containing

from unionqa.feedback import FEEDBACK_FILE, FeedbackStore
from unionqa.handoff import OUTBOX_DIR
from unionqa.index.client import _chroma_settings
from unionqa.service import QAService

SUBSIDY = "公司招应届生能领什么补助？"
OFF_TOPIC = "今天天气怎么样？"  # refused: escalated, so handed to the webhook
SERVE = """
import logging, sys
logging.basicConfig(level=logging.DEBUG, filename=sys.argv[1],
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
from unionqa.cli import main
main(["-v", "serve", "--host", "127.0.0.1", "--port", sys.argv[2]])
"""


class Secrets:
    """A unique canary phrase and personal numbers that pass their checksums."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        tag = uuid.uuid4().hex[:6]
        self.phrase = f"金丝雀测试{tag}号"
        self.name = "欧阳" + "".join(rng.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(3))
        self.phone = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
        self.ident = make_id(rng)
        self.card = make_card(rng, 19)
        self.email = f"worker.{tag}@example.cn"

    @property
    def needles(self) -> list[str]:
        return [self.phrase, self.name, self.phone, self.ident, self.card, self.email]

    def question(self, body: str = SUBSIDY) -> str:
        return (
            f"我叫{self.name}，是{self.phrase}，手机{self.phone}，身份证{self.ident}，工资卡{self.card}，"
            f"邮箱{self.email}。{body}"
        )


def embedding_rows(data: Path) -> int:
    db = sqlite3.connect(f"file:{data / 'chroma' / 'chroma.sqlite3'}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT count(*) FROM embeddings").fetchone()[0])
    finally:
        db.close()


@pytest.fixture(scope="module")
def stub_url() -> str:
    return llm_stub.start()


def test_no_question_text_or_personal_number_is_logged_or_stored(
    corpus_service, tmp_path: Path, stub_url: str
) -> None:
    s = Secrets(seed=8)
    data = tmp_path / "data"
    shutil.copytree(corpus_service.settings.data_dir, data)
    rows_before = embedding_rows(data)
    logs = tmp_path / "logs"
    logs.mkdir()
    port = free_port()
    hook = Receiver()  # the hotline's webhook, on loopback
    hook.thread.start()
    env = cli_env(
        data,
        UNIONQA_LOG_LEVEL="DEBUG",
        UNIONQA_LLM__BASE_URL=stub_url,
        UNIONQA_LLM__MODEL="good",
        UNIONQA_API__QUOTA_PER_MINUTE="0",
        UNIONQA_HANDOFF__URL=hook.url,
        UNIONQA_HANDOFF__SECRET=SECRET,
    )
    with (logs / "serve.stdout").open("w") as out, (logs / "serve.stderr").open("w") as err:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(logs / "serve.log"), str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (logs / "serve.stderr").read_text()[-2000:]
            try:
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.3)
        c = httpx.Client(base_url=url, timeout=60)
        q = s.question()
        statuses = {
            "ask": c.post("/v1/ask", json={"question": q, "history": [s.question("加班费")]}),
            "ask-followup": c.post(
                "/v1/ask", json={"question": f"那{s.phrase}呢？", "history": [q]}
            ),
            "stream": c.post("/v1/ask/stream", json={"question": q}),
            "search": c.post("/v1/search", json={"question": q}),
            "chat": c.post(
                "/v1/chat/completions", json={"messages": [{"role": "user", "content": q}]}
            ),
            "chat-stream": c.post(
                "/v1/chat/completions",
                json={"messages": [{"role": "user", "content": q}], "stream": True},
            ),
            "too-long": c.post("/v1/ask", json={"question": q + "问" * 1000}),
            "malformed": c.post(
                "/v1/ask", content=q.encode() + b'{"', headers={"content-type": "application/json"}
            ),
            "query-string": c.post(f"/v1/ask?q={s.phrase}{s.phone}", json={"question": q}),
            "unknown-path": c.get(f"/v1/documents/{s.phone}"),
            "request-id": c.post(
                "/v1/ask", json={"question": q}, headers={"X-Request-ID": s.phone}
            ),
            "refused": c.post("/v1/ask", json={"question": s.question(OFF_TOPIC)}),
            "refused-chat": c.post(
                "/v1/chat/completions",
                json={"messages": [{"role": "user", "content": s.question(OFF_TOPIC)}]},
            ),
        }
        answer_id = statuses["ask"].json()["id"]
        statuses["feedback"] = c.post(
            "/v1/feedback",
            json={
                "answer_id": answer_id,
                "rating": "down",
                "comment": f"请打{s.phone}联系我，身份证{s.ident}，邮箱{s.email}",
            },
        )
        codes = {k: r.status_code for k, r in statuses.items()}
        assert codes == {
            "ask": 200,
            "ask-followup": 200,
            "stream": 200,
            "search": 200,
            "chat": 200,
            "chat-stream": 200,
            "too-long": 422,
            "malformed": codes["malformed"] if codes["malformed"] in (400, 422) else 400,
            "query-string": 200,
            "unknown-path": 404,
            "request-id": 200,
            "refused": 200,
            "refused-chat": 200,
            "feedback": 201,
        }
        assert statuses["refused"].json()["escalation"] is not None
        # every handoff written before its answer was returned; wait until all are delivered
        outbox = data / OUTBOX_DIR
        wait_for(lambda: len(hook.delivered) >= 2 and not list(outbox.glob("*.json")))
        # a request id that is personal data is replaced (it would go to the access log)
        assert statuses["request-id"].headers["x-request-id"] != s.phone
        for name in ("ask", "chat"):  # answers do not echo the question either
            assert not any(n in statuses[name].text for n in s.needles), name
    finally:
        server.terminate()
        server.wait(timeout=30)
        hook.__exit__()
    for n, body in enumerate(hook.raw):  # what the webhook received is scanned like a log
        (logs / f"webhook-{n}.json").write_bytes(body)
    assert hook.bad_signatures == 0
    assert all("question" not in b for b in hook.delivered.values())

    # the CLI, verbose, in its human and JSON forms and in batch mode
    batch = tmp_path / "batch.jsonl"  # the caller's own file, outside the data dir
    batch.write_text(json.dumps({"id": "1", "question": s.question()}, ensure_ascii=False) + "\n")
    for n, args in enumerate(
        (
            ["-v", "ask", s.question()],
            ["-v", "ask", s.question(), "--json"],
            ["-v", "ask", "--batch", str(batch), "--json"],
            ["-v", "ask", s.question("那国企呢？"), "--history", s.question()],
            ["-v", "stats", "--json"],
            ["-v", "feedback", "export", "--json"],
        )
    ):
        run = subprocess.run(
            [str(UNIONQA), *args],
            cwd=ROOT,
            env=cli_env(data, UNIONQA_LOG_LEVEL="DEBUG"),
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        (logs / f"cli-{n}.stdout").write_text(run.stdout)
        (logs / f"cli-{n}.stderr").write_text(run.stderr)

    stats = json.loads((logs / "cli-4.stdout").read_text())
    assert stats["answers"] >= 9 and stats["escalations"]["total"] >= 2  # counters really written
    exported = [json.loads(line) for line in (logs / "cli-5.stdout").read_text().splitlines()]
    assert [r["answer_id"] for r in exported] == [answer_id]
    log_text = (logs / "serve.log").read_text(encoding="utf-8")
    assert "unionqa.access" in log_text and "/v1/ask" in log_text  # the log is really written
    assert "DEBUG" in log_text
    found = files_containing(logs, s.needles) | files_containing(data, s.needles)
    assert found == {}
    assert embedding_rows(data) == rows_before  # no question embedding was stored
    stored = FeedbackStore(data / FEEDBACK_FILE).all()
    assert [r.answer_id for r in stored] == [answer_id]
    assert stored[0].comment is not None and "[电话]" in stored[0].comment
    print(
        json.dumps(
            {
                "requests": codes,
                "cli_runs": 6,
                "webhook_bodies": len(hook.raw),
                "log_lines": log_text.count("\n"),
                "files_scanned": sum(
                    1 for p in [*logs.rglob("*"), *data.rglob("*")] if p.is_file()
                ),
                "hits": found,
            },
            ensure_ascii=False,
        )
    )


def test_with_include_question_the_webhook_gets_the_question_redacted_and_nothing_else_does(
    tmp_path: Path,
) -> None:
    s = Secrets(seed=10)
    port = free_port()
    svc = settings_only(
        tmp_path, **hook_settings(f"http://127.0.0.1:{port}/hook", include_question=True)
    )
    q = s.question(OFF_TOPIC)
    svc.record(
        answer("none", summary=f"{s.name}，电话{s.phone}"), "ans_q", "api", lang="zh", question=q
    )
    svc.stop_delivery()  # the endpoint is down: the handoff waits in the outbox
    [path] = (tmp_path / OUTBOX_DIR).glob("*.json")
    waiting = json.loads(path.read_text(encoding="utf-8"))
    numbers = [s.phone, s.ident, s.card, s.email]
    assert files_containing(tmp_path, numbers) == {}  # outbox, counters: no number at all
    for placeholder in ("[电话]", "[身份证号]", "[银行卡号]", "[邮箱]"):
        assert placeholder in waiting["question"]
    assert waiting["summary"] == f"{s.name}，电话[电话]"
    # a name is not a number: redaction leaves it, so it travels only in the opted-in question
    # (and in a summary that carries it); the counters never hold it
    assert s.name not in (tmp_path / "stats.sqlite3").read_bytes().decode("utf-8", "replace")
    with Receiver(port=port) as hook:
        svc.start_delivery()
        wait_for(lambda: "ans_q" in hook.delivered)
        svc.stop_delivery()
    assert hook.delivered["ans_q"]["question"] == waiting["question"]
    assert not any(n.encode() in b for b in hook.raw for n in numbers)


def test_access_log_keeps_route_status_latency_key_and_request_id_only(
    corpus_service, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    s = Secrets(seed=9)
    c = client_for(corpus_service, tmp_path, api_keys="k-secret-1")
    with caplog.at_level("DEBUG"):
        r = c.post(
            "/v1/ask",
            json={"question": s.question()},
            headers={"Authorization": "Bearer k-secret-1", "X-Request-ID": "rid-42"},
        )
    assert r.status_code == 200
    access = [rec.getMessage() for rec in caplog.records if rec.name == "unionqa.access"]
    assert len(access) == 1
    line = access[0]
    assert line.startswith("POST /v1/ask 200 ") and "ms key=k_" in line and "rid=rid-42" in line
    assert "k-secret-1" not in caplog.text
    assert not any(n in caplog.text for n in s.needles)


# --- retention, telemetry, analytics -------------------------------------------------------------


def test_feedback_older_than_the_retention_period_is_purged_on_open_and_on_insert(
    tmp_path: Path,
) -> None:
    day = 86400.0
    now = time.time()
    store = FeedbackStore(tmp_path / FEEDBACK_FILE, retention_days=30)
    store.add("ans_old", "up", now=now - 31 * day)  # written back then, still here now
    store.add("ans_edge", "up", now=now - 29 * day)
    assert {r.answer_id for r in store.all()} == {"ans_old", "ans_edge"}
    reopened = FeedbackStore(tmp_path / FEEDBACK_FILE, retention_days=30)
    assert {r.answer_id for r in reopened.all()} == {"ans_edge"}
    reopened.add("ans_new", "down", now=now)
    # the API opens the service's store at startup (purging with the configured retention)
    svc = QAService(make_settings(tmp_path, api={"feedback_retention_days": 10}))
    from fastapi.testclient import TestClient

    from unionqa.api.app import create_app

    with TestClient(create_app(svc, mount_ui=False)):
        pass
    assert {r.answer_id for r in FeedbackStore(tmp_path / FEEDBACK_FILE, 10).all()} == {"ans_new"}


def test_chroma_telemetry_is_off_for_the_embedded_store_and_the_server_client(
    corpus_service, chroma_server: str, tmp_path: Path
) -> None:
    assert _chroma_settings().anonymized_telemetry is False
    assert corpus_service.index.client.get_settings().anonymized_telemetry is False
    remote = QAService(
        make_settings(tmp_path, chroma_url=chroma_server, collection=f"t-{uuid.uuid4().hex[:8]}")
    )
    assert remote.index.client.get_settings().anonymized_telemetry is False


def test_gradio_analytics_are_off_in_the_blocks_and_before_gradio_is_imported(
    corpus_service,
) -> None:
    from unionqa.ui.app import build_ui

    assert build_ui(corpus_service).analytics_enabled is False
    # the launchers set the variable before gradio is first imported, in a clean environment
    code = (
        "import os, runpy, sys\n"
        "os.environ.pop('GRADIO_ANALYTICS_ENABLED', None)\n"
        "runpy.run_path(sys.argv[1], run_name='not_main')\n"
        "import gradio\n"
        "print(os.environ['GRADIO_ANALYTICS_ENABLED'], gradio.analytics.analytics_enabled())\n"
    )
    env = cli_env(Path("unused"))
    env.pop("GRADIO_ANALYTICS_ENABLED", None)
    run = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "app_gradio.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split()[-2:] == ["False", "False"]
