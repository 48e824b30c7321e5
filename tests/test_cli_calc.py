"""``unionqa calc`` as a worker or a script uses it, over a real index of corpus/ and the statutes
(e5 + embedded Chroma, the session's ``laws_service``): results cited verbatim, listing, exit 2
with one Chinese sentence naming the field for bad input, exit 0 with ``missing`` listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_cli import one_line_error

from unionqa.cli import main
from unionqa.service import QAService
from unionqa.settings import get_settings

SEVERANCE = [
    "severance",
    "--input",
    "years=3",
    "--input",
    "months=7",
    "--input",
    "monthly_wage=6500",
]


def calc(data_dir: Path | None, *args: str) -> Result:
    env = {"UNIONQA_EMBEDDING": None, "UNIONQA_CHROMA_URL": None, "UNIONQA_DATA_DIR": None}
    extra = ["--data-dir", str(data_dir)] if data_dir else []
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, ["calc", *args, *extra], env=env, catch_exceptions=False)
    finally:
        get_settings.cache_clear()


@pytest.fixture(scope="module")
def laws_dir(laws_service: QAService) -> Path:
    return Path(laws_service.settings.data_dir)


def test_calc_severance_prints_result_steps_quotes_and_notices(laws_dir: Path) -> None:
    r = calc(laws_dir, *SEVERANCE)
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert out.startswith("结果：4个月工资，按月薪6500元计为26000元")
    assert "计算步骤：\n1. 按《劳动合同法》第四十六条" in out
    assert "\n2. 按《劳动合同法》第四十七条，工作满3年，另有7个月" in out
    assert "[1] 《中华人民共和国劳动合同法》第四十六条：第四十六条" in out
    assert "请注意：\n- " in out and "第四十六条" in out


def test_calc_json_is_the_calculation_with_verbatim_citations(
    laws_dir: Path, laws_service: QAService
) -> None:
    r = calc(laws_dir, *SEVERANCE, "--json")
    assert r.exit_code == 0, r.stderr
    body = json.loads(r.stdout)
    assert set(body) == {"kind", "inputs", "missing", "result", "steps", "citations", "notices"}
    assert body["inputs"] == {"years": 3, "months": 7, "monthly_wage": 6500}
    assert body["result"] == {
        "value": 26000,
        "unit": "元",
        "text": "4个月工资，按月薪6500元计为26000元",
    }
    assert body["missing"] == []
    assert [c["n"] for c in body["citations"]] == list(range(1, len(body["citations"]) + 1))
    for c in body["citations"]:
        doc = laws_service.get_document(c["doc_id"])
        assert doc is not None and doc.text[c["start"] : c["end"]] == c["quote"]
    assert {c["locator"].split()[-1] for c in body["citations"]} >= {"第四十七条", "第二十七条"}


def test_calc_in_english_gives_english_steps(laws_dir: Path) -> None:
    r = calc(laws_dir, *SEVERANCE, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Result: 4 months' wages")
    assert "Under Article 47 of the Labour Contract Law" in r.stdout


def test_calc_missing_input_exits_0_and_lists_it(laws_dir: Path) -> None:
    r = calc(laws_dir, "severance", "--input", "monthly_wage=6500", "--json")
    assert r.exit_code == 0, r.stderr
    body = json.loads(r.stdout)
    assert body["result"] is None and body["missing"] == ["years"]
    assert "还需要：工作年数（years）。" in body["notices"]
    human = calc(laws_dir, "severance", "--input", "monthly_wage=6500")
    assert human.exit_code == 0
    assert human.stdout.startswith("还不能计算") and "- 还需要：工作年数（years）。" in human.stdout
    assert "start_date+end_date / years+months" in human.stdout


def test_calc_without_a_wage_gives_the_months_of_wages(laws_dir: Path) -> None:
    body = json.loads(calc(laws_dir, "severance", "--input", "years=3", "--json").stdout)
    assert body["result"] == {"value": 3, "unit": "个月工资", "text": "3个月工资"}


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["severance", "--input", "years=2", "--input", "monthly_wage=-8000"], "monthly_wage"),
        (
            ["severance", "--input", "start_date=2024-05-01", "--input", "end_date=2024-04-30"],
            "end_date",
        ),
        (["severance", "--input", "salary=8000"], "salary"),
        (["no_such_kind"], "no_such_kind"),
        (["severance", "--input", "monthly_wage"], "名称=值"),
        (["severance", "--input", "=8000"], "名称=值"),
        (["severance", "-i", "years=1", "-i", "years=2"], "years"),
        (["overtime_pay", "-i", "hours=2", "-i", "day_type=weekend"], "day_type"),
    ],
)
def test_calc_bad_input_is_one_chinese_line_naming_the_field_exit_2(
    laws_dir: Path, args: list[str], names: str
) -> None:
    r = calc(laws_dir, *args)
    assert r.exit_code == 2
    line = one_line_error(r)
    assert names in line and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_unknown_kind_lists_the_kinds(laws_dir: Path) -> None:
    line = one_line_error(calc(laws_dir, "bonus"))
    assert "未知的计算类型：bonus" in line and "severance" in line and "annual_leave" in line


def test_calc_without_kind_lists_kinds_and_inputs() -> None:
    for args in ([], ["--list"]):
        r = calc(None, *args)
        assert r.exit_code == 0, r.stderr
        assert "severance  经济补偿" in r.stdout and "maternity_leave  产假天数" in r.stdout
        assert "monthly_wage" in r.stdout and "月工资（元）" in r.stdout
        assert "workday / rest_day / holiday" in r.stdout and "必填" in r.stdout
    listed = json.loads(calc(None, "--list", "--json").stdout)["kinds"]
    assert len(listed) == 9
    overtime = next(k for k in listed if k["name"] == "overtime_pay")
    day = next(i for i in overtime["inputs"] if i["name"] == "day_type")
    assert day["choices"] == ["workday", "rest_day", "holiday"] and day["required"] is True
    assert day["choices_zh"][2] == "法定休假日"


def test_annual_leave_over_the_statutes_alone_says_the_regulation_is_not_indexed(
    laws_dir: Path,
) -> None:
    r = calc(laws_dir, "annual_leave", "-i", "total_work_years=12", "--json")
    assert r.exit_code == 0, r.stderr
    body = json.loads(r.stdout)
    assert body["result"] is None and body["citations"] == []
    assert body["notices"] == ["需要《职工带薪年休假条例》第三条，但索引中没有这部法规，无法计算。"]
