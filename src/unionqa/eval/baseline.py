"""The naive LangChain RAG that tutorials build, scored beside unionqa so the report shows
the margin: ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` over the
documents' text, our embedding object, ``langchain_chroma.Chroma`` in a temporary directory,
top-4 similarity search, and the top chunk as the answer (its one citation).

It reads the same ``Document.text`` the index holds, so its offsets and citations are checked
by the same metrics. It ignores conversation history and never refuses, like the tutorials.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Sequence

from langchain_core.embeddings import Embeddings

from ..types import Answer, Document, Hit, cite

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4


class NaiveRAG:
    name = "naive LangChain RAG"

    def __init__(self, documents: Sequence[Document], embeddings: Embeddings, k: int = TOP_K):
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.k = k
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        chunks = splitter.create_documents(
            [d.text for d in documents],
            metadatas=[
                {"doc_id": d.doc_id, "source": d.source, "title": d.title} for d in documents
            ],
        )
        texts = {d.doc_id: d.text for d in documents}
        for c in chunks:  # the splitter finds start_index by search; make it exact
            text, start = texts[c.metadata["doc_id"]], int(c.metadata["start_index"])
            if text[start : start + len(c.page_content)] != c.page_content:
                c.metadata["start_index"] = max(text.find(c.page_content), 0)
        self._dir = tempfile.mkdtemp(prefix="unionqa-baseline-")
        self.store = Chroma(
            collection_name=f"naive-{uuid.uuid4().hex[:12]}",
            embedding_function=embeddings,  # never Chroma's default model
            persist_directory=self._dir,
            client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True),
        )
        if chunks:
            self.store.add_documents(chunks, ids=[f"naive-{i}" for i in range(len(chunks))])
        self.chunks = len(chunks)
        logger.info("baseline: %d documents, %d chunks", len(documents), len(chunks))

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        pairs = self.store.similarity_search_with_score(question, k=k or self.k)
        hits = []
        for n, (doc, distance) in enumerate(pairs):
            m = doc.metadata
            start = int(m["start_index"])
            hits.append(
                Hit(
                    chunk_id=f"naive-{m['doc_id']}-{start}",
                    doc_id=m["doc_id"],
                    source=m["source"],
                    title=m["title"],
                    text=doc.page_content,
                    score=round(-float(distance), 6),
                    start=start,
                    end=start + len(doc.page_content),
                    locator=f"第{start}字起",
                    metadata={"rank": n + 1},
                )
            )
        return hits

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        t0 = time.perf_counter()
        hits = self.search(question, k=self.k)
        ms = {"retrieve": round((time.perf_counter() - t0) * 1000, 2)}
        if not hits:
            return Answer(answer="", refused=False, timings_ms=ms)
        top = hits[0]
        return Answer(
            answer=top.text, refused=False, citations=[cite(1, top, top.text)], timings_ms=ms
        )

    def close(self) -> None:
        try:
            self.store.delete_collection()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
