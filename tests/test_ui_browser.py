"""The chat UI in a real browser: Debian's chromium, headless, driven by Playwright for Python
(``executable_path=/usr/bin/chromium``; Playwright's own browser download is never used).

The app runs in this process (Gradio's server in a thread) over a fresh index of corpus/ plus
one hostile document whose text holds a <script> and an <img onerror>. Screenshots go to
test-artifacts/ui/ (gitignored); with UNIONQA_UPDATE_SCREENSHOTS=1, one desktop and one phone shot
are also copied to docs/ (never by default: a test run must not change tracked files).
Skipped only when chromium is not installed (`make browser` installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fixtures import CORPUS, ROOT, make_settings

from unionqa.feedback import FEEDBACK_FILE, FeedbackStore
from unionqa.service import QAService

pytestmark = [
    pytest.mark.slow,
    # Gradio's in-process event statistics call a pandas API that pandas 3 deprecates
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts" / "ui"
DOCS = ROOT / "docs"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LIKE = "#uq-chat button[aria-label='赞'], #uq-chat button[aria-label='Like']"
DISLIKE = "#uq-chat button[aria-label='踩'], #uq-chat button[aria-label='Dislike']"
UNCOVERED = "我在外地打工，社保能转回老家吗?"  # corpus/ does not cover it

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=2">'
HOSTILE_MD = f"""---
title: 夜班津贴发放办法
kind: policy
valid_until: 2099-12-31
---

# 夜班津贴发放办法

夜班津贴按每个夜班80元的标准发放{SCRIPT}，由企业在次月工资中一并支付。

夜班津贴以考勤记录为凭{IMG}，职工可以向人事部门查询本人的夜班次数。
"""


@dataclass
class App:
    url: str
    service: QAService


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium with a fresh profile for the module (localStorage persists)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (run `make browser`)")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="unionqa-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=False,  # --headless=new is in CHROME_FLAGS
                args=CHROME_FLAGS,
                viewport=DESKTOP,
                locale="zh-CN",
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, corpus_service: QAService) -> Iterator[App]:
    extra = tmp_path_factory.mktemp("hostile")
    (extra / "night-shift-allowance.md").write_text(HOSTILE_MD, encoding="utf-8")
    settings = make_settings(tmp_path_factory.mktemp("ui-index"))
    service = QAService(settings, embeddings=corpus_service.embeddings)
    report = service.ingest([CORPUS, extra])
    assert not report.failed and report.added == len(list(CORPUS.glob("*.md"))) + 1
    yield from _serve_page(service)


def _serve_page(service: QAService) -> Iterator[App]:
    """The chat page of ``service`` on a free loopback port, closed afterwards."""
    from unionqa.ui.app import _page_options, build_ui

    demo = build_ui(service)
    port = free_port()
    demo.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        **_page_options(),
    )
    try:
        yield App(f"http://127.0.0.1:{port}/", service)
    finally:
        demo.close()


@pytest.fixture
def page(browser: Any, app: App) -> Iterator[Any]:
    """A fresh chat (a new Gradio session) at desktop size."""
    pg = browser.new_page()
    pg.set_viewport_size(DESKTOP)
    pg.goto(app.url)
    pg.wait_for_selector("#uq-input textarea")
    yield pg
    pg.close()


# --- helpers ------------------------------------------------------------------------------


def _ask(pg: Any, question: str | None = None, example: int | None = None) -> Any:
    """Ask by typing (or by clicking an example button); return the finished answer."""
    finals = pg.locator("#uq-chat .uq-final")
    before = finals.count()
    if example is not None:
        _examples(pg).nth(example).click()
    else:
        pg.fill("#uq-input textarea", question)
        pg.press("#uq-input textarea", "Enter")
    pg.wait_for_function(
        "n => document.querySelectorAll('#uq-chat .uq-final').length > n",
        arg=before,
        timeout=60_000,
    )
    return finals.nth(before)


def _examples(pg: Any) -> Any:
    """The suggested questions, once the page load has checked them."""
    pg.locator("#uq-examples button.uq-example:visible").first.wait_for(timeout=60_000)
    return pg.locator("#uq-examples button.uq-example:visible")


def _open_sources(final: Any) -> Any:
    """Unfold the "N 条依据" under an answer (folded on a phone); return its cards."""
    sources = final.locator("details.uq-sources")
    if sources.get_attribute("open") is None:
        sources.locator("summary.uq-sources-title").click()
    cards = final.locator(".uq-card")
    cards.first.wait_for(state="visible")
    return cards


def _marked(el: Any) -> str:
    """The text of every <mark> inside el, joined (a quote across lines has one per line)."""
    return "".join(m.inner_text() for m in el.locator("mark").all()).strip()


def _until(pg: Any, condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        pg.wait_for_timeout(100)


def _dismiss_notice(pg: Any) -> None:
    """Close the privacy notice if this browser has not closed it yet (it shows after load)."""
    notice = pg.locator("#uq-notice")
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and not notice.is_visible():
        pg.wait_for_timeout(100)
    if notice.is_visible():
        pg.click("#uq-dismiss")
        notice.wait_for(state="hidden")


def _scroll_chat_to(pg: Any, css: str = ".uq-question") -> None:
    """Scroll the chat (the page, on a phone) so the last element matching css is at its top."""
    pg.evaluate(
        """css => {
        const all = document.querySelectorAll('#uq-chat ' + css);
        all[all.length - 1].scrollIntoView({ block: 'start' });
        }""",
        css,
    )
    pg.wait_for_timeout(300)


def _screenshot(pg: Any, name: str, docs_name: str | None = None) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    pg.screenshot(path=str(path))
    if docs_name and os.environ.get("UNIONQA_UPDATE_SCREENSHOTS") == "1":
        _small_png(path, DOCS / docs_name)
    return path


def _small_png(src: Path, dst: Path) -> None:
    from PIL import Image

    dst.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(src) as im:
        im.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(
            dst, optimize=True
        )


# --- the tests ---------------------------------------------------------------------------


def test_notice_is_shown_once_and_dismissible(page: Any) -> None:
    page.evaluate("window.localStorage.clear()")
    page.reload()
    notice = page.locator("#uq-notice")
    notice.wait_for(state="visible")
    assert "不会被保存" in notice.inner_text() and "不是法律意见" in notice.inner_text()
    _screenshot(page, "desktop-start.png")
    _dismiss_notice(page)
    page.reload()
    page.wait_for_selector("#uq-input textarea")
    page.wait_for_timeout(1000)  # the load event that would show it again
    assert not notice.is_visible()


def test_answer_shows_numbered_source_cards_with_marked_quotes(page: Any) -> None:
    _dismiss_notice(page)
    final = _ask(page, "公司招应届生能领什么补助?")
    assert "1500元" in final.inner_text()
    assert final.locator(".uq-answer sup.uq-ref").count() >= 1
    cards = final.locator(".uq-card")
    assert cards.count() >= 1
    for i in range(cards.count()):
        card = cards.nth(i)
        assert card.locator(".uq-num").inner_text() == str(i + 1)
        assert "招聘高校毕业生" in card.locator(".uq-title").inner_text()
        assert card.locator(".uq-loc").inner_text().strip()
        marks = [m.inner_text().strip() for m in card.locator(".uq-para mark").all()]
        assert marks and all(m and m in card.locator(".uq-para").inner_text() for m in marks)
        badge = card.locator(".uq-badge").inner_text()
        assert ("已过期" in badge or "有效" in badge) and "2025-12-31" in badge
    page.set_viewport_size({"width": DESKTOP["width"], "height": 1100})  # the README shot
    page.wait_for_timeout(800)  # the chat re-scrolls to its bottom after a resize
    _scroll_chat_to(page)
    _screenshot(page, "desktop-answer.png", "ui-desktop.png")


def test_opening_a_card_shows_the_document_with_the_quote_in_view(page: Any) -> None:
    _dismiss_notice(page)
    final = _ask(page, "AI面试给我打了低分,我能要求解释吗?")
    card = _open_sources(final).last
    quote = _marked(card.locator(".uq-para"))
    card.locator("details.uq-doc summary").click()
    body = card.locator(".uq-doc-body")
    body.wait_for(state="visible")
    page.wait_for_timeout(300)
    assert len(body.inner_text()) > 3 * len(quote)  # the whole document, not the paragraph
    mark = body.locator("mark").first
    assert _marked(body) == quote
    in_view = page.evaluate(
        """([box, mark]) => {
        const m = mark.getBoundingClientRect();
        return [box, document.querySelector('#uq-chat .bubble-wrap')].every((e) => {
            const b = e.getBoundingClientRect();
            return m.top >= b.top - 1 && m.bottom <= b.bottom + 1;
        }) && m.top >= 0 && m.bottom <= window.innerHeight;
        }""",
        [body.element_handle(), mark.element_handle()],
    )
    assert in_view, "the quote is not scrolled into view"
    _screenshot(page, "desktop-document.png")


def test_uncovered_question_is_refused_with_the_hotline(page: Any) -> None:
    _dismiss_notice(page)
    final = _ask(page, UNCOVERED)
    assert "uq-refusal" in (final.get_attribute("class") or "")
    assert "没有涉及" in final.inner_text() and final.locator(".uq-card").count() == 0
    hotline = final.locator("a.uq-hotline")
    assert hotline.is_visible() and "12351" in hotline.inner_text()
    assert hotline.get_attribute("href") == "tel:12351"
    _scroll_chat_to(page)
    _screenshot(page, "desktop-refusal.png")


def test_hostile_document_text_is_shown_literally_and_never_runs(page: Any) -> None:
    _dismiss_notice(page)
    final = _ask(page, "夜班津贴怎么发?")
    assert SCRIPT in final.inner_text() and IMG in final.inner_text()
    cards = _open_sources(final)
    assert cards.count() >= 1 and "有效" in cards.first.locator(".uq-badge").inner_text()
    for i in range(cards.count()):
        cards.nth(i).locator("details.uq-doc summary").click()
    page.wait_for_timeout(500)
    assert SCRIPT in cards.first.locator(".uq-doc-body").inner_text()
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#uq-chat script, #uq-chat img[src='x']").count() == 0
    _screenshot(page, "desktop-hostile.png")


def test_rating_and_comment_from_the_browser_reach_the_feedback_store(page: Any, app: App) -> None:
    _dismiss_notice(page)
    _ask(page, "AI面试给我打了低分,我能要求解释吗?")
    store = FeedbackStore(app.service.settings.data_dir / FEEDBACK_FILE)
    before = len(store.all())
    page.locator(LIKE).last.click()
    comment = page.locator("#uq-comment textarea")
    comment.wait_for(state="visible")
    _until(page, lambda: len(store.all()) == before + 1)
    comment.fill("解释得清楚，电话13812345678")
    page.click("#uq-comment-send")
    _until(page, lambda: len(store.all()) == before + 2)
    rating, commented = store.all()[-2:]
    assert rating.rating == commented.rating == "up" and rating.answer_id == commented.answer_id
    assert rating.comment is None and commented.comment == "解释得清楚，电话[电话]"
    page.locator("#uq-comment").wait_for(state="hidden")


def test_english_switch_relabels_the_interface(page: Any) -> None:
    _dismiss_notice(page)
    _ask(page, "公司招应届生能领什么补助?")
    page.click("label[data-testid='English-radio-label']")
    page.wait_for_function(
        "() => document.querySelector('#uq-input textarea').placeholder.includes('Type your question')"
    )
    assert page.locator("#uq-input button.submit-button").inner_text().strip() == "Send"
    assert "Workers' Policy Q&A" in page.locator("#uq-header").inner_text()
    _until(page, lambda: "Sources (" in page.locator("#uq-chat .uq-final").last.inner_text())
    final = _ask(page, "AI面试给我打了低分,我能要求解释吗?")
    _open_sources(final)
    assert "Sources (" in final.inner_text() and "Show the whole document" in final.inner_text()


def test_phone_layout_fits_390px(page: Any, app: App) -> None:
    page.set_viewport_size(PHONE)
    page.goto(app.url)
    page.wait_for_selector("#uq-input textarea")
    _dismiss_notice(page)
    final = _ask(page, "AI面试给我打了低分,我能要求解释吗?")
    assert final.locator(".uq-card mark").count() >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    cards = _open_sources(final)
    for i in range(cards.count()):
        box = cards.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    _scroll_chat_to(page)
    _screenshot(page, "phone-answer.png")
    _scroll_chat_to(page, ".uq-sources")
    _screenshot(page, "phone-sources.png")
    refusal = _ask(page, UNCOVERED)
    assert refusal.locator("a.uq-hotline").is_visible()
    _scroll_chat_to(page)
    _screenshot(page, "phone-refusal.png")


# --- the phone's first screen: the point in view, thumb-sized buttons, suggestions that work --


@pytest.fixture(params=["phone", "desktop"])
def sized(request: pytest.FixtureRequest, page: Any, app: App) -> Any:
    """The chat at 390 × 844 and at desktop size."""
    if request.param == "phone":
        page.set_viewport_size(PHONE)
        page.goto(app.url)
        page.wait_for_selector("#uq-input textarea")
    _dismiss_notice(page)
    page.size_name = request.param
    return page


def _in_view(pg: Any, el: Any) -> bool:
    """el's first line lies inside the viewport and, on a desktop, inside the chat's box."""
    return bool(
        pg.evaluate(
            """el => {
            const r = el.getBoundingClientRect();
            const line = parseFloat(getComputedStyle(el).lineHeight) || 24;
            const box = el.closest('.bubble-wrap').getBoundingClientRect();
            const top = Math.max(0, box.top), bottom = Math.min(window.innerHeight, box.bottom);
            return r.top >= top - 1 && r.top + line <= bottom + 1;
            }""",
            el.element_handle(),
        )
    )


def test_after_an_answer_its_point_is_in_view_and_sources_fold_below(sized: Any) -> None:
    pg = sized
    _ask(pg, "AI面试给我打了低分,我能要求解释吗?")  # a first turn, so the chat has to move
    final = _ask(pg, "公司招应届生能领什么补助?")
    point = final.locator(".uq-answer").first
    assert point.inner_text().startswith("要点")
    pg.wait_for_timeout(800)  # any late scroll (Gradio's own, a resize) would have happened
    assert _in_view(pg, point), "the answer's first line (要点) is out of view"
    sources = final.locator("details.uq-sources")
    n = final.locator(".uq-card").count()
    assert (
        n >= 1 and sources.locator("summary.uq-sources-title").inner_text().strip() == f"{n} 条依据"
    )
    arrows = pg.locator("#uq-chat .scroll-down-button-container")
    assert all(not a.is_visible() for a in arrows.all()), "the scroll-down arrow covers the chat"
    if pg.size_name == "phone":
        assert sources.get_attribute("open") is None, "source cards are not folded on a phone"
        inner = pg.evaluate(
            """() => { const b = document.querySelector('#uq-chat .bubble-wrap');
            return b.scrollHeight - b.clientHeight; }"""
        )
        assert inner <= 1, f"the chat scrolls inside the page on a phone ({inner}px)"
        _screenshot(pg, "phone-point.png", "ui-phone.png")
    _open_sources(final)
    assert final.locator(".uq-card").first.is_visible()


def test_feedback_buttons_are_thumb_sized_and_labelled(sized: Any) -> None:
    pg = sized
    _ask(pg, "公司招应届生能领什么补助?")
    for css in (LIKE, DISLIKE):
        button = pg.locator(css).last
        box = button.bounding_box()
        assert box and box["width"] >= 44 and box["height"] >= 44, f"{css}: {box}"
        assert (button.get_attribute("aria-label") or "").strip()


def test_placeholder_is_not_cut(sized: Any) -> None:
    cut = sized.evaluate(
        """() => {
        const t = document.querySelector('#uq-input textarea');
        const s = getComputedStyle(t);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = s.font;
        const room = t.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
        return [ctx.measureText(t.placeholder).width, room, t.placeholder];
        }"""
    )
    assert cut[2] and cut[0] <= cut[1], f"the placeholder is cut: {cut}"


def test_every_suggested_question_is_answered(page: Any) -> None:
    _dismiss_notice(page)
    buttons = _examples(page)
    questions = [b.inner_text().strip() for b in buttons.all()]
    assert len(questions) == 3 and UNCOVERED not in questions
    for i, question in enumerate(questions):
        final = _ask(page, example=i)
        assert "uq-refusal" not in (final.get_attribute("class") or ""), question
        assert final.locator(".uq-card").count() >= 1, question


def test_whole_document_is_markdown_rendered_as_text(page: Any) -> None:
    _dismiss_notice(page)
    final = _ask(page, "一次性扩岗补助的钱从哪里出?")
    card = _open_sources(final).first
    card.locator("details.uq-doc summary").click()
    body = card.locator(".uq-doc-body")
    body.wait_for(state="visible")
    page.wait_for_timeout(300)
    text = body.inner_text()
    lines = [line.strip() for line in text.splitlines()]
    assert not [x for x in lines if x.startswith(("#", "- ", "* "))], text[:300]
    assert "**" not in text and "• 每招聘1人不超过1500元" in text
    assert body.locator("b.uq-md-h").count() >= 2  # the title and the section headings
    assert _marked(body) and _marked(body) == _marked(card.locator(".uq-para"))
    mark = body.locator("mark").first
    m, b = mark.bounding_box(), body.bounding_box()
    assert m and b and b["y"] - 1 <= m["y"] <= b["y"] + b["height"], "the quote is out of view"
    _screenshot(page, "desktop-markdown.png")


def test_api_docs_render_with_no_external_request(browser: Any, app: App, tmp_path: Path) -> None:
    from test_api_helpers import LiveServer, api_settings

    from unionqa.api.app import create_app

    settings = api_settings(app.service, tmp_path)
    with LiveServer(create_app(app.service, settings=settings, mount_ui=False)) as server:
        pg = browser.new_page()
        requests: list[str] = []
        pg.on("request", lambda r: requests.append(r.url))
        try:
            pg.goto(f"{server.url}/docs")
            pg.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
            assert "unionqa" in pg.locator(".swagger-ui .info .title").inner_text()
            assert pg.locator(".swagger-ui .opblock").count() >= 5
        finally:
            pg.close()
    outside = [u for u in requests if not u.startswith(server.url) and not u.startswith("data:")]
    assert requests and not outside, f"/docs fetched from outside the server: {outside}"


# --- the calculator panel (over corpus/ and the statutes) ---------------------------------------


@pytest.fixture(scope="module")
def calc_app(laws_service: QAService) -> Iterator[App]:
    yield from _serve_page(laws_service)


SEVERANCE_TEXT = "4个月工资，按月薪6500元计为26000元"


def _open_calculator(pg: Any, url: str, viewport: dict[str, int]) -> Any:
    pg.set_viewport_size(viewport)
    pg.goto(url)
    pg.wait_for_selector("#uq-input textarea")
    _dismiss_notice(pg)
    pg.locator("#uq-calc button.label-wrap").click()
    pg.locator("#uq-calc-severance-years textarea").wait_for(state="visible")
    return pg.locator("#uq-calc")


def _calculate(pg: Any, values: dict[str, str]) -> Any:
    """Fill the severance inputs, press 计算, return the new result (or error) box."""
    out = pg.locator("#uq-calc-out")
    before = out.inner_html()
    for name, value in values.items():
        pg.fill(f"#uq-calc-severance-{name} textarea", value)
    pg.click("#uq-calc-go")
    _until(pg, lambda: out.inner_html() != before and "uq-" in out.inner_html(), timeout=60)
    return out


def _inside(pg: Any, locator: Any, width: int) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    scroll = pg.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways ({scroll}px)"


def test_calculator_computes_severance_at_390px(browser: Any, calc_app: App) -> None:
    pg = browser.new_page()
    try:
        _open_calculator(pg, calc_app.url, PHONE)
        out = _calculate(pg, {"years": "3", "months": "7", "monthly_wage": "-6500"})
        error = out.locator(".uq-error")
        assert error.is_visible() and "月工资（monthly_wage）不能为负数" in error.inner_text()
        out = _calculate(pg, {"monthly_wage": "6500"})
        result = out.locator(".uq-calc-result")
        result.scroll_into_view_if_needed()
        assert result.is_visible() and SEVERANCE_TEXT in result.inner_text()
        _inside(pg, result, PHONE["width"])
        steps = out.locator(".uq-calc-steps li")
        assert steps.count() >= 3 and "按《劳动合同法》第四十七条" in out.inner_text()
        cards = out.locator(".uq-card")
        assert cards.count() >= 3
        for i in range(cards.count()):
            _inside(pg, cards.nth(i), PHONE["width"])
        assert "经济补偿按劳动者在本单位工作的年限" in cards.nth(1).locator("mark").inner_text()
        _screenshot(pg, "phone-calculator.png")
    finally:
        pg.close()


def test_calculator_computes_severance_at_desktop_width(browser: Any, calc_app: App) -> None:
    pg = browser.new_page()
    try:
        _open_calculator(pg, calc_app.url, {"width": DESKTOP["width"], "height": 1100})
        kind = pg.locator("#uq-calc-kind input")
        assert kind.input_value() == "经济补偿（severance）"
        kind.click()  # another kind shows its own inputs; back to severance
        pg.locator("ul.option-list li", has_text="产假天数").click()
        pg.locator("#uq-calc-maternity_leave-babies textarea").wait_for(state="visible")
        assert not pg.locator("#uq-calc-severance-years textarea").is_visible()
        kind.click()
        pg.locator("ul.option-list li", has_text="经济补偿").click()
        pg.locator("#uq-calc-severance-years textarea").wait_for(state="visible")
        out = _calculate(pg, {"years": "3", "months": "7", "monthly_wage": "6500"})
        result = out.locator(".uq-calc-result")
        assert result.is_visible() and SEVERANCE_TEXT in result.inner_text()
        _inside(pg, result, DESKTOP["width"])
        assert (
            out.locator(".uq-card .uq-title").first.inner_text() == "《中华人民共和国劳动合同法》"
        )
        pg.evaluate(
            "() => window.scrollTo(0, document.querySelector('#uq-calc').getBoundingClientRect()"
            ".top + window.scrollY - 8)"
        )
        pg.wait_for_timeout(300)
        _screenshot(pg, "desktop-calculator.png", "ui-calculator.png")
    finally:
        pg.close()
