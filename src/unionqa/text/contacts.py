"""Contact details in document text: phone numbers (mobile, landline, 400/800 service lines),
URLs and bare web addresses, e-mail addresses and account numbers (12 or more digits). A
document nobody vouched for may plant one as advice ("领取补贴请拨打…"), so the answer shows them
only from trusted documents (answer/trust.py). The 5-digit hotlines (12351, 12333) are not
contact details here: the product names them itself."""

from __future__ import annotations

import re

CONTACT_RE = re.compile(
    "|".join(
        [
            r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&*+;=%]+",
            r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
            r"(?<![A-Za-z0-9.@/-])(?:[A-Za-z0-9-]+\.)+(?:com|cn|net|org|top|xyz|cc)(?:/[A-Za-z0-9\-._~:/?#@!$&*+;=%]*)?(?![A-Za-z0-9])",
            r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)",
            r"(?<!\d)(?:[(（]0\d{2,3}[)）]|0\d{2,3}-)\s?\d{7,8}(?!\d)",
            r"(?<!\d)[48]00[- ]?\d{3}[- ]?\d{4}(?!\d)",
            r"(?<!\d)\d(?:[ -]?\d){11,22}(?!\d)",
        ]
    ),
    re.I,
)


def contacts(text: str) -> list[str]:
    """The contact details in ``text``, in order."""
    return [m.group(0) for m in CONTACT_RE.finditer(text)]


def blank_contacts(text: str) -> str:
    """``text`` with every contact detail blanked character by character (offsets unchanged)."""
    return CONTACT_RE.sub(lambda m: "•" * len(m.group(0)), text)


def mask_contacts(text: str, keep: frozenset[str] = frozenset(), mark: str = "[已隐去]") -> str:
    """``text`` with every contact detail not in ``keep`` replaced by ``mark``."""
    return CONTACT_RE.sub(lambda m: m.group(0) if m.group(0) in keep else mark, text)
