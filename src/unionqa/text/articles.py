"""Article patterns: an article heading in a statute (第二十四条, 第十条之一), a part heading (第三章),
and an article reference in a question (劳动合同法第三十九条, 第24条)."""

from __future__ import annotations

import re

ARTICLE_RE = re.compile(r"^第([零〇一二三四五六七八九十百千]+)条(?:之[一二三四五六七八九十]+)?")
STATUTE_PART_RE = re.compile(r"^第[零〇一二三四五六七八九十百千]+[编章节]")
# 第24条 / 第二十四条 in a question, optionally after a law name
ARTICLE_REF_RE = re.compile(
    r"(?:《?([\u4e00-\u9fff]{2,30}?(?:法|条例|规定|办法|细则|解释))》?)?\s*第\s*([0-9０-９]+|[零〇一二三四五六七八九十百千]+)\s*条"
)
