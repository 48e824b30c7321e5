"""The optional LLM judge: RAGAS-style faithfulness and answer relevance, one small call each,
when an LLM is configured."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from ..settings import Settings
from ..types import Answer
from .metrics import Scores

logger = logging.getLogger(__name__)

JUDGE_SKIPPED = "skipped: no LLM configured (UNIONQA_LLM__BASE_URL unset)"
JUDGE_METRICS = ("faithfulness", "answer_relevance")
JUDGE_SYSTEM = (
    "You grade answers of a question-answering service. Reply with one number between 0 and 1 "
    "and nothing else."
)


def faithfulness_prompt(answer: str, quotes: Sequence[str]) -> str:
    sources = "\n".join(f"- {q}" for q in quotes) or "- (none)"
    return (
        "Sources:\n"
        f"{sources}\n\nAnswer:\n{answer}\n\n"
        "What share of the claims in the answer is supported by the sources? "
        "Reply with a number from 0 to 1."
    )


def relevance_prompt(question: str, answer: str) -> str:
    return (
        f"Question:\n{question}\n\nAnswer:\n{answer}\n\n"
        "How directly and completely does the answer address the question "
        "(1 = fully, 0 = not at all)? Reply with a number from 0 to 1."
    )


def parse_judgement(text: str) -> float | None:
    """The first number in the reply, clamped to [0, 1]; None when there is none."""
    m = re.search(r"\d+(?:\.\d+)?", text or "")
    if not m:
        return None
    value = float(m.group())
    if value > 1.0 and value <= 100.0 and "%" in text:
        value /= 100.0
    return min(max(value, 0.0), 1.0)


class Judge:
    """RAGAS-style faithfulness and answer relevance, one small LLM call each."""

    def __init__(self, settings: Settings) -> None:
        from ..answer.llm import make_chat_model

        self.model = make_chat_model(settings.llm)
        self.calls = 0
        self.failures = 0

    def status(self) -> str:
        if not self.failures:
            return "ok"
        if self.failures == self.calls:
            return f"failed: all {self.calls} judge calls failed (see the log)"
        return f"ok ({self.failures} of {self.calls} calls failed)"

    def score(self, prompt: str) -> float | None:
        self.calls += 1
        try:
            reply = self.model.invoke([("system", JUDGE_SYSTEM), ("human", prompt)])
        except Exception as e:  # any transport/provider error: the item goes unjudged
            self.failures += 1
            logger.warning("LLM judge call failed: %s", e.__class__.__name__)
            return None
        return parse_judgement(str(reply.content))

    def judge(self, question: str, answer: Answer) -> Scores:
        if answer.refused or not answer.answer.strip():
            return {}
        quotes = [c.quote for c in answer.citations]
        return {
            "faithfulness": self.score(faithfulness_prompt(answer.answer, quotes)),
            "answer_relevance": self.score(relevance_prompt(question, answer.answer)),
        }
