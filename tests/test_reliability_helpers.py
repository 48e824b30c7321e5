"""Helpers for the reliability tests (no tests here): generated corpora, the ``unionqa`` CLI as a
subprocess, a restartable ``chroma run`` server, a log-canary scan and index snapshots."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixtures import ROOT, free_port, tail

from unionqa.service import QAService

VENV_BIN = Path(sys.executable).parent
UNIONQA = VENV_BIN / "unionqa"

TOPICS = [
    ("高温津贴", "用人单位安排职工在高温天气下露天作业的，应当按月发放高温津贴"),
    ("夜班补贴", "职工在夜间连续工作满四小时的，用人单位应当发放夜班补贴"),
    ("工伤认定", "职工在工作时间和工作场所内因工作原因受到事故伤害的，应当认定为工伤"),
    ("带薪年休假", "职工连续工作满十二个月以上的，享受带薪年休假"),
    ("女职工保护", "用人单位不得因女职工怀孕、生育、哺乳降低其工资"),
    ("劳务派遣", "被派遣劳动者享有与用工单位的劳动者同工同酬的权利"),
    ("社会保险", "用人单位应当自用工之日起三十日内为职工办理社会保险登记"),
    ("经济补偿", "经济补偿按劳动者在本单位工作的年限，每满一年支付一个月工资"),
    ("试用期", "同一用人单位与同一劳动者只能约定一次试用期"),
    ("最低工资", "用人单位支付劳动者的工资不得低于当地最低工资标准"),
]
ASPECTS = ["适用范围", "申请条件", "办理流程", "发放标准", "争议处理", "监督检查", "法律责任"]


def generated_corpus(folder: Path, n: int = 20, seed: int = 0, version: int = 0) -> Path:
    """``n`` policy-like Markdown files of a few thousand characters each, seeded. ``version``
    changes the wording of every third file (to give a later ingest some updates to do)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        topic, rule = TOPICS[i % len(TOPICS)]
        lines = [f"# 关于{topic}的第{i + 1}号说明", ""]
        for aspect in ASPECTS:
            lines.append(f"## {aspect}")
            lines.append("")
            for k in range(rng.randint(8, 14)):
                tail = f"（第{version}版）" if version and i % 3 == 0 else ""
                lines.append(
                    f"关于{topic}的{aspect}，{rule}。地区编号{rng.randint(100, 999)}的职工"
                    f"可以向所在单位工会提出第{k + 1}项咨询{tail}。"
                )
            lines.append("")
        (folder / f"policy-{i:02d}.md").write_text("\n".join(lines), encoding="utf-8")
    return folder


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("UNIONQA_") and k != "PYTEST_ADDOPTS"
    }
    env.update(
        {
            "UNIONQA_DATA_DIR": str(data_dir),
            "ANONYMIZED_TELEMETRY": "False",
            "GRADIO_ANALYTICS_ENABLED": "False",
            "HF_HUB_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def run_cli(
    args: list[str], data_dir: Path, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """``unionqa ARGS`` in a new process, from the repository root (its default corpus/)."""
    return subprocess.run(
        [str(UNIONQA), *args],
        cwd=ROOT,
        env=cli_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --- index snapshots ------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    chunks: dict[str, tuple[str, str, int, int]]  # chunk id → (doc_id, text, start, end)
    documents: dict[str, tuple[str, int]]  # doc_id → (sha256, chunk count)

    @property
    def orphans(self) -> set[str]:
        """Chunks whose document is not in the registry (left over, or duplicated)."""
        return {cid for cid, row in self.chunks.items() if row[0] not in self.documents}


def snapshot(service: QAService) -> Snapshot:
    col, _ = service.index._collections()
    got = col.get(include=["documents", "metadatas"])
    chunks = {
        i: (m["doc_id"], t, int(m["start"]), int(m["end"]))
        for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    }
    assert len(chunks) == len(got["ids"]), "duplicate chunk ids"
    docs = {d.doc_id: (d.sha256, d.chunks) for d in service.index.documents()}
    return Snapshot(chunks, docs)


# --- a restartable chroma server --------------------------------------------------------------


class ChromaServer:
    """``chroma run`` on loopback that a test may stop and start again on the same port and path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 60) -> None:
        exe = VENV_BIN / "chroma"
        log = (self.root / "server.log").open("ab")
        self.proc = subprocess.Popen(
            [str(exe), "run", "--path", str(self.root / "db"), "--host", "127.0.0.1"]
            + ["--port", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited: {tail(self.root / 'server.log')}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not answer: {tail(self.root / 'server.log')}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


# --- searching files for a canary -------------------------------------------------------------


def files_containing(root: Path, needles: list[str]) -> dict[str, list[str]]:
    """Which needles occur in which files under ``root`` (bytes as UTF-8, UTF-16 and GB18030,
    and JSON's \\u escapes), so nothing hides behind an encoding."""
    forms: dict[str, list[bytes]] = {}
    for n in needles:
        escaped = json.dumps(n).strip('"').encode("ascii")
        forms[n] = list({n.encode("utf-8"), n.encode("utf-16-le"), n.encode("gb18030"), escaped})
    hits: dict[str, list[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for n, variants in forms.items():
            if any(v in data for v in variants):
                hits.setdefault(str(path.relative_to(root)), []).append(n)
    return hits


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def json_line(text: str) -> Any:
    """The last line of ``text`` that parses as a JSON object (stdout may hold other lines)."""
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise AssertionError(f"no JSON object in output: {text[-500:]}")
