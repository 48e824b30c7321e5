"""The HTTP API through FastAPI's TestClient, over a real QAService on corpus/ (e5 + Chroma)."""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import types
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from fixtures import CORPUS, make_settings
from test_api_helpers import api_settings, client_for, sse_json
from test_ops_helpers import service_copy

from unionqa.api.app import create_app
from unionqa.api.schemas import validation_message
from unionqa.errors import UsageError
from unionqa.feedback import FEEDBACK_FILE, FeedbackStore
from unionqa.index.lock import writer_lock
from unionqa.service import QAService

SUBSIDY = "公司招应届生能领什么补助？"
OFF_TOPIC = "我的工资被拖欠了三个月，应该去哪里投诉？"


@pytest.fixture
def client(corpus_service, tmp_path):
    return client_for(corpus_service, tmp_path)


def _service_like(base: QAService, data_dir: Path, **settings) -> QAService:
    """A service over another data dir that reuses the loaded model."""
    return QAService(make_settings(data_dir, **settings), embeddings=base.embeddings)


# --- questions ----------------------------------------------------------------------------


def test_ask_returns_cited_answer_with_an_id_for_feedback(client):
    r = client.post("/v1/ask", json={"question": SUBSIDY})
    assert r.status_code == 200
    body = r.json()
    assert body["id"].startswith("ans_")
    assert not body["refused"] and body["citations"]
    assert "1500元" in body["answer"]
    for c in body["citations"]:
        assert f"[{c['n']}]" in body["answer"]
    assert set(body) >= {"answer", "refused", "citations", "notices", "escalation", "timings_ms"}
    assert r.headers["x-request-id"]


def test_ask_without_evidence_refuses_and_names_hotline(client):
    body = client.post("/v1/ask", json={"question": OFF_TOPIC}).json()
    assert body["refused"] is True and body["citations"] == []
    assert "12351" in body["escalation"]["hotline"]
    assert "12351" in body["answer"]


def test_ask_judges_validity_on_the_as_of_date(client):
    before = client.post("/v1/ask", json={"question": SUBSIDY, "as_of": "2025-06-30"}).json()
    after = client.post("/v1/ask", json={"question": SUBSIDY, "as_of": "2026-03-01"}).json()
    assert not any("已过期" in n for n in before["notices"])
    assert any("已过期" in n for n in after["notices"])


def test_ask_uses_history_for_a_follow_up(client):
    r = client.post(
        "/v1/ask",
        json={
            "question": "这个补助的钱从哪里出？",
            "history": ["企业招高校毕业生有什么扩岗补助？"],
        },
    )
    assert r.status_code == 200
    assert "失业保险基金" in r.json()["answer"]


def test_citation_quotes_match_the_document_full_text(client):
    answer = client.post("/v1/ask", json={"question": SUBSIDY}).json()
    c = answer["citations"][0]
    doc = client.get(f"/v1/documents/{c['doc_id']}")
    assert doc.status_code == 200
    assert doc.json()["text"][c["start"] : c["end"]] == c["quote"]


def test_search_returns_hits_and_applies_filters(client):
    r = client.post(
        "/v1/search",
        json={"question": "扩岗补助", "k": 3, "filters": {"kind": "policy", "region": "national"}},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "扩岗补助"
    assert 1 <= len(body["hits"]) <= 3
    assert {h["source"] for h in body["hits"]} == {"graduate-hiring-subsidy.md"}


def test_search_filters_by_source(client):
    r = client.post(
        "/v1/search", json={"question": "补助", "filters": {"source": "graduate-hiring-subsidy.md"}}
    )
    assert r.status_code == 200
    assert {h["source"] for h in r.json()["hits"]} == {"graduate-hiring-subsidy.md"}


def test_search_rejects_unknown_filter_with_422_naming_the_field(client):
    r = client.post("/v1/search", json={"question": "补助", "filters": {"regoin": "national"}})
    assert r.status_code == 422
    assert r.json() == {
        "error": "invalid_request",
        "message": "请求格式不正确：filters.regoin 不认识这个字段。请对照 /docs 中的示例修改。",
    }


def test_search_with_an_empty_filter_value_is_a_400_usage_error(client):
    r = client.post("/v1/search", json={"question": "补助", "filters": {"kind": ""}})
    assert r.status_code == 400
    assert r.json()["error"] == "bad_request"
    assert "无效的过滤条件" in r.json()["message"]


def test_ask_stream_sends_deltas_then_the_answer_then_done(client):
    with client.stream("POST", "/v1/ask/stream", json={"question": SUBSIDY}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["cache-control"] == "no-cache"
        events = sse_json(r.read().decode())
    names = [e for e, _ in events]
    assert names[0] == "delta" and names[-2:] == ["answer", "done"]
    assert set(names[:-2]) == {"delta"}
    answer = events[-2][1]
    assert "".join(d["text"] for e, d in events if e == "delta") == answer["answer"]
    assert answer["citations"] and answer["id"].startswith("ans_")


# --- input errors -------------------------------------------------------------------------


def test_question_too_long_is_422_with_a_chinese_message(client):
    r = client.post("/v1/ask", json={"question": "问" * 1001})
    assert r.status_code == 422
    assert r.json() == {
        "error": "question_too_long",
        "message": "问题太长：最多 1000 个字，请精简后再问（可以分几次问）。",
    }


def test_blank_question_is_422(client):
    r = client.post("/v1/ask", json={"question": "   "})
    assert r.status_code == 422
    assert r.json()["error"] == "empty_question"


def test_validation_errors_never_echo_the_input(client):
    secret = "我叫张三，身份证号110101199003074514"
    for payload in (
        {"question": 42, "history": secret},
        {"question": SUBSIDY, "as_of": secret},
        {"question": SUBSIDY, "history": [secret, 7]},
    ):
        r = client.post("/v1/ask", json=payload)
        assert r.status_code == 422
        assert set(r.json()) == {"error", "message"}
        assert "张三" not in r.text and "110101" not in r.text and "42" not in r.text


def test_invalid_json_is_422_without_a_stack_trace(client):
    r = client.post(
        "/v1/ask",
        content=b'{"question": "\xe9\x97\xae',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json()["message"].startswith("请求格式不正确：请求体 不是有效的 JSON")
    assert "Traceback" not in r.text


def test_body_that_is_not_utf8_is_400(client):
    r = client.post(
        "/v1/ask", content=b'{"question": "\xff"}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json() == {
        "error": "invalid_request",
        "message": "请求体无法解析：请发送 UTF-8 编码的 JSON（上传文件请用 multipart/form-data）。",
    }


def test_validation_message_names_fields_and_limits_only():
    msg = validation_message(
        [
            {"type": "missing", "loc": ("body", "question"), "input": "秘密"},
            {
                "type": "literal_error",
                "loc": ("body", "rating"),
                "ctx": {"expected": "'up' or 'down'"},
            },
        ]
    )
    assert msg == (
        "请求格式不正确：question 缺少该字段；rating 只能是 'up' or 'down'。请对照 /docs 中的示例修改。"
    )


def test_body_over_the_limit_is_413(client):
    r = client.post(
        "/v1/ask", content=b" " * (64 * 1024 + 1), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["error"] == "request_too_large"
    assert "64 KB" in r.json()["message"]


def test_chunked_body_over_the_limit_is_413(client):
    def chunks():
        yield b'{"question": "'
        for _ in range(80):
            yield "问".encode() * 1000

    r = client.post("/v1/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"] == "request_too_large"


def test_unknown_route_and_method_are_json(client):
    r = client.get("/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = client.get("/v1/ask")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


# --- service errors mapped to status codes ----------------------------------------------------


def test_empty_index_is_503_index_not_ready(corpus_service, tmp_path):
    svc = _service_like(corpus_service, tmp_path / "empty")
    c = client_for(svc, tmp_path)
    r = c.post("/v1/ask", json={"question": SUBSIDY})
    assert r.status_code == 503
    assert r.json() == {
        "error": "index_not_ready",
        "message": "索引尚未建立，请先运行 `unionqa ingest`。",
    }
    assert c.get("/readyz").status_code == 503


def test_index_built_with_another_model_is_503_telling_the_admin_to_rebuild(
    corpus_service, tmp_path
):
    svc = QAService(corpus_service.settings.model_copy(update={"embedding": "hashing"}))
    r = client_for(svc, tmp_path).post("/v1/search", json={"question": "补助"})
    assert r.status_code == 503
    body = r.json()
    assert body["error"] == "index_mismatch"
    assert body["message"].startswith("服务的索引需要管理员重建。")
    assert "unionqa ingest --rebuild" in body["message"]


def test_unreachable_chroma_server_is_503_backend_unavailable(corpus_service, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    svc = _service_like(corpus_service, tmp_path, chroma_url=f"http://127.0.0.1:{port}")
    r = client_for(svc, tmp_path).post("/v1/ask", json={"question": SUBSIDY})
    assert r.status_code == 503
    assert r.json()["error"] == "backend_unavailable"
    assert "Chroma" in r.json()["message"]
    assert r.headers["retry-after"] == "5"


def test_upload_while_another_writer_holds_the_lock_is_409(corpus_service, tmp_path):
    svc = _service_like(corpus_service, tmp_path / "idx")
    c = client_for(svc, tmp_path, admin_keys="admin-secret")
    with writer_lock(svc.index.data_dir):  # another writer: the lock is not reentrant
        r = c.post(
            "/v1/documents",
            files={"file": ("通知.md", "# 通知\n\n高温津贴每月三百元。".encode(), "text/markdown")},
            headers={"Authorization": "Bearer admin-secret"},
        )
    assert r.status_code == 409
    assert r.json()["error"] == "index_locked"
    assert "正在写入索引" in r.json()["message"]


# --- documents --------------------------------------------------------------------------------


def test_documents_list_hides_server_paths(client):
    r = client.get("/v1/documents")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == len(list(CORPUS.glob("*.md"))) == len(body["documents"])
    assert "graduate-hiring-subsidy.md" in {d["source"] for d in body["documents"]}
    assert str(CORPUS) not in r.text


def test_unknown_document_is_404(client):
    r = client.get("/v1/documents/no-such-doc-00000000")
    assert r.status_code == 404
    assert r.json()["error"] == "document_not_found"
    assert client.get("/v1/documents/bad%20id").status_code == 422


def test_admin_uploads_a_document_which_is_then_found_and_can_be_deleted(corpus_service, tmp_path):
    svc = _service_like(corpus_service, tmp_path / "idx")
    c = client_for(svc, tmp_path, admin_keys="admin-secret")
    admin = {"Authorization": "Bearer admin-secret"}
    text = "# 关于发放高温津贴的通知\n\n从事室外露天作业的职工，高温津贴标准为每人每月三百元。\n"
    r = c.post(
        "/v1/documents",
        files={"file": ("高温津贴.md", text.encode(), "text/markdown")},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    info = r.json()
    assert info["source"] == "uploads/高温津贴.md" and info["chunks"] >= 1
    hits = c.post("/v1/search", json={"question": "高温津贴标准"}).json()["hits"]
    assert hits[0]["doc_id"] == info["doc_id"]
    r = c.delete(f"/v1/documents/{info['doc_id']}", headers=admin)
    assert r.status_code == 200 and r.json() == {"doc_id": info["doc_id"], "deleted": True}
    assert c.delete(f"/v1/documents/{info['doc_id']}", headers=admin).status_code == 404


def test_upload_of_an_unsupported_file_type_is_400(corpus_service, tmp_path):
    svc = _service_like(corpus_service, tmp_path / "idx")
    c = client_for(svc, tmp_path, admin_keys="admin-secret")
    r = c.post(
        "/v1/documents",
        files={"file": ("幻灯片.pptx", b"PK\x03\x04", "application/octet-stream")},
        headers={"Authorization": "Bearer admin-secret"},
    )
    assert r.status_code == 400
    assert "不支持的文件类型" in r.json()["message"]


def test_upload_over_the_upload_limit_is_413(corpus_service, tmp_path):
    c = client_for(corpus_service, tmp_path, admin_keys="admin-secret", max_upload_bytes=1000)
    r = c.post(
        "/v1/documents",
        files={"file": ("大.txt", b"x" * 5000, "text/plain")},
        headers={"Authorization": "Bearer admin-secret"},
    )
    assert r.status_code == 413


# --- feedback ---------------------------------------------------------------------------------


def test_feedback_is_stored_redacted_and_without_the_question(corpus_service, tmp_path):
    svc = service_copy(corpus_service, tmp_path / "data")  # the store is in the service's dir
    c = client_for(svc, tmp_path, api_keys="k1")
    auth = {"Authorization": "Bearer k1"}
    answer = c.post("/v1/ask", json={"question": SUBSIDY}, headers=auth).json()
    r = c.post(
        "/v1/feedback",
        json={"answer_id": answer["id"], "rating": "down", "comment": "不对，请回电13812345678"},
        headers=auth,
    )
    assert r.status_code == 201 and r.json()["id"].startswith("fb_")
    with sqlite3.connect(svc.settings.data_dir / FEEDBACK_FILE) as db:
        rows = db.execute("SELECT * FROM feedback").fetchall()
        columns = [d[0] for d in db.execute("SELECT * FROM feedback").description]
    assert columns == ["id", "answer_id", "rating", "comment", "created_at", "key_id"]
    (row,) = rows
    assert row[1] == answer["id"] and row[2] == "down"
    assert row[3] == "不对，请回电[电话]"
    assert row[5].startswith("k_") and "k1" not in row[5]
    dump = (svc.settings.data_dir / FEEDBACK_FILE).read_bytes()
    assert SUBSIDY.encode() not in dump and b"13812345678" not in dump


def test_feedback_rejects_bad_rating_and_long_comment_with_422(client):
    r = client.post("/v1/feedback", json={"answer_id": "ans_1", "rating": "meh"})
    assert r.status_code == 422
    assert "rating 只能是 'up' or 'down'" in r.json()["message"]
    r = client.post(
        "/v1/feedback", json={"answer_id": "ans_1", "rating": "up", "comment": "长" * 1001}
    )
    assert r.status_code == 422
    assert "comment 最多 1000 个" in r.json()["message"]


def test_feedback_store_purges_rows_past_retention(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3", retention_days=30)
    day = 86400.0
    store.add("ans_old", "up", now=1_000 * day)
    store.add("ans_new", "down", comment="身份证110101199003074514", now=1_025 * day)
    assert [r.answer_id for r in store.all()] == ["ans_old", "ans_new"]
    assert store.purge(now=1_031 * day) == 1
    (kept,) = store.all()
    assert kept.answer_id == "ans_new" and kept.comment == "身份证[身份证号]"
    # a store opened later purges on startup
    FeedbackStore(tmp_path / "fb.sqlite3", retention_days=1)
    assert FeedbackStore(tmp_path / "fb.sqlite3", retention_days=10_000).all() == []


# --- health -----------------------------------------------------------------------------------


def test_healthz_names_the_worker_pid(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok", "pid": os.getpid()}


def test_readyz_reports_counts_when_the_index_is_loaded(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready" and body["documents"] == 5 and body["chunks"] > 0
    assert body["embedding"] == "e5-small"


def test_readyz_is_503_for_an_empty_index(corpus_service, tmp_path):
    svc = _service_like(corpus_service, tmp_path / "idx")
    svc.index._collections(create=True)  # opened, but nothing in it
    r = client_for(svc, tmp_path).get("/readyz")
    assert r.status_code == 503
    assert r.json()["error"] == "index_empty"


# --- the UI hook ------------------------------------------------------------------------------


def test_app_mounts_the_ui_when_unionqa_ui_provides_mount(corpus_service, tmp_path, monkeypatch):
    calls = []
    fake = types.ModuleType("unionqa.ui.app")
    fake.mount = lambda app, service: calls.append((app, service))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "unionqa.ui.app", fake)
    settings = api_settings(corpus_service, tmp_path)
    app = create_app(corpus_service, settings=settings)
    assert calls == [(app, corpus_service)]
    create_app(corpus_service, settings=settings, mount_ui=False)
    assert len(calls) == 1


def test_app_without_gradio_fails_loudly_unless_the_ui_is_off(
    corpus_service, tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "unionqa.ui.app", None)  # import fails as if absent
    with pytest.raises(UsageError, match="UNIONQA_API__MOUNT_UI=false"):
        create_app(corpus_service, settings=api_settings(corpus_service, tmp_path))
    settings = api_settings(corpus_service, tmp_path, mount_ui=False)
    app = create_app(corpus_service, settings=settings)
    assert "/v1/ask" in app.openapi()["paths"]


def test_openapi_has_chinese_examples_and_declared_errors(client):
    spec = client.get("/openapi.json").json()
    ask = spec["components"]["schemas"]["AskRequest"]
    assert ask["examples"][0]["question"] == "公司招应届生能领什么补助？"
    responses = spec["paths"]["/v1/ask"]["post"]["responses"]
    assert {"200", "401", "413", "422", "429", "503", "504"} <= set(responses)
    assert responses["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")


def test_the_real_ui_mounts_at_root_without_shadowing_the_api(corpus_service, tmp_path):
    pytest.importorskip("unionqa.ui.app")
    app = create_app(corpus_service, settings=api_settings(corpus_service, tmp_path))
    c = TestClient(app, raise_server_exceptions=False)
    assert c.get("/v1/documents").json()["count"] == 5
    assert c.get("/healthz").json()["status"] == "ok"
    page = c.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
