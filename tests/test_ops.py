"""Outcome counters, GET /v1/stats, GET /v1/feedback, `unionqa stats`, `unionqa feedback export`,
and a scripted session of 50 questions through the front doors whose counts `unionqa stats
--json` must show exactly."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from test_api_helpers import api_settings
from test_ops_helpers import answer, service_copy, settings_only

from unionqa.api.app import create_app
from unionqa.cli import main
from unionqa.feedback import FEEDBACK_FILE, FeedbackStore
from unionqa.service import QAService
from unionqa.stats import STATS_FILE, OutcomeCounters, report

ADMIN = "admin-key-1"
USER = "user-key-1"
AUTH = {"Authorization": f"Bearer {ADMIN}"}


def _cli(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


# --- the counters ---------------------------------------------------------------------------


def test_counters_sum_by_coverage_situation_unstated_language_and_channel(tmp_path: Path) -> None:
    c = OutcomeCounters(tmp_path / STATS_FILE)
    wage = ("wage_arrears", "拖欠工资")
    c.add(answer("partial", wage, unstated="money"), "api", "zh")
    c.add(answer("partial", wage, unstated="money"), "ui", "zh")
    c.add(answer("none", wage), "openai", "en")
    c.add(answer("none"), "api", "zh")
    c.add(answer(situation=("injury", "工伤")), "api", "zh")
    c.add(answer(urgent_class="collective_arrears"), "ui", "zh")
    rep = report(c, days=1)
    assert rep["answers"] == 6
    assert rep["coverage"] == {"answered": 2, "partial": 2, "none": 2}
    assert rep["channels"] == {"api": 3, "ui": 2, "openai": 1}
    assert rep["languages"] == {"zh": 5, "en": 1}
    assert rep["unstated"] == {"money": 2}
    assert rep["escalations"] == {"total": 5, "urgent": {"collective_arrears": 1}}
    assert rep["unanswered"][0] == {
        "id": "wage_arrears",
        "name": "拖欠工资",
        "answers": 3,
        "answered": 0,
        "partial": 2,
        "none": 1,
        "unanswered": 3,
    }
    assert [s["id"] for s in rep["unanswered"]] == ["wage_arrears", None]
    assert rep["by_day"] == [
        {
            "day": date.today().isoformat(),
            "answers": 6,
            "answered": 2,
            "partial": 2,
            "none": 2,
            "up": 0,
            "down": 0,
        }
    ]


def test_a_refusal_still_marked_answered_counts_as_none(tmp_path: Path) -> None:
    c = OutcomeCounters(tmp_path / STATS_FILE)
    c.add(answer().model_copy(update={"refused": True}), "api", "zh")
    assert report(c, days=1)["coverage"] == {"answered": 0, "partial": 0, "none": 1}


def test_counters_keep_no_text_and_forget_days_past_retention(tmp_path: Path) -> None:
    c = OutcomeCounters(tmp_path / STATS_FILE, retention_days=180)
    today = date.today()
    c.add(answer("none"), "api", "zh", day=today - timedelta(days=181))
    c.add(answer("none"), "api", "zh", day=today - timedelta(days=179))
    c.add(answer("none", summary="电话13812345678"), "api", "zh", day=today)
    reopened = OutcomeCounters(tmp_path / STATS_FILE, retention_days=180)
    assert report(reopened, days=366)["answers"] == 2
    assert b"13812345678" not in (tmp_path / STATS_FILE).read_bytes()


def test_ratings_count_each_answer_once_per_rating_and_day(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / FEEDBACK_FILE)
    store.add("ans_1", "up")
    store.add("ans_1", "up", comment="讲得清楚")  # the chat page's comment: a second row
    store.add("ans_2", "down")
    store.add("ans_3", "down", now=time.time() - 3 * 86400)
    rep = report(OutcomeCounters(tmp_path / STATS_FILE), store, days=7)
    assert rep["ratings"] == {"up": 1, "down": 2}
    assert rep["by_day"][-1]["up"] == 1 and rep["by_day"][-1]["down"] == 1


# --- the API --------------------------------------------------------------------------------


def _client(svc: QAService, tmp_path: Path, admin_keys: str | None = ADMIN) -> TestClient:
    settings = api_settings(svc, svc.settings.data_dir, api_keys=USER, admin_keys=admin_keys)
    return TestClient(create_app(svc, settings=settings, mount_ui=False))


def test_stats_and_feedback_need_an_admin_key(tmp_path: Path) -> None:
    svc = settings_only(tmp_path)
    with _client(svc, tmp_path) as c:
        for path in ("/v1/stats", "/v1/feedback"):
            assert c.get(path).status_code == 401
            r = c.get(path, headers={"Authorization": f"Bearer {USER}"})
            assert r.status_code == 403 and r.json()["error"] == "forbidden"
            assert c.get(path, headers=AUTH).status_code == 200
    with _client(svc, tmp_path, admin_keys=None) as c:
        r = c.get("/v1/stats", headers={"Authorization": f"Bearer {USER}"})
        assert r.status_code == 403 and r.json()["error"] == "admin_disabled"
        assert "UNIONQA_ADMIN_KEYS" in r.json()["message"]


def test_stats_route_reports_recorded_answers_and_api_ratings(tmp_path: Path) -> None:
    svc = settings_only(tmp_path)
    svc.record(answer("partial", ("wage_arrears", "拖欠工资")), "ans_1", "api", lang="zh")
    svc.record(answer(), "ans_2", "openai", lang="en")
    with _client(svc, tmp_path) as c:
        user = {"Authorization": f"Bearer {USER}"}
        assert (
            c.post("/v1/feedback", json={"answer_id": "ans_1", "rating": "down"}, headers=user)
        ).status_code == 201
        r = c.get("/v1/stats?days=3", headers=AUTH)
        bad = c.get("/v1/stats?days=0", headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert body["days"] == 3 and len(body["by_day"]) == 3
    assert body["coverage"] == {"answered": 1, "partial": 1, "none": 0}
    assert body["channels"] == {"api": 1, "ui": 0, "openai": 1}
    assert body["ratings"] == {"up": 0, "down": 1}
    assert body["unanswered"][0]["id"] == "wage_arrears"
    assert bad.status_code == 422 and "days" in bad.json()["message"]


def test_feedback_reads_back_in_pages_filtered_by_day_and_rating(tmp_path: Path) -> None:
    svc = settings_only(tmp_path)
    store = FeedbackStore(tmp_path / FEEDBACK_FILE)
    now = time.time()
    for n in range(7):
        store.add(f"ans_{n}", "up" if n % 2 else "down", comment=f"第{n}条", now=now - n * 86400)
    today = date.today()
    with _client(svc, tmp_path) as c:
        pages, cursor = [], None
        while True:
            params: dict[str, str | int] = {"limit": 3}
            if cursor:
                params["cursor"] = cursor
            body = c.get("/v1/feedback", params=params, headers=AUTH).json()
            pages.append([i["answer_id"] for i in body["items"]])
            assert body["total"] == 7
            cursor = body["next_cursor"]
            if not cursor:
                break
        by_offset = c.get("/v1/feedback", params={"limit": 3, "offset": 3}, headers=AUTH).json()
        since = (today - timedelta(days=2)).isoformat()
        recent_down = c.get(
            "/v1/feedback", params={"since": since, "rating": "down"}, headers=AUTH
        ).json()
        old = c.get(
            "/v1/feedback", params={"until": (today - timedelta(days=5)).isoformat()}, headers=AUTH
        ).json()
        bad_date = c.get("/v1/feedback", params={"since": "2026-13-01"}, headers=AUTH)
        bad_rating = c.get("/v1/feedback", params={"rating": "meh"}, headers=AUTH)
        bad_cursor = c.get("/v1/feedback", params={"cursor": "!!"}, headers=AUTH)
    oldest_first = [f"ans_{n}" for n in range(6, -1, -1)]
    assert pages == [oldest_first[:3], oldest_first[3:6], oldest_first[6:]]
    assert [i["answer_id"] for i in by_offset["items"]] == oldest_first[3:6]
    assert [i["answer_id"] for i in recent_down["items"]] == ["ans_2", "ans_0"]
    assert recent_down["items"][0]["comment"] == "第2条"
    assert [i["answer_id"] for i in old["items"]] == ["ans_6", "ans_5"]
    assert bad_date.status_code == 422 and "since" in bad_date.json()["message"]
    assert bad_rating.status_code == 422 and "rating" in bad_rating.json()["message"]
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.json()["message"]


# --- the CLI --------------------------------------------------------------------------------


def test_cli_feedback_export_writes_json_lines_with_filters(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / FEEDBACK_FILE)
    store.add("ans_a", "up", comment="好")
    store.add("ans_b", "down", comment="打13812345678找我")
    code, out, _ = _cli("feedback", "export", "--json", "--data-dir", str(tmp_path))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["answer_id"] for r in rows] == ["ans_a", "ans_b"]
    assert rows[1]["comment"] == "打[电话]找我"
    code, out, _ = _cli(
        "feedback", "export", "--json", "--rating", "down", "--data-dir", str(tmp_path)
    )
    assert [json.loads(line)["answer_id"] for line in out.splitlines()] == ["ans_b"]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    code, out, _ = _cli(
        "feedback", "export", "--json", "--since", tomorrow, "--data-dir", str(tmp_path)
    )
    assert code == 0 and out == ""
    code, _, err = _cli("feedback", "export", "--since", "12/01", "--data-dir", str(tmp_path))
    assert code == 2 and "--since" in err


def test_cli_stats_prints_a_summary_and_refuses_bad_days(tmp_path: Path) -> None:
    svc = settings_only(tmp_path)
    svc.record(answer("none", ("wage_arrears", "拖欠工资")), "ans_1", "ui", lang="zh")
    code, out, _ = _cli("stats", "--data-dir", str(tmp_path))
    assert code == 0 and "1 个回答" in out and "wage_arrears  拖欠工资" in out
    code, _, err = _cli("stats", "--days", "0", "--data-dir", str(tmp_path))
    assert code == 2 and "--days" in err


# --- a scripted session ---------------------------------------------------------------------

# (question, history) that corpus/ answers, in Chinese and English (eval/dev_questions.jsonl)
ANSWERED = [
    "公司招应届生能领什么补助?",
    "企业每招一个高校毕业生,扩岗补助最多给多少钱?",
    "一次性扩岗补助的钱是从哪出的?",
    "招毕业生的扩岗补助政策到什么时候截止?",
    "公司想申请一次性扩岗补助,要先做到哪些条件?",
    "国企想多招毕业生但工资总额不够用,增人增资要走什么程序?",
    "这个招聘青年的补助政策是哪几个部门发的?",
    "AI面试给我打了低分,我能要求解释吗?",
    "AI面试录了我的脸和声音,面试完我能让公司删掉吗?",
    "公司完全靠AI自动决定不录用我,我能拒绝这个决定吗?",
    "感觉自己被AI招聘系统歧视了,该怎么维权?",
    "工会搞的“六比一创”劳动竞赛都比什么?",
    "企业的职工教育培训经费工会有什么要求?",
    "首届世界女工会议是哪年在哪儿开的?",
    "男女同工同酬是什么时候进入国家制度层面的?",
    "How much subsidy can a company get for hiring a new college graduate?",
]
# off-topic, and labour questions the documents of corpus/ do not cover (refused today)
REFUSED = [
    "今天天气怎么样？",
    "红烧肉怎么做才好吃？",
    "世界杯哪个队夺冠了？",
    "What is the best pizza in Rome?",
    "女职工产假一共有多少天?",
    "周末加班,加班费是按两倍工资算吗?",
    "试用期最长能约定多久?",
    "公司一直不跟我签劳动合同,能要多少个月的双倍工资?",
    "带薪年假一年能休几天?",
    "被公司裁员了,经济补偿怎么算?",
    "What is the minimum monthly wage in Shenzhen?",
]
CHANNELS = ["api", "openai", "ui"]


def _session() -> list[tuple[str, str, bool]]:
    """50 (question, channel, expected answered): questions in turn, channels in turn."""
    pool = [(q, True) for q in ANSWERED] + [(q, False) for q in REFUSED]
    out = []
    for n in range(50):
        q, ok = pool[(n * 7) % len(pool)]  # 7 is prime to 27: every question, mixed order
        out.append((q, CHANNELS[n % 3], ok))
    return out


def test_fifty_scripted_questions_show_exactly_their_counts_in_unionqa_stats(
    corpus_service: QAService, tmp_path: Path
) -> None:
    from unionqa.text.questions import detect_lang
    from unionqa.ui.chat import _respond

    svc = service_copy(corpus_service, tmp_path / "data")
    script = _session()
    seen: list[dict[str, object]] = []
    with TestClient(create_app(svc, mount_ui=False)) as c:
        for q, channel, _ in script:
            if channel == "api":
                body = c.post("/v1/ask", json={"question": q}).json()
                seen.append(body)
            elif channel == "openai":
                msg = {"messages": [{"role": "user", "content": q}]}
                body = c.post("/v1/chat/completions", json=msg).json()
                seen.append({**body, "coverage": None})
            else:
                *_, (_, turns, _) = _respond(svc, q, [], [], "zh")
                seen.append(turns[-1]["answer"].model_dump())
        for n, rating in ((0, "up"), (3, "up"), (6, "down")):  # three API answers rated
            c.post("/v1/feedback", json={"answer_id": seen[n]["id"], "rating": rating})

    # what the script implies: its channels and languages, and what each answer was
    assert [s["refused"] for s in seen] == [not ok for _, _, ok in script]
    refused = sum(1 for _, _, ok in script if not ok)
    code, out, err = _cli(
        "stats", "--json", "--days", "1", "--data-dir", str(svc.settings.data_dir)
    )
    assert code == 0, err
    stats = json.loads(out)
    assert stats["answers"] == 50
    assert stats["channels"] == dict(Counter(ch for _, ch, _ in script))
    assert stats["channels"] == {"api": 17, "openai": 17, "ui": 16}
    assert stats["languages"] == dict(Counter(detect_lang(q) for q, _, _ in script))
    assert stats["coverage"]["answered"] == 50 - refused
    assert stats["coverage"]["partial"] + stats["coverage"]["none"] == refused
    assert stats["escalations"]["total"] == refused
    assert stats["ratings"] == {"up": 2, "down": 1}
    assert sum(s["unanswered"] for s in stats["unanswered"]) == refused
    print(json.dumps({"answers": 50, "refused": refused, "coverage": stats["coverage"]}))
