"""The admin view (``/admin`` beside the chat page): behind an admin key from
``UNIONQA_ADMIN_KEYS``, a table and a bar chart of the situations whose questions most often end
``partial`` or ``none``: the corpus maintainers' to-do list. It reads the outcome counters
(``QAService.stats``), which hold no question text.

- ``build_admin(service)``: the Blocks;
- ``mount(app, service, path="/admin", **options)``: inside a FastAPI app, before the chat page
  at ``/`` (which would catch every path).
"""

from __future__ import annotations

import hmac
import logging
import sqlite3
import time
from typing import Any

import gradio as gr
import pandas as pd

from ..service import QAService

logger = logging.getLogger(__name__)

COLUMNS = ["情形编号", "情形", "部分回答", "未回答", "合计"]
CHART_ROWS = 15
WRONG_KEY_DELAY_S = 1.0


def key_ok(service: QAService, key: str) -> bool:
    """The key is one of the admin keys (compared in constant time, every key tried)."""
    given = (key or "").strip().encode("utf-8")
    found = False
    for k in service.settings.key_list(admin=True):
        found |= hmac.compare_digest(given, k.encode("utf-8"))
    return bool(given) and found


def unanswered_table(report: dict[str, Any]) -> pd.DataFrame:
    rows = [
        [s["id"] or "-", s["name"], s["partial"], s["none"], s["unanswered"]]
        for s in report["unanswered"]
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def summary_text(report: dict[str, Any]) -> str:
    c = report["coverage"]
    return (
        f"{report['since']} 至 {report['until']}：共 {report['answers']} 个回答，"
        f"完整回答 {c['answered']}，部分回答 {c['partial']}，未回答 {c['none']}；"
        f"转人工 {report['escalations']['total']}；"
        f"评价：有帮助 {report['ratings']['up']}，没帮助 {report['ratings']['down']}。"
    )


def _show(service: QAService, key: str, days: float | None) -> tuple[Any, ...]:
    hidden = (gr.update(visible=False), gr.update(visible=False))
    if not service.settings.key_list(admin=True):
        return "此服务未设置管理员密钥（UNIONQA_ADMIN_KEYS），管理页面不可用。", *hidden
    if not key_ok(service, key):
        logger.warning("admin view: a wrong key was entered")
        time.sleep(WRONG_KEY_DELAY_S)  # one event at a time: guessing costs a second a try
        return "管理员密钥不正确。", *hidden
    try:
        report = service.stats(int(days or 30))
    except sqlite3.Error:
        logger.exception("admin view: could not read the outcome counters")
        return "统计暂时无法读取，请稍后再试。", *hidden
    table = unanswered_table(report)
    chart = table.head(CHART_ROWS)[["情形", "合计"]]
    return (
        summary_text(report),
        gr.update(value=table, visible=True),
        gr.update(value=chart, visible=not table.empty),
    )


def build_admin(service: QAService) -> gr.Blocks:
    with gr.Blocks(title="unionqa 管理 · 未解答的情形", analytics_enabled=False) as demo:
        gr.Markdown(
            "## 未解答的情形\n以“部分回答”或“未回答”结束最多的劳动情形，按次数排列："
            "这是补充资料的待办清单。统计不含问题原文。"
        )
        with gr.Row():
            key = gr.Textbox(label="管理员密钥", type="password", elem_id="uq-admin-key", scale=3)
            days = gr.Number(
                label="最近几天", value=30, minimum=1, maximum=180, precision=0, scale=1
            )
            show = gr.Button("查看", variant="primary", elem_id="uq-admin-show", scale=1)
        status = gr.Markdown(elem_id="uq-admin-status")
        table = gr.Dataframe(
            headers=COLUMNS,
            interactive=False,
            visible=False,
            elem_id="uq-admin-table",
            label="未解答的情形",
        )
        chart = gr.BarPlot(
            x="情形",
            y="合计",
            title="部分回答 + 未回答，按情形",
            sort="-y",
            y_lim=[0, None],
            x_label_angle=-30,
            visible=False,
            elem_id="uq-admin-chart",
        )
        outputs = [status, table, chart]
        show.click(lambda k, d: _show(service, k, d), [key, days], outputs)
        key.submit(lambda k, d: _show(service, k, d), [key, days], outputs)
    return demo


def mount(app: Any, service: QAService, path: str = "/admin", **options: Any) -> Any:
    return gr.mount_gradio_app(app, build_admin(service), path=path, **options)
