"""``unionqa calc KIND --input NAME=VALUE ... [--json]``: a calculator from the command line, and
the listing of the kinds (``unionqa calc`` alone, or ``--list``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from ..types import Calculation
from . import _emit, _service, data_dir_option


@click.command()
@click.argument("kind", required=False)
@click.option(
    "--input",
    "-i",
    "pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help="An input of the kind (repeat), e.g. monthly_wage=8000 start_date=2021-03-01.",
)
@click.option("--list", "list_kinds", is_flag=True, help="List the kinds and their inputs.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the Calculation as JSON.")
@data_dir_option
def calc(
    kind: str | None,
    pairs: tuple[str, ...],
    list_kinds: bool,
    lang: str,
    as_json: bool,
    data_dir: Path | None,
) -> None:
    """Compute a labour-rights amount or period (severance, overtime pay, ...), step by step
    and cited to the articles; with no KIND (or --list), list the kinds and their inputs."""
    from ..service import QAService

    if list_kinds or not kind:
        kinds = QAService.calculator_kinds()
        if as_json:
            _emit({"kinds": kinds})
        else:
            _echo_kinds(kinds, lang)
        return
    calculation = _service(data_dir).calculate(kind, _calc_inputs(pairs), lang=lang)
    if as_json:
        _emit(calculation.model_dump(mode="json"))
    else:
        _echo_calculation(calculation, lang)


def _calc_inputs(pairs: tuple[str, ...]) -> dict[str, str]:
    inputs: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--input 应写成 名称=值（如 monthly_wage=8000），而不是：{pair}")
        if name in inputs:
            raise UsageError(f"输入项 {name} 给了两次，请只给一次。")
        inputs[name] = value.strip()
    return inputs


def _echo_kinds(kinds: list[dict[str, Any]], lang: str) -> None:
    en = lang == "en"
    click.echo(
        "Kinds (unionqa calc KIND --input NAME=VALUE ...):"
        if en
        else "计算类型（用法：unionqa calc 类型 --input 名称=值 ...）："
    )
    for k in kinds:
        click.echo(f"\n{k['name']}  {k['name_en'] if en else k['name_zh']}")
        for i in k["inputs"]:
            label = i["label_en"] if en else i["label_zh"]
            unit = f"（{i['unit']}）" if i["unit"] and not en else ""
            what = {"date": "YYYY-MM-DD", "boolean": "true/false"}.get(i["type"], i["type"])
            if i["choices"]:
                what = " / ".join(i["choices"])
            need = (" required" if en else " 必填") if i["required"] else ""
            click.echo(f"  {i['name']:<26} {label}{unit}  [{what}]{need}")
        if k["one_of"]:
            sets = " / ".join("+".join(g) for g in k["one_of"])
            click.echo(f"  {'any one of: ' if en else '以下任一组：'}{sets}")


def _echo_calculation(calculation: Calculation, lang: str) -> None:
    en = lang == "en"
    if calculation.result is not None:
        click.echo(("Result: " if en else "结果：") + calculation.result.text)
    else:
        click.echo("No result yet (see the notes below)." if en else "还不能计算（见下面的说明）。")
    if calculation.steps:
        click.echo("\nSteps:" if en else "\n计算步骤：")
        for n, step in enumerate(calculation.steps, 1):
            click.echo(f"{n}. {step}")
    if calculation.citations:
        click.echo("\nSources:" if en else "\n来源：")
        for c in calculation.citations:
            click.echo(f"[{c.n}] 《{c.title}》{c.locator}：{c.quote}")
    if calculation.notices:
        click.echo("\nPlease note:" if en else "\n请注意：")
        for notice in calculation.notices:
            click.echo(f"- {notice}")
