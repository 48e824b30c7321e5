"""Issue 18's security items, rerun as the outside probe ran them: against the API (and the chat
page mounted beside it) on a real uvicorn on 127.0.0.1, with raw sockets for malformed traffic and
every loop bounded in count and time. Counts are in docs/reliability.md."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

import httpx
import pytest
from test_api_helpers import LiveServer, api_settings, client_for

from unionqa.api.app import create_app

SURROGATE = b"\\ud800"  # a lone UTF-16 surrogate, as JSON spells it


@pytest.fixture(scope="module")
def client(corpus_service, tmp_path_factory):
    return client_for(corpus_service, tmp_path_factory.mktemp("security"), quota_per_minute=0)


SURROGATE_CASES = [
    ("ask-history", "/v1/ask", b'{"question": "overtime", "history": ["' + SURROGATE + b'"]}'),
    (
        "stream-history",
        "/v1/ask/stream",
        b'{"question": "overtime", "history": ["a' + SURROGATE + b'"]}',
    ),
    (
        "chat-content",
        "/v1/chat/completions",
        b'{"messages": [{"role": "user", "content": "' + SURROGATE + b'"}]}',
    ),
    (
        "chat-earlier-turn",
        "/v1/chat/completions",
        b'{"messages": [{"role": "user", "content": "' + SURROGATE + b'"},'
        b' {"role": "user", "content": "overtime"}]}',
    ),
    (
        "chat-content-part",
        "/v1/chat/completions",
        b'{"messages": [{"role": "user", "content": [{"type": "text", "text": "'
        + SURROGATE
        + b'"}]}]}',
    ),
    (
        "chat-stream",
        "/v1/chat/completions",
        b'{"stream": true, "messages": [{"role": "user", "content": "x' + SURROGATE + b'"}]}',
    ),
]


@pytest.mark.parametrize(("route", "body"), [c[1:] for c in SURROGATE_CASES], ids=[c[0] for c in SURROGATE_CASES])
def test_a_lone_surrogate_in_any_text_field_is_a_clean_422(client, route: str, body: bytes) -> None:
    r = client.post(route, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text[:300]
    out = r.json()
    assert out["error"] == "invalid_request" and "字符" in out["message"]


# --- item 8: a body over the limit reaches every client as 413 and its JSON ----------------------

MB = 1024 * 1024
LIMIT = 64 * 1024  # the default UNIONQA_API__MAX_BODY_BYTES


@pytest.fixture(scope="module")
def live(corpus_service, tmp_path_factory):
    """A real uvicorn with the API alone, as ``unionqa serve`` runs it."""
    settings = api_settings(corpus_service, tmp_path_factory.mktemp("sec-live"), quota_per_minute=0)
    with LiveServer(create_app(corpus_service, settings=settings, mount_ui=False)) as server:
        yield server


def _pieces(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    yield b"{"
    sent = 1
    while sent < total - 1:
        piece = b" " * min(size, total - 1 - sent)
        sent += len(piece)
        yield piece
    yield b"}"


def _urllib(url: str, total: int, chunked: bool) -> tuple[int, dict[str, str]]:
    data: bytes | Iterator[bytes] = _pieces(total) if chunked else b"".join(_pieces(total))
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _httpx(url: str, total: int, chunked: bool) -> tuple[int, dict[str, str]]:
    content: bytes | Iterator[bytes] = _pieces(total) if chunked else b"".join(_pieces(total))
    r = httpx.post(url, content=content, headers={"Content-Type": "application/json"}, timeout=60)
    return r.status_code, r.json()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("over", [1 * MB, 8 * MB], ids=["1MB-over", "8MB-over"])
@pytest.mark.parametrize("post", [_urllib, _httpx], ids=["urllib", "httpx"])
def test_a_body_over_the_limit_reaches_every_client_as_413_with_its_json(
    live, post, over: int, chunked: bool
) -> None:
    status, body = post(f"{live.url}/v1/ask", LIMIT + over, chunked)
    assert status == 413
    assert body["error"] == "request_too_large" and "64 KB" in body["message"]


def test_a_gigabyte_declared_body_is_answered_without_being_read(live) -> None:
    head = (
        b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1073741824\r\n\r\n{"
    )
    with socket.create_connection(("127.0.0.1", live.port), timeout=20) as s:
        s.sendall(head + b" " * 65536)  # 64 KB of the promised gigabyte, then nothing more
        out = b""
        while len(out) < 100_000 and (chunk := s.recv(65536)):  # until the server closes
            out += chunk
    assert out.startswith(b"HTTP/1.1 413"), out[:200]
    assert b"request_too_large" in out
