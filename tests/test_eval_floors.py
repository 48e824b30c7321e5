"""The evaluation's absolute floors: a baseline file may carry ``"floors"`` (metric → min, max or
a margin over the naive RAG), and the run fails when one is missed. Over the statutes, the gate
on the demand-shaped development set fails when the issue map is switched off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unionqa.eval.gates import check_floors
from unionqa.eval.run import run_eval

REPO = Path(__file__).resolve().parents[1]
DEV = REPO / "eval" / "dev_workers.jsonl"


@pytest.mark.parametrize(
    "current, floors, naive, failed",
    [
        ({"a": 0.9}, {"a": {"min": 0.8}}, None, []),
        ({"a": 0.7}, {"a": {"min": 0.8}}, None, ["a"]),
        ({"a": 0.05}, {"a": {"max": 0.05}}, None, []),
        ({"a": 0.06}, {"a": {"max": 0.05}}, None, ["a"]),
        ({}, {"a": {"min": 0.1}}, None, ["a"]),  # not measured is a failure
        ({"a": 0.8}, {"a": {"over_baseline": 0.15}}, {"a": 0.6}, []),
        ({"a": 0.7}, {"a": {"over_baseline": 0.15}}, {"a": 0.6}, ["a"]),
        ({"a": 0.7}, {"a": {"over_baseline": 0.15}}, None, []),  # no naive run: no margin
    ],
)
def test_floors_fail_exactly_when_missed(current, floors, naive, failed):
    assert [f.metric for f in check_floors(current, floors, naive)] == failed


def test_an_unknown_floor_rule_is_an_error():
    with pytest.raises(ValueError, match="unknown floor rule"):
        check_floors({"a": 1.0}, {"a": {"atleast": 0.5}})


@pytest.fixture(scope="module")
def dev_subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every fourth answerable question of the development set whose document is in corpus/ or
    the 11 statutes (the regulations are not in the test index)."""
    laws = {p.name for p in (REPO.parent / "shared" / "corpora" / "laws").glob("*.md")}
    corpus = {p.name for p in (REPO / "corpus").glob("*.md")}
    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]
    kept = [i for i in items if i["answerable"] and i["gold_doc"] in laws | corpus][::4]
    path = tmp_path_factory.mktemp("dev-subset") / "dev.jsonl"
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in kept) + "\n", "utf-8")
    return path


def test_the_gate_fails_when_the_situation_match_is_switched_off(
    laws_service, dev_subset, tmp_path
):
    floors = tmp_path / "floors.json"
    floors.write_text(
        json.dumps(
            {
                "metrics": {"overall": {}},
                "floors": {"situation@1": {"min": 0.7}, "wrong_refusal_rate": {"max": 0.25}},
            }
        ),
        encoding="utf-8",
    )
    on = run_eval(
        laws_service.settings, dev_subset, out=tmp_path / "on", with_baseline=False, compare=floors
    )
    off_settings = laws_service.settings.model_copy(
        update={
            "situations": laws_service.settings.situations.model_copy(update={"enabled": False})
        }
    )
    off = run_eval(
        off_settings, dev_subset, out=tmp_path / "off", with_baseline=False, compare=floors
    )
    report = json.loads((tmp_path / "off" / "report.json").read_text(encoding="utf-8"))
    assert on == 0
    assert off == 1
    assert any(f.startswith("situation@1") for f in report["gate"]["failures"])
