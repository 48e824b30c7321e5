"""The benchmark corpora, the fixed question sets, and where results go.

Four sizes (``SIZES``): ``corpus`` (the 5 articles in corpus/), ``laws`` (the 11 statutes in
../shared/corpora/laws), ``national`` (the national part of the law book: MANIFEST.tsv rows whose
``group`` column is ``national``; 1,510 files, 8.6 M characters) and ``lawbook`` (all 3,475 files,
20.1 M characters). The law book is extracted once to /tmp. A size whose files are missing
(no ../shared) makes the scripts print a note and skip it.

Results: one JSON file per run under bench/out/ (gitignored), and a Markdown table written between
``<!-- bench:NAME -->`` markers in docs/benchmarks.md, with the command that made it.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import shlex
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LAWS = SHARED / "corpora" / "laws"
LAWBOOK_TGZ = SHARED / "corpora" / "lawbook.tar.gz"
REAL_QUESTIONS = SHARED / "eval-dev" / "real_questions.jsonl"
OUT = ROOT / "bench" / "out"
DOC = ROOT / "docs" / "benchmarks.md"
TMP = Path(os.environ.get("UNIONQA_BENCH_TMP", "/tmp/unionqa-bench"))
SIZES = ("corpus", "laws", "national", "lawbook")


class Skip(Exception):
    """A size or input that is not available here (../shared absent)."""


def lawbook_dir() -> Path:
    """The extracted law book (``.../lawbook`` with MANIFEST.tsv), extracted once."""
    if not LAWBOOK_TGZ.is_file():
        raise Skip(f"{LAWBOOK_TGZ} not found")
    root = TMP / "lawbook"
    if not (root / "lawbook" / "MANIFEST.tsv").is_file():
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(LAWBOOK_TGZ) as tar:
            tar.extractall(root, filter="data")
    return root / "lawbook"


def manifest() -> list[dict[str, str]]:
    with (lawbook_dir() / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def national_dir() -> Path:
    """The national part (``group == national``) as hard links with the same relative paths, so
    its sources (doc ids) are the ones the whole book gives those files."""
    book = lawbook_dir()
    root = TMP / "lawbook-national"
    rows = [r for r in manifest() if r["group"] == "national"]
    for r in rows:
        dst = root / r["path"]
        if not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.link(book / r["path"], dst)
    return root


def paths(size: str) -> list[Path]:
    """The folders ingested for ``size``; raises Skip when they are not here."""
    if size == "corpus":
        return [ROOT / "corpus"]
    if size == "laws":
        if not LAWS.is_dir():
            raise Skip(f"{LAWS} not found")
        return [LAWS]
    if size == "national":
        return [national_dir()]
    if size == "lawbook":  # MANIFEST.tsv is reported as skipped (not a supported type)
        return [lawbook_dir()]
    raise ValueError(size)


def questions(with_laws: bool = True) -> list[dict[str, Any]]:
    """The fixed latency set: dev questions, law dev questions, and the 45 real worker questions.
    Never the eval set (eval/questions.jsonl)."""
    files = [ROOT / "eval" / "dev_questions.jsonl"]
    if with_laws:
        files += [ROOT / "eval" / "dev_questions_laws.jsonl", REAL_QUESTIONS]
    out = []
    for f in files:
        if f.is_file():
            out += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line]
    return out


def sample_passages(texts: list[str], n: int, seed: int = 7) -> list[str]:
    """Queries made from stored chunks (their first sentence), for recall measurements."""
    rng = random.Random(seed)
    out = []
    for t in rng.sample(texts, min(n, len(texts))):
        first = t.replace("\n", " ").split("。")[0][:60].strip()
        if len(first) >= 6:
            out.append(first)
    return out


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def du(path: Path) -> int:
    """Bytes on disk under ``path`` (allocated blocks, like du)."""
    total = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_blocks * 512
    return total


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def command() -> str:
    """The command line that is running, as one would type it from the repository root."""
    exe = Path(os.path.abspath(sys.executable))
    py = ".venv/bin/python" if ROOT / ".venv" in exe.parents else str(exe)
    script = Path(sys.argv[0]).resolve()
    rel = script.relative_to(ROOT) if ROOT in script.parents else script
    env = [
        f"{k}={shlex.quote(os.environ[k])}"
        for k in (
            "UNIONQA_EMBEDDING",
            "UNIONQA_EMBEDDING_MODEL",
            "UNIONQA_THREADS",
            "UNIONQA_CHROMA_URL",
        )
        if os.environ.get(k)
    ]
    return " ".join([*env, py, str(rel), *map(shlex.quote, sys.argv[1:])])


def write_json(name: str, obj: dict[str, Any]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read_json(name: str) -> dict[str, Any] | None:
    path = OUT / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def update_doc(section: str, markdown: str) -> None:
    """Replace the block between ``<!-- bench:section -->`` and ``<!-- /bench:section -->`` in
    docs/benchmarks.md (appended at the end when the markers are not there yet)."""
    start, end = f"<!-- bench:{section} -->", f"<!-- /bench:{section} -->"
    text = DOC.read_text(encoding="utf-8") if DOC.is_file() else "# Benchmarks\n"
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def ms(x: float) -> str:
    return f"{x:.0f}" if x >= 10 else f"{x:.1f}"
