"""The question, derived once and handed to every stage: its redacted text and history, the query
that retrieval and the issue map see (a follow-up is read with the turns before it), its
language, whether it is a follow-up, and the kind of figure it asks for."""

from __future__ import annotations

from dataclasses import dataclass

from ..privacy import redact, without_placeholders
from ..text import answer_type
from ..text.questions import detect_lang, is_followup


@dataclass(frozen=True)
class Question:
    text: str  # redacted; placeholders (【电话】) tell a model what was removed
    history: tuple[str, ...]  # earlier user turns, redacted
    query: str  # what retrieval and the matcher see
    lang: str
    followup: bool
    wants: str | None  # the kind of figure asked for (answer_type), or None

    @property
    def bare(self) -> str:
        """The redacted text without its placeholders."""
        return without_placeholders(self.text)

    @property
    def context(self) -> list[str]:
        """The history that counts for a follow-up's terms ([] for a question on its own)."""
        return list(self.history) if self.followup else []

    def with_query(self, query: str) -> Question:
        return Question(self.text, self.history, query, self.lang, self.followup, self.wants)


def make_question(text: str, history: list[str] | None = None) -> Question:
    q = redact(text.strip())
    turns = tuple(redact(h) for h in history or [] if h.strip())
    followup = is_followup(q, list(turns))
    bare = without_placeholders(q)
    query = without_placeholders(" ".join([*turns[-2:], q])) if followup else bare
    return Question(q, turns, query, detect_lang(q), followup, answer_type.expected(bare))
