"""``Document`` → ``Chunk``s: Chinese sentence boundaries, offsets, stable ids.

Invariant: ``chunk.text == document.text[chunk.start:chunk.end]``. What is embedded
(``embed_text``) carries a title/heading/article prefix; what is stored and quoted is verbatim.

- Statutes: one chunk per article (第X条); an article longer than ``ARTICLE_MAX`` is split
  at 款 (paragraphs), then at sentences, every piece keeping its article label.
- Other text: sentences packed into pieces of ``TARGET``–``MAX_CHARS`` characters inside a
  section, with one sentence of overlap; never cut inside a sentence (a pathological
  "sentence" over ``HARD_MAX`` characters is split at commas, then hard).
- Tables (the loader's ``tables`` metadata: Word tables, Excel sheets) start chunks of their
  own, a row per line; every chunk of a table carries its header row in ``embed_text`` and in
  ``metadata["table_header"]``, so a chunk cut from the middle of a table still says what its
  columns are, while its text stays verbatim.
- PDF pages (the loader's ``pages`` metadata): the locator names the page, ``第3页 第2段``
  (paragraphs counted within the page) or ``第3页 第十条``; ``metadata["page"]`` holds it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..text.articles import ARTICLE_RE, STATUTE_PART_RE
from ..text.sentences import sentence_spans
from ..types import Chunk, Document, parse_date
from .loaders import HEADING_RE, looks_like_statute

# v3: a statute's 附录/附件 is its own section, not the last article
# v4: Word tables and Excel sheets as tables with their header on every chunk; PDF page locators
CHUNKER_VERSION = "zh-sent-v4"
TARGET = 200
MAX_CHARS = 400
ARTICLE_MAX = 500
OVERLAP_MAX = 150

# a statute's appendix starts at a line of its own: 附录 / 附件2 / 附表一：xx表
APPENDIX_RE = re.compile(r"^(附\s*[录件表][一二三四五六七八九十\d]*)\s*(?:[：:].{0,40})?$")


@dataclass
class _Block:
    start: int
    end: int
    heading: str  # the section path this paragraph sits in
    para: int  # 1-based paragraph number (headings not counted; within its page in a PDF)
    article: str | None = None  # 第X条 when this paragraph opens an article
    table: int | None = None  # index into the document's ``tables`` when inside one
    page: int | None = None  # 1-based PDF page

    def paged(self, locator: str) -> str:
        return f"第{self.page}页 {locator}" if self.page else locator


@dataclass
class _Piece:
    start: int
    end: int
    locator: str
    heading: str
    extra: dict[str, str] = field(default_factory=dict)
    block: _Block | None = None  # the block the piece starts in


def blocks_of(
    text: str,
    statute: bool,
    tables: list[tuple[int, int, int]] | None = None,
    pages: list[int] | None = None,
) -> list[_Block]:
    """The paragraphs of ``text`` (headings skipped), numbered as the locators number them
    (within their page when the loader gave ``pages``), with the table each lies in."""
    tables = tables or []
    pages = pages or []
    blocks: list[_Block] = []
    path: dict[int, str] = {}
    para = 0
    page = None
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        stripped = line.strip()
        if not stripped or stripped.startswith("<!--"):
            continue
        hm = HEADING_RE.match(stripped)
        level = None
        title = None
        if hm:
            level, title = len(hm.group(1)), hm.group(2)
        elif (
            statute
            and STATUTE_PART_RE.match(stripped)
            and len(stripped) < 40
            and not ARTICLE_RE.match(stripped)
        ):
            level, title = {"编": 2, "章": 2, "节": 3}.get(stripped.split()[0][-1], 2), stripped
        elif statute and APPENDIX_RE.match(stripped):
            level, title = 2, stripped.rstrip("：:")
        if level is not None:
            path = {k: v for k, v in path.items() if k < level}
            if level > 1:  # the level-1 heading is the title itself
                path[level] = title or ""
            continue
        s = m.start() + (len(line) - len(line.lstrip()))
        e = m.end() - (len(line) - len(line.rstrip()))
        if pages:
            now = max(1, bisect.bisect_right(pages, s))
            para = 0 if now != page else para
            page = now
        para += 1
        am = ARTICLE_RE.match(stripped) if statute else None
        heading = " ".join(re.sub(r"\s+", " ", v) for _, v in sorted(path.items()))
        table = next((i for i, (ts, _, te) in enumerate(tables) if ts <= s < te), None)
        blocks.append(_Block(s, e, heading, para, am.group(0) if am else None, table, page))
    return blocks


def _tables(doc: Document) -> list[tuple[int, int, int]]:
    """The loader's ``[start, header_end, end]`` per table, checked against the text."""
    out = []
    for t in doc.metadata.get("tables") or []:
        if isinstance(t, list) and len(t) == 3 and 0 <= t[0] <= t[1] <= t[2] <= len(doc.text):
            out.append((int(t[0]), int(t[1]), int(t[2])))
    return out


def _statute_pieces(text: str, blocks: list[_Block]) -> list[_Piece]:
    pieces: list[_Piece] = []
    groups: list[list[_Block]] = []
    for b in blocks:
        if b.article or not groups or b.heading != groups[-1][0].heading:
            groups.append([b])
        else:
            groups[-1].append(b)
    for g in groups:
        label = g[0].article
        extra = {"chapter": g[0].heading} if g[0].heading else {}
        if label is None:
            # text outside articles (the header with adoption dates, preambles, appendices)
            pieces.extend(_pack(text, g, _outside_article_locator(g[0].heading)))
            continue
        extra["article"] = label
        if g[-1].end - g[0].start <= ARTICLE_MAX:
            pieces.append(
                _Piece(g[0].start, g[-1].end, g[0].paged(label), g[0].heading, extra, g[0])
            )
            continue
        # split a long article at 款, packing paragraphs up to MAX_CHARS; long 款 by sentence
        for sub in _pack(text, g, lambda b, label=label: b.paged(label), max_chars=ARTICLE_MAX):
            sub.extra.update(extra)
            pieces.append(sub)
    return pieces


def _outside_article_locator(heading: str) -> Callable[[_Block], str]:
    appendix = APPENDIX_RE.match(heading)
    if appendix:
        return lambda b: b.paged(appendix.group(1))
    return lambda b: b.paged("题注" if b.para <= 3 and not b.heading else f"第{b.para}段")


def _pack(text: str, blocks: list[_Block], locate, max_chars: int = MAX_CHARS) -> list[_Piece]:
    """Pack the sentences of consecutive blocks into pieces; blocks of another section, table or
    page start anew."""
    pieces: list[_Piece] = []
    sents: list[tuple[int, int, _Block]] = []
    for b in blocks:
        sents.extend((s, e, b) for s, e in sentence_spans(text, b.start, b.end))
    i = 0
    while i < len(sents):
        first = sents[i]
        j = i
        end = first[1]
        while j + 1 < len(sents):
            ns, ne, nb = sents[j + 1]
            if (nb.heading, nb.table, nb.page) != (first[2].heading, first[2].table, first[2].page):
                break
            if ne - first[0] > max_chars and end - first[0] >= TARGET // 2:
                break
            if ne - first[0] > max_chars * 1.5:
                break
            j += 1
            end = ne
        pieces.append(_Piece(first[0], end, locate(first[2]), first[2].heading, block=first[2]))
        if j + 1 >= len(sents):
            break
        # overlap: the next piece starts with this piece's last sentence when it is short
        # and in the same section, and when doing so still moves forward
        last = sents[j]
        overlap = (
            j > i
            and last[1] - last[0] <= OVERLAP_MAX
            and (sents[j + 1][2].heading, sents[j + 1][2].table, sents[j + 1][2].page)
            == (last[2].heading, last[2].table, last[2].page)
        )
        i = j if overlap else j + 1
    return pieces


def chunk_document(doc: Document) -> list[Chunk]:
    statute = doc.metadata.get("kind") == "law" or (
        doc.metadata.get("kind") is None and looks_like_statute(doc.text)
    )
    blocks = blocks_of(doc.text, statute, _tables(doc), doc.metadata.get("pages") or [])
    if statute:
        pieces = _statute_pieces(doc.text, blocks)
    else:
        sections: list[list[_Block]] = []
        for b in blocks:
            if not sections or sections[-1][0].heading != b.heading:
                sections.append([b])
            else:
                sections[-1].append(b)
        pieces = [
            p for sec in sections for p in _pack(doc.text, sec, lambda b: b.paged(f"第{b.para}段"))
        ]
    base = _base_metadata(doc)
    tables = _tables(doc)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for ordinal, p in enumerate(pieces):
        key = p.locator
        seen[key] = seen.get(key, 0) + 1
        chunk_id = f"{doc.doc_id}#{key}" + (f"~{seen[key]}" if seen[key] > 1 else "")
        prefix = " ".join(x for x in (doc.title, p.heading, p.locator if statute else "") if x)
        meta: dict[str, str | int | float | bool] = {
            **base,
            **p.extra,
            "locator": p.locator,
            "ordinal": ordinal,
        }
        if p.heading and not statute:
            meta["section"] = p.heading
        text = doc.text[p.start : p.end]
        embed = f"{prefix}\n{text}"
        if p.block is not None and p.block.page:
            meta["page"] = p.block.page
        if p.block is not None and p.block.table is not None:
            t_start, t_header_end, _ = tables[p.block.table]
            header = doc.text[t_start:t_header_end]
            meta["table_header"] = header
            if p.start >= t_header_end:  # cut from the middle: say what the columns are
                embed = f"{prefix}\n{header}\n{text}"
        chunks.append(
            Chunk(
                chunk_id=chunk_id,
                doc_id=doc.doc_id,
                text=text,
                start=p.start,
                end=p.end,
                locator=p.locator,
                embed_text=embed,
                metadata=meta,
            )
        )
    return chunks


def _base_metadata(doc: Document) -> dict[str, str | int | float | bool]:
    """Flat, Chroma-storable metadata every chunk of the document carries."""
    m = doc.metadata
    valid = parse_date(m.get("valid_until"))
    issuer = m.get("issuer")
    out: dict[str, str | int | float | bool] = {
        "doc_id": doc.doc_id,
        "source": doc.source,
        "title": doc.title,
        "kind": str(m.get("kind", "document")),
        "region": str(m.get("region", "national")),
        # YYYYMMDD as int so Chroma can filter with $gte; 0 = no expiry stated
        "valid_until": int(valid.strftime("%Y%m%d")) if valid else 0,
    }
    if issuer:
        out["issuer"] = "、".join(issuer) if isinstance(issuer, list) else str(issuer)
    for k in ("column", "version_date", "trust", "provenance_source"):  # the last two: trust.py
        if m.get(k):
            out[k] = str(m[k])
    return out
