"""Routes for the people who run the hotline (admin key): the outcome counters
(``GET /v1/stats``) and the feedback read back (``GET /v1/feedback``). Neither holds question
text: the counters never saw it and feedback never stored it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from .access import ApiError, Caller
from .routes import ERRORS, CallerDep, ServiceDep, StateDep, WorkDep, api_caller


async def ops_admin(caller: CallerDep, state: StateDep) -> Caller:
    """An admin key from ``UNIONQA_ADMIN_KEYS``: 401 without a known key, 403 with another."""
    if caller.admin:
        return caller
    if not state.settings.key_list(admin=True):
        raise ApiError(
            403,
            "admin_disabled",
            "此服务未设置管理员密钥：请在服务器上设置 UNIONQA_ADMIN_KEYS，"
            "或在服务器上运行 `unionqa stats` / `unionqa feedback export`。",
        )
    if caller.key_id is None:
        raise ApiError(
            401,
            "unauthorized",
            "这个接口需要管理员密钥：请在请求头加上 Authorization: Bearer <管理员密钥>。",
            {"WWW-Authenticate": "Bearer"},
        )
    raise ApiError(403, "forbidden", "这个密钥不能查看统计和评价，请使用管理员密钥。")


router = APIRouter(
    prefix="/v1",
    dependencies=[Depends(api_caller), Depends(ops_admin)],
    responses=ERRORS,
    tags=["operations"],
)


class FeedbackItem(BaseModel):
    id: str
    answer_id: str
    rating: Literal["up", "down"]
    comment: str | None  # personal numbers already redacted when stored
    created_at: str  # ISO 8601 with the server's offset
    key_id: str | None  # the sending key's short hash, "ui" for the chat page


class FeedbackList(BaseModel):
    items: list[FeedbackItem]
    count: int  # items on this page
    total: int  # items matching the filters
    next_cursor: str | None  # pass as `cursor` for the next page; null on the last one
    next_offset: int | None  # the same as an offset (when paging by offset)


@router.get("/stats", summary="回答结果统计（需管理员密钥）")
async def stats(
    service: ServiceDep,
    work: WorkDep,
    state: StateDep,
    days: Annotated[int, Query(ge=1, le=366, description="最近几天（含今天）")] = 7,
) -> dict[str, Any]:
    """按天统计：回答结果（answered/partial/none）、情形、资料未写明的数字类型、语言、渠道、
    评价；`unanswered` 是以 partial 或 none 结束最多的情形（补充资料的待办清单）。不含问题原文。"""
    report: dict[str, Any] = await work(service.stats, days)
    return report


@router.get("/feedback", summary="读取回答评价（需管理员密钥，分页）")
async def list_feedback(
    work: WorkDep,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[date | None, Query(description="起始日期（含），YYYY-MM-DD")] = None,
    until: Annotated[date | None, Query(description="结束日期（含），YYYY-MM-DD")] = None,
    rating: Annotated[Literal["up", "down"] | None, Query()] = None,
) -> FeedbackList:
    """按时间先后返回评价：回答编号、评价、留言（已抹去个人信息）、时间、密钥编号。"""
    page = await work(
        state.service.feedback.query,
        since=since,
        until=until,
        rating=rating,
        limit=limit,
        offset=offset,
        cursor=cursor,
    )
    return FeedbackList(
        items=[FeedbackItem.model_validate(r.as_json()) for r in page.items],
        count=len(page.items),
        total=page.total,
        next_cursor=page.next_cursor,
        next_offset=page.next_offset,
    )
