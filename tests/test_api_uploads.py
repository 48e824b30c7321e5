"""Uploads that fit the deadline (issue 18 item 7): a file too big to embed inside the request's
deadline is refused up front with 413; a retry of the same content is a 200 with the document
already stored, not a second write; and an upload whose deadline passed is never committed
later. Real e5 and Chroma through the app (a blocking embedder only where the deadline is the
point)."""

from __future__ import annotations

import threading
from pathlib import Path

from test_api import _service_like
from test_api_helpers import client_for

from unionqa.service import QAService

ADMIN = {"Authorization": "Bearer admin-secret"}
LONG = "# 补贴办法\n\n" + "\n\n".join(
    f"第{i}项：企业招用登记失业人员的，按每人每月{i}00元给予社会保险补贴，期限不超过三年。" * 3
    for i in range(1, 13)
)
SHORT = "# 高温津贴\n\n从事室外露天作业的职工，高温津贴标准为每人每月三百元。\n"


def upload(client, name: str, text: str):
    return client.post(
        "/v1/documents", files={"file": (name, text.encode(), "text/markdown")}, headers=ADMIN
    )


def test_upload_with_more_chunks_than_the_limit_is_413_naming_it_and_stores_nothing(
    corpus_service, tmp_path
):
    svc = _service_like(corpus_service, tmp_path / "idx")
    c = client_for(svc, tmp_path, admin_keys="admin-secret", max_upload_chunks=3)
    r = upload(c, "办法.md", LONG)
    assert r.status_code == 413, r.text
    body = r.json()
    assert body["error"] == "upload_too_large"
    assert "最多 3 段" in body["message"] and "unionqa ingest" in body["message"]
    assert upload(c, "津贴.md", SHORT).status_code == 201  # small files still go in
    sources = [d["source"] for d in c.get("/v1/documents").json()["documents"]]
    assert sources == ["uploads/津贴.md"]


def test_retrying_an_upload_with_the_same_content_returns_200_and_writes_nothing(
    corpus_service, tmp_path
):
    svc = _service_like(corpus_service, tmp_path / "idx")
    c = client_for(svc, tmp_path, admin_keys="admin-secret")
    first = upload(c, "津贴.md", SHORT)
    assert first.status_code == 201
    generation = svc.index.generation()
    again = upload(c, "津贴.md", SHORT)
    assert again.status_code == 200, again.text
    assert again.json()["doc_id"] == first.json()["doc_id"]
    assert svc.index.generation() == generation  # no write happened
    assert c.get("/v1/documents").json()["count"] == 1


class _Blocking:
    """The real model, held before it embeds until the test lets it go."""

    def __init__(self, real) -> None:
        self.real = real
        self.release = threading.Event()
        self.finished = threading.Event()

    def embed_documents(self, texts):
        self.release.wait(120)
        try:
            return self.real.embed_documents(texts)
        finally:
            self.finished.set()

    def embed_query(self, text):
        return self.real.embed_query(text)


def test_an_upload_answered_504_is_never_committed_later(corpus_service, tmp_path: Path):
    blocking = _Blocking(corpus_service.embeddings)
    settings = corpus_service.settings.model_copy(update={"data_dir": tmp_path / "idx"})
    svc = QAService(settings, embeddings=blocking)
    c = client_for(svc, tmp_path, admin_keys="admin-secret", deadline_s=0.5)
    r = upload(c, "津贴.md", SHORT)
    assert r.status_code == 504
    assert "没有保存" in r.json()["message"]
    blocking.release.set()  # the model finishes after the client was told it failed
    runner = c.app.state.api.runner
    for _ in range(2400):  # until the upload's pool thread is done (bounded: 120 s)
        if runner.in_flight == 0:
            break
        threading.Event().wait(0.05)
    assert blocking.finished.is_set() and runner.in_flight == 0
    assert not svc.index.exists() or svc.documents() == []
