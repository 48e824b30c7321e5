"""``unionqa`` command line (CONTRACT.md): ingest, documents, search, ask, calc (``calculators.py``),
situations (``situations.py``), stats and feedback (``ops.py``), serve, eval.

Exit status: 0 success, 1 some items failed (the rest were done), 2 usage error.
Errors go to stderr as one clear sentence.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

import click

from ..errors import IndexNotReadyError, UnionQAError, UsageError
from ..settings import K_DEFAULT, K_MAX, K_MIN
from .base import data_dir_option
from .base import emit as _emit
from .base import settings_for as _settings

logger = logging.getLogger("unionqa")


def _service(data_dir: Path | None, role: str = "serve"):
    from ..service import QAService

    return QAService(_settings(data_dir), role=role)


class CLIError(click.ClickException):
    """One of our errors on the command line: one sentence on stderr, exit status 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)


class CLIUsageError(CLIError):
    exit_code = 2


class CLIInterrupted(CLIError):
    exit_code = 130


class _Commands(click.Group):
    """Translates our errors (and Ctrl-C) into ``CLIError`` for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as e:
            raise CLIUsageError(str(e)) from e
        except IndexNotReadyError as e:  # names the data dir it looked in
            raise CLIError(f"{e}{e.where}") from e
        except UnionQAError as e:
            raise CLIError(str(e)) from e
        except KeyboardInterrupt:
            raise CLIInterrupted("已中断。已完成的文档已保存，再次运行会从中断处继续。") from None


def _read_batch(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as e:
        raise UsageError(f"无法读取批量文件 {path}：{e.strerror}") from e
    except UnicodeDecodeError as e:
        raise UsageError(f"批量文件 {path} 不是 UTF-8 编码。") from e
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            yield n, None, f"第 {n} 行不是有效的 JSON"
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("question"), str):
            yield n, obj if isinstance(obj, dict) else None, f"第 {n} 行缺少 question 字段"
            continue
        yield n, obj, None


def _parse_as_of(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise UsageError(f"--as-of 的日期格式应为 YYYY-MM-DD：{value}") from e


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-v", "--verbose", is_flag=True, help="Log decisions to stderr (never question text)."
)
@click.version_option(package_name="unionqa")
def main(verbose: bool) -> None:
    """unionqa: cited answers to workers' policy and rights questions."""
    level = logging.INFO if verbose else logging.WARNING
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        # the handler's own level too: a library that sets its logger to DEBUG (bm25s does, on
        # import) still prints nothing below it
        handler.setLevel(level)
        root.addHandler(handler)
    root.setLevel(level)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_dir_option
@click.option(
    "--rebuild",
    is_flag=True,
    help="Start the index afresh (the old one stays until the new one is done).",
)
@click.option(
    "--prune", is_flag=True, help="Remove documents whose files are gone under the given folders."
)
@click.option(
    "--trusted",
    is_flag=True,
    help="Vouch for these files: the answer shows their phone numbers, URLs and account numbers "
    "(masked from untrusted documents).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def ingest(
    paths: tuple[Path, ...],
    data_dir: Path | None,
    rebuild: bool,
    prune: bool,
    trusted: bool,
    as_json: bool,
) -> None:
    """Ingest files or folders (default: corpus/)."""

    service = _service(data_dir, role="ingest")
    progress = None
    bar = None
    if not as_json and sys.stderr.isatty():
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(
            TextColumn("导入"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            transient=True,
        )
        bar.start()
        task = bar.add_task("ingest", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

    try:
        report = service.ingest(
            list(paths), prune=prune, rebuild=rebuild, progress=progress, trusted=trusted
        )
    finally:
        if bar is not None:
            bar.stop()
    for s in report.skipped:
        click.echo(f"警告：{s.path}：{s.error}", err=True)
    if as_json:
        out = report.model_dump(mode="json")
        out.pop("skipped", None)
        out["index_chunks"] = service.index.info()["chunks"]  # the whole index, not this run
        _emit(out)
    else:
        click.echo(
            f"{report.files} 个文件：新增 {report.added}，更新 {report.updated}，未变 {report.unchanged}，"
            f"删除 {report.removed}，切分 {report.chunks} 段，用时 {report.seconds:.1f} 秒。"
        )
    for f in report.failed:
        click.echo(f"失败：{f.path}：{f.error}", err=True)
    sys.exit(1 if report.failed else 0)


@main.command()
@click.argument("question", required=False)
@click.option(
    "--batch",
    type=click.Path(path_type=Path, dir_okay=False),
    help='JSONL file, one {"question": ...} per line.',
)
@click.option(
    "--k",
    "k",
    type=int,
    default=None,
    help=f"Number of hits ({K_MIN}-{K_MAX}, default {K_DEFAULT}).",
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="KEY=VALUE",
    help="kind=, region=, in_force=YYYY-MM-DD, source=, doc_id=",
)
@click.option("--json", "as_json", is_flag=True)
@data_dir_option
def search(
    question: str | None,
    batch: Path | None,
    k: int | None,
    filters: tuple[str, ...],
    as_json: bool,
    data_dir: Path | None,
) -> None:
    """Search the index (dense + keyword)."""

    if bool(question) == bool(batch):
        raise UsageError("请给出一个问题，或用 --batch 指定批量文件（二者选一）。")
    service = _service(data_dir)
    if batch:
        sys.exit(
            _batch(
                batch,
                lambda obj: service.search(obj["question"], k=k, filters=list(filters)).model_dump(
                    mode="json"
                ),
            )
        )
    assert question is not None
    result = service.search(question, k=k, filters=list(filters))
    if as_json:
        _emit(result.model_dump(mode="json"))
    else:
        for i, h in enumerate(result.hits, 1):
            click.echo(f"[{i}] {h.title} {h.locator}  ({h.source}, score {h.score:.4f})")
            click.echo("    " + h.text.replace("\n", " ")[:200])


@main.command()
@click.argument("question", required=False)
@click.option("--batch", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--history", multiple=True, metavar="TURN", help="An earlier user turn (repeat, oldest first)."
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="YYYY-MM-DD",
    help="Judge policy validity on this date (default today).",
)
@click.option("--json", "as_json", is_flag=True)
@data_dir_option
def ask(
    question: str | None,
    batch: Path | None,
    history: tuple[str, ...],
    as_of: str | None,
    as_json: bool,
    data_dir: Path | None,
) -> None:
    """Answer a question with verified citations."""

    if bool(question) == bool(batch):
        raise UsageError("请给出一个问题，或用 --batch 指定批量文件（二者选一）。")
    day = _parse_as_of(as_of)
    service = _service(data_dir)
    if batch:
        sys.exit(
            _batch(
                batch,
                lambda obj: service.ask(
                    obj["question"], history=_history(obj), as_of=day
                ).model_dump(mode="json"),
            )
        )
    assert question is not None
    answer = service.ask(question, history=list(history), as_of=day)
    if as_json:
        _emit(answer.model_dump(mode="json"))
    else:
        click.echo(answer.answer)
        if answer.citations:
            click.echo("\n来源：")
            for c in answer.citations:
                valid = f"（有效期至 {c.valid_until}）" if c.valid_until else ""
                click.echo(f"[{c.n}] {c.title} {c.locator}{valid}：{c.quote}")


def _history(obj: dict[str, Any]) -> list[str]:
    h = obj.get("history") or []
    if not isinstance(h, list) or not all(isinstance(t, str) for t in h):
        raise UsageError("history 应是字符串列表")
    return h


def _batch(path: Path, handle: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    failed = 0
    for n, obj, problem in _read_batch(path):
        ident = (obj or {}).get("id", n)
        if problem:
            failed += 1
            _emit({"id": ident, "error": problem})
            continue
        assert obj is not None
        try:
            _emit({"id": ident, **handle(obj)})
        except UnionQAError as e:
            failed += 1
            _emit({"id": ident, "error": str(e)})
    return 1 if failed else 0


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="Worker processes (>1 needs UNIONQA_CHROMA_URL).",
)
@data_dir_option
def serve(host: str, port: int, workers: int, data_dir: Path | None) -> None:
    """Run the HTTP API (and the chat UI at /)."""

    from ..api.server import run_server

    run_server(_settings(data_dir), host=host, port=port, workers=workers)


# commands in their own modules (they use the helpers above)
from .calculators import calc  # noqa: E402
from .maintain import documents, eval_  # noqa: E402
from .ops import feedback, stats  # noqa: E402
from .situations import situations  # noqa: E402

main.add_command(calc)
main.add_command(documents)
main.add_command(eval_)
main.add_command(situations)
main.add_command(stats)
main.add_command(feedback)
