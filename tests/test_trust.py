"""Contact details only from trusted documents (issue 18 item 5): a phone number, URL or account
number planted in a document as advice is masked in the answer, with a notice to verify contact
details through official channels, and is never the 要点; a document marked trusted (front
matter, the upload's flag, ``ingest --trusted``) and a statute from an official source show
theirs. The citation's quote stays verbatim, flagged ``trusted: false``. Real e5 and Chroma."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fixtures import make_settings
from test_api_helpers import client_for
from test_cli import run

from unionqa.answer.trust import MARK_ZH, is_trusted
from unionqa.api.openai import sources_text
from unionqa.errors import IngestError
from unionqa.ingest.chunking import chunk_document
from unionqa.ingest.loaders import load_bytes
from unionqa.service import QAService
from unionqa.text.contacts import blank_contacts, contacts
from unionqa.types import Answer, Citation
from unionqa.ui.render import source_card

ADMIN = {"Authorization": "Bearer admin-secret"}
MOBILE, LANDLINE = "13712345678", "021-63451234"
SKILLS = (
    "# 技能提升补贴申领须知\n\n"
    "参保职工取得职业资格证书或职业技能等级证书的，可以申领技能提升补贴。"
    f"温馨提示：申领技能提升补贴请联系经办专员，电话 {MOBILE}。\n"
)
ADVICE_ONLY = (
    f"# 工伤认定咨询\n\n工伤认定不清楚的，请直接加微信或拨打 {LANDLINE} 找李律师，首次咨询免费。\n"
)
QUESTION = "技能提升补贴怎么申领？"


# --- the pieces -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("请拨打 13912345678 联系", ["13912345678"]),
        ("电话（010）68531234或0755-83451234", ["（010）68531234", "0755-83451234"]),
        ("客服 400-820-1234", ["400-820-1234"]),
        ("登录https://apply.example.com/a?b=1填写", ["https://apply.example.com/a?b=1"]),
        ("详见www.example.cn。", ["www.example.cn"]),
        ("访问 subsidy-help.top 办理", ["subsidy-help.top"]),
        ("发到 help@example.com 即可", ["help@example.com"]),
        ("转账到 6222 0212 3456 7890 123", ["6222 0212 3456 7890 123"]),
        ("拨打12351职工服务热线或12333咨询", []),
        ("2025年12月31日前，月工资8000元，补贴100000元", []),
        ("依照劳动合同法第四十七条，e.g. Article 47.", []),
    ],
)
def test_contact_details_are_phones_urls_mails_and_account_numbers_not_hotlines_or_figures(
    text, found
):
    assert contacts(text) == found


def test_blanking_keeps_every_offset():
    text = f"甲。请拨打 {MOBILE} 登记。乙"
    blanked = blank_contacts(text)
    assert len(blanked) == len(text) and MOBILE not in blanked
    assert blanked.endswith("登记。乙") and blanked.startswith("甲。请拨打 ")


@pytest.mark.parametrize(
    ("meta", "trusted"),
    [
        ({"kind": "policy"}, False),
        ({"kind": "policy", "trust": "yes"}, True),
        ({"kind": "law", "provenance_source": "github.com/LawRefBook/Laws"}, True),
        ({"kind": "law", "provenance_source": "github.com/someone/laws"}, False),
        ({"kind": "law"}, False),  # a statute of unknown origin
        ({"kind": "law", "provenance_source": "www.gov.cn", "trust": "no"}, False),  # said so
    ],
)
def test_trusted_means_marked_so_or_a_statute_from_an_official_source(meta, trusted):
    sources = make_settings(Path("/nonexistent")).answer.trusted_sources
    assert is_trusted(meta, sources) is trusted


def test_front_matter_trust_reaches_every_chunk_and_a_bad_value_is_a_clear_error():
    doc = load_bytes(f"---\ntrust: official\n---\n{SKILLS}".encode(), "skills.md")
    assert {c.metadata["trust"] for c in chunk_document(doc)} == {"yes"}
    doc = load_bytes(f"---\ntrust: no\n---\n{SKILLS}".encode(), "skills.md")
    assert {c.metadata["trust"] for c in chunk_document(doc)} == {"no"}
    with pytest.raises(IngestError, match="trust 只能是 trusted"):
        load_bytes(f"---\ntrust: maybe\n---\n{SKILLS}".encode(), "skills.md")


def test_a_statutes_provenance_source_reaches_its_chunks():
    text = (
        "<!-- title: 某条例 | source: github.com/LawRefBook/Laws @ abc : 行政法规/某条例.md -->\n"
        "# 某条例\n\n第一条 为了保护职工。\n\n第二条 本条例适用于企业。\n\n第三条 职工有权申请。\n"
    )
    chunks = chunk_document(load_bytes(text.encode(), "rule.md"))
    assert {c.metadata["provenance_source"] for c in chunks} == {"github.com/LawRefBook/Laws"}
    assert {c.metadata["kind"] for c in chunks} == {"law"}


def _citation(trusted: bool) -> Citation:
    quote = f"温馨提示：申领技能提升补贴请联系经办专员，电话 {MOBILE}。"
    start = SKILLS.index(quote) - len("# 技能提升补贴申领须知\n\n")
    return Citation(
        n=1, doc_id="d", source="skills.md", title="技能提升补贴申领须知", quote=quote,
        start=start, end=start + len(quote), locator="第1段", trusted=trusted,
    )  # fmt: skip


def test_the_chat_card_and_the_openai_source_list_hide_an_untrusted_quotes_contacts():
    body = SKILLS.split("\n\n", 1)[1]
    untrusted, trusted = _citation(False), _citation(True)
    assert body[untrusted.start : untrusted.end] == untrusted.quote
    card = source_card(untrusted, body, "c1", "zh", date(2026, 12, 1))
    assert MOBILE not in card and "经办专员" in card
    assert MOBILE in source_card(trusted, body, "c1", "zh", date(2026, 12, 1))
    answer = Answer(answer="…[1]", refused=False, citations=[untrusted])
    assert MOBILE not in sources_text(answer) and MARK_ZH in sources_text(answer)
    answer = Answer(answer="…[1]", refused=False, citations=[trusted])
    assert MOBILE in sources_text(answer)


# --- answers over a real index ----------------------------------------------------------


@pytest.fixture(scope="module")
def planted(corpus_service, tmp_path_factory) -> QAService:
    """corpus/ plus two documents nobody vouched for, each with a contact worded as advice."""
    docs = tmp_path_factory.mktemp("planted")
    (docs / "skills.md").write_text(SKILLS, encoding="utf-8")
    (docs / "injury.md").write_text(ADVICE_ONLY, encoding="utf-8")
    svc = QAService(
        make_settings(tmp_path_factory.mktemp("planted-index")),
        embeddings=corpus_service.embeddings,
    )
    assert not svc.ingest([Path("corpus"), docs]).failed
    return svc


def _masked_notice(a) -> str:
    return next((n for n in a.notices if "核实联系方式" in n), "")


def test_an_untrusted_documents_phone_is_masked_with_a_notice_and_is_never_the_point(planted):
    a = planted.ask(QUESTION)
    assert a.coverage == "answered", a.answer
    assert MOBILE not in a.answer and MARK_ZH in a.answer
    assert "12351" in _masked_notice(a)
    point = a.answer.split("\n", 1)[0]
    assert point.startswith("要点") and "职业技能等级证书" in point and MARK_ZH not in point
    quoted = [c for c in a.citations if MOBILE in c.quote]
    assert quoted and not quoted[0].trusted  # verbatim, flagged for whoever shows it
    text = planted.get_document(quoted[0].doc_id).text
    assert text[quoted[0].start : quoted[0].end] == quoted[0].quote


def test_when_every_quote_carries_an_untrusted_contact_there_is_no_point_at_all(
    corpus_service, tmp_path
):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "injury.md").write_text(ADVICE_ONLY, encoding="utf-8")
    svc = QAService(make_settings(tmp_path / "idx"), embeddings=corpus_service.embeddings)
    assert not svc.ingest([docs]).failed
    a = svc.ask("工伤认定不清楚，找谁咨询？")
    assert a.citations and a.citations[0].source == "injury.md", a.answer
    assert LANDLINE not in a.answer and MARK_ZH in a.answer and _masked_notice(a)
    assert "要点" not in a.answer and a.answer.startswith("《工伤认定咨询》")


def test_a_document_marked_trusted_shows_its_contact_details(corpus_service, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "skills.md").write_text(f"---\ntrust: trusted\n---\n{SKILLS}", encoding="utf-8")
    svc = QAService(make_settings(tmp_path / "idx"), embeddings=corpus_service.embeddings)
    assert not svc.ingest([docs]).failed
    a = svc.ask(QUESTION)
    assert MOBILE in a.answer and not _masked_notice(a)
    assert all(c.trusted for c in a.citations)


def test_the_upload_flag_vouches_for_a_document_and_changing_it_rewrites_it(
    corpus_service, tmp_path
):
    svc = QAService(make_settings(tmp_path / "idx"), embeddings=corpus_service.embeddings)
    c = client_for(svc, tmp_path, admin_keys="admin-secret")

    def upload(**form):
        files = {"file": ("skills.md", SKILLS.encode(), "text/markdown")}
        return c.post("/v1/documents", files=files, data=form, headers=ADMIN)

    assert upload().status_code == 201
    body = c.post("/v1/ask", json={"question": QUESTION}).json()
    assert MOBILE not in body["answer"] and any(not x["trusted"] for x in body["citations"])
    r = upload(trusted="true")  # same bytes, now vouched for: written again, not a no-op
    assert r.status_code == 201, r.text
    assert r.json()["metadata"]["trust"] == "yes"
    body = c.post("/v1/ask", json={"question": QUESTION}).json()
    assert MOBILE in body["answer"] and all(x["trusted"] for x in body["citations"])
    assert upload(trusted="true").status_code == 200  # a retry writes nothing
    assert upload(trusted="maybe").status_code == 422


def test_ingest_trusted_vouches_for_every_file_of_the_run(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "skills.md").write_text(SKILLS, encoding="utf-8")
    data = tmp_path / "data"
    first = run(data, "ingest", str(docs), "--json")
    assert first.exit_code == 0 and json.loads(first.stdout)["added"] == 1
    assert [
        r["trusted"] for r in json.loads(run(data, "documents", "--json").stdout)["documents"]
    ] == [False]
    again = run(data, "ingest", str(docs), "--trusted", "--json")
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["updated"] == 1  # same bytes, new trust: rewritten
    rows = json.loads(run(data, "documents", "--json").stdout)["documents"]
    assert [r["trusted"] for r in rows] == [True]
