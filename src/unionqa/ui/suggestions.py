"""The chat page's suggested questions: only ones the loaded documents answer.

The candidates are checked against the index (``QAService.ask``) on the first page load, not
at import or build time (the index may still be warming up then), and the ones that would be
refused are dropped: a suggestion that ends in "资料中没有找到答案" teaches a worker that the
page does not work.
"""

from __future__ import annotations

import logging

from ..service import QAService

logger = logging.getLogger(__name__)

# In order of preference; corpus/ answers the first three.
CANDIDATES = [
    "公司招应届生能领什么补助?",
    "AI面试给我打了低分,我能要求解释吗?",
    "一次性扩岗补助的钱从哪里出?",
    "AI面试用了我的个人信息，公司要告诉我吗?",
    "工会怎么推动新质生产力?",
]
MAX_SUGGESTIONS = 3


def suggestions(service: QAService, candidates: list[str] = CANDIDATES) -> list[str]:
    """The candidates the index answers (not refused), at most MAX_SUGGESTIONS; none when the
    index cannot be asked (a suggestion that would fail is worse than none)."""
    kept: list[str] = []
    for question in candidates:
        if len(kept) == MAX_SUGGESTIONS:
            break
        try:
            if not service.ask(question).refused:
                kept.append(question)
        except Exception:  # an empty or unreachable index: offer no suggestions
            logger.warning("suggested questions not checked: the index could not be asked")
            return []
    return kept
