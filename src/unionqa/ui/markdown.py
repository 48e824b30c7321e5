"""A document's Markdown shown as text: headings bold without their ``#``, list items with a
bullet instead of ``-``/``*``/``+``, ``**strong**`` bold without its asterisks; everything else
as written. A span given by offsets into the raw text (a citation's quote) is highlighted, so
the quote stays findable after the markup is gone.

Every character of the document is escaped; the only tags are ``<b>`` and ``<mark>``, and they
nest properly (a quote across lines gets one ``<mark>`` per line piece; the first one carries
the id the page scrolls to).
"""

from __future__ import annotations

import re
from html import escape

_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+")
_BULLET = re.compile(r"([ \t]*)[-*+][ \t]+")
_STRONG = re.compile(r"\*\*")  # not __: it is common inside words (window.__x)
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")
BULLET = "• "


def _line_html(text: str, ls: int, le: int, quote: tuple[int, int], mark: list[str]) -> str:
    """One line of ``text`` (``text[ls:le]``) as HTML; ``mark`` holds the id not yet used."""
    out: list[str] = []
    heading = _HEADING.match(text, ls, le)
    if heading:
        ls = heading.end()
        closing = _CLOSING_HASHES.search(text, ls, le)
        le = closing.start() if closing else le
        out.append('<b class="uq-md-h">')
    else:
        bullet = _BULLET.match(text, ls, le)
        if bullet:
            out.append(escape(bullet.group(1)) + BULLET)
            ls = bullet.end()
    strong = False
    pos = ls
    for m in [*_STRONG.finditer(text, ls, le), None]:
        end = m.start() if m else le
        out.append(_piece(text, pos, end, quote, mark))
        if m:
            out.append("</b>" if strong else "<b>")
            strong, pos = not strong, m.end()
    if strong:
        out.append("</b>")
    if heading:
        out.append("</b>")
    return "".join(out)


def _piece(text: str, a: int, b: int, quote: tuple[int, int], mark: list[str]) -> str:
    """``text[a:b]`` escaped, with its overlap with ``quote`` inside a ``<mark>``."""
    qs, qe = max(a, quote[0]), min(b, quote[1])
    if qs >= qe:
        return escape(text[a:b])
    attr = f' id="{escape(mark[0])}"' if mark and mark[0] else ""
    mark.clear()  # the id goes on the first piece only
    return (
        escape(text[a:qs])
        + f'<mark class="uq-quote"{attr}>'
        + escape(text[qs:qe])
        + "</mark>"
        + escape(text[qe:b])
    )


def markdown_text(text: str, start: int = 0, end: int = 0, mark_id: str = "") -> str:
    """``text`` as escaped HTML with its Markdown markers rendered, ``text[start:end]`` marked
    (nothing is marked when ``start == end``). Line breaks stay ``\\n`` (shown with
    ``white-space: pre-wrap``)."""
    mark = [mark_id]
    lines: list[str] = []
    ls = 0
    for line in text.split("\n"):
        le = ls + len(line)
        lines.append(_line_html(text, ls, le, (start, end), mark))
        ls = le + 1
    return "\n".join(lines)
