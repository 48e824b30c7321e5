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

# short names the issue map and the calculators use for documents whose titles say more
LAW_ALIASES = {"劳动争议解释（一）": "最高人民法院关于审理劳动争议案件适用法律问题的解释（一）"}


def law_title_matches(title: str, law: str) -> bool:
    """Is ``title`` the document that the short name ``law`` (劳动合同法) names exactly? Its
    中华人民共和国 prefix and an edition note (（2012修正）) aside; 劳动合同法 is not 劳动合同法实施条例."""
    law = LAW_ALIASES.get(law, law)
    short = title.removeprefix("中华人民共和国").strip()
    law = law.removeprefix("中华人民共和国")
    return short == law or short.startswith((law + "（", law + "("))
