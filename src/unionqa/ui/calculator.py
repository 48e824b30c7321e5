"""The chat page's calculator panel (Gradio 6): choose a kind (经济补偿, 加班费, 产假 …), fill its
inputs, see the result, the steps with the article each applies, and the articles quoted.

``panel(service, lang)`` builds the panel inside the caller's Blocks (``ui/app.py`` mounts it
below the examples). Every kind's inputs are built once, each kind in its own column; choosing a
kind shows its column. ``calculation_html`` is the HTML of a result: everything in it that
comes from a document or a worker is escaped, as in ``render.py``.
"""

from __future__ import annotations

import logging
from html import escape
from typing import Any

import gradio as gr

from ..calc import KINDS, InputSpec
from ..errors import UnionQAError
from ..service import QAService
from ..types import Calculation
from . import render

logger = logging.getLogger(__name__)

DEFAULT_KIND = "severance"
YES_NO = [("是", "true"), ("否", "false")]

TEXT = {
    "zh": {
        "title": "劳动权益计算器",
        "intro": "选择要算的项目，填写知道的数字（不知道的可以空着）。结果逐步写明依据的法条。",
        "kind": "计算项目",
        "go": "计算",
        "result": "结果",
        "no_result": "还不能算出结果",
        "steps": "计算步骤",
        "sources": "依据的条文",
        "notices": "请注意",
    },
    "en": {
        "title": "Labour-rights calculator",
        "intro": "Pick what to calculate and fill in what you know (leave the rest empty). "
        "Each step names the article it applies.",
        "kind": "What to calculate",
        "go": "Calculate",
        "result": "Result",
        "no_result": "No result yet",
        "steps": "Steps",
        "sources": "Articles applied",
        "notices": "Please note",
    },
}

# Scoped to the result component (gr.HTML's css_template); the cards reuse render.CSS's classes.
CSS = """
.uq-calc-out { display: flex; flex-direction: column; gap: 10px; overflow-wrap: anywhere; }
.uq-calc-result { font-size: 1.15em; font-weight: 700; padding: 10px 12px; border-radius: 10px;
  background: #e3f4e8; color: #17622f; }
.uq-calc-result.uq-calc-none { background: #fff7e6; color: #3d2c00; }
.uq-calc-steps { margin: 0; padding-left: 1.4em; line-height: 1.65; }
.uq-calc-steps li { margin: 2px 0; }
.uq-calc-head { font-weight: 600; font-size: .9em; color: var(--body-text-color-subdued); }
"""


def _t(lang: str, key: str) -> str:
    return TEXT.get(lang, TEXT["zh"])[key]


def label(spec: InputSpec) -> str:
    return f"{spec.label_zh}（{spec.unit}）" if spec.unit else spec.label_zh


def _component(kind: str, spec: InputSpec) -> Any:
    """The input for one InputSpec: a number box, a date box, yes/no, or the choices."""
    common: dict[str, Any] = {
        "label": label(spec) + (" *" if spec.required else ""),
        "elem_id": f"uq-calc-{kind}-{spec.name}",
        "min_width": 180,
    }
    if spec.type in ("number", "integer"):  # a Textbox: an empty gr.Number would send 0
        hint = "整数" if spec.type == "integer" else "数字"
        return gr.Textbox(placeholder=f"{hint}，不知道可以空着", max_length=20, **common)
    if spec.type == "date":
        return gr.Textbox(placeholder="YYYY-MM-DD，如 2021-03-01", max_length=10, **common)
    if spec.type == "boolean":
        return gr.Radio(YES_NO, value=None, **common)
    labels = spec.choices_zh or spec.choices
    return gr.Radio(list(zip(labels, spec.choices, strict=True)), value=None, **common)


# --- the result as HTML ----------------------------------------------------------------------


def _card(c: Any) -> str:
    return (
        '<div class="uq-card"><div class="uq-card-head">'
        f'<span class="uq-num">{c.n}</span>'
        f'<span class="uq-title">《{escape(c.title)}》</span>'
        f'<span class="uq-loc">{escape(c.locator)}</span></div>'
        f'<div class="uq-para"><mark class="uq-quote">{escape(c.quote)}</mark></div></div>'
    )


def calculation_html(calc: Calculation, lang: str = "zh") -> str:
    """The result first, then the steps, the quoted articles and the notices."""
    if calc.result is not None:
        head = (
            f'<div class="uq-calc-result" role="status">{escape(_t(lang, "result"))}'
            f"{': ' if lang == 'en' else '：'}{escape(calc.result.text)}</div>"
        )
    else:
        head = (
            '<div class="uq-calc-result uq-calc-none" role="status">'
            f"{escape(_t(lang, 'no_result'))}</div>"
        )
    parts = [head]
    if calc.notices:
        items = "".join(f"<li>{escape(n)}</li>" for n in calc.notices)
        parts.append(
            f'<div class="uq-notices"><b>{escape(_t(lang, "notices"))}</b><ul>{items}</ul></div>'
        )
    if calc.steps:
        steps = "".join(f"<li>{escape(s)}</li>" for s in calc.steps)
        parts.append(
            f'<div class="uq-calc-head">{escape(_t(lang, "steps"))}</div>'
            f'<ol class="uq-calc-steps">{steps}</ol>'
        )
    if calc.citations:
        cards = "".join(_card(c) for c in calc.citations)
        parts.append(
            f'<div class="uq-sources"><div class="uq-sources-title">{escape(_t(lang, "sources"))}'
            f'</div><div class="uq-cards">{cards}</div></div>'
        )
    return '<div class="uq-calc-out">' + "".join(parts) + "</div>"


# --- the panel -------------------------------------------------------------------------------


def _compute(
    service: QAService, fields: list[tuple[str, str]], kind: str, lang: str, *values: Any
) -> str:
    """Run the chosen kind over its own fields (empty ones are not given)."""
    inputs = {
        name: value
        for (k, name), value in zip(fields, values, strict=True)
        if k == kind and value is not None and value != ""
    }
    try:
        calc = service.calculate(kind, inputs, lang=lang)
    except UnionQAError as e:  # a bad value names its field; nothing is lost
        return render.error_message(str(e), lang)
    except Exception:  # a bug or a backend failure: a friendly box, the traceback to the log
        logger.exception("the UI could not calculate")
        return render.error_message(render.t(lang, "error_generic"), lang)
    logger.info("calculated %s: result=%s", kind, calc.result is not None)
    return calculation_html(calc, lang)


def panel(service: QAService, lang: Any) -> None:
    """The calculator, inside the Blocks being built; ``lang`` is the page's language State."""
    with gr.Accordion(TEXT["zh"]["title"], open=False, elem_id="uq-calc"):
        gr.Markdown(TEXT["zh"]["intro"], elem_id="uq-calc-intro")
        kind = gr.Dropdown(
            [(f"{k.name_zh}（{k.name}）", k.name) for k in KINDS.values()],
            value=DEFAULT_KIND,
            label=TEXT["zh"]["kind"],
            elem_id="uq-calc-kind",
            filterable=False,
        )
        groups = []
        fields: list[tuple[str, str]] = []
        components = []
        for k in KINDS.values():
            with gr.Row(visible=k.name == DEFAULT_KIND, elem_id=f"uq-calc-{k.name}") as row:
                for spec in k.inputs:
                    components.append(_component(k.name, spec))
                    fields.append((k.name, spec.name))
            groups.append(row)
        go = gr.Button(TEXT["zh"]["go"], variant="primary", elem_id="uq-calc-go")
        out = gr.HTML("", elem_id="uq-calc-out", padding=False, css_template=CSS)

    names = list(KINDS)
    kind.change(lambda chosen: [gr.Row(visible=n == chosen) for n in names], [kind], groups)
    go.click(
        lambda chosen, lang_code, *values: _compute(service, fields, chosen, lang_code, *values),
        [kind, lang, *components],
        [out],
        concurrency_limit=4,
    )
