"""The one exception hierarchy. ``str(exc)`` is shown to users: short, says what to do next.

UnionQAError
├── UsageError             bad input from the caller (empty question, bad filter, ...)
├── IngestError            one file could not be read (reason in the message)
│   └── UploadTooLargeError  an upload too big to embed inside the request's deadline
├── IndexNotReadyError     nothing ingested yet
├── IndexMismatchError     index built with another embedding or chunker
├── IndexLockedError       another writer holds the ingest lock
├── BackendUnavailableError  Chroma server / LLM endpoint unreachable
└── MissingExtraError      an optional dependency is not installed
"""

from __future__ import annotations


class UnionQAError(Exception):
    """Base class. str(exc) is shown to users: short, says what to do next."""

    code = "error"


class UsageError(UnionQAError):
    code = "bad_request"


class IngestError(UnionQAError):
    code = "ingest_failed"


class UploadTooLargeError(IngestError):
    code = "upload_too_large"

    def __init__(self, chunks: int, limit: int) -> None:
        super().__init__(
            f"文件太大：切分后有 {chunks} 段，在线上传最多 {limit} 段（要在请求时限内处理完）。"
            "大文件请在服务器上用 `unionqa ingest 文件路径` 导入，或拆分后再上传。"
        )


class IndexNotReadyError(UnionQAError):
    """``where`` says where the index was looked for: the CLI shows it, the API does not (a
    server's paths stay on the server)."""

    code = "index_not_ready"

    def __init__(self, detail: str = "", where: str = "") -> None:
        msg = "索引尚未建立，请先运行 `unionqa ingest`。"
        super().__init__(f"{msg}{detail}")
        self.where = where


class IndexMismatchError(UnionQAError):
    code = "index_mismatch"

    def __init__(self, what: str, stored: str, wanted: str) -> None:
        super().__init__(
            f"索引是用另一种{what}建立的（索引：{stored}，当前设置：{wanted}），"
            "查询结果会出错。请运行 `unionqa ingest --rebuild` 重建索引。"
        )


class IndexLockedError(UnionQAError):
    code = "index_locked"

    def __init__(self, pid: int | None) -> None:
        who = f"（进程 {pid}）" if pid else ""
        super().__init__(f"另一个导入任务{who}正在写入索引，请等它结束后再试。")


class BackendUnavailableError(UnionQAError):
    code = "backend_unavailable"


class MissingExtraError(UnionQAError):
    code = "missing_extra"

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(f"需要可选依赖 {package}，请运行 `pip install 'unionqa[{extra}]'` 安装。")
