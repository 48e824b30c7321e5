"""Reliability of ingest: ``unionqa ingest`` killed with SIGKILL at random points converges on what a
clean ingest builds; stale locks of killed writers are cleared, live ones respected; a folder of
hostile files is ingested or refused file by file, without a crash, a hang or a loss.

The subprocess runs use the ``hashing`` embedding: what is under test is the write path (Chroma,
the registry, the keyword cache, the lock) and the loaders, which do not depend on the model, and
a 10 MB file embeds in seconds instead of minutes."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from filelock import FileLock
from fixtures import CORPUS, ROOT, make_settings
from test_loaders import HTML, minimal_pdf
from test_reliability_helpers import (
    ASPECTS,
    TOPICS,
    UNIONQA,
    cli_env,
    generated_corpus,
    json_line,
    run_cli,
    snapshot,
)

from unionqa.errors import IndexLockedError
from unionqa.index.lock import LOCK_FILE
from unionqa.ingest.chunking import chunk_document
from unionqa.ingest.limits import MAX_DOCX_UNCOMPRESSED
from unionqa.ingest.loaders import load_bytes
from unionqa.service import QAService
from unionqa.text.sentences import HARD_MAX

HASHING = {"UNIONQA_EMBEDDING": "hashing"}
KILLS = 6  # rounds that end in SIGKILL while holding the lock
MAX_ROUNDS = 24
KILL_SEED = 20251124
QUESTIONS = ["高温津贴按月发放吗", "同一用人单位能约定几次试用期", "招聘高校毕业生有什么补助"]


def hashing_service(data_dir: Path) -> QAService:
    return QAService(make_settings(data_dir, embedding="hashing"), role="ingest")


def lock_pid(data: Path) -> int | None:
    try:
        return int(json.loads((data / "ingest.lock").read_text())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stored_counts(data: Path) -> dict[str, object]:
    """Records per Chroma collection, read from the sqlite file (only while no writer runs)."""
    path = data / "chroma" / "chroma.sqlite3"
    if not path.exists():
        return {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT c.name, count(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id"
            " JOIN collections c ON s.collection = c.id GROUP BY c.name"
        ).fetchall()
    except sqlite3.Error as e:  # e.g. a hot journal that only a writer may roll back
        return {"unreadable": str(e)}
    finally:
        db.close()
    return dict(rows)


# --- SIGKILL at random points --------------------------------------------------------------------


def test_ingest_killed_at_random_points_converges_on_a_clean_ingest(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    data = tmp_path / "data"
    rng = random.Random(KILL_SEED)
    rounds: list[dict[str, object]] = []
    n = 0
    upper = 5.0  # the write phase lasts ~1-6 s here; halved whenever a kill comes after it
    while sum(bool(r["killed"] and r["left_its_lock"]) for r in rounds) < KILLS:
        assert n < MAX_ROUNDS, rounds  # on a fast machine a round may finish before its kill
        # every round has work to do: new wording in every third file, and each third round
        # rebuilds the whole index (its swap of collections is a crash window of its own)
        generated_corpus(docs, version=n + 1)
        args = ["ingest", str(CORPUS), str(docs), "--json"] + (["--rebuild"] if n % 3 == 2 else [])
        left_by_last = lock_pid(data)
        proc = subprocess.Popen(
            [str(UNIONQA), *args],
            cwd=ROOT,
            env=cli_env(data, **HASHING),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started = time.monotonic()
        while lock_pid(data) != proc.pid and proc.poll() is None:
            assert time.monotonic() - started < 60, "ingest never took the lock"
            time.sleep(0.005)
        delay = rng.uniform(0.05, upper)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=30)
        left = lock_pid(data)
        rounds.append(
            {
                "round": n,
                "rebuild": "--rebuild" in args,
                "delay_s": round(delay, 2),
                "killed": code == -signal.SIGKILL,
                "cleared_a_stale_lock": left_by_last is not None,
                "left_its_lock": left is not None,
                "records": stored_counts(data),
            }
        )
        # a writer killed while it held the lock leaves it behind, with its own PID
        assert left in (None, proc.pid)
        assert code == -signal.SIGKILL or left is None
        if left is None:  # finished, or killed after its writes: aim earlier
            upper = max(0.3, upper / 2)
        n += 1
    print(json.dumps(rounds, ensure_ascii=False))

    final = run_cli(["ingest", str(CORPUS), str(docs), "--json"], data, **HASHING)
    assert final.returncode == 0, final.stderr
    assert json_line(final.stdout)["failed"] == []
    if rounds[-1]["left_its_lock"]:  # the next writer clears it instead of waiting forever
        assert "clearing stale ingest lock" in final.stderr
    assert not (data / "ingest.lock").exists()
    # the stale-lock path ran after every kill but the last (which the final run clears): each
    # such round took the lock (the wait above) instead of refusing to start
    assert sum(bool(r["cleared_a_stale_lock"]) for r in rounds) >= KILLS - 1

    clean = hashing_service(tmp_path / "clean")
    assert not clean.ingest([CORPUS, docs]).failed
    resumed = hashing_service(data)
    got, want = snapshot(resumed), snapshot(clean)
    assert len(got.chunks) == len(want.chunks)
    assert got.chunks == want.chunks  # same ids, texts and offsets: nothing lost or doubled
    assert got.documents == want.documents
    assert got.orphans == set()
    assert sum(n for _, n in got.documents.values()) == len(got.chunks)
    for q in QUESTIONS:
        assert [h.chunk_id for h in resumed.search(q, k=5).hits] == [
            h.chunk_id for h in clean.search(q, k=5).hits
        ]
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["documents"], manifest["chunks"]) == (len(want.documents), len(want.chunks))


# --- the lock ------------------------------------------------------------------------------------


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "leave.md").write_text("# 年休假\n\n职工累计工作已满1年不满10年的，年休假5天。\n")
    return folder


def test_lock_of_a_killed_writer_is_cleared_by_the_next_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [
            str(Path(UNIONQA).with_name("python")),
            "-c",
            "import sys, time\nfrom unionqa.service import QAService\n"
            "from unionqa.settings import Settings\n"
            "svc = QAService(Settings(data_dir=sys.argv[1], _env_file=None))\n"
            "with svc.index.lock():\n    print('locked', flush=True)\n    time.sleep(60)\n",
            str(data),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(IndexLockedError, match=str(proc.pid)):
            hashing_service(data).ingest([_corpus(tmp_path)])  # alive: respected
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert lock_pid(data) == proc.pid
        assert hashing_service(data).ingest([tmp_path / "docs"]).added == 1  # dead: cleared
        assert not (data / "ingest.lock").exists()
    finally:
        proc.kill()
        proc.wait()


def test_unreadable_lock_of_a_writer_killed_before_writing_its_pid_is_cleared(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    lock = data / "ingest.lock"
    lock.write_bytes(b"")  # the lock taken, the PID not written yet
    writer = FileLock(data / LOCK_FILE, timeout=0)
    with writer, pytest.raises(IndexLockedError):  # a writer may be writing its PID right now
        hashing_service(data).ingest([_corpus(tmp_path)])
    # the writer killed before writing its PID: the kernel released its lock, the file stays
    assert lock.read_bytes() == b""
    assert hashing_service(data).ingest([tmp_path / "docs"]).added == 1
    assert not lock.exists()


def test_lock_held_on_another_host_is_never_cleared(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    other = {"pid": 999_999_999, "host": f"not-{socket.gethostname()}", "since": 0}
    (data / "ingest.lock").write_text(json.dumps(other))
    with pytest.raises(IndexLockedError, match="999999999"):
        hashing_service(data).ingest([_corpus(tmp_path)])
    assert json.loads((data / "ingest.lock").read_text()) == other


# --- hostile files -------------------------------------------------------------------------------

GBK_TEXT = "加班工资：休息日安排劳动者工作又不能安排补休的，支付不低于工资的百分之二百。"
UTF16_TEXT = "年休假：职工累计工作已满十年不满二十年的，年休假十天。"
ODD_NAME = "劳动 合同 \"双引号\" '单引号' 😀 ✓.md"
HIDDEN = ("SCRIPT_TEXT", "STYLE_TEXT", "HIDDEN_NAV", "DISPLAY_NONE", "ARIA_HIDDEN")


def _docx_bomb(lie: bool) -> bytes:
    """A .docx whose word/document.xml unpacks to more than the limit; ~150 KB on disk. ``lie``:
    its headers claim 1 KiB (the size check passes; the CRC then cannot)."""
    import docx

    d = docx.Document()
    d.add_paragraph("正文。")
    good = io.BytesIO()
    d.save(good)
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(good) as src,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out,
    ):
        for item in src.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item, src.read(item.filename))
        with out.open("word/document.xml", "w") as f:
            f.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org')
            f.write(b'/wordprocessingml/2006/main"><w:body>')
            block = b" " * (1024 * 1024)
            for _ in range(MAX_DOCX_UNCOMPRESSED // len(block) + 2):
                f.write(block)
            f.write(b"</w:body></w:document>")
    data = bytearray(buf.getvalue())
    if lie:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
            info = z.getinfo("word/document.xml")
        struct.pack_into("<I", data, info.header_offset + 22, 1024)  # local header
        pos = data.find(b"PK\x01\x02")
        while pos >= 0:  # central directory record of that entry
            name_len = struct.unpack_from("<H", data, pos + 28)[0]
            if data[pos + 46 : pos + 46 + name_len] == b"word/document.xml":
                struct.pack_into("<I", data, pos + 24, 1024)
            pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def one_line(chars: int = 3_400_000, seed: int = 3) -> str:
    """Policy-like Chinese without a space, line break or punctuation mark: ~10 MB in UTF-8."""
    rng = random.Random(seed)
    parts, size = [], 0
    while size < chars:
        topic, rule = rng.choice(TOPICS)
        part = f"关于{topic}的{rng.choice(ASPECTS)}{re.sub(r'[，、]', '', rule)}"
        parts.append(part)
        size += len(part)
    return "".join(parts)[:chars]


def hostile_folder(folder: Path) -> dict[str, str | None]:
    """Writes the hostile inputs; returns name → the reason it must be refused for (a fragment
    of the message), or None when it must be ingested."""
    folder.mkdir(parents=True)
    rng = random.Random(1)
    pdf = minimal_pdf("Overtime on rest days is paid at 200 percent of wages.")
    files: dict[str, tuple[bytes, str | None]] = {
        "empty.txt": (b"", "空"),
        "blank.md": (b" \n\t\n  ", "空"),
        "junk.txt": (rng.randbytes(64 * 1024), "编码"),
        "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64, "编码"),
        "truncated.pdf": (pdf[: len(pdf) // 2], "PDF"),
        "not-a-zip.docx": (b"PK\x03\x04 this is not really a zip", "DOCX"),
        "bomb.docx": (_docx_bomb(lie=False), "压缩炸弹"),
        "lying-bomb.docx": (_docx_bomb(lie=True), "DOCX"),
        "broken-front-matter.md": (b"---\ntitle: [unclosed\n---\n\n# x\n\ntext.\n", "YAML"),
        "gbk.txt": (GBK_TEXT.encode("gbk"), None),
        "utf16-bom.txt": (UTF16_TEXT.encode("utf-16"), None),
        "utf16be-no-bom.txt": (UTF16_TEXT.encode("utf-16-be"), None),
        "nul-bytes.txt": ("劳动者\x00依法享有\x00休息休假的权利。".encode(), None),
        "page.html": (HTML.encode("utf-8"), None),
        ODD_NAME: ("# 劳动合同\n\n劳动合同应当以书面形式订立。".encode(), None),
        # 10 MB of Chinese on one line without punctuation (text extracted from a bad PDF)
        "one-line.txt": (one_line().encode(), None),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    (folder / "program.exe").write_bytes(b"MZ\x90\x00")  # unsupported: skipped, not failed
    os.mkfifo(folder / "pipe.txt")  # not a regular file: reading it would block forever
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    return {name: reason for name, (_, reason) in files.items()}


def test_hostile_files_are_ingested_or_refused_one_by_one_and_nothing_is_lost(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    first = run_cli(["ingest", str(CORPUS), "--json"], data, **HASHING)
    assert first.returncode == 0, first.stderr
    before_dir = tmp_path / "before"
    shutil.copytree(data, before_dir)
    before = snapshot(hashing_service(before_dir))
    known = [h.chunk_id for h in hashing_service(before_dir).search(QUESTIONS[2], k=3).hits]

    folder = tmp_path / "hostile"
    expected = hostile_folder(folder)
    started = time.monotonic()
    run = run_cli(["ingest", str(folder), "--json"], data, timeout=300, **HASHING)
    seconds = time.monotonic() - started
    assert run.returncode == 1, run.stderr  # some files failed; the others are ingested
    assert "Traceback" not in run.stderr
    report = json_line(run.stdout)
    failed = {Path(f["path"]).name: f["error"] for f in report["failed"]}
    refused = {n: r for n, r in expected.items() if r is not None}
    assert set(failed) == set(refused)
    for name, fragment in refused.items():
        assert fragment in failed[name], (name, failed[name])
    accepted = [n for n, r in expected.items() if r is None]
    assert report["added"] == len(accepted)
    assert "program.exe" in run.stderr and "不支持的文件类型" in run.stderr
    print(json.dumps({"seconds": round(seconds, 1), "report": report}, ensure_ascii=False))

    svc = hashing_service(data)
    after = snapshot(svc)
    assert before.chunks.items() <= after.chunks.items()  # nothing already indexed was lost
    assert before.documents.items() <= after.documents.items()
    assert [h.chunk_id for h in svc.search(QUESTIONS[2], k=3).hits] == known
    assert after.orphans == set()

    by_source = {d.source: d for d in svc.documents()}
    assert set(by_source) == {d.source for d in svc.documents()}
    assert set(accepted) <= set(by_source)

    def text(name: str) -> str:
        doc = svc.get_document(by_source[name].doc_id)
        assert doc is not None
        return doc.text

    assert text("gbk.txt") == GBK_TEXT
    assert text("utf16-bom.txt") == UTF16_TEXT
    assert text("utf16be-no-bom.txt") == UTF16_TEXT
    assert text("nul-bytes.txt") == "劳动者依法享有休息休假的权利。"
    assert text(ODD_NAME) == "# 劳动合同\n\n劳动合同应当以书面形式订立。"
    page = text("page.html")
    assert "百分之一百五十" in page and not any(h in page for h in HIDDEN)
    assert not any(any(h in t for h in HIDDEN) for _, t, _, _ in after.chunks.values())
    line = by_source["one-line.txt"]
    spans = [(s, e) for doc, _, s, e in after.chunks.values() if doc == line.doc_id]
    assert len(spans) == line.chunks > 3000
    assert max(e - s for s, e in spans) <= HARD_MAX
    hits = svc.search("劳动合同应当以书面形式订立", k=3).hits
    assert hits[0].source == ODD_NAME


def test_a_ten_megabyte_line_is_cut_at_hard_max_with_offsets_intact() -> None:
    rng = random.Random(2)
    raw = "".join(rng.choice("劳动合同工资加班，休假保险") for _ in range(3_400_000)).encode()
    assert len(raw) > 10_000_000
    doc = load_bytes(raw, "line.txt")
    chunks = chunk_document(doc)
    assert chunks and max(c.end - c.start for c in chunks) <= HARD_MAX
    assert all(doc.text[c.start : c.end] == c.text for c in chunks[:: max(1, len(chunks) // 200)])
    assert chunks[0].start == 0 and chunks[-1].end == len(doc.text)
