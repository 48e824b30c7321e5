"""The keyword index reuses the tokens of texts it has seen: a rebuild after a write tokenizes
only new or changed chunks, and scores exactly as a rebuild from scratch would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import unionqa.search.keyword as keyword
from unionqa.search.keyword import KeywordIndex

TEXTS = [
    "第三十九条 劳动者有下列情形之一的，用人单位可以解除劳动合同。",
    "第四十七条 经济补偿按劳动者在本单位工作的年限，每满一年支付一个月工资的标准向劳动者支付。",
    "第三十七条 劳动者提前三十日以书面形式通知用人单位，可以解除劳动合同。",
]
QUERIES = ["解除劳动合同", "经济补偿 工作年限", "提前三十日 通知", "加班费"]


def _build(texts: list[str], previous: KeywordIndex | None = None) -> KeywordIndex:
    ids = [f"law#{i}" for i in range(len(texts))]
    metas = [{"title": "劳动合同法", "doc_id": "law", "article": ""} for _ in texts]
    return KeywordIndex.build(ids, texts, metas, "g", previous)


def _scores(kw: KeywordIndex) -> list[list[tuple[str, float]]]:
    return [kw.search(q, 10) for q in QUERIES]


def test_a_rebuild_tokenizes_only_new_and_changed_texts(count_tokenize: list[str]) -> None:
    first = _build(TEXTS)
    assert len(count_tokenize) == 3
    count_tokenize.clear()
    changed = [TEXTS[0], TEXTS[1] + "（修订）", TEXTS[2], "第四十条 用人单位提前三十日通知。"]
    again = _build(changed, first)
    assert [t.split(" ", 1)[1] for t in count_tokenize] == changed[1:2] + changed[3:]
    count_tokenize.clear()
    fresh = _build(changed)
    assert len(count_tokenize) == 4
    assert _scores(again) == _scores(fresh) and _scores(fresh)[0]


def test_tokens_survive_the_disk_cache(tmp_path: Path, count_tokenize: list[str]) -> None:
    first = _build(TEXTS)
    first.save(tmp_path / "kw")
    loaded = KeywordIndex.load(tmp_path / "kw")
    assert loaded is not None and loaded.tokens is not None
    assert np.array_equal(loaded.tokens["flat"], first.tokens["flat"])  # type: ignore[index]
    count_tokenize.clear()
    again = _build(TEXTS, loaded)
    assert count_tokenize == []
    assert _scores(again) == _scores(first)


def test_a_cache_from_before_token_reuse_still_loads_and_is_rebuilt_in_full(
    tmp_path: Path, count_tokenize: list[str]
) -> None:
    first = _build(TEXTS)
    first.save(tmp_path / "kw")
    (tmp_path / "kw" / "tokens.npz").unlink()
    loaded = KeywordIndex.load(tmp_path / "kw")
    assert loaded is not None and loaded.tokens is None
    assert _scores(loaded) == _scores(first)
    count_tokenize.clear()
    _build(TEXTS, loaded)
    assert len(count_tokenize) == 3


def test_tokens_of_another_tokenizer_are_not_reused(
    monkeypatch: pytest.MonkeyPatch, count_tokenize: list[str]
) -> None:
    """A new jieba or a changed glossary (its words are added to jieba) cuts text differently."""
    first = _build(TEXTS)
    monkeypatch.setattr(keyword, "_tokenizer_version", lambda: "another")
    count_tokenize.clear()
    _build(TEXTS, first)
    assert len(count_tokenize) == 3
