"""``unionqa situations``: list and validate the labour issue map."""

from __future__ import annotations

from pathlib import Path

import click

from . import _emit, _service


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per situation, as a list.")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the index and stores live (default $UNIONQA_DATA_DIR, else ./.unionqa).",
)
def situations(as_json: bool, data_dir: Path | None) -> None:
    """List and validate the labour issue map (the package's and <data_dir>/situations/*.yaml)."""

    service = _service(data_dir)
    issue_map = service.issue_map  # an invalid file fails here, naming file, entry and field
    rows = [service.situation_info(s.id) for s in issue_map.situations]
    if as_json:
        _emit(rows)
        return
    unresolved = 0
    for r in rows:
        found = sum(a["indexed"] for a in r["articles"])
        unresolved += len(r["articles"]) - found
        calc = f"  计算器：{r['calculator']}" if r["calculator"] else ""
        click.echo(
            f"{r['id']:<28} {r['name']}  例句 {r['exemplars']}  条文 {found}/{len(r['articles'])}{calc}"
        )
    n = len(rows)
    click.echo(
        f"共 {n} 个情形，{sum(r['exemplars'] for r in rows)} 条例句；"
        + (f"{unresolved} 处引用的条文不在索引中。" if unresolved else "引用的条文都在索引中。")
    )
