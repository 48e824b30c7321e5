"""Maintainer commands (issue 18 item 13, issue 20 items 13–14): ``unionqa documents``, the
index's chunk count in ``ingest --json``, a bare ``eval`` over corpus/, quiet third-party
loggers, read-only commands that create nothing, and port validation. Real e5 and Chroma."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import DOCS, one_line_error, run, write_docs

from unionqa.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT_KEYS = {
    "doc_id",
    "source",
    "title",
    "kind",
    "chunks",
    "valid_until",
    "ingested_at",
    "trusted",
}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("maint")
    corpus = write_docs(root / "docs")
    (corpus / "notice.md").write_text(
        "---\ntitle: 高温津贴通知\nkind: policy\nvalid_until: 2026-09-30\n---\n"
        "从事室外露天作业的职工，高温津贴标准为每人每月三百元。\n",
        encoding="utf-8",
    )
    data = root / "data"
    first = run(data, "ingest", str(corpus), "--json")
    return {"data": data, "corpus": corpus, "first": first}


def test_ingest_json_reports_the_index_total_beside_this_runs_chunks(indexed: dict) -> None:
    first = json.loads(indexed["first"].stdout)
    again = run(indexed["data"], "ingest", str(indexed["corpus"]), "--json")
    out = json.loads(again.stdout)
    assert out["chunks"] == 0  # this run chunked nothing (contract)
    assert out["index_chunks"] == first["index_chunks"] == first["chunks"] > 0


def test_documents_json_lists_what_is_indexed(indexed: dict) -> None:
    result = run(indexed["data"], "documents", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["count"] == len(DOCS) + 1 == len(out["documents"])
    assert out["index_chunks"] == sum(d["chunks"] for d in out["documents"])
    notice = next(d for d in out["documents"] if d["source"] == "notice.md")
    assert set(notice) == DOCUMENT_KEYS
    assert notice["title"] == "高温津贴通知" and notice["kind"] == "policy"
    assert notice["valid_until"] == "2026-09-30" and notice["chunks"] >= 1
    assert notice["ingested_at"].endswith("Z")


def test_documents_human_output_has_a_line_per_document(indexed: dict) -> None:
    result = run(indexed["data"], "documents")
    assert result.exit_code == 0
    assert "高温津贴通知" in result.stdout and "2026-09-30" in result.stdout
    assert f"{len(DOCS) + 1} 个文档" in result.stdout


def test_documents_remove_deletes_one_and_an_unknown_id_is_a_usage_error(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    run(data, "ingest", str(write_docs(tmp_path / "docs")), "--json")
    docs = json.loads(run(data, "documents", "--json").stdout)["documents"]
    gone = docs[0]["doc_id"]
    result = run(data, "documents", "--remove", gone)
    assert result.exit_code == 0 and gone in result.stdout
    left = json.loads(run(data, "documents", "--json").stdout)["documents"]
    assert [d["doc_id"] for d in left] == [d["doc_id"] for d in docs[1:]]
    result = run(data, "documents", "--remove", "no-such-doc-00000000")
    assert result.exit_code == 2
    assert "no-such-doc-00000000" in one_line_error(result)


def _cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("UNIONQA_")}
    environ.update(PYTHONPATH=str(ROOT / "src"), ANONYMIZED_TELEMETRY="False", **env)
    return subprocess.run(
        [sys.executable, "-m", "unionqa.cli", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_ingest_prints_no_third_party_debug_lines(tmp_path: Path) -> None:
    docs = write_docs(tmp_path / "docs")
    result = _cli(["ingest", str(docs), "--json"], tmp_path, UNIONQA_DATA_DIR=str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    assert "DEBUG" not in result.stderr and "bm25s" not in result.stderr
    assert json.loads(result.stdout)["added"] == len(DOCS)


@pytest.mark.parametrize("command", ["ask", "search"])
def test_read_only_command_elsewhere_creates_no_data_dir_and_names_it(
    tmp_path: Path, command: str
) -> None:
    result = _cli([command, "加班费怎么算"], tmp_path)
    assert result.returncode == 1
    assert not (tmp_path / ".unionqa").exists()
    assert str(tmp_path / ".unionqa") in result.stderr and "unionqa ingest" in result.stderr


@pytest.mark.parametrize("port", ["0", "80000", "-1"])
def test_serve_on_a_port_outside_1_to_65535_is_a_usage_error(port: str) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["serve", "--port", port])
    assert result.exit_code == 2
    assert "--port" in result.stderr


def test_bare_eval_on_an_empty_index_evaluates_corpus_in_a_temporary_index(tmp_path: Path) -> None:
    write_docs(tmp_path / "corpus")
    (tmp_path / "eval").mkdir()
    item = {
        "id": "q-1",
        "question": "年休假有几天？",
        "lang": "zh",
        "answerable": True,
        "gold_doc": "leave.md",
        "gold_quote": "年休假5天",
        "key_facts": ["5天"],
        "kind": "fact",
    }
    (tmp_path / "eval" / "questions.jsonl").write_text(
        json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    result = _cli(["eval", "--no-baseline"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "corpus" in result.stderr  # says what it is doing
    report = json.loads((tmp_path / "eval" / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["n_items"] == 1
    assert not (tmp_path / ".unionqa").exists()  # the temporary index is gone, nothing left
