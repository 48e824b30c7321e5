"""Backend settings → a LangChain chat model: any OpenAI-compatible endpoint (DeepSeek, Qwen,
vLLM, Ollama, a llama.cpp server) or, with the ``llama`` extra, a local GGUF file."""

from __future__ import annotations

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import SecretStr

from ..errors import MissingExtraError
from ..settings import LLMSettings


def llm_configured(cfg: LLMSettings) -> bool:
    return bool(cfg.base_url or cfg.gguf_path)


def make_chat_model(cfg: LLMSettings) -> BaseChatModel:
    if cfg.gguf_path:
        try:
            from langchain_community.chat_models import ChatLlamaCpp
        except ImportError as e:
            raise MissingExtraError("llama-cpp-python", "llama") from e
        return ChatLlamaCpp(model_path=str(cfg.gguf_path), temperature=cfg.temperature, n_ctx=8192)
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=cfg.base_url,
        model=cfg.model,
        api_key=cfg.api_key or SecretStr("not-needed"),
        temperature=cfg.temperature,
        timeout=cfg.timeout_s,
        max_retries=0,
        streaming=True,
    )
