"""The documents routes: list, read, upload (admin) and delete (admin)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile

from ..ingest.loaders import file_sha256
from ..ingest.pipeline import CommitGate
from ..types import Document, DocumentInfo
from .access import ApiError
from .routes import (
    ERRORS,
    DocId,
    ServiceDep,
    StateDep,
    WorkDep,
    admin_caller,
    api_caller,
    public_info,
)
from .schemas import DocumentDeleted, DocumentList

router = APIRouter(prefix="/v1", dependencies=[Depends(api_caller)], responses=ERRORS)


@router.get("/documents", summary="已导入的文档", tags=["documents"])
async def documents(service: ServiceDep, work: WorkDep) -> DocumentList:
    infos: list[DocumentInfo] = await work(service.documents)
    return DocumentList(count=len(infos), documents=[public_info(i) for i in infos])


@router.get("/documents/{doc_id}", summary="文档全文（供查看引用出处）", tags=["documents"])
async def get_document(doc_id: DocId, service: ServiceDep, work: WorkDep) -> Document:
    doc: Document | None = await work(service.get_document, doc_id)
    if doc is None:
        raise ApiError(
            404, "document_not_found", "没有这个文档，请先用 GET /v1/documents 查看文档列表。"
        )
    return doc


@router.post(
    "/documents",
    summary="上传并导入一个文档（需管理员密钥）",
    tags=["documents"],
    status_code=201,
    responses={200: {"model": DocumentInfo, "description": "同样内容的文件已导入过：返回已有文档"}},
    dependencies=[Depends(admin_caller)],
)
async def add_document(
    file: Annotated[UploadFile, File(description="支持 .md .txt .html .docx .xlsx .pdf")],
    service: ServiceDep,
    state: StateDep,
    work: WorkDep,
    response: Response,
    trusted: Annotated[
        bool,
        Form(description="管理员担保此文档可信：回答中显示其中的电话、网址和账号（否则隐去）"),
    ] = False,
) -> DocumentInfo:
    """201 when written; 200 with the stored document when the same bytes are already indexed
    (a retry is safe); 413 ``upload_too_large`` for a file over the chunk limit; on 504 nothing
    was saved."""
    data = await file.read()
    gate = CommitGate()

    def add() -> tuple[DocumentInfo, bool]:
        try:
            return service.add_document(
                data,
                file.filename or "",
                max_chunks=state.settings.api.max_upload_chunks,
                gate=gate,
                trusted=trusted,
            )
        finally:
            gate.done.set()

    try:
        info, created = await work(add)
    except ApiError as e:
        if e.code != "deadline_exceeded":
            raise
        if gate.abandon():
            raise ApiError(
                504,
                "deadline_exceeded",
                f"上传处理超时（超过 {state.settings.api.deadline_s:g} 秒），文件没有保存。"
                "请稍后重试；大文件请在服务器上用 `unionqa ingest` 导入。",
            ) from None
        # the write had begun when the deadline came: it finishes, and so does this answer
        await asyncio.to_thread(gate.done.wait)
        sha = file_sha256(data)
        stored = next(
            (d for d in await asyncio.to_thread(service.documents) if d.sha256 == sha), None
        )
        if stored is None:
            raise
        info, created = stored, True
    response.status_code = 201 if created else 200
    return public_info(info)


@router.delete(
    "/documents/{doc_id}",
    summary="删除一个文档（需管理员密钥）",
    tags=["documents"],
    dependencies=[Depends(admin_caller)],
)
async def delete_document(doc_id: DocId, service: ServiceDep, work: WorkDep) -> DocumentDeleted:
    if not await work(service.delete_document, doc_id):
        raise ApiError(404, "document_not_found", "没有这个文档，无需删除。")
    return DocumentDeleted(doc_id=doc_id)
