"""Ingest: files → documents → chunks → vectors → the index. Idempotent and incremental.

A file is keyed by its document id (from its path relative to the ingested PATH) and the
sha256 of its bytes: unchanged files add nothing, a changed file replaces its chunks. Work is
committed one document at a time, so an interrupted ingest resumes where it stopped; embedding
is batched across documents so both cores stay busy.

Pipeline: a batch is embedded in a background thread while the next files are read and chunked
and the previous batch is written, with at most ``EMBED_AHEAD`` batches in flight; documents
are still written in file order, each only after its vectors exist.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from ..errors import IngestError, UnionQAError, UsageError
from ..index.registry import Written
from ..index.store import Index
from ..types import Chunk, Document, IngestFailure, IngestReport
from .chunking import chunk_document
from .loaders import file_sha256, is_supported, iter_files, load_bytes, load_file, make_doc_id

logger = logging.getLogger(__name__)

EMBED_BATCH = 256  # chunks embedded together (across documents)
EMBED_AHEAD = 2  # batches being embedded at once (two keep every core busy between batches)

Progress = Callable[[int, int], None]  # (files done, files total)


@dataclass
class _Pending:
    doc: Document
    root: str
    sha: str
    chunks: list[Chunk]
    is_new: bool


def ingest_paths(
    index: Index,
    embeddings: Embeddings,
    embedding_name: str,
    paths: list[Path],
    *,
    prune: bool = False,
    rebuild: bool = False,
    progress: Progress | None = None,
    trusted: bool = False,
) -> IngestReport:
    t0 = time.perf_counter()
    files = list(iter_files(paths))
    if not files:
        raise UsageError(f"没有找到文件：{', '.join(str(p) for p in paths)} 是空的。")
    with index.lock():
        target = index
        if rebuild:
            # build beside the live index; swap only when done, so a failed rebuild loses nothing
            target = Index(index.settings, f"{index.name}-rebuild", chunker=index.chunker)
            target.drop()
        else:
            _check_compatible(index, embedding_name)
        prune_roots = {str(p.resolve()) for p in paths if p.is_dir()} if prune else set()
        report = _run(target, embeddings, embedding_name, files, prune_roots, progress, trusted)
        if rebuild:
            target.mark_swap_ready()
            index.finish_swap()
        index.finish_write()
    return report.model_copy(update={"seconds": round(time.perf_counter() - t0, 3)})


@dataclass(frozen=True)
class Upload:
    """One uploaded file, read and chunked (no model needed yet)."""

    doc: Document
    sha256: str
    chunks: list[Chunk]


def read_upload(data: bytes, filename: str, trusted: bool = False) -> Upload:
    """An uploaded file's document and chunks; its id is ``uploads/<file name>``. ``trusted``:
    the administrator vouches for it (its contact details are shown, answer/trust.py)."""
    name = Path(filename or "").name
    if not name or name in (".", ".."):
        raise UsageError("缺少文件名。")
    doc = vouched(load_bytes(data, f"uploads/{name}"), trusted)
    return Upload(doc, file_sha256(data), _chunks(doc))


def vouched(doc: Document, trusted: bool) -> Document:
    """The document marked trusted by its ingester (the flag wins over its front matter)."""
    if not trusted:
        return doc
    return doc.model_copy(update={"metadata": {**doc.metadata, "trust": "yes"}})


class CommitGate:
    """Decides, once, between an upload's commit and its caller giving up (the API's deadline):
    whichever comes first wins, so a request answered "failed" never commits later, and one
    whose commit has begun is waited for instead of being answered "failed"."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.state = "working"  # → "committing" or "abandoned"
        self.done = threading.Event()  # set when the work has ended, either way

    def begin_commit(self) -> bool:
        with self._lock:
            if self.state == "abandoned":
                return False
            self.state = "committing"
            return True

    def abandon(self) -> bool:
        """True when nothing will be written; False when the commit has already begun."""
        with self._lock:
            if self.state == "working":
                self.state = "abandoned"
            return self.state == "abandoned"


class UploadAbandoned(UnionQAError):
    """The caller gave up before the commit (nothing was written)."""


def ingest_upload(
    index: Index,
    embeddings: Embeddings,
    embedding_name: str,
    upload: Upload,
    gate: CommitGate | None = None,
) -> None:
    """Embed and write one uploaded document (the API's POST /v1/documents), under the lock;
    with ``gate``, nothing is written once its caller has abandoned it."""
    vectors = embeddings.embed_documents([c.embed_text for c in upload.chunks])
    with index.lock():
        if gate is not None and not gate.begin_commit():
            raise UploadAbandoned("upload abandoned before its commit")
        _check_compatible(index, embedding_name)
        index.create(embedding_name)
        index.write_documents(
            [Written(upload.doc, upload.sha256, upload.chunks, vectors, origin="upload")]
        )
        index.finish_write()


def _check_compatible(index: Index, embedding_name: str) -> None:
    if index.exists():
        index.check_compatible(embedding_name)


def _chunks(doc: Document) -> list[Chunk]:
    chunks = chunk_document(doc)
    if not chunks:
        raise IngestError("文件中没有可切分的文字")
    return chunks


def _run(
    index: Index,
    embeddings: Embeddings,
    embedding_name: str,
    files: list[tuple[Path, Path]],
    prune_roots: set[str],
    progress: Progress | None,
    trusted: bool = False,
) -> IngestReport:
    index.create(embedding_name)
    registry = index.registry()
    counts = {"added": 0, "updated": 0, "unchanged": 0, "removed": 0, "chunks": 0}
    failed: list[IngestFailure] = []
    skipped: list[IngestFailure] = []
    seen: set[str] = set()
    claimed: dict[str, str] = {}  # doc id → folder, for the files of this run
    pending: list[_Pending] = []
    n_supported = 0

    inflight: deque[tuple[list[_Pending], Future[list[list[float]]]]] = deque()

    def flush() -> None:
        """Start embedding the pending documents; write finished batches beyond EMBED_AHEAD - 1."""
        if pending:
            texts = [c.embed_text for p in pending for c in p.chunks]
            inflight.append((list(pending), _background(embeddings.embed_documents, texts)))
            pending.clear()
        write(keep=EMBED_AHEAD - 1)

    def write(keep: int) -> None:
        while len(inflight) > keep:
            batch, future = inflight.popleft()
            try:
                vectors = future.result()
            except Exception as e:  # any backend failure: say so in one line, keep what is done
                raise UnionQAError(
                    f"向量模型出错（{e.__class__.__name__}）。已完成的文档已保存，再次运行会从中断处继续。"
                ) from e
            pos, items = 0, []
            for p in batch:
                n = len(p.chunks)
                items.append(
                    Written(p.doc, p.sha, p.chunks, vectors[pos : pos + n], "file", p.root)
                )
                pos += n
            index.write_documents(items)
            for p in batch:
                counts["added" if p.is_new else "updated"] += 1
                counts["chunks"] += len(p.chunks)

    for done, (path, root) in enumerate(files, 1):
        rel = path.relative_to(root).as_posix()
        if not is_supported(path):
            logger.warning("skipping unsupported file type: %s", path.suffix or "(none)")
            skipped.append(
                IngestFailure(
                    path=str(path),
                    error=f"不支持的文件类型 {path.suffix or '（无扩展名）'}，已跳过",
                )
            )
            continue
        n_supported += 1
        folder = str(root.resolve())
        doc_id = _doc_id(rel, folder, registry, claimed)
        claimed[doc_id] = folder
        seen.add(doc_id)  # even when loading fails: a failed file is never pruned
        try:
            doc, sha = load_file(path, root)
            doc = vouched(doc, trusted)
            if doc.doc_id != doc_id:
                doc = doc.model_copy(update={"doc_id": doc_id})
            old = registry.get(doc.doc_id)
            same_trust = old is not None and old.metadata.get("trust") == doc.metadata.get("trust")
            if old is not None and old.sha256 == sha and same_trust:
                counts["unchanged"] += 1
            else:
                chunks = _chunks(doc)
                pending.append(_Pending(doc, folder, sha, chunks, old is None))
        except (IngestError, UsageError) as e:
            failed.append(IngestFailure(path=str(path), error=str(e)))
        except OSError as e:
            failed.append(
                IngestFailure(
                    path=str(path), error=f"无法读取文件：{e.strerror or e.__class__.__name__}"
                )
            )
        if sum(len(p.chunks) for p in pending) >= EMBED_BATCH:
            flush()
        if progress:
            progress(done, len(files))
    flush()
    write(keep=0)
    if prune_roots:  # documents ingested from these folders whose files are gone
        for doc_id, info in registry.items():
            if (
                doc_id not in seen
                and info.metadata.get("origin") == "file"
                and info.metadata.get("root") in prune_roots
            ):
                index.delete_document(doc_id)
                counts["removed"] += 1
    return IngestReport(files=n_supported, failed=failed, skipped=skipped, **counts)


def _doc_id(rel: str, folder: str, registry: dict[str, Any], claimed: dict[str, str]) -> str:
    """A file's id is that of its relative path, unless another folder that still holds a file
    at the same relative path has it (two folders each with 劳动法.txt): then it is qualified by
    its folder, so neither replaces the other. A folder that moved keeps its files' ids."""
    plain = make_doc_id(rel)
    other = claimed.get(plain)
    info = registry.get(plain)
    if other is None and info is not None and info.metadata.get("origin") == "file":
        other = info.metadata.get("root") or None
    if other is None or other == folder or not (Path(other) / rel).is_file():
        return plain
    return make_doc_id(rel, folder)


def _background(fn: Callable[..., Any], *args: Any) -> Future[Any]:
    """Run ``fn(*args)`` in a daemon thread (an interrupted ingest exits without waiting for it)."""
    future: Future[Any] = Future()

    def run() -> None:
        try:
            future.set_result(fn(*args))
        except BaseException as e:
            future.set_exception(e)

    threading.Thread(target=run, daemon=True, name="ingest-embed").start()
    return future
