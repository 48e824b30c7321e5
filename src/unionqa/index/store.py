"""The index: chunks and their vectors in Chroma, a document registry beside them
(``registry.py``), an ingest manifest and the one-writer lock (``lock.py``). It knows neither the
chunker (its version is passed in) nor the keyword index (``search/keyword.py`` derives that).

Everything a query needs lives in Chroma (embedded ``PersistentClient`` under the data dir, or a
``chroma run`` server via ``UNIONQA_CHROMA_URL``), so API workers sharing one Chroma server see the
same index. Two collections:

- ``<name>``: one record per chunk (vector, verbatim text, offsets, locator, filterable metadata).
  Its collection metadata records the embedding backend, the chunker version and a
  ``generation`` token that changes with every write.
- ``<name>-docs``: one record per document: its full text (to verify and show quotes) and
  registry data (source, sha256 of the file, chunk count). A 1-d placeholder vector: nothing
  ever queries it by similarity.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import (
    BackendUnavailableError,
    IndexMismatchError,
    IndexNotReadyError,
    UnionQAError,
)
from ..settings import Settings
from ..types import Document, DocumentInfo
from .client import is_connection_error, open_client
from .lock import writer_lock
from .registry import Written, as_document, doc_info, record, write_manifest

logger = logging.getLogger(__name__)

# HNSW set deliberately (see docs/benchmarks.md): cosine space, a wide build beam and a search
# beam well above k so recall@10 against exact search stays >= 0.99 on real embeddings.
HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}
WRITE_BATCH = 500
# the documents collection holds whole texts beside 1-d placeholder vectors: Chroma replays the
# records not yet persisted to its vector segment when a process first touches a collection, and
# with the default sync_threshold (1,000) that was up to 999 whole documents, 0.9 s at the law
# book's 3,475; at 100 it is 0.02 s
DOCS_HNSW = {"space": "l2", "sync_threshold": 100, "batch_size": 100}
# metadata of a finished --rebuild collection that may replace the live one
SWAP_READY = "swap_ready"
# chunks read per ``get`` when building the keyword index: one ``get`` of more than about 32,000
# records with documents and metadata exceeds SQLite's limit on query variables in an embedded
# store ("too many SQL variables"; the law book's national part alone has 67,338 chunks)
READ_PAGE = 10_000


class Index:
    def __init__(
        self, settings: Settings, collection: str | None = None, chunker: str | None = None
    ) -> None:
        """``chunker``: the version of the chunker that writes (and was expected to have written)
        this index's chunks; the store itself never chunks."""
        self.settings = settings
        self.name = collection or settings.collection
        self.chunker = chunker
        self.data_dir = Path(settings.data_dir)
        self._client: Any = None
        self._client_lock = threading.Lock()

    # --- connection -------------------------------------------------------------------

    @property
    def client(self) -> Any:
        with self._client_lock:  # request threads may open the store at the same moment
            if self._client is None:
                self._client = open_client(self.settings, self.data_dir)
            return self._client

    def where(self) -> str:
        """Where this index was looked for, for error messages."""
        if self.settings.chroma_url:
            return f"（查找的位置：{self.settings.chroma_url} 的集合 {self.name}）"
        return f"（查找的数据目录：{self.data_dir.resolve()}）"

    @property
    def store(self) -> str:
        return self.settings.chroma_url or "embedded"

    @contextlib.contextmanager
    def backend(self) -> Iterator[None]:
        """Translate connection failures of a Chroma server into one clear error."""
        try:
            yield
        except UnionQAError:
            raise
        except Exception as e:
            if self.settings.chroma_url and is_connection_error(e):
                self._client = None
                raise BackendUnavailableError(
                    "向量数据库（Chroma 服务器）暂时无法连接，请稍后再试。"
                ) from e
            raise

    def create(self, embedding: str) -> None:
        """Create the collections if they are missing, recording ``embedding`` and the chunker."""
        self._collections(create=True, embedding=embedding)

    def _collections(self, create: bool = False, embedding: str | None = None) -> tuple[Any, Any]:
        with self.backend():
            if create:
                chunks = self.client.get_or_create_collection(
                    self.name,
                    embedding_function=None,
                    configuration={"hnsw": dict(HNSW)},
                    metadata={
                        "embedding": embedding or self.settings.embedding_spec,
                        "chunker": self.chunker,
                        "generation": uuid.uuid4().hex,
                    },
                )
                docs = self.client.get_or_create_collection(
                    f"{self.name}-docs",
                    embedding_function=None,
                    configuration={"hnsw": dict(DOCS_HNSW)},
                )
                return chunks, docs
            if not self.settings.chroma_url and not (self.data_dir / "chroma").is_dir():
                # a reader never creates the data dir (``ask`` run from another folder)
                raise IndexNotReadyError(where=self.where())
            try:
                chunks = self.client.get_collection(self.name, embedding_function=None)
                docs = self.client.get_collection(f"{self.name}-docs", embedding_function=None)
            except Exception as e:
                if is_connection_error(e):
                    raise
                # a rebuild killed while it swapped: read the finished rebuild until the next
                # ingest moves it into place (readers never write)
                pair = self._unswapped_rebuild()
                if pair is None:
                    raise IndexNotReadyError(where=self.where()) from e
                return pair
            return chunks, docs

    def _get(self, name: str) -> Any | None:
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception as e:
            if is_connection_error(e):
                raise
            return None

    def _unswapped_rebuild(self) -> tuple[Any, Any] | None:
        """(chunks, documents) of a finished ``--rebuild`` not yet swapped in, or None."""
        ready = self._get(f"{self.name}-rebuild")
        if ready is None or not (ready.metadata or {}).get(SWAP_READY):
            return None
        docs = self._get(f"{self.name}-rebuild-docs") or self._get(f"{self.name}-docs")
        return None if docs is None else (ready, docs)

    # --- state ------------------------------------------------------------------------

    def exists(self) -> bool:
        try:
            self._collections()
        except IndexNotReadyError:
            return False
        return True

    def info(self) -> dict[str, Any]:
        chunks, docs = self._collections()
        with self.backend():
            meta = dict(chunks.metadata or {})
            return {
                **meta,
                "chunks": chunks.count(),
                "documents": docs.count(),
                "store": self.store,
            }

    def check_compatible(self, embedding: str) -> None:
        """Fail clearly instead of answering wrongly when the index was built differently."""
        chunks, _ = self._collections()
        meta = chunks.metadata or {}
        if meta.get("embedding") != embedding:
            raise IndexMismatchError("向量模型", str(meta.get("embedding")), embedding)
        if meta.get("chunker") != self.chunker:
            raise IndexMismatchError("切分方式", str(meta.get("chunker")), str(self.chunker))

    def generation(self) -> str:
        chunks, _ = self._collections()
        with self.backend():
            return str((chunks.metadata or {}).get("generation", ""))

    def _bump_generation(self, chunks: Any) -> None:
        meta = dict(chunks.metadata or {})
        meta["generation"] = uuid.uuid4().hex
        with self.backend():
            chunks.modify(metadata=meta)

    # --- documents --------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        _, docs = self._collections()
        with self.backend():
            got = docs.get(include=["metadatas"])
        out = [doc_info(i, m) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)]
        return sorted(out, key=lambda d: d.source)

    def registry(self) -> dict[str, DocumentInfo]:
        return {d.doc_id: d for d in self.documents()}

    def get_document(self, doc_id: str) -> Document | None:
        _, docs = self._collections()
        with self.backend():
            got = docs.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        m = got["metadatas"][0]
        return as_document(doc_id, got["documents"][0], m)

    def write_documents(self, items: list[Written]) -> None:
        """Replace the documents' chunks, then record them in the registry (that order makes a
        crash at any point converge on the next ingest: the registry still has the old hashes).

        A batch goes to Chroma in as few calls as it can: each call's cost grows with the size
        of the collection (measured with the embedded store: one document per call made the
        law book's ingest quadratic), so documents are written together, not one by one."""
        col, docs = self._collections(create=True)
        with self.backend():
            for it in items:
                old = col.get(where={"doc_id": it.doc.doc_id}, include=[])["ids"]
                stale = sorted(set(old) - {c.chunk_id for c in it.chunks})
                if stale:
                    col.delete(ids=stale)
            rows = [(c, v) for it in items for c, v in zip(it.chunks, it.vectors, strict=True)]
            for i in range(0, len(rows), WRITE_BATCH):
                part = rows[i : i + WRITE_BATCH]
                col.upsert(
                    ids=[c.chunk_id for c, _ in part],
                    embeddings=[v for _, v in part],
                    documents=[c.text for c, _ in part],
                    metadatas=[{**c.metadata, "start": c.start, "end": c.end} for c, _ in part],
                )
            docs.upsert(
                ids=[it.doc.doc_id for it in items],
                embeddings=[[1.0]] * len(items),
                documents=[it.doc.text for it in items],
                metadatas=[record(it) for it in items],
            )

    def delete_document(self, doc_id: str) -> bool:
        col, docs = self._collections()
        with self.backend():
            if not docs.get(ids=[doc_id], include=[])["ids"]:
                return False
            col.delete(where={"doc_id": doc_id})
            docs.delete(ids=[doc_id])
        return True

    def finish_write(self) -> None:
        """After a batch of writes: new generation (so keyword caches rebuild) and manifest."""
        col, _ = self._collections()
        self._bump_generation(col)
        self.write_manifest()

    def write_manifest(self) -> None:
        info = self.info()
        manifest = {
            "embedding": info.get("embedding"),
            "chunker_version": info.get("chunker"),
            "collection": self.name,
            "store": self.store,
            "generation": info.get("generation"),
            "documents": info["documents"],
            "chunks": info["chunks"],
            "hnsw": HNSW,
            "updated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        write_manifest(self.data_dir, manifest)

    def drop(self) -> None:
        with self.backend():
            for name in (self.name, f"{self.name}-docs"):
                with contextlib.suppress(Exception):
                    self.client.delete_collection(name)

    def mark_swap_ready(self) -> None:
        """On a finished rebuild (collection NAME-rebuild): it may now replace NAME."""
        chunks, _ = self._collections()
        with self.backend():
            chunks.modify(metadata={**(chunks.metadata or {}), SWAP_READY: True})

    def finish_swap(self) -> bool:
        """Replace this index by its finished rebuild, if there is one. Each step leaves a state
        the next call completes, so a kill at any point loses neither index: whatever of NAME is
        left while NAME-rebuild exists is the old index, and NAME-rebuild (whose presence marks
        the swap as unfinished) is renamed last. Call under the lock."""
        with self.backend():
            pair = self._unswapped_rebuild()
            if pair is None:
                return False
            chunks, new, old = pair[0], f"{self.name}-rebuild", self.name
            docs = self._get(f"{new}-docs")
            # the old index goes first: from then on, readers find NAME missing and read the
            # rebuild (its documents under either name), never old chunks with new documents
            if docs is not None and self._get(f"{old}-docs") is not None:
                self.client.delete_collection(f"{old}-docs")
            if self._get(old) is not None:
                self.client.delete_collection(old)
            if docs is not None:
                docs.modify(name=f"{old}-docs")
            meta = {k: v for k, v in (chunks.metadata or {}).items() if k != SWAP_READY}
            chunks.modify(name=old, metadata=meta)
        return True

    # --- search -----------------------------------------------------------------------

    def dense(
        self, vector: list[float], n: int, where: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        chunks, _ = self._collections()
        with self.backend():
            n = min(n, chunks.count())
            if n == 0:
                return []
            res = chunks.query(
                query_embeddings=[vector],
                n_results=n,
                where=where or None,
                include=["documents", "metadatas", "distances"],
            )
        return [
            {"chunk_id": i, "text": t, "metadata": m, "similarity": 1.0 - float(d)}
            for i, t, m, d in zip(
                res["ids"][0],
                res["documents"][0],
                res["metadatas"][0],
                res["distances"][0],
                strict=True,
            )
        ]

    def fetch(self, ids: list[str], vector: list[float] | None = None) -> dict[str, dict[str, Any]]:
        """Chunks by id; with ``vector``, each also gets its cosine similarity to it."""
        if not ids:
            return {}
        chunks, _ = self._collections()
        include = ["documents", "metadatas"] + (["embeddings"] if vector is not None else [])
        query = np.asarray(vector, dtype=np.float64) if vector is not None else None
        with self.backend():
            got = chunks.get(ids=ids, include=include)
        out = {}
        for n, i in enumerate(got["ids"]):
            row = {"chunk_id": i, "text": got["documents"][n], "metadata": got["metadatas"][n]}
            if query is not None:
                row["similarity"] = float(np.dot(np.asarray(got["embeddings"][n]), query))
            out[i] = row
        return out

    def read_chunks(self) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        """Every chunk's id, text and metadata, read ``READ_PAGE`` records at a time."""
        chunks, _ = self._collections()
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        with self.backend():
            total = chunks.count()
            for offset in range(0, total, READ_PAGE):
                got = chunks.get(include=["documents", "metadatas"], limit=READ_PAGE, offset=offset)
                ids += got["ids"]
                texts += got["documents"]
                metas += got["metadatas"]
        return ids, texts, metas

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """One writer at a time (``lock.writer_lock``); a rebuild that a kill stopped halfway
        through its swap is completed first."""
        with writer_lock(self.data_dir):
            self.finish_swap()  # a rebuild killed while it swapped in: every writer finishes it
            yield
