"""The hotline's admin commands of the ``unionqa`` CLI: ``stats`` and ``feedback export``.

They read the data dir's outcome counters and feedback store (neither holds question text).
Registered on the main group in ``cli/__init__.py``; the shared pieces are in ``cli/base.py``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from .base import data_dir_option, emit, settings_for


def _day(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise UsageError(f"{option} 的日期格式应为 YYYY-MM-DD：{value}") from e


def _stats_lines(rep: dict[str, Any]) -> list[str]:
    c, ch = rep["coverage"], rep["channels"]
    lines = [
        f"{rep['since']} 至 {rep['until']}：{rep['answers']} 个回答",
        f"  结果：完整回答 {c['answered']}，部分回答 {c['partial']}，未回答 {c['none']}",
        f"  渠道：api {ch['api']}，ui {ch['ui']}，openai {ch['openai']}",
        "  语言：" + "，".join(f"{k} {v}" for k, v in sorted(rep["languages"].items())),
        f"  转人工 {rep['escalations']['total']}"
        + "".join(f"，{k} {v}" for k, v in sorted(rep["escalations"]["urgent"].items())),
        f"  评价：👍 {rep['ratings']['up']}，👎 {rep['ratings']['down']}",
    ]
    if rep["unstated"]:
        lines.append(
            "  资料未写明的数字："
            + "，".join(f"{k} {v}" for k, v in sorted(rep["unstated"].items()))
        )
    if rep["unanswered"]:
        lines.append("未解答最多的情形（部分回答 + 未回答）：")
        lines += [
            f"  {s['unanswered']:>5}  {s['id'] or '-'}  {s['name']}"
            f"（部分 {s['partial']}，未答 {s['none']}）"
            for s in rep["unanswered"][:20]
        ]
    return lines


@click.command()
@click.option("--days", default=7, show_default=True, type=int, help="Days back, today included.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (as GET /v1/stats).")
@data_dir_option
def stats(days: int, as_json: bool, data_dir: Path | None) -> None:
    """Outcome counts per day: coverage, situations, channels, languages, ratings."""

    from ..service import QAService

    if days < 1 or days > 366:
        raise UsageError("--days 应在 1 到 366 之间。")
    rep = QAService(settings_for(data_dir)).stats(days)
    if as_json:
        emit(rep)
    else:
        for line in _stats_lines(rep):
            click.echo(line)
    return


@click.group()
def feedback() -> None:
    """Ratings of answers (no question text is stored)."""


@feedback.command()
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="From this day (included).")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="To this day (included).")
@click.option("--rating", type=click.Choice(["up", "down"]), default=None)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@data_dir_option
def export(
    since: str | None, until: str | None, rating: str | None, as_json: bool, data_dir: Path | None
) -> None:
    """Export the stored ratings, oldest first."""
    from ..service import QAService

    store = QAService(settings_for(data_dir)).feedback
    page = store.query(since=_day(since, "--since"), until=_day(until, "--until"), rating=rating)
    for r in page.items:
        if as_json:
            emit(r.as_json())
        else:
            out = r.as_json()
            click.echo(f"{out['created_at']}  {r.rating:<4}  {r.answer_id}  {r.comment or ''}")
    if not as_json:
        click.echo(f"共 {page.total} 条。", err=True)
    return
