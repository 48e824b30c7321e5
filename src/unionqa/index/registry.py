"""The document registry kept beside the chunks (one record per document: its text, source,
sha256 and chunk count) and the ingest manifest."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..types import Chunk, Document, DocumentInfo


@dataclass(frozen=True)
class Written:
    """One document to write: its chunks with their vectors, and where it came from."""

    doc: Document
    sha256: str
    chunks: list[Chunk]
    vectors: list[list[float]]
    origin: str
    root: str = ""


def record(it: Written) -> dict[str, Any]:
    """The registry metadata of a written document."""
    return {
        "source": it.doc.source,
        "title": it.doc.title,
        "sha256": it.sha256,
        "chunks": len(it.chunks),
        "origin": it.origin,
        "root": it.root,
        "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "meta_json": json.dumps(it.doc.metadata, ensure_ascii=False),
    }


def as_document(doc_id: str, text: str, m: dict[str, Any]) -> Document:
    return Document(
        doc_id=doc_id,
        source=m["source"],
        title=m["title"],
        text=text,
        metadata=json.loads(m.get("meta_json", "{}")),
    )


def doc_info(doc_id: str, m: dict[str, Any]) -> DocumentInfo:
    return DocumentInfo(
        doc_id=doc_id,
        source=m["source"],
        title=m["title"],
        sha256=m["sha256"],
        chunks=int(m["chunks"]),
        metadata={
            **json.loads(m.get("meta_json", "{}")),
            "origin": m.get("origin", ""),
            "root": m.get("root", ""),
            "ingested_at": m.get("ingested_at"),  # absent for documents written before 2026-12
        },
    )


def write_manifest(data_dir: Path, manifest: dict[str, Any]) -> None:
    """``data_dir/manifest.json``, replaced atomically."""
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(data_dir / "manifest.json")
