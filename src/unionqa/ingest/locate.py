"""The locator of a quote, computed from the quote's own offsets: the paragraph it sits in
(``第4段``), a list item under its lead-in paragraph (``第4段第2项``), or a statute's article
and 款 and 项 (``第三十九条第二款``, ``第三十九条第一款第三项``). A chunk's locator names only
where the chunk starts; a quote three paragraphs further on needs its own.

Paragraphs are numbered as the chunker numbers them (``chunking.blocks_of``: non-empty lines,
headings not counted), so a citation's ``第N段`` and a search hit's agree. A quote that runs into
a later paragraph is located where it starts, with ``起`` ("from").

- ``locate(doc_text, start, end, chunk_locator)``: exact, from the whole document;
- ``locate_in_chunk(chunk_text, chunk_start, start, end, chunk_locator)``: from a search hit
  alone (its text and its locator), for callers without the document at hand.

Both are pure. Anything they cannot place (an appendix, a caption, offsets outside the text)
keeps ``chunk_locator``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..text.articles import ARTICLE_RE
from ..text.numerals import cn_number, cn_to_int
from .chunking import _Block, blocks_of

_PARA_LOCATOR = re.compile(r"第(\d+)段")
_LIST_ITEM = re.compile(
    r"(?:[-*+•·][ \t]|\d{1,3}[.、)）][ \t]?|[（(][一二三四五六七八九十]{1,3}[)）])"
)
_STATUTE_ITEM = re.compile(r"[（(]([一二三四五六七八九十]{1,3})[)）]")


@lru_cache(maxsize=16)
def _cached_blocks(text: str, statute: bool) -> tuple[_Block, ...]:
    return tuple(blocks_of(text, statute))


def _index(blocks: tuple[_Block, ...], pos: int) -> int | None:
    """The block that holds ``pos`` (or the last one starting before it)."""
    found = None
    for i, b in enumerate(blocks):
        if b.start > pos:
            break
        found = i
    return found


def _article_locator(text: str, blocks: tuple[_Block, ...], i: int, label: str) -> str | None:
    first = next((j for j in range(i, -1, -1) if blocks[j].article), None)
    if first is None or blocks[first].article != label:
        return None
    last = next((j for j in range(first + 1, len(blocks)) if blocks[j].article), len(blocks))
    article = blocks[first:last]

    def is_item(b: _Block) -> re.Match[str] | None:
        return _STATUTE_ITEM.match(text, b.start)

    kuan = sum(1 for b in blocks[first : i + 1] if not is_item(b))
    kuans = sum(1 for b in article if not is_item(b))
    out = label + (f"第{cn_number(kuan)}款" if kuans > 1 else "")
    item = is_item(blocks[i])
    if item:
        n = cn_to_int(item.group(1))
        out += f"第{cn_number(n)}项" if n else ""
    return out


def _paragraph_locator(text: str, blocks: tuple[_Block, ...], i: int, base: int) -> str:
    """第N段, or 第N段第K项 for the K-th item of a list led in by paragraph N."""
    b = blocks[i]
    if _LIST_ITEM.match(text, b.start):
        k = 1
        j = i - 1
        while j >= 0 and blocks[j].heading == b.heading and _LIST_ITEM.match(text, blocks[j].start):
            k, j = k + 1, j - 1
        if j >= 0 and blocks[j].heading == b.heading:
            return f"第{base + blocks[j].para}段第{k}项"
    return f"第{base + b.para}段"


def _locate(text: str, start: int, end: int, chunk_locator: str, first_para: int | None) -> str:
    label = ARTICLE_RE.fullmatch(chunk_locator)
    para = _PARA_LOCATOR.fullmatch(chunk_locator)
    if not (label or para) or not 0 <= start < end <= len(text):
        return chunk_locator
    blocks = _cached_blocks(text, bool(label))
    i = _index(blocks, start)
    if i is None:
        return chunk_locator
    if label:
        found = _article_locator(text, blocks, i, chunk_locator)
        if found is None:
            return chunk_locator
    else:
        base = 0 if first_para is None else first_para - 1
        found = _paragraph_locator(text, blocks, i, base)
    last = _index(blocks, end - 1)
    if label and found == chunk_locator:  # from the article's first line: the article itself
        return found
    return found + ("起" if last is not None and last != i else "")


def locate(doc_text: str, start: int, end: int, chunk_locator: str) -> str:
    """The locator of ``doc_text[start:end]``; ``chunk_locator`` is the chunk's (it says whether
    the document is read as a statute, and stays when the span cannot be placed)."""
    return _locate(doc_text, start, end, chunk_locator, None)


def locate_in_chunk(
    chunk_text: str, chunk_start: int, start: int, end: int, chunk_locator: str
) -> str:
    """The same from a chunk alone: ``start``/``end`` are document offsets and the chunk's
    first paragraph is the one its locator names. An article's 款 are counted only when the
    chunk starts at the article (a piece of a long article keeps the article alone)."""
    para = _PARA_LOCATOR.fullmatch(chunk_locator)
    return _locate(
        chunk_text,
        start - chunk_start,
        end - chunk_start,
        chunk_locator,
        int(para.group(1)) if para else None,
    )
