"""The package's layout: imports run one way, stage by stage, and no module grows past 400 lines.

    floor (errors, types, settings, privacy) ← text ← calc ← index ← ingest ← search ← answer
        ← feedback, stats, handoff, service ← api ← ui, eval ← cli

A module imports only from its own sub-package, the floor, ``text/`` and what comes earlier in
that order. ``index/`` comes before ``ingest/``: the store knows nothing of loaders or the chunker
(the chunker's version is passed in), while the ingest pipeline, the one write path, writes to it.
The front doors come last; ``cli`` starts the API server and the eval run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import unionqa

PACKAGE = Path(unionqa.__file__).parent
MAX_LINES = 400

RANK = {
    "errors": 0,
    "types": 0,
    "settings": 0,
    "privacy": 0,
    "text": 1,
    "calc": 1.5,
    "index": 2,
    "ingest": 3,
    "search": 4,
    "answer": 5,
    "feedback": 6,
    "stats": 6.5,
    "handoff": 6.6,
    "service": 7,
    "api": 8,
    "ui": 9,
    "eval": 9,
    "cli": 10,
    "__init__": 11,
}


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        out.append((".".join(("unionqa", *parts)).removesuffix(".__init__"), path))
    return out


def _room(module: str) -> str:
    """The top-level module or sub-package a module belongs to ("unionqa.search.keyword" → "search")."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """(imported unionqa module, line) for every import in the file, lazy ones included."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.startswith("unionqa")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("unionqa"):
                continue
            if target == "unionqa":  # `from .. import __version__` or `from . import text`
                names = [a.name for a in node.names if a.name != "__version__"]
                out += [(f"unionqa.{n}", node.lineno) for n in names]
            else:
                out.append((target, node.lineno))
    return out


def test_every_module_is_ranked() -> None:
    assert {_room(m) for m, _ in _modules()} == set(RANK)


# The chat page runs under the API's limits (key, quota, pool, deadline), so ui/ comes after api/;
# the API app mounts the page at / when api.mount_ui is set: that one import, made lazily when the
# app is built, is the only one that runs the other way.
MOUNTS = {("api/app.py", "unionqa.ui.app")}


def test_imports_run_one_way() -> None:
    wrong = []
    for module, path in _modules():
        here = _room(module)
        for target, line in _imports(module, path):
            there = _room(target)
            if there == here or RANK[there] <= 1 or RANK[there] < RANK[here]:
                continue
            if (str(path.relative_to(PACKAGE)), target) in MOUNTS:
                continue
            wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports {target}")
    assert not wrong, "imports against the one-way order:\n" + "\n".join(wrong)


@pytest.mark.parametrize("module,path", _modules(), ids=[m for m, _ in _modules()])
def test_module_is_at_most_400_lines(module: str, path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it by noun"


def test_the_checker_sees_a_back_reference(tmp_path: Path) -> None:
    bad = tmp_path / "retriever.py"
    bad.write_text("from ..answer.evidence import QUESTION_WORDS\n")
    assert _imports("unionqa.search.retriever", bad) == [("unionqa.answer.evidence", 1)]


def test_public_names_are_exported() -> None:
    assert sorted(unionqa.__all__) == sorted(
        ["QAService", "Settings", "Answer", "Citation", "Hit", "Document", "UnionQAError"]
    )
    for name in unionqa.__all__:
        assert getattr(unionqa, name).__name__ == name
