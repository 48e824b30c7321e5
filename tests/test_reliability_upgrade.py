"""Upgrades: an index written by this version opens in a new process and answers; an index built
with another embedding model or another chunker version is refused with a clear message telling
to run ``unionqa ingest --rebuild`` (CLI: exit 1 and stderr; API: 503 JSON) instead of giving
wrong answers, and the command it names repairs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import chromadb
import pytest
from fixtures import CORPUS
from test_api_helpers import client_for
from test_reliability_helpers import json_line, run_cli

from unionqa.index.client import _chroma_settings
from unionqa.ingest.chunking import CHUNKER_VERSION
from unionqa.service import QAService

SUBSIDY = "公司招应届生能领什么补助？"
OLD_CHUNKER = "zh-sent-v2"


@pytest.fixture
def copied(corpus_service, tmp_path: Path) -> Path:
    """A copy of the session's index over corpus/ (written by this version, real e5)."""
    data = tmp_path / "data"
    shutil.copytree(corpus_service.settings.data_dir, data)
    return data


def set_chunker(data: Path, version: str) -> None:
    """What an index written by another chunker version looks like: its collection metadata."""
    client = chromadb.PersistentClient(path=str(data / "chroma"), settings=_chroma_settings())
    col = client.get_collection("unionqa", embedding_function=None)
    col.modify(metadata={**(col.metadata or {}), "chunker": version})
    assert client.get_collection("unionqa").metadata["chunker"] == version


def test_index_written_by_this_version_answers_in_a_new_process(copied: Path) -> None:
    manifest = json.loads((copied / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["embedding"], manifest["chunker_version"]) == ("e5-small", CHUNKER_VERSION)
    run = run_cli(["ask", SUBSIDY, "--json"], copied)
    assert run.returncode == 0, run.stderr
    answer = json_line(run.stdout)
    assert not answer["refused"] and answer["citations"]
    assert answer["citations"][0]["source"] == "graduate-hiring-subsidy.md"


@pytest.mark.parametrize(
    ("what", "break_it", "env"),
    [
        ("切分方式", lambda d: set_chunker(d, OLD_CHUNKER), {}),
        ("向量模型", lambda d: None, {"UNIONQA_EMBEDDING": "hashing"}),
    ],
    ids=["chunker", "embedding"],
)
def test_mismatched_index_is_refused_by_the_cli_with_the_rebuild_command(
    copied: Path, what: str, break_it, env: dict[str, str]
) -> None:
    break_it(copied)
    for args in (["ask", SUBSIDY], ["search", SUBSIDY, "--json"], ["ingest", str(CORPUS)]):
        run = run_cli(args, copied, **env)
        assert run.returncode == 1, (args, run.stdout, run.stderr)
        assert run.stdout == ""  # no answer at all rather than a wrong one
        line = run.stderr.strip().splitlines()[-1]
        assert line.startswith("错误：索引是用另一种" + what), line
        assert "unionqa ingest --rebuild" in line and "Traceback" not in run.stderr


def test_mismatched_chunker_is_503_json_from_the_api(
    corpus_service, copied: Path, tmp_path
) -> None:
    set_chunker(copied, OLD_CHUNKER)
    svc = QAService(
        corpus_service.settings.model_copy(update={"data_dir": copied}),
        embeddings=corpus_service.embeddings,
    )
    c = client_for(svc, tmp_path)
    for r in (
        c.post("/v1/ask", json={"question": SUBSIDY}),
        c.post("/v1/search", json={"question": SUBSIDY}),
        c.post("/v1/ask/stream", json={"question": SUBSIDY}),
        c.get("/readyz"),
    ):
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["error"] == "index_mismatch"
        assert body["message"].startswith("服务的索引需要管理员重建。索引是用另一种切分方式建立的")
        assert OLD_CHUNKER in body["message"] and CHUNKER_VERSION in body["message"]
        assert "unionqa ingest --rebuild" in body["message"]
        assert r.headers["retry-after"] == "5"


def test_the_named_rebuild_repairs_a_mismatched_index(copied: Path) -> None:
    hashing = {"UNIONQA_EMBEDDING": "hashing"}  # the index holds e5 vectors
    assert run_cli(["search", SUBSIDY], copied, **hashing).returncode == 1
    rebuilt = run_cli(["ingest", str(CORPUS), "--rebuild", "--json"], copied, **hashing)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json_line(rebuilt.stdout)["added"] == len(list(CORPUS.glob("*.md")))
    run = run_cli(["search", SUBSIDY, "--json", "--k", "1"], copied, **hashing)
    assert run.returncode == 0, run.stderr
    assert json_line(run.stdout)["hits"]
    manifest = json.loads((copied / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedding"] == "hashing"
