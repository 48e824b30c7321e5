"""Issue 18's security items, rerun as the outside probe ran them: against the API (and the chat
page mounted beside it) on a real uvicorn on 127.0.0.1, with raw sockets for malformed traffic and
every loop bounded in count and time. Counts are in docs/reliability.md."""

from __future__ import annotations

import pytest
from test_api_helpers import client_for

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
