"""The hotline's webhook: payload, signature, outbox, and delivery at least once to a real
loopback receiver that is down (503, or connection refused) and comes back, through the API's,
the OpenAI route's and the chat page's front doors, and across a restart."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_api_helpers import free_port
from test_ops_helpers import (
    SECRET,
    Receiver,
    answer,
    hook_settings,
    service_copy,
    settings_only,
    wait_for,
)

from unionqa.api.app import create_app
from unionqa.handoff import OUTBOX_DIR, Outbox, payload, signature
from unionqa.service import QAService

OFF_TOPIC = ["今天天气怎么样？", "红烧肉怎么做才好吃？", "世界杯哪个队夺冠了？"]
OFF_TOPIC_EN = "What is the best pizza in Rome?"
ANSWERABLE = "公司招应届生能领什么补助?"


def outbox_files(service: QAService) -> list[Path]:
    return sorted((service.settings.data_dir / OUTBOX_DIR).glob("*.json"))


# --- the pieces ---------------------------------------------------------------------------


def test_payload_names_situation_office_urgency_summary_and_citations_without_the_question() -> (
    None
):
    a = answer("partial", ("wage_arrears", "拖欠工资"), summary="拖欠3个月工资，电话13812345678")
    body = payload(a, "ans_1", "api", question="我叫张三，电话13812345678，公司欠薪")
    assert "question" not in payload(a, "ans_1", "api")
    assert body["question"] == "我叫张三，电话[电话]，公司欠薪"  # the caller opted in: redacted
    body = payload(a, "ans_1", "api")
    assert body["answer_id"] == "ans_1" and body["channel"] == "api"
    assert body["situation"] == "wage_arrears" and body["situation_name"] == "拖欠工资"
    assert body["office"] == "劳动保障监察" and body["urgency"] == "normal"
    assert body["coverage"] == "partial"
    assert body["summary"] == "拖欠3个月工资，电话[电话]"  # redacted again on the way out
    assert body["citations"] == [
        {
            "n": 1,
            "title": "中华人民共和国劳动法",
            "locator": "第五十条",
            "quote": "工资应当以货币形式按月支付给劳动者本人。",
        }
    ]
    assert body["created"].endswith("+00:00")


def test_payload_of_an_urgent_case_says_where_to_call_now() -> None:
    body = payload(answer(urgent_class="detained"), "ans_2", "ui")
    assert body["urgency"] == "urgent" and body["urgent_class"] == "detained"
    assert body["call_now"] == ["110", "12351"]


def test_an_answer_without_escalation_is_not_a_handoff() -> None:
    with pytest.raises(ValueError):
        payload(answer(), "ans_3", "api")


def test_signature_is_the_hmac_sha256_of_the_raw_body() -> None:
    body = json.dumps({"answer_id": "ans_1"}).encode()
    want = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert signature(body, SECRET) == f"sha256={want}"


def test_outbox_files_are_whole_named_by_answer_id_and_listed_oldest_first(tmp_path: Path) -> None:
    box = Outbox(tmp_path / OUTBOX_DIR)
    first = box.put({"answer_id": "ans_a/../x", "n": 1})
    second = box.put({"answer_id": "chatcmpl-b", "n": 2})
    assert first.name == "ans_a_.._x.json" and first.parent == box.folder  # no path escape
    assert box.pending() == [first, second]
    assert json.loads(first.read_bytes()) == {"answer_id": "ans_a/../x", "n": 1}
    assert [p.name for p in box.folder.iterdir() if p.suffix == ".tmp"] == []
    with Outbox.claim(first) as data:
        assert data == first.read_bytes()
        with Outbox.claim(first) as again:  # held: a second sender skips it
            assert again is None


def test_without_a_webhook_url_nothing_is_written(tmp_path: Path) -> None:
    svc = settings_only(tmp_path)
    svc.record(answer("none"), "ans_x", "api", lang="zh")
    assert svc.handoff is None and not (tmp_path / OUTBOX_DIR).exists()


# --- delivery, end to end -----------------------------------------------------------------


def _ask_everywhere(svc: QAService, client: TestClient) -> list[str]:
    """Escalated answers through each front door, and one answered question; their ids."""
    from unionqa.ui.chat import _respond

    ids = []
    r = client.post("/v1/ask", json={"question": OFF_TOPIC[0]})
    assert r.status_code == 200 and r.json()["escalation"]["hotline"].startswith("12351")
    ids.append(r.json()["id"])
    r = client.post("/v1/ask", json={"question": ANSWERABLE})
    assert r.status_code == 200 and r.json()["escalation"] is None  # not handed off
    r = client.post("/v1/ask/stream", json={"question": OFF_TOPIC[1]})
    final = [line for line in r.text.splitlines() if line.startswith('data: {"answer"')]
    ids.append(json.loads(final[0][6:])["id"])
    r = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": OFF_TOPIC_EN}]}
    )
    assert r.status_code == 200 and r.json()["escalation"] is not None
    ids.append(r.json()["id"])
    *_, (_, turns, _) = _respond(svc, OFF_TOPIC[2], [], [], "zh")
    ids.append(turns[-1]["answer_id"])
    return ids


def test_every_escalation_reaches_a_receiver_down_for_three_attempts_exactly_once(
    corpus_service: QAService, tmp_path: Path
) -> None:
    with Receiver(fail_first=3) as hook:
        svc = service_copy(corpus_service, tmp_path / "data", **hook_settings(hook.url))
        with TestClient(create_app(svc, mount_ui=False)) as client:
            ids = _ask_everywhere(svc, client)
            wait_for(lambda: len(hook.delivered) == len(ids), what="all handoffs delivered")
            wait_for(lambda: not outbox_files(svc), what="outbox emptied")
    assert set(hook.delivered) == set(ids) and len(ids) == 4
    assert hook.attempts == 3 + 4 and hook.accepted == 4  # 3 refused, then each one once
    assert hook.bad_signatures == 0
    channels = sorted(b["channel"] for b in hook.delivered.values())
    assert channels == ["api", "api", "openai", "ui"]
    for body in hook.delivered.values():
        assert body["hotline"].startswith("12351") and body["coverage"] in ("partial", "none")
        assert "question" not in body
    print(json.dumps({"handoffs": 4, "attempts": hook.attempts, "delivered_once": 4}))


def test_a_refused_connection_loses_nothing_and_delivers_once_the_receiver_is_up(
    tmp_path: Path,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    svc = settings_only(tmp_path, **hook_settings(url))
    for n in range(3):
        svc.record(answer("none"), f"ans_{n}", "api", lang="zh")
    delivery = svc.handoff.delivery  # type: ignore[union-attr]
    wait_for(lambda: delivery.failures >= 3, what="three refused attempts")
    assert len(outbox_files(svc)) == 3  # nothing dropped while the endpoint is down
    with Receiver(port=port) as hook:
        wait_for(lambda: not outbox_files(svc), what="outbox emptied")
    svc.stop_delivery()
    assert set(hook.delivered) == {"ans_0", "ans_1", "ans_2"} and hook.accepted == 3


def test_a_restarted_service_sends_what_the_outbox_still_holds(
    corpus_service: QAService, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    first = settings_only(tmp_path, **hook_settings(url))
    for n in range(5):
        first.record(answer("partial", ("wage_arrears", "拖欠工资")), f"ans_{n}", "ui", lang="zh")
    first.stop_delivery()  # the process "dies" with 5 handoffs undelivered
    assert len(outbox_files(first)) == 5
    with Receiver(port=port) as hook:
        again = QAService(first.settings, embeddings=corpus_service.embeddings)
        # the API's startup starts the sender (no new answer needed)
        with TestClient(create_app(again, mount_ui=False)):
            wait_for(lambda: len(hook.delivered) == 5, what="the old outbox delivered")
            wait_for(lambda: not outbox_files(again), what="outbox emptied")
    assert sorted(hook.delivered) == [f"ans_{n}" for n in range(5)] and hook.accepted == 5
    assert all(b["situation"] == "wage_arrears" for b in hook.delivered.values())


def test_the_question_goes_along_only_when_configured_and_then_redacted(tmp_path: Path) -> None:
    with Receiver() as hook:
        svc = settings_only(tmp_path, **hook_settings(hook.url, include_question=True))
        svc.record(answer("none"), "ans_q", "api", lang="zh", question="电话13812345678，怎么办")
        wait_for(lambda: "ans_q" in hook.delivered, what="delivered")
        svc.stop_delivery()
    assert hook.delivered["ans_q"]["question"] == "电话[电话]，怎么办"
