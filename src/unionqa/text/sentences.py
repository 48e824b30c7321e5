"""Sentence spans of Chinese and English text: the unit of chunks, quotes and verification."""

from __future__ import annotations

import re

HARD_MAX = 1000  # a longer "sentence" is split at commas, then hard

_CLOSERS = "”’」』）)】》〕\"'"
_SENT_RE = re.compile(
    r"[^。！？；!?…\n]*?(?:[。！？；!?]+|…+|\.(?=\s)|(?=\n)|$)[" + re.escape(_CLOSERS) + r"]*"
)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of sentences in text[start:end], whitespace trimmed, empty ones dropped."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        m = _SENT_RE.match(text, pos, end)
        if m is None or m.end() == pos:
            pos += 1
            continue
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.extend(_split_long(text, s, e))
        pos = m.end()
    return spans


def _split_long(text: str, s: int, e: int) -> list[tuple[int, int]]:
    if e - s <= HARD_MAX:
        return [(s, e)]
    out = []
    while e - s > HARD_MAX:
        window = text[s : s + HARD_MAX]
        cut = max(window.rfind(c) for c in "，,、 ")
        cut = s + (cut + 1 if cut > HARD_MAX // 2 else HARD_MAX)
        out.append((s, cut))
        s = cut
    out.append((s, e))
    return out
