"""The calculator panel's HTML (a unit test of ``ui/calculator.py`` alone; the browser test drives
the panel over the real statutes): the result first, steps, quotes and notices all escaped."""

from __future__ import annotations

from unionqa.types import CalcResult, Calculation, Citation
from unionqa.ui.calculator import calculation_html

HOSTILE = "<script>window.__xss=1</script>"


def _calc(**kw: object) -> Calculation:
    quote = f"第四十七条 经济补偿按劳动者在本单位工作的年限{HOSTILE}"
    citation = Citation(
        n=1,
        doc_id="d",
        source="labour_contract_law.md",
        title="中华人民共和国劳动合同法<i>",
        quote=quote,
        start=0,
        end=len(quote),
        locator="第四十七条",
    )
    fields: dict[str, object] = {
        "kind": "severance",
        "result": CalcResult(value=26000, unit="元", text="4个月工资，按月薪6500元计为26000元"),
        "steps": [f"按《劳动合同法》第四十七条，计4个月工资{HOSTILE}"],
        "citations": [citation],
        "notices": [f"请确认离职情形{HOSTILE}"],
    }
    fields.update(kw)
    return Calculation.model_validate(fields)


def test_result_steps_quotes_and_notices_are_escaped() -> None:
    html = calculation_html(_calc())
    assert "<script>" not in html and "<i>" not in html
    assert html.count("&lt;script&gt;") == 3
    assert "结果：4个月工资，按月薪6500元计为26000元" in html
    assert "《中华人民共和国劳动合同法&lt;i&gt;》" in html and "第四十七条</span>" in html


def test_result_comes_before_steps_and_sources() -> None:
    html = calculation_html(_calc())
    order = [html.index(k) for k in ("uq-calc-result", "uq-calc-steps", "uq-cards")]
    assert order == sorted(order)


def test_no_result_says_so_and_keeps_the_notices() -> None:
    html = calculation_html(
        _calc(result=None, steps=[], citations=[], notices=["还需要：月工资（monthly_wage）。"])
    )
    assert "还不能算出结果" in html and "还需要：月工资（monthly_wage）。" in html
    assert "uq-cards" not in html


def test_english_headings() -> None:
    html = calculation_html(_calc(), "en")
    assert "Result: 4个月工资" in html and "Steps" in html and "Articles applied" in html
