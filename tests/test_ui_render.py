"""The chat UI's HTML (``unionqa.ui_render``): cards, badges, refusals, and escaping of hostile text."""

from __future__ import annotations

import re
from datetime import date

from unionqa.types import Answer, Citation, Escalation
from unionqa.ui.render import (
    answer_message,
    error_message,
    paragraph_bounds,
    pending_message,
    quote_in_paragraph,
    refusal_message,
    source_card,
    user_message,
    validity_badge,
)

TODAY = date(2026, 6, 1)
HOSTILE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
DOC = (
    "# 标题\n\n第一段说明。\n\n"
    f"夜班津贴按每个夜班80元发放{HOSTILE}，次月支付。另一句话。\n\n"
    "最后一段。"
)


def _citation(text: str, quote: str, **kw: object) -> Citation:
    start = text.index(quote)
    fields: dict[str, object] = {
        "n": 1,
        "doc_id": "d1",
        "source": "d.md",
        "title": "夜班津贴办法",
        "quote": quote,
        "start": start,
        "end": start + len(quote),
        "locator": "第2段",
        **kw,
    }
    return Citation.model_validate(fields)


def _tags(html: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html)}


SAFE_TAGS = {"div", "span", "mark", "details", "summary", "sup", "b", "ul", "li", "a", "p"}


def test_paragraph_bounds_stop_at_blank_lines() -> None:
    start = DOC.index("另一句话")
    ps, pe = paragraph_bounds(DOC, start, start + 4)
    assert DOC[ps:pe].startswith("夜班津贴") and DOC[ps:pe].endswith("另一句话。")


def test_quote_spanning_a_blank_line_keeps_both_paragraphs() -> None:
    text = "前言。\n\n补助标准:\n\n- 每人1500元\n\n其他。"
    start, end = text.index("补助标准"), text.index("1500元") + 4
    ps, pe = paragraph_bounds(text, start, end)
    assert text[ps:pe] == "补助标准:\n\n- 每人1500元"


def test_quote_is_marked_inside_its_paragraph() -> None:
    html = quote_in_paragraph(DOC, DOC.index("另一句话"), DOC.index("另一句话") + 5)
    assert "<mark" in html and "另一句话。</mark>" in html
    assert "夜班津贴按每个夜班80元发放" in html  # the rest of the paragraph is context
    assert "第一段说明" not in html and "最后一段" not in html


def test_long_paragraph_is_trimmed_around_the_quote() -> None:
    text = "甲" * 1000 + "要引用的句子。" + "乙" * 1000
    start = text.index("要引用")
    html = quote_in_paragraph(text, start, start + 7)
    assert html.startswith("…") and html.endswith("…") and len(html) < 700


def test_hostile_document_text_is_escaped_in_cards_answers_and_refusals() -> None:
    quote = f"夜班津贴按每个夜班80元发放{HOSTILE}，次月支付。"
    c = _citation(DOC, quote, title=f"办法{HOSTILE}", locator=f"第2段{HOSTILE}")
    answer = Answer(
        answer=f"要点：{quote}[1]", refused=False, citations=[c], notices=[f"注意{HOSTILE}"]
    )
    outputs = [
        answer_message(answer, {"d1": DOC}, "a" * 32, "zh", TODAY),
        user_message(HOSTILE),
        pending_message(HOSTILE, "zh"),
        error_message(HOSTILE, "zh"),
        refusal_message(Answer(answer=HOSTILE, refused=True), "zh"),
    ]
    for html in outputs:
        assert _tags(html) <= SAFE_TAGS, _tags(html)
        assert "onerror=" not in html.replace("onerror=&quot;", "")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in outputs[0]


def test_card_shows_title_locator_badge_quote_and_whole_document() -> None:
    quote = "另一句话。"
    html = source_card(
        _citation(DOC, quote, valid_until=date(2027, 1, 1)), DOC, "uq-x-1", "zh", TODAY
    )
    assert "《夜班津贴办法》" in html and "第2段" in html
    assert "有效" in html and "2027-01-01" in html
    assert html.count("<mark") == 2  # in the paragraph and in the whole document
    assert '<mark class="uq-quote" id="uq-x-1">另一句话。</mark>' in html
    assert "<details" in html and "最后一段" in html  # the whole document behind the details


def test_card_of_a_changed_document_shows_the_quote_alone() -> None:
    c = _citation(DOC, "另一句话。")
    html = source_card(c, "完全不同的文本", "uq-x-1", "zh", TODAY)
    assert "<mark" in html and "另一句话。" in html and "<details" not in html


def test_validity_badge_valid_expired_and_undated() -> None:
    assert "有效 · 至 2026-12-31" in validity_badge(date(2026, 12, 31), TODAY, "zh")
    expired = validity_badge(date(2025, 12, 31), TODAY, "zh")
    assert "已过期" in expired and "2025-12-31" in expired and "uq-expired" in expired
    assert "未注明有效期" in validity_badge(None, TODAY, "zh")
    assert "Expired" in validity_badge(date(2025, 12, 31), TODAY, "en")


def test_refusal_is_styled_apart_and_names_the_hotline() -> None:
    answer = Answer(
        answer="抱歉，现有资料没有涉及这个问题。",
        refused=True,
        escalation=Escalation(hotline="12351 职工服务热线", reason="现有资料未覆盖该问题"),
    )
    html = answer_message(answer, {}, "a" * 32, "zh", TODAY)
    assert "uq-refusal" in html and 'href="tel:12351"' in html and "职工服务热线" in html
    assert "uq-sources" not in html


def test_answer_markers_become_superscripts_and_notices_are_not_repeated() -> None:
    c = _citation(DOC, "另一句话。", valid_until=date(2025, 1, 1))
    notice = "《夜班津贴办法》已过期。"
    answer = Answer(
        answer=f"要点：另一句话。[1]\n\n有效期：{notice}",
        refused=False,
        citations=[c],
        notices=[notice, "大模型回答未完整生成。"],
    )
    html = answer_message(answer, {"d1": DOC}, "b" * 32, "zh", TODAY)
    assert '<sup class="uq-ref">[1]</sup>' in html
    assert html.count(notice) == 1 and "大模型回答未完整生成。" in html


def test_english_labels() -> None:
    c = _citation(DOC, "另一句话。")
    answer = Answer(answer="Key point: 另一句话。[1]", refused=False, citations=[c])
    html = answer_message(answer, {"d1": DOC}, "c" * 32, "en", TODAY)
    assert "Sources (1)" in html and "Show the whole document" in html and "No expiry date" in html


def test_markdown_is_rendered_as_text_with_the_quote_marked() -> None:
    from unionqa.ui.markdown import markdown_text

    text = "# 标题\n\n补助标准:\n\n- 每人**1500元**\n- 资金<b>来源</b>\n\nwindow.__x 不变。"
    start, end = text.index("补助标准"), text.index("1500元") + 5
    html = markdown_text(text, start, end, "q1")
    assert '<b class="uq-md-h">标题</b>' in html and "#" not in html
    assert "• 资金" in html and "\n- " not in html and "**" not in html
    assert "<b>" in html and "&lt;b&gt;来源&lt;/b&gt;" in html and "window.__x" in html
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", html)
    assert "".join(marks) == "补助标准:每人1500元" and html.count('id="q1"') == 1
    assert len(re.findall(r"<b[ >]", html)) == html.count("</b>")  # never left open
