"""Which documents may give a worker a phone number, a URL or an account number.

A planted sentence worded as advice ("领取补贴请拨打…联系专员") reads like any other document
text, so the verifier cannot tell it from a real one. The answer therefore shows contact details
only from trusted documents: those marked ``trust: trusted`` (front matter, or the upload's
``trusted`` flag) and statutes whose provenance line names an official source
(``AnswerSettings.trusted_sources``). From any other document they are masked in the answer
text, with a notice to verify contact details through official channels, and a sentence that
carries one is never the 要点. The citation's ``quote`` stays verbatim (the contract), with
``trusted`` false, so whoever shows it can mask it the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..text.contacts import CONTACT_RE, mask_contacts

MARK_ZH, MARK_EN = "[联系方式已隐去]", "[contact removed]"


def is_trusted(metadata: Mapping[str, Any], sources: Iterable[str]) -> bool:
    trust = metadata.get("trust")
    if trust in ("yes", "no"):
        return trust == "yes"
    origin = str(metadata.get("provenance_source", ""))
    return metadata.get("kind") == "law" and any(origin.startswith(s) for s in sources if s.strip())


def unvouched(e: Any, untrusted: set[str]) -> bool:
    """Does this quote (an Evidence) give a contact detail from an untrusted document?"""
    return e.doc_id in untrusted and CONTACT_RE.search(e.quote) is not None


def shown(text: str, trusted_quotes: Iterable[str], lang: str) -> str:
    """``text`` with the contact details that no trusted quote gives masked."""
    keep = frozenset(c for q in trusted_quotes for c in CONTACT_RE.findall(q))
    return mask_contacts(text, keep, MARK_EN if lang == "en" else MARK_ZH)


def notice(lang: str, hotline: str) -> str:
    if lang == "en":
        return (
            "Phone numbers, web addresses or account numbers from documents not marked as "
            "trusted were removed. Verify contact details through official channels (the "
            f"{hotline} workers' hotline, your local human resources bureau's website), and never "
            "give a bank card number or password to a stranger."
        )
    return (
        "回答中来自未经核实资料的电话、网址或账号已隐去。请通过官方渠道（"
        f"{hotline} 职工服务热线、当地人社部门官网）核实联系方式，不要向陌生人提供银行卡号和密码。"
    )
