"""The README's examples run as written, so they cannot drift from the program.

A code block is run when the line before its opening fence is ``<!-- runnable -->``:

- ```console blocks are the tour: each ``$ `` line runs in bash from the repository root, with
  the venv's bin on PATH in place of ``source .venv/bin/activate`` and without ``unionqa serve``
  (the test starts the server itself);
- ```bash and ```python blocks are the API examples: they run against a live ``unionqa serve``
  on a free loopback port, started as after ``UNIONQA_ADMIN_KEYS=admin-key make run`` (an open
  API with an admin key), over the index the tour built from corpus/.

Each must exit 0 and print what its kind prints (JSON for ``--json``, citations for the Python
client).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures import ROOT, free_port
from test_api_helpers import spawn as _spawn
from test_api_helpers import stop_process as _stop
from test_api_helpers import wait_http as _wait_http

pytestmark = pytest.mark.slow

README = ROOT / "README.md"
VENV_BIN = Path(sys.executable).parent
ADMIN = "admin-key"  # what the README's upload example falls back to
DEFAULT_URL = "http://127.0.0.1:8000"
_BLOCK = re.compile(r"<!-- runnable -->\n```(console|bash|python)\n(.*?)```", re.S)
NOT_RUN = ("source .venv/bin/activate", "unionqa serve")


def runnable_blocks() -> list[tuple[str, str]]:
    return _BLOCK.findall(README.read_text(encoding="utf-8"))


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("UNIONQA_") and k != "PYTHONPATH"
    }
    return {
        **env,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT / "src"),  # this checkout's code, whatever the venv points at
        "UNIONQA_DATA_DIR": str(data_dir),
        "NO_PROXY": "127.0.0.1,localhost",
    }


def _run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _tour_commands() -> list[str]:
    commands = []
    for lang, code in runnable_blocks():
        if lang == "console":
            for line in code.splitlines():
                if line.startswith("$ ") and not line[2:].startswith(NOT_RUN):
                    commands.append(line[2:])
    return commands


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    """The data dir the tour builds (its first command ingests corpus/)."""
    root = tmp_path_factory.mktemp("readme")
    yield _env(root / "data"), root


def test_readme_marks_its_examples_runnable() -> None:
    langs = [lang for lang, _ in runnable_blocks()]
    assert langs.count("console") >= 1 and langs.count("bash") >= 4
    assert langs.count("python") >= 2
    assert any(c.startswith("unionqa ingest") for c in _tour_commands())
    assert any("--batch examples/" in c for c in _tour_commands())


def test_the_tour_runs_as_written(tour: tuple[dict[str, str], Path]) -> None:
    env, root = tour
    commands = _tour_commands()
    assert commands[0].startswith("unionqa ingest"), "the tour must ingest first"
    for command in commands:
        command = command.replace("/tmp/unionqa-eval", str(root / "eval"))
        run = _run(["bash", "-e", "-o", "pipefail", "-c", command], env)
        assert run.returncode == 0, f"{command}\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
        assert run.stdout.strip(), command
        if "--json" in command:
            lines = [x for x in run.stdout.splitlines() if x.strip()]
            try:
                parsed = [json.loads(x) for x in lines]
            except json.JSONDecodeError:
                parsed = [json.loads(run.stdout)]
            assert parsed and all(isinstance(p, dict) for p in parsed), command
            if "--batch" in command:
                assert [p.get("id") for p in parsed] == ["q1", "q2", "q3"], command


@pytest.fixture(scope="module")
def served(tour: tuple[dict[str, str], Path]) -> Iterator[tuple[str, dict[str, str]]]:
    """``unionqa serve`` on a free port over the tour's index, an admin key set on the server only."""
    env, root = tour
    if not (Path(env["UNIONQA_DATA_DIR"]) / "manifest.json").exists():
        run = _run([str(VENV_BIN / "unionqa"), "ingest", "corpus"], env)
        assert run.returncode == 0, run.stderr
    port = free_port()
    log = root / "serve.log"
    proc = _spawn(
        [str(VENV_BIN / "unionqa"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        log,
        cwd=ROOT,
        env={**env, "UNIONQA_ADMIN_KEYS": ADMIN},
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/readyz", proc, log, seconds=180)
        yield f"http://127.0.0.1:{port}", env
    finally:
        _stop(proc)


def test_the_api_examples_run_as_written_after_make_run(served: tuple[str, dict[str, str]]) -> None:
    url, env = served
    ran = 0
    for lang, code in runnable_blocks():
        if lang == "console":
            continue
        code = code.replace(DEFAULT_URL, url)
        cmd = (
            ["bash", "-e", "-o", "pipefail", "-c", code]
            if lang == "bash"
            else [sys.executable, "-c", code]
        )
        run = _run(cmd, env)
        assert run.returncode == 0, f"{lang} example failed:\n{code}\n{run.stdout}\n{run.stderr}"
        out = run.stdout.strip()
        assert out, code
        if lang == "python":
            assert "citations" in out or "[1]" in out, out
        else:
            assert out.startswith(("{", "event:")) or '"doc_id"' in out, out[:300]
        ran += 1
    assert ran >= 6
