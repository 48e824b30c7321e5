"""The admin view at /admin in a real browser (headless Debian chromium, the helpers of
test_ui_browser.py), served by a real uvicorn as `unionqa serve` mounts it: a wrong key shows
nothing, the admin key shows the table and the chart of the situations that end partial or none,
with the counts a scripted set of answers implies."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_api_helpers import LiveServer
from test_ops_helpers import answer, settings_only
from test_ui_browser import ARTIFACTS, DESKTOP, DOCS, _small_png, browser  # noqa: F401

from unionqa.api.app import create_app

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

ADMIN = "admin-key-ui"
WAGE = ("wage_arrears", "拖欠工资")
INJURY = ("work_injury", "工伤认定")
OVERTIME = ("overtime_pay", "加班费")
# (coverage, situation, how many): 14 answers, 9 of them partial or none
SCRIPT = [
    ("partial", WAGE, 3),
    ("none", WAGE, 2),
    ("answered", WAGE, 2),
    ("none", INJURY, 2),
    ("partial", OVERTIME, 1),
    ("answered", OVERTIME, 2),
    ("none", None, 1),
    ("answered", None, 1),
]
EXPECTED_ROWS = [
    ["wage_arrears", "拖欠工资", "3", "2", "5"],
    ["work_injury", "工伤认定", "0", "2", "2"],
    ["-", "未匹配到情形", "0", "1", "1"],
    ["overtime_pay", "加班费", "1", "0", "1"],
]


@pytest.fixture(scope="module")
def admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    svc = settings_only(tmp_path_factory.mktemp("admin"), admin_keys=ADMIN)
    n = 0
    for coverage, situation, times in SCRIPT:
        for _ in range(times):
            svc.record(answer(coverage, situation), f"ans_{n}", ("api", "ui", "openai")[n % 3])
            n += 1
    with LiveServer(create_app(svc, mount_ui=True)) as server:
        yield f"{server.url}/admin/"


def _rows(pg: Any) -> list[list[str]]:
    return pg.evaluate(
        """() => [...document.querySelectorAll('#uq-admin-table [role=row]')]
            .map(tr => [...tr.querySelectorAll('[role=gridcell]')].map(td => td.innerText.trim()))
            .filter(cells => cells.length)"""
    )


def _show(pg: Any, key: str, expect: str) -> str:
    """Enter a key, press 查看, wait for the status line to say ``expect``; the whole line."""
    pg.fill("#uq-admin-key input", key)
    pg.click("#uq-admin-show")
    pg.wait_for_function(
        "e => document.querySelector('#uq-admin-status').innerText.includes(e)",
        arg=expect,
        timeout=30_000,
    )
    return str(pg.locator("#uq-admin-status").inner_text())


def test_admin_view_shows_the_unanswered_situations_only_with_the_admin_key(
    browser: Any,  # noqa: F811
    admin_url: str,
) -> None:
    pg = browser.new_page()
    pg.set_viewport_size(DESKTOP)
    try:
        pg.goto(admin_url)
        pg.wait_for_selector("#uq-admin-key input")
        _show(pg, "not-the-key", "管理员密钥不正确")
        assert not pg.locator("#uq-admin-table").is_visible()
        text = _show(pg, ADMIN, "个回答")
        assert "共 14 个回答" in text and "部分回答 4，未回答 5" in text
        pg.wait_for_function(
            "() => document.querySelectorAll('#uq-admin-table [role=gridcell]').length >= 20",
            timeout=30_000,
        )
        assert _rows(pg) == EXPECTED_ROWS
        pg.locator("#uq-admin-chart").wait_for(state="visible", timeout=30_000)
        pg.wait_for_function(
            "() => document.querySelector('#uq-admin-chart canvas, #uq-admin-chart svg')",
            timeout=30_000,
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = Path(ARTIFACTS) / "admin.png"
        pg.screenshot(path=str(shot), full_page=True)
        if os.environ.get("UNIONQA_UPDATE_SCREENSHOTS") == "1":
            _small_png(shot, DOCS / "ui-admin.png")
    finally:
        pg.close()
