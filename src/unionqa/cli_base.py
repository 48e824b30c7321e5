"""What every ``unionqa`` command shares: the ``--data-dir`` option, the settings for it, JSON
output, and the translation of our errors into one line on stderr and an exit status (0 success,
1 some items failed, 2 usage error). Used by ``cli.py`` and ``cli_ops.py``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .errors import UnionQAError, UsageError
from .settings import Settings, get_settings

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the index and stores live (default $UNIONQA_DATA_DIR, else ./.unionqa).",
)


def settings_for(data_dir: Path | None) -> Settings:
    s = get_settings()
    return s.model_copy(update={"data_dir": data_dir}) if data_dir else s


def emit(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


def fail(message: str, code: int = 1) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def guard(fn: Callable[[], int | None]) -> None:
    """Translate our errors into one line on stderr and an exit status."""
    try:
        code = fn()
    except UsageError as e:
        fail(str(e), 2)
    except UnionQAError as e:
        fail(str(e), 1)
    except KeyboardInterrupt:
        fail("已中断。已完成的文档已保存，再次运行会从中断处继续。", 130)
    sys.exit(code or 0)
