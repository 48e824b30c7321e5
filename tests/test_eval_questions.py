"""The held-out evaluation set eval/questions.jsonl stays grounded in the corpus.

Gold and support quotes are verbatim in their documents (offsets are checked by the
metrics, so a paraphrased quote would silently score zero); the figures an invented answer
to an unanswerable question might contain are nowhere in the corpus (a grounded answer may
quote the corpus, so those strings must not be in it).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from unionqa.eval.metrics import alternatives, parse_questions

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
QUESTIONS = REPO / "eval" / "questions.jsonl"
DEV = REPO / "eval" / "dev_questions.jsonl"

KINDS = {
    "colloquial",
    "paraphrase",
    "fact",
    "number",
    "procedure",
    "multi_hop",
    "english",
    "multi_turn",
    "expiry",
    "unanswerable",
}


def body_of(path: Path) -> str:
    """The document text as the loader sees it: everything after the YAML front matter."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path.name
    return text[text.index("\n---\n", 4) + len("\n---\n") :]


RAW = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
ITEMS = parse_questions(QUESTIONS.read_text(encoding="utf-8"))
BODIES = {p.name: body_of(p) for p in sorted(CORPUS.glob("*.md"))}


def test_set_has_at_least_120_items_with_unique_ids():
    ids = [it.id for it in ITEMS]
    assert len(ITEMS) >= 120
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]


def test_every_kind_is_present_and_every_document_is_covered():
    assert {it.kind for it in ITEMS} == KINDS
    assert {it.gold_doc for it in ITEMS if it.answerable} == set(BODIES)


def test_at_least_20_unanswerable_items_each_with_must_not_contain():
    unanswerable = [it for it in ITEMS if not it.answerable]
    assert len(unanswerable) >= 20
    for it in unanswerable:
        assert it.kind == "unanswerable", it.id
        assert it.gold_doc is None and it.gold_quote is None, it.id
        assert it.must_not_contain, it.id


def test_no_must_not_contain_string_occurs_in_the_corpus():
    for it in ITEMS:
        for s in it.must_not_contain:
            found = [name for name, body in BODIES.items() if s in body]
            assert not found, f"{it.id}: must_not_contain {s!r} occurs in {found}"


def test_questions_are_not_copied_from_the_dev_set():
    dev = {json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()}
    assert not dev & {it.question for it in ITEMS}


@pytest.mark.parametrize("item", ITEMS, ids=lambda it: it.id)
def test_item_is_grounded(item):
    assert item.question.strip()
    assert item.lang in {"zh", "en"}
    assert item.kind in KINDS
    if item.kind == "english":
        assert item.lang == "en"
    if item.kind == "multi_turn":
        assert item.history and all(turn.strip() for turn in item.history)
    if item.kind == "multi_hop":
        assert item.support, "multi_hop items name their second passage in support"
    if not item.answerable:
        return
    assert item.gold_doc in BODIES, f"unknown gold_doc {item.gold_doc!r}"
    assert item.gold_quote and item.gold_quote in BODIES[item.gold_doc], (
        "gold_quote is not a verbatim substring of the gold_doc body"
    )
    for s in item.support:
        assert s.doc in BODIES and s.quote in BODIES[s.doc], f"support quote not in {s.doc}"
    assert item.key_facts
    for fact in item.key_facts:
        # short and checkable: some alternative is in the gold document (English
        # alternatives are allowed beside it)
        assert any(a in BODIES[item.gold_doc] for a in alternatives(fact)), fact
        assert all(len(a) <= 40 for a in alternatives(fact)), fact


def test_expiry_items_name_the_end_date():
    for it in ITEMS:
        if it.kind == "expiry":
            assert any("2025年12月31日" in alternatives(f) for f in it.key_facts), it.id


def test_raw_lines_use_only_contract_fields():
    allowed = {
        "id",
        "question",
        "lang",
        "answerable",
        "gold_doc",
        "gold_quote",
        "key_facts",
        "kind",
        "history",
        "support",
        "must_not_contain",
    }
    for obj in RAW:
        assert set(obj) <= allowed, set(obj) - allowed
