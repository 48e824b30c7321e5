"""Issue 18's security items, rerun as the outside probe ran them: against the API (and the chat
page mounted beside it) on a real uvicorn on 127.0.0.1, with raw sockets for malformed traffic and
every loop bounded in count and time. Counts are in docs/reliability.md."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fixtures import ROOT
from test_api_helpers import (
    LiveServer,
    api_settings,
    client_for,
    free_port,
    spawn,
    stop_process,
    wait_http,
)

from unionqa.api.app import create_app
from unionqa.api.server import server_options

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


@pytest.mark.parametrize(
    ("route", "body"), [c[1:] for c in SURROGATE_CASES], ids=[c[0] for c in SURROGATE_CASES]
)
def test_a_lone_surrogate_in_any_text_field_is_a_clean_422(client, route: str, body: bytes) -> None:
    r = client.post(route, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text[:300]
    out = r.json()
    assert out["error"] == "invalid_request" and "无效的字符" in out["message"]
    assert "messages" in out["message"] or "history" in out["message"]  # names the field
    assert "[" not in out["message"].split("：", 1)[1]  # not pydantic's union tags


# --- item 8: a body over the limit reaches every client as 413 and its JSON ----------------------

MB = 1024 * 1024
LIMIT = 64 * 1024  # the default UNIONQA_API__MAX_BODY_BYTES


@pytest.fixture(scope="module")
def live(corpus_service, tmp_path_factory):
    """A real uvicorn with the API alone, as ``unionqa serve`` runs it."""
    settings = api_settings(corpus_service, tmp_path_factory.mktemp("sec-live"), quota_per_minute=0)
    app = create_app(corpus_service, settings=settings, mount_ui=False)
    with LiveServer(app, **server_options(settings.api)) as server:
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


def _requests(url: str, total: int, chunked: bool) -> tuple[int, dict[str, str]]:
    import requests

    data: bytes | Iterator[bytes] = _pieces(total) if chunked else b"".join(_pieces(total))
    r = requests.post(url, data=data, headers={"Content-Type": "application/json"}, timeout=60)
    return r.status_code, r.json()


def _httpx(url: str, total: int, chunked: bool) -> tuple[int, dict[str, str]]:
    content: bytes | Iterator[bytes] = _pieces(total) if chunked else b"".join(_pieces(total))
    r = httpx.post(url, content=content, headers={"Content-Type": "application/json"}, timeout=60)
    return r.status_code, r.json()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("over", [1 * MB, 8 * MB], ids=["1MB-over", "8MB-over"])
@pytest.mark.parametrize("post", [_urllib, _requests, _httpx], ids=["urllib", "requests", "httpx"])
def test_a_body_over_the_limit_reaches_every_client_as_413_with_its_json(
    live, post, over: int, chunked: bool
) -> None:
    status, body = post(f"{live.url}/v1/ask", LIMIT + over, chunked)
    assert status == 413
    assert body["error"] == "request_too_large" and "64 KB" in body["message"]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_curl_sees_the_413_with_its_json(live, tmp_path, chunked: bool) -> None:
    body = tmp_path / "body.json"
    body.write_bytes(b"".join(_pieces(LIMIT + 8 * MB)))
    cmd = ["curl", "-sS", "--max-time", "60", "-H", "Content-Type: application/json"]
    cmd += ["-H", "Transfer-Encoding: chunked"] if chunked else []
    cmd += ["--data-binary", f"@{body}", "-w", "\n%{http_code}", f"{live.url}/v1/ask"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False).stdout
    text, _, code = out.rpartition("\n")
    assert code == "413" and json.loads(text)["error"] == "request_too_large"


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


# --- item 1: request headers are bounded in size and in time -------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``unionqa serve`` in its own process (its memory is measured), on an empty data dir."""
    tmp = tmp_path_factory.mktemp("serve-headers")
    port = free_port()
    env = {
        **os.environ,
        "UNIONQA_DATA_DIR": str(tmp / "data"),
        "UNIONQA_EMBEDDING": "hashing",
        "UNIONQA_API__MOUNT_UI": "false",
        "UNIONQA_API__HEADER_TIMEOUT_S": "2",
        "ANONYMIZED_TELEMETRY": "False",
        "PYTHONPATH": str(ROOT / "src"),  # this checkout's code, from the process's own cwd
    }
    env.pop("UNIONQA_API_KEYS", None)
    log = tmp / "serve.log"
    cmd = [sys.executable, "-m", "unionqa.cli", "serve", "--port", str(port)]
    proc = spawn(cmd, log, cwd=tmp, env=env)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", proc, log, 60)
        yield port, proc.pid
    finally:
        stop_process(proc)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_connections_streaming_a_huge_header_are_closed_and_memory_stays_flat(served) -> None:
    port, pid = served
    before = rss_mb(pid)
    connections, piece, pieces = 4, b"a" * MB, 50  # 50 MB of one header on each connection
    socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(connections)]
    sent = [0] * connections
    closed = [False] * connections
    try:
        for s in socks:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ")
        deadline = time.monotonic() + 120
        for _ in range(pieces):
            if all(closed) or time.monotonic() > deadline:
                break
            for i, s in enumerate(socks):
                if closed[i]:
                    continue
                try:
                    s.sendall(piece)
                    sent[i] += len(piece)
                except OSError:  # the server closed it: broken pipe or reset
                    closed[i] = True
        peak = rss_mb(pid)
    finally:
        for s in socks:
            s.close()
    print(f"\nheaders: sent MB {[n // MB for n in sent]}, RSS {before:.0f} -> {peak:.0f} MB")
    assert all(closed), f"MB accepted per connection: {[n // MB for n in sent]}"
    assert max(sent) < 16 * MB  # what loopback buffers take before the close is seen
    assert peak - before < 50, (before, peak)
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200


def test_a_header_sent_too_slowly_is_cut_off(served) -> None:
    port, _ = served
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        try:
            out = s.recv(65536)
        except TimeoutError:
            out = None
    assert out is not None, "the server kept waiting for the rest of the header"
    assert b"200 OK" not in out


# --- the chat page mounted beside a keyed API: items 2, 3 and 9 ---------------------------------

KEY = "sec-key"
PAGE_QUOTA = 3


@pytest.fixture(scope="module")
def page(corpus_service, tmp_path_factory):
    """The API with keys and the chat page at /, on a real uvicorn; Gradio's cache in a temp dir."""
    tmp = tmp_path_factory.mktemp("sec-page")
    cache = tmp / "gradio-cache"
    cache.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADIO_TEMP_DIR", str(cache))
        settings = api_settings(
            corpus_service, tmp / "data", api_keys=KEY, quota_per_minute=PAGE_QUOTA
        )
        app = create_app(corpus_service, settings=settings, mount_ui=True)
        with LiveServer(app, **server_options(settings.api)) as server:
            server.cache = cache  # type: ignore[attr-defined]
            yield server


def files_under(path) -> list[str]:
    return [str(p) for p in path.rglob("*") if p.is_file()]


def test_the_page_refuses_anonymous_file_uploads_and_stores_nothing(page) -> None:
    before = files_under(page.cache)
    for route in ("/gradio_api/upload", "/gradio_api/process_recording"):
        for _ in range(20):  # the probe sent 100 x 60 KB; 20 x 60 KB per route here
            r = httpx.post(page.url + route, files={"files": ("a.txt", b"x" * 60_000)}, timeout=30)
            assert r.status_code == 403, r.text[:200]
            assert r.json()["error"] == "forbidden" and "不接收文件" in r.json()["message"]
    assert files_under(page.cache) == before == []


def call_page(url: str, question: str) -> list[tuple[str, object]]:
    """One question through the page's Gradio API, as a script would send it: the events."""
    r = httpx.post(f"{url}/gradio_api/call/respond", json={"data": [question, []]}, timeout=30)
    assert r.status_code == 200, r.text[:300]
    event_id = r.json()["event_id"]
    events = []
    with httpx.stream("GET", f"{url}/gradio_api/call/respond/{event_id}", timeout=90) as s:
        event = ""
        for line in s.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
                events.append((event, json.loads(data) if data not in ("", "null") else None))
                if event in ("complete", "error"):
                    break
    return events


def test_a_20000_character_question_through_the_page_api_is_refused_in_chinese(page) -> None:
    events = call_page(page.url, "问" * 20_000)
    assert events[-1][0] == "error", events[-3:]
    assert "问题太长：最多 1000 个字" in json.dumps(events[-1][1], ensure_ascii=False)
    assert not any(e == "generating" for e, _ in events)  # refused before any work


def test_the_page_api_counts_against_the_per_client_quota(page) -> None:
    outcomes = [call_page(page.url, "加班费怎么算")[-1] for _ in range(PAGE_QUOTA + 1)]
    assert [e for e, _ in outcomes[:PAGE_QUOTA]] == ["complete"] * PAGE_QUOTA
    assert outcomes[-1][0] == "error"
    assert "请求太频繁" in json.dumps(outcomes[-1][1], ensure_ascii=False)


def test_ui_auth_key_makes_the_page_and_its_api_ask_for_a_key(corpus_service, tmp_path) -> None:
    from unionqa.settings import UISettings

    settings = api_settings(corpus_service, tmp_path, api_keys=KEY, quota_per_minute=0)
    settings = settings.model_copy(update={"ui": UISettings(auth="key")})
    app = create_app(corpus_service, settings=settings, mount_ui=True)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.post("/gradio_api/call/respond", json={"data": ["加班费怎么算", []]})
        assert r.status_code == 401
        assert c.post("/login", data={"username": "x", "password": "wrong"}).status_code >= 400
        assert c.post("/login", data={"username": "x", "password": KEY}).status_code == 200
        r = c.post("/gradio_api/call/respond", json={"data": ["加班费怎么算", []]})
        assert r.status_code == 200 and r.json()["event_id"]


# --- item 9: the low-severity findings -----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nope"), ("GET", "/gradio_api/nope"), ("POST", "/nope"), ("DELETE", "/v1/ask")],
)
def test_with_the_page_mounted_unknown_paths_get_the_documented_error_json(
    page, method: str, path: str
) -> None:
    r = httpx.request(method, page.url + path, timeout=30)
    assert r.status_code in (404, 405)
    assert r.json()["error"] in ("not_found", "method_not_allowed")
    assert "/docs" in r.json()["message"]


def test_the_page_sends_security_headers(page) -> None:
    r = httpx.get(page.url + "/", timeout=30)
    assert r.status_code == 200
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'self'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/v1/ask", "/gradio_api/call/respond", "/"])
@pytest.mark.parametrize("origin", ["http://localhost:3000", "https://evil.example"])
def test_a_preflight_from_an_origin_not_configured_is_not_allowed(page, path, origin) -> None:
    r = httpx.options(
        page.url + path,
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert "access-control-allow-origin" not in r.headers, (r.status_code, dict(r.headers))


@pytest.fixture
def keyed(corpus_service, tmp_path):
    return client_for(corpus_service, tmp_path, api_keys=KEY, max_auth_failures_per_minute=5)


def test_failed_key_guesses_are_throttled_per_client(keyed) -> None:
    statuses = [
        keyed.post(
            "/v1/search", json={"question": "加班"}, headers={"Authorization": f"Bearer g{i}"}
        ).status_code
        for i in range(7)
    ]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    # the right key from the same address waits too, so guessing gains nothing
    r = keyed.post(
        "/v1/search", json={"question": "加班"}, headers={"Authorization": f"Bearer {KEY}"}
    )
    assert r.status_code == 429 and r.json()["error"] == "rate_limited"
    assert int(r.headers["retry-after"]) >= 1


def test_duplicate_authorization_headers_are_refused(keyed) -> None:
    headers = [("Authorization", f"Bearer {KEY}"), ("Authorization", "Bearer other")]
    r = keyed.post("/v1/search", json={"question": "加班"}, headers=headers)
    assert r.status_code == 400
    assert r.json()["error"] == "bad_request" and "Authorization" in r.json()["message"]


def test_x_forwarded_for_does_not_choose_the_quota_bucket_by_default(served) -> None:
    port, _ = served
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
        statuses = [
            c.get("/v1/documents", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
            for i in range(61)  # the default quota is 60 a minute
        ]
    assert 429 in statuses, statuses[-5:]


def test_the_openapi_schema_states_the_enforced_lengths(corpus_service, tmp_path) -> None:
    c = client_for(corpus_service, tmp_path, max_question_chars=500)
    schemas = c.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["AskRequest"]["properties"]["question"]["maxLength"] == 500
    assert schemas["AskRequest"]["properties"]["history"]["items"]["maxLength"] == 500
    assert schemas["AskRequest"]["properties"]["history"]["maxItems"] == 20
    assert schemas["SearchRequest"]["properties"]["question"]["maxLength"] == 500
    k = schemas["SearchRequest"]["properties"]["k"]
    assert any(option.get("maximum") == 50 for option in k.get("anyOf", [k]))
    r = c.post("/v1/ask", json={"question": "问" * 501})
    assert r.status_code == 422 and r.json()["error"] == "question_too_long"
