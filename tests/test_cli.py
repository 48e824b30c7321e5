"""The command line as scripts use it (CONTRACT.md): JSON shapes, exit codes, one clear line on
stderr. Real e5 model and embedded Chroma; ``UNIONQA_DATA_DIR`` points into tmp."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from unionqa.cli import main
from unionqa.settings import get_settings

DOCS = {
    "probation.md": "# 试用期\n\n劳动合同期限三个月以上不满一年的，试用期不得超过一个月。\n",
    "overtime.md": "# 加班费\n\n休息日安排劳动者工作又不能安排补休的，支付不低于工资的百分之二百的工资报酬。\n",
    "leave.md": "# 年休假\n\n职工累计工作已满1年不满10年的，年休假5天。\n",
}
REPORT_KEYS = {"files", "added", "updated", "unchanged", "removed", "chunks", "failed", "seconds"}
HIT_KEYS = {
    "chunk_id",
    "doc_id",
    "source",
    "title",
    "text",
    "score",
    "start",
    "end",
    "locator",
    "metadata",
}


def run(data_dir: Path, *args: str) -> Result:
    """Invoke the CLI the way a shell would, with UNIONQA_DATA_DIR set and nothing else."""
    env = {"UNIONQA_DATA_DIR": str(data_dir), "UNIONQA_EMBEDDING": None, "UNIONQA_CHROMA_URL": None}
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    finally:
        get_settings.cache_clear()


def write_docs(folder: Path, docs: dict[str, str] = DOCS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def one_line_error(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("错误：")
    return lines[0]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A data dir with the three small documents ingested through the CLI once."""
    root = tmp_path_factory.mktemp("cli")
    corpus = write_docs(root / "docs")
    data = root / "data"
    first = run(data, "ingest", str(corpus), "--json")
    return {"data": data, "corpus": corpus, "first": first}


# --- ingest ---------------------------------------------------------------------------


def test_ingest_json_prints_the_contract_object_and_exits_0(indexed: dict) -> None:
    result = indexed["first"]
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == REPORT_KEYS | {"index_chunks"}  # the contract's keys, plus the total
    assert {k: report[k] for k in REPORT_KEYS - {"seconds"}} == {
        "files": 3,
        "added": 3,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "chunks": 3,
        "failed": [],
    }
    assert isinstance(report["seconds"], float) and report["seconds"] >= 0
    assert (indexed["data"] / "manifest.json").is_file()


def test_second_ingest_reports_nothing_added(indexed: dict) -> None:
    result = run(indexed["data"], "ingest", str(indexed["corpus"]), "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["added"], report["unchanged"], report["chunks"]) == (0, 3, 0)


def test_ingest_human_output_is_one_summary_line(indexed: dict) -> None:
    result = run(indexed["data"], "ingest", str(indexed["corpus"]))
    assert result.exit_code == 0
    assert result.stdout.startswith("3 个文件：新增 0，更新 0，未变 3")


def test_ingest_with_a_corrupt_file_exits_1_names_it_and_ingests_the_rest(
    tmp_path: Path,
) -> None:
    corpus = write_docs(tmp_path / "docs", {"leave.md": DOCS["leave.md"]})
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Cata")
    (corpus / "table.csv").write_text("a,b\n", encoding="utf-8")
    result = run(tmp_path / "data", "ingest", str(corpus), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)  # stdout stays one JSON object
    assert (report["files"], report["added"]) == (2, 1)
    assert [Path(f["path"]).name for f in report["failed"]] == ["broken.pdf"]
    assert "PDF" in report["failed"][0]["error"]
    assert "broken.pdf" in result.stderr and "失败" in result.stderr
    assert "table.csv" in result.stderr and "警告" in result.stderr  # skipped, not failed
    found = run(tmp_path / "data", "search", "年休假有几天", "--json")
    assert json.loads(found.stdout)["hits"][0]["source"] == "leave.md"


def test_ingest_of_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path / "data", "ingest", str(tmp_path / "nope"), "--json")
    assert result.exit_code == 2
    assert "nope" in one_line_error(result)
    assert result.stdout == ""


def test_an_unknown_embedding_backend_is_a_usage_error_naming_the_choices(tmp_path: Path) -> None:
    env = {"UNIONQA_DATA_DIR": str(tmp_path / "data"), "UNIONQA_EMBEDDING": "bert:base"}
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["ingest", str(tmp_path)], env=env)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    line = one_line_error(result)
    assert "UNIONQA_EMBEDDING" in line
    assert "'e5-small', 'use', 'sentence-transformers' or 'hashing'" in line
    assert not (tmp_path / "data").exists()  # refused before any work


def test_data_dir_option_wins_over_the_environment(tmp_path: Path) -> None:
    corpus = write_docs(tmp_path / "docs", {"leave.md": DOCS["leave.md"]})
    result = run(tmp_path / "env-dir", "ingest", str(corpus), "--data-dir", str(tmp_path / "opt"))
    assert result.exit_code == 0
    assert (tmp_path / "opt" / "manifest.json").is_file()
    assert not (tmp_path / "env-dir").exists()


# --- search ---------------------------------------------------------------------------


def test_search_json_returns_the_search_result_shape(indexed: dict) -> None:
    result = run(indexed["data"], "search", "休息日加班工资怎么算", "--json", "--k", "2")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"query", "hits"}
    assert out["query"] == "休息日加班工资怎么算"
    assert len(out["hits"]) == 2
    for hit in out["hits"]:
        assert set(hit) == HIT_KEYS
        assert isinstance(hit["score"], float)
        assert isinstance(hit["start"], int) and isinstance(hit["end"], int)
        assert isinstance(hit["metadata"], dict)
        file_text = (indexed["corpus"] / hit["source"]).read_text(encoding="utf-8")
        assert file_text[hit["start"] : hit["end"]] == hit["text"]
    top = out["hits"][0]
    assert (top["source"], top["title"], top["locator"]) == ("overtime.md", "加班费", "第1段")


def test_search_human_output_lists_numbered_hits(indexed: dict) -> None:
    result = run(indexed["data"], "search", "试用期最长多久", "--k", "1")
    assert result.exit_code == 0
    first, second = result.stdout.splitlines()[:2]
    assert first.startswith("[1] 试用期 第1段  (probation.md, score ")
    assert "试用期不得超过一个月" in second


def test_search_batch_echoes_ids_in_order_and_flags_bad_lines(indexed: dict) -> None:
    batch = indexed["data"].parent / "questions.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"id": "q-leave", "question": "年休假有几天"}, ensure_ascii=False),
                "{not json",
                json.dumps({"id": "q-empty", "question": "  "}),
                "",
                json.dumps({"question": "试用期最长多久"}, ensure_ascii=False),
                json.dumps({"id": 7, "text": "no question field"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = run(indexed["data"], "search", "--batch", str(batch), "--json", "--k", "1")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["q-leave", 2, "q-empty", 5, 7]
    assert rows[0]["hits"][0]["source"] == "leave.md" and "error" not in rows[0]
    assert "JSON" in rows[1]["error"] and "hits" not in rows[1]
    assert "问题不能为空" in rows[2]["error"]
    assert rows[3]["hits"][0]["source"] == "probation.md"
    assert "question" in rows[4]["error"]


def test_search_batch_with_only_good_lines_exits_0(indexed: dict) -> None:
    batch = indexed["data"].parent / "good.jsonl"
    batch.write_text(
        json.dumps({"id": "a", "question": "加班费"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    result = run(indexed["data"], "search", "--batch", str(batch), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == "a"


def test_search_before_ingest_exits_1_and_says_to_ingest(tmp_path: Path) -> None:
    result = run(tmp_path / "fresh", "search", "加班费怎么算", "--json")
    assert result.exit_code == 1
    assert "unionqa ingest" in one_line_error(result)


# --- usage errors: exit 2, one line on stderr -----------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["search"], "二者选一"),
        (["search", "加班费", "--batch", "questions.jsonl"], "二者选一"),
        (["search", "   ", "--json"], "问题不能为空"),
        (["search", "加班费", "--filter", "colour=red"], "无效的过滤条件"),
        (["search", "加班费", "--filter", "in_force=2026-02-30"], "YYYY-MM-DD"),
        (["search", "加班费", "--k", "0"], "k 应在 1 到 100 之间"),
        (["search", "--batch", "missing.jsonl", "--json"], "无法读取批量文件"),
        (["ask"], "二者选一"),
        (["ask", "加班费怎么算", "--as-of", "2026/01/01"], "--as-of"),
    ],
    ids=[
        "no-question",
        "question-and-batch",
        "blank-question",
        "bad-filter-key",
        "bad-filter-date",
        "k-zero",
        "missing-batch-file",
        "ask-no-question",
        "ask-bad-as-of",
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(
    indexed: dict, args: list[str], says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(indexed["data"].parent)
    result = run(indexed["data"], *args)
    assert result.exit_code == 2
    assert says in one_line_error(result)
    assert result.stdout == ""
