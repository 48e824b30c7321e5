"""HTML of the chat UI's messages (answers with [n] markers, source cards, refusals, errors), the
CSS that styles them, and the one static script (scrolling an opened card's quote into view).

Every piece of text that comes from a worker, a document or an answer passes through
``html.escape`` before it meets markup; the only tags are the ones written here. The
labels a worker reads are in ``TEXT`` (Chinese first, English as the interface switch).
"""

from __future__ import annotations

import re
from datetime import date
from html import escape

from ..text.contacts import blank_contacts
from ..types import Answer, Citation
from .markdown import markdown_text

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "职工政策问答",
        "subtitle": "就业补贴、劳动权益等问题，回答只来自已收录的资料，并标明出处。",
        "lang_label": "界面语言",
        "notice": (
            "<b>使用前请知悉：</b>你的问题不会被保存；在写入任何日志之前，手机号、身份证号、"
            "银行卡号和邮箱都会被替换掉。这里提供的是政策信息，不是法律意见；"
            "遇到具体纠纷，请咨询工会、人社部门或律师。"
        ),
        "dismiss": "知道了",
        "placeholder": "输入你的问题",
        "send": "发送",
        "examples": "试试这些问题：",
        "searching": "正在查找资料…",
        "sources_count": "{n} 条依据",
        "open_doc": "查看全文",
        "valid": "有效",
        "valid_until": "至 {date}",
        "expired": "已过期",
        "expired_on": "{date} 到期",
        "no_date": "未注明有效期",
        "notices": "请注意",
        "refusal_title": "资料中没有找到答案",
        "hotline_label": "职工服务热线",
        "hotline_hint": "可以拨打热线，或联系当地工会、人社部门咨询。",
        "error_title": "出了点问题",
        "error_generic": "系统暂时出了点问题，请稍后再试。如果急需帮助，可拨打12351职工服务热线。",
        "empty": "请先输入问题。",
        "feedback_prompt": "谢谢评价！愿意的话，可以补充说明（可选）：",
        "feedback_placeholder": "哪里有用，哪里不对？请不要填写姓名、电话等个人信息。",
        "feedback_send": "提交意见",
        "feedback_thanks": "谢谢你的反馈！",
        "footer": "本服务依据工会收录的公开资料作答，仅供参考，不构成法律意见。职工服务热线：12351。",
        "chat_label": "问答",
        "welcome_title": "你好！这里可以查职工政策和权益。",
        "welcome": "在下面输入问题，或点一个示例问题。每个回答都标明出处，点开来源可以看原文。",
    },
    "en": {
        "title": "Workers' Policy Q&A",
        "subtitle": "Employment subsidies, labour rights and more: answers come only from the collected documents, with sources.",
        "lang_label": "Language",
        "notice": (
            "<b>Before you start:</b> your question is not stored; phone, ID-card and bank-card "
            "numbers and e-mail addresses are removed before anything is logged. This is "
            "information, not legal advice; for a specific dispute ask a trade union, the labour "
            "bureau or a lawyer."
        ),
        "dismiss": "Got it",
        "placeholder": "Type your question",
        "send": "Send",
        "examples": "Try these questions:",
        "searching": "Searching the documents…",
        "sources_count": "Sources ({n})",
        "open_doc": "Show the whole document",
        "valid": "Valid",
        "valid_until": "until {date}",
        "expired": "Expired",
        "expired_on": "since {date}",
        "no_date": "No expiry date stated",
        "notices": "Please note",
        "refusal_title": "The documents don't cover this",
        "hotline_label": "Workers' service hotline",
        "hotline_hint": "Call the hotline, or ask your local trade union or labour bureau.",
        "error_title": "Something went wrong",
        "error_generic": "Something went wrong on our side; please try again later. For urgent help call the 12351 workers' hotline.",
        "empty": "Please type a question first.",
        "feedback_prompt": "Thanks! If you like, tell us more (optional):",
        "feedback_placeholder": "What helped, what was wrong? Please leave out names and phone numbers.",
        "feedback_send": "Send comment",
        "feedback_thanks": "Thank you for your feedback!",
        "footer": "Answers are drawn from public documents collected by the trade union, for reference only, not legal advice. Workers' hotline: 12351.",
        "chat_label": "Chat",
        "welcome_title": "Hello! Ask about workers' policies and rights.",
        "welcome": "Type a question below or pick an example. Every answer names its sources; open one to read the original.",
    },
}

# --- the page's style and script -----------------------------------------------------

CSS = """
.gradio-container { max-width: 980px !important; margin: 0 auto !important; }
#uq-header { align-items: center; gap: 8px; }
#uq-header h1 { font-size: 1.45em; margin: 0 0 2px; }
#uq-header p { margin: 0; color: var(--body-text-color-subdued); font-size: .92em; }
#uq-lang { flex-grow: 0 !important; min-width: 210px !important; }
#uq-lang .wrap { flex-wrap: nowrap; }
#uq-notice { border: 1px solid #e8b04a; background: #fff8e6; border-radius: 10px; padding: 10px 12px;
  gap: 6px; color: #3d2c00; }
#uq-notice button { align-self: flex-end; max-width: 120px; }
#uq-chat .message { max-width: 100% !important; }
#uq-chat .bubble.bot-row { max-width: 100% !important; }
.uq-question { white-space: pre-wrap; }
.uq-welcome { text-align: center; color: var(--body-text-color-subdued); max-width: 28em; margin: 0 auto; padding: 0 8px; }
.uq-welcome b { color: var(--body-text-color); font-size: 1.1em; }
.uq-answer { white-space: pre-wrap; line-height: 1.7; overflow-wrap: anywhere; }
.uq-pending { color: var(--body-text-color-subdued); font-style: italic; }
.uq-ref { color: var(--color-accent); font-weight: 600; font-size: .75em; margin-left: 1px; }
.uq-notices { margin-top: 10px; padding: 8px 10px; border-left: 4px solid #d97706; background: #fff7e6;
  color: #3d2c00; border-radius: 6px; font-size: .92em; }
.uq-notices ul { margin: 4px 0 0 1.1em; padding: 0; }
.uq-sources { margin-top: 12px; }
.uq-sources-title { font-weight: 600; font-size: .95em; color: var(--link-text-color); cursor: pointer;
  min-height: 44px; display: flex; align-items: center; gap: 6px; }
.uq-sources-title::before { content: "▸"; }
.uq-sources[open] > .uq-sources-title::before { content: "▾"; }
.uq-sources-title::-webkit-details-marker { display: none; }
.uq-sources > summary { list-style: none; }
.uq-md-h { display: inline-block; font-size: 1.05em; }
#uq-chat .scroll-down-button-container { display: none !important; }
#uq-chat .message-buttons button.icon-button { min-width: 44px !important; min-height: 44px !important; }
#uq-chat .message-buttons button.icon-button > div { width: 20px !important; height: 20px !important; }
.uq-cards { display: flex; flex-direction: column; gap: 8px; }
.uq-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 8px 10px;
  background: var(--background-fill-primary); }
.uq-card-head { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; }
.uq-num { display: inline-flex; align-items: center; justify-content: center; min-width: 1.5em; height: 1.5em;
  border-radius: 50%; background: var(--color-accent); color: #fff; font-size: .8em; font-weight: 700; }
.uq-title { font-weight: 600; }
.uq-loc { color: var(--body-text-color-subdued); font-size: .9em; }
.uq-badge { font-size: .78em; border-radius: 999px; padding: 1px 8px; white-space: nowrap; }
.uq-valid { background: #e3f4e8; color: #17622f; }
.uq-expired { background: #fde6e6; color: #9f1c1c; }
.uq-nodate { background: var(--background-fill-secondary); color: var(--body-text-color-subdued); }
.uq-para { white-space: pre-wrap; margin: 6px 0 4px; font-size: .93em; line-height: 1.65; overflow-wrap: anywhere; }
mark.uq-quote { background: #ffe27a; color: #1f1600; padding: 0 2px; border-radius: 3px; }
.uq-doc summary { cursor: pointer; color: var(--link-text-color); font-size: .9em; min-height: 32px;
  display: flex; align-items: center; }
.uq-doc-body { position: relative; max-height: 45vh; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere;
  margin-top: 6px; padding: 8px 10px; border-radius: 8px; background: var(--background-fill-secondary);
  font-size: .9em; line-height: 1.65; }
.uq-refusal { border: 2px solid #d97706; background: #fff8eb; color: #3d2c00; border-radius: 12px; padding: 12px 14px; }
.uq-refusal-title { font-weight: 700; margin-bottom: 4px; }
.uq-hotline { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; margin: 10px 0 4px; padding: 8px 12px;
  border-radius: 10px; background: #b91c1c; color: #fff !important; text-decoration: none !important; }
.uq-hotline-number { font-size: 1.7em; font-weight: 800; letter-spacing: .04em; }
.uq-hotline-label { font-size: 1em; font-weight: 600; }
.uq-hint { font-size: .9em; }
.uq-error { border: 1px solid #dc2626; background: #fef2f2; color: #7f1d1d; border-radius: 10px; padding: 10px 12px; }
.uq-error-title { font-weight: 700; }
#uq-examples { gap: 6px; flex-wrap: wrap; }
#uq-examples button { flex: 0 1 auto !important; min-width: 0 !important; white-space: normal; text-align: left; }
#uq-footer p { font-size: .82em; color: var(--body-text-color-subdued); text-align: center; margin: 4px 0 0; }
@media (max-width: 600px) {
  #uq-chat, #uq-chat .bubble-wrap { height: auto !important; max-height: none !important;
    min-height: 0 !important; overflow: visible !important; }
  #uq-chat .message-row { margin-left: 2px !important; margin-right: 2px !important; }
  #uq-chat .message-row.user-row { margin-right: 12px !important; }
  #uq-chat .message-row .bot { padding: 8px !important; }
  .uq-card { padding: 6px 8px; }
  #uq-header h1 { font-size: 1.2em; }
  #uq-lang { min-width: 100% !important; }
  .uq-hotline-number { font-size: 1.5em; }
  #uq-examples button { width: 100%; flex-basis: 100% !important; }
}
"""

# Page-level rules outside Gradio's ``.contain`` (Gradio rewrites media queries in ``css`` to
# apply inside it only), so they go into the page head.
HEAD = """<style>
@media (max-width: 600px) {
  .gradio-container .main.app { padding-left: 8px !important; padding-right: 8px !important; }
}
</style>"""

# Opening a card's <details> scrolls its highlighted quote into view. Static code: no user or
# document text is ever part of it.
JS = """
() => {
  document.addEventListener("toggle", (event) => {
    const d = event.target;
    if (!(d instanceof HTMLDetailsElement) || !d.open || !d.classList.contains("uq-doc")) return;
    const box = d.querySelector(".uq-doc-body");
    const mark = box && box.querySelector("mark");
    if (!mark) return;
    box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
    mark.scrollIntoView({ block: "nearest" });
  }, true);
  // A new answer (streaming or final) is brought to the top of the view: its first line, the
  // point, is what a worker reads first. On a wide screen its sources are unfolded.
  const seen = new WeakSet();
  let queued = false;
  const place = () => {
    queued = false;
    const rows = document.querySelectorAll("#uq-chat .bot-row");
    const last = rows[rows.length - 1];
    const top = last && last.querySelector(".uq-final, .uq-answer");
    if (!top || seen.has(top)) return;
    seen.add(top);
    const sources = top.querySelector("details.uq-sources");
    if (sources && window.matchMedia("(min-width: 601px)").matches) sources.open = true;
    last.scrollIntoView({ block: "start" });
  };
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(place); }
  }).observe(document.body, { childList: true, subtree: true });
}
"""


# --- messages ---------------------------------------------------------------------------

CONTEXT_CHARS = 240  # at most this much of the paragraph on each side of a quote
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_MARKER = re.compile(r"\[(\d{1,3})\]")


def t(lang: str, key: str) -> str:
    return TEXT.get(lang, TEXT["zh"])[key]


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph(s) around ``text[start:end]``: from the blank line before ``start`` to
    the blank line after ``end`` (a quote that spans a blank line keeps both paragraphs)."""
    para_start = 0
    for m in _BLANK_LINE.finditer(text, 0, start):
        para_start = m.end()
    after = _BLANK_LINE.search(text, end)
    para_end = after.start() if after else len(text)
    return para_start, max(para_end, end)


def quote_in_paragraph(text: str, start: int, end: int) -> str:
    """The quote highlighted inside its paragraph, trimmed to CONTEXT_CHARS on each side."""
    ps, pe = paragraph_bounds(text, start, end)
    ps = max(ps, start - CONTEXT_CHARS)
    pe = min(pe, end + CONTEXT_CHARS)
    lead = "…" if ps > 0 and text[ps - 1] not in "\n" else ""
    tail = "…" if pe < len(text) and text[pe] not in "\n" else ""
    piece = text[ps:pe]
    skip = len(piece) - len(piece.lstrip())
    body = markdown_text(piece.strip(), start - ps - skip, end - ps - skip)
    return escape(lead) + body + escape(tail)


def validity_badge(valid_until: date | None, today: date, lang: str) -> str:
    if valid_until is None:
        return f'<span class="uq-badge uq-nodate">{escape(t(lang, "no_date"))}</span>'
    d = valid_until.isoformat()
    if valid_until < today:
        label, detail, cls = t(lang, "expired"), t(lang, "expired_on"), "uq-expired"
    else:
        label, detail, cls = t(lang, "valid"), t(lang, "valid_until"), "uq-valid"
    return f'<span class="uq-badge {cls}">{escape(label)} · {escape(detail.format(date=d))}</span>'


def answer_text(text: str) -> str:
    """Escaped answer text with its [n] markers as small superscripts."""
    return _MARKER.sub(r'<sup class="uq-ref">[\1]</sup>', escape(text))


def chat_placeholder(lang: str) -> str:
    return (
        f'<div class="uq-welcome"><b>{escape(t(lang, "welcome_title"))}</b>'
        f"<p>{escape(t(lang, 'welcome'))}</p></div>"
    )


def user_message(question: str) -> str:
    return f'<div class="uq-question">{escape(question)}</div>'


def pending_message(text: str, lang: str) -> str:
    if not text.strip():
        return f'<div class="uq-answer uq-pending">{escape(t(lang, "searching"))}</div>'
    return f'<div class="uq-answer">{answer_text(text.strip())}</div>'


def error_message(message: str, lang: str) -> str:
    return (
        '<div class="uq-final uq-error" role="alert">'
        f'<div class="uq-error-title">{escape(t(lang, "error_title"))}</div>'
        f"<div>{escape(message)}</div></div>"
    )


def refusal_message(answer: Answer, lang: str) -> str:
    hotline = answer.escalation.hotline if answer.escalation else "12351"
    digits = re.search(r"\d{3,}", hotline)
    number = digits.group(0) if digits else hotline
    return (
        '<div class="uq-final uq-refusal">'
        f'<div class="uq-refusal-title">{escape(t(lang, "refusal_title"))}</div>'
        f'<div class="uq-answer">{escape(answer.answer)}</div>'
        f'<a class="uq-hotline" href="tel:{escape(number)}">'
        f'<span class="uq-hotline-number">☎ {escape(number)}</span>'
        f'<span class="uq-hotline-label">{escape(t(lang, "hotline_label"))}</span></a>'
        f'<div class="uq-hint">{escape(t(lang, "hotline_hint"))}</div>'
        "</div>"
    )


def source_card(c: Citation, doc_text: str | None, card_id: str, lang: str, today: date) -> str:
    """One numbered card: title, locator, validity, the quote in its paragraph, and the whole
    document behind a ``<details>`` (opened, the quote is scrolled into view by the page's JS)."""
    head = (
        '<div class="uq-card-head">'
        f'<span class="uq-num">{c.n}</span>'
        f'<span class="uq-title">《{escape(c.title)}》</span>'
        f'<span class="uq-loc">{escape(c.locator)}</span>'
        f"{validity_badge(c.valid_until, today, lang)}</div>"
    )
    quote = c.quote if c.trusted else blank_contacts(c.quote)
    if doc_text is not None and doc_text[c.start : c.end] == c.quote:
        if not c.trusted:  # an untrusted document's contact details stay hidden here too
            doc_text = blank_contacts(doc_text)
        para = quote_in_paragraph(doc_text, c.start, c.end)
        whole = (
            f'<details class="uq-doc"><summary>{escape(t(lang, "open_doc"))}</summary>'
            f'<div class="uq-doc-body">{markdown_text(doc_text, c.start, c.end, card_id)}</div>'
            "</details>"
        )
    else:  # the document changed or was removed since the answer: show the quote alone
        para, whole = f'<mark class="uq-quote">{escape(quote)}</mark>', ""
    return f'<div class="uq-card">{head}<div class="uq-para">{para}</div>{whole}</div>'


def answer_message(
    answer: Answer, docs: dict[str, str | None], answer_id: str, lang: str, today: date
) -> str:
    """The final message: the answer (or the refusal), notices, and a card per citation."""
    if answer.refused:
        return refusal_message(answer, lang)
    parts = [f'<div class="uq-answer">{answer_text(answer.answer)}</div>']
    notices = [n for n in answer.notices if n not in answer.answer]  # not twice
    if notices:
        items = "".join(f"<li>{escape(n)}</li>" for n in notices)
        parts.append(
            f'<div class="uq-notices"><b>{escape(t(lang, "notices"))}</b><ul>{items}</ul></div>'
        )
    if answer.citations:
        cards = "".join(
            source_card(c, docs.get(c.doc_id), f"uq-{answer_id[:12]}-{c.n}", lang, today)
            for c in answer.citations
        )
        count = t(lang, "sources_count").format(n=len(answer.citations))
        parts.append(  # folded below the answer (the page's JS opens it on a wide screen)
            f'<details class="uq-sources"><summary class="uq-sources-title">{escape(count)}'
            f'</summary><div class="uq-cards">{cards}</div></details>'
        )
    return '<div class="uq-final">' + "".join(parts) + "</div>"
