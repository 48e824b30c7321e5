"""Binary formats as text with offsets: Word (paragraphs and tables in document order), Excel
(a section per sheet) and PDF (page starts recorded), each with its limits."""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from typing import Any

from ..errors import IngestError
from .limits import CELL_SEP, MAX_DOCX_UNCOMPRESSED, MAX_TABLE_CELLS

logger = logging.getLogger(__name__)


class _Text:
    """Blocks joined by blank lines, remembering where tables and pages start (offsets)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.tables: list[list[int]] = []
        self.pages: list[int] = []
        self.cells = 0

    def next_start(self) -> int:
        return self.length + (2 if self.parts else 0)

    def block(self, text: str) -> int:
        text = text.replace("\x00", "")
        start = self.next_start()
        self.parts.append(text)
        self.length = start + len(text)
        return start

    def count_cells(self, n: int, what: str) -> None:
        self.cells += n
        if self.cells > MAX_TABLE_CELLS:
            raise IngestError(
                f"{what} 的表格过大（超过 {MAX_TABLE_CELLS} 个单元格），请拆分成几个文件后再导入"
            )

    def table(self, rows: list[list[str]]) -> None:
        lines = [CELL_SEP.join(r).replace("\x00", "").strip() for r in rows if any(r)]
        if lines:
            start = self.block("\n".join(lines))
            self.tables.append([start, start + len(lines[0]), self.length])

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {}
        if self.tables:
            meta["tables"] = self.tables
        if self.pages:
            meta["pages"] = self.pages
        return meta

    def text(self) -> str:
        return "\n\n".join(self.parts)


def _check_zip(data: bytes, what: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            total = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile as e:
        raise IngestError(f"{what} 文件已损坏（不是有效的 zip 包）") from e
    if total > MAX_DOCX_UNCOMPRESSED:
        raise IngestError(f"{what} 解压后过大，疑似压缩炸弹，已拒绝")


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _docx_text(data: bytes) -> _Text:
    """Paragraphs and tables in document order; a table row per line, merged cells once."""
    _check_zip(data, "DOCX")
    import docx
    from docx.table import Table

    try:
        d = docx.Document(io.BytesIO(data))
        out = _Text()
        for item in d.iter_inner_content():
            if isinstance(item, Table):
                rows = []
                for row in item.rows:
                    cells, seen = [], set()
                    for cell in row.cells:  # a merged cell repeats in every column it spans
                        if id(cell._tc) not in seen:
                            seen.add(id(cell._tc))
                            cells.append(_one_line(cell.text))
                    rows.append(cells)
                    out.count_cells(len(cells), "DOCX")
                out.table(rows)
            elif item.text.strip():
                out.block(item.text.strip())
    except IngestError:
        raise
    except Exception as e:  # python-docx raises many types for broken packages
        raise IngestError(f"DOCX 文件无法解析：{e.__class__.__name__}") from e
    return out


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return _one_line(str(value))


def _xlsx_text(data: bytes) -> _Text:
    """One section per sheet (a ``## sheet name`` line), then its rows as a table."""
    _check_zip(data, "XLSX")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for broken workbooks
        raise IngestError(f"XLSX 文件无法解析：{e.__class__.__name__}") from e
    out = _Text()
    try:
        for ws in wb.worksheets:
            rows: list[list[str]] = []
            for values in ws.iter_rows(values_only=True):
                out.count_cells(len(values), "XLSX")
                row = [_cell_text(v) for v in values]
                while row and not row[-1]:
                    row.pop()
                if row:
                    rows.append(row)
            if rows:
                out.block(f"## {_one_line(ws.title)}")
                out.table(rows)
    except IngestError:
        raise
    except Exception as e:
        raise IngestError(f"XLSX 文件无法解析：{e.__class__.__name__}") from e
    finally:
        wb.close()
    return out


def _pdf_text(data: bytes) -> _Text:
    """Pages joined by blank lines; ``pages`` records where each begins (an empty page where
    the next text would)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, OSError, TypeError, AttributeError) as e:
        raise IngestError(f"PDF 文件已损坏或无法解析：{e.__class__.__name__}") from e
    out = _Text()
    for page in pages:
        out.pages.append(out.next_start())
        if page:
            out.block(page.replace("\r\n", "\n").replace("\r", "\n"))
    if not out.text().strip():
        raise IngestError("PDF 中没有可提取的文字（可能是扫描件）")
    return out


# --- statutes -------------------------------------------------------------------------
