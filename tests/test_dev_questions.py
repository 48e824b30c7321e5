"""Sanity checks for the development question set eval/dev_questions.jsonl.

The dev set is for tuning retrieval; it must stay grounded in the corpus:
gold quotes are verbatim, key facts are in the gold document, and the figures
an invented answer to an unanswerable question might contain are nowhere in
the corpus.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
DEV = REPO / "eval" / "dev_questions.jsonl"

KINDS = {
    "colloquial",
    "paraphrase",
    "fact",
    "number",
    "procedure",
    "english",
    "multi_turn",
    "expiry",
    "unanswerable",
}
KEYS = {"id", "question", "lang", "answerable", "gold_doc", "gold_quote", "key_facts", "kind"}
OPTIONAL = {"history", "must_not_contain"}


def body_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path.name
    end = text.index("\n---\n", 4)
    yaml.safe_load(text[4:end])  # front matter must parse
    return text[end + len("\n---\n") :]


def load_items() -> list[dict]:
    items = []
    for n, line in enumerate(DEV.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            obj = json.loads(line)
            assert isinstance(obj, dict), f"line {n} is not an object"
            items.append(obj)
    return items


ITEMS = load_items()
BODIES = {p.name: body_of(p) for p in sorted(CORPUS.glob("*.md"))}


def alternatives(fact: str) -> list[str]:
    return [a.strip() for a in fact.split("|") if a.strip()]


def test_size_and_unique_ids():
    ids = [it["id"] for it in ITEMS]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert all(re.fullmatch(r"dev-\d{3}", i) for i in ids)
    assert 35 <= len(ITEMS) <= 120
    assert sum(it["answerable"] for it in ITEMS) >= 25
    assert sum(not it["answerable"] for it in ITEMS) >= 8


def test_all_kinds_and_docs_covered():
    assert {it["kind"] for it in ITEMS} == KINDS
    assert {it["gold_doc"] for it in ITEMS if it["answerable"]} == set(BODIES)


@pytest.mark.parametrize("item", ITEMS, ids=lambda it: it["id"])
def test_item(item: dict):
    assert KEYS <= set(item) <= KEYS | OPTIONAL, set(item) ^ KEYS
    assert isinstance(item["question"], str) and item["question"].strip()
    assert item["lang"] in {"zh", "en"}
    assert item["kind"] in KINDS
    assert isinstance(item["answerable"], bool)
    assert isinstance(item["key_facts"], list) and all(
        isinstance(f, str) and f for f in item["key_facts"]
    )
    if item["kind"] == "english":
        assert item["lang"] == "en"
    if item["kind"] == "multi_turn":
        hist = item.get("history")
        assert isinstance(hist, list) and hist and all(isinstance(h, str) and h for h in hist)
    if "must_not_contain" in item:
        mnc = item["must_not_contain"]
        assert isinstance(mnc, list) and mnc and all(isinstance(x, str) and x for x in mnc)
        # a grounded answer may quote the corpus, so these must not be in it
        for x in mnc:
            hits = [name for name, body in BODIES.items() if x in body]
            assert not hits, f"must_not_contain {x!r} occurs in {hits}"

    if item["answerable"]:
        assert item["kind"] != "unanswerable"
        assert item["gold_doc"] in BODIES, f"unknown gold_doc {item['gold_doc']!r}"
        body = BODIES[item["gold_doc"]]
        assert isinstance(item["gold_quote"], str) and item["gold_quote"]
        assert item["gold_quote"] in body, (
            "gold_quote is not a verbatim substring of the gold_doc body"
        )
        assert item["key_facts"], "answerable items need at least one key fact"
        for fact in item["key_facts"]:
            assert any(a in body for a in alternatives(fact)), (
                f"key fact {fact!r} not in {item['gold_doc']}"
            )
    else:
        assert item["kind"] == "unanswerable"
        assert item["gold_doc"] is None and item["gold_quote"] is None
        assert item.get("must_not_contain"), "unanswerable items need must_not_contain"
