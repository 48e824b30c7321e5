"""Ingest: idempotent, incremental, prunes and rebuilds safely, one writer at a time, and refuses
to mix embeddings. Real e5 model and embedded Chroma over tiny corpora in tmp_path."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures import make_settings

from unionqa.errors import IndexLockedError, IndexMismatchError, UnionQAError, UsageError
from unionqa.ingest.chunking import CHUNKER_VERSION, chunk_document
from unionqa.ingest.loaders import load_file
from unionqa.service import QAService

DOCS = {
    "probation.md": "# 试用期\n\n劳动合同期限三个月以上不满一年的，试用期不得超过一个月。\n",
    "overtime.md": "# 加班费\n\n休息日安排劳动者工作又不能安排补休的，支付不低于工资的百分之二百的工资报酬。\n",
    "leave.md": "# 年休假\n\n职工累计工作已满1年不满10年的，年休假5天。\n",
}


@pytest.fixture(scope="module")
def e5():
    """One real e5 model for the module (loading it per test would only cost time)."""
    from unionqa.index.embeddings import make_embeddings

    return make_embeddings("e5-small", "ingest")


def write_docs(folder: Path, docs: dict[str, str] = DOCS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def service(data_dir: Path, embeddings, **kw) -> QAService:
    return QAService(make_settings(data_dir, **kw), role="ingest", embeddings=embeddings)


def stored_chunks(svc: QAService, doc_id: str) -> dict[str, str]:
    col, _ = svc.index._collections()
    got = col.get(where={"doc_id": doc_id}, include=["documents"])
    return dict(zip(got["ids"], got["documents"], strict=True))


def top_source(svc: QAService, question: str) -> str:
    return svc.search(question, k=3).hits[0].source


# --- idempotent and incremental -------------------------------------------------------


def test_ingest_twice_adds_nothing_the_second_time(tmp_path: Path, e5) -> None:
    corpus = write_docs(tmp_path / "docs")
    svc = service(tmp_path / "data", e5)
    first = svc.ingest([corpus])
    assert (first.files, first.added, first.updated, first.unchanged) == (3, 3, 0, 0)
    assert first.chunks == 3 and first.failed == []
    second = svc.ingest([corpus])
    assert (second.files, second.added, second.updated, second.unchanged) == (3, 0, 0, 3)
    assert second.chunks == 0 and second.removed == 0
    assert len(svc.documents()) == 3
    assert top_source(svc, "试用期最长可以约定多久") == "probation.md"


def test_changed_file_replaces_its_chunks(tmp_path: Path, e5) -> None:
    corpus = write_docs(tmp_path / "docs")
    svc = service(tmp_path / "data", e5)
    svc.ingest([corpus])
    doc_id = next(d.doc_id for d in svc.documents() if d.source == "leave.md")
    old = stored_chunks(svc, doc_id)
    assert len(old) == 1

    new_text = (
        "# 年休假\n\n职工累计工作已满10年不满20年的，年休假10天。\n\n"
        "## 不享受年休假的情形\n\n职工请事假累计20天以上且单位按照规定不扣工资的，不享受当年的年休假。\n"
    )
    (corpus / "leave.md").write_text(new_text, encoding="utf-8")
    report = svc.ingest([corpus])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)

    expected = chunk_document(load_file(corpus / "leave.md", corpus)[0])
    now = stored_chunks(svc, doc_id)
    assert now == {c.chunk_id: c.text for c in expected}
    assert not any("不满10年的，年休假5天" in t for t in now.values())
    assert svc.get_document(doc_id).text == new_text
    hits = svc.search("请事假20天以上还有年休假吗", k=3).hits
    assert hits[0].source == "leave.md" and "事假" in hits[0].text
    assert all("年休假5天" not in h.text for h in hits)


def test_prune_removes_deleted_files_only_under_the_given_folder(tmp_path: Path, e5) -> None:
    a = write_docs(tmp_path / "a", {k: DOCS[k] for k in ("probation.md", "overtime.md")})
    b = write_docs(tmp_path / "b", {"leave.md": DOCS["leave.md"]})
    svc = service(tmp_path / "data", e5)
    svc.ingest([a, b])
    (a / "overtime.md").unlink()
    (b / "leave.md").unlink()

    kept = svc.ingest([a])  # without --prune nothing goes
    assert kept.removed == 0
    assert {d.source for d in svc.documents()} == {"probation.md", "overtime.md", "leave.md"}

    pruned = svc.ingest([a], prune=True)
    assert pruned.removed == 1
    # leave.md's file is gone too, but b/ was not given: its document stays
    assert {d.source for d in svc.documents()} == {"probation.md", "leave.md"}
    assert all(h.source != "overtime.md" for h in svc.search("休息日加班工资", k=5).hits)


def test_a_file_that_fails_to_load_is_not_pruned(tmp_path: Path, e5) -> None:
    corpus = write_docs(tmp_path / "docs")
    svc = service(tmp_path / "data", e5)
    svc.ingest([corpus])
    (corpus / "leave.md").write_bytes(b"---\ntitle: [broken\n---\n")
    report = svc.ingest([corpus], prune=True)
    assert [Path(f.path).name for f in report.failed] == ["leave.md"]
    assert report.removed == 0
    assert "leave.md" in {d.source for d in svc.documents()}


# --- rebuild --------------------------------------------------------------------------


def test_rebuild_starts_afresh(tmp_path: Path, e5) -> None:
    corpus = write_docs(tmp_path / "docs")
    other = write_docs(
        tmp_path / "other", {"extra.md": "# 工会\n\n职工有依法参加和组织工会的权利。\n"}
    )
    svc = service(tmp_path / "data", e5)
    svc.ingest([corpus, other])
    report = svc.ingest([corpus], rebuild=True)
    assert (report.added, report.unchanged, report.chunks) == (3, 0, 3)
    assert {d.source for d in svc.documents()} == set(DOCS)
    assert top_source(svc, "休息日加班工资怎么算") == "overtime.md"
    # a fresh service on the same data dir sees the rebuilt index
    again = service(tmp_path / "data", e5)
    assert {d.source for d in again.documents()} == set(DOCS)
    assert again.ingest([corpus]).unchanged == 3


def test_failed_rebuild_keeps_the_old_index_answering(
    tmp_path: Path, e5, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = write_docs(tmp_path / "docs")
    svc = service(tmp_path / "data", e5)
    svc.ingest([corpus])
    before = svc.search("试用期最长可以约定多久", k=3)

    def broken(texts: list[str]) -> list[list[float]]:
        raise RuntimeError("embedding model crashed")

    monkeypatch.setattr(e5, "embed_documents", broken)
    with pytest.raises(UnionQAError, match="向量模型出错") as failure:
        svc.ingest([corpus], rebuild=True)
    assert isinstance(failure.value.__cause__, RuntimeError)
    monkeypatch.undo()

    assert not (tmp_path / "data" / "ingest.lock").exists()
    assert {d.source for d in svc.documents()} == set(DOCS)
    assert svc.search("试用期最长可以约定多久", k=3) == before
    fresh = service(tmp_path / "data", e5)  # a new process sees the old index too
    assert fresh.search("试用期最长可以约定多久", k=3).hits[0].chunk_id == before.hits[0].chunk_id
    # and a later rebuild succeeds
    assert fresh.ingest([corpus], rebuild=True).added == 3


# --- what is skipped, what fails ------------------------------------------------------


def test_unknown_extension_is_skipped_with_a_warning_not_failed(
    tmp_path: Path, e5, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = write_docs(tmp_path / "docs")
    (corpus / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (corpus / "README").write_text("no extension", encoding="utf-8")
    svc = service(tmp_path / "data", e5)
    with caplog.at_level(logging.WARNING, logger="unionqa"):
        report = svc.ingest([corpus])
    assert report.failed == []
    assert (report.files, report.added) == (3, 3)
    assert sorted(Path(s.path).name for s in report.skipped) == ["README", "table.csv"]
    assert any(".csv" in s.error and "跳过" in s.error for s in report.skipped)
    assert any("unsupported" in r.getMessage() for r in caplog.records)


def test_corrupt_pdf_is_reported_with_its_reason_and_the_rest_are_ingested(
    tmp_path: Path, e5
) -> None:
    corpus = write_docs(tmp_path / "docs")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R")
    svc = service(tmp_path / "data", e5)
    report = svc.ingest([corpus])
    assert [(Path(f.path).name, "PDF" in f.error) for f in report.failed] == [("broken.pdf", True)]
    assert (report.files, report.added) == (4, 3)
    assert {d.source for d in svc.documents()} == set(DOCS)


def test_empty_folder_is_a_usage_error_naming_it(tmp_path: Path, e5) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    with pytest.raises(UsageError) as e:
        service(tmp_path / "data", e5).ingest([empty])
    assert "nothing-here" in str(e.value) and "没有找到文件" in str(e.value)


def test_missing_path_is_a_usage_error_naming_it(tmp_path: Path, e5) -> None:
    with pytest.raises(UsageError, match="路径不存在.*no-such-dir"):
        service(tmp_path / "data", e5).ingest([tmp_path / "no-such-dir"])


# --- one writer -----------------------------------------------------------------------


def test_second_writer_while_the_lock_is_held_is_refused_clearly(tmp_path: Path, e5) -> None:
    corpus = write_docs(tmp_path / "docs")
    first = service(tmp_path / "data", e5)
    second = service(tmp_path / "data", e5)
    with first.index.lock(), pytest.raises(IndexLockedError) as e:
        second.ingest([corpus])
    assert f"进程 {os.getpid()}" in str(e.value)
    assert "正在写入索引" in str(e.value)
    assert second.ingest([corpus]).added == 3  # released afterwards


def test_lock_held_by_another_live_process_is_respected(tmp_path: Path, e5) -> None:
    corpus = write_docs(tmp_path / "docs")
    data = tmp_path / "data"
    data.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from unionqa.index.lock import writer_lock\n"
            "with writer_lock(Path(sys.argv[1])):\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(60)\n",
            str(data),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexLockedError, match=str(holder.pid)):
            service(data, e5).ingest([corpus])
        assert (data / "ingest.lock").exists()
    finally:
        holder.kill()
        holder.wait()


def test_stale_lock_of_a_dead_process_is_cleared(tmp_path: Path, e5) -> None:
    corpus = write_docs(tmp_path / "docs")
    data = tmp_path / "data"
    data.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (data / "ingest.lock").write_text(
        json.dumps({"pid": dead.pid, "host": socket.gethostname(), "since": 0})
    )
    report = service(data, e5).ingest([corpus])
    assert report.added == 3
    assert not (data / "ingest.lock").exists()


# --- embeddings must match --------------------------------------------------------------


def test_querying_an_index_built_with_another_embedding_asks_for_a_rebuild(
    tmp_path: Path, e5
) -> None:
    corpus = write_docs(tmp_path / "docs")
    data = tmp_path / "data"
    built = QAService(make_settings(data, embedding="hashing"), role="ingest")
    assert built.ingest([corpus]).added == 3

    svc = service(data, e5)  # settings say e5-small
    with pytest.raises(IndexMismatchError) as e:
        svc.search("试用期最长可以约定多久")
    message = str(e.value)
    assert "unionqa ingest --rebuild" in message
    assert "hashing" in message and "e5-small" in message

    with pytest.raises(IndexMismatchError, match="--rebuild"):
        svc.ingest([corpus])  # adding e5 vectors to a hashing index is refused too
    assert svc.ingest([corpus], rebuild=True).added == 3
    assert top_source(svc, "试用期最长可以约定多久") == "probation.md"


# --- the store itself -----------------------------------------------------------------


def test_chroma_collection_has_no_embedding_function_and_telemetry_is_off(
    tmp_path: Path, e5
) -> None:
    svc = service(tmp_path / "data", e5)
    svc.ingest([write_docs(tmp_path / "docs")])
    chunks, docs = svc.index._collections()
    assert chunks._embedding_function is None
    assert docs._embedding_function is None
    assert svc.index.client.get_settings().anonymized_telemetry is False
    assert chunks.metadata["embedding"] == "e5-small"
    assert chunks.metadata["chunker"] == CHUNKER_VERSION
    assert chunks.configuration_json["hnsw"]["space"] == "cosine"
    # whole documents replayed from Chroma's log on a process's first read: at most 99
    assert docs.configuration_json["hnsw"]["sync_threshold"] == 100


def test_manifest_records_embedding_and_chunker_version(tmp_path: Path, e5) -> None:
    svc = service(tmp_path / "data", e5)
    svc.ingest([write_docs(tmp_path / "docs")])
    manifest = json.loads((tmp_path / "data" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedding"] == "e5-small"
    assert manifest["chunker_version"] == CHUNKER_VERSION
    assert (manifest["documents"], manifest["chunks"]) == (3, 3)
    assert manifest["store"] == "embedded"
    generation = manifest["generation"]
    svc.ingest([tmp_path / "docs"])
    again = json.loads((tmp_path / "data" / "manifest.json").read_text(encoding="utf-8"))
    assert again["generation"] != generation  # every write is a new generation


def test_keyword_index_reads_the_store_page_by_page(
    tmp_path: Path, e5, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large store is read in pages (one ``get`` of the law book's 67,338 chunks overflowed
    SQLite's variable limit): with a page of 2 chunks, every chunk still reaches the keyword index
    exactly once."""
    import unionqa.index.store as index_module

    svc = service(tmp_path / "data", e5)
    svc.ingest([write_docs(tmp_path / "docs")])
    col, _ = svc.index._collections()
    expected = sorted(col.get()["ids"])
    assert len(expected) >= 3
    monkeypatch.setattr(index_module, "READ_PAGE", 2)
    ids, texts, metas = svc.index.read_chunks()
    assert sorted(ids) == expected
    assert len(texts) == len(metas) == len(ids)
    assert "百分之二百" in "".join(texts)


def test_same_file_name_in_two_folders_keeps_both(tmp_path: Path, e5) -> None:
    """Two folders each with 规定.md: neither replaces the other, in one ingest or in two, and a
    second run changes nothing."""
    a = write_docs(
        tmp_path / "a", {"规定.md": "# 年休假\n\n职工累计工作已满1年不满10年的，年休假5天。\n"}
    )
    b = write_docs(tmp_path / "b", {"规定.md": "# 试用期\n\n试用期最长不得超过六个月。\n"})
    for together in (True, False):
        svc = service(tmp_path / f"data-{together}", e5)
        if together:
            svc.ingest([a, b])
        else:
            svc.ingest([a])
            svc.ingest([b])
        docs = svc.documents()
        assert len(docs) == 2 and len({d.doc_id for d in docs}) == 2
        texts = {svc.get_document(d.doc_id).text.strip().splitlines()[0] for d in docs}
        assert texts == {"# 年休假", "# 试用期"}
        again = svc.ingest([a, b])
        assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 2, 0)


def test_a_folder_that_moved_keeps_its_document_ids(tmp_path: Path, e5) -> None:
    old = write_docs(tmp_path / "old")
    svc = service(tmp_path / "data", e5)
    svc.ingest([old])
    ids = {d.doc_id for d in svc.documents()}
    new = old.rename(tmp_path / "new")
    report = svc.ingest([new])
    assert (report.added, report.unchanged) == (0, 3)
    assert {d.doc_id for d in svc.documents()} == ids


def test_a_second_ingest_tokenizes_only_the_new_documents_chunks(
    tmp_path: Path, e5, count_tokenize: list[str]
) -> None:
    """The keyword index is rebuilt after every write; the chunks it has already tokenized lend
    their tokens (tokenizing was most of the rebuild's 20 s at the national part), in the same
    process and in a new one that starts from the disk cache."""
    docs = write_docs(tmp_path / "docs")
    svc = service(tmp_path / "data", e5)
    svc.ingest([docs])
    seen = count_tokenize
    seen.clear()
    (docs / "新规.md").write_text(
        "# 新规\n\n职工带薪休假期间享受与正常工作期间相同的工资收入。\n", "utf-8"
    )
    svc.ingest([docs])
    assert seen and all("带薪休假" in t for t in seen), seen
    assert svc.keywords.get().search("带薪休假", 3)
    seen.clear()
    (docs / "新规2.md").write_text("# 新规二\n\n用人单位应当保障职工享受年休假。\n", "utf-8")
    fresh = service(tmp_path / "data", e5)  # a new process: the old tokens come from disk
    fresh.ingest([docs])
    assert seen and all("新规二" in t for t in seen), seen  # its title; leave.md has 年休假 too


class _Killed(BaseException):
    """Stands in for SIGKILL: nothing after it in the swap runs."""


@pytest.mark.parametrize("survive", [0, 1, 2, 3])
def test_a_rebuild_killed_during_its_swap_loses_neither_index_and_the_next_writer_finishes_it(
    tmp_path: Path, e5, monkeypatch: pytest.MonkeyPatch, survive: int
) -> None:
    """The swap is four steps (drop the old documents, drop the old chunks, rename the new
    documents, rename the new chunks). Killed after any of them, a reader in a new process sees
    one whole index, old or new (never old chunks with new documents), and the next writer
    completes the swap without embedding anything again."""
    from chromadb.api.models.Collection import Collection

    old_docs = write_docs(
        tmp_path / "old", {"old.md": "# 旧规\n\n旧的规定：试用期不得超过六个月。\n"}
    )
    new_docs = write_docs(tmp_path / "docs")
    svc = service(tmp_path / "data", e5)
    svc.ingest([old_docs])
    client = svc.index.client
    steps: list[str] = []
    real_delete, real_modify = client.delete_collection, Collection.modify

    def step(what: str) -> None:
        if len(steps) == survive:
            raise _Killed(what)
        steps.append(what)

    def delete(name: str) -> None:
        step(f"drop {name}")
        real_delete(name)

    def modify(self, name=None, **kw):  # type: ignore[no-untyped-def]
        if name is not None:
            step(f"rename {self.name} → {name}")
        return real_modify(self, name=name, **kw)

    svc.ingest([new_docs], rebuild=False)  # the old index now holds old.md and the three DOCS
    monkeypatch.setattr(client, "delete_collection", delete)
    monkeypatch.setattr(Collection, "modify", modify)
    with pytest.raises(_Killed):
        svc.ingest([new_docs], rebuild=True)
    monkeypatch.undo()
    assert len(steps) == survive

    reader = service(tmp_path / "data", e5)
    sources = {d.source for d in reader.documents()}
    assert sources in ({"old.md", *DOCS}, set(DOCS)), sources
    hits = reader.search("试用期最长可以约定多久", k=5).hits
    assert {h.source for h in hits} <= sources  # chunks and documents of the same index
    for h in hits:
        doc = reader.get_document(h.doc_id)
        assert doc is not None and doc.text[h.start : h.end] == h.text

    writer = service(tmp_path / "data", e5)
    report = writer.ingest([new_docs])
    assert (report.added, report.unchanged) == (0, 3)  # the swap finished; nothing re-embedded
    assert {d.source for d in writer.documents()} == set(DOCS)
    names = {c.name for c in writer.index.client.list_collections()}
    assert names == {writer.index.name, f"{writer.index.name}-docs"}, names
