"""Request and response bodies of the HTTP API, with the Chinese examples the OpenAPI page shows.

Answers, hits and documents are the shared value types of ``types.py`` (CONTRACT.md); this module
adds only what the HTTP surface needs on top: request bodies, an answer ``id`` for feedback, the
error body, and the OpenAI-compatible chat shapes.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..types import Answer, Citation, DocumentInfo, Escalation

ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"

# One server-sent event, as OpenAPI 3.1 describes the items of a text/event-stream response.
ASK_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["delta", "answer", "done", "error"]},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "description": 'delta: {"text": …}；answer: 完整回答（含 id）；done: {}；error: 错误 JSON',
        },
    },
    "required": ["event", "data"],
}
CHAT_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["message"]},
        "data": {
            "type": "string",
            "description": "chat.completion.chunk JSON；最后是 [DONE]；中途出错为 "
            '{"error": {"code": …, "message": …}}',
        },
    },
    "required": ["data"],
}


class ErrorOut(BaseModel):
    """Every error, whatever the route: a stable code and a Chinese sentence saying what to do."""

    error: str = Field(description="机器可读的错误代码", examples=["question_too_long"])
    message: str = Field(
        description="给人看的说明（中文），告诉调用方下一步怎么做",
        examples=["问题太长：最多 1000 个字，请精简后再问。"],
    )


class AskRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"question": "公司招应届生能领什么补助？", "history": [], "as_of": None},
                {
                    "question": "这个补助什么时候截止？",
                    "history": ["公司招应届生能领什么补助？"],
                    "as_of": "2025-06-30",
                },
            ]
        }
    )

    question: str = Field(
        min_length=1, description="职工的问题（长度上限见 UNIONQA_API__MAX_QUESTION_CHARS）"
    )
    history: list[str] = Field(
        default_factory=list, max_length=20, description="同一会话中更早的用户提问，从旧到新"
    )
    as_of: date | None = Field(
        default=None, description="按这一天判断政策是否有效（YYYY-MM-DD），默认今天"
    )


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = Field(default=None, max_length=100, examples=["policy"])
    region: str | None = Field(default=None, max_length=100, examples=["national"])
    in_force: date | None = Field(default=None, description="只要这一天仍有效的资料")
    source: str | None = Field(
        default=None, max_length=500, examples=["graduate-hiring-subsidy.md"]
    )
    doc_id: str | None = Field(default=None, max_length=100)

    def as_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"question": "老板拖了俩月工资不发，我该找谁？", "history": []}]
        }
    )

    question: str = Field(min_length=1, description="职工的问题")
    history: list[str] = Field(default_factory=list, max_length=20, description="更早的用户提问")


class SearchRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"question": "一次性扩岗补助", "k": 5, "filters": {"region": "national"}},
            ]
        }
    )

    question: str = Field(min_length=1, description="要检索的内容")
    k: int | None = Field(default=None, ge=1, le=50, description="返回条数，默认 8")
    filters: SearchFilters | None = None


class AnswerOut(Answer):
    """The Answer of CONTRACT.md plus ``id``, to send with ``POST /v1/feedback``."""

    id: str = Field(description="回答编号，评价时使用", examples=["ans_9f1c2e…"])

    @classmethod
    def from_answer(cls, answer: Answer, answer_id: str) -> AnswerOut:
        return cls(**answer.model_dump(), id=answer_id)


class DocumentList(BaseModel):
    count: int
    documents: list[DocumentInfo]


class DocumentDeleted(BaseModel):
    doc_id: str
    deleted: bool = True


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "answer_id": "ans_9f1c2e",
                    "rating": "down",
                    "comment": "引用的不是我问的那条规定。",
                }
            ]
        }
    )

    answer_id: str = Field(pattern=ID_PATTERN, description="回答里的 id（或对话接口的 id）")
    rating: Literal["up", "down"] = Field(description="up = 有帮助，down = 没帮助")
    comment: str | None = Field(
        default=None, max_length=1000, description="可选留言；手机号、身份证号等会被抹去后保存"
    )


class FeedbackOut(BaseModel):
    id: str
    stored: bool = True


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"
    pid: int = Field(description="应答的进程号（多进程部署时可区分 worker）")


class ReadyOut(BaseModel):
    status: Literal["ready"] = "ready"
    documents: int
    chunks: int
    embedding: str | None = None
    pid: int


# --- OpenAI-compatible chat ----------------------------------------------------------------


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """Fields of OpenAI's request that are not listed here (temperature, …) are accepted and ignored."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": "unionqa",
                    "messages": [
                        {"role": "system", "content": "你是工会的政策咨询助手。"},
                        {"role": "user", "content": "公司招应届生能领什么补助？"},
                    ],
                    "stream": False,
                }
            ]
        },
    )

    model: str | None = Field(default="unionqa", max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool | None = False


class AnswerExtras(BaseModel):
    """What the OpenAI shapes carry beyond OpenAI's own fields."""

    citations: list[Citation]
    refused: bool
    notices: list[str]
    escalation: Escalation | None


class ChatOutMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str = Field(description="回答正文，含 [n] 标记，末尾附“来源：”清单")
    citations: list[Citation] = Field(default_factory=list)


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatOutMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    id: str = Field(description="也可作为 answer_id 用于 POST /v1/feedback")
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    citations: list[Citation]
    refused: bool
    notices: list[str]
    escalation: Escalation | None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "unionqa"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def chat_chunk(
    chunk_id: str,
    created: int,
    delta: dict[str, Any],
    finish: str | None = None,
    extras: AnswerExtras | None = None,
) -> dict[str, Any]:
    """One ``chat.completion.chunk`` (a plain dict: it is serialised straight into the stream)."""
    out: dict[str, Any] = {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": "unionqa",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if extras is not None:
        out.update(extras.model_dump(mode="json"))
    return out


# --- validation errors, in Chinese -------------------------------------------------------

_REASONS = {
    "missing": "缺少该字段",
    "json_invalid": "不是有效的 JSON",
    "json_type": "应为 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "string_type": "应为字符串",
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "too_short": "太短或为空",
    "too_long": "条目太多",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "extra_forbidden": "不认识这个字段",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "date_type": "应为 YYYY-MM-DD 格式的日期",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_inexact": "应为 YYYY-MM-DD 格式的日期",
}


def _reason(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    reason = _REASONS.get(kind, "格式不正确")
    ctx = err.get("ctx") or {}
    # ctx carries limits from the schema, never the caller's input
    if kind == "literal_error" and "expected" in ctx:
        reason = f"只能是 {ctx['expected']}"
    elif kind in ("string_too_long", "too_long") and "max_length" in ctx:
        reason = f"最多 {ctx['max_length']} 个"
    elif kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        reason = f"应{'不小于' if kind == 'greater_than_equal' else '不大于'} {bound}"
    return reason


def validation_message(errors: list[dict[str, Any]]) -> str:
    """A Chinese sentence naming the fields at fault, built without the rejected values."""
    parts = []
    for err in errors[:3]:
        loc = [str(p) for p in err.get("loc", ()) if p != "body"]
        where = "请求体" if err.get("type") == "json_invalid" else ".".join(loc) or "请求体"
        parts.append(f"{where} {_reason(err)}")
    more = f"（另有 {len(errors) - 3} 处）" if len(errors) > 3 else ""
    return "请求格式不正确：" + "；".join(parts) + more + "。请对照 /docs 中的示例修改。"
