"""``GET/POST /v1/calculate`` through FastAPI's TestClient over a real index of corpus/ and the
statutes (e5 + Chroma), and once behind a real uvicorn running the README's Calculators examples
as written: the Calculation of CONTRACT.md, 422 ``invalid_request`` naming the field (never
echoing the value), the same keys and quota as every /v1 route, the schemas in the OpenAPI."""

from __future__ import annotations

import os
import re
import subprocess

import httpx
import pytest
from fixtures import ROOT
from test_api_helpers import LiveServer, api_settings, client_for

from unionqa.api.app import create_app

SEVERANCE = {"kind": "severance", "inputs": {"years": 3, "months": 7, "monthly_wage": 6500}}
README = ROOT / "README.md"
SECTION = "## Calculators"


@pytest.fixture
def client(laws_service, tmp_path):
    return client_for(laws_service, tmp_path)


def test_post_calculate_returns_the_calculation_cited_verbatim(client, laws_service):
    r = client.post("/v1/calculate", json=SEVERANCE)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"kind", "inputs", "missing", "result", "steps", "citations", "notices"}
    assert body["result"] == {
        "value": 26000,
        "unit": "元",
        "text": "4个月工资，按月薪6500元计为26000元",
    }
    assert body["steps"][0].startswith("按《劳动合同法》第四十六条")
    assert body["citations"]
    for c in body["citations"]:
        doc = client.get(f"/v1/documents/{c['doc_id']}").json()
        assert doc["text"][c["start"] : c["end"]] == c["quote"]
    assert r.headers["x-request-id"]


def test_post_calculate_accepts_strings_and_english(client):
    body = client.post(
        "/v1/calculate",
        json={
            "kind": "no_contract_double_wage",
            "inputs": {"months_without_contract": "7", "monthly_wage": "5000"},
            "lang": "en",
        },
    ).json()
    assert body["result"]["value"] == 30000  # 7 months without a contract: 6 extra months
    assert body["steps"][0].startswith("Under Article 82 of the Labour Contract Law")


def test_missing_input_is_200_with_missing_listed(client):
    r = client.post("/v1/calculate", json={"kind": "severance", "inputs": {"monthly_wage": 6500}})
    assert r.status_code == 200
    assert r.json()["result"] is None and r.json()["missing"] == ["years"]


@pytest.mark.parametrize(
    ("inputs", "field", "value"),
    [
        ({"years": 2, "monthly_wage": -8123}, "月工资（monthly_wage）不能为负数", "8123"),
        ({"years": 2, "monthly_wage": "八千七百"}, "monthly_wage", "八千七百"),
        ({"start_date": "2024-02-30", "end_date": "2024-04-30"}, "start_date", "02-30"),
        ({"years": 2.5}, "years", "2.5"),
    ],
)
def test_bad_value_is_422_naming_the_field_without_echoing_it(client, inputs, field, value):
    r = client.post("/v1/calculate", json={"kind": "severance", "inputs": inputs})
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid_request" and set(body) == {"error", "message"}
    assert field in body["message"] and value not in body["message"]


def test_end_before_start_is_422_naming_both_dates(client):
    r = client.post(
        "/v1/calculate",
        json={
            "kind": "severance",
            "inputs": {"start_date": "2024-05-01", "end_date": "2024-04-30"},
        },
    )
    assert r.status_code == 422
    assert r.json()["message"] == "离职日期（end_date）早于入职日期（start_date）。"


def test_unknown_kind_and_unknown_input_are_422_naming_them(client):
    r = client.post("/v1/calculate", json={"kind": "bonus", "inputs": {}})
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    assert r.json()["message"].startswith("请求格式不正确：kind 只能是 'severance'")
    assert "bonus" not in r.text
    r = client.post("/v1/calculate", json={"kind": "severance", "inputs": {"salary": 1}})
    assert r.status_code == 422 and "没有输入项 salary" in r.json()["message"]
    secret = "张三13800138000"
    r = client.post("/v1/calculate", json={"kind": "severance", "inputs": {secret: 1}})
    assert r.status_code == 422 and "张三" not in r.text and "138" not in r.text
    assert "monthly_wage" in r.json()["message"]  # the names it does take


def test_get_calculate_lists_every_kind_with_its_inputs(client):
    r = client.get("/v1/calculate")
    assert r.status_code == 200
    kinds = {k["name"]: k for k in r.json()["kinds"]}
    assert set(kinds) >= {"severance", "overtime_pay", "maternity_leave", "annual_leave"}
    wage = next(i for i in kinds["severance"]["inputs"] if i["name"] == "monthly_wage")
    assert wage == {
        "name": "monthly_wage",
        "type": "number",
        "unit": "元",
        "required": False,
        "choices": [],
        "choices_zh": [],
        "label_zh": "月工资",
        "label_en": "monthly wage",
    }
    assert ["start_date", "end_date"] in kinds["severance"]["one_of"]


def test_a_kind_whose_law_is_not_indexed_says_which_document(corpus_service, tmp_path):
    client = client_for(corpus_service, tmp_path)
    body = client.post("/v1/calculate", json=SEVERANCE).json()
    assert body["result"] is None and body["citations"] == []
    assert body["notices"][0] == "需要《劳动合同法》第四十六条，但索引中没有这部法律，无法计算。"


def test_calculate_needs_a_key_and_counts_against_the_quota(laws_service, tmp_path):
    client = client_for(laws_service, tmp_path, api_keys="k1", quota_per_minute=2)
    assert client.get("/v1/calculate").status_code == 401
    assert client.post("/v1/calculate", json=SEVERANCE).status_code == 401
    auth = {"Authorization": "Bearer k1"}
    assert client.get("/v1/calculate", headers=auth).status_code == 200
    assert client.post("/v1/calculate", json=SEVERANCE, headers=auth).status_code == 200
    r = client.post("/v1/calculate", json=SEVERANCE, headers=auth)
    assert r.status_code == 429 and r.json()["error"] == "rate_limited"


def test_calculate_is_in_the_openapi_with_chinese_examples(client):
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/v1/calculate"]["post"]
    assert "calculators" in post["tags"] and "引用" in post["summary"]
    assert "422" in post["responses"]
    request = spec["components"]["schemas"]["CalculateRequest"]
    assert request["examples"][0]["kind"] == "severance"
    assert "severance" in request["properties"]["kind"]["enum"]
    assert spec["paths"]["/v1/calculate"]["get"]["responses"]["200"]


# --- the README's Calculators section, run as written against a real uvicorn ---------------------


def readme_curl_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.find("\n## ", len(SECTION))]
    return re.findall(r"```bash\n(.*?)```", section, re.S)


def test_readme_calculator_examples_run_against_a_real_server(laws_service, tmp_path):
    examples = readme_curl_examples()
    assert len(examples) >= 2
    settings = api_settings(laws_service, tmp_path, api_keys="hotline-key", quota_per_minute=0)
    app = create_app(laws_service, settings=settings, mount_ui=False)
    env = {**os.environ, "UNIONQA_KEY": "hotline-key", "NO_PROXY": "127.0.0.1,localhost"}
    outputs: list[str] = []
    with LiveServer(app) as server:
        r = httpx.post(
            f"{server.url}/v1/calculate",
            json=SEVERANCE,
            headers={"Authorization": "Bearer hotline-key"},
            timeout=60,
        )
        assert r.status_code == 200 and r.json()["result"]["value"] == 26000
        for code in examples:
            code = code.replace("http://127.0.0.1:8000", server.url)
            run = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", code],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert run.returncode == 0, f"example failed:\n{code}\n{run.stdout}\n{run.stderr}"
            assert run.stdout.strip(), code
            outputs.append(run.stdout)
    assert any("26000" in out for out in outputs) and any("severance" in out for out in outputs)
