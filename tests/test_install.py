"""``make run`` / ``make install`` install what serving needs and no more: torch (hundreds of MB)
comes only with the extras that need it (``st``, ``dev``) and the ``dev`` target."""

from __future__ import annotations

import re
import tomllib

from fixtures import ROOT


def _recipe(makefile: str, target: str) -> str:
    """The recipe lines of ``target`` (up to the next blank line)."""
    m = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n|#.*\n|\s+#.*\n)*)", makefile, re.M)
    assert m, f"no {target} target"
    return m.group(1)


def test_make_install_does_not_install_torch() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    install = _recipe(makefile, "$(VENV)/.installed")
    assert "pip install" in install and "torch" not in install.replace("no torch", "")
    assert "torch==" in _recipe(makefile, "$(VENV)/.dev")  # the CPU build, before '.[dev]'


def test_serving_dependencies_have_no_torch() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.split(r"[<>=\[ ;]", d, maxsplit=1)[0].lower() for d in project["dependencies"]]
    assert "torch" not in names and "sentence-transformers" not in names
    extras = project["optional-dependencies"]
    assert any(d.startswith("torch") for d in extras["st"])
    assert any(d.startswith("torch") for d in extras["dev"])


def test_readme_states_the_install_size_and_time() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme[readme.index("## Set up") : readme.index("## A short tour")]
    assert re.search(r"\d+ min", setup) and re.search(r"\d(\.\d)? GB on disk", setup)
    assert "no torch" in setup
