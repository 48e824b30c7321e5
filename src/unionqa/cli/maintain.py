"""The maintainers' commands: ``unionqa documents`` (what is indexed; remove one) and
``unionqa eval`` (answer quality against the source text, with gates)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from ..settings import Settings
from . import _emit, _parse_as_of, _service, _settings, data_dir_option


@click.command()
@click.option("--remove", "remove", metavar="DOC_ID", default=None, help="Delete this document.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@data_dir_option
def documents(remove: str | None, as_json: bool, data_dir: Path | None) -> None:
    """List the indexed documents, or remove one."""

    service = _service(data_dir, role="ingest")
    infos = service.documents()  # fails clearly, creating nothing, when there is no index
    if remove is not None:
        if not service.delete_document(remove):
            raise UsageError(f"没有这个文档：{remove}（用 `unionqa documents` 查看文档编号）。")
        if as_json:
            _emit({"doc_id": remove, "deleted": True})
        else:
            click.echo(f"已删除 {remove}。")
        return
    sources = service.settings.answer.trusted_sources
    rows = [_document_row(i, sources) for i in infos]
    total = service.index.info()["chunks"]
    if as_json:
        _emit({"count": len(rows), "index_chunks": total, "documents": rows})
        return
    for r in rows:
        valid = f"有效期至 {r['valid_until']}" if r["valid_until"] else "未注明有效期"
        click.echo(
            f"{r['doc_id']}  {r['title']}  ({r['source']}, {r['kind']}, {r['chunks']} 段, "
            f"{valid}, 导入于 {r['ingested_at'] or '未记录'})"
        )
    click.echo(f"共 {len(rows)} 个文档，{total} 段。")


def _document_row(info: Any, trusted_sources: list[str]) -> dict[str, Any]:
    """One line of ``documents --json`` (CONTRACT-level shape, see README)."""
    from ..answer.trust import is_trusted
    from ..types import parse_date

    valid = parse_date(info.metadata.get("valid_until"))
    return {
        "doc_id": info.doc_id,
        "source": info.source,
        "title": info.title,
        "kind": str(info.metadata.get("kind", "document")),
        "chunks": info.chunks,
        "valid_until": valid.isoformat() if valid else None,
        "ingested_at": info.metadata.get("ingested_at"),
        "trusted": is_trusted(info.metadata, trusted_sources),  # its contact details are shown
    }


@click.command(name="eval")
@click.option(
    "--questions",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("eval/questions.jsonl"),
    show_default=True,
)
@click.option(
    "--ingest",
    "ingest_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Build a temporary index from these paths first.",
)
@click.option("--out", type=click.Path(path_type=Path), default=Path("eval/out"), show_default=True)
@click.option(
    "--baseline/--no-baseline",
    default=True,
    help="Also score a naive LangChain RAG on the same questions.",
)
@click.option(
    "--compare",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A baseline.json to gate against.",
)
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD")
@data_dir_option
def eval_(
    questions: Path,
    ingest_paths: tuple[Path, ...],
    out: Path,
    baseline: bool,
    compare: Path | None,
    as_of: str | None,
    data_dir: Path | None,
) -> None:
    """Evaluate answers against the source text; write report.json and report.html."""

    from ..eval.run import run_eval
    from ..service import DEFAULT_CORPUS

    settings = _settings(data_dir)
    targets = list(ingest_paths)
    if not targets and _index_is_empty(settings):
        targets = [DEFAULT_CORPUS]
        click.echo(
            f"索引是空的：先把 {DEFAULT_CORPUS}/ 导入一个临时索引，再评估 {questions}。", err=True
        )
    sys.exit(
        run_eval(
            settings,
            questions=questions,
            ingest=targets,
            out=out,
            with_baseline=baseline,
            compare=compare,
            as_of=_parse_as_of(as_of),
        )
    )


def _index_is_empty(settings: Settings) -> bool:
    from ..index.store import Index

    index = Index(settings)
    return not index.exists() or not index.info()["chunks"]
