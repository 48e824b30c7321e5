"""Rules of ``answer.evidence`` that choose what may be quoted, one table row each. Fast: no
model, no index."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from unionqa.answer.evidence import Terms, _names_shared, select
from unionqa.types import Hit


def terms(weights: dict[str, float], nominal: set[str]) -> Terms:
    return Terms(
        weights=weights,
        alternatives={t: (t,) for t in weights},
        nominal=frozenset(nominal),
    )


@pytest.mark.parametrize(
    ("weights", "quote", "shared"),
    [
        # the heaviest naming term decides; a tie goes to the longer one (人脸, not 钱)
        ({"人脸": 2.77, "钱": 2.77, "收集": 2.26}, "每招聘1人不超过1500元，钱从基金出", False),
        ({"人脸": 2.77, "钱": 2.77, "收集": 2.26}, "收集人脸信息应当取得单独同意", True),
        ({"高温": 3.0, "钱": 1.0}, "高温津贴每月300元", True),
        ({"高温": 3.0, "钱": 1.0}, "扩岗补助1500元，钱从失业保险基金出", False),
    ],
)
def test_a_quote_from_another_document_must_name_the_question_topic(weights, quote, shared):
    t = terms(weights, set(weights))
    assert _names_shared(t.covered(quote), t) is shared


def test_the_topic_does_not_depend_on_the_hash_seed():
    code = (
        "from unionqa.answer.evidence import Terms, _names_shared\n"
        "w = {'钱': 2.77, '人脸': 2.77, 'ai': 1.5}\n"
        "t = Terms(w, {k: (k,) for k in w}, nominal=frozenset(w))\n"
        "print(_names_shared({'钱'}, t))\n"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(6)
    }
    assert seen == {"False"}


NOTICE = (
    "实施对象: 招用离校两年内未就业高校毕业生的企业。\n\n"
    "补助标准:\n\n- 每招用1人不超过1500元\n- 资金从失业保险基金支出"
)


def _notice_hit() -> Hit:
    return Hit(
        chunk_id="c1",
        doc_id="d1",
        source="notice.md",
        title="补助通知",
        text=NOTICE,
        score=1.0,
        start=0,
        end=len(NOTICE),
        locator="第1段",
    )


def test_a_list_opener_takes_its_markdown_items_along():
    t = terms({"补助": 1.0}, {"补助"})
    chosen, _ = select([_notice_hit()], {"d1": NOTICE}, "补助标准是啥", t)
    opener = next(e for e in chosen if e.quote.startswith("补助标准"))
    assert opener.quote.endswith("资金从失业保险基金支出") and "1500元" in opener.quote
    assert NOTICE[opener.start : opener.end] == opener.quote


def test_a_governing_phrase_of_the_situation_makes_its_sentence_the_point():
    t = terms({"企业": 1.0, "补助": 1.0}, {"企业", "补助"})
    question = "企业能领补助吗"
    plain, _ = select([_notice_hit()], {"d1": NOTICE}, question, t)
    governed, _ = select([_notice_hit()], {"d1": NOTICE}, question, t, ["每招用1人不超过1500元"])
    assert not plain[0].quote.startswith("补助标准")
    assert governed[0].quote.startswith("补助标准") and "1500元" in governed[0].quote
