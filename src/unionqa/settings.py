"""One Settings tree, read from ``UNIONQA_*`` environment variables (``__`` nests) and ``.env``.

Nothing reads the environment at import time: front doors call ``get_settings()``,
tests build ``Settings(...)`` directly.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class LLMSettings(BaseModel):
    base_url: str | None = None  # unset = extractive answers
    model: str = "deepseek-chat"
    api_key: SecretStr | None = None
    timeout_s: float = 20.0
    temperature: float = 0.0
    gguf_path: Path | None = None  # optional local model through llama-cpp-python


# hits per search: the default and bounds, for the core (library and CLI) and the HTTP API,
# whose responses carry each hit's text and so stop lower
K_DEFAULT = 8
K_MIN, K_MAX, K_MAX_API = 1, 100, 50


class RetrievalSettings(BaseModel):
    k: int = K_DEFAULT  # hits handed to the answer chain
    candidates: int = 40  # per retriever, before fusion
    dense_weight: float = 1.0
    keyword_weight: float = 1.5  # chosen on the dev questions (bench/tune_dev.py)
    phrase_weight: float = 0.02  # scale of one RRF rank step near the top (1/61 - 1/62 ≈ 0.0003)


class SituationSettings(BaseModel):
    """The labour issue map at question time. Chosen on the development questions only
    (eval/dev_workers.jsonl, bench/tune_map.py), never on eval/questions.jsonl."""

    enabled: bool = True
    # a question whose nearest exemplar is below this describes no labour situation (e5 puts
    # off-topic questions at 0.87-0.90 and the answerable ones from 0.89 up)
    min_similarity: float = 0.905
    top_exemplars: int = 3  # a Chinese question's score: the mean of its 3 nearest exemplars
    lexical_weight: float = 0.03  # BM25 over each situation's exemplars, name and triggers
    trigger_bonus: float = 0.005
    second_margin: float = 0.01  # another situation within this of the best is matched too
    max_matches: int = 3
    # retrieval: a matched situation's governing articles enter the hits with this boost (one
    # reciprocal-rank step near the top is ~0.0003, the best fused score ~0.04), the first
    # article most, and a second situation's less
    boost: float = 0.05
    article_decay: float = 0.8
    second_factor: float = 0.6
    # an article whose asked-point words (``asks`` in the map) the question holds goes first,
    # boosted this much more
    asked_factor: float = 1.25


class AnswerSettings(BaseModel):
    # Refusal gate, chosen on the development questions (bench/tune_dev.py), never the eval set:
    # answer when an article is named exactly, or when the best passage is similar enough in
    # meaning and the top passages address the question: for a short question, enough of its
    # terms (weighted by idf, with glossary equivalents) and not missing its heaviest term; for a
    # long narrative, enough covered weight in absolute terms.
    min_coverage: float = 0.4
    max_missing_share: float = 0.34
    long_question: int = 30  # question_length() above which a question counts as a narrative
    min_covered_weight: float = 5.0
    # None: the embedding model's own floor (embeddings.py), since each model has its own scale;
    # e5 scores English questions against Chinese text lower, hence a second one
    min_similarity: float | None = None
    min_similarity_en: float | None = None
    llm_passages: int = 6
    # with the issue map on, a Chinese question that matches no labour situation needs its best
    # passage this close; None: the embedding model's own (e5 0.87 on the development set:
    # answerable ones from 0.87, off-topic ones up to 0.866; an uncalibrated model: no extra floor)
    unmatched_min_similarity: float | None = None
    # a question whose best situation scores this (e5's scale) is surely about it: when none of
    # that situation's rules is among the hits, a news item's passage found by its words does not
    # answer it (chosen on eval/dev_questions.jsonl: answerable ungoverned matches up to 0.962,
    # questions the documents cannot answer from 0.976)
    sure_situation: float = 0.97
    # a statute whose provenance line (``<!-- … | source: github.com/LawRefBook/Laws @ … -->``)
    # names a source starting with one of these is trusted: its phone numbers, URLs and account
    # numbers are shown. Other documents are trusted only when marked (front matter
    # ``trust: trusted`` or the upload's ``trusted`` flag); from the rest they are masked
    trusted_sources: list[str] = [
        "github.com/LawRefBook/Laws",
        "flk.npc.gov.cn",
        "www.gov.cn",
        "www.mohrss.gov.cn",
    ]


class APISettings(BaseModel):
    max_question_chars: int = 1000
    max_body_bytes: int = 64 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    # chunks an upload may have: more are refused (413) before any work, since an upload must
    # be embedded inside the deadline (docs/benchmarks.md, "Uploads"); bigger: `unionqa ingest`
    max_upload_chunks: int = 40  # 21-22 s on a quiet machine, 100 took 56 s (docs/benchmarks.md)
    deadline_s: float = 30.0
    quota_per_minute: int = 60
    cors_origins: list[str] = []
    feedback_retention_days: int = 180
    # requests being answered at once per process; beyond it 503 at once. Two per core: on
    # 2 cores more threads add no throughput and slow everything, rejections included
    max_concurrency: int = Field(default_factory=lambda: 2 * (os.cpu_count() or 1))
    mount_ui: bool = True  # serve the chat page at / beside the API
    # a request's line and headers: at most this many bytes (400 and closed beyond), and all of
    # them within this many seconds of connecting (closed otherwise)
    # failed API keys per client address in any 60 s; beyond it 429 for that address; 0 = off
    max_auth_failures_per_minute: int = 20
    # addresses of reverse proxies whose X-Forwarded-For names the client (its quota bucket);
    # none by default: the connection's own address counts
    trusted_proxies: list[str] = []
    max_header_bytes: int = Field(default=32 * 1024, ge=4096)
    header_timeout_s: float = Field(default=10.0, gt=0)


class UISettings(BaseModel):
    # "public": anyone may use the chat page (bounded like the API: length, quota per address,
    # the shared pool, the deadline); "key": the page asks for an API key first
    auth: Literal["public", "key"] = "public"
    # sent with every response (the chat page above all); "" sends none. Set frame-ancestors to
    # the hotline's site to embed the page in an iframe there
    content_security_policy: str = "frame-ancestors 'self'; object-src 'none'; base-uri 'self'"
    referrer_policy: str = "same-origin"


class HandoffSettings(BaseModel):
    """The hotline's webhook: each answer with an escalation is POSTed here (handoff.py)."""

    url: str | None = None  # unset = no webhook
    secret: SecretStr | None = None  # HMAC-SHA256 key of X-Unionqa-Signature
    include_question: bool = False  # send the question too (redacted); off by default
    timeout_s: float = Field(default=10.0, gt=0)
    backoff_s: float = Field(default=2.0, gt=0)  # first retry delay, doubled after each failure
    max_backoff_s: float = Field(default=600.0, gt=0)


class StatsSettings(BaseModel):
    retention_days: int = Field(default=180, ge=1)  # daily outcome counters older than this go


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="UNIONQA_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    data_dir: Path = Path(".unionqa")
    chroma_url: str | None = None  # None = embedded store under data_dir
    # Seconds to wait for a Chroma server's answer (its client waits forever on a frozen one)
    chroma_timeout_s: int = Field(default=30, ge=1)
    collection: str = "unionqa"
    # the embedding backend (index/embeddings.py) and the model of sentence-transformers (a local
    # path or a name); UNIONQA_EMBEDDING=sentence-transformers:<model> sets both
    embedding: Literal["e5-small", "use", "sentence-transformers", "hashing"] = "e5-small"
    embedding_model: str | None = None
    # Threads for the embedding model. Serving: 1 per worker (no oversubscription under
    # concurrent requests); ingest: all cores. None = choose by role (see embeddings.py).
    threads: int | None = None
    llm: LLMSettings = LLMSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    situations: SituationSettings = SituationSettings()
    api: APISettings = APISettings()
    ui: UISettings = UISettings()
    handoff: HandoffSettings = HandoffSettings()
    stats: StatsSettings = StatsSettings()
    # comma-separated keys in the environment (UNIONQA_API_KEYS=a,b); unset = open API
    api_keys: SecretStr | None = None
    admin_keys: SecretStr | None = None  # the keys allowed to change documents
    hotline: str = "12351"
    log_level: str = "INFO"

    @model_validator(mode="before")
    @classmethod
    def _split_embedding(cls, data: Any) -> Any:
        """``embedding="backend:model"``, the one string it was before ``embedding_model``."""
        if isinstance(data, dict) and isinstance(data.get("embedding"), str):
            backend, colon, model = data["embedding"].partition(":")
            if colon:
                if data.get("embedding_model") not in (None, model):
                    raise ValueError(
                        f"UNIONQA_EMBEDDING 的模型 {model} 与 UNIONQA_EMBEDDING_MODEL 不同，请只设一处"
                    )
                data = {**data, "embedding": backend, "embedding_model": model}
        return data

    @model_validator(mode="after")
    def _check_embedding_model(self) -> Settings:
        if self.embedding == "sentence-transformers" and not self.embedding_model:
            raise ValueError(
                "sentence-transformers 需要指定模型：UNIONQA_EMBEDDING_MODEL=<路径或名称>"
            )
        if self.embedding != "sentence-transformers" and self.embedding_model:
            raise ValueError(
                f"{self.embedding} 不需要指定模型（UNIONQA_EMBEDDING_MODEL 只用于 sentence-transformers）"
            )
        return self

    @property
    def embedding_spec(self) -> str:
        """``backend[:model]``: what an index records as its embedding and is checked against."""
        return (
            f"{self.embedding}:{self.embedding_model}" if self.embedding_model else self.embedding
        )

    def key_list(self, admin: bool = False) -> list[str]:
        raw = self.admin_keys if admin else self.api_keys
        # a copy made with model_copy(update=...) is not validated: it may hold a plain string
        text = raw.get_secret_value() if isinstance(raw, SecretStr) else raw or ""
        return [k.strip() for k in text.split(",") if k.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
