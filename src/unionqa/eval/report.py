"""The eval report for people: a one-screen console table and a self-contained HTML page."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import metrics as ev
from .gates import GateFailure
from .judge import JUDGE_METRICS

# (metric, label, lower is better) in display order: retrieval first
RETRIEVAL_ROWS: tuple[tuple[str, str, bool], ...] = (
    ("hit@1", "gold doc hit@1", False),
    ("hit@5", "gold doc hit@5", False),
    ("mrr", f"MRR@{ev.MRR_K}", False),
    ("quote_recall@1", "gold article first (quote@1)", False),
    ("quote_recall@3", "gold article in top 3", False),
    (f"quote_recall@{ev.QUOTE_K}", f"gold quote recall@{ev.QUOTE_K} hits", False),
    (f"evidence_recall@{ev.QUOTE_K}", f"evidence recall@{ev.QUOTE_K} hits", False),
    *((m, f"gold quote recall in {c:,} chars", False) for m, c in ev.CONTEXT_BUDGETS.items()),
)
METRIC_ROWS: tuple[tuple[str, str, bool], ...] = (
    *RETRIEVAL_ROWS,
    ("situation@1", "situation top-1", False),
    ("situation@3", "situation in top 3", False),
    ("offtopic_unmatched", "off-topic: no situation", False),
    ("key_fact_recall", "key-fact recall", False),
    ("point_key_fact", "要点 holds a key fact", False),
    ("all_key_facts", "all key facts", False),
    ("cites_gold_doc", "cites gold doc", False),
    ("cites_gold_quote", "cites gold quote", False),
    ("citation_validity", "citations verbatim", False),
    ("markers_consistent", "[n] markers ok", False),
    ("refusal_rate", "refuses unanswerable", False),
    ("wrong_refusal_rate", "refuses answerable", True),
    ("invented_figure_rate", "must_not_contain hit", True),
    ("error_rate", "errors", True),
    (f"context_chars@{ev.QUOTE_K}", f"retrieved chars@{ev.QUOTE_K}", True),
    ("answer_chars", "answer length (chars)", True),
    ("faithfulness", "faithfulness (judge)", False),
    ("answer_relevance", "relevance (judge)", False),
)
COUNT_METRICS = {"answer_chars", "citations_per_answer", f"context_chars@{ev.QUOTE_K}"}


def cell(metrics: dict[str, Any] | None, name: str, status: str) -> str:
    """A metric value for display, or why it is missing."""
    if metrics is None:
        return "—"
    value = metrics.get(name)
    if isinstance(value, int | float):
        return f"{value:.0f}" if name in COUNT_METRICS else f"{value:.3f}"
    if name in JUDGE_METRICS and status != "ok":
        return status
    return "—"


def print_summary(
    console: Console, report: dict[str, Any], failures: Sequence[GateFailure], out: Path
) -> None:
    ours = report["metrics"]["overall"]
    base = (report["baseline"] or {}).get("metrics")
    theirs = base["overall"] if base else None
    table = Table(title=f"unionqa eval — {report['n_items']} questions ({report['questions']})")
    table.add_column("metric")
    table.add_column("unionqa", justify="right")
    table.add_column("naive RAG", justify="right")
    table.add_column("Δ", justify="right")
    for name, label, lower in METRIC_ROWS:
        a, b = ours.get(name), (theirs or {}).get(name)
        if a is None and b is None:
            continue  # not measured (the judge's reason is printed below the table)
        delta = ""
        if isinstance(a, int | float) and isinstance(b, int | float) and name not in COUNT_METRICS:
            d = a - b
            good = d < 0 if lower else d > 0
            delta = f"[{'green' if good else 'red' if d else 'white'}]{d:+.3f}[/]"
        table.add_row(
            escape(label),
            cell(ours, name, report["llm_judge"]),
            cell(theirs, name, report["llm_judge"]),
            delta,
        )
    console.print(table)
    kinds = Table(title="per kind (unionqa / naive RAG)")
    for col in ("kind", "n", "hit@5", f"quote@{ev.QUOTE_K}", "key facts", "refusal"):
        kinds.add_column(col, justify="left" if col == "kind" else "right")
    by_kind = report["metrics"]["by_kind"]
    base_kind = base["by_kind"] if base else {}
    for kind, m in by_kind.items():
        b = base_kind.get(kind, {})
        row = [kind, str(m["n"])]
        for name in ("hit@5", f"quote_recall@{ev.QUOTE_K}", "key_fact_recall", "refusal_rate"):
            row.append(f"{_fmt(m.get(name))} / {_fmt(b.get(name))}" if base else _fmt(m.get(name)))
        kinds.add_row(*row)
    console.print(kinds)
    lat = report["metrics"]["latency_ms"]
    console.print(
        "latency ms (p50/p95): "
        + ", ".join(f"{s} {v['p50']:.0f}/{v['p95']:.0f}" for s, v in sorted(lat.items()))
    )
    if report["setup_seconds"]:
        console.print(
            "seconds: " + ", ".join(f"{k[:-2]} {v:.1f}" for k, v in report["setup_seconds"].items())
        )
    console.print(f"faithfulness, answer relevance (LLM judge): {report['llm_judge']}")
    if report.get("gate"):
        if failures:
            console.print(f"[red]gate failed against {report['gate']['compare']}:[/]")
            for f in failures:
                console.print(f"  [red]✗[/] {f}")
        else:
            console.print(f"[green]gate passed[/] against {report['gate']['compare']}")
    console.print(f"report: {out / 'report.html'}  ({out / 'report.json'})")


def _fmt(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else "—"


# --- HTML -----------------------------------------------------------------------------

CSS = """
body{font:14px/1.5 system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:2em auto;
max-width:72em;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #ddd;
padding:.25em .6em;text-align:left;vertical-align:top}td.num{text-align:right;
font-variant-numeric:tabular-nums}.bar{background:#eee;width:12em;height:.7em;display:inline-block}
.bar span{display:block;height:100%}.u{background:#2b6cb0}.b{background:#b7791f}
.good{color:#276749}.bad{color:#c53030}.meta{color:#555}.item{border:1px solid #ddd;
border-radius:6px;padding:.6em 1em;margin:1em 0}.quote{background:#f7f7f0;padding:.2em .5em;
border-left:3px solid #bbb;margin:.3em 0;white-space:pre-wrap}.legend span{padding:0 .6em}
.kinds td{white-space:nowrap}.kinds .bar{width:6em}
"""
FAILURES_SHOWN = 25
CHART_METRICS = (
    ("hit@5", "gold doc hit@5"),
    (f"quote_recall@{ev.QUOTE_K}", f"gold quote recall@{ev.QUOTE_K}"),
    ("key_fact_recall", "key-fact recall"),
    ("cites_gold_quote", "cites the gold quote"),
    ("refusal_rate", "refuses unanswerable"),
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _bar(value: Any, cls: str) -> str:
    if not isinstance(value, int | float):
        return ""
    width = max(0.0, min(1.0, float(value))) * 100
    return f'<span class="bar"><span class="{cls}" style="width:{width:.1f}%"></span></span>'


def render_html(report: dict[str, Any]) -> str:
    """A self-contained page: tables, CSS bar charts per kind, the worst items."""
    ours = report["metrics"]
    base = (report["baseline"] or {}).get("metrics")
    judge = report["llm_judge"]
    parts = [
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">',
        f"<title>unionqa eval — {_e(report['questions'])}</title><style>{CSS}</style></head><body>",
        "<h1>unionqa answer-quality evaluation</h1>",
        f'<p class="meta">{_e(report["n_items"])} questions from <code>{_e(report["questions"])}</code>'
        f" · {_e(report['created'])} · as of {_e(report['as_of'] or 'today')}"
        f" · embedding {_e(report['config']['embedding'])}"
        f" · answers: {_e(report['answers'])} · LLM judge: {_e(judge)}"
        + "".join(f" · {_e(k)} {v}" for k, v in report["setup_seconds"].items())
        + "</p>",
    ]
    if report.get("gate"):
        gate = report["gate"]
        verdict = "passed" if gate["passed"] else "FAILED"
        parts.append(
            f'<h2>Gate against {_e(gate["compare"])}: <span class="'
            f'{"good" if gate["passed"] else "bad"}">{verdict}</span></h2><ul>'
            + "".join(f"<li>{_e(f)}</li>" for f in gate["failures"])
            + "</ul>"
        )
    parts.append('<h2>Overall</h2><p class="legend"><span class="u">&nbsp;</span> unionqa ')
    parts.append(
        f'<span class="b">&nbsp;</span> {_e((report["baseline"] or {}).get("name", "baseline"))}</p>'
    )
    parts.append(
        "<table><tr><th>metric</th><th>unionqa</th><th></th><th>naive RAG</th><th></th><th>Δ</th></tr>"
    )
    for name, label, lower in METRIC_ROWS:
        a = ours["overall"].get(name)
        b = base["overall"].get(name) if base else None
        if a is None and b is None and name not in JUDGE_METRICS:
            continue
        delta = ""
        rate = name not in COUNT_METRICS
        if isinstance(a, int | float) and isinstance(b, int | float) and rate:
            d = a - b
            cls = "good" if (d < 0 if lower else d > 0) else "bad" if d else ""
            delta = f'<span class="{cls}">{d:+.3f}</span>'
        parts.append(
            f"<tr><td>{_e(label)}</td><td class=num>{_e(cell(ours['overall'], name, judge))}</td>"
            f"<td>{_bar(a, 'u') if rate else ''}</td><td class=num>{_e(cell(base['overall'] if base else None, name, judge))}</td>"
            f"<td>{_bar(b, 'b') if rate else ''}</td><td class=num>{delta}</td></tr>"
        )
    parts.append("</table><h2>Per kind</h2>")
    kinds = list(ours["by_kind"])
    parts.append(
        '<table class="kinds"><tr><th>kind</th><th>n</th>'
        + "".join(f"<th>{_e(lbl)}</th>" for _, lbl in CHART_METRICS)
        + "</tr>"
    )
    for kind in kinds:
        m = ours["by_kind"][kind]
        b = (base or {}).get("by_kind", {}).get(kind, {})
        row = f"<tr><td>{_e(kind)}</td><td class=num>{m['n']}</td>"
        for name, _ in CHART_METRICS:
            if m.get(name) is None and b.get(name) is None:
                row += "<td></td>"
                continue
            row += (
                f"<td>{_bar(m.get(name), 'u')} {_e(_fmt(m.get(name)))}<br>"
                f"{_bar(b.get(name), 'b')} {_e(_fmt(b.get(name)))}</td>"
            )
        parts.append(row + "</tr>")
    parts.append(
        "</table><h2>Latency (ms)</h2><table><tr><th>stage</th><th>p50</th><th>p95</th><th>n</th></tr>"
    )
    for stage, v in sorted(ours["latency_ms"].items()):
        parts.append(
            f"<tr><td>{_e(stage)}</td><td class=num>{v['p50']:.1f}</td>"
            f"<td class=num>{v['p95']:.1f}</td><td class=num>{v['n']}</td></tr>"
        )
    parts.append("</table>")
    parts.extend(_failures_html(report))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _failures_html(report: dict[str, Any]) -> list[str]:
    worst = sorted(
        (r for r in report["items"] if r["unionqa"]["quality"] < 1.0),
        key=lambda r: (r["unionqa"]["quality"], r["id"]),
    )[:FAILURES_SHOWN]
    out = [f"<h2>Failures: the {len(worst)} worst items</h2>"]
    if not worst:
        out.append("<p>None: every item scored fully.</p>")
    for r in worst:
        run = r["unionqa"]
        out.append(
            f'<div class="item"><b>{_e(r["id"])}</b> · {_e(r["kind"])} · quality {run["quality"]:.2f}'
        )
        for turn in r.get("history") or []:
            out.append(f'<div class="meta">earlier turn: {_e(turn)}</div>')
        out.append(f"<p><b>Q:</b> {_e(r['question'])}</p>")
        if r["answerable"]:
            out.append(f"<div>gold: <code>{_e(r['gold_doc'])}</code></div>")
            out.append(f'<div class="quote">{_e(r["gold_quote"])}</div>')
        if r["key_facts"] or r["must_not_contain"]:
            text = (run["answer"] or {}).get("answer", "")
            marks = [
                f'<span class="{"good" if ev.fact_present(f, text) else "bad"}">{_e(f)}</span>'
                for f in r["key_facts"]
            ] + [
                f'<span class="{"bad" if ev.forbidden_found([s], text) else "good"}">≠{_e(s)}</span>'
                for s in r["must_not_contain"]
            ]
            out.append("<div>key facts: " + " · ".join(marks) + "</div>")
        if run["error"]:
            out.append(f'<div class="bad">error: {_e(run["error"])}</div>')
        ans = run["answer"]
        if ans:
            refused = " (refused)" if ans["refused"] else ""
            out.append(f"<p><b>A{refused}:</b> {_e(ans['answer'])}</p>")
            for c in ans["citations"]:
                out.append(
                    f'<div class="quote">[{c["n"]}] {_e(c["source"])} {_e(c["locator"])}: {_e(c["quote"])}</div>'
                )
        hits = ", ".join(f"{_e(h['source'])} {_e(h['locator'])}" for h in run["hits"][:5])
        out.append(f'<div class="meta">top hits: {hits}</div>')
        scores = ", ".join(
            f"{_e(k)}={v:.2f}" for k, v in run["scores"].items() if isinstance(v, int | float)
        )
        out.append(f'<div class="meta">scores: {scores}</div>')
        if r.get("baseline") and r["baseline"]["answer"]:
            b = r["baseline"]["answer"]["answer"]
            short = b if len(b) <= 200 else b[:200] + "…"
            out.append(f'<div class="meta">naive RAG answer: {_e(short)}</div>')
        out.append("</div>")
    return out
