"""The same index on a real ``chroma run`` server (loopback): ingest and search give what the
embedded store gives, a second worker with its own data dir sees the same index, and a server
that is down is reported clearly. Real e5 model."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from fixtures import free_port, make_settings, run_chroma

from unionqa.errors import BackendUnavailableError
from unionqa.service import QAService

DOCS = {
    "probation.md": "# 试用期\n\n劳动合同期限三个月以上不满一年的，试用期不得超过一个月。\n",
    "overtime.md": "# 加班费\n\n休息日安排劳动者工作又不能安排补休的，支付不低于工资的百分之二百的工资报酬。\n",
    "leave.md": "# 年休假\n\n职工累计工作已满1年不满10年的，年休假5天。\n",
}
QUESTIONS = ["休息日加班工资怎么算", "试用期最长可以约定多久", "工作满一年有几天年假"]


@pytest.fixture(scope="module")
def e5():
    from unionqa.index.embeddings import make_embeddings

    return make_embeddings("e5-small", "ingest")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def server_service(data_dir: Path, url: str, collection: str, e5) -> QAService:
    settings = make_settings(data_dir, chroma_url=url, collection=collection)
    return QAService(settings, role="ingest", embeddings=e5)


@pytest.fixture(scope="module")
def on_server(chroma_server: str, corpus: Path, e5, tmp_path_factory) -> tuple[QAService, str]:
    collection = f"t-{uuid.uuid4().hex[:8]}"
    svc = server_service(tmp_path_factory.mktemp("server-data"), chroma_server, collection, e5)
    report = svc.ingest([corpus])
    assert (report.added, report.chunks, report.failed) == (3, 3, [])
    return svc, collection


@pytest.fixture(scope="module")
def embedded(corpus: Path, e5, tmp_path_factory) -> QAService:
    svc = QAService(make_settings(tmp_path_factory.mktemp("embedded-data")), embeddings=e5)
    assert svc.ingest([corpus]).added == 3
    return svc


@pytest.mark.parametrize("question", QUESTIONS)
def test_server_search_equals_the_embedded_store(on_server, embedded, question: str) -> None:
    svc, _ = on_server
    remote = svc.search(question, k=3).hits
    local = embedded.search(question, k=3).hits
    assert remote[0].chunk_id == local[0].chunk_id
    assert remote[0].text == local[0].text
    assert [h.chunk_id for h in remote] == [h.chunk_id for h in local]
    assert [h.score for h in remote] == pytest.approx([h.score for h in local], abs=1e-4)


def test_server_holds_the_index_not_the_data_dir(on_server, chroma_server: str) -> None:
    svc, collection = on_server
    data_dir = Path(svc.settings.data_dir)
    assert not (data_dir / "chroma").exists()
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["store"] == chroma_server
    assert manifest["collection"] == collection
    assert (manifest["documents"], manifest["chunks"]) == (3, 3)
    assert svc.index.client.get_settings().anonymized_telemetry is False
    chunks, _ = svc.index._collections()
    assert chunks._embedding_function is None


def test_second_ingest_to_the_server_adds_nothing(on_server, corpus: Path) -> None:
    svc, _ = on_server
    report = svc.ingest([corpus])
    assert (report.added, report.unchanged) == (0, 3)


def test_another_worker_with_its_own_data_dir_sees_the_same_index(
    on_server, chroma_server: str, tmp_path: Path, e5
) -> None:
    svc, collection = on_server
    worker = QAService(
        make_settings(tmp_path / "worker", chroma_url=chroma_server, collection=collection),
        embeddings=e5,
    )
    assert {d.source for d in worker.documents()} == set(DOCS)
    hits = worker.search("试用期最长可以约定多久", k=3).hits
    assert hits[0].source == "probation.md"
    assert hits[0].chunk_id == svc.search("试用期最长可以约定多久", k=3).hits[0].chunk_id


def test_unreachable_server_is_reported_clearly(tmp_path: Path, e5) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    svc = server_service(tmp_path / "data", down, "t-down", e5)
    with pytest.raises(BackendUnavailableError, match="Chroma"):
        svc.search("加班费怎么算")


def _error_within(call, seconds: float = 15) -> BaseException | None:  # type: ignore[no-untyped-def]
    """Run ``call`` in a thread; it must end (return or raise) within ``seconds``: what it
    raised, or None."""
    import threading
    import time

    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as e:  # noqa: BLE001 - handed to the test thread
            outcome.append(e)

    t0 = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=2 * seconds)
    assert not worker.is_alive(), "still waiting on a server that never answers"
    assert time.monotonic() - t0 < seconds
    return outcome[0]


def test_a_frozen_server_is_reported_after_the_timeout_not_waited_on_forever(
    tmp_path: Path, e5
) -> None:
    """A server that accepts connections and never answers (what a SIGSTOPped or hung
    ``chroma run`` looks like): chromadb's own client waits forever; ours gives up after
    ``chroma_timeout_s``."""
    import socket

    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(8)
    url = f"http://127.0.0.1:{hole.getsockname()[1]}"
    settings = make_settings(
        tmp_path / "data", chroma_url=url, collection="t-frozen", chroma_timeout_s=1
    )
    try:
        error = _error_within(lambda: QAService(settings, embeddings=e5).search("加班费怎么算"))
    finally:
        hole.close()
    assert isinstance(error, BackendUnavailableError), error


def test_a_server_that_freezes_after_the_client_connected_is_reported_after_the_timeout(
    tmp_path: Path, corpus: Path, e5
) -> None:
    """The same once the client is open: the server is SIGSTOPped between two searches."""
    import signal

    (tmp_path / "srv").mkdir()
    with run_chroma(tmp_path / "srv") as (url, proc):
        settings = make_settings(
            tmp_path / "data", chroma_url=url, collection="t-freeze", chroma_timeout_s=2
        )
        svc = QAService(settings, role="ingest", embeddings=e5)
        svc.ingest([corpus])
        assert svc.search("试用期最长可以约定多久", k=1).hits
        proc.send_signal(signal.SIGSTOP)
        try:
            error = _error_within(lambda: svc.search("加班费怎么算"))
            assert isinstance(error, BackendUnavailableError), error
        finally:
            proc.send_signal(signal.SIGCONT)
        # the server answers again: so does the service (it reconnects)
        assert svc.search("试用期最长可以约定多久", k=1).hits


def test_cli_reads_the_server_url_from_the_environment(
    on_server, chroma_server: str, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from unionqa.cli import main
    from unionqa.settings import get_settings

    svc, collection = on_server
    env = {
        "UNIONQA_CHROMA_URL": chroma_server,
        "UNIONQA_COLLECTION": collection,
        "UNIONQA_DATA_DIR": str(tmp_path / "cli-data"),
        "UNIONQA_EMBEDDING": None,
    }
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["search", "年休假有几天", "--json", "--k", "1"], env=env)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.stderr
    (hit,) = json.loads(result.stdout)["hits"]
    assert hit["chunk_id"] == svc.search("年休假有几天", k=1).hits[0].chunk_id
    assert hit["source"] == "leave.md"


def test_rebuild_on_the_server_replaces_the_collection(
    chroma_server: str, corpus: Path, tmp_path: Path, e5
) -> None:
    svc = server_service(tmp_path / "data", chroma_server, f"t-{uuid.uuid4().hex[:8]}", e5)
    svc.ingest([corpus])
    report = svc.ingest([corpus], rebuild=True)
    assert (report.added, report.unchanged) == (3, 0)
    names = {c.name for c in svc.index.client.list_collections()}
    assert svc.index.name in names and f"{svc.index.name}-rebuild" not in names
    assert svc.search("试用期最长可以约定多久", k=1).hits[0].source == "probation.md"
