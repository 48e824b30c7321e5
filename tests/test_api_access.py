"""Keys, admin keys, quota, CORS, deadline, saturation and the access log of the HTTP API."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from test_api_helpers import SlowService, client_for, sse_json

from unionqa.api.access import ApiError, KeyRing, Quota, key_id

QUESTION = "公司招应届生能领什么补助？"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# --- API keys ---------------------------------------------------------------------------------


def test_api_rejects_missing_key_with_401(corpus_service, tmp_path):
    c = client_for(corpus_service, tmp_path, api_keys="alpha,beta")
    for headers in ({}, bearer("wrong"), {"Authorization": "Basic alpha"}):
        r = c.post("/v1/ask", json={"question": QUESTION}, headers=headers)
        assert r.status_code == 401
        assert r.json() == {
            "error": "unauthorized",
            "message": "缺少或无效的 API 密钥：请在请求头加上 Authorization: Bearer <密钥>。",
        }
        assert r.headers["www-authenticate"] == "Bearer"
    assert c.get("/v1/documents").status_code == 401
    assert c.post("/v1/chat/completions", json={"messages": []}).status_code == 401


def test_api_accepts_any_configured_key_and_health_needs_none(corpus_service, tmp_path):
    c = client_for(corpus_service, tmp_path, api_keys="alpha, beta")
    assert c.post("/v1/ask", json={"question": QUESTION}, headers=bearer("beta")).status_code == 200
    assert c.get("/v1/documents", headers=bearer("alpha")).status_code == 200
    assert c.get("/healthz").status_code == 200
    assert c.get("/readyz").status_code == 200


def test_open_api_ignores_bearer_tokens(corpus_service, tmp_path):
    c = client_for(corpus_service, tmp_path)
    r = c.post("/v1/ask", json={"question": QUESTION}, headers=bearer("sk-anything"))
    assert r.status_code == 200


def test_document_changes_need_an_admin_key(corpus_service, tmp_path):
    c = client_for(corpus_service, tmp_path, api_keys="reader", admin_keys="boss")
    url = "/v1/documents/no-such-doc-00000000"
    r = c.delete(url, headers=bearer("reader"))
    assert r.status_code == 403
    assert r.json() == {"error": "forbidden", "message": "这个密钥不能修改文档，请使用管理员密钥。"}
    assert c.delete(url).status_code == 401
    assert c.delete(url, headers=bearer("boss")).status_code == 404  # allowed; nothing to delete
    # an admin key is also an API key
    assert c.get("/v1/documents", headers=bearer("boss")).status_code == 200


def test_open_api_with_admin_keys_still_guards_document_changes(corpus_service, tmp_path):
    c = client_for(corpus_service, tmp_path, admin_keys="boss")
    assert c.get("/v1/documents").status_code == 200
    r = c.delete("/v1/documents/no-such-doc-00000000")
    assert r.status_code == 401
    assert "管理员密钥" in r.json()["message"]


def test_document_changes_are_refused_when_no_admin_key_is_configured(corpus_service, tmp_path):
    for keys in (None, "reader"):
        c = client_for(corpus_service, tmp_path, api_keys=keys)
        r = c.post(
            "/v1/documents",
            files={"file": ("a.md", b"# a\n\ntext", "text/markdown")},
            headers=bearer("reader"),
        )
        assert r.status_code == 403
        assert r.json()["error"] == "documents_read_only"
        assert "UNIONQA_ADMIN_KEYS" in r.json()["message"]


def test_keyring_compares_every_key_and_names_keys_by_hash():
    ring = KeyRing(["alpha"], ["boss"])
    assert ring.identify("Bearer alpha").key_id == key_id("alpha") != "alpha"
    assert ring.identify("bearer boss").admin
    assert ring.identify("Bearer alph").key_id is None
    assert ring.identify(None).key_id is None


# --- quota ------------------------------------------------------------------------------------


def test_quota_answers_429_with_retry_after_per_key(corpus_service, tmp_path):
    c = client_for(corpus_service, tmp_path, api_keys="alpha,beta", quota_per_minute=3)
    for _ in range(3):
        assert c.get("/v1/documents", headers=bearer("alpha")).status_code == 200
    r = c.get("/v1/documents", headers=bearer("alpha"))
    assert r.status_code == 429
    assert r.json()["error"] == "rate_limited"
    assert r.json()["message"].startswith("请求太频繁：每分钟最多 3 次")
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert c.get("/v1/documents", headers=bearer("beta")).status_code == 200
    assert c.get("/healthz").status_code == 200  # health is not counted


def test_quota_window_slides():
    q = Quota(2)
    q.check("k", now=0.0)
    q.check("k", now=10.0)
    with pytest.raises(ApiError) as e:
        q.check("k", now=30.0)
    assert e.value.status == 429 and e.value.headers["Retry-After"] == "30"
    q.check("k", now=60.5)  # the first request has left the window
    Quota(0).check("k")  # 0 = no quota


# --- CORS -------------------------------------------------------------------------------------


def test_cors_allows_only_listed_origins(corpus_service, tmp_path):
    c = client_for(corpus_service, tmp_path, cors_origins=["https://hotline.example.org"])
    pre = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    ok = c.options("/v1/ask", headers={"Origin": "https://hotline.example.org", **pre})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://hotline.example.org"
    bad = c.options("/v1/ask", headers={"Origin": "https://evil.example.com", **pre})
    assert "access-control-allow-origin" not in bad.headers
    r = c.get("/v1/documents", headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in r.headers


# --- deadline and saturation ------------------------------------------------------------------


@pytest.fixture
def slow(corpus_service):
    svc = SlowService(corpus_service, delay=10)
    svc.warm_up()  # as the API's start-up does: the first question's loads are not the deadline's
    yield svc
    svc.release.set()


def test_deadline_answers_504_with_a_json_error(slow, tmp_path):
    c = client_for(slow, tmp_path, deadline_s=0.3)
    t0 = time.monotonic()
    r = c.post("/v1/ask", json={"question": QUESTION})
    assert time.monotonic() - t0 < 5
    assert r.status_code == 504
    assert r.json() == {
        "error": "deadline_exceeded",
        "message": "处理超时（超过 0.3 秒），请稍后再试；问题说得更具体些也会更快。",
    }


def test_deadline_mid_stream_becomes_an_error_event(slow, tmp_path):
    c = client_for(slow, tmp_path, deadline_s=1.0)
    with c.stream("POST", "/v1/ask/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200
        events = sse_json(r.read().decode())
    assert events[0][0] == "delta"
    assert events[-1] == (
        "error",
        {
            "error": "deadline_exceeded",
            "message": "处理超时（超过 1 秒），请稍后再试；问题说得更具体些也会更快。",
        },
    )


def test_saturated_server_answers_503_quickly(slow, tmp_path):
    c = client_for(slow, tmp_path, max_concurrency=1)
    first: dict[str, int] = {}
    t = threading.Thread(
        target=lambda: first.update(
            status=c.post("/v1/ask", json={"question": QUESTION}).status_code
        )
    )
    t.start()
    assert slow.entered.wait(10)
    t0 = time.monotonic()
    r = c.post("/v1/search", json={"question": "补助"})
    assert time.monotonic() - t0 < 2
    assert r.status_code == 503
    assert r.json()["error"] == "busy" and r.headers["retry-after"] == "1"
    slow.release.set()
    t.join(10)
    assert first["status"] == 200
    assert c.post("/v1/search", json={"question": "补助"}).status_code == 200


def test_saturated_server_sheds_before_reading_the_body_and_still_answers_probes(slow, tmp_path):
    """The edge turns pooled routes away before the body is read or validated (a malformed body
    gets the same 503), while routes off the pool keep answering."""
    c = client_for(slow, tmp_path, max_concurrency=1)
    t = threading.Thread(target=lambda: c.post("/v1/ask", json={"question": QUESTION}))
    t.start()
    assert slow.entered.wait(10)
    try:
        for path in ("/v1/ask", "/v1/search", "/v1/ask/stream", "/v1/chat/completions"):
            r = c.post(path, content=b"{not json", headers={"content-type": "application/json"})
            assert (r.status_code, r.json()["error"]) == (503, "busy"), path
            assert r.headers["retry-after"] == "1" and r.headers["x-request-id"]
        assert c.get("/healthz").status_code == 200
    finally:
        slow.release.set()
        t.join(10)
    bad = c.post("/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 422  # not busy any more: the body is read and refused on its own


# --- access log -------------------------------------------------------------------------------


def test_access_log_names_route_status_and_key_id_never_question_or_key(
    corpus_service, tmp_path, caplog
):
    c = client_for(corpus_service, tmp_path, api_keys="sk-secret-key")
    caplog.set_level(logging.INFO)
    r = c.post(
        "/v1/ask",
        json={"question": "我叫李四，手机13812345678，公司招应届生能领什么补助？"},
        headers={**bearer("sk-secret-key"), "X-Request-ID": "req-42"},
    )
    assert r.status_code == 200 and r.headers["x-request-id"] == "req-42"
    c.get("/v1/documents/no-such-doc-00000000", headers=bearer("sk-secret-key"))
    access = [r.getMessage() for r in caplog.records if r.name == "unionqa.access"]
    assert any(
        m.startswith("POST /v1/ask 200 ")
        and f"key={key_id('sk-secret-key')}" in m
        and "rid=req-42" in m
        for m in access
    )
    assert any(m.startswith("GET /v1/documents/{doc_id} 404 ") for m in access)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "李四" not in everything and "13812345678" not in everything
    assert "应届生" not in everything and "sk-secret-key" not in everything
