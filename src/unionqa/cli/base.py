"""What every ``unionqa`` command shares: the ``--data-dir`` option, the settings for it, JSON
output. Used by the ``cli`` package's modules; ``cli.main`` translates our errors into one line
on stderr and an exit status for every command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from ..errors import UsageError
from ..settings import Settings, get_settings

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the index and stores live (default $UNIONQA_DATA_DIR, else ./.unionqa).",
)


def settings_for(data_dir: Path | None) -> Settings:
    try:
        s = get_settings()
    except ValidationError as e:  # a bad UNIONQA_* variable: one sentence, exit status 2
        problems = []
        for err in e.errors():
            where = f"UNIONQA_{'__'.join(map(str, err['loc'])).upper()}：" if err["loc"] else ""
            problems.append(where + err["msg"].removeprefix("Value error, "))
        raise UsageError("设置有误：" + "；".join(problems)) from e
    return s.model_copy(update={"data_dir": data_dir}) if data_dir else s


def emit(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))
