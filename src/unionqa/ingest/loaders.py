"""Files → ``Document``: discovery, encodings, front matter, formats, statutes.

``Document.text`` is the decoded body. YAML front matter (Markdown) and a statute's
``<!-- provenance -->`` first line are *excluded*; every offset points into the body.

Layout the chunker needs rides in the metadata, as offsets into the text:

- ``tables``: ``[start, header_end, end]`` per table (Word tables, Excel sheets); a row per
  line, cells separated by `` | ``, the header row is ``text[start:header_end]``;
- ``pages``: a PDF's page starts (``pages[i]`` is where page ``i + 1`` begins).
"""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..errors import IngestError, UsageError
from ..text.articles import ARTICLE_RE
from ..types import Document
from .limits import MAX_FILE_BYTES, MAX_FRONT_MATTER_CHARS
from .office import _docx_text, _pdf_text, _xlsx_text

logger = logging.getLogger(__name__)

SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".xlsx", ".pdf")

HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
PROVENANCE_RE = re.compile(r"^<!--\s*title:\s*(?P<title>[^|]*?)\s*\|.*?-->\s*\n?")
DATE_CN_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def iter_files(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) pairs; a folder is walked recursively in sorted order."""
    for p in paths:
        if not p.exists():
            raise UsageError(f"路径不存在：{p}")
        if p.is_file():
            yield p, p.parent
            continue
        for f in sorted(p.rglob("*")):
            if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                yield f, p


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED


def make_doc_id(source: str, folder: str = "") -> str:
    """Stable, URL-safe id: a readable slug of the source plus a short hash of it (and of the
    folder it came from, when two folders hold a file at the same relative path)."""
    stem = source.rsplit(".", 1)[0]
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:48] or "doc"
    key = f"{folder}\0{source}" if folder else source
    return f"{slug}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- decoding -------------------------------------------------------------------------


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK; else a clear error."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" not in data[:4096]:
        text = _decode_chinese(data)
        if text is not None:
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and _looks_like_text(str(best)):
        return str(best)
    raise IngestError(
        "无法识别文件编码（不是 UTF-8、GB18030/GBK、Big5 或 UTF-16 文本），请另存为 UTF-8 后再导入"
    )


def _decode_chinese(data: bytes) -> str | None:
    """GB18030 or Big5, whichever reads as ordinary Chinese. Almost any Big5 file is also valid
    GB18030, as mojibake of rare characters, kana and private-use codes: so each decoding is
    scored by the share of its characters that are common in that encoding (GB2312 symbols and
    level-1 hanzi; Big5 symbols and common hanzi), and GB18030 wins ties."""
    best: tuple[float, str] | None = None
    for encoding, common in (("gb18030", _common_gb), ("big5", _common_big5)):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _looks_like_text(text):
            continue
        wide = [ch for ch in text[:20000] if ord(ch) > 0x7F]
        score = sum(map(common, wide)) / len(wide) if wide else 1.0
        if best is None or score > best[0]:
            best = (score, text)
    return best[1] if best else None


def _common_gb(ch: str) -> bool:
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xA1 <= lead <= 0xA3 or 0xB0 <= lead <= 0xD7


def _common_big5(ch: str) -> bool:
    try:
        lead = ch.encode("big5")[0]
    except UnicodeEncodeError:
        return False
    return 0xA1 <= lead <= 0xC6


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for ch in text[:20000] if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    return bad / min(len(text), 20000) < 0.01


# --- formats --------------------------------------------------------------------------


class _AliasRefused(yaml.YAMLError):
    pass


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (``*name``): a few hundred bytes of nested aliases expand
    to megabytes of metadata (an alias bomb), and front matter never needs them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _AliasRefused("alias")
        return super().compose_node(parent, index)


def _split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    m = re.match(r"^---[ \t]*\n(.*?\n)---[ \t]*\n", text, re.S)
    if not m:
        return {}, text
    name = Path(source).name
    limit = f"{name} 的 YAML 文件头过大（上限 {MAX_FRONT_MATTER_CHARS // 1024} KB），请只保留标题、有效期等元数据"
    if len(m.group(1)) > MAX_FRONT_MATTER_CHARS:
        raise IngestError(limit)
    try:
        meta = yaml.load(m.group(1), Loader=_NoAliasLoader) or {}  # noqa: S506 (a SafeLoader)
    except _AliasRefused as e:
        raise IngestError(
            f"{name} 的 YAML 文件头使用了别名（*引用），可能膨胀成巨量数据，已拒绝；请把值直接写出"
        ) from e
    except yaml.YAMLError as e:
        raise IngestError(f"{name} 的 YAML 文件头格式错误：{e.__class__.__name__}") from e
    if not isinstance(meta, dict):
        raise IngestError(f"{name} 的 YAML 文件头不是键值对")
    if len(json.dumps(_plain(meta), ensure_ascii=False, default=str)) > MAX_FRONT_MATTER_CHARS:
        raise IngestError(limit)
    return meta, text[m.end() :]


def _html_text(raw: str) -> tuple[str, str | None]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "lxml")
    # <title> lives in <head>, which is dropped below: keep it as the fallback title
    page_title = soup.title.get_text(" ", strip=True) if soup.title is not None else ""
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    for tag in soup.select(
        "[hidden], [aria-hidden=true], [style*='display:none'], [style*='display: none']"
    ):
        tag.decompose()
    title = page_title or None
    h1 = soup.find("h1")
    if h1 is not None:
        title = h1.get_text(" ", strip=True) or title
    blocks = []
    for el in soup.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "pre", "blockquote"]):
        if el.find(["p", "li", "td"]) is not None:
            continue
        t = el.get_text(" ", strip=True)
        if t:
            blocks.append(t)
    if not blocks:
        body = soup.get_text("\n", strip=True)
        blocks = [line for line in body.splitlines() if line.strip()]
    return "\n\n".join(blocks), title


def looks_like_statute(text: str) -> bool:
    articles = sum(1 for line in text.splitlines()[:4000] if ARTICLE_RE.match(line))
    return articles >= 3


def _statute_metadata(text: str) -> dict[str, Any]:
    """Title from the first heading, version date = latest date in the header block."""
    meta: dict[str, Any] = {"kind": "law"}
    m = re.search(r"^#\s+(.+?)\s*$", text, re.M)
    if m:
        meta["title"] = m.group(1)
    header_end = text.find("<!-- INFO END -->")
    if header_end < 0:
        first = re.search(r"^(##|第[零〇一二三四五六七八九十百千]+条)", text, re.M)
        header_end = first.start() if first else 0
    dates = [date(int(y), int(mo), int(d)) for y, mo, d in DATE_CN_RE.findall(text[:header_end])]
    if dates:
        meta["version_date"] = max(dates).isoformat()
    return meta


# --- the entry point ------------------------------------------------------------------


def load_file(path: Path, root: Path) -> tuple[Document, str]:
    """Read one file into a Document; returns it with the sha256 of the file's bytes."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise IngestError(
            f"文件过大（{size // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB）"
        )
    data = path.read_bytes()
    return load_bytes(data, path.relative_to(root).as_posix()), file_sha256(data)


def load_bytes(data: bytes, source: str) -> Document:
    """Parse file bytes named ``source`` (a relative path; its suffix picks the format)."""
    suffix = Path(source).suffix.lower()
    if suffix not in SUPPORTED:
        raise UsageError(f"不支持的文件类型：{suffix or '无扩展名'}（支持 {' '.join(SUPPORTED)}）")
    if not data.strip():
        raise IngestError("文件为空")
    meta: dict[str, Any] = {}
    title: str | None = None
    if suffix in (".docx", ".xlsx", ".pdf"):
        parsed = {".docx": _docx_text, ".xlsx": _xlsx_text, ".pdf": _pdf_text}[suffix](data)
        text = parsed.text()
        meta = parsed.metadata()
    else:
        raw = decode_bytes(data)
        if suffix in (".html", ".htm"):
            text, title = _html_text(raw)
        else:
            text = raw.replace("\r\n", "\n").replace("\r", "\n")
            if suffix in (".md", ".markdown"):
                meta, text = _split_front_matter(text, source)
            pm = PROVENANCE_RE.match(text)
            if pm:
                meta.setdefault("provenance", text[: pm.end()].strip())
                origin = re.search(r"\|\s*source:\s*([^\s|@]+)", meta["provenance"])
                if origin:  # where a statute was taken from (answer/trust.py)
                    meta.setdefault("provenance_source", origin.group(1))
                text = text[pm.end() :]
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.strip():
        raise IngestError("文件中没有可用的文字")
    if meta.get("kind") in (None, "law") and looks_like_statute(text):
        for k, v in _statute_metadata(text).items():
            meta.setdefault(k, v)
    if title is None:
        title = meta.get("title")
    if not title:
        hm = re.search(r"^#\s+(.+?)\s*$", text, re.M)
        title = hm.group(1) if hm else Path(source).stem
    meta = {k: _plain(v) for k, v in meta.items() if v is not None}
    meta.setdefault("region", "national")
    if "trust" in meta:
        meta["trust"] = trust_value(meta["trust"], Path(source).name)
    return Document(
        doc_id=make_doc_id(source), source=source, title=str(title), text=text, metadata=meta
    )


TRUSTED = {"trusted", "official", "true", "yes", "可信", "官方"}
UNTRUSTED = {"untrusted", "false", "no", "不可信"}


def trust_value(value: Any, name: str) -> str:
    """A document's ``trust`` (front matter or the upload's flag) as ``yes`` or ``no``."""
    word = str(value).strip().lower()
    if word in TRUSTED:
        return "yes"
    if word in UNTRUSTED:
        return "no"
    raise IngestError(
        f"{name} 的 trust 只能是 trusted（可信：显示其中的电话、网址和账号）或 untrusted，"
        f"不是 {str(value)[:40]!r}"
    )


def _plain(value: Any) -> Any:
    """YAML values → JSON-friendly ones (dates to ISO strings)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
