"""The issue map at the front doors: ``unionqa situations`` and ``POST /v1/classify``."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_api_helpers import client_for

from unionqa.cli import main


def test_situations_lists_and_validates_the_map(tmp_path):
    r = CliRunner().invoke(main, ["situations", "--json", "--data-dir", str(tmp_path / "d")])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert len(rows) >= 80 and all(row["exemplars"] >= 8 for row in rows)
    assert not (tmp_path / "d").exists()  # a read-only command creates no data dir
    human = CliRunner().invoke(main, ["situations", "--data-dir", str(tmp_path / "d")])
    assert human.exit_code == 0 and "wage.arrears" in human.output and "个情形" in human.output


def test_situations_names_the_file_entry_and_field_of_a_bad_override(tmp_path):
    (tmp_path / "situations").mkdir(parents=True)
    (tmp_path / "situations" / "hotline.yaml").write_text(
        "- id: local.x\n  name: 本地\n  name_en: Local\n  exemplars: [一, 二]\n", encoding="utf-8"
    )
    r = CliRunner().invoke(main, ["situations", "--data-dir", str(tmp_path)])
    assert r.exit_code == 2
    assert "hotline.yaml" in r.output and "local.x" in r.output and "exemplars" in r.output


def test_classify_routes_a_ticket_without_storing_the_question(corpus_service, tmp_path):
    client = client_for(corpus_service, tmp_path)
    r = client.post("/v1/classify", json={"question": "老板拖了俩月工资不发，我该找谁？"})
    assert r.status_code == 200, r.text
    body = r.json()
    first = body["situations"][0]
    assert first["id"] == "wage.arrears" and "劳动保障监察" in first["offices"]
    assert first["deadline"] and first["facts"] and body["urgency"] == "normal"
    # corpus/ holds no statute: the governing articles are named but not indexed
    assert first["articles"] and not any(a["indexed"] for a in first["articles"])
    empty = client.post("/v1/classify", json={"question": "  "})
    assert empty.status_code == 422
